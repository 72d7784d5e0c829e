/**
 * Pinyin typed for Chinese (fugong, waiguoren qianzheng, lvxing) and pinyin initials (fgfc, xzzf), as people
 * type without a Chinese keyboard: a Latin word that is the toneless pinyin of a word the measures use, or
 * (three letters or more, no vowel) its initials, stands for that word; of several, the one most measures hold.
 *
 * Only the measures' own words are candidates: the vocabulary (a known word's pinyin, two syllables or more), then
 * any stretch of a title's characters in any of their readings (zhangjiang → 张江, a place no dictionary word
 * names; four letters or more), so an English word becomes Chinese only when it spells exactly what the measures
 * hold. The index is built on the first Latin word that needs it (pinyin-pro is loaded then), never at start-up.
 */
import { createRequire } from 'node:module';

export interface ToPinyin {
  /** A word's toneless syllables in context, ü written v (履行 → ['lv', 'xing']). */
  syllables(word: string): string[];
  /** Every reading of one character (行 → ['xing', 'hang', 'heng']). */
  readings(char: string): string[];
}

export type PinyinLoader = () => ToPinyin;

export const loadPinyinPro: PinyinLoader = () => {
  const { pinyin } = createRequire(import.meta.url)('pinyin-pro') as {
    pinyin(text: string, o: { toneType: 'none'; type: 'array'; v: boolean; multiple?: boolean }): string[];
  };
  return {
    syllables: (word) => pinyin(word, { toneType: 'none', type: 'array', v: true }),
    readings: (char) => pinyin(char, { toneType: 'none', type: 'array', v: true, multiple: true }),
  };
};

const VOWEL = /[aeiouv]/;

export class PinyinIndex {
  private readonly full = new Map<string, { word: string; n: number }>();
  private readonly initials = new Map<string, { word: string; n: number }>();

  /** The titles' characters with their readings, and every syllable they use (made on the first look into the titles). */
  private read: { titles: { text: string; readings: string[][] }[]; syllables: Set<string> } | null = null;
  private readonly inTitlesCache = new Map<string, string | null>();

  /**
   * `words`: each known word with how many measures hold it; `titles`: the measures' titles (folded), where a
   * Latin word no known word spells is looked for as a stretch of characters (zhangjiang → 张江).
   */
  constructor(
    words: Iterable<[string, number]>,
    private readonly toPinyin: ToPinyin,
    private readonly titles: readonly string[] = [],
  ) {
    const keep = (map: Map<string, { word: string; n: number }>, key: string, word: string, n: number) => {
      const had = map.get(key);
      if (!had || n > had.n || (n === had.n && word.length > had.word.length)) map.set(key, { word, n });
    };
    for (const [word, n] of words) {
      const syllables = toPinyin.syllables(word).map((s) => s.toLowerCase());
      if (syllables.length !== [...word].length || syllables.some((s) => !/^[a-z]+$/.test(s))) continue;
      keep(this.full, syllables.join(''), word, n);
      if (syllables.length >= 3) keep(this.initials, syllables.map((s) => s[0]).join(''), word, n);
    }
  }

  /**
   * The known word a Latin word (lower case) spells in pinyin or its initials, or null; with `inTitles`, else
   * the stretch of the titles it spells (one scan of the titles per new word, so only for words typed alone).
   */
  lookup(latin: string, inTitles = true): string | null {
    if (!/^[a-z]{2,30}$/.test(latin)) return null;
    if (!VOWEL.test(latin)) return latin.length >= 3 ? (this.initials.get(latin)?.word ?? null) : null;
    return this.full.get(latin)?.word ?? (inTitles ? this.inTitles(latin) : null);
  }

  /** The stretch of two or more title characters, in any of their readings, that spells `latin`; the commonest. */
  private inTitles(latin: string): string | null {
    if (this.titles.length === 0 || latin.length < 4) return null;
    const cached = this.inTitlesCache.get(latin);
    if (cached !== undefined) return cached;
    const read = (this.read ??= this.readTitles());
    const found = spells(latin, read.syllables) ? commonestStretch(latin, read.titles) : null;
    if (this.inTitlesCache.size >= 1000) this.inTitlesCache.clear();
    this.inTitlesCache.set(latin, found);
    return found;
  }

  private readTitles(): NonNullable<PinyinIndex['read']> {
    const of = new Map<string, string[]>();
    const syllables = new Set<string>();
    const titles = [...new Set(this.titles)].map((text) => ({
      text,
      readings: [...text].map((ch) => {
        if (!/[\u3400-\u9fff]/.test(ch)) return [];
        let r = of.get(ch);
        if (!r) {
          r = this.toPinyin.readings(ch).map((x) => x.toLowerCase());
          of.set(ch, r);
          for (const x of r) syllables.add(x);
        }
        return r;
      }),
    }));
    return { titles, syllables };
  }
}

/** Whether `latin` is a sequence of the syllables (English words mostly are not: telegram, hello). */
function spells(latin: string, syllables: ReadonlySet<string>): boolean {
  const ok = new Uint8Array(latin.length + 1);
  ok[0] = 1;
  for (let i = 0; i < latin.length; i++) {
    if (!ok[i]) continue;
    for (let n = 1; n <= 6 && i + n <= latin.length; n++) if (syllables.has(latin.slice(i, i + n))) ok[i + n] = 1;
  }
  return ok[latin.length] === 1;
}

/** Of the stretches of two or more characters whose readings spell `latin`, the one most titles hold. */
function commonestStretch(latin: string, titles: readonly { text: string; readings: string[][] }[]): string | null {
  const counts = new Map<string, number>();
  const chars: string[] = [];
  for (const { text, readings } of titles) {
    chars.length = 0;
    chars.push(...text);
    // Depth-first from each start while the characters' readings spell the next letters.
    const walk = (start: number, j: number, at: number): void => {
      if (at === latin.length) {
        if (j - start >= 2) {
          const stretch = chars.slice(start, j).join('');
          counts.set(stretch, (counts.get(stretch) ?? 0) + 1);
        }
        return;
      }
      for (const r of readings[j] ?? []) if (latin.startsWith(r, at)) walk(start, j + 1, at + r.length);
    };
    for (let i = 0; i < readings.length; i++) if (readings[i]!.some((r) => r[0] === latin[0])) walk(i, i, 0);
  }
  let best: string | null = null;
  for (const [stretch, n] of counts) if (best === null || n > counts.get(best)!) best = stretch;
  return best;
}

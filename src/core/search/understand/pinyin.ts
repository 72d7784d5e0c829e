/**
 * Pinyin typed for Chinese (fugong, waiguoren qianzheng, lvxing) and pinyin initials (fgfc, xzzf), as people
 * type without a Chinese keyboard: a Latin word that is the toneless pinyin of a word the measures use, or
 * (three letters or more, no vowel) its initials, stands for that word; of several, the one most measures hold.
 *
 * Only the measures' own words (the vocabulary) are candidates, so an English word becomes Chinese only when it
 * spells exactly a known word's pinyin (a real word has two syllables or more). The index is built on the first
 * Latin word that needs it (pinyin-pro is loaded then, ~35 ms, and reads ~15 µs a word), never at start-up.
 */
import { createRequire } from 'node:module';

/** A word's toneless syllables, ü written v (履行 → ['lv', 'xing']). */
export type ToPinyin = (word: string) => string[];

export type PinyinLoader = () => ToPinyin;

export const loadPinyinPro: PinyinLoader = () => {
  const { pinyin } = createRequire(import.meta.url)('pinyin-pro') as {
    pinyin(text: string, o: { toneType: 'none'; type: 'array'; v: boolean }): string[];
  };
  return (word) => pinyin(word, { toneType: 'none', type: 'array', v: true });
};

const VOWEL = /[aeiouv]/;

export class PinyinIndex {
  private readonly full = new Map<string, { word: string; n: number }>();
  private readonly initials = new Map<string, { word: string; n: number }>();

  /** `words`: each known word with how many measures hold it. */
  constructor(words: Iterable<[string, number]>, toPinyin: ToPinyin) {
    const keep = (map: Map<string, { word: string; n: number }>, key: string, word: string, n: number) => {
      const had = map.get(key);
      if (!had || n > had.n || (n === had.n && word.length > had.word.length)) map.set(key, { word, n });
    };
    for (const [word, n] of words) {
      const syllables = toPinyin(word).map((s) => s.toLowerCase());
      if (syllables.length !== [...word].length || syllables.some((s) => !/^[a-z]+$/.test(s))) continue;
      keep(this.full, syllables.join(''), word, n);
      if (syllables.length >= 3) keep(this.initials, syllables.map((s) => s[0]).join(''), word, n);
    }
  }

  /** The known word a Latin word (lower case) spells in pinyin or its initials, or null. */
  lookup(latin: string): string | null {
    if (!/^[a-z]{2,30}$/.test(latin)) return null;
    if (VOWEL.test(latin)) return this.full.get(latin)?.word ?? null;
    return latin.length >= 3 ? (this.initials.get(latin)?.word ?? null) : null;
  }
}

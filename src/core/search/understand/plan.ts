/**
 * A query as the user meant it: fold (normalizeForSearch), cut into pieces and segment, find an
 * agency named in it, drop words without content (data/stopwords.json), join what the segmenter
 * left in single characters, and give every remaining word its near words (data/near-words.json).
 * Pure: the segmenter, tables and agency aliases are handed in.
 */
import { normalizeForSearch } from '../normalize.ts';
import { MAX_KEYWORDS, MAX_QUERY_CHARS } from '../query.ts';
import { findAgency } from './agency-intent.ts';
import type { AgencyAliases } from './agency-intent.ts';
import { piecesOf } from './pieces.ts';
import type { Segmenter } from './segment.ts';
import type { WordTables } from './tables.ts';

export interface PlanWord {
  /** The word as typed, folded. */
  text: string;
  /** Near words (folded), best first; they count less than the word typed. */
  near: string[];
  /** The segmenter knows the word (a dictionary word, not characters joined): no typo correction for it. */
  known: boolean;
}

export interface QueryPlan {
  /** Content words, in the order typed; every one must match (it or a near word) for a full match. */
  words: PlanWord[];
  /** Canonical agency the query names, or null. */
  agency: string | null;
  /** The agency's words as typed (folded), for the header. */
  agencyTyped: string | null;
  /** The query asked for what is newest (最近, 发布了什么). */
  latest: boolean;
  /** Words dropped as carrying no content (for tests and the header's honesty, not shown as searched). */
  dropped: string[];
  /** A stable key: the same key, the same answer. */
  key: string;
}

/** One segment of a query and the chunk it was typed in. */
export interface Segment {
  text: string;
  chunk: number;
  /** Read from pinyin typed in Latin letters (pudong → 浦东). */
  fromPinyin?: boolean;
}

export type PlanResult = { ok: true; plan: QueryPlan } | { ok: false; reason: 'empty' | 'too-long' | 'no-searchable-text' | 'no-content' };

export interface PlanContext {
  segmenter: Segmenter;
  tables: WordTables;
  aliases: AgencyAliases;
  /** Whether the measures' titles use a word (the learnt vocabulary): such words are kept first past the cap. */
  measuresUse?: (word: string) => boolean;
  /** The known word a Latin word spells in pinyin (pinyin.ts), or null; `inTitles: false` looks at known words only. */
  pinyin?: (latin: string, inTitles?: boolean) => string | null;
}

/** Near words a word gets at most (each adds index look-ups). */
const MAX_NEAR = 3;
const SEARCHABLE = /[\p{L}\p{N}]/u;
const HAN_CHAR = /^[\u3400-\u4dbf\u4e00-\u9fff]$/;
/** The longest phrase of segments looked up as one stop or "latest" phrase (发布/了/什么). */
const MAX_PHRASE = 4;
/** Words before an agency that leave it out. */
const NOT_THIS = new Set(['除了', '除', '不是', '不要', '排除', '以外', '非', 'except', 'not']);
/** A mention (@政策小助手) or a link pasted along: no words of a measure. */
export const MENTION_OR_LINK = /@\S+|(?:https?:\/\/|www\.)\S+/gu;

/** A plan of no words: every measure, newest first (a query of only date words, an export of everything). */
export const EVERY_MEASURE: QueryPlan = Object.freeze({ words: [], agency: null, agencyTyped: null, latest: true, dropped: [], key: '' });

export function planQuery(input: string, ctx: PlanContext): PlanResult {
  if (input.trim() === '') return { ok: false, reason: 'empty' };
  let length = 0;
  for (const _ of input) if (++length > MAX_QUERY_CHARS) return { ok: false, reason: 'too-long' };
  // A mention (@政策小助手, @SomeBot) or a link pasted along names no measure's words.
  const whole = normalizeForSearch(input);
  const folded = whole.replace(MENTION_OR_LINK, ' ');
  // Only a mention or a link is something typed, but nothing to search.
  if (!SEARCHABLE.test(folded)) return { ok: false, reason: whole.trim() === '' ? 'empty' : 'no-searchable-text' };

  const { tables, aliases } = ctx;
  const segments = segmentsOf(folded, ctx);
  if (segments.length === 0) return { ok: false, reason: 'no-searchable-text' };

  // An agency named to be left out (除了公安局，还有谁…) is no filter, and no word: the rest is searched everywhere.
  const named = findAgency(segments, aliases);
  const leftOut = (m: (typeof named)[number]) => m.from > 0 && NOT_THIS.has(segments[m.from - 1]!.text);
  const mentions = named.filter((m) => !leftOut(m));
  const taken = new Uint8Array(segments.length);
  for (const m of named) taken.fill(1, m.from, m.to);

  const { latest, dropped } = dropPhrases(segments, taken, (phrase) =>
    tables.latest.has(phrase) ? 'latest' : tables.stop.has(phrase) || tables.generic.has(phrase) ? 'stop' : null,
  );
  const { raw, joined } = contentWords(segments, taken, ctx);
  // A word inside another word adds nothing to an all-words match.
  const unique = [...new Set(raw)];
  // Past the cap, the words that say most: those the measures use or that have near words, then the longest.
  const says = (w: string) => (ctx.measuresUse?.(w) || tables.near.has(w) ? 1 : 0);
  const words = fewest(
    unique.filter((w) => !unique.some((o) => o !== w && o.includes(w))),
    MAX_KEYWORDS,
    says,
  );

  const agency = mentions[0]?.agency ?? null;
  if (words.length === 0 && agency === null) return { ok: false, reason: 'no-content' };
  const planWords = words.map((text) => ({ text, near: nearOf(text, tables), known: !joined.has(text) }));
  const agencyTyped = mentions[0]?.typed ?? null;
  // What the answer depends on: an agency typed alone is also searched as a word (交警, 派出所), so it is part of the key.
  const key = [agency ?? '', words.length === 0 ? (agencyTyped ?? '') : '', latest && words.length === 0 ? '1' : '0', ...words].join(
    '\u0000',
  );
  return { ok: true, plan: { words: planWords, agency, agencyTyped, latest, dropped, key } };
}

/**
 * At most `max` words, in the order typed: past it, the words that say most are kept (a pasted story's 事故
 * and 线上 before its 双方 and 听说), then the longest (a long question's term, 行政复议, before 企业 or
 * 申请), then the earlier.
 */
function fewest(words: readonly string[], max: number, says: (w: string) => number): string[] {
  if (words.length <= max) return [...words];
  const kept = new Set(
    words
      .map((w, i) => ({ w, i, says: says(w) }))
      .sort((a, b) => b.says - a.says || [...b.w].length - [...a.w].length || a.i - b.i)
      .slice(0, max)
      .map((x) => x.i),
  );
  return words.filter((_, i) => kept.has(i));
}

/** A word's near words: its group's other words, then the word with a group member inside it replaced. */
export function nearOf(word: string, tables: Pick<WordTables, 'near'>): string[] {
  const own = tables.near.get(word);
  const out: string[] = [...(own ?? [])];
  // A word with its own group is not taken apart (出入境 is not 出 + 入境).
  if (!own) {
    for (const [member, others] of tables.near) {
      // A one-character member (云) inside a word (云选会) is not that word's meaning.
      if (member.length < 2 || member.length >= word.length || !word.includes(member)) continue;
      for (const o of others) {
        // A member inside its own near word (入境 in 出入境) would only repeat it.
        if (o.includes(member)) continue;
        const v = word.replace(member, o);
        if (v !== word && !out.includes(v)) out.push(v);
      }
    }
  }
  return out.filter((w) => w !== word).slice(0, MAX_NEAR);
}

/** nearOf over one set of tables, remembered per word (a digest run asks for the same few topics per subscription). */
export function nearWordsOf(tables: Pick<WordTables, 'near'>): (word: string) => readonly string[] {
  const known = new Map<string, readonly string[]>();
  return (word) => {
    let near = known.get(word);
    if (!near) {
      // Topics are few; a flood of distinct ones starts the memory over rather than growing it.
      if (known.size >= 10_000) known.clear();
      known.set(word, (near = nearOf(word, tables)));
    }
    return near;
  };
}

/** A folded query's segments, each with the chunk (stretch between separators) it was typed in. */
export function segmentsOf(folded: string, ctx: Pick<PlanContext, 'segmenter' | 'tables' | 'aliases' | 'pinyin'>): Segment[] {
  const segments: Segment[] = [];
  const pieces = piecesOf(folded, ctx.tables.approx);
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.kind === 'han') {
      for (const w of ctx.segmenter.cut(p.text)) if (w.trim()) segments.push({ text: w, chunk: p.chunk });
      continue;
    }
    // Pinyin typed for Chinese: the longest run of Latin words (up to MAX_PINYIN_RUN) that spells a known word.
    const run = ctx.pinyin ? pinyinRun(pieces, i, ctx) : null;
    if (run) {
      // Segmented like typed characters: a stretch of a title (静安警方) may hold an agency's name.
      for (const w of ctx.segmenter.cut(run.word)) if (w.trim()) segments.push({ text: w, chunk: p.chunk, fromPinyin: true });
      i += run.length - 1;
    } else segments.push({ text: p.text, chunk: p.chunk });
  }
  return segments;
}

/** Latin words looked up together as one word's pinyin (falv fuwu → 法律服务). */
const MAX_PINYIN_RUN = 4;

/** The known word the Latin words from `i` spell in pinyin (longest run first), unless they mean something in English here. */
function pinyinRun(
  pieces: readonly { text: string; kind: string }[],
  i: number,
  ctx: Pick<PlanContext, 'tables' | 'aliases' | 'pinyin'>,
): { word: string; length: number } | null {
  const { tables, aliases } = ctx;
  const latin = (k: number) => {
    const t = pieces[k]?.text;
    return t !== undefined &&
      pieces[k]!.kind === 'word' &&
      /^[a-z]+$/.test(t) &&
      !tables.stop.has(t) &&
      !tables.near.has(t) &&
      !aliases.get(t)
      ? t
      : null;
  };
  let joined = '';
  const runs: string[] = [];
  for (let k = i; k < i + MAX_PINYIN_RUN && latin(k) !== null; k++) runs.push((joined += latin(k)!));
  for (let n = runs.length; n >= 1; n--) {
    // Words typed apart are looked up together among known words only (falv fuwu → 法律服务); alone, in the titles too.
    const word = ctx.pinyin!(runs[n - 1]!, n === 1);
    if (word) return { word, length: n };
  }
  return null;
}

/**
 * Phrases of up to MAX_PHRASE segments (longest first, within one chunk, not yet taken) that `kind` names
 * as carrying no content: marked 2 in `taken`. Whether one asked for what is newest, and the phrases dropped.
 */
export function dropPhrases(
  segments: readonly Segment[],
  taken: Uint8Array,
  kind: (phrase: string) => 'latest' | 'stop' | null,
): { latest: boolean; dropped: string[] } {
  let latest = false;
  const dropped: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    if (taken[i]) continue;
    for (let n = Math.min(MAX_PHRASE, segments.length - i); n >= 1; n--) {
      let phrase = '';
      let ok = true;
      for (let j = i; j < i + n; j++) {
        if (taken[j] || segments[j]!.chunk !== segments[i]!.chunk) ok = false;
        phrase += segments[j]!.text;
      }
      if (!ok) continue;
      const k = kind(phrase);
      if (k) {
        latest ||= k === 'latest';
        dropped.push(phrase);
        taken.fill(2, i, i + n);
        i += n - 1;
        break;
      }
    }
  }
  return { latest, dropped };
}

/**
 * The content words left (segments not taken), in order; single Han characters the segmenter left next to
 * each other are one word (复/产 → 复产), `joined` holds the words made so, `groups` numbers the runs of
 * words typed together with nothing dropped between (社会/组织 is one run, 公安 的 复工 two).
 */
export function contentWords(
  segments: readonly Segment[],
  taken: Uint8Array,
  ctx: Pick<PlanContext, 'tables' | 'measuresUse'>,
): { raw: string[]; joined: Set<string>; groups: number[] } {
  const { tables } = ctx;
  const raw: string[] = [];
  const joined = new Set<string>();
  // Per word of `raw`, its run: words typed together with nothing dropped between share one.
  const groups: number[] = [];
  let group = -1;
  let lastEnd = -2;
  const adjacent = (i: number) => i > 0 && !taken[i - 1] && segments[i - 1]!.chunk === segments[i]!.chunk;
  for (let i = 0; i < segments.length; i++) {
    if (taken[i]) continue;
    const from = i;
    let w = segments[i]!.text;
    if (HAN_CHAR.test(w)) {
      while (
        i + 1 < segments.length &&
        !taken[i + 1] &&
        segments[i + 1]!.chunk === segments[i]!.chunk &&
        HAN_CHAR.test(segments[i + 1]!.text)
      )
        w += segments[++i]!.text;
      // A lone character right after a word is its suffix (检疫 + 局, 复工 + 率), not a word of its own; unless
      // the word is one the measures use (or has near words) and the two together are not (外国人 + 办, 签证 + 快).
      const before = raw[raw.length - 1];
      if (
        w.length === 1 &&
        adjacent(from) &&
        before !== undefined &&
        /^[\u3400-\u9fff]+$/.test(before) &&
        !((ctx.measuresUse?.(before) || tables.near.has(before)) && !ctx.measuresUse?.(before + w))
      ) {
        w = raw.pop()! + w;
        groups.pop();
      }
      if (w.length > 1) joined.add(w);
    }
    if (SEARCHABLE.test(w)) {
      if (!(from === lastEnd + 1 && adjacent(from))) group++;
      raw.push(w);
      groups.push(group);
      lastEnd = i;
    }
  }
  return { raw, joined, groups };
}

/**
 * The editable word tables of query understanding (data/stopwords.json, data/near-words.json, read
 * by src/store/word-tables.ts), validated: a malformed table fails start-up with the file and the
 * path of the bad value, never a half-understood query later.
 */
import { z } from 'zod';
import { normalizeForSearch } from '../normalize.ts';

const word = z.string().trim().min(1).max(20);

export const stopwordsSchema = z.object({
  stop: z.array(word),
  generic: z.array(word).default([]),
  latest: z.array(word).default([]),
  /** Words that only ask to be sent something (订阅, 推送, 提醒我): dropped from a subscription's filters. */
  request: z.array(word).default([]),
});

export const nearWordsSchema = z.object({
  groups: z.array(z.array(word).min(2)),
  /** A word typed (an everyday or English word) → the measures' words it also finds; never the other way round. */
  oneWay: z.record(word, z.array(word).min(1)).default({}),
  approx: z.array(word).default([]),
  whole: z.array(word).default([]),
});

export interface WordTables {
  /** Words without content (questions, particles), folded. */
  stop: ReadonlySet<string>;
  /** Words every measure is (措施, 政策): dropped like stop words. */
  generic: ReadonlySet<string>;
  /** Words and phrases asking for what is newest (最近, 发布了什么). */
  latest: ReadonlySet<string>;
  /** Words that only ask to be sent something (订阅, 推送): no topic of a subscription. */
  request: ReadonlySet<string>;
  /** Per folded word the other words of its near-word groups, in table order, then its one-way words. */
  near: ReadonlyMap<string, readonly string[]>;
  /** Words that make a count approximate (余, 多, 逾). */
  approx: readonly string[];
  /** Words the segmenter should keep whole. */
  whole: readonly string[];
}

function parse<T>(schema: z.ZodType<T>, json: unknown, file: string): T {
  const r = schema.safeParse(json);
  if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Builds the tables from the two files' content (tests pass their own). */
export function makeWordTables(stopwords: unknown, nearWords: unknown): WordTables {
  const s = parse(stopwordsSchema, stopwords, 'data/stopwords.json');
  const n = parse(nearWordsSchema, nearWords, 'data/near-words.json');
  const fold = (w: string) => normalizeForSearch(w.trim());
  const near = new Map<string, string[]>();
  for (const group of n.groups) {
    const folded = [...new Set(group.map(fold))];
    for (const w of folded) {
      const list = near.get(w) ?? [];
      for (const other of folded) if (other !== w && !list.includes(other)) list.push(other);
      near.set(w, list);
    }
  }
  for (const [from, to] of Object.entries(n.oneWay)) {
    const w = fold(from);
    const list = near.get(w) ?? [];
    for (const other of to.map(fold)) if (other !== w && !list.includes(other)) list.push(other);
    near.set(w, list);
  }
  return {
    stop: new Set(s.stop.map(fold)),
    generic: new Set(s.generic.map(fold)),
    latest: new Set(s.latest.map(fold)),
    request: new Set(s.request.map(fold)),
    near,
    approx: [...new Set(n.approx.map(fold))].sort((a, b) => b.length - a.length),
    whole: [...new Set(n.whole.map(fold))],
  };
}

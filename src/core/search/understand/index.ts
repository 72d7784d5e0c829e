/**
 * Query understanding, put together: the segmenter taught the measures' words, the word tables, the
 * agency aliases and the vocabulary for "did you mean". One per bot; `learn` is called with the
 * measures (newest first) whenever the catalog changed, and reads at most LEARN_LIMIT of them.
 */
import type { AgencyDirectory } from '../../agencies.ts';
import { normalizeForSearch } from '../normalize.ts';
import { agencyAliases } from './agency-intent.ts';
import type { AgencyAliases } from './agency-intent.ts';
import { requestFilters } from './filters.ts';
import type { RequestFilters } from './filters.ts';
import { planQuery } from './plan.ts';
import type { PlanResult } from './plan.ts';
import { createSegmenter } from './segment.ts';
import type { JiebaLoader, Segmenter } from './segment.ts';
import { PinyinIndex, loadPinyinPro } from './pinyin.ts';
import type { PinyinLoader, ToPinyin } from './pinyin.ts';
import type { WordTables } from './tables.ts';
import { Vocabulary } from './vocabulary.ts';

export type { PlanResult, QueryPlan, PlanWord } from './plan.ts';
export { EVERY_MEASURE } from './plan.ts';
export type { RequestFilters } from './filters.ts';

/** Measures read to learn words from: the newest ones, which people ask about. */
export const LEARN_LIMIT = 2_000;

/** What learning reads of a measure. */
export interface LearnableEntry {
  title: string;
}

export interface QueryUnderstanding {
  readonly segmenter: Segmenter;
  readonly tables: WordTables;
  plan(input: string): PlanResult;
  /** The agencies and topic words a request names (/subscribe's filters, /latest's agency). */
  filters(input: string): RequestFilters;
  /** Known words one character away from a word no measure holds. */
  suggest(word: string): string[];
  /** Re-reads the agency directory and learns the words of the measures' titles (newest first; stops at LEARN_LIMIT). */
  learn(directory: Pick<AgencyDirectory, 'names' | 'info'>, newest: Iterable<LearnableEntry>): void;
}

// Quoted terms of measures (“不见面”, 「云选会」): short ones are names worth keeping whole.
const QUOTED = /[“"「『【]([\u3400-\u9fff]{2,6})[”"」』】]/g;

export function createQueryUnderstanding(opts: {
  tables: WordTables;
  load?: JiebaLoader | null;
  warn?: (message: string) => void;
  hmm?: boolean;
  /** Pinyin for words typed in Latin letters (default pinyin-pro, loaded on first use); null: none. */
  pinyin?: PinyinLoader | null;
}): QueryUnderstanding {
  const segmenter = createSegmenter({ load: opts.load, warn: opts.warn, hmm: opts.hmm });
  const { tables } = opts;
  // Words of the tables are the domain's phrases: kept whole (外资企业, 法律援助), so their near words apply.
  segmenter.addWords([...tables.whole, ...tables.near.keys()]);
  // The fallback needs the stop words to split them off; jieba knows them already.
  if (segmenter.kind === 'fallback') segmenter.addWords([...tables.stop, ...tables.latest, ...tables.generic]);
  let aliases: AgencyAliases = { get: () => undefined, keys: () => [] };
  let vocabulary = new Vocabulary();
  // Built from the vocabulary on the first Latin word that may be pinyin; dropped when the vocabulary is relearnt.
  let pinyinIndex: PinyinIndex | null = null;
  let toPinyin: ToPinyin | null | undefined = opts.pinyin === null ? null : undefined;
  // The learnt titles (folded), where pinyin no known word spells is looked for.
  let titles: string[] = [];
  const pinyin = (latin: string, inTitles = true): string | null => {
    if (toPinyin === undefined) {
      try {
        toPinyin = (opts.pinyin ?? loadPinyinPro)();
      } catch (err) {
        toPinyin = null;
        opts.warn?.(`pinyin unavailable (${err instanceof Error ? err.message : String(err)}); Latin words are searched as typed`);
      }
    }
    if (toPinyin === null) return null;
    // The measures' words, and the tables' (签证 is a near word the titles may not use).
    pinyinIndex ??= new PinyinIndex(
      [
        ...vocabulary.entries(),
        ...[...tables.near.keys()].filter((w) => /^[\u3400-\u9fff]{2,8}$/.test(w)).map((w): [string, number] => [w, 0]),
      ],
      toPinyin,
      titles,
    );
    return pinyinIndex.lookup(latin, inTitles);
  };
  const context = () => ({ segmenter, tables, aliases, pinyin, measuresUse: (w: string) => vocabulary.frequency(w) > 0 });

  return {
    segmenter,
    tables,
    plan: (input) => planQuery(input, context()),
    filters: (input) => requestFilters(input, context()),
    suggest: (word) => vocabulary.suggest(word),
    learn(directory, newest) {
      aliases = agencyAliases(directory);
      segmenter.addWords([...aliases.keys()].filter((k) => /^[\u3400-\u9fff]+$/.test(k)));
      const quoted = new Set<string>();
      const texts: string[] = [];
      let n = 0;
      // Titles only: they name what measures are about, and are short (start-up reads LEARN_LIMIT of them).
      for (const e of newest) {
        if (n++ >= LEARN_LIMIT) break;
        const text = normalizeForSearch(e.title);
        for (const m of text.matchAll(QUOTED)) quoted.add(m[1]!);
        texts.push(text);
      }
      segmenter.addWords(quoted);
      const v = new Vocabulary();
      for (const w of [...tables.whole, ...quoted, ...aliases.keys()]) v.addDocument([w]);
      for (const t of texts)
        v.addDocument(segmenter.cut(t.replace(/[^\u3400-\u9fff]+/g, ' ')).filter((w) => w.trim() && !tables.stop.has(w)));
      vocabulary = v;
      titles = texts;
      pinyinIndex = null;
    },
  };
}

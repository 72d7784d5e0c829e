/**
 * The engines compared in the search benchmark, each behind the same tiny interface and fed the
 * same normalised text. MiniSearch and FlexSearch get one tokenizer: CJK runs as character
 * unigrams + bigrams, Latin/digit runs as whole words (documents); a query keyword becomes its
 * bigrams (or its single character), words stay words, and every token is required (AND).
 */
import FlexSearch from 'flexsearch';
import MiniSearch from 'minisearch';
import type { StoredEntry } from '../src/core/model.ts';
import { normalizeForSearch } from '../src/core/search/normalize.ts';
import type { BotStore } from './bot-store.ts';
import { createSearchIndex } from '../src/core/search/search-index.ts';

export interface Engine {
  name: string;
  /** Top `limit` ids and, where the engine can tell it, the total. */
  search(keywords: readonly string[], limit: number): { total: number; ids: string[] };
  /** Every id the engine returns, for recall/precision. */
  all(keywords: readonly string[]): string[];
}

const isLatin = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
/** Letters and digits (a fast test for the BMP, the Unicode property for the rest). */
const isWord = (c: number, ch: string): boolean => isLatin(c) || (c >= 0x4e00 && c <= 0x9fff) || (c > 127 && /[\p{L}\p{N}]/u.test(ch));

/** Splits normalised text into runs: Latin/digit words, and runs of other letters (CJK). */
function runs(text: string): { latin: boolean; s: string }[] {
  const out: { latin: boolean; s: string }[] = [];
  let from = -1;
  let curLatin = false;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    const word = i < n && isWord(c, text[i]!);
    const latin = word && isLatin(c);
    if (from !== -1 && (!word || latin !== curLatin)) {
      out.push({ latin: curLatin, s: text.slice(from, i) });
      from = -1;
    }
    if (word && from === -1) {
      from = i;
      curLatin = latin;
    }
  }
  return out;
}

export function tokenizeDocument(text: string): string[] {
  const tokens: string[] = [];
  for (const r of runs(text)) {
    if (r.latin) {
      tokens.push(r.s);
      continue;
    }
    const s = r.s;
    for (let i = 0; i < s.length; i++) {
      tokens.push(s[i]!);
      if (i + 1 < s.length) tokens.push(s.slice(i, i + 2));
    }
  }
  return tokens;
}

export function tokenizeQuery(keywords: readonly string[]): string[] {
  const tokens = new Set<string>();
  for (const k of keywords) {
    for (const r of runs(normalizeForSearch(k))) {
      if (r.latin) {
        tokens.add(r.s);
        continue;
      }
      const s = r.s;
      if (s.length === 1) tokens.add(s);
      for (let i = 0; i + 1 < s.length; i++) tokens.add(s.slice(i, i + 2));
    }
  }
  return [...tokens];
}

export const searchableText = (e: StoredEntry): string => [e.title, ...e.body, ...e.bullets, e.agency].map(normalizeForSearch).join('\n');

/** Our index; with `store`, built as the bot builds it: over the store's rows, its text read from the snapshot file. */
export function ourEngine(
  entries: readonly StoredEntry[],
  opts: { cache?: boolean; generalPath?: boolean; store?: Pick<BotStore, 'entries' | 'text'> } = {},
): Engine {
  const index = createSearchIndex(opts.store ? opts.store.entries() : entries, {
    ...(opts.cache === false ? { cacheBytes: 0 } : {}),
    ...(opts.generalPath ? { specialPaths: false } : {}),
    ...(opts.store ? { text: opts.store.text } : {}),
  });
  return {
    name: opts.cache === false ? 'ours, no cache' : opts.generalPath ? 'ours, general path only' : 'ours',
    search(keywords, limit) {
      const r = index.search(keywords, { limit });
      return { total: r.total, ids: r.hits.map((h) => h.id) };
    },
    all: (keywords) => index.search(keywords, { limit: entries.length + 1 }).hits.map((h) => h.id),
  };
}

export function miniSearchEngine(entries: readonly StoredEntry[]): Engine {
  const ms = new MiniSearch<{ id: string; title: string; text: string }>({
    fields: ['title', 'text'],
    tokenize: tokenizeDocument,
    processTerm: (t) => t,
    searchOptions: { combineWith: 'AND', prefix: false, fuzzy: false, boost: { title: 10 } },
  });
  ms.addAll(
    entries.map((e) => ({
      id: e.id,
      title: normalizeForSearch(e.title),
      text: [...e.body, ...e.bullets, e.agency].map(normalizeForSearch).join('\n'),
    })),
  );
  // The query is tokenised by us; MiniSearch then splits the joined tokens on the space again.
  const query = (keywords: readonly string[]) => ms.search(tokenizeQuery(keywords).join(' '), { tokenize: (q) => q.split(' ') });
  return {
    name: 'MiniSearch',
    search(keywords, limit) {
      const r = query(keywords);
      return { total: r.length, ids: r.slice(0, limit).map((x) => x.id as string) };
    },
    all: (keywords) => query(keywords).map((x) => x.id as string),
  };
}

/** A query reaches FlexSearch's encode pre-tokenised, marked by this prefix. */
const PRE = '\u0001';

/** Two views of one FlexSearch index: with the total (every match fetched) and its best case, the page only. */
export function flexSearchEngines(entries: readonly StoredEntry[]): Engine[] {
  const index = new FlexSearch.Index({
    tokenize: 'strict',
    cache: false,
    encode: (text: string) => (text.startsWith(PRE) ? text.slice(1).split(' ') : tokenizeDocument(text)),
  } as unknown as ConstructorParameters<typeof FlexSearch.Index>[0]);
  const ids: string[] = [];
  entries.forEach((e, i) => {
    ids.push(e.id);
    index.add(i, searchableText(e));
  });
  const query = (keywords: readonly string[], limit: number) => {
    const tokens = tokenizeQuery(keywords);
    if (tokens.length === 0) return [];
    return (index.search(PRE + tokens.join(' '), { limit }) as number[]).map((i) => ids[i]!);
  };
  const all = (keywords: readonly string[]) => query(keywords, entries.length + 1);
  return [
    {
      name: 'FlexSearch',
      // The bot shows a total, and FlexSearch cannot count without returning every match.
      search: (keywords, limit) => {
        const r = all(keywords);
        return { total: r.length, ids: r.slice(0, limit) };
      },
      all,
    },
    {
      name: 'FlexSearch page-only',
      // Stops at the page: no total, so not what the bot needs; shown as FlexSearch's best case.
      search: (keywords, limit) => ({ total: -1, ids: query(keywords, limit) }),
      all,
    },
  ];
}

/** The floor: every entry's normalised text scanned with includes, matches counted, no ranking. */
export function scanEngine(entries: readonly StoredEntry[]): Engine {
  const texts = entries.map(searchableText);
  const run = (keywords: readonly string[]) => {
    const ks = keywords.map(normalizeForSearch);
    const out: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      let ok = true;
      for (const k of ks)
        if (!t.includes(k)) {
          ok = false;
          break;
        }
      if (ok) out.push(entries[i]!.id);
    }
    return out;
  };
  return {
    name: 'scan',
    search(keywords, limit) {
      const r = run(keywords);
      return { total: r.length, ids: r.slice(0, limit) };
    },
    all: run,
  };
}

/**
 * The search index: entries' title, body, bullets and agency, searchable by keywords that must each
 * occur as a substring after folding (normalize.ts), ranked title hits over body hits, then more
 * occurrences, then newest first.
 *
 * How a search runs (one path for every query):
 * 1. plan: each keyword of one or two units is a gram with its own posting list; a longer one is
 *    its remembered matches, or the lists of its bigrams, which narrow it to candidates;
 * 2. intersect the lists, shortest first, an agency's documents being one more list (index/intersect.ts);
 * 3. drop tombstones and what the agency or dates exclude;
 * 4. long keywords not remembered: with an estimate allowed and many candidates, only what the page
 *    needs checked (index/bounded-check.ts); else every candidate's text checked, and with many
 *    candidates the matches remembered (index/long-keywords.ts, index/text-check.ts);
 * 5. rank the page (index/rank.ts).
 * Documents and their numbering are in index/documents.ts, grams in index/grams.ts, posting lists
 * and the build in index/postings.ts, export and restore in index/persistence.ts.
 */
import { normalizeKeyword } from './query.ts';
import { DEFAULT_LIMIT } from './index-types.ts';
import type { IndexableEntry, SearchIndex, SearchIndexOptions, SearchOptions, SearchResult } from './index-types.ts';
import { EMPTY_I32, EMPTY_U8, dayNumber, isSkipped, bigramKey, toCount } from './index/primitives.ts';
import { matchesUnfolded } from './normalize.ts';
import { OCCURRENCE_CAP, TITLE_WEIGHT } from './index/weights.ts';
import { Documents } from './index/documents.ts';
import { Grams } from './index/grams.ts';
import { Postings } from './index/postings.ts';
import { listOf } from './index/postings.ts';
import type { PostingList } from './index/postings.ts';
import { Scratch, byLength, intersect, keepIn } from './index/intersect.ts';
import { TextCheck } from './index/text-check.ts';
import { LongKeywords } from './index/long-keywords.ts';
import { pageByDate, pageByRelevance } from './index/rank.ts';
import { TOP_PAGE_MAX, TopPage } from './index/top-page.ts';
import { exportState, restoreState } from './index/persistence.ts';
import { boundedPage } from './index/bounded-check.ts';

export { DEFAULT_LIMIT } from './index-types.ts';
export type {
  DocumentText,
  IndexableEntry,
  IndexState,
  RememberedState,
  SearchHit,
  SearchIndex,
  SearchIndexOptions,
  SearchOptions,
  SearchResult,
} from './index-types.ts';

/** Below this many candidates checking a long keyword's text is cheap; from it on its matches are worked out whole and remembered. */
const REMEMBER_FROM_CANDIDATES = 512;
/** The same for a keyword that must be folded as it is checked (Latin letters, digits): dearer per check. */
const REMEMBER_FOLDED_FROM_CANDIDATES = 32;
/**
 * From this many candidates a long keyword not yet worked out is checked only as far as the page
 * needs when the caller allows an estimated total (SearchOptions.estimate); fewer are all checked
 * (~5 µs each from the store's file).
 */
const ESTIMATE_FROM_CANDIDATES = 200;
/** Candidates checked per turn of the event loop by prepare(): ~10 ms at 100k entries. */
const PREPARE_SLICE = 8_192;

/**
 * From this share of the documents in the shortest list (1/12: ~8k of 100k), a page of exact keywords
 * is streamed (top-page.ts); a shorter list is written out and ranked faster (bench row: 行政复议).
 */
const STREAM_FROM_SHARE = 12;

/** What a keyword turns into. */
interface KeywordPlan {
  text: string;
  /** Its matches without checking text: its own gram (1–2 units) or its remembered matches. */
  exact: PostingList | null;
  /** Otherwise: lists every match is in (its bigrams, unscored); its text is then checked. */
  narrow: PostingList[];
}

const NOTHING: SearchResult = { total: 0, hits: [] };

export function createSearchIndex(entries: Iterable<IndexableEntry> = [], options: SearchIndexOptions = {}): SearchIndex {
  const budget = options.cacheBytes ?? 32 * 2 ** 20;
  const rememberFrom = options.cacheMinCandidates ?? REMEMBER_FROM_CANDIDATES;
  const specialPaths = options.specialPaths ?? true;
  const documents = new Documents(options.text ?? null);
  const grams = new Grams();
  const postings = new Postings();
  const scratch = new Scratch();
  const check = new TextCheck(documents);
  const longKeywords = new LongKeywords(
    { budget, slice: Math.max(1, options.prepareSlice ?? PREPARE_SLICE), minCandidates: rememberFrom },
    documents,
    postings,
    check,
    scratch,
  );
  const parts = { documents, grams, postings, longKeywords };
  const topPage = new TopPage(documents, postings);

  // Per agency, its live documents as an unscored list: all made in one pass when an agency is first
  // searched after a change of the documents, and kept until the next change.
  let agencyLists: PostingList[] = [];
  let agencyListsAt = -1;
  const makeAgencyLists = (): void => {
    agencyLists = agencyListsOf(documents);
    agencyListsAt = longKeywords.epoch;
  };
  const agencyList = (a: number): PostingList => {
    if (agencyListsAt !== longKeywords.epoch) makeAgencyLists();
    return agencyLists[a] ?? listOf(EMPTY_I32, EMPTY_U8);
  };

  // Documents added but not indexed yet: a burst of upserts (loading a store) is indexed in one build.
  let pending: number[] = [];
  let flushScheduled = false;

  /** Indexes every live document anew, numbered newest first; remembered matches are forgotten. */
  const build = (): void => {
    documents.renumberNewestFirst();
    postings.build(documents, grams);
    longKeywords.forget();
    pending = [];
    // Made here too (not only on an agency's first search): a build renumbers the documents anyway.
    makeAgencyLists();
  };

  /**
   * Indexes pending documents. Many at once (loading, a large import) or many tombstones: one
   * build. A few (a bulletin's new measures): appended to the delta lists.
   */
  const flush = (): void => {
    flushScheduled = false;
    const dead = documents.count - documents.live;
    if (pending.length + postings.deltaDocs > Math.max(1_000, postings.baseDocCount >> 2) || dead > Math.max(1_000, documents.live >> 1)) {
      build();
      return;
    }
    const added = pending.filter((d) => documents.alive[d]);
    pending = [];
    for (const d of added) postings.append(d, documents.fieldsOf(d), grams);
    longKeywords.addDocuments(added);
  };

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    // After the current synchronous batch of upserts (a store load, one bulletin), index them together.
    queueMicrotask(() => {
      if (flushScheduled) flush();
    });
  };

  if (options.restore) {
    restoreState(parts, options.restore.state, options.restore.entryOf);
    makeAgencyLists();
  } else {
    for (const entry of entries) {
      documents.remove(entry.id);
      documents.add(entry);
    }
    build();
  }

  /** Plans the keywords; null when some gram of one occurs nowhere, so nothing can match. */
  const plan = (keywords: readonly string[]): KeywordPlan[] | null => {
    const plans: KeywordPlan[] = [];
    for (const raw of keywords) {
      const text = normalizeKeyword(raw);
      if (text === '' || plans.some((p) => p.text === text)) continue;
      if (text.length <= 2 && !isSkipped(text.charCodeAt(0)) && (text.length === 1 || !isSkipped(text.charCodeAt(1)))) {
        const g = grams.gramOf(text);
        if (g === -1) return null;
        plans.push({ text, exact: postings.list(g, true), narrow: [] });
        continue;
      }
      const remembered = longKeywords.get(text);
      if (remembered) {
        plans.push({ text, exact: longKeywords.postingList(remembered), narrow: [] });
        continue;
      }
      const narrowing = new Set<number>();
      for (let i = 0; i + 1 < text.length; i++) {
        const a = text.charCodeAt(i);
        const b = text.charCodeAt(i + 1);
        if (isSkipped(a) || isSkipped(b)) continue;
        const g = grams.bigrams.get(bigramKey(a, b));
        if (g === -1) return null;
        narrowing.add(g);
      }
      // No two indexed units side by side (e.g. "a b"): every indexed unit must still occur.
      if (narrowing.size === 0) {
        for (let i = 0; i < text.length; i++) {
          if (isSkipped(text.charCodeAt(i))) continue;
          const g = grams.unigrams[text.charCodeAt(i)]!;
          if (g === -1) return null;
          narrowing.add(g);
        }
      }
      plans.push({ text, exact: null, narrow: [...narrowing].map((g) => postings.list(g, false)) });
    }
    return plans;
  };

  const search = (keywords: readonly string[], opts: SearchOptions = {}): SearchResult => {
    if (pending.length > 0) flush();
    const limit = toCount(opts.limit, DEFAULT_LIMIT);
    const offset = toCount(opts.offset, 0);
    const dateFrom = dayNumber(opts.dateFrom, -Infinity, 'dateFrom');
    const dateTo = dayNumber(opts.dateTo, Infinity, 'dateTo');
    const agency = opts.agency === undefined ? -1 : (documents.agencies.get(opts.agency) ?? null);
    if (agency === null || dateFrom > dateTo) return NOTHING;
    const plans = plan(keywords);
    if (!plans) return NOTHING;
    scratch.ensure(documents.count, postings.words);
    const { docs, scores } = scratch;
    // An agency is one more list to intersect: its documents (often the shortest list of all).
    const lists = [...plans.flatMap((p) => (p.exact ? [p.exact] : p.narrow)), ...(agency === -1 ? [] : [agencyList(agency)])].sort(
      byLength,
    );
    const { alive, agencyOf, dates } = documents;
    const filtered = agency !== -1 || dateFrom !== -Infinity || dateTo !== Infinity;
    const wanted = (d: number): boolean =>
      alive[d] === 1 && (agency === -1 || agencyOf[d] === agency) && dates[d]! >= dateFrom && dates[d]! <= dateTo;

    // Special paths (index/top-page.ts): a page by relevance when every keyword has its own list.
    if (specialPaths && opts.order !== 'newest' && lists.length > 0 && plans.every((p) => p.exact) && offset + limit <= TOP_PAGE_MAX) {
      if (!filtered && lists.every((s) => s.dense)) return topPage.pageOverBitsets(lists, longKeywords.epoch, offset, limit);
      // A short shortest list is written out and ranked faster than streamed (bench row: 行政复议, 2.7k matches).
      if (lists[0]!.length * STREAM_FROM_SHARE >= documents.count)
        return topPage.pageByStreaming(lists, filtered || documents.live !== documents.count ? wanted : null, scratch, offset, limit);
    }

    // 2. Candidates: in every list.
    let n: number;
    if (lists.length > 0) n = intersect(lists, postings, scratch, docs, scores);
    else {
      n = documents.count;
      for (let d = 0; d < n; d++) docs[d] = d;
      scores.fill(0, 0, n);
    }

    // 3. Tombstones, other agencies, other dates: dropped before the costlier text checks.
    if (filtered || documents.live !== documents.count) {
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const d = docs[i]!;
        if (!wanted(d)) continue;
        docs[kept] = d;
        scores[kept++] = scores[i]!;
      }
      n = kept;
    }

    // 4. Long keywords: remembered ones kept; with many candidates and an estimate allowed, only as
    // many checked as the page needs (index/bounded-check.ts); else with many candidates all their
    // matches worked out and remembered; with few, the few checked.
    // (A remembered one was planned with its matches as its list: every keyword left here is unchecked.)
    const unchecked = plans.filter((p) => !p.exact);
    if (opts.estimate && unchecked.length > 0 && n > ESTIMATE_FROM_CANDIDATES) {
      const order = opts.order === 'newest' ? 'newest' : 'relevance';
      const bounded = boundedPage(documents, postings, check, docs, scores, n, unchecked, order, offset, limit);
      if (bounded) return bounded.estimated ? bounded : { total: bounded.total, hits: bounded.hits };
    }
    for (const p of unchecked) {
      if (n === 0) break;
      const worthRemembering = n >= (matchesUnfolded(p.text) ? rememberFrom : Math.min(rememberFrom, REMEMBER_FOLDED_FROM_CANDIDATES));
      if (budget > 0 && worthRemembering) {
        n = keepIn(docs, n, longKeywords.postingList(longKeywords.matchesOf(p.text, p.narrow)), postings, scores);
      } else {
        n = keepContaining(n, p.text);
      }
    }

    // 5. The page.
    const page = opts.order === 'newest' ? pageByDate : pageByRelevance;
    return { total: n, hits: page(documents, postings.baseDocCount, docs, scores, n, offset, limit) };
  };

  /** Keeps the candidates whose text contains k, adding its score. */
  const keepContaining = (n: number, k: string): number => {
    const { docs, scores } = scratch;
    const found = new Int32Array(n);
    check.eachFound(docs, n, k, OCCURRENCE_CAP, (i, f) => void (found[i] = f));
    let out = 0;
    for (let i = 0; i < n; i++) {
      const f = found[i]!;
      if (f === -1) continue;
      docs[out] = docs[i]!;
      scores[out++] = scores[i]! + (f & 1 ? TITLE_WEIGHT : 0) + (f >>> 1);
    }
    return out;
  };

  const count = (
    keywords: readonly string[],
    opts: Omit<SearchOptions, 'limit' | 'offset' | 'order'> = {},
  ): { total: number; estimated?: boolean } => {
    if (pending.length > 0) flush();
    const filtered = opts.agency !== undefined || opts.dateFrom !== undefined || opts.dateTo !== undefined;
    if (!filtered && documents.live === documents.count) {
      const plans = plan(keywords);
      if (!plans) return { total: 0 };
      if (plans.length === 1 && plans[0]!.exact) return { total: plans[0]!.exact.length };
    }
    const r = search(keywords, { ...opts, limit: 0 });
    return r.estimated ? { total: r.total, estimated: true } : { total: r.total };
  };

  return {
    count,
    upsert(entry) {
      longKeywords.epoch++;
      documents.remove(entry.id);
      pending.push(documents.add(entry));
      scheduleFlush();
    },
    remove(id) {
      longKeywords.epoch++;
      const removed = documents.remove(id);
      if (removed) scheduleFlush();
      return removed;
    },
    has: (id) => documents.byId.has(id),
    get size() {
      return documents.live;
    },
    search,
    async prepare(keywords) {
      if (budget === 0) return;
      if (pending.length > 0) flush();
      // One keyword at a time: a keyword that occurs nowhere (a near word no measure uses) must not stop the others.
      const plans = keywords.flatMap((k) => plan([k]) ?? []);
      await longKeywords.prepare(plans.filter((p) => !p.exact));
    },
    exportState() {
      if (pending.length > 0) flush();
      return exportState(parts);
    },
  };
}

/** Every agency's live documents, ascending, as unscored lists (indexed by agency number). */
function agencyListsOf(documents: Documents): PostingList[] {
  const { alive, agencyOf, count } = documents;
  const sizes = new Int32Array(documents.agencies.size);
  for (let d = 0; d < count; d++) if (alive[d] === 1) sizes[agencyOf[d]!]!++;
  const docs = Array.from(sizes, (n) => new Int32Array(n));
  const filled = new Int32Array(sizes.length);
  for (let d = 0; d < count; d++) if (alive[d] === 1) docs[agencyOf[d]!]![filled[agencyOf[d]!]!++] = d;
  // Unscored: every document's weight is 0, read from one shared array of zeros.
  const zeros = new Uint8Array(Math.max(0, ...sizes));
  return docs.map((list) => ({ ...listOf(list, zeros.subarray(0, list.length)), scored: false }));
}

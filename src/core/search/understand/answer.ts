/**
 * Answers a query plan from a keyword index that only knows "every keyword as a substring"
 * (SearchIndex.search), by asking it several times, boundedly:
 *
 * 1. full: every content word, each as typed or as one of its near words (combinations with fewer
 *    near words first; near words only when the words as typed are in fewer than NEAR_WHEN_FEWER
 *    measures); measures with the words as typed come before those needing near words, then
 *    the first RERANK of them are re-ranked by reading their text: all words in the title first,
 *    then the words closer together, then the index's own order (title, occurrences, newer);
 * 2. corrected: a word no measure holds is replaced by a known word one character away (复公 → 复工);
 * 3. partial: the largest subsets of the words (and the agency) that some measure holds, the
 *    rarer words' subsets first, under a header that says which words are missing;
 * 4. agency only: no word is in any measure, but an agency was named: its newest, under a header saying so;
 * 5. none (the reply then points to /agencies).
 * A plan of only an agency (and "latest" words) answers with its newest measures, like /latest.
 *
 * An index API would do this better in one pass: OR-groups of alternatives per word (near words
 * without a search per combination), a count of "how many of these keywords" per document (partial
 * matches without one search per subset), term positions (proximity without reading text), and
 * document frequencies (which words are rare) — see docs in BENCHMARKS.md.
 */
import type { SearchOptions } from '../index-types.ts';
import type { QueryPlan } from './plan.ts';

/** What every search of an answer is restricted to, besides the words: dates, and the order asked for. */
export type AnswerFilter = Pick<SearchOptions, 'dateFrom' | 'dateTo' | 'order'>;

type SourceOptions = Pick<SearchOptions, 'agency' | 'limit' | 'offset' | 'dateFrom' | 'dateTo' | 'order' | 'estimate'>;

export interface AnswerSource<T> {
  /** Ids (best first, or newest first) of measures holding every keyword, and how many there are. No keywords: every measure. */
  search(keywords: readonly string[], opts: SourceOptions): { total: number; hits: readonly { id: string }[]; estimated?: boolean };
  /** How many measures search() would count, without a page (SearchIndex.count); optional. */
  count?(keywords: readonly string[], opts: Pick<SearchOptions, 'dateFrom' | 'dateTo' | 'estimate'>): { total: number };
  get(id: string): T | undefined;
  /** A measure's text, folded as search folds it: its title, and everything else joined; and its date. */
  textOf(entry: T): { title: string; rest: string; date: string };
  /** Measures in all. */
  size(): number;
}

export interface Answer<T> {
  kind: 'full' | 'partial' | 'latest' | 'none';
  /** Measures in all for this answer (a lower bound when `exact` is false, an estimate when `estimated`). */
  total: number;
  exact: boolean;
  /** The total is estimated (a long keyword seen for the first time, see SearchOptions.estimate); the hits are exact. */
  estimated: boolean;
  hits: T[];
  /** Every content word of the query (folded), in the order typed. */
  words: string[];
  /** The words (as typed, folded) every hit contains (or a near word of); for partial, the kept ones (none: the agency's newest stand in). */
  matched: string[];
  /** partial: the words not kept. */
  missing: string[];
  /** partial: when hits come from several subsets of the same size, that size (header: "k of the words"). */
  someOf: number | null;
  /** The agency filter applied, if any. */
  agency: string | null;
  /** partial: the agency of the query was dropped. */
  agencyDropped: boolean;
  /** Words replaced by a known word: [typed, used]. */
  corrected: [string, string][];
  /** Every form worth highlighting in the hits (typed, near, corrected). */
  highlight: string[];
}

export interface AnswerOptions {
  limit: number;
  offset: number;
  filter?: AnswerFilter;
  /** Known words one character away from a word (Vocabulary.suggest). */
  suggest?: (word: string) => string[];
  /** Totals may be estimated (SearchOptions.estimate): a long keyword's first search then checks only what the page needs. */
  estimate?: boolean;
}

/** An alias that is an agency's name (公安局, 市科委, police): typed alone, it asks for the agency's newest. */
const NAMES_AN_AGENCY = /(局|委|委员会|厅|办|署|院)$|^[a-z ]+$/;
/** Candidates re-ranked by reading their text (two pages). */
export const RERANK = 10;
/** Combinations of near words searched for one set of words. */
const MAX_COMBOS = 12;
/** Index searches the partial tier may make (then only the heaviest single word is tried). */
const MAX_PARTIAL_SEARCHES = 24;
/** Combinations of near words per subset in the partial tier. */
const PARTIAL_COMBOS = 2;
/** Ids fetched per search to count a union of several searches exactly; beyond it the total is a lower bound ("200+"). */
const FETCH_ALL = 200;
/** Near words are searched only when the words as typed are in fewer measures than this. */
export const NEAR_WHEN_FEWER = 5;

interface Term {
  /** Folded word as typed. */
  text: string;
  /** A dictionary word (never "corrected"). */
  known: boolean;
  /** The word as typed, then its near words and corrections (which count less). */
  forms: string[];
}

interface Ranked {
  id: string;
  /** Near words (or corrections) used: fewer first. */
  near: number;
  /** Position in the merged order (subset weight, then index order). */
  order: number;
}

const EMPTY = { words: [] as string[], matched: [], missing: [], someOf: null, agencyDropped: false, corrected: [], estimated: false };

/** The same search asked twice in one answer is asked once; every search gets the answer's `estimate`. */
function remembering<T>(source: AnswerSource<T>, estimate: boolean): AnswerSource<T> {
  const seen = new Map<string, ReturnType<AnswerSource<T>['search']>>();
  return {
    ...source,
    search(keywords, o) {
      const key = `${keywords.join('\u0000')}\u0001${o.agency ?? ''}\u0001${o.limit ?? ''}\u0001${o.offset ?? ''}\u0001${o.dateFrom ?? ''}\u0001${o.dateTo ?? ''}\u0001${o.order ?? ''}`;
      let r = seen.get(key);
      if (!r) seen.set(key, (r = source.search(keywords, { ...o, estimate })));
      return r;
    },
  };
}

export function answerPlan<T>(plan: QueryPlan, rawSource: AnswerSource<T>, opts: AnswerOptions): Answer<T> {
  const source = remembering(rawSource, opts.estimate ?? false);
  const need = opts.offset + opts.limit;
  const window = Math.max(need, RERANK);
  const highlight = [...new Set(plan.words.flatMap((w) => [w.text, ...w.near]))];

  const filter = opts.filter ?? {};
  if (plan.words.length === 0) {
    const agency = plan.agency ?? undefined;
    // The measures holding the agency's words as typed: within the agency, or (`within` undefined) anywhere.
    const typedWord = (word: string, within: string | undefined): Answer<T> | null => {
      const r = source.search([word], { agency: within, limit: opts.limit, offset: opts.offset, ...filter });
      if (r.total === 0) return null;
      return {
        ...EMPTY,
        kind: 'full',
        total: r.total,
        exact: true,
        estimated: !!r.estimated,
        hits: entries(
          source,
          r.hits.map((h) => h.id),
        ),
        words: within ? [] : [word],
        matched: [word],
        agency: within ? plan.agency : null,
        highlight: [word],
      };
    };
    // Only an agency: what it said about the word typed when that is a topic too (出入境, 交警),
    // else — its name, "latest" words — simply its newest measures (with dates only: every agency's).
    if (!plan.latest && agency && plan.agencyTyped && !NAMES_AN_AGENCY.test(plan.agencyTyped)) {
      const topic = typedWord(plan.agencyTyped, agency);
      if (topic) return topic;
    }
    const r = source.search([], { agency, limit: opts.limit, offset: opts.offset, ...filter, order: 'newest' });
    // An agency with no measures of its own (住建委 alone): the measures that name it, rather than "none".
    if (r.total === 0 && agency && plan.agencyTyped) {
      const naming = typedWord(plan.agencyTyped, undefined);
      if (naming) return naming;
    }
    return {
      ...EMPTY,
      kind: 'latest',
      total: r.total,
      exact: true,
      hits: entries(
        source,
        r.hits.map((h) => h.id),
      ),
      agency: plan.agency,
      highlight: [],
    };
  }

  const terms: Term[] = plan.words.map((w) => ({ text: w.text, forms: [w.text, ...w.near], known: w.known }));
  const words = terms.map((t) => t.text);
  const agency = plan.agency ?? undefined;
  // How many measures hold a word (asked once per word and query).
  const counts = new Map<string, number>();
  // A count without a page where the source gives one (a word's list length: free); else asked as the
  // partial tier would ask for the word alone (same window, same filter), so that search is then free.
  const df = (w: string): number => {
    let n = counts.get(w);
    if (n === undefined) {
      const { dateFrom, dateTo } = filter;
      n = source.count
        ? source.count([w], { ...(dateFrom ? { dateFrom } : {}), ...(dateTo ? { dateTo } : {}), estimate: opts.estimate ?? false }).total
        : source.search([w], { agency: undefined, limit: window, offset: 0, ...filter }).total;
      counts.set(w, n);
    }
    return n;
  };
  const inSome = (t: Term) => t.forms.some((f) => df(f) > 0);

  // 1. Every word (not worth asking when a word is in no measure at all).
  // The words as typed first (one search, nearly always enough); near words only if every word is in some measure.
  let full = matchAll(terms, agency, source, window, filter, MAX_COMBOS, () => terms.length === 1 || terms.every(inSome));
  const corrected: [string, string][] = [];
  // 2. Words no measure holds, in any form: a known word one character away stands in.
  if (full.ids.length === 0 && opts.suggest) {
    for (const t of terms) {
      // A word the dictionary knows (外卖) is what the user meant, even if no measure holds it.
      if (t.known || inSome(t)) continue;
      // The candidate the most measures hold.
      const fix = opts
        .suggest(t.text)
        .map((s) => ({ s, n: df(s) }))
        .filter((c) => c.n > 0)
        .sort((a, b) => b.n - a.n)[0]?.s;
      if (fix) {
        t.forms.push(fix);
        corrected.push([t.text, fix]);
        highlight.push(fix);
      }
    }
    if (corrected.length > 0 && terms.every(inSome)) full = matchAll(terms, agency, source, window, filter);
  }
  if (full.ids.length > 0) {
    const hits = page(rerank(full.ranked, terms, source, filter.order), source, opts);
    return {
      ...EMPTY,
      words,
      kind: 'full',
      total: full.total,
      exact: full.exact,
      estimated: full.estimated,
      hits,
      matched: terms.map((t) => t.text),
      agency: plan.agency,
      corrected,
      highlight,
    };
  }

  // 3. The largest subsets some measure holds; the agency is a term that can be dropped too.
  // Words no measure holds in any form cannot be in a matching subset: left out from the start.
  const n = source.size() + 1;
  // A word's count: as typed, or (when no measure holds it so) its first near word or correction that some measure holds.
  const dfOf = new Map(terms.map((t) => [t, t.forms.map(df).find((n) => n > 0) ?? 0]));
  const all: (Term | null)[] = [...terms.filter((t) => dfOf.get(t)! > 0), ...(agency ? [null] : [])];
  if (all.length > 1 || (all.length === 1 && terms.length > 1 && all[0] !== null)) {
    // Rarer words weigh more (idf); the agency weighs little: a word asked for beats the agency's name.
    const weights = all.map((t) => (t ? Math.log(n / (1 + dfOf.get(t)!)) : 0.5));
    const heaviest = weights.reduce((best, w, i) => (all[i] !== null && (best === -1 || w > weights[best]!) ? i : best), -1);
    let searches = 0;
    const top = Math.min(all.length, terms.length + (agency ? 1 : 0) - 1);
    // Every subset of up to `top` terms with at least one word, heaviest first (the rarer words
    // asked for, not merely the most words: 疫情+期间 is worth less than 法律援助 alone).
    const subsets: { idx: number[]; w: number }[] = [];
    for (let k = top; k >= 1; k--) {
      for (const idx of combinations(all.length, k))
        if (idx.some((i) => all[i] !== null)) subsets.push({ idx, w: idx.reduce((sum, i) => sum + weights[i]!, 0) });
    }
    subsets.sort((a, b) => b.w - a.w || b.idx.length - a.idx.length);
    const found: { idx: number[]; r: Matched }[] = [];
    for (const { idx, w } of subsets) {
      // Once one subset matched: others of its size nearly as heavy join it ("k of the words").
      if (found.length > 0 && (idx.length !== found[0]!.idx.length || w < 0.75 * subsets.find((x) => x.idx === found[0]!.idx)!.w)) continue;
      // Out of searches: only the heaviest single word is still tried, so a word some measure
      // holds never ends in "nothing".
      if (searches >= MAX_PARTIAL_SEARCHES && !(found.length === 0 && idx.length === 1 && idx[0] === heaviest)) continue;
      const kept = idx.map((i) => all[i]!).filter((t): t is Term => t !== null);
      const withAgency = idx.some((i) => all[i] === null);
      // Partial matches try each word as typed and with its first near word only.
      const r = matchAll(kept, withAgency ? agency : undefined, source, window, filter, PARTIAL_COMBOS);
      searches += r.searches;
      if (r.ids.length > 0) found.push({ idx, r });
    }
    if (found.length > 0) {
      // Merged: heavier subsets first, each in its own order; a measure counts once.
      const seen = new Map<string, Ranked>();
      let exact = true;
      let estimated = false;
      for (const { r } of found) {
        exact &&= r.exact;
        estimated ||= r.estimated;
        for (const x of r.ranked) if (!seen.has(x.id)) seen.set(x.id, { ...x, order: seen.size });
      }
      const union =
        found.length === 1
          ? found[0]!.r.total
          : unionCount(
              found.map((f) => f.r),
              seen.size,
            );
      const first = found[0]!.idx;
      const keptTerms = first.map((i) => all[i]!).filter((t): t is Term => t !== null);
      const keptWords = found.length === 1 ? keptTerms.map((t) => t.text) : terms.map((t) => t.text);
      const missing = found.length === 1 ? terms.filter((t) => !keptTerms.includes(t)).map((t) => t.text) : [];
      if (found.length > 1) exact = false;
      const agencyDropped = agency !== undefined && !found.every((f) => f.idx.some((i) => all[i] === null));
      const hits = page(rerank([...seen.values()], keptTerms, source, filter.order), source, opts);
      return {
        ...EMPTY,
        words,
        kind: 'partial',
        total: union,
        exact,
        estimated,
        hits,
        matched: keptWords,
        missing,
        someOf: found.length === 1 ? null : first.filter((i) => all[i] !== null).length,
        agency: plan.agency,
        agencyDropped,
        corrected,
        highlight,
      };
    }
  }

  // 4. No word is in any measure, in any form, even corrected, but an agency was named (派出所最近有什么新动作,
  // 公安 外卖): its newest measures, under a header saying the words matched nothing.
  if (agency && terms.every((t) => dfOf.get(t) === 0)) {
    const r = source.search([], { agency, limit: opts.limit, offset: opts.offset, ...filter, order: 'newest' });
    if (r.total > 0)
      return {
        ...EMPTY,
        words,
        kind: 'partial',
        total: r.total,
        exact: true,
        hits: entries(
          source,
          r.hits.map((h) => h.id),
        ),
        matched: [],
        missing: words,
        agency: plan.agency,
        corrected,
        highlight: [],
      };
  }

  // 5. Nothing: no word is in any measure, in any form, even corrected ("did you mean" was tried in 2).
  return {
    ...EMPTY,
    words,
    kind: 'none',
    total: 0,
    exact: true,
    hits: [],
    matched: terms.map((t) => t.text),
    agency: plan.agency,
    corrected,
    highlight,
  };
}

interface Matched {
  ids: string[];
  ranked: Ranked[];
  total: number;
  exact: boolean;
  /** Some search's total was estimated. */
  estimated: boolean;
  searches: number;
}

/** Measures holding every term in some form; combinations with fewer near forms first. */
function matchAll<T>(
  terms: readonly Term[],
  agency: string | undefined,
  source: AnswerSource<T>,
  window: number,
  filter: AnswerFilter,
  maxCombos = MAX_COMBOS,
  nearViable: () => boolean = () => true,
): Matched {
  const results: { near: number; total: number; estimated: boolean; ids: string[]; keywords: string[] }[] = [];
  let searches = 0;
  for (const { keywords, near } of combos(terms, maxCombos)) {
    // Enough measures hold the words as typed: near words would only add pages after them.
    if (near > 0 && results.length > 0 && results[0]!.near === 0 && results[0]!.total >= NEAR_WHEN_FEWER) break;
    // A word no measure holds in any form: no combination can match.
    if (near === 1 && searches === 1 && !nearViable()) break;
    const r = source.search(keywords, { agency, limit: window, offset: 0, ...filter });
    searches++;
    if (r.total > 0) results.push({ near, total: r.total, estimated: !!r.estimated, ids: r.hits.map((h) => h.id), keywords });
  }
  if (results.length === 0) return { ids: [], ranked: [], total: 0, exact: true, estimated: false, searches };
  const estimated = results.some((r) => r.estimated);
  const seen = new Map<string, Ranked>();
  for (const r of results) for (const id of r.ids) if (!seen.has(id)) seen.set(id, { id, near: r.near, order: seen.size });
  let total = results[0]!.total;
  let exact = true;
  if (results.length > 1) {
    // Several combinations hold measures: their union, counted from their ids when each has at most
    // FETCH_ALL; else at least the largest of them and what was seen ("12,252+").
    if (results.every((r) => r.total <= FETCH_ALL && !r.estimated)) {
      const ids = new Set<string>();
      for (const r of results) {
        const all =
          r.total > r.ids.length
            ? source.search(r.keywords, { agency, limit: r.total, offset: 0, ...filter }).hits.map((h) => h.id)
            : r.ids;
        if (all !== r.ids) searches++;
        for (const id of all) ids.add(id);
      }
      total = ids.size;
    } else {
      total = Math.max(seen.size, ...results.map((r) => r.total));
      exact = false;
    }
  }
  return { ids: [...seen.keys()], ranked: [...seen.values()], total, exact, estimated, searches };
}

/** A union's size when only the ranked lists are at hand: at least the largest total and what was seen. */
function unionCount(results: readonly Matched[], seen: number): number {
  return Math.max(seen, ...results.map((r) => r.total));
}

/** Keyword combinations: each term as one of its forms, fewest near forms first, at most `max`. */
function* combos(terms: readonly Term[], max: number): Generator<{ keywords: string[]; near: number }> {
  const maxNear = terms.reduce((s, t) => s + t.forms.length - 1, 0);
  let made = 0;
  for (let near = 0; near <= maxNear; near++) {
    const pick = new Array<number>(terms.length).fill(0);
    // Every assignment of form indexes whose count of non-zero indexes is `near`, in lexicographic order.
    const walk = function* (i: number, left: number): Generator<{ keywords: string[]; near: number }> {
      if (made >= max) return;
      if (i === terms.length) {
        if (left === 0) {
          made++;
          yield { keywords: [...new Set(terms.map((t, j) => t.forms[pick[j]!]!))], near };
        }
        return;
      }
      pick[i] = 0;
      yield* walk(i + 1, left);
      if (left > 0) {
        for (let f = 1; f < terms[i]!.forms.length; f++) {
          pick[i] = f;
          yield* walk(i + 1, left - 1);
        }
        pick[i] = 0;
      }
    };
    yield* walk(0, near);
  }
}

/** All k-element subsets of 0..n-1, in lexicographic order. */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number) => {
    if (cur.length === k) {
      out.push([...cur]);
      return;
    }
    for (let i = start; i < n; i++) {
      cur.push(i);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

/**
 * The first RERANK candidates re-ordered by reading their text: fewer near forms, then every word in
 * the title, then the words' closest span, then the order given. The rest keep the order given.
 * Newest first when asked: by date, then fewer near forms.
 */
function rerank<T>(ranked: Ranked[], terms: readonly Term[], source: AnswerSource<T>, order: AnswerFilter['order']): Ranked[] {
  const sorted = [...ranked].sort((a, b) => a.near - b.near || a.order - b.order);
  if (order === 'newest') {
    // Several searches' lists, each newest first: merged by date (read for the window only, as the rest are not shown).
    const dated = sorted.map((r) => ({
      r,
      date: (() => {
        const e = source.get(r.id);
        return e ? source.textOf(e).date : '';
      })(),
    }));
    dated.sort((a, b) => (a.date === b.date ? a.r.near - b.r.near || a.r.order - b.r.order : a.date < b.date ? 1 : -1));
    return dated.map((d) => d.r);
  }
  if (terms.length < 2) return sorted;
  const head = sorted.slice(0, RERANK).map((r) => {
    const e = source.get(r.id);
    if (!e) return { r, title: 0, span: Infinity };
    const { title, rest } = source.textOf(e);
    const inTitle = terms.every((t) => t.forms.some((f) => title.includes(f))) ? 1 : 0;
    return { r, title: inTitle, span: Math.min(closestSpan(title, terms), closestSpan(rest, terms)) };
  });
  // Spans in buckets: a few characters either way is not a difference a reader sees.
  const bucket = (s: number) => (s <= 12 ? 0 : s <= 40 ? 1 : s <= 200 ? 2 : 3);
  head.sort((a, b) => a.r.near - b.r.near || b.title - a.title || bucket(a.span) - bucket(b.span) || a.r.order - b.r.order);
  return [...head.map((h) => h.r), ...sorted.slice(RERANK)];
}

/** The shortest stretch of text holding some form of every term (Infinity when it holds not all). */
export function closestSpan(text: string, terms: readonly { forms: readonly string[] }[]): number {
  // Occurrences of each term: [start, end) pairs, sorted by start.
  const occ: [number, number, number][] = [];
  terms.forEach((t, ti) => {
    for (const f of t.forms) for (let at = text.indexOf(f); at !== -1; at = text.indexOf(f, at + 1)) occ.push([at, at + f.length, ti]);
  });
  occ.sort((a, b) => a[0] - b[0]);
  const count = new Array<number>(terms.length).fill(0);
  let have = 0;
  let best = Infinity;
  let lo = 0;
  for (let hi = 0; hi < occ.length; hi++) {
    if (count[occ[hi]![2]]!++ === 0) have++;
    while (have === terms.length) {
      let end = 0;
      for (let i = lo; i <= hi; i++) end = Math.max(end, occ[i]![1]);
      best = Math.min(best, end - occ[lo]![0]);
      if (--count[occ[lo]![2]]! === 0) have--;
      lo++;
    }
  }
  return best;
}

function entries<T>(source: AnswerSource<T>, ids: readonly string[]): T[] {
  const out: T[] = [];
  for (const id of ids) {
    const e = source.get(id);
    if (e) out.push(e);
  }
  return out;
}

function page<T>(ranked: readonly Ranked[], source: AnswerSource<T>, opts: AnswerOptions): T[] {
  return entries(
    source,
    ranked.slice(opts.offset, opts.offset + opts.limit).map((r) => r.id),
  );
}

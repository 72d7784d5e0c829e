/**
 * A page of a query whose long keywords (three or more units, not yet remembered) have many
 * candidates, without checking every candidate's text: the page is exact, the total is estimated.
 *
 * Checking a long keyword's every candidate costs a read of most of the store's text at 100k
 * measures (~100 ms); a reply needs one page of it. Each candidate's score has an upper bound from
 * the bigrams that narrowed it (a keyword occurs at most as often as each of its bigrams, and in
 * the title only if every bigram is): candidates are walked in document order (rank order among equal
 * scores for the built ones), and one is checked only while its bound could still put it on the page.
 * The page is filled one place further than asked, so an estimated total always has a match beyond
 * the page (a "next page" is never empty). The total is the matches seen plus, for the candidates
 * not checked, the share of matches in an evenly spread sample of them (`estimated` says so). Once the
 * keyword's matches are worked out (SearchIndex.prepare), its answers are exact again.
 *
 * The rule: hits are always exactly what the exhaustive search gives; only `total` may differ, and it
 * is never below offset + limit + 1 when estimated.
 */
import type { SearchHit } from '../index-types.ts';
import { Cursor } from './intersect.ts';
import type { Documents } from './documents.ts';
import type { PostingList, Postings } from './postings.ts';
import { weightOf } from './text-check.ts';
import type { TextCheck } from './text-check.ts';
import { NIBBLE_TO_W, OCCURRENCE_CAP, SCORE, TITLE_WEIGHT, W_COUNT, W_TITLE } from './weights.ts';

/** Candidates checked for the estimate of the total: off by at most ~0.2 of the candidates (3 standard errors), ~0.4 ms at 100k. */
export const SAMPLE = 48;
/** Checks one page may take (a page far down, or bounds that say little); beyond them the caller checks every candidate instead. */
export const MAX_PAGE_CHECKS = 4_096;

/** A long keyword still to check: its text and the lists of its bigrams. */
export interface Unchecked {
  text: string;
  narrow: readonly PostingList[];
}

export interface BoundedPage {
  /** Estimated matches (exact when every candidate was checked). */
  total: number;
  estimated: boolean;
  hits: SearchHit[];
}

/**
 * The page [offset, offset + limit) of candidates docs[0, n) (ascending, their exact keywords'
 * scores in scores) that also contain every unchecked keyword; null when the page needed more than
 * MAX_PAGE_CHECKS checks (the caller then checks them all).
 */
export function boundedPage(
  documents: Documents,
  postings: Postings,
  check: TextCheck,
  docs: Int32Array,
  scores: Int32Array,
  n: number,
  unchecked: readonly Unchecked[],
  order: 'relevance' | 'newest',
  offset: number,
  limit: number,
): BoundedPage | null {
  const k = offset + limit;
  // Places filled: one beyond the page, so an estimate is only given while a further match exists.
  const fill = k + 1;
  // The real score of a checked candidate; -1 when some keyword is not in it. Remembered per candidate index.
  const checked = new Map<number, number>();
  const scoreOf = (i: number): number => {
    let s = checked.get(i);
    if (s !== undefined) return s;
    s = scores[i]!;
    // One read of the text for every keyword.
    const fields = documents.fieldsOf(docs[i]!);
    for (const u of unchecked) {
      const found = check.findIn(fields, u.text, OCCURRENCE_CAP);
      if (found === -1) {
        s = -1;
        break;
      }
      s += SCORE[weightOf(found)]!;
    }
    checked.set(i, s);
    return s;
  };
  const ranksBefore = (a: number, sa: number, b: number, sb: number): boolean => (sa !== sb ? sa > sb : documents.newer(a, b));

  const top: { d: number; s: number }[] = [];
  const offer = (d: number, s: number): void => {
    if (top.length >= fill && !ranksBefore(d, s, top[fill - 1]!.d, top[fill - 1]!.s)) return;
    let at = top.length < fill ? top.length : fill - 1;
    top[at] = { d, s };
    while (at > 0 && ranksBefore(d, s, top[at - 1]!.d, top[at - 1]!.s)) {
      top[at] = top[at - 1]!;
      top[at - 1] = { d, s };
      at--;
    }
  };

  if (order === 'newest') {
    // Rank is the documents' own order: built ones ascending, added ones (numbered after them) merged by date.
    const byRank = Array.from({ length: n }, (_, i) => i);
    if (n > 0 && docs[n - 1]! >= postings.baseDocCount) byRank.sort((a, b) => (documents.newer(docs[a]!, docs[b]!) ? -1 : 1));
    let found = 0;
    for (const i of byRank) {
      if (found >= fill) break;
      if (checked.size >= MAX_PAGE_CHECKS) return null;
      const s = scoreOf(i);
      if (s === -1) continue;
      top.push({ d: docs[i]!, s });
      found++;
    }
  } else {
    if (!walkByBound(documents, postings, new Bounds(postings, unchecked), docs, scores, n, unchecked.length, fill, scoreOf, offer, top))
      return null;
  }

  // Every candidate checked (few of them, or the page needed them all): the count is exact.
  // (Not full after the walk means none was passed over: every candidate was checked.)
  if (checked.size >= n) {
    let total = 0;
    for (const s of checked.values()) if (s !== -1) total++;
    return { total, estimated: false, hits: page(documents, top, offset, k) };
  }
  // The candidates the page did not check (mostly those with low bounds, which match less often than
  // the rest): their share of matches from a sample of them, evenly spread.
  let known = 0;
  for (const s of checked.values()) if (s !== -1) known++;
  const unknown = n - checked.size;
  const walked = new Set(checked.keys());
  let sampled = 0;
  let matched = 0;
  const positions = Math.min(SAMPLE, n);
  for (let j = 0; j < positions; j++) {
    const i = Math.floor(((j + 0.5) * n) / positions);
    if (walked.has(i)) continue;
    sampled++;
    if (scoreOf(i) !== -1) matched++;
  }
  const share = sampled > 0 ? matched / sampled : known / walked.size;
  const total = Math.max(known + Math.round(unknown * share), top.length);
  return { total, estimated: true, hits: page(documents, top, offset, k) };
}

/**
 * Candidates in document order; one is checked only when its bound could put it on the page (ties:
 * newer first, as `newer` says, which holds for documents added since the build too). False when the
 * page needed more than MAX_PAGE_CHECKS checks. A function of its own: V8 keeps this loop fast only
 * outside the closures above (bench row "bounded page": the walk at 28k candidates 1.8 → 0.x ms).
 */
function walkByBound(
  documents: Documents,
  postings: Postings,
  bounds: Bounds,
  docs: Int32Array,
  scores: Int32Array,
  n: number,
  keywords: number,
  fill: number,
  scoreOf: (i: number) => number,
  offer: (d: number, s: number) => void,
  top: readonly { d: number; s: number }[],
): boolean {
  const most = (TITLE_WEIGHT + OCCURRENCE_CAP) * keywords;
  let maxBase = 0;
  for (let i = 0; i < n; i++) if (scores[i]! > maxBase) maxBase = scores[i]!;
  // Documents added since the build come last (numbered above the built ones), not in rank order.
  const built = postings.baseDocCount;
  let firstAdded = n;
  while (firstAdded > 0 && docs[firstAdded - 1]! >= built) firstAdded--;
  // The last place of the page (once full): a candidate must rank before it.
  let barScore = -1;
  let barDoc = -1;
  let checks = 0;
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    if (barScore !== -1) {
      // No built document after this one can reach the page (built ones tie in rank order): on to the added ones.
      if (barScore >= maxBase + most && barDoc < built && i < firstAdded) {
        i = firstAdded - 1;
        continue;
      }
      const base = scores[i]!;
      if (base + most < barScore) continue;
      const best = base + bounds.of(d);
      if (best < barScore || (best === barScore && !(d < built && barDoc < built ? d < barDoc : documents.newer(d, barDoc)))) continue;
    }
    if (++checks > MAX_PAGE_CHECKS) return false;
    const s = scoreOf(i);
    if (s === -1) continue;
    offer(d, s);
    if (top.length >= fill) {
      barScore = top[fill - 1]!.s;
      barDoc = top[fill - 1]!.d;
    }
  }
  return true;
}

/**
 * Per document (asked in ascending order), the most the unchecked keywords can add to its score: per
 * keyword, a title hit only if each of its bigrams is in the title, and no more occurrences than its
 * rarest bigram has. Dense lists are read straight from their weight nibbles.
 */
class Bounds {
  /** Per keyword, its dense lists' weight nibbles and where they start; its other lists as cursors. */
  private readonly nibs: Uint8Array[][];
  private readonly nibAts: Int32Array[];
  private readonly cursors: Cursor[][];

  constructor(postings: Postings, unchecked: readonly Unchecked[]) {
    const isDense = (s: PostingList) => s.dense && !s.extra;
    this.nibs = unchecked.map((u) => u.narrow.filter(isDense).map((s) => s.nib));
    this.nibAts = unchecked.map((u) => Int32Array.from(u.narrow.filter(isDense), (s) => s.nibAt));
    this.cursors = unchecked.map((u) => u.narrow.filter((s) => !isDense(s)).map((s) => new Cursor(s, postings)));
  }

  of(d: number): number {
    let sum = 0;
    const shift = (d & 1) << 2;
    const byte = d >>> 1;
    for (let u = 0; u < this.nibs.length; u++) {
      const nibs = this.nibs[u]!;
      const ats = this.nibAts[u]!;
      // Nibbles: title flag 8, occurrences 0–7.
      let title = 8;
      let count = 7;
      for (let j = 0; j < nibs.length; j++) {
        const x = (nibs[j]![ats[j]! + byte]! >>> shift) & 15;
        title &= x;
        if ((x & 7) < count) count = x & 7;
      }
      let w = NIBBLE_TO_W[title | count]!;
      const cursors = this.cursors[u]!;
      for (let j = 0; j < cursors.length; j++) {
        const cw = cursors[j]!.weightOf(d);
        // Not in a bigram's list (the intersection says it is): no bound is safe but the top.
        if (cw === -1) {
          w = W_TITLE | OCCURRENCE_CAP;
          break;
        }
        w = (w & cw & W_TITLE) | Math.min(w & W_COUNT, cw & W_COUNT);
      }
      sum += SCORE[w]!;
    }
    return sum;
  }
}

function page(documents: Documents, top: readonly { d: number; s: number }[], offset: number, k: number): SearchHit[] {
  return top.slice(offset, k).map(({ d, s }) => ({ id: documents.ids[d]!, score: s }));
}

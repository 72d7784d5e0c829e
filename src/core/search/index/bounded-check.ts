/**
 * A page of a query whose long keywords (three or more units, not yet remembered) have many
 * candidates, without checking every candidate's text: the page is exact, the total is estimated.
 *
 * Checking a long keyword's every candidate costs a read of most of the store's text at 100k
 * measures (~100 ms); a reply needs one page of it. Each candidate's score has an upper bound from
 * the bigrams that narrowed it (a keyword occurs at most as often as each of its bigrams, and in
 * the title only if every bigram is), so candidates are checked best bound first, and checking stops
 * once no unchecked candidate can reach the page. The total is the share of matches in an evenly
 * spread sample of the candidates, times their count (`estimated` says so); the caller works the
 * keyword's matches out afterwards (SearchIndex.prepare), and then every answer is exact again.
 *
 * The rule: hits are always exactly what the exhaustive search gives; only `total` may differ.
 */
import type { SearchHit } from '../index-types.ts';
import { Cursor } from './intersect.ts';
import type { Documents } from './documents.ts';
import type { PostingList, Postings } from './postings.ts';
import { weightOf } from './text-check.ts';
import type { TextCheck } from './text-check.ts';
import { OCCURRENCE_CAP, SCORE, W_COUNT, W_TITLE } from './weights.ts';

/** Candidates checked for the estimate of the total. */
export const SAMPLE = 48;
/** Checks for the page beyond which the exhaustive path is cheaper to reason about: the caller falls back to it. */
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
  // The real score of a checked candidate; -1 when some keyword is not in it. Remembered per candidate index.
  const checked = new Map<number, number>();
  const scoreOf = (i: number): number => {
    let s = checked.get(i);
    if (s !== undefined) return s;
    s = scores[i]!;
    for (const u of unchecked) {
      const found = check.find(docs[i]!, u.text, OCCURRENCE_CAP);
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
    if (top.length >= k && !ranksBefore(d, s, top[k - 1]!.d, top[k - 1]!.s)) return;
    let at = top.length < k ? top.length : k - 1;
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
      if (found >= k) break;
      if (checked.size >= MAX_PAGE_CHECKS) return null;
      const s = scoreOf(i);
      if (s === -1) continue;
      top.push({ d: docs[i]!, s });
      found++;
    }
  } else {
    const bound = boundsOf(postings, docs, scores, n, unchecked);
    const byBound = orderByBound(bound, n);
    for (let j = 0; j < n; j++) {
      const i = byBound[j]!;
      const b = bound[i]!;
      if (top.length >= k) {
        const last = top[k - 1]!;
        // No candidate from here on can score above the k-th: the page is settled.
        if (b < last.s) break;
        if (!ranksBefore(docs[i]!, b, last.d, last.s)) continue;
      }
      if (checked.size >= MAX_PAGE_CHECKS) return null;
      const s = scoreOf(i);
      if (s !== -1) offer(docs[i]!, s);
    }
  }

  // Every candidate checked (few of them, or the page needed them all): the count is exact.
  if (checked.size >= n) {
    let total = 0;
    for (const s of checked.values()) if (s !== -1) total++;
    return { total, estimated: false, hits: page(documents, top, offset, k) };
  }
  let matched = 0;
  const sample = Math.min(SAMPLE, n);
  for (let j = 0; j < sample; j++) if (scoreOf(Math.floor(((j + 0.5) * n) / sample)) !== -1) matched++;
  let known = 0;
  for (const s of checked.values()) if (s !== -1) known++;
  const unknown = n - checked.size;
  // Matches seen, plus the sample's share of the candidates not checked.
  const total = known + Math.round((unknown * matched) / sample);
  return { total, estimated: true, hits: page(documents, top, offset, k) };
}

/** Each candidate's bound: its exact keywords' score plus, per unchecked keyword, the best its bigrams allow. */
function boundsOf(postings: Postings, docs: Int32Array, scores: Int32Array, n: number, unchecked: readonly Unchecked[]): Int32Array {
  const bound = scores.slice(0, n);
  for (const u of unchecked) {
    const cursors = u.narrow.map((s) => new Cursor(s, postings));
    for (let i = 0; i < n; i++) {
      let title = W_TITLE;
      let count = W_COUNT;
      for (let c = 0; c < cursors.length; c++) {
        const w = cursors[c]!.weightOf(docs[i]!);
        // Not in a bigram's list (the intersection says it is): no bound is safe but the top.
        if (w === -1) {
          title = W_TITLE;
          count = OCCURRENCE_CAP;
          break;
        }
        title &= w;
        count = Math.min(count, w & W_COUNT);
      }
      bound[i]! += SCORE[title | count]!;
    }
  }
  return bound;
}

/** Candidate indexes by bound, best first; within a bound ascending (rank order among the built documents). A counting sort: bounds are small. */
function orderByBound(bound: Int32Array, n: number): Int32Array {
  let maxBound = 0;
  for (let i = 0; i < n; i++) if (bound[i]! > maxBound) maxBound = bound[i]!;
  const at = new Int32Array(maxBound + 2);
  for (let i = 0; i < n; i++) at[maxBound - bound[i]! + 1]!++;
  for (let b = 1; b < at.length; b++) at[b]! += at[b - 1]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[at[maxBound - bound[i]!]!++] = i;
  return out;
}

function page(documents: Documents, top: readonly { d: number; s: number }[], offset: number, k: number): SearchHit[] {
  return top.slice(offset, k).map(({ d, s }) => ({ id: documents.ids[d]!, score: s }));
}

/**
 * Ranking a search's matches into the requested page.
 *
 * By relevance: score, then newest first. Built documents are numbered newest first, so among
 * equal scores the candidates (ascending) already come in rank order: a histogram of the scores
 * (small numbers: at most 15 per keyword) gives the k-th best, and only the documents at or above it
 * are collected and sorted. Documents added since the build are not in that order and are sorted
 * among the ties.
 *
 * Newest first: plain number order for the built documents, the added ones merged in.
 */
import type { SearchHit } from '../index-types.ts';
import type { Documents } from './documents.ts';

const histogram = new Int32Array(256);

/** Per score, how many of scores[0, n) have it; returns the k-th largest, or -1 when there are fewer than k. */
function kthLargest(scores: Int32Array, n: number, k: number): number {
  histogram.fill(0);
  for (let i = 0; i < n; i++) histogram[scores[i]!]!++;
  if (k <= 0 || n < k) return -1;
  let seen = 0;
  for (let s = 255; s >= 0; s--) {
    seen += histogram[s]!;
    if (seen >= k) return s;
  }
  return -1;
}

/** The page [offset, offset + limit) of candidates docs[0, n) (ascending) with their scores, best first. */
export function pageByRelevance(
  documents: Documents,
  builtCount: number,
  docs: Int32Array,
  scores: Int32Array,
  n: number,
  offset: number,
  limit: number,
): SearchHit[] {
  const k = Math.min(n, offset + limit);
  if (k <= offset) return [];
  const threshold = kthLargest(scores, n, k);
  let above = 0;
  for (let s = threshold + 1; s < 256; s++) above += histogram[s]!;
  let tiesWanted = k - above;
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (s > threshold) picked.push(i);
    // Built documents tie in rank order, so the first ones are the ones wanted; added ones may rank anywhere among them.
    else if (s === threshold && (docs[i]! >= builtCount || tiesWanted-- > 0)) picked.push(i);
  }
  const better = (x: number, y: number): number => scores[y]! - scores[x]! || (documents.newer(docs[x]!, docs[y]!) ? -1 : 1);
  picked.sort(better);
  return picked.slice(offset, k).map((i) => ({ id: documents.ids[docs[i]!]!, score: scores[i]! }));
}

/** The page [offset, offset + limit) of candidates docs[0, n) (ascending), newest first. */
export function pageByDate(
  documents: Documents,
  builtCount: number,
  docs: Int32Array,
  scores: Int32Array,
  n: number,
  offset: number,
  limit: number,
): SearchHit[] {
  const k = Math.min(n, offset + limit);
  if (k <= offset) return [];
  let built = 0;
  while (built < n && docs[built]! < builtCount) built++;
  const added: number[] = [];
  for (let i = built; i < n; i++) added.push(i);
  added.sort((x, y) => (documents.newer(docs[x]!, docs[y]!) ? -1 : 1));
  const hits: SearchHit[] = [];
  let b = 0;
  let a = 0;
  while (hits.length < k) {
    const i = a < added.length && (b >= built || documents.newer(docs[added[a]!]!, docs[b]!)) ? added[a++]! : b++;
    hits.push({ id: documents.ids[docs[i]!]!, score: scores[i]! });
  }
  return hits.slice(offset);
}

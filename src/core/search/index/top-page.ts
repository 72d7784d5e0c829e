/**
 * Special paths, each with its bench row in BENCHMARKS.md ("Special paths"): a page of a query
 * whose every keyword has its own posting list (a gram, or remembered matches), ranked by
 * relevance, found without collecting and ranking every match. The general path (intersect, then
 * rank.ts) writes out and ranks all of them: for a keyword in 80% of 100k measures, ~1 ms instead of
 * ~0.05 ms, which /search throughput feels.
 *
 * Both stream the matches in document order, which is rank order among equal scores, into a TopK
 * of the page's k best: a match that does not beat the k-th is only counted.
 * - pageOverBitsets: every list a bitset. 32 documents at a time: the AND of the words counts the
 *   matches, and a word is scored only when the sum of each list's best score in it beats the k-th.
 * - pageByStreaming: any lists (the shortest walked, the others looked up), with tombstones,
 *   agency and dates filtered as they go.
 */
import { popcount } from './primitives.ts';
import type { SearchHit, SearchResult } from '../index-types.ts';
import { TopK } from './top-k.ts';
import { BYTE_BEST, NIBBLE_SCORE, OCCURRENCE_CAP, SCORE, TITLE_FLAGS16, TITLE_WEIGHT } from './weights.ts';
import type { Documents } from './documents.ts';
import { Cursor, writeOut } from './intersect.ts';
import type { Scratch } from './intersect.ts';
import type { PostingList, Postings } from './postings.ts';

/** Deeper pages (offset + limit above this) take the general path (TopK inserts in O(k)). */
export const TOP_PAGE_MAX = 128;

export class TopPage {
  private readonly top = new TopK(TOP_PAGE_MAX);
  /** Per dense list (its nibbles, where they start), its summary (see summary()). */
  private readonly summaries = new WeakMap<Uint8Array, Map<number, Summary>>();
  /** The live built documents as a bitset, for the change (epoch) it was made at. */
  private alive: Uint32Array | null = null;
  private aliveAt = -1;

  constructor(
    private readonly documents: Documents,
    private readonly postings: Postings,
  ) {}

  /** Every list a bitset (no agency or date filter): see the header. `epoch` changes with every change of the documents. */
  pageOverBitsets(lists: readonly PostingList[], epoch: number, offset: number, limit: number): SearchResult {
    const { top, documents } = this;
    const W = this.postings.words;
    const m = lists.length;
    top.reset(offset + limit);
    const alive = documents.live !== documents.count ? this.aliveBits(epoch) : null;
    const summaries = lists.map((s) => this.summary(s));
    let total = 0;
    let bar = -1;
    // Title hits a document needs to beat the k-th: without one a keyword scores at most OCCURRENCE_CAP.
    // No page asked (a count): nothing can make it.
    let need = offset + limit === 0 ? m + 1 : 0;
    for (let wi = 0; wi < W; wi++) {
      let word = alive ? alive[wi]! : 0xffffffff;
      for (const s of lists) word &= s.bits[s.bitsAt + wi]!;
      if (word === 0) continue;
      total += popcount(word);
      if (need > m) continue; // nothing left can make the page: only counting
      if (bar >= 0) {
        let best = 0;
        for (const x of summaries) best += x.bounds[wi]!;
        if (best <= bar) continue;
      }
      if (need > 0) word &= withTitleHits(summaries, wi, need);
      while (word !== 0) {
        const low = word & -word;
        const d = (wi << 5) | (31 - Math.clz32(low));
        word ^= low;
        let score = 0;
        for (const s of lists) score += NIBBLE_SCORE[(s.nib[s.nibAt + (d >>> 1)]! >>> ((d & 1) << 2)) & 15]!;
        if (score > bar) {
          top.offer(d, score);
          bar = top.bar;
          if (bar >= OCCURRENCE_CAP * m) need = Math.floor((bar - OCCURRENCE_CAP * m) / TITLE_WEIGHT) + 1;
        }
      }
    }
    // Documents added since the build are in every list's delta postings or in no match.
    if (lists.every((s) => s.extra)) total += this.streamAdded(lists, () => true);
    return { total, hits: this.page(offset) };
  }

  /**
   * Any lists, sorted by length: the shortest walked, the others looked up for each of its
   * documents. `keep` filters documents (tombstones, agency, dates); null keeps all.
   */
  pageByStreaming(
    lists: readonly PostingList[],
    keep: ((d: number) => boolean) | null,
    scratch: Scratch,
    offset: number,
    limit: number,
  ): SearchResult {
    this.top.reset(offset + limit);
    const first = lists[0]!;
    this.others = lists.slice(1).map((s) => new Cursor(s, this.postings));
    this.keep = keep;
    this.total = 0;
    if (first.dense) {
      const n = writeOut(first, this.postings, scratch.docs, scratch.scores);
      for (let i = 0; i < n; i++) this.consider(scratch.docs[i]!, scratch.scores[i]!);
    } else {
      for (let i = first.lo; i < first.hi; i++) this.consider(first.docs[i]!, SCORE[first.w[i]!]!);
      for (const p of first.extra ?? []) this.consider(Math.floor(p / 256), SCORE[p % 256]!);
    }
    return { total: this.total, hits: this.page(offset) };
  }

  // The state of one pageByStreaming.
  private others: Cursor[] = [];
  private keep: ((d: number) => boolean) | null = null;
  private total = 0;

  /** A document of the walked list with its score there: counted and offered when kept and in every other list. */
  private consider(d: number, score: number): void {
    if (this.keep && !this.keep(d)) return;
    const others = this.others;
    for (let j = 0; j < others.length; j++) {
      const w = others[j]!.weightOf(d);
      if (w === -1) return;
      score += SCORE[w]!;
    }
    this.total++;
    if (d < this.postings.baseDocCount) this.top.offer(d, score);
    else this.top.offerOrdered(d, score, this.better);
  }

  /** Offers the live added documents in every list's delta postings to the page; returns their count. */
  private streamAdded(lists: readonly PostingList[], keep: (d: number) => boolean): number {
    const cursors = lists.map((s) => new Cursor(s, this.postings));
    const first = [...lists].sort((a, b) => a.extra!.length - b.extra!.length)[0]!;
    let count = 0;
    outer: for (const p of first.extra!) {
      const d = Math.floor(p / 256);
      if (!this.documents.alive[d] || !keep(d)) continue;
      let score = 0;
      for (const c of cursors) {
        const w = c.weightOf(d);
        if (w === -1) continue outer;
        if (c.list.scored) score += SCORE[w]!;
      }
      count++;
      this.top.offerOrdered(d, score, this.better);
    }
    return count;
  }

  private readonly better = (a: number, sa: number, b: number, sb: number): boolean => (sa !== sb ? sa > sb : this.documents.newer(a, b));

  private page(offset: number): SearchHit[] {
    const { top, documents } = this;
    const hits: SearchHit[] = [];
    for (let i = offset; i < top.size; i++) hits.push({ id: documents.ids[top.docs[i]!]!, score: top.scores[i]! });
    return hits;
  }

  private aliveBits(epoch: number): Uint32Array {
    if (this.alive && this.aliveAt === epoch && this.alive.length === this.postings.words) return this.alive;
    const bits = new Uint32Array(this.postings.words);
    for (let d = 0; d < this.postings.baseDocCount; d++) if (this.documents.alive[d]) bits[d >>> 5]! |= 1 << (d & 31);
    this.aliveAt = epoch;
    return (this.alive = bits);
  }

  /**
   * A dense list's summary, derived from its nibbles (two documents a byte) once per build: per word
   * of 32 documents the best score in it, and the documents with a title hit.
   */
  private summary(s: PostingList): Summary {
    let byStart = this.summaries.get(s.nib);
    if (!byStart) this.summaries.set(s.nib, (byStart = new Map()));
    let x = byStart.get(s.nibAt);
    if (x) return x;
    const { words, nibbleBytes } = this.postings;
    x = { bounds: new Uint8Array(words), titles: new Uint32Array(words) };
    let wi = 0;
    // Every never-seen keyword derives it, so it reads the nibbles 8 documents (32 bits) at a time where
    // they are aligned: title flags looked up 4 documents at a time, the bound from the OR of the
    // nibbles (an OR of counts is at least their maximum, so the bound holds).
    if (LITTLE_ENDIAN && (s.nib.byteOffset + s.nibAt) % 4 === 0) {
      const n32 = new Uint32Array(s.nib.buffer, s.nib.byteOffset + s.nibAt, nibbleBytes >>> 2);
      const T = TITLE_FLAGS16;
      for (const full = n32.length >>> 2; wi < full; wi++) {
        const x0 = n32[wi << 2]!;
        const x1 = n32[(wi << 2) + 1]!;
        const x2 = n32[(wi << 2) + 2]!;
        const x3 = n32[(wi << 2) + 3]!;
        x.titles[wi] =
          T[x0 & 0xffff]! |
          (T[x0 >>> 16]! << 4) |
          (T[x1 & 0xffff]! << 8) |
          (T[x1 >>> 16]! << 12) |
          (T[x2 & 0xffff]! << 16) |
          (T[x2 >>> 16]! << 20) |
          (T[x3 & 0xffff]! << 24) |
          (T[x3 >>> 16]! << 28);
        let or = x0 | x1 | x2 | x3;
        or |= or >>> 16;
        or |= or >>> 8;
        or |= or >>> 4;
        x.bounds[wi] = NIBBLE_SCORE[or & 15]!;
      }
    }
    for (; wi < words; wi++) {
      let best = 0;
      let titles = 0;
      for (let i = wi << 4, end = Math.min(nibbleBytes, (wi + 1) << 4); i < end; i++) {
        const b = s.nib[s.nibAt + i]!;
        best = Math.max(best, BYTE_BEST[b]!);
        titles |= (((b >>> 3) & 1) | ((b >>> 6) & 2)) << ((i & 15) << 1);
      }
      x.bounds[wi] = best;
      x.titles[wi] = titles;
    }
    byStart.set(s.nibAt, x);
    return x;
  }
}

interface Summary {
  bounds: Uint8Array;
  titles: Uint32Array;
}

let atLeast = new Int32Array(16);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Of the 32 documents of word wi, those with a title hit in at least `need` (1 to all) of the lists. */
function withTitleHits(summaries: readonly Summary[], wi: number, need: number): number {
  // In any list, or in all of them: an OR, an AND (most pages ask one of these).
  if (need === 1 || need === summaries.length) {
    let any = 0;
    let all = -1;
    for (const x of summaries) {
      any |= x.titles[wi]!;
      all &= x.titles[wi]!;
    }
    return need === 1 ? any : all;
  }
  // Else bitwise counters: atLeast[k] holds the documents with a title hit in k of the lists seen so far.
  if (atLeast.length <= need) atLeast = new Int32Array(need + 1);
  atLeast.fill(0, 1, need + 1);
  atLeast[0] = -1;
  for (const x of summaries) {
    const t = x.titles[wi]!;
    for (let k = need; k >= 1; k--) atLeast[k]! |= atLeast[k - 1]! & t;
  }
  return atLeast[need]!;
}

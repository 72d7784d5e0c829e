/**
 * Intersection of posting lists: the documents in every list, ascending, each with the sum of its
 * scored lists' scores. The shortest list is written out first, and every further list keeps only
 * what it also holds (galloping through a list, a bit test in a bitset). Bitsets at the head of the
 * order are ANDed word by word first.
 */
import { gallop, gallopPacked } from './primitives.ts';
import { NIBBLE_SCORE, SCORE } from './weights.ts';
import { denseWeight, inDense } from './postings.ts';
import type { PostingList, Postings } from './postings.ts';

/** Scratch arrays reused by every search, grown to the document count. */
export class Scratch {
  /** The candidates of a search and their scores so far. */
  docs = new Int32Array(0);
  scores = new Int32Array(0);
  /** A second list with weights, for working out a long keyword's matches beside the candidates. */
  spare = new Int32Array(0);
  spareW = new Uint8Array(0);
  andBits = new Uint32Array(0);

  ensure(docCount: number, words: number): void {
    if (this.andBits.length < words) this.andBits = new Uint32Array(words);
    if (this.docs.length >= docCount) return;
    const n = Math.max(1024, docCount + (docCount >> 2));
    this.docs = new Int32Array(n);
    this.scores = new Int32Array(n);
    this.spare = new Int32Array(n);
    this.spareW = new Uint8Array(n);
  }
}

/** Lists shortest first, stable. */
export const byLength = (a: { length: number }, b: { length: number }): number => a.length - b.length;

/**
 * The documents in every list (sorted by length, at least one) into out, ascending, with their
 * summed scores in sc when given. Returns their count.
 */
export function intersect(
  lists: readonly PostingList[],
  postings: Postings,
  scratch: Scratch,
  out: Int32Array,
  sc: Int32Array | null,
): number {
  let next = 1;
  let n: number;
  let bitsetRun = 0;
  while (bitsetRun < lists.length && lists[bitsetRun]!.dense && !lists[bitsetRun]!.extra) bitsetRun++;
  if (bitsetRun >= 2) {
    n = andBitsets(lists.slice(0, bitsetRun), postings.words, scratch.andBits, out, sc);
    next = bitsetRun;
  } else {
    n = writeOut(lists[0]!, postings, out, sc);
  }
  for (let i = next; i < lists.length && n > 0; i++) n = keepIn(out, n, lists[i]!, postings, sc);
  return n;
}

/** Writes a list's documents into out (ascending) and their scores into sc; returns their count. */
export function writeOut(s: PostingList, postings: Postings, out: Int32Array, sc: Int32Array | null): number {
  let n = 0;
  if (s.dense) {
    // Nibbles say both which documents and with what weight, two documents a byte.
    const { nib, nibAt } = s;
    for (let i = 0; i < postings.nibbleBytes; i++) {
      const b = nib[nibAt + i]!;
      if (b === 0) continue;
      if (b & 15) {
        if (sc) sc[n] = s.scored ? NIBBLE_SCORE[b & 15]! : 0;
        out[n++] = i << 1;
      }
      if (b >>> 4) {
        if (sc) sc[n] = s.scored ? NIBBLE_SCORE[b >>> 4]! : 0;
        out[n++] = (i << 1) | 1;
      }
    }
  } else {
    n = s.hi - s.lo;
    out.set(s.docs.subarray(s.lo, s.hi));
    if (sc) {
      const { w, lo } = s;
      for (let i = 0; i < n; i++) sc[i] = s.scored ? SCORE[w[lo + i]!]! : 0;
    }
  }
  for (const p of s.extra ?? []) {
    if (sc) sc[n] = s.scored ? SCORE[p % 256]! : 0;
    out[n++] = Math.floor(p / 256);
  }
  return n;
}

/** The documents in every bitset (ANDed word by word), with their scored nibbles summed into sc. */
function andBitsets(lists: readonly PostingList[], words: number, acc: Uint32Array, out: Int32Array, sc: Int32Array | null): number {
  const first = lists[0]!;
  acc.set(first.bits.subarray(first.bitsAt, first.bitsAt + words));
  for (let i = 1; i < lists.length; i++) {
    const { bits, bitsAt } = lists[i]!;
    for (let wi = 0; wi < words; wi++) acc[wi]! &= bits[bitsAt + wi]!;
  }
  const scored = lists.filter((s) => s.scored);
  let n = 0;
  for (let wi = 0; wi < words; wi++) {
    let word = acc[wi]!;
    while (word !== 0) {
      const low = word & -word;
      const d = (wi << 5) | (31 - Math.clz32(low));
      word ^= low;
      if (sc) {
        let score = 0;
        for (const s of scored) score += NIBBLE_SCORE[(s.nib[s.nibAt + (d >>> 1)]! >>> ((d & 1) << 2)) & 15]!;
        sc[n] = score;
      }
      out[n++] = d;
    }
  }
  return n;
}

/**
 * Reads a posting list's weights for documents asked in ascending order: a bit test in a bitset,
 * galloping through a list and the delta postings.
 */
export class Cursor {
  private at: number;
  private extraAt = 0;
  /** Built lists hold built documents only; remembered matches (not the built lists) may hold any. */
  private readonly firstAdded: number;

  constructor(
    readonly list: PostingList,
    postings: Postings,
  ) {
    this.at = list.lo;
    this.firstAdded = list.dense || list.docs === postings.baseDocs ? postings.baseDocCount : 0x7fffffff;
  }

  /** Document d's weight byte in the list, -1 when it is not in it. d must not go down between calls. */
  weightOf(d: number): number {
    const s = this.list;
    if (d < this.firstAdded) {
      if (s.dense) return inDense(s, d) ? denseWeight(s, d) : -1;
      if (this.at < s.hi && s.docs[this.at]! < d) this.at = gallop(s.docs, this.at + 1, s.hi, d);
      return this.at < s.hi && s.docs[this.at] === d ? s.w[this.at]! : -1;
    }
    const extra = s.extra;
    if (!extra) return -1;
    this.extraAt = gallopPacked(extra, this.extraAt, d * 256);
    return this.extraAt < extra.length && extra[this.extraAt]! < (d + 1) * 256 ? extra[this.extraAt]! % 256 : -1;
  }

  /** Whether no document above the last asked can be in the list (bitsets: never known). */
  get exhausted(): boolean {
    const s = this.list;
    return !s.dense && this.at >= s.hi && (!s.extra || this.extraAt >= s.extra.length);
  }
}

/**
 * Keeps the first n documents of list (ascending) that are also in s, adding s's score to sc (kept
 * in step with list) when s is scored. Returns the new count.
 */
export function keepIn(list: Int32Array, n: number, s: PostingList, postings: Postings, sc: Int32Array | null): number {
  const cursor = new Cursor(s, postings);
  let out = 0;
  for (let i = 0; i < n; i++) {
    const d = list[i]!;
    const weight = cursor.weightOf(d);
    if (weight !== -1) {
      list[out] = d;
      if (sc) sc[out] = s.scored ? sc[i]! + SCORE[weight]! : sc[i]!;
      out++;
    }
    if (cursor.exhausted) break;
  }
  return out;
}

/**
 * Posting lists: per gram, the documents it occurs in (ascending) with a weight byte each.
 *
 * A build writes them in bulk for every live document, in two forms:
 * - a list (CSR: docs of gram g are baseDocs[baseOff[g] .. baseOff[g + 1]), weights in baseW), 5 bytes a document;
 * - for a gram in at least 1/DENSE_SHARE of the documents, a bitset (N/8 bytes) plus a weight nibble
 *   per document (N/2 bytes): smaller from there on, and two such grams intersect by a word-wise AND.
 * Documents added after the build go to small delta lists (doc * 256 + weight, ascending), all
 * numbered above the built ones, until the next build.
 */
import { EMPTY_I32, EMPTY_U32, EMPTY_U8, growInt32 } from './primitives.ts';
import { NIBBLE_TO_W, W_TO_NIBBLE } from './weights.ts';
import type { Documents } from './documents.ts';
import type { Grams } from './grams.ts';

const DENSE_SHARE = 8;
const DENSE_MIN_DOCS = 64;

/** One gram's documents (or a long keyword's remembered matches) as the intersection reads them. */
export interface PostingList {
  /** Built part as a list: docs[lo, hi) with weights w[lo, hi); empty when it is a bitset. */
  docs: Int32Array;
  w: Uint8Array;
  lo: number;
  hi: number;
  /** Built part as a bitset: its words bits[bitsAt, bitsAt + words), weight nibbles nib[nibAt, ...). */
  dense: boolean;
  bits: Uint32Array;
  bitsAt: number;
  nib: Uint8Array;
  nibAt: number;
  /** Delta documents, doc * 256 + weight, ascending; null when none. */
  extra: number[] | null;
  /** Documents in all. */
  length: number;
  /** Whether its weights count towards the score (false for bigrams that only narrow a long keyword). */
  scored: boolean;
}

export class Postings {
  /** Grams and documents the build covered; later ones are only in the delta lists. */
  baseGramCount = 0;
  baseDocCount = 0;
  baseOff = new Int32Array(1);
  baseDocs = new Int32Array(0);
  baseW = new Uint8Array(0);
  /** Per built gram its number among the dense ones, or -1. */
  denseOf = new Int32Array(0);
  denseBits = new Uint32Array(0);
  denseNibbles = new Uint8Array(0);
  /** Per dense gram its document count. */
  denseCount = new Int32Array(0);
  /** 32-bit words of a bitset, and bytes of nibbles, over the built documents. */
  words = 0;
  nibbleBytes = 0;
  delta = new Map<number, number[]>();
  deltaDocs = 0;

  /** Writes every posting list of the documents 0 .. count - 1 (all live: see Documents.renumberNewestFirst). */
  build(documents: Documents, grams: Grams): void {
    const N = documents.count;
    grams.reset();
    // Pass 1: every document's grams and weights, packed (gram << 8 | weight), and per gram its
    // document frequency, which sizes each list and picks the dense grams. Pass 2 places the pairs.
    let df = new Int32Array(4096);
    let pairs = new Uint32Array(Math.max(1024, N * 256));
    let pairCount = 0;
    const docEnd = new Int32Array(N);
    for (let d = 0; d < N; d++) {
      grams.collect(documents.fieldsOf(d), d);
      if (grams.count >= 1 << 24) throw new Error('search index: more than 16 M distinct grams');
      df = growInt32(df, grams.count, 0);
      if (pairCount + grams.foundCount > pairs.length) {
        const grown = new Uint32Array(Math.max(pairCount + grams.foundCount, pairs.length + (pairs.length >> 1)));
        grown.set(pairs.subarray(0, pairCount));
        pairs = grown;
      }
      for (let i = 0; i < grams.foundCount; i++) {
        const g = grams.found[i]!;
        df[g]!++;
        pairs[pairCount++] = (g << 8) | grams.weight[g]!;
      }
      docEnd[d] = pairCount;
    }
    const gramCount = grams.count;
    const words = (N + 31) >>> 5;
    const nibbleBytes = (N + 1) >>> 1;
    const denseOf = new Int32Array(gramCount).fill(-1);
    const off = new Int32Array(gramCount + 1);
    let denseGrams = 0;
    for (let g = 0; g < gramCount; g++) {
      const isDense = N >= DENSE_MIN_DOCS && df[g]! * DENSE_SHARE >= N;
      if (isDense) denseOf[g] = denseGrams++;
      off[g + 1] = off[g]! + (isDense ? 0 : df[g]!);
    }
    const denseCount = new Int32Array(denseGrams);
    for (let g = 0; g < gramCount; g++) if (denseOf[g] !== -1) denseCount[denseOf[g]!] = df[g]!;
    const docs = new Int32Array(off[gramCount]!);
    const w = new Uint8Array(off[gramCount]!);
    const bits = new Uint32Array(denseGrams * words);
    const nibbles = new Uint8Array(denseGrams * nibbleBytes);
    const cursor = off.slice(0, gramCount);
    // Pass 2: documents in order, so every list comes out sorted.
    let p = 0;
    for (let d = 0; d < N; d++) {
      for (const end = docEnd[d]!; p < end; p++) {
        const g = pairs[p]! >>> 8;
        const weight = pairs[p]! & 255;
        const j = denseOf[g]!;
        if (j === -1) {
          const at = cursor[g]!++;
          docs[at] = d;
          w[at] = weight;
        } else {
          bits[j * words + (d >>> 5)]! |= 1 << (d & 31);
          nibbles[j * nibbleBytes + (d >>> 1)]! |= W_TO_NIBBLE[weight]! << ((d & 1) << 2);
        }
      }
    }
    Object.assign(this, {
      baseGramCount: gramCount,
      baseDocCount: N,
      baseOff: off,
      baseDocs: docs,
      baseW: w,
      denseOf,
      denseBits: bits,
      denseNibbles: nibbles,
      denseCount,
      words,
      nibbleBytes,
    });
    this.delta = new Map();
    this.deltaDocs = 0;
  }

  /** Adds document d (numbered above every earlier one) to the delta lists of its grams. */
  append(d: number, fields: readonly string[], grams: Grams): void {
    grams.collect(fields, d);
    for (let i = 0; i < grams.foundCount; i++) {
      const g = grams.found[i]!;
      let list = this.delta.get(g);
      if (!list) this.delta.set(g, (list = []));
      list.push(d * 256 + grams.weight[g]!);
    }
    this.deltaDocs++;
  }

  /** Gram g's posting list. */
  list(g: number, scored: boolean): PostingList {
    const built = g < this.baseGramCount;
    const j = built ? this.denseOf[g]! : -1;
    const extra = this.delta.get(g) ?? null;
    const extraLength = extra?.length ?? 0;
    if (j !== -1) {
      return {
        docs: EMPTY_I32,
        w: EMPTY_U8,
        lo: 0,
        hi: 0,
        dense: true,
        bits: this.denseBits,
        bitsAt: j * this.words,
        nib: this.denseNibbles,
        nibAt: j * this.nibbleBytes,
        extra,
        length: this.denseCount[j]! + extraLength,
        scored,
      };
    }
    const lo = built ? this.baseOff[g]! : 0;
    const hi = built ? this.baseOff[g + 1]! : 0;
    return {
      docs: this.baseDocs,
      w: this.baseW,
      lo,
      hi,
      dense: false,
      bits: EMPTY_U32,
      bitsAt: 0,
      nib: EMPTY_U8,
      nibAt: 0,
      extra,
      length: hi - lo + extraLength,
      scored,
    };
  }
}

/** A list of documents (ascending, any numbers) with their weights, as a posting list. */
export function listOf(docs: Int32Array, w: Uint8Array): PostingList {
  return {
    docs,
    w,
    lo: 0,
    hi: docs.length,
    dense: false,
    bits: EMPTY_U32,
    bitsAt: 0,
    nib: EMPTY_U8,
    nibAt: 0,
    extra: null,
    length: docs.length,
    scored: true,
  };
}

/** Whether built document d is in a dense list. */
export const inDense = (s: PostingList, d: number): boolean => (s.bits[s.bitsAt + (d >>> 5)]! & (1 << (d & 31))) !== 0;

/** Built document d's weight byte in a dense list (0 when absent). */
export const denseWeight = (s: PostingList, d: number): number => NIBBLE_TO_W[(s.nib[s.nibAt + (d >>> 1)]! >>> ((d & 1) << 2)) & 15]!;

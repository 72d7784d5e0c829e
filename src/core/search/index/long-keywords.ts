/**
 * Long keywords (three or more units) have no gram of their own: their bigrams narrow the documents,
 * and the text decides (text-check.ts). A popular one (复工复产 in most measures) would have tens
 * of thousands of texts checked per search, so its matches are worked out once and remembered, in
 * least-recently-used order within a memory budget.
 *
 * Remembered matches stay valid while documents are added (numbered above every earlier one: their
 * matches are appended) and removed (tombstones, filtered out before the remembered lists are read);
 * a build renumbers the documents and forgets them all.
 *
 * prepare() works a keyword's matches out a slice of candidates per turn of the event loop, so its
 * first search holds no other chat up.
 */
import { byLength, intersect } from './intersect.ts';
import type { Scratch } from './intersect.ts';
import type { Documents } from './documents.ts';
import { listOf } from './postings.ts';
import type { PostingList, Postings } from './postings.ts';
import { weightOf } from './text-check.ts';
import type { TextCheck } from './text-check.ts';
import { OCCURRENCE_CAP, W_TO_NIBBLE } from './weights.ts';
import { EMPTY_I32, EMPTY_U8 } from './primitives.ts';

/** A long keyword's matches: documents ascending, with their weight bytes. */
export interface Matches {
  docs: Int32Array;
  w: Uint8Array;
  /** The same as a posting list, made when first searched (see postingList). */
  list?: PostingList;
}

const MAX_KEYWORDS = 256;

export interface LongKeywordOptions {
  /** Memory budget in bytes; 0 remembers nothing. */
  budget: number;
  /** Candidates prepare() checks per turn of the event loop. */
  slice: number;
  /** Candidates from which prepare() works a keyword out (fewer: the search checks them itself). */
  minCandidates: number;
}

export class LongKeywords {
  private readonly remembered = new Map<string, Matches>();
  private bytes = 0;
  /** Changes with every change of the documents: matches worked out over several turns are dropped when it moved meanwhile. */
  epoch = 0;
  private readonly preparing = new Map<string, Promise<void>>();

  constructor(
    readonly options: LongKeywordOptions,
    private readonly documents: Documents,
    private readonly postings: Postings,
    private readonly check: TextCheck,
    private readonly scratch: Scratch,
  ) {}

  /** Memory of remembered matches: the list, and the bitset and nibbles a search makes of many (see postingList). */
  private bytesOf(m: Matches): number {
    const bitset = this.postings.words * 4 + this.postings.nibbleBytes;
    return m.docs.length * 5 + 64 + (m.docs.length * 5 > bitset ? bitset : 0);
  }

  /** The remembered matches of k (now the most recently used), if any. */
  get(k: string): Matches | undefined {
    const m = this.remembered.get(k);
    if (m) {
      this.remembered.delete(k);
      this.remembered.set(k, m);
    }
    return m;
  }

  /** Remembered keywords, least recently used first. */
  entries(): [string, Matches][] {
    return [...this.remembered];
  }

  forget(): void {
    this.remembered.clear();
    this.bytes = 0;
  }

  /** Keeps k's matches (unless they alone would take over a quarter of the budget), forgetting the least recently used beyond it. */
  remember(k: string, m: Matches): void {
    const bytes = this.bytesOf(m);
    if (this.options.budget === 0 || bytes > this.options.budget / 4) return;
    const old = this.remembered.get(k);
    if (old) this.bytes -= this.bytesOf(old);
    this.remembered.delete(k);
    this.remembered.set(k, m);
    this.bytes += bytes;
    for (const [key, m] of this.remembered) {
      if (this.bytes <= this.options.budget && this.remembered.size <= MAX_KEYWORDS) break;
      this.remembered.delete(key);
      this.bytes -= this.bytesOf(m);
    }
  }

  /**
   * Matches as a posting list. Many (more than ~1/9 of the documents) become a bitset with weight
   * nibbles, as a dense gram is kept: then a query of them and dense grams takes the bitset page
   * (top-page.ts) instead of walking tens of thousands of listed documents (bench row: 复工复产).
   */
  postingList(m: Matches): PostingList {
    if (m.list) return m.list;
    const { words, nibbleBytes, baseDocCount } = this.postings;
    if (m.docs.length * 5 <= words * 4 + nibbleBytes) return (m.list = listOf(m.docs, m.w)); // as in bytesOf
    const bits = new Uint32Array(words);
    const nib = new Uint8Array(nibbleBytes);
    const extra: number[] = [];
    for (let i = 0; i < m.docs.length; i++) {
      const d = m.docs[i]!;
      if (d >= baseDocCount) extra.push(d * 256 + m.w[i]!);
      else {
        bits[d >>> 5]! |= 1 << (d & 31);
        nib[d >>> 1]! |= W_TO_NIBBLE[m.w[i]!]! << ((d & 1) << 2);
      }
    }
    return (m.list = {
      docs: EMPTY_I32,
      w: EMPTY_U8,
      lo: 0,
      hi: 0,
      dense: true,
      bits,
      bitsAt: 0,
      nib,
      nibAt: 0,
      extra: extra.length > 0 ? extra : null,
      length: m.docs.length,
      scored: true,
    });
  }

  /** Every live document containing k, worked out now and remembered. `narrow`: the lists every match is in. */
  matchesOf(k: string, narrow: PostingList[]): Matches {
    const known = this.get(k);
    if (known) return known;
    const { spare, spareW } = this.scratch;
    const n = this.candidates(narrow, spare);
    const found = new Int16Array(n);
    this.check.eachFound(spare, n, k, OCCURRENCE_CAP, (i, f) => void (found[i] = weightOf(f)));
    let out = 0;
    for (let i = 0; i < n; i++) {
      if (found[i] === -1) continue;
      spare[out] = spare[i]!;
      spareW[out++] = found[i]!;
    }
    const m = { docs: spare.slice(0, out), w: spareW.slice(0, out) };
    this.remember(k, m);
    return m;
  }

  /** Documents in every list of `narrow` (all documents when none) into out; returns their count. */
  private candidates(narrow: PostingList[], out: Int32Array): number {
    if (narrow.length > 0) return intersect([...narrow].sort(byLength), this.postings, this.scratch, out, null);
    for (let d = 0; d < this.documents.count; d++) out[d] = d;
    return this.documents.count;
  }

  /** Appends the matches among documents just added (numbered above every remembered one). */
  addDocuments(added: readonly number[]): void {
    for (const [k, m] of this.remembered) {
      const docs: number[] = [];
      const ws: number[] = [];
      for (const d of added) {
        const w = weightOf(this.check.find(d, k, OCCURRENCE_CAP));
        if (w === -1) continue;
        docs.push(d);
        ws.push(w);
      }
      if (docs.length === 0) continue;
      // A new object rather than a change in place: an exported state may still be reading the old one.
      const grown = { docs: new Int32Array(m.docs.length + docs.length), w: new Uint8Array(m.w.length + ws.length) };
      grown.docs.set(m.docs);
      grown.docs.set(docs, m.docs.length);
      grown.w.set(m.w);
      grown.w.set(ws, m.w.length);
      this.bytes += this.bytesOf(grown) - this.bytesOf(m);
      this.remembered.set(k, grown);
      // Searched before: its posting list made again now (a publish), not by the next search.
      if (m.list) this.postingList(grown);
    }
  }

  /** Works out and remembers, a slice at a time, each keyword of `long` not remembered yet. Several callers of one keyword share one run. */
  async prepare(long: readonly { text: string; narrow: PostingList[] }[]): Promise<void> {
    if (this.options.budget === 0) return;
    for (const { text, narrow } of long) {
      if (this.remembered.has(text)) continue;
      let job = this.preparing.get(text);
      if (!job) {
        job = this.workOut(text, narrow).finally(() => this.preparing.delete(text));
        this.preparing.set(text, job);
      }
      await job;
    }
  }

  private async workOut(k: string, narrow: PostingList[]): Promise<void> {
    const at = this.epoch;
    // Nothing of it in the caller's turn (a reply may still be on its way): the first slice waits for the next.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.epoch !== at) return;
    const { documents, scratch } = this;
    scratch.ensure(documents.count, this.postings.words);
    const n = this.candidates(narrow, scratch.spare);
    if (n < this.options.minCandidates) return;
    // Copied (other searches use the scratch between slices), and in the store's order when it gives
    // the text: its rows lie in the file in that order, so each slice reads one stretch of the file.
    let list = scratch.spare.slice(0, n);
    if (documents.store) {
      const order = Float64Array.from(list, (d) => documents.textKey[d]! * 2 ** 24 + d).sort();
      list = Int32Array.from(order, (x) => x % 2 ** 24);
    }
    const found = new Int16Array(n);
    for (let from = 0; from < n; from += this.options.slice) {
      const to = Math.min(n, from + this.options.slice);
      this.check.eachFound(list.subarray(from, to), to - from, k, OCCURRENCE_CAP, (i, f) => void (found[from + i] = weightOf(f)));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.epoch !== at) return;
    }
    if (this.remembered.has(k)) return;
    // Back in document order, as matches are kept.
    const packed: number[] = [];
    for (let i = 0; i < n; i++) if (found[i] !== -1) packed.push(list[i]! * 256 + found[i]!);
    const sorted = Float64Array.from(packed).sort();
    const m: Matches = { docs: Int32Array.from(sorted, (p) => Math.floor(p / 256)), w: Uint8Array.from(sorted, (p) => p % 256) };
    this.remember(k, m);
    // Its posting list (a bitset when many) made here, in the background, not by the next search.
    if (this.remembered.get(k) === m) this.postingList(m);
  }
}

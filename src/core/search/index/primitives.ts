/** Building blocks of the search index with no state of their own: the bigram table, searches in sorted lists, small helpers. */

/**
 * Whitespace and control characters separate fields and keywords, so no keyword from parseQuery
 * contains them; not indexing grams with them saves space. A keyword that does contain one is
 * still answered exactly, by verification.
 */
export const isSkipped = (c: number): boolean => c <= 32;

/** Open-addressing map from a bigram (two UTF-16 units packed in 32 bits) to a gram number. */
export class BigramTable {
  // Public so a snapshot can keep the table as it is (persistence.ts).
  bits = 16;
  keys = new Int32Array(1 << 16);
  vals = new Int32Array(1 << 16).fill(-1);
  count = 0;

  static restore(bits: number, keys: Int32Array<ArrayBuffer>, vals: Int32Array<ArrayBuffer>, count: number): BigramTable {
    if (keys.length !== 1 << bits || vals.length !== 1 << bits || count * 2 > 1 << bits)
      throw new Error('index state: bigram table does not fit its size');
    const t = new BigramTable();
    t.bits = bits;
    t.keys = keys;
    t.vals = vals;
    t.count = count;
    return t;
  }

  private slot(key: number): number {
    const mask = (1 << this.bits) - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
    while (this.vals[i] !== -1 && this.keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  get(key: number): number {
    return this.vals[this.slot(key)]!;
  }

  /** Returns the gram number for key, taking `next` if the key is new. */
  getOrAdd(key: number, next: number): number {
    let i = this.slot(key);
    const v = this.vals[i]!;
    if (v !== -1) return v;
    if ((this.count + 1) * 2 > 1 << this.bits) {
      this.grow();
      i = this.slot(key);
    }
    this.keys[i] = key;
    this.vals[i] = next;
    this.count++;
    return next;
  }

  private grow(): void {
    const { keys, vals } = this;
    this.bits++;
    this.keys = new Int32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits).fill(-1);
    for (let i = 0; i < keys.length; i++) {
      const v = vals[i]!;
      if (v === -1) continue;
      const s = this.slot(keys[i]!);
      this.keys[s] = keys[i]!;
      this.vals[s] = v;
    }
  }
}

export const bigramKey = (a: number, b: number): number => (a << 16) | b;

export function growInt32(arr: Int32Array<ArrayBuffer>, min: number, fill: number): Int32Array<ArrayBuffer> {
  if (arr.length >= min) return arr;
  const out = new Int32Array(Math.max(min, arr.length * 2)).fill(fill);
  out.set(arr);
  return out;
}

/** First index in [lo, hi) with arr[i] >= target; galloping because candidate lists are usually far shorter. */
export function gallop(arr: Int32Array, lo: number, hi: number, target: number): number {
  let step = 1;
  let probe = lo;
  while (probe < hi && arr[probe]! < target) {
    lo = probe + 1;
    probe = lo + step;
    step *= 2;
  }
  if (probe > hi) probe = hi;
  while (lo < probe) {
    const mid = (lo + probe) >>> 1;
    if (arr[mid]! < target) lo = mid + 1;
    else probe = mid;
  }
  return lo;
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Same as gallop over packed delta postings (doc * 256 + weight). A copy on purpose: one function over both
 * Int32Array and number[] would make this hot loop's element access polymorphic.
 */
export function gallopPacked(arr: readonly number[], lo: number, target: number): number {
  const hi = arr.length;
  let step = 1;
  let probe = lo;
  while (probe < hi && arr[probe]! < target) {
    lo = probe + 1;
    probe = lo + step;
    step *= 2;
  }
  if (probe > hi) probe = hi;
  while (lo < probe) {
    const mid = (lo + probe) >>> 1;
    if (arr[mid]! < target) lo = mid + 1;
    else probe = mid;
  }
  return lo;
}

export const EMPTY_I32 = new Int32Array(0);
export const EMPTY_U8 = new Uint8Array(0);
export const EMPTY_U32 = new Uint32Array(0);

export function dateNumber(date: string): number {
  const n = Number(date.replace(/-/g, ''));
  return Number.isFinite(n) ? n : 0;
}

export function toCount(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) || value < 0 ? fallback : Math.floor(value);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A date bound of SearchOptions ('YYYY-MM-DD') as dateNumber gives it, or `fallback` when absent.
 * Anything else is a caller's mistake (the bot validates what users type): a RangeError naming it.
 */
export function dayNumber(day: string | undefined, fallback: number, name: string): number {
  if (day === undefined) return fallback;
  const m = DAY.exec(day);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31)
    throw new RangeError(`search: ${name} must be a day as YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return dateNumber(day);
}

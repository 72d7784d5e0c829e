/**
 * A bounded map that keeps recently used entries: two generations of at most max / 2 each. A hit in
 * the older one moves the entry to the newer; when the newer is full, the older is dropped whole.
 * Least-recently-used up to the size of a generation, and O(1) to evict: a Map used as an LRU list
 * (delete and set on every use, evict its first key) has to walk over every entry deleted before
 * that key, thousands of them once it is full.
 */
export class RecentMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;

  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined || this.old.size === 0) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: K, value: V): this {
    this.old.delete(key);
    if (this.young.size >= this.half && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }
}

/**
 * The index's documents, by internal number: entry id, agency, date, seq, whether it is live, and
 * where its text is (its own fields, or a key into the store that gives it).
 *
 * A build numbers the live documents newest first (newer date, then higher seq, then id), so among
 * equal scores the lower number ranks first and "newest first" is plain number order. Documents
 * added since keep numbers above the built ones. A removed or replaced document stays as a tombstone
 * (alive 0) until the next build.
 */
import { FROM_STORE, NO_FIELDS, fieldsOf, normalisedFields } from './fields.ts';
import { dateNumber, growInt32 } from './primitives.ts';
import type { DocumentText, IndexableEntry } from '../index-types.ts';

export class Documents {
  ids: string[] = [];
  /** Per document its fields as fields.ts keeps them, or FROM_STORE when the store gives them. */
  fields: string[][] = [];
  /** Per document the store's key for its text (with a store). */
  textKey = new Int32Array(0);
  agencyOf: number[] = [];
  /** Dates as numbers (20200326), so they compare as numbers. */
  dates: number[] = [];
  seqs: number[] = [];
  alive = new Uint8Array(0);
  count = 0;
  live = 0;
  readonly byId = new Map<string, number>();
  /** Agency names to their numbers (agencyOf). */
  readonly agencies = new Map<string, number>();

  constructor(readonly store: DocumentText | null) {}

  /** Document d's fields (title first, then body, bullets, agency); none for a tombstone. */
  fieldsOf(d: number): string[] {
    const fs = this.fields[d]!;
    if (fs !== FROM_STORE) return fs;
    return this.store && this.alive[d] ? this.store.fields(this.textKey[d]!) : NO_FIELDS;
  }

  /** Whether document d is live and its text is read from the store (which can read many at once). */
  textInStore(d: number): boolean {
    return this.alive[d] === 1 && this.fields[d] === FROM_STORE;
  }

  /** Adds the entry as a new document (the caller removes an earlier one with its id first); returns its number. */
  add(entry: IndexableEntry): number {
    const fs = fieldsOf(entry);
    const d = this.count++;
    if (this.alive.length <= d) {
      const grown = new Uint8Array(Math.max(16, this.alive.length * 2));
      grown.set(this.alive);
      this.alive = grown;
    }
    this.ids[d] = entry.id;
    this.fields[d] = this.store && !normalisedFields.has(fs) ? FROM_STORE : fs;
    if (this.store) {
      const key = this.store.keyOf(entry.id);
      if (key === undefined) throw new Error(`search index: entry ${entry.id} is not in the store that gives its text`);
      this.textKey = growInt32(this.textKey, d + 1, 0);
      this.textKey[d] = key;
    }
    this.agencyOf[d] = this.agencyNumber(entry.agency);
    this.dates[d] = dateNumber(entry.date);
    this.seqs[d] = entry.seq;
    this.alive[d] = 1;
    this.byId.set(entry.id, d);
    this.live++;
    return d;
  }

  agencyNumber(name: string): number {
    let a = this.agencies.get(name);
    if (a === undefined) this.agencies.set(name, (a = this.agencies.size));
    return a;
  }

  /** Makes the entry's document a tombstone; returns whether it was there. */
  remove(id: string): boolean {
    const d = this.byId.get(id);
    if (d === undefined) return false;
    this.alive[d] = 0;
    this.byId.delete(id);
    this.live--;
    return true;
  }

  /** Newest-first order: newer date, then higher seq, then id. */
  newer(a: number, b: number): boolean {
    const { dates, seqs, ids } = this;
    if (dates[a] !== dates[b]) return dates[a]! > dates[b]!;
    if (seqs[a] !== seqs[b]) return seqs[a]! > seqs[b]!;
    return ids[a]! < ids[b]!;
  }

  /** Drops the tombstones and numbers the live documents newest first (before a build). */
  renumberNewestFirst(): void {
    const keep: number[] = [];
    for (let d = 0; d < this.count; d++) if (this.alive[d]) keep.push(d);
    keep.sort((a, b) => (this.newer(a, b) ? -1 : this.newer(b, a) ? 1 : 0));
    const n = keep.length;
    if (this.store) {
      const keys = new Int32Array(Math.max(16, n + (n >> 1)));
      keep.forEach((d, i) => (keys[i] = this.textKey[d]!));
      this.textKey = keys;
    }
    this.ids = keep.map((d) => this.ids[d]!);
    this.fields = keep.map((d) => this.fields[d]!);
    this.agencyOf = keep.map((d) => this.agencyOf[d]!);
    this.dates = keep.map((d) => this.dates[d]!);
    this.seqs = keep.map((d) => this.seqs[d]!);
    this.count = n;
    this.live = n;
    this.alive = new Uint8Array(Math.max(16, n + (n >> 1)));
    this.alive.fill(1, 0, n);
    this.byId.clear();
    for (let d = 0; d < n; d++) this.byId.set(this.ids[d]!, d);
  }
}

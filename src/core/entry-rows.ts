import type { StoredEntry } from './model.ts';

/**
 * The entries as numbered rows, as the catalog and the search index read them. The store's entry
 * table (src/store/entry-table.ts) is the one implementation: rows are append-only, so a row's text
 * never changes.
 */
export interface EntryRows {
  id(row: number): string;
  seq(row: number): number;
  agency(row: number): string;
  date(row: number): string;
  /** The row as a plain object, without remembering it: for passes over many rows. */
  read(row: number): StoredEntry;
  /** [title, ...body, ...bullets, agency]: what the search index reads, without making an entry. */
  fields(row: number): string[];
  /**
   * fields() of many rows, in the order their text lies in the file (one read per ~1 MB of records
   * rather than one per row), each handed to `each` with its index in `rows`.
   */
  fieldsOfMany(rows: ArrayLike<number>, each: (i: number, fields: string[]) => void): void;
  /**
   * For each row, how often k occurs as it is (no folding) inside one of its fields (title, body,
   * bullets, agency), up to max: each(i, found) with found -1 when it does not, else count * 2 + 1
   * when one occurrence is in the title (+ 0 when none is). Read as fieldsOfMany reads, but one
   * indexOf pass per read instead of one per field.
   */
  countMany(rows: ArrayLike<number>, k: string, max: number, each: (i: number, found: number) => void): void;
}

import { access } from 'node:fs/promises';
import { Low, Memory } from 'lowdb';
import { z } from 'zod';
import { bulletinSchema, storedEntrySchema } from '../core/model.ts';
import type { ApplyOptions, Entry, IngestResult, ParsedBulletin, StoredEntry } from '../core/model.ts';
import { createWriteBatcher, openJsonFile } from './json-file.ts';
import { stampOf } from './file-stamp.ts';
import { SlicedJsonFile } from './sliced-json-file.ts';
import type { ItemList } from './sliced-json-file.ts';
import { createEntryTable } from './entry-table.ts';
import { StoreError } from './json-file.ts';
import type { WriteStatus } from './json-file.ts';
import { checksumOf, verifyAndStrip, withChecksum } from './record-checksum.ts';
import type { EntryTable } from './entry-table.ts';
import type { FileStamp } from './file-stamp.ts';

export const storedBulletinSchema = bulletinSchema.extend({
  ingestedAt: z.string(),
  entries: z.number().int().nonnegative(),
});
export type StoredBulletin = z.infer<typeof storedBulletinSchema>;

export const entriesFileSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  bulletins: z.array(storedBulletinSchema),
  entries: z.array(storedEntrySchema),
});
export type EntriesFile = z.infer<typeof entriesFileSchema>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isStrArray = (v: unknown): boolean => {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== 'string') return false;
  return true;
};
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const countKeys = (o: object): number => {
  let n = 0;
  for (const _ in o) n++;
  return n;
};
const ENTRY_KEYS = Object.keys(storedEntrySchema.shape).length;
const BULLETIN_KEYS = Object.keys(storedBulletinSchema.shape).length;

function isStoredEntry(e: unknown): boolean {
  if (!isPlain(e)) return false;
  return (
    isStr(e.id) &&
    e.id.length > 0 &&
    isStr(e.agency) &&
    e.agency.length > 0 &&
    isStr(e.date) &&
    DATE.test(e.date) &&
    isStr(e.title) &&
    e.title.length > 0 &&
    isStrArray(e.body) &&
    isStrArray(e.bullets) &&
    isStr(e.source) &&
    isStr(e.bulletin) &&
    isInt(e.line, 0) &&
    isInt(e.seq, 1) &&
    isInt(e.addedSeq, 1) &&
    isStr(e.addedAt) &&
    isInt(e.revisions, 0) &&
    (e.correctedAt === null || isStr(e.correctedAt)) &&
    (e.textFrom === undefined || (isStr(e.textFrom) && e.textFrom.length > 0)) &&
    (e.seenIn === undefined || (isStrArray(e.seenIn) && (e.seenIn as string[]).length > 0)) &&
    countKeys(e) === ENTRY_KEYS - (e.textFrom === undefined ? 1 : 0) - (e.seenIn === undefined ? 1 : 0)
  );
}

function isStoredBulletin(b: unknown): boolean {
  if (!isPlain(b)) return false;
  return (
    isStr(b.id) &&
    b.id.length > 0 &&
    isStr(b.title) &&
    (b.series === null || isInt(b.series, -Infinity)) &&
    (b.asOf === null || (isStr(b.asOf) && DATE.test(b.asOf))) &&
    (b.publisher === null || isStr(b.publisher)) &&
    isStr(b.file) &&
    isStr(b.ingestedAt) &&
    isInt(b.entries, 0) &&
    countKeys(b) === BULLETIN_KEYS
  );
}

/**
 * The same verdict as entriesFileSchema for valid files, an order of magnitude cheaper at 100k entries
 * (no copy of every object). Anything it does not accept goes to zod, which explains what is wrong.
 */
export function isEntriesFile(d: unknown): d is EntriesFile {
  if (!isPlain(d) || d.version !== 1 || !isInt(d.seq, 0) || !Array.isArray(d.bulletins) || !Array.isArray(d.entries) || countKeys(d) !== 4)
    return false;
  for (const b of d.bulletins) if (!isStoredBulletin(b)) return false;
  for (const e of d.entries) if (!isStoredEntry(e)) return false;
  return true;
}

export const emptyEntriesFile = (): EntriesFile => ({ version: 1, seq: 0, bulletins: [], entries: [] });

export interface EntryStore {
  readonly file: string | null;
  /** Every entry, ordered by seq (oldest change first). Materialises them all: for small stores and tests. */
  all(): readonly StoredEntry[];
  /** Live entries. */
  count(): number;
  get(id: string): StoredEntry | undefined;
  /** The highest seq handed out: a new subscription's cursor starts here. */
  seq(): number;
  /** Entries inserted or corrected after `cursor`, oldest first; binary search, not a scan. */
  since(cursor: number): StoredEntry[];
  bulletins(): readonly StoredBulletin[];
  /** What apply() would do, without changing anything. */
  plan(parsed: ParsedBulletin, opts?: ApplyOptions): IngestResult;
  /**
   * New measures are added, changed ones corrected, except that a bulletin older (by as-of date) than the
   * one the stored text came from does not roll it back (`older`; opts.force applies it). Every measure
   * records the bulletins that carried it.
   */
  apply(parsed: ParsedBulletin, now?: Date, opts?: ApplyOptions): IngestResult;
  /** Called with the entries an apply() inserted or corrected (search indexes follow the store this way). */
  onChange(listener: (changed: readonly StoredEntry[]) => void): () => void;
  /** The rows behind the entries; row numbers of live entries in seq order (a copy). */
  readonly table: EntryTable;
  liveRows(): Int32Array;
  rowOf(id: string): number | undefined;
  flush(): Promise<void>;
  /** Writes the file again as it is (a file from before checksums gets them). */
  rewrite(): void;
  /** The last failed write, and whether writes are failing still (for /healthz). */
  writeStatus(): WriteStatus;
  /** Counts changes: compare with durable().changes to know whether the file holds all of them. */
  changes(): number;
  /** The last state known to be on disk: how many changes it holds and the file's stamp then. */
  durable(): { changes: number; stamp: FileStamp } | null;
  /** An in-memory copy, for dry runs over several files. */
  clone(): EntryStore;
  /** Closes the file the table reads text from, if any. */
  close(): void;
  /** Whether the newest entry's text can be read (from memory or the snapshot file): for the health probe. */
  textReadable(): boolean;
}

function sameContent(a: Entry, b: Entry): boolean {
  return (
    a.agency === b.agency &&
    a.title === b.title &&
    a.source === b.source &&
    a.body.length === b.body.length &&
    a.body.every((p, i) => p === b.body[i]) &&
    a.bullets.length === b.bullets.length &&
    a.bullets.every((p, i) => p === b.bullets[i])
  );
}

/** How the store writes its file: the head (everything but the entries) and the entries, a slice at a time. */
export type EntriesWriter = (head: Omit<EntriesFile, 'entries'>, entries: ItemList) => Promise<void>;

export interface EntryStoreState {
  seq: number;
  bulletins: StoredBulletin[];
  table: EntryTable;
}

/** A store over entries given as objects (a JSON file just read, a test's data): they become rows. */
export function createEntryStore(db: Low<EntriesFile>, file: string | null, stamp: FileStamp | null = null): EntryStore {
  const data = db.data;
  const table = createEntryTable();
  const entries = data.entries.slice().sort((a, b) => a.seq - b.seq);
  for (const e of entries) table.append(e);
  // The objects are rows now: the Low instance keeps only the head, which is all it writes through.
  data.entries = [];
  return createEntryStoreFrom({ seq: data.seq, bulletins: data.bulletins, table }, file ? writerFor(file) : null, file, stamp);
}

export function createEntryStoreFrom(
  state: EntryStoreState,
  write: EntriesWriter | null,
  file: string | null,
  stamp: FileStamp | null = null,
): EntryStore {
  const { table } = state;
  let seq = state.seq;
  const bulletins = state.bulletins;
  const byId = new Map<string, number>();
  for (let row = 0; row < table.rows; row++) if (table.alive(row)) byId.set(table.id(row), row);
  if (byId.size !== table.live) throw new Error('entry store: two live entries share an id');
  const listeners = new Set<(changed: readonly StoredEntry[]) => void>();
  let changes = 0;
  let durable = file && stamp ? { changes: 0, stamp } : null;

  const liveRows = (): Int32Array => {
    const out = new Int32Array(table.live);
    let k = 0;
    for (let row = 0; row < table.rows; row++) if (table.alive(row)) out[k++] = row;
    return out;
  };
  // Each record is written with its checksum (record-checksum.ts). Rows never change once written (but for
  // seenIn, which resets it), so a row's checksum is worked out once and kept (4 bytes a row; 0 = not yet).
  let rowCrc = new Uint32Array(Math.max(16, table.rows));
  const withRowChecksum = (row: number): StoredEntry & { crc: string } => {
    const e = table.read(row);
    if (row >= rowCrc.length) {
      const grown = new Uint32Array(Math.max(row + 1, rowCrc.length * 2));
      grown.set(rowCrc);
      rowCrc = grown;
    }
    if (rowCrc[row] === 0) rowCrc[row] = parseInt(checksumOf(e), 16);
    return { ...e, crc: rowCrc[row]!.toString(16).padStart(8, '0') };
  };
  const batcher = createWriteBatcher(async () => {
    // What lands is what `changes` counted when the rows were listed: rows never change once written.
    const at = changes;
    const rows = liveRows();
    const head = { version: 1 as const, seq, bulletins: bulletins.map((b) => withChecksum(structuredClone(b))) };
    await write?.(head, { length: rows.length, slice: (from, to) => Array.from(rows.subarray(from, to), withRowChecksum) });
    durable = file ? { changes: at, stamp: await stampOf(file) } : null;
  });

  const asOfOf = (bulletinId: string): string | null => bulletins.find((b) => b.id === bulletinId)?.asOf ?? null;
  /** The bulletin the stored text came from: textFrom when a later bulletin corrected it, else the first. */
  const textSource = (e: StoredEntry) => e.textFrom ?? e.bulletin;
  const seenIn = (e: StoredEntry) => e.seenIn ?? [e.bulletin];

  const classify = (parsed: ParsedBulletin, opts: ApplyOptions = {}) => {
    const added: Entry[] = [];
    const corrected: Entry[] = [];
    const older: Entry[] = [];
    const unchanged: Entry[] = [];
    const asOf = parsed.bulletin.asOf;
    for (const e of parsed.entries) {
      const row = byId.get(e.id);
      if (row === undefined) {
        added.push(e);
        continue;
      }
      const stored = table.read(row);
      if (sameContent(stored, e)) unchanged.push(e);
      else {
        // No rollback: text from a bulletin as of 4月10日 is not replaced by one as of 3月26日. Undated
        // bulletins cannot be ordered, so they correct as before.
        const current = asOfOf(textSource(stored));
        if (!opts.force && asOf !== null && current !== null && asOf < current) older.push(e);
        else corrected.push(e);
      }
    }
    return { added, corrected, older, unchanged };
  };
  const result = (c: ReturnType<typeof classify>): IngestResult => ({
    added: c.added.length,
    unchanged: c.unchanged.length,
    corrected: c.corrected.length,
    older: c.older.length,
    addedIds: c.added.map((e) => e.id),
    correctedIds: c.corrected.map((e) => e.id),
    olderIds: c.older.map((e) => e.id),
  });

  const store: EntryStore = {
    file,
    table,
    all: () => Array.from(liveRows(), (row) => table.read(row)),
    count: () => table.live,
    get(id) {
      const row = byId.get(id);
      return row === undefined ? undefined : table.entry(row);
    },
    rowOf: (id) => byId.get(id),
    liveRows,
    seq: () => seq,
    since(cursor) {
      let lo = 0;
      let hi = table.rows;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (table.seq(mid) <= cursor) lo = mid + 1;
        else hi = mid;
      }
      const out: StoredEntry[] = [];
      for (let row = lo; row < table.rows; row++) if (table.alive(row)) out.push(table.entry(row));
      return out;
    },
    bulletins: () => bulletins,
    plan: (parsed, opts) => result(classify(parsed, opts)),
    apply(parsed, now = new Date(), opts = {}) {
      const c = classify(parsed, opts);
      const at = now.toISOString();
      const from = parsed.bulletin.id;
      const changed: StoredEntry[] = [];
      const withThis = (list: string[]) => (list.includes(from) ? list : [...list, from]);
      for (const e of c.corrected) {
        const oldRow = byId.get(e.id)!;
        const old = table.read(oldRow);
        // A correction keeps its first appearance and moves to the end of the seq order, so digests resend it marked 更正.
        const next: StoredEntry = {
          ...old,
          ...e,
          bulletin: old.bulletin,
          seq: ++seq,
          revisions: old.revisions + 1,
          correctedAt: at,
          textFrom: from,
          seenIn: withThis(seenIn(old)),
        };
        table.kill(oldRow);
        byId.set(e.id, table.append(next));
        changed.push(next);
      }
      for (const e of c.added) {
        const s = ++seq;
        const next: StoredEntry = { ...e, seq: s, addedSeq: s, addedAt: at, revisions: 0, correctedAt: null };
        byId.set(e.id, table.append(next));
        changed.push(next);
      }
      // Carried but not changed (the same text, or older text left alone): only the record of who carried it.
      for (const e of [...c.unchanged, ...c.older]) {
        const row = byId.get(e.id)!;
        const list = seenIn(table.read(row));
        if (!list.includes(from)) {
          table.setSeenIn(row, [...list, from]);
          // The one in-place change a row takes: its checksum is worked out again at the next write.
          if (row < rowCrc.length) rowCrc[row] = 0;
        }
      }
      if (!bulletins.some((b) => b.id === parsed.bulletin.id)) {
        bulletins.push({ ...parsed.bulletin, ingestedAt: at, entries: parsed.entries.length });
      }
      changes++;
      batcher.markDirty();
      if (changed.length > 0) for (const l of listeners) l(changed);
      return result(c);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush: () => batcher.flush(),
    rewrite() {
      changes++;
      batcher.markDirty();
    },
    writeStatus: () => batcher.status(),
    changes: () => changes,
    durable: () => durable,
    clone() {
      const copy = new Low<EntriesFile>(new Memory<EntriesFile>(), {
        version: 1,
        seq,
        bulletins: structuredClone(bulletins),
        entries: store.all().slice(),
      });
      return createEntryStore(copy, null);
    },
    close: () => table.close(),
    textReadable() {
      for (let row = table.rows - 1; row >= 0; row--) {
        if (!table.alive(row)) continue;
        try {
          table.fields(row);
          return true;
        } catch {
          return false;
        }
      }
      return true;
    },
  };
  return store;
}

/** The entries array is nearly the whole file: written a slice at a time, so a publish does not freeze the bot. */
const entriesAdapter = (file: string) => new SlicedJsonFile<EntriesFile, 'entries'>(file, 'entries');
const writerFor = (file: string): EntriesWriter => {
  const adapter = entriesAdapter(file);
  return (head, list) => adapter.writeList(head, list);
};

export interface OpenEntryStoreOptions {
  readOnly?: boolean;
  /** The file's content already read and checked (a snapshot of it), with the stamp the file had then. */
  preloaded?: { state: EntryStoreState; stamp: FileStamp };
  /** A file from before checksums is rewritten with them once opened (default true; never when readOnly). */
  migrate?: boolean;
}

/**
 * Checks every record's checksum and strips it, before the schema sees the data. A damaged record refuses the
 * file, naming it; records without a checksum (a file from before them) are counted, for the migration.
 */
export function verifyEntriesFile(file: string, raw: unknown): { legacy: number; ok: number } {
  const tally = { legacy: 0, ok: 0 };
  if (typeof raw !== 'object' || raw === null) return tally;
  const d = raw as { entries?: unknown; bulletins?: unknown };
  const check = (list: unknown, what: (r: Record<string, unknown>, i: number) => string) => {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const r = list[i] as Record<string, unknown>;
      const verdict = verifyAndStrip(r);
      if (verdict === 'damaged') {
        throw new StoreError(
          file,
          `${what(r, i)} fails its checksum: its content changed after it was written (a disk fault or a hand edit). The store was left as it is; restore this file from a backup (or fix that record and delete its "crc")`,
        );
      }
      tally[verdict]++;
    }
  };
  check(d.bulletins, (r, i) => `bulletin ${JSON.stringify(String(r.id ?? '?'))} (bulletin record ${i + 1})`);
  check(d.entries, (r, i) => `entry ${JSON.stringify(String(r.id ?? '?'))} (entry record ${i + 1})`);
  return tally;
}

export async function openEntryStore(file: string, opts: OpenEntryStoreOptions = {}): Promise<EntryStore> {
  if (opts.readOnly) {
    // A dry run must not even create the file: read it if it is there, else work on an empty copy.
    const exists = await access(file).then(
      () => true,
      () => false,
    );
    if (!exists) return createMemoryEntryStore();
    return (await openEntryStore(file, { migrate: false })).clone();
  }
  if (opts.preloaded) return createEntryStoreFrom(opts.preloaded.state, writerFor(file), file, opts.preloaded.stamp);
  // Stamped before reading: if the file changes in between, the stamp is older than what was read and
  // no snapshot will be taken for it (a stamp taken after could vouch for content never read).
  const stamp = await stampOf(file).catch(() => null);
  let legacy = 0;
  const db = await openJsonFile(file, entriesFileSchema, emptyEntriesFile(), {
    check: isEntriesFile,
    adapter: entriesAdapter(file),
    prepare: (raw) => void (legacy = verifyEntriesFile(file, raw).legacy),
  });
  const store = createEntryStore(db, file, stamp);
  // A file from before checksums: written again with them, in the background like any change.
  if (legacy > 0 && opts.migrate !== false) store.rewrite();
  return store;
}

export function createMemoryEntryStore(): EntryStore {
  return createEntryStore(new Low<EntriesFile>(new Memory<EntriesFile>(), emptyEntriesFile()), null);
}

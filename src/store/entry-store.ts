import { access } from 'node:fs/promises';
import { Low, Memory } from 'lowdb';
import { z } from 'zod';
import { bulletinSchema, storedEntrySchema } from '../core/model.ts';
import type { Entry, IngestResult, ParsedBulletin, StoredEntry } from '../core/model.ts';
import { createWriteBatcher, jsonFileDb, openJsonFile } from './json-file.ts';
import { stampOf } from './file-stamp.ts';
import { SlicedJsonFile } from './sliced-json-file.ts';
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
    isStr(e.id) && e.id.length > 0 && isStr(e.agency) && e.agency.length > 0 && isStr(e.date) && DATE.test(e.date) &&
    isStr(e.title) && e.title.length > 0 && isStrArray(e.body) && isStrArray(e.bullets) && isStr(e.source) && isStr(e.bulletin) &&
    isInt(e.line, 0) && isInt(e.seq, 1) && isInt(e.addedSeq, 1) && isStr(e.addedAt) && isInt(e.revisions, 0) &&
    (e.correctedAt === null || isStr(e.correctedAt)) && countKeys(e) === ENTRY_KEYS
  );
}

function isStoredBulletin(b: unknown): boolean {
  if (!isPlain(b)) return false;
  return (
    isStr(b.id) && b.id.length > 0 && isStr(b.title) && (b.series === null || isInt(b.series, -Infinity)) &&
    (b.asOf === null || (isStr(b.asOf) && DATE.test(b.asOf))) && (b.publisher === null || isStr(b.publisher)) && isStr(b.file) &&
    isStr(b.ingestedAt) && isInt(b.entries, 0) && countKeys(b) === BULLETIN_KEYS
  );
}

/**
 * The same verdict as entriesFileSchema for valid files, an order of magnitude cheaper at 100k entries
 * (no copy of every object). Anything it does not accept goes to zod, which explains what is wrong.
 */
export function isEntriesFile(d: unknown): d is EntriesFile {
  if (!isPlain(d) || d.version !== 1 || !isInt(d.seq, 0) || !Array.isArray(d.bulletins) || !Array.isArray(d.entries) || countKeys(d) !== 4) return false;
  for (const b of d.bulletins) if (!isStoredBulletin(b)) return false;
  for (const e of d.entries) if (!isStoredEntry(e)) return false;
  return true;
}

export const emptyEntriesFile = (): EntriesFile => ({ version: 1, seq: 0, bulletins: [], entries: [] });

export interface EntryStore {
  readonly file: string | null;
  /** Entries ordered by seq (oldest change first). */
  all(): readonly StoredEntry[];
  get(id: string): StoredEntry | undefined;
  /** The highest seq handed out: a new subscription's cursor starts here. */
  seq(): number;
  /** Entries inserted or corrected after `cursor`, oldest first; binary search, not a scan. */
  since(cursor: number): StoredEntry[];
  bulletins(): readonly StoredBulletin[];
  /** What apply() would do, without changing anything. */
  plan(parsed: ParsedBulletin): IngestResult;
  apply(parsed: ParsedBulletin, now?: Date): IngestResult;
  /** Called with the entries an apply() inserted or corrected (search indexes follow the store this way). */
  onChange(listener: (changed: readonly StoredEntry[]) => void): () => void;
  flush(): Promise<void>;
  /** Counts changes: compare with durable().changes to know whether the file holds all of them. */
  changes(): number;
  /** The last state known to be on disk: how many changes it holds and the file's stamp then. */
  durable(): { changes: number; stamp: FileStamp } | null;
  /** An in-memory copy, for dry runs over several files. */
  clone(): EntryStore;
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

export function createEntryStore(db: Low<EntriesFile>, file: string | null, stamp: FileStamp | null = null): EntryStore {
  const data = db.data;
  data.entries.sort((a, b) => a.seq - b.seq);
  const byId = new Map(data.entries.map((e) => [e.id, e]));
  const listeners = new Set<(changed: readonly StoredEntry[]) => void>();
  let changes = 0;
  let durable = file && stamp ? { changes: 0, stamp } : null;
  const batcher = createWriteBatcher(async () => {
    // lowdb serialises the data when write() is called: what lands is what `changes` counted then.
    const at = changes;
    await db.write();
    durable = file ? { changes: at, stamp: await stampOf(file) } : null;
  });

  const classify = (parsed: ParsedBulletin) => {
    const added: Entry[] = [];
    const corrected: Entry[] = [];
    let unchanged = 0;
    for (const e of parsed.entries) {
      const old = byId.get(e.id);
      if (!old) added.push(e);
      else if (sameContent(old, e)) unchanged++;
      else corrected.push(e);
    }
    return { added, corrected, unchanged };
  };
  const result = (c: ReturnType<typeof classify>): IngestResult => ({
    added: c.added.length,
    unchanged: c.unchanged,
    corrected: c.corrected.length,
    addedIds: c.added.map((e) => e.id),
    correctedIds: c.corrected.map((e) => e.id),
  });

  const store: EntryStore = {
    file,
    all: () => data.entries,
    get: (id) => byId.get(id),
    seq: () => data.seq,
    since(cursor) {
      let lo = 0;
      let hi = data.entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (data.entries[mid]!.seq <= cursor) lo = mid + 1;
        else hi = mid;
      }
      return data.entries.slice(lo);
    },
    bulletins: () => data.bulletins,
    plan: (parsed) => result(classify(parsed)),
    apply(parsed, now = new Date()) {
      const c = classify(parsed);
      const at = now.toISOString();
      const changed: StoredEntry[] = [];
      if (c.corrected.length > 0) {
        const ids = new Set(c.corrected.map((e) => e.id));
        data.entries = data.entries.filter((e) => !ids.has(e.id));
      }
      for (const e of c.corrected) {
        const old = byId.get(e.id)!;
        // A correction keeps its first appearance and moves to the end of the seq order, so digests resend it marked 更正.
        const next: StoredEntry = { ...old, ...e, bulletin: old.bulletin, seq: ++data.seq, revisions: old.revisions + 1, correctedAt: at };
        byId.set(e.id, next);
        data.entries.push(next);
        changed.push(next);
      }
      for (const e of c.added) {
        const seq = ++data.seq;
        const next: StoredEntry = { ...e, seq, addedSeq: seq, addedAt: at, revisions: 0, correctedAt: null };
        byId.set(e.id, next);
        data.entries.push(next);
        changed.push(next);
      }
      if (!data.bulletins.some((b) => b.id === parsed.bulletin.id)) {
        data.bulletins.push({ ...parsed.bulletin, ingestedAt: at, entries: parsed.entries.length });
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
    changes: () => changes,
    durable: () => durable,
    clone() {
      const copy = new Low<EntriesFile>(new Memory<EntriesFile>(), structuredClone(data));
      return createEntryStore(copy, null);
    },
  };
  return store;
}

/** The entries array is nearly the whole file: written a slice at a time, so a publish does not freeze the bot. */
const entriesAdapter = (file: string) => new SlicedJsonFile<EntriesFile, 'entries'>(file, 'entries');

export interface OpenEntryStoreOptions {
  readOnly?: boolean;
  /** The file's content already read and checked (a snapshot of it), with the stamp the file had then. */
  preloaded?: { data: EntriesFile; stamp: FileStamp };
}

export async function openEntryStore(file: string, opts: OpenEntryStoreOptions = {}): Promise<EntryStore> {
  if (opts.readOnly) {
    // A dry run must not even create the file: read it if it is there, else work on an empty copy.
    const exists = await access(file).then(() => true, () => false);
    if (!exists) return createMemoryEntryStore();
    return (await openEntryStore(file)).clone();
  }
  if (opts.preloaded) return createEntryStore(jsonFileDb(file, opts.preloaded.data, entriesAdapter(file)), file, opts.preloaded.stamp);
  // Stamped before reading: if the file changes in between, the stamp is older than what was read and
  // no snapshot will be taken for it (a stamp taken after could vouch for content never read).
  const stamp = await stampOf(file).catch(() => null);
  const db = await openJsonFile(file, entriesFileSchema, emptyEntriesFile(), { check: isEntriesFile, adapter: entriesAdapter(file) });
  return createEntryStore(db, file, stamp);
}

export function createMemoryEntryStore(): EntryStore {
  return createEntryStore(new Low<EntriesFile>(new Memory<EntriesFile>(), emptyEntriesFile()), null);
}

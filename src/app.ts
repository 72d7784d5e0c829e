import { closeSync } from 'node:fs';
import type { Log } from './infra/log.ts';
import type { AgencyDirectory } from './core/agencies.ts';
import { createCatalog } from './core/catalog.ts';
import type { Catalog } from './core/catalog.ts';
import { SHIPPED_AGENCIES_FILE, SHIPPED_BULLETINS_DIR, storeFiles } from './paths.ts';
import { isBulletinFileName, readBulletinFile } from './ingest/read-bulletin.ts';
import { loadAgencies, seedIfEmpty } from './store/bulletin-files.ts';
import { refuseMissingEntries } from './store/data-dir.ts';
import { openEntryStore } from './store/entry-store.ts';
import { createEntryTable } from './store/entry-table.ts';
import type { EntryStore } from './store/entry-store.ts';
import type { FileStamp } from './store/file-stamp.ts';
import { readSnapshot } from './store/snapshot-file.ts';
import { createSnapshotKeeper } from './store/snapshot-keeper.ts';
import type { SnapshotKeeper } from './store/snapshot-keeper.ts';

export interface App {
  agencies: AgencyDirectory;
  entries: EntryStore;
  catalog: Catalog;
  snapshots: SnapshotKeeper;
  /** Where the entries and index came from: the snapshot beside the store, or entries.json (and why). */
  loadedFrom: { snapshot: true } | { snapshot: false; reason: string };
}

type OpenOptions = { dataDir: string; log: Log; bulletinsDir?: string };

/** The app over an open store and catalog, with the keeper of their snapshot (`fresh`: the snapshot already copies this file version). */
function assemble(
  opts: OpenOptions,
  agencies: AgencyDirectory,
  entries: EntryStore,
  catalog: Catalog,
  loadedFrom: App['loadedFrom'],
  fresh: FileStamp | null = null,
): App {
  const snapshots = createSnapshotKeeper({
    file: storeFiles(opts.dataDir).snapshot,
    store: entries,
    index: catalog.index,
    log: opts.log,
    fresh,
  });
  return { agencies, entries, catalog, snapshots, loadedFrom };
}

/**
 * Opens the store and the catalog from the snapshot beside entries.json, if it is an intact copy of
 * it; otherwise says why not. (The ingest CLI uses this alone: fast, and it keeps the snapshot current.)
 */
export async function openAppFromSnapshot(opts: OpenOptions, agencies?: AgencyDirectory): Promise<App | { reason: string }> {
  agencies ??= await loadAgencies(SHIPPED_AGENCIES_FILE);
  const files = storeFiles(opts.dataDir);
  const snap = await readSnapshot(files.snapshot, files.entries).catch((err: unknown) => ({
    ok: false as const,
    reason: `unreadable: ${(err as Error).message}`,
  }));
  if (!snap.ok) return { reason: snap.reason };
  const { seq, bulletins, columns, index } = snap.snapshot;
  let table;
  try {
    table = createEntryTable(columns);
  } catch (err) {
    closeSync(columns.file.fd);
    return { reason: (err as Error).message };
  }
  const entries = await openEntryStore(files.entries, { preloaded: { state: { seq, bulletins, table }, stamp: snap.stamp } });
  try {
    return assemble(opts, agencies, entries, createCatalog(entries, agencies, { indexState: index }), { snapshot: true }, snap.stamp);
  } catch (err) {
    // The entries passed their checks; only the index is suspect: index them again.
    opts.log.warn({ err }, 'entry snapshot index not usable: indexing the entries again');
    return assemble(opts, agencies, entries, createCatalog(entries, agencies), { snapshot: false, reason: (err as Error).message });
  }
}

/**
 * Opens the store (seeding an empty one from the shipped bulletins) and builds what the chat answers
 * from: from the snapshot beside entries.json when it is an intact copy of it, else from the JSON.
 */
export async function openApp(opts: OpenOptions): Promise<App> {
  // Never reseed over existing data: a lost entries.json beside a snapshot or subscriptions refuses the start.
  await refuseMissingEntries(opts.dataDir);
  const agencies = await loadAgencies(SHIPPED_AGENCIES_FILE);
  const fromSnapshot = await openAppFromSnapshot(opts, agencies);
  if ('entries' in fromSnapshot) return fromSnapshot;
  const { reason } = fromSnapshot;
  if (reason !== 'no snapshot') opts.log.warn({ reason }, 'entry snapshot not used: reading entries.json');
  const entries = await openEntryStore(storeFiles(opts.dataDir).entries);
  const seeded = await seedIfEmpty(
    entries,
    opts.bulletinsDir ?? SHIPPED_BULLETINS_DIR,
    (path) => readBulletinFile(path, { agencies }),
    isBulletinFileName,
  );
  if (seeded.length)
    opts.log.info(
      { bulletins: seeded.length, added: seeded.reduce((n, r) => n + r.added, 0) },
      'empty store: seeded from the shipped bulletins',
    );
  return assemble(opts, agencies, entries, createCatalog(entries, agencies), { snapshot: false, reason });
}

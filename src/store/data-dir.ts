/**
 * The data directory as a whole: which files must come together, and what a crash leaves behind.
 *
 * - entries.json is the measures' file of record. Missing while entries.snapshot, subscriptions.json or the
 *   journal is there, it was lost, not never made: starting would reseed from the shipped bulletins (fewer
 *   measures, cursors pointing past them) and overwrite the snapshot. Refused, saying what is missing and how to
 *   restore it; never reseeded over existing data.
 * - subscriptions.journal without subscriptions.json: refused by the subscription store itself (its open).
 * - Temporary files (`.entries.json.tmp`, `.subscriptions.json.tmp`, `subscriptions.journal.new`, `.lock.*.tmp`)
 *   are a write cut short by a crash: the file they were to replace is whole. Removed at start-up, under the lock.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { storeFiles } from '../paths.ts';
import { StoreError } from './json-file.ts';
import { journalPathFor } from './subscription-journal.ts';

const present = (path: string) =>
  stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );

/** Throws StoreError when entries.json is missing but data that depends on it is there. */
export async function refuseMissingEntries(dataDir: string): Promise<void> {
  const files = storeFiles(dataDir);
  if (
    await stat(files.entries).then(
      () => true,
      () => false,
    )
  )
    return;
  const others = [files.snapshot, files.subscriptions, journalPathFor(files.subscriptions)];
  const there: string[] = [];
  for (const f of others) if (await present(f)) there.push(basename(f));
  if (there.length === 0) return; // a new data directory: seeded from the shipped bulletins
  throw new StoreError(
    files.entries,
    `is missing while ${there.join(', ')} ${there.length === 1 ? 'is' : 'are'} there: the measures were lost, and starting would reseed them from the shipped bulletins over your data. Restore entries.json from a backup into ${dataDir}; if you really mean to start afresh, move the whole directory away`,
  );
}

/** A leftover of a write cut short: the name of a temporary file one of the stores (or the lock) writes. */
export const isLeftoverTmp = (name: string): boolean => /^\..+\.tmp$/.test(name) || name.endsWith('.journal.new');

/** Another process racing for the lock writes `.lock.<pid>.<id>.tmp` for a moment: only old ones are leftovers. */
const LOCK_TMP = /^\.lock\..+\.tmp$/;
const LOCK_TMP_STALE_MS = 60_000;

/** Removes leftovers of writes cut short by a crash; call only while holding the lock. Returns their names. */
export async function removeLeftoverTmp(dataDir: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!isLeftoverTmp(name)) continue;
    const path = join(dataDir, name);
    if (
      LOCK_TMP.test(name) &&
      now -
        (await stat(path).then(
          (s) => s.mtimeMs,
          () => now,
        )) <
        LOCK_TMP_STALE_MS
    )
      continue;
    await rm(path, { force: true });
    removed.push(name);
  }
  return removed;
}

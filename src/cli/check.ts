/**
 * `npm run check [-- DATA_DIR]`: verifies a data directory without changing anything in it (read-only, no lock
 * taken) and prints what it found: each file's records and checksums, the journal's frames, missing files that
 * would refuse the start, the lock's holder, leftovers of writes cut short. Exit 0 when the bot would start on
 * it and nothing is damaged; 1 otherwise (every problem is listed, not just the first).
 */
import { closeSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readEnvironment } from '../config.ts';
import { LOCK_FILE, describeLock } from '../infra/instance-lock.ts';
import { storeFiles } from '../paths.ts';
import { isLeftoverTmp, refuseMissingEntries } from '../store/data-dir.ts';
import { openEntryStore } from '../store/entry-store.ts';
import { verifyAndStrip } from '../store/record-checksum.ts';
import { readSnapshot } from '../store/snapshot-file.ts';
import { journalPathFor, readJournal } from '../store/subscription-journal.ts';
import { openSubscriptionStore } from '../store/subscription-store.ts';

export interface CheckIo {
  out: (line: string) => void;
}

const sizeOf = (path: string): number | null => {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
};

/** Each record of `list` checked (a copy: nothing read is changed); the damaged ones named. */
function tally(list: unknown, name: (r: Record<string, unknown>, i: number) => string): { ok: number; legacy: number; damaged: string[] } {
  const t = { ok: 0, legacy: 0, damaged: [] as string[] };
  if (!Array.isArray(list)) return t;
  list.forEach((r, i) => {
    const v = verifyAndStrip(structuredClone(r));
    if (v === 'damaged') t.damaged.push(name(r as Record<string, unknown>, i));
    else t[v]++;
  });
  return t;
}

const checksums = (t: { ok: number; legacy: number }) =>
  t.legacy === 0
    ? `checksums ok (${t.ok})`
    : `${t.ok} with checksums ok, ${t.legacy} without (written before checksums; the next start adds them)`;

export async function runCheck(dataDir: string, io: CheckIo): Promise<number> {
  const files = storeFiles(dataDir);
  const journal = journalPathFor(files.subscriptions);
  const problems: string[] = [];
  const say = (line: string) => io.out(line);
  say(`data directory: ${dataDir}`);
  if (sizeOf(dataDir) === null) {
    say('  does not exist (a first start creates it)');
    return 0;
  }

  await refuseMissingEntries(dataDir).catch((err: unknown) => problems.push((err as Error).message));

  // entries.json: every record's checksum, then the schema.
  if (sizeOf(files.entries) !== null) {
    try {
      const raw = JSON.parse(readFileSync(files.entries, 'utf8')) as { entries?: unknown[]; bulletins?: unknown[] };
      const e = tally(raw.entries, (r, i) => `entry ${JSON.stringify(String(r.id))} (entry record ${i + 1})`);
      const b = tally(raw.bulletins, (r, i) => `bulletin ${JSON.stringify(String(r.id))} (bulletin record ${i + 1})`);
      say(
        `entries.json: ${raw.entries?.length ?? 0} entries, ${raw.bulletins?.length ?? 0} bulletins; ${checksums({ ok: e.ok + b.ok, legacy: e.legacy + b.legacy })}`,
      );
      for (const d of [...b.damaged, ...e.damaged])
        problems.push(`${files.entries}: ${d} fails its checksum (its content changed after it was written)`);
      if (e.damaged.length + b.damaged.length === 0)
        await openEntryStore(files.entries, { readOnly: true }).catch((err: unknown) => problems.push((err as Error).message));
    } catch (err) {
      problems.push(`${files.entries}: is not valid JSON (${(err as Error).message})`);
    }
  } else say('entries.json: missing');

  // entries.snapshot: a copy of entries.json for fast starts; stale or absent only costs start-up time.
  if (sizeOf(files.snapshot) !== null) {
    const snap = await readSnapshot(files.snapshot, files.entries).catch((err: unknown) => ({
      ok: false as const,
      reason: (err as Error).message,
    }));
    if (snap.ok) {
      closeSync(snap.snapshot.columns.file.fd);
      say(`entries.snapshot: a current copy of entries.json (${snap.snapshot.seq} changes)`);
    } else say(`entries.snapshot: not used at the next start (${snap.reason}); it is rewritten from entries.json`);
  } else say('entries.snapshot: none (the next start writes one)');

  // subscriptions.json and its journal.
  if (sizeOf(files.subscriptions) !== null) {
    try {
      const raw = JSON.parse(readFileSync(files.subscriptions, 'utf8')) as { subscriptions?: unknown[]; runs?: unknown[] };
      const s = tally(raw.subscriptions, (r, i) => `the subscription of chat ${String(r.chatId)} (record ${i + 1})`);
      const r = tally(raw.runs, (x, i) => `digest run ${String(x.id)} (run record ${i + 1})`);
      say(
        `subscriptions.json: ${raw.subscriptions?.length ?? 0} subscriptions, ${raw.runs?.length ?? 0} digest runs; ${checksums({ ok: s.ok + r.ok, legacy: s.legacy + r.legacy })}`,
      );
      for (const d of [...s.damaged, ...r.damaged])
        problems.push(`${files.subscriptions}: ${d} fails its checksum (its content changed after it was written)`);
    } catch (err) {
      problems.push(`${files.subscriptions}: is not valid JSON (${(err as Error).message})`);
    }
  } else say('subscriptions.json: missing');
  const journalBytes = sizeOf(journal);
  if (journalBytes !== null) {
    const warnings: string[] = [];
    try {
      const j = await readJournal(journal, (w) => warnings.push(w));
      say(
        `subscriptions.journal: ${j.lines.length} records since the snapshot (${journalBytes} bytes${j.unframed ? `, ${j.unframed} in the old unframed format` : ''})${j.torn ? '; its last record was cut short by a crash and is ignored (it was never reported durable)' : ''}`,
      );
    } catch (err) {
      problems.push((err as Error).message);
    }
  } else say('subscriptions.journal: none');
  if (problems.length === 0) {
    // The whole store as the bot would open it (read-only: nothing is compacted or written).
    await openSubscriptionStore(files.subscriptions, { readOnly: true, warn: () => {} }).then(
      (s) => say(`subscriptions: ${s.count()} after the journal (${s.list().filter((x) => x.state === 'active').length} active)`),
      (err: unknown) => problems.push((err as Error).message),
    );
  }

  // The lock and leftovers.
  const lockText = (() => {
    try {
      return readFileSync(join(dataDir, LOCK_FILE), 'utf8');
    } catch {
      return null;
    }
  })();
  say(`.lock: ${lockText === null ? 'none (nothing is running on this directory)' : describeLock(lockText)}`);
  const leftovers = readdirSync(dataDir).filter(isLeftoverTmp);
  if (leftovers.length) say(`leftovers of writes cut short (removed at the next start): ${leftovers.join(', ')}`);

  if (problems.length === 0) {
    say('OK: nothing damaged or missing.');
    return 0;
  }
  say(`${problems.length} problem(s) — the bot refuses to start until they are fixed:`);
  for (const p of problems) say(`  - ${p}`);
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = readEnvironment();
  const dir = process.argv[2] ?? (env.DATA_DIR || 'data');
  process.exitCode = await runCheck(dir, { out: (l) => process.stdout.write(`${l}\n`) });
}

/**
 * Files that lie: each way a data directory was found damaged (by hand, a disk fault, a crash) is refused at the
 * start with a message that says what is wrong and how to restore it — and nothing on disk is changed by trying.
 * `npm run check` finds the same things, read-only.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { runCheck } from '../../src/cli/check.ts';
import { silentLog } from '../../src/infra/log.ts';
import { storeFiles } from '../../src/paths.ts';
import { removeLeftoverTmp } from '../../src/store/data-dir.ts';
import { openEntryStore } from '../../src/store/entry-store.ts';
import { StoreError } from '../../src/store/json-file.ts';
import { journalPathFor, openSubscriptionStore } from '../../src/store/subscription-store.ts';
import { subscriptionInput } from '../helpers/digest.ts';
import { parseSeed } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

/** A data dir as a running bot leaves it: entries + snapshot, a snapshot of 30 subscriptions and a journal of 30 changes. */
async function dataDir() {
  const dir = tempDir();
  const files = storeFiles(dir);
  const app = await openApp({ dataDir: dir, log: silentLog });
  app.entries.apply(parseSeed(), new Date('2020-03-27T01:00:00Z'));
  await app.entries.flush();
  expect(await app.snapshots.save()).toBe('written');
  app.entries.close();
  const subs = await openSubscriptionStore(files.subscriptions, { writeDelayMs: 60_000 });
  for (let id = 1; id <= 30; id++) subs.upsert(subscriptionInput(id, { lastDigestDate: '2024-01-14' }));
  await subs.flush();
  // Compacted into the snapshot at the next open; then 30 digests recorded in the journal, one line each.
  const again = await openSubscriptionStore(files.subscriptions, { writeDelayMs: 60_000 });
  for (let id = 1; id <= 30; id++) {
    again.advance(id, 19, '2024-01-15');
    await again.flush();
  }
  return { dir, files, journal: journalPathFor(files.subscriptions) };
}

/** Every file in the directory and its bytes, to show a refused start changed nothing. */
const contents = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );

const refusal = async (p: Promise<unknown>): Promise<string> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return (err as Error).message;
};

describe('files that lie are refused, and left as they are', () => {
  it('subscriptions.json deleted while its journal exists: refused, saying what is missing and how to restore', async () => {
    const { dir, files, journal } = await dataDir();
    rmSync(files.subscriptions);
    const before = contents(dir);
    const msg = await refusal(openSubscriptionStore(files.subscriptions));
    expect(msg).toContain('subscriptions.json: is missing, but its journal');
    expect(msg).toMatch(
      /Restore subscriptions\.json from a backup; only if you mean to drop all subscriptions, move subscriptions\.journal away/,
    );
    expect(contents(dir)).toEqual(before);
    expect(existsSync(files.subscriptions)).toBe(false);
    expect(statSync(journal).size).toBeGreaterThan(0);
  });

  it('a journal cut in the middle (bytes gone inside a record): refused with the line number', async () => {
    const { dir, journal, files } = await dataDir();
    const text = readFileSync(journal, 'utf8');
    const lines = text.split('\n');
    // Line 10 loses 40 bytes from its middle; everything after it is still there.
    lines[9] = lines[9]!.slice(0, 60) + lines[9]!.slice(100);
    writeFileSync(journal, lines.join('\n'));
    const before = contents(dir);
    const msg = await refusal(openSubscriptionStore(files.subscriptions));
    expect(msg).toMatch(/subscriptions\.journal:10: record #\d+ is \d+ bytes where its frame says \d+: bytes are missing/);
    expect(contents(dir)).toEqual(before);
  });

  it('whole records cut out of the middle of the journal: refused (the records count on one by one)', async () => {
    const { journal, files } = await dataDir();
    const lines = readFileSync(journal, 'utf8').split('\n');
    writeFileSync(journal, [...lines.slice(0, 12), ...lines.slice(20)].join('\n'));
    const msg = await refusal(openSubscriptionStore(files.subscriptions));
    expect(msg).toMatch(/subscriptions\.journal:13: record #\d+ follows record #\d+: 8 record\(s\) are missing before it/);
  });

  it('a byte changed inside a journal record: refused naming the line and the chat', async () => {
    const { journal, files } = await dataDir();
    const text = readFileSync(journal, 'utf8');
    const lines = text.split('\n');
    lines[4] = lines[4]!.replace('"cursor":19', '"cursor":18');
    writeFileSync(journal, lines.join('\n'));
    const msg = await refusal(openSubscriptionStore(files.subscriptions));
    expect(msg).toMatch(/subscriptions\.journal:5: record #\d+ \(subscription of chat 5\) fails its checksum/);
  });

  it('only a torn LAST record is forgiven: the state is that of the last whole record, with a warning', async () => {
    const { journal, files } = await dataDir();
    const size = statSync(journal).size;
    truncateSync(journal, size - 30);
    const warnings: string[] = [];
    const subs = await openSubscriptionStore(files.subscriptions, { readOnly: true, warn: (w) => warnings.push(w) });
    expect(warnings.join('\n')).toMatch(/subscriptions\.journal:30: last record cut short/);
    expect(
      subs
        .list()
        .filter((s) => s.lastDigestDate === '2024-01-15')
        .map((s) => s.chatId),
    ).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
  });

  it('a subscription record changed inside the snapshot: refused naming the chat', async () => {
    const { files } = await dataDir();
    // Fold the journal in, so the records live in the snapshot.
    await openSubscriptionStore(files.subscriptions);
    const text = readFileSync(files.subscriptions, 'utf8');
    const damaged = text.replace('"chatId":7,"chatType":"private"', '"chatId":7,"chatType":"group"');
    expect(damaged).not.toBe(text);
    writeFileSync(files.subscriptions, damaged);
    const msg = await refusal(openSubscriptionStore(files.subscriptions));
    expect(msg).toContain('the subscription of chat 7 (record 7) fails its checksum');
    expect(readFileSync(files.subscriptions, 'utf8')).toBe(damaged);
  });

  it('bytes overwritten inside a string of entries.json: the bot does not start, the snapshot is not overwritten', async () => {
    const { dir, files } = await dataDir();
    const text = readFileSync(files.entries, 'utf8');
    const victim = (JSON.parse(text) as { entries: { id: string; title: string }[] }).entries[6]!;
    const damaged = text.replace(victim.title, `${victim.title.slice(0, -1)}王`);
    expect(damaged).not.toBe(text);
    writeFileSync(files.entries, damaged);
    const before = contents(dir);
    const msg = await refusal(openApp({ dataDir: dir, log: silentLog }));
    expect(msg).toContain(`entries.json: entry "${victim.id}" (entry record 7) fails its checksum`);
    expect(contents(dir)).toEqual(before);
  });

  it('entries.json deleted while its snapshot and the subscriptions exist: refused, never reseeded', async () => {
    const { dir, files } = await dataDir();
    rmSync(files.entries);
    const before = contents(dir);
    const msg = await refusal(openApp({ dataDir: dir, log: silentLog }));
    expect(msg).toContain('entries.json: is missing while entries.snapshot, subscriptions.json, subscriptions.journal are there');
    expect(msg).toContain('Restore entries.json from a backup');
    expect(contents(dir)).toEqual(before);
    // A new, empty directory is still seeded.
    const fresh = tempDir();
    expect((await openApp({ dataDir: fresh, log: silentLog })).entries.count()).toBeGreaterThan(0);
  });
});

describe('leftovers of writes cut short', () => {
  it('temporary files are removed at start-up; the files they were to replace are untouched', async () => {
    const { dir, files } = await dataDir();
    const entries = readFileSync(files.entries);
    writeFileSync(join(dir, '.entries.json.tmp'), '{"version":1,"seq":3,"bulle');
    writeFileSync(join(dir, '.subscriptions.json.tmp'), '{"version":1,');
    writeFileSync(join(dir, 'subscriptions.journal.new'), '#1 2');
    expect((await removeLeftoverTmp(dir)).sort()).toEqual(['.entries.json.tmp', '.subscriptions.json.tmp', 'subscriptions.journal.new']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.new'))).toEqual([]);
    expect(readFileSync(files.entries)).toEqual(entries);
  });
});

describe('npm run check', () => {
  const run = async (dir: string) => {
    const out: string[] = [];
    const code = await runCheck(dir, { out: (l) => out.push(l) });
    return { code, text: out.join('\n') };
  };

  it('a healthy directory: what it holds, exit 0, nothing changed', async () => {
    const { dir } = await dataDir();
    const before = contents(dir);
    const { code, text } = await run(dir);
    expect(text).toMatch(/entries\.json: \d+ entries, 1 bulletins; checksums ok \(\d+\)/);
    expect(text).toContain('entries.snapshot: a current copy of entries.json');
    expect(text).toMatch(/subscriptions\.json: 30 subscriptions, 0 digest runs; checksums ok \(30\)/);
    expect(text).toMatch(/subscriptions\.journal: 30 records since the snapshot/);
    expect(text).toContain('OK: nothing damaged or missing.');
    expect(code).toBe(0);
    expect(contents(dir)).toEqual(before);
  });

  it('lists every problem (a damaged entry, a damaged journal line, a leftover), exit 1, read-only', async () => {
    const { dir, files, journal } = await dataDir();
    const original = readFileSync(files.entries, 'utf8');
    const victim = (JSON.parse(original) as { entries: { title: string }[] }).entries[3]!;
    writeFileSync(files.entries, original.replace(victim.title, `${victim.title}！`));
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"cursor":19', '"cursor":17');
    writeFileSync(journal, lines.join('\n'));
    writeFileSync(join(dir, '.entries.json.tmp'), 'x');
    mkdirSync(join(dir, 'inbox'), { recursive: true });
    const before = contents(dir);
    const { code, text } = await run(dir);
    expect(code).toBe(1);
    expect(text).toMatch(/entry "[^"]+" \(entry record \d+\) fails its checksum/);
    expect(text).toMatch(/subscriptions\.journal:3: record #\d+ \(subscription of chat 3\) fails its checksum/);
    expect(text).toContain('leftovers of writes cut short (removed at the next start): .entries.json.tmp');
    expect(text).toContain('2 problem(s)');
    expect(contents(dir)).toEqual(before);
  });

  it('reads a data directory written before checksums, and says so', async () => {
    const { dir, files } = await dataDir();
    const data = JSON.parse(readFileSync(files.entries, 'utf8')) as {
      entries: Record<string, unknown>[];
      bulletins: Record<string, unknown>[];
    };
    for (const r of [...data.entries, ...data.bulletins]) delete r.crc;
    writeFileSync(files.entries, JSON.stringify(data));
    const { code, text } = await run(dir);
    expect(text).toMatch(/entries\.json: \d+ entries, 1 bulletins; 0 with checksums ok, \d+ without/);
    expect(code).toBe(0);
    // And the store opens it (then writes it with checksums).
    const store = await openEntryStore(files.entries);
    expect(store.count()).toBe(data.entries.length);
  });
});

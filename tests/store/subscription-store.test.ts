import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Low, Memory } from 'lowdb';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/json-file.ts';
import {
  KEEP_RUNS,
  createSubscriptionStore,
  emptySubscriptionsFile,
  journalPathFor,
  leanSubscription,
  openSubscriptionStore,
} from '../../src/store/subscription-store.ts';
import type { SubscriptionInput, SubscriptionsFile } from '../../src/store/subscription-store.ts';
import { verifySnapshotRecords } from '../../src/store/subscription-snapshot.ts';
import { subscriptionInput } from '../helpers/digest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const BIG = -1001234567890;

const input = (chatId: number, over: Partial<SubscriptionInput> = {}) => subscriptionInput(chatId, { cursor: 7, ...over });

describe('subscription store on a real file', () => {
  it('creates the file, round-trips ids beyond 32 bits and every field, and reopens', async () => {
    const file = join(tempDir(), 'data', 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    const { created } = store.upsert(
      input(BIG, { threadId: 42, filters: { agencies: ['上海市公安局'], keywords: ['复工'] }, notifyEmpty: true }),
      new Date('2024-01-01T00:00:00Z'),
    );
    expect(created).toBe(true);
    store.upsert(input(123456789));
    await store.flush();

    // On disk through the journal (appended, fsynced); the snapshot is rewritten only at open or past a size.
    expect(readFileSync(journalPathFor(file), 'utf8')).toContain('-1001234567890');
    const again = await openSubscriptionStore(file);
    expect(again.list().map((s) => s.chatId)).toEqual([BIG, 123456789]);
    expect(again.get(BIG)).toEqual({
      chatId: BIG,
      chatType: 'supergroup',
      threadId: 42,
      time: '09:00',
      timezone: 'Asia/Shanghai',
      filters: { agencies: ['上海市公安局'], keywords: ['复工'] },
      cursor: 7,
      lastDigestDate: null,
      state: 'active',
      pausedReason: null,
      language: 'zh',
      notifyEmpty: true,
      failures: null,
      partial: null,
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      frequency: 'daily',
      weekday: null,
      skippedDate: null,
    });
  });

  it('reads a record written before frequency existed as a daily digest (lean path and zod agree)', async () => {
    const file = join(tempDir(), 'old.json');
    const old = {
      chatId: 5,
      chatType: 'private',
      threadId: null,
      time: '09:00',
      timezone: 'Asia/Shanghai',
      filters: { agencies: [], keywords: [] },
      cursor: 3,
      lastDigestDate: null,
      state: 'active',
      pausedReason: null,
      language: 'zh',
      notifyEmpty: false,
      failures: null,
      partial: null,
      createdAt: 'a',
      updatedAt: 'b',
    };
    writeFileSync(file, JSON.stringify({ version: 1, subscriptions: [old], runs: [] }));
    const store = await openSubscriptionStore(file);
    expect(store.get(5)).toEqual({ ...old, frequency: 'daily', weekday: null, skippedDate: null });
    store.update(5, { frequency: 'weekly', weekday: 3 });
    await store.flush();
    expect((await openSubscriptionStore(file)).get(5)).toMatchObject({ frequency: 'weekly', weekday: 3 });
    expect(leanSubscription({ ...old, frequency: 'hourly' }, (x) => x)).toBeNull();
    expect(leanSubscription({ ...old, frequency: 'weekly', weekday: 8, skippedDate: null }, (x) => x)).toBeNull();
  });

  it('refuses a corrupt or invalid file and leaves it untouched', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version":1,"subscriptions":[');
    await expect(openSubscriptionStore(bad)).rejects.toBeInstanceOf(StoreError);
    expect(readFileSync(bad, 'utf8')).toBe('{"version":1,"subscriptions":[');

    const invalid = join(dir, 'invalid.json');
    const content = JSON.stringify({ version: 1, runs: [], subscriptions: [{ chatId: 1, time: '25:00' }] });
    writeFileSync(invalid, content);
    await expect(openSubscriptionStore(invalid)).rejects.toThrow(/does not match the store format: subscriptions\.0/);
    expect(readFileSync(invalid, 'utf8')).toBe(content);
  });

  it('a read-only open of a missing file creates nothing', async () => {
    const file = join(tempDir(), 'none', 'subscriptions.json');
    const store = await openSubscriptionStore(file, { readOnly: true });
    store.upsert(input(1));
    await store.flush();
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('subscription journal', () => {
  /** The snapshot's records as the schema knows them (checksums checked and stripped). */
  const parsedSnapshot = (text: string) => {
    const d = JSON.parse(text) as SubscriptionsFile;
    verifySnapshotRecords('test', d);
    return d;
  };
  const snapshotOf = (file: string) => parsedSnapshot(readFileSync(file, 'utf8'));
  /** The journal's records, their frames taken off. */
  const journalLines = (file: string) =>
    readFileSync(journalPathFor(file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^#\d+ \d+ [0-9a-f]{8} /, ''));

  it('changes survive a reopen through the journal alone; a flush appends only what changed', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file, { writeDelayMs: 60_000 });
    for (let i = 1; i <= 20; i++) store.upsert(input(i));
    await store.flush();
    expect(journalLines(file)).toHaveLength(20);
    store.advance(3, 50, '2024-01-02');
    store.advance(3, 60, '2024-01-03');
    store.pause(4, 'blocked');
    store.remove(5);
    store.upsert(input(-300, { chatType: 'group' }));
    store.migrate(-300, BIG);
    store.startRun({ id: 'r1', startedAt: 'x' });
    await store.flush();
    // 3, 4, a removal, the new group's record (dropped: it moved), the move, its record under the new id, the run.
    expect(
      journalLines(file)
        .slice(20)
        .map((l) => Object.keys(JSON.parse(l))[0]),
    ).toEqual(['s', 's', 'd', 'm', 's', 'r']);
    await store.flush();
    expect(journalLines(file)).toHaveLength(26);
    // The snapshot was not rewritten: every change is in the journal only.
    expect(snapshotOf(file).subscriptions).toEqual([]);

    const again = await openSubscriptionStore(file, { readOnly: true });
    expect(again.list().map((s) => s.chatId)).toEqual([1, 2, 3, 4, ...Array.from({ length: 15 }, (_, i) => i + 6), BIG]);
    expect(again.get(3)).toMatchObject({ cursor: 60, lastDigestDate: '2024-01-03' });
    expect(again.get(4)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });
    expect(again.get(BIG)).toMatchObject({ chatType: 'supergroup' });
    expect(again.get(-300)).toBeUndefined();
    expect(again.unfinishedRuns().map((r) => r.id)).toEqual(['r1']);
    expect(again.list()).toEqual(store.list());
    // The read-only open changed nothing on disk.
    expect(journalLines(file)).toHaveLength(26);
  });

  it('compaction at open folds the journal into a compact snapshot and leaves an empty journal', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    for (let i = 1; i <= 5; i++) store.upsert(input(i, { filters: { agencies: [], keywords: ['复工'] } }));
    store.remove(2);
    store.startRun({ id: 'r1', startedAt: 'x' });
    await store.flush();
    const before = structuredClone(store.list());
    const reopened = await openSubscriptionStore(file);
    expect(readFileSync(journalPathFor(file), 'utf8')).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('\n');
    expect(parsedSnapshot(text)).toEqual({ version: 1, subscriptions: before, runs: store.runs() });
    expect(reopened.list()).toEqual(before);
    expect(reopened.runs()).toEqual(store.runs());
  });

  it('a last line cut short by a crash is ignored with a warning; the lines before it count', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    store.upsert(input(1));
    store.upsert(input(2));
    await store.flush();
    appendFileSync(journalPathFor(file), '{"s":{"chatId":3,"chatTy');
    const warnings: string[] = [];
    const again = await openSubscriptionStore(file, { warn: (m) => warnings.push(m) });
    expect(again.list().map((s) => s.chatId)).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/subscriptions\.journal:3: last line cut short/);
    // Compacted at open: the torn line is gone, the next appends start on a clean line.
    again.upsert(input(4));
    await again.flush();
    expect((await openSubscriptionStore(file, { readOnly: true })).list().map((s) => s.chatId)).toEqual([1, 2, 4]);
  });

  it('when the compaction at open fails, the store still opens and a torn last line is cut off before the next append', async () => {
    const dir = tempDir();
    const file = join(dir, 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    store.upsert(input(1));
    await store.flush();
    appendFileSync(journalPathFor(file), '{"d":');
    // lowdb writes the snapshot through `.subscriptions.json.tmp`: a directory there makes that write fail.
    mkdirSync(join(dir, '.subscriptions.json.tmp'));
    const warnings: string[] = [];
    const again = await openSubscriptionStore(file, { warn: (m) => warnings.push(m) });
    expect(warnings.map((w) => w.replace(/ \(.*\)/, ''))).toEqual([
      `store journal ${journalPathFor(file)}:2: last line cut short; ignored`,
      `store ${file}: compaction at open failed; going on with the journal as it is`,
    ]);
    again.upsert(input(2));
    await again.flush();
    expect(journalLines(file).map((l) => JSON.parse(l).s.chatId)).toEqual([1, 2]);
    rmSync(join(dir, '.subscriptions.json.tmp'), { recursive: true });
    expect((await openSubscriptionStore(file, { warn: (m) => warnings.push(m) })).list().map((s) => s.chatId)).toEqual([1, 2]);
    expect(warnings).toHaveLength(2);
  });

  it('a last record complete but for its newline is kept, also when the next append follows it (compaction failed)', async () => {
    const dir = tempDir();
    const file = join(dir, 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    store.upsert(input(1));
    store.upsert(input(2));
    await store.flush();
    const journal = journalPathFor(file);
    writeFileSync(journal, readFileSync(journal, 'utf8').replace(/\n$/, ''));
    mkdirSync(join(dir, '.subscriptions.json.tmp'));
    const again = await openSubscriptionStore(file, { warn: () => {} });
    expect(again.list().map((s) => s.chatId)).toEqual([1, 2]);
    again.upsert(input(3));
    await again.flush();
    rmSync(join(dir, '.subscriptions.json.tmp'), { recursive: true });
    expect((await openSubscriptionStore(file, { readOnly: true })).list().map((s) => s.chatId)).toEqual([1, 2, 3]);
  });

  it('a bad line that is not the last refuses the store with file:line and leaves both files as they are', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    store.upsert(input(1));
    await store.flush();
    appendFileSync(journalPathFor(file), '{"s":{"chatId":"oops"}}\n');
    store.upsert(input(2));
    await store.flush();
    const journal = readFileSync(journalPathFor(file), 'utf8');
    const snapshot = readFileSync(file, 'utf8');
    await expect(openSubscriptionStore(file)).rejects.toBeInstanceOf(StoreError);
    await expect(openSubscriptionStore(file)).rejects.toThrow(/subscriptions\.journal:2: does not match the journal format/);
    await expect(openSubscriptionStore(file, { readOnly: true })).rejects.toThrow(/subscriptions\.journal:2/);
    expect(readFileSync(journalPathFor(file), 'utf8')).toBe(journal);
    expect(readFileSync(file, 'utf8')).toBe(snapshot);
    appendFileSync(journalPathFor(file), 'not json\n{"d":1}\n');
    writeFileSync(journalPathFor(file), journal.replace('{"s":{"chatId":"oops"}}\n', '') + 'not json\n{"d":1}\n');
    await expect(openSubscriptionStore(file)).rejects.toThrow(/subscriptions\.journal:3: is not valid JSON/);
  });

  it('100k subscriptions with ids beyond 32 bits round-trip through the journal and a compaction', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const ids = Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? -1_001_234_567_890 - i : 5_000_000_000 + i));
    const store = await openSubscriptionStore(file, { writeDelayMs: 60_000 });
    for (const id of ids) store.upsert(input(id, { chatType: id < 0 ? 'supergroup' : 'private' }));
    await store.flush();
    expect(journalLines(file)).toHaveLength(100_000);
    const viaJournal = await openSubscriptionStore(file, { readOnly: true });
    expect(viaJournal.list().map((s) => s.chatId)).toEqual(ids);
    const compacted = await openSubscriptionStore(file);
    expect(readFileSync(journalPathFor(file), 'utf8')).toBe('');
    expect(compacted.list().map((s) => s.chatId)).toEqual(ids);
    expect(compacted.get(ids[1]!)).toEqual(store.get(ids[1]!));
  }, 60_000);

  it('a journal past its limit is compacted in the background; changes made meanwhile are kept', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file, { writeDelayMs: 60_000, compactAt: { lines: 50 } });
    for (let i = 1; i <= 3000; i++) store.upsert(input(i));
    await store.flush(); // 3,000 lines: past the limit, a compaction starts (sliced: it yields between slices)
    store.advance(7, 99, '2024-02-01');
    store.remove(8);
    await store.flush();
    // Wait for it through the journal file shrinking (no timing asserted: polled until done).
    await expect.poll(() => journalLines(file).length, { timeout: 20_000 }).toBeLessThan(3000);
    store.advance(9, 42, '2024-02-02');
    await store.flush();
    const snapshot = snapshotOf(file);
    expect(snapshot.subscriptions.length).toBeGreaterThanOrEqual(2999);
    const again = await openSubscriptionStore(file, { readOnly: true });
    expect(again.list()).toEqual(store.list());
    expect(again.get(7)).toMatchObject({ cursor: 99 });
    expect(again.get(8)).toBeUndefined();
    expect(again.get(9)).toMatchObject({ cursor: 42 });
  });

  it('a failed append keeps its changes: the next flush writes them, nothing is lost or doubled', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file, { writeDelayMs: 60_000 });
    store.upsert(input(1));
    await store.flush();
    // The journal cannot be opened for a while (a directory in its place stands in for a full or broken disk).
    rmSync(journalPathFor(file));
    mkdirSync(journalPathFor(file));
    store.advance(1, 30, '2024-01-02');
    store.upsert(input(2));
    await expect(store.flush()).rejects.toThrow();
    store.remove(2);
    store.upsert(input(3));
    rmSync(journalPathFor(file), { recursive: true });
    await store.flush();
    const again = await openSubscriptionStore(file, { readOnly: true });
    expect(again.list()).toEqual(store.list());
    // 1 comes back whole from its later record (the journal holding its first one was removed above).
    expect(again.list().map((s) => s.chatId)).toEqual([1, 3]);
    expect(again.get(1)).toMatchObject({ cursor: 30, lastDigestDate: '2024-01-02' });
    // 1's record, 2's removal (its record skipped: gone by the time the retry wrote), 3's record.
    expect(journalLines(file).map((l) => Object.keys(JSON.parse(l))[0])).toEqual(['s', 'd', 's']);
  });

  it('a store written before the journal existed (pretty-printed, no journal) opens as before', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const old = { version: 1, runs: [], subscriptions: [] as unknown[] };
    const mem = createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), emptySubscriptionsFile()), null);
    mem.upsert(input(BIG));
    old.subscriptions = [...mem.list()];
    writeFileSync(file, JSON.stringify(old, null, 2));
    expect(existsSync(journalPathFor(file))).toBe(false);
    const store = await openSubscriptionStore(file);
    expect(store.list()).toEqual(mem.list());
  });
});

describe('subscription operations', () => {
  const memory = () => createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), emptySubscriptionsFile()), null);

  it('subscribing again updates the one subscription, keeps its cursor, and resumes it', () => {
    const store = memory();
    store.upsert(input(5, { cursor: 3 }));
    store.advance(5, 10, '2024-01-01');
    store.pause(5, 'user');
    const { subscription, created } = store.upsert(input(5, { time: '18:30', cursor: 99, filters: { agencies: [], keywords: ['x'] } }));
    expect(created).toBe(false);
    expect(store.count()).toBe(1);
    expect(subscription).toMatchObject({
      time: '18:30',
      cursor: 10,
      lastDigestDate: '2024-01-01',
      state: 'active',
      pausedReason: null,
      filters: { keywords: ['x'] },
    });
  });

  it('a digest cut short is forgotten when filters, language or "nothing new" change, kept when they do not', () => {
    const store = memory();
    const cut = (id: number) => store.recordPartial(id, '2024-01-15', 60, { parts: 1, delivered: ['a', 'b'] });
    store.upsert(input(1));
    cut(1);
    expect(store.get(1)?.partial).toMatchObject({ date: '2024-01-15', upTo: 60, parts: 1, delivered: ['a', 'b'] });
    store.upsert(input(1, { time: '10:00' }));
    expect(store.get(1)?.partial).not.toBeNull();
    store.upsert(input(1, { filters: { agencies: ['上海市司法局'], keywords: [] } }));
    expect(store.get(1)?.partial).toBeNull();
    cut(1);
    store.upsert(input(1, { filters: { agencies: ['上海市司法局'], keywords: [] }, language: 'en' }));
    expect(store.get(1)?.partial).toBeNull();
    cut(1);
    store.update(1, { time: '11:00' });
    expect(store.get(1)?.partial).not.toBeNull();
    store.update(1, { notifyEmpty: true });
    expect(store.get(1)?.partial).toBeNull();
    cut(1);
    store.update(1, { filters: { agencies: [], keywords: [] } });
    expect(store.get(1)?.partial).toBeNull();
  });

  it('pauses and resumes; a resume for "blocked" does not undo a pause by the user', () => {
    const store = memory();
    store.upsert(input(1));
    store.upsert(input(2));
    store.pause(1, 'blocked');
    store.pause(2, 'user');
    expect(store.query(() => true).map((s) => s.chatId)).toEqual([]);
    store.resume(1, { onlyIf: 'blocked' });
    store.resume(2, { onlyIf: 'blocked' });
    expect(store.get(1)).toMatchObject({ state: 'active', pausedReason: null });
    expect(store.get(2)).toMatchObject({ state: 'paused', pausedReason: 'user' });
    // Blocked while paused by the user: still the user's pause, so an unblock does not undo it.
    store.pause(2, 'blocked');
    store.pause(2, 'chat-not-found');
    expect(store.get(2)).toMatchObject({ state: 'paused', pausedReason: 'user' });
    store.resume(2, { onlyIf: 'blocked' });
    expect(store.get(2)).toMatchObject({ state: 'paused', pausedReason: 'user' });
  });

  it('migrates a group to its supergroup id, and prefers an existing subscription there', () => {
    const store = memory();
    store.upsert(input(-100, { chatType: 'group', cursor: 4 }));
    expect(store.migrate(-100, BIG)).toMatchObject({ collision: false, subscription: { chatId: BIG } });
    expect(store.get(-100)).toBeUndefined();
    expect(store.get(BIG)).toMatchObject({ chatId: BIG, chatType: 'supergroup', cursor: 4 });

    store.upsert(input(-200, { chatType: 'group', time: '07:00' }));
    store.upsert(input(-1009999999999, { time: '20:00' }));
    // The supergroup has its own subscription: it wins, and the caller is told so.
    expect(store.migrate(-200, -1009999999999)).toMatchObject({ collision: true, subscription: { chatId: -1009999999999, time: '20:00' } });
    expect(store.get(-200)).toBeUndefined();
    expect(store.get(-1009999999999)?.time).toBe('20:00');
    expect(store.count()).toBe(2);
  });

  it('never moves the cursor or the date backwards; counts failures per local date', () => {
    const store = memory();
    store.upsert(input(1, { cursor: 0 }));
    store.advance(1, 20, '2024-01-02');
    store.advance(1, 10, '2024-01-01');
    expect(store.get(1)).toMatchObject({ cursor: 20, lastDigestDate: '2024-01-02' });
    expect(store.recordFailure(1, '2024-01-03', 'failed: x')).toBe(1);
    expect(store.recordFailure(1, '2024-01-03', 'failed: x')).toBe(2);
    expect(store.recordFailure(1, '2024-01-04', 'failed: x')).toBe(1);
    store.advance(1, 21, '2024-01-04');
    expect(store.get(1)?.failures).toBeNull();
    expect(store.remove(1)).toBe(true);
    expect(store.remove(1)).toBe(false);
  });

  it('keeps the last runs, with the unfinished one findable', () => {
    const store = memory();
    for (let i = 0; i < KEEP_RUNS + 5; i++) {
      store.startRun({ id: `r${i}`, startedAt: new Date(i).toISOString() });
      store.finishRun(
        `r${i}`,
        { sent: i, empty: 0, paused: 0, migrated: 0, failed: 0, skipped: 0, uncertain: 0, durationMs: 1 },
        new Date(i + 1).toISOString(),
      );
    }
    store.startRun({ id: 'crashed', startedAt: 'x' });
    expect(store.runs()).toHaveLength(KEEP_RUNS);
    expect(store.runs()[0]!.id).toBe('r6');
    expect(store.unfinishedRuns().map((r) => r.id)).toEqual(['crashed']);
    store.markInterrupted('crashed');
    expect(store.unfinishedRuns()).toEqual([]);
  });

  it('batches writes: a thousand changes make one file write on flush, not a thousand', async () => {
    let writes = 0;
    const adapter = new Memory<SubscriptionsFile>();
    const db = new Low<SubscriptionsFile>(
      { read: () => adapter.read(), write: async (d) => void (writes++, await adapter.write(d)) },
      emptySubscriptionsFile(),
    );
    const store = createSubscriptionStore(db, null, { writeDelayMs: 10_000 });
    for (let i = 1; i <= 1000; i++) store.upsert(input(i));
    for (let i = 1; i <= 1000; i++) store.advance(i, 50, '2024-01-01');
    expect(writes).toBe(0);
    await store.flush();
    expect(writes).toBe(1);
    await store.flush();
    expect(writes).toBe(1);
  });
});

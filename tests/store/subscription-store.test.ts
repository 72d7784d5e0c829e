import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Low, Memory } from 'lowdb';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/json-file.ts';
import { KEEP_RUNS, createSubscriptionStore, emptySubscriptionsFile, openSubscriptionStore } from '../../src/store/subscription-store.ts';
import type { SubscriptionInput, SubscriptionsFile } from '../../src/store/subscription-store.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const BIG = -1001234567890;

const input = (chatId: number, over: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  chatId,
  chatType: chatId < 0 ? 'supergroup' : 'private',
  time: '09:00',
  timezone: 'Asia/Shanghai',
  filters: { agencies: [], keywords: [] },
  language: 'zh',
  cursor: 7,
  ...over,
});

describe('subscription store on a real file', () => {
  it('creates the file, round-trips ids beyond 32 bits and every field, and reopens', async () => {
    const file = join(tempDir(), 'data', 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    const { created } = store.upsert(input(BIG, { threadId: 42, filters: { agencies: ['上海市公安局'], keywords: ['复工'] }, notifyEmpty: true }), new Date('2024-01-01T00:00:00Z'));
    expect(created).toBe(true);
    store.upsert(input(123456789));
    await store.flush();

    expect(readFileSync(file, 'utf8')).toContain('-1001234567890');
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
    });
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
    expect(subscription).toMatchObject({ time: '18:30', cursor: 10, lastDigestDate: '2024-01-01', state: 'active', pausedReason: null, filters: { keywords: ['x'] } });
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
      store.finishRun(`r${i}`, { sent: i, empty: 0, paused: 0, migrated: 0, failed: 0, skipped: 0, durationMs: 1 }, new Date(i + 1).toISOString());
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
    const db = new Low<SubscriptionsFile>({ read: () => adapter.read(), write: async (d) => void (writes++, await adapter.write(d)) }, emptySubscriptionsFile());
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

/** Weekly and instant subscriptions through the real runner, on a fake clock over a fake week. */
import { describe, expect, it } from 'vitest';
import { createDigestRunner } from '../../src/digest/run-digest.ts';
import { dueState, initialSchedule, lastWeeklyTurn, nextDelivery, reschedule } from '../../src/digest/due.ts';
import { createMemorySubscriptionStore, openSubscriptionStore } from '../../src/store/subscription-store.ts';
import { FakeTelegram, bulletinOf, entry, entryStoreWith, recordingLog, subscriptionInput } from '../helpers/digest.ts';
import { shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const agencies = shippedAgencies();
const at = (iso: string) => Date.parse(iso);
const SH = 'Asia/Shanghai';
// 2024-01-15 is a Monday; 09:00 Shanghai = 01:00Z.

describe('due: weekly and instant', () => {
  const weekly = (lastDigestDate: string | null) => ({
    time: '09:00',
    timezone: SH,
    lastDigestDate,
    frequency: 'weekly' as const,
    weekday: 1,
  });
  it('the latest weekly turn: today once its time has come, else the same weekday before', () => {
    expect(lastWeeklyTurn({ date: '2024-01-15', time: '09:00' }, 1, '09:00')).toBe('2024-01-15');
    expect(lastWeeklyTurn({ date: '2024-01-15', time: '08:59' }, 1, '09:00')).toBe('2024-01-08');
    expect(lastWeeklyTurn({ date: '2024-01-17', time: '12:00' }, 1, '09:00')).toBe('2024-01-15');
    expect(lastWeeklyTurn({ date: '2024-01-21', time: '23:59' }, 7, '09:00')).toBe('2024-01-21');
  });

  it('weekly is due on its day at its time, once; a missed Monday is caught up on Tuesday', () => {
    expect(dueState(weekly('2024-01-08'), at('2024-01-15T00:59:00Z')).due).toBe(false);
    expect(dueState(weekly('2024-01-08'), at('2024-01-15T01:00:00Z')).due).toBe(true);
    expect(dueState(weekly('2024-01-15'), at('2024-01-15T05:00:00Z')).due).toBe(false);
    expect(dueState(weekly('2024-01-15'), at('2024-01-19T05:00:00Z')).due).toBe(false);
    expect(dueState(weekly('2024-01-08'), at('2024-01-16T05:00:00Z')).due).toBe(true);
  });

  it('instant is due while the store is past its cursor, whatever the date', () => {
    const instant = { time: '09:00', timezone: SH, lastDigestDate: '2024-01-15', frequency: 'instant' as const, cursor: 4 };
    expect(dueState(instant, at('2024-01-15T05:00:00Z'), { seq: 4 }).due).toBe(false);
    expect(dueState(instant, at('2024-01-15T05:00:00Z'), { seq: 5 }).due).toBe(true);
    expect(dueState(instant, at('2024-01-15T05:00:00Z')).due).toBe(false);
    expect(nextDelivery(instant, at('2024-01-15T05:00:00Z')).instant).toBe(true);
  });

  it('next weekly delivery and where a new schedule starts', () => {
    expect(nextDelivery(weekly('2024-01-08'), at('2024-01-15T00:00:00Z'))).toMatchObject({
      date: '2024-01-15',
      time: '09:00',
      dueNow: false,
    });
    expect(nextDelivery(weekly('2024-01-15'), at('2024-01-15T02:00:00Z'))).toMatchObject({ date: '2024-01-22', dueNow: false });
    expect(nextDelivery({ ...weekly('2024-01-15'), weekday: 3 }, at('2024-01-15T02:00:00Z'))).toMatchObject({ date: '2024-01-17' });
    // Subscribing on Wednesday to Monday's digest: last Monday counts as handled, so nothing is pending.
    expect(initialSchedule({ time: '09:00', timezone: SH, frequency: 'weekly', weekday: 1 }, at('2024-01-17T05:00:00Z'))).toEqual({
      lastDigestDate: '2024-01-15',
      skippedDate: '2024-01-15',
    });
    expect(initialSchedule({ time: '09:00', timezone: SH, frequency: 'instant' }, at('2024-01-17T05:00:00Z'))).toEqual({
      lastDigestDate: null,
      skippedDate: null,
    });
    // Nothing sent since: the new schedule starts afresh; after a digest, its date stays.
    const fresh = { time: '09:00', timezone: SH, lastDigestDate: '2024-01-17', skippedDate: '2024-01-17' };
    expect(reschedule(fresh, { time: '21:00', timezone: SH }, at('2024-01-17T05:00:00Z'))).toEqual({
      lastDigestDate: null,
      skippedDate: null,
    });
    const served = { ...fresh, skippedDate: null };
    expect(reschedule(served, { time: '21:00', timezone: SH }, at('2024-01-17T05:00:00Z'))).toEqual({
      lastDigestDate: '2024-01-17',
      skippedDate: null,
    });
  });
});

describe('weekly digests over a fake week', () => {
  it('sends nothing on the other six days and one digest on its day, covering everything since the last one', async () => {
    const tg = new FakeTelegram();
    const subs = createMemorySubscriptionStore();
    const entries = entryStoreWith();
    let now = at('2024-01-16T00:00:00Z'); // Tuesday 08:00 Shanghai
    const runner = createDigestRunner({
      subscriptions: subs,
      entries,
      agencies: () => agencies,
      deliver: tg.deliver,
      send: tg.send,
      now: () => now,
      log: recordingLog(),
    });
    const start = initialSchedule({ time: '09:00', timezone: SH, frequency: 'weekly', weekday: 1 }, now);
    subs.upsert(subscriptionInput(1, { frequency: 'weekly', weekday: 1, time: '09:00', cursor: 0, ...start }));
    // A daily subscriber alongside, to show the week is really being ticked.
    subs.upsert(subscriptionInput(2, { time: '09:00', cursor: 0, lastDigestDate: '2024-01-15' }));
    for (let day = 0; day < 6; day++) {
      entries.apply(bulletinOf([entry({ title: `第${day + 1}天的措施` })]));
      // Every hour of the day, as the minute ticks would.
      for (let h = 0; h < 24; h++) {
        now = at('2024-01-16T00:00:00Z') + day * 86_400_000 + h * 3_600_000;
        await runner.runDue();
      }
    }
    expect(tg.to(1)).toHaveLength(0);
    expect(tg.to(2).length).toBeGreaterThanOrEqual(6);
    // Monday 2024-01-22, 09:00 Shanghai.
    now = at('2024-01-22T00:59:00Z');
    await runner.runDue();
    expect(tg.to(1)).toHaveLength(0);
    now = at('2024-01-22T01:00:00Z');
    await runner.runDue();
    now = at('2024-01-22T09:00:00Z');
    await runner.runDue();
    expect(tg.to(1)).toHaveLength(1);
    const digest = tg.to(1)[0]!.html;
    expect(digest).toContain('每周摘要 · 2024-01-22');
    for (let day = 1; day <= 6; day++) expect(digest).toContain(`第${day}天的措施`);
    expect(subs.get(1)).toMatchObject({ lastDigestDate: '2024-01-22', cursor: entries.seq() });
  });

  it('a weekly digest too long for one message is split as daily ones are', async () => {
    const tg = new FakeTelegram();
    const subs = createMemorySubscriptionStore();
    const long = Array.from({ length: 60 }, (_, i) => entry({ title: `长措施 ${i}`, body: ['正文'.repeat(150)] }));
    const entries = entryStoreWith(...long);
    const runner = createDigestRunner({
      subscriptions: subs,
      entries,
      agencies: () => agencies,
      deliver: tg.deliver,
      send: tg.send,
      now: () => at('2024-01-22T01:00:00Z'),
      log: recordingLog(),
    });
    subs.upsert(subscriptionInput(1, { frequency: 'weekly', weekday: 1, cursor: 0, lastDigestDate: '2024-01-15' }));
    await runner.runDue();
    const parts = tg.to(1);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.html).toContain(`(1/${parts.length})`);
    const all = parts.map((p) => p.html).join('\n');
    for (let i = 0; i < 60; i++) expect(all).toMatch(new RegExp(`长措施 ${i}(?!\\d)`));
  });
});

describe('instant subscriptions', () => {
  it('get one message per publish, soon after it, and never an empty note', async () => {
    const tg = new FakeTelegram();
    const subs = createMemorySubscriptionStore();
    const entries = entryStoreWith(entry({ title: '旧措施' }));
    let now = at('2024-01-15T05:00:00Z');
    const runner = createDigestRunner({
      subscriptions: subs,
      entries,
      agencies: () => agencies,
      deliver: tg.deliver,
      send: tg.send,
      now: () => now,
      log: recordingLog(),
    });
    subs.upsert(subscriptionInput(1, { frequency: 'instant', cursor: entries.seq(), notifyEmpty: true }));
    await runner.runDue();
    expect(tg.to(1)).toHaveLength(0);
    entries.apply(bulletinOf([entry({ title: '第一次发布' })]));
    now += 60_000;
    await runner.runDue();
    now += 60_000;
    await runner.runDue();
    entries.apply(bulletinOf([entry({ title: '第二次发布' })]));
    now += 60_000;
    await runner.runDue();
    await runner.runDue();
    expect(tg.to(1).map((m) => m.html.includes('第一次发布') && !m.html.includes('第二次发布'))).toEqual([true, false]);
    expect(tg.to(1)[1]!.html).toContain('第二次发布');
    expect(tg.to(1)[1]!.html).not.toContain('旧措施');
    expect(tg.to(1)[0]!.html).toContain('⚡');
  });

  it('after a crash the reopened store sends nothing twice, and the next publish alone', async () => {
    const file = `${tempDir()}/subs.json`;
    const entries = entryStoreWith(entry({ title: '旧措施' }));
    const tg = new FakeTelegram();
    let now = at('2024-01-15T05:00:00Z');
    const runnerOver = (subs: Awaited<ReturnType<typeof openSubscriptionStore>>) =>
      createDigestRunner({
        subscriptions: subs,
        entries,
        agencies: () => agencies,
        deliver: tg.deliver,
        send: tg.send,
        now: () => now,
        log: recordingLog(),
      });
    const first = await openSubscriptionStore(file);
    for (const id of [1, 2, 3]) first.upsert(subscriptionInput(id, { frequency: 'instant', cursor: entries.seq() }));
    await first.flush();
    entries.apply(bulletinOf([entry({ title: '发布甲' })]));
    // Delivery dies after the first chat's message was accepted: the pass aborts.
    tg.crashAfter = 1;
    await expect(runnerOver(first).runDue()).rejects.toThrow();
    tg.crashAfter = null;
    // The process restarts from what is on disk.
    const reopened = await openSubscriptionStore(file);
    now += 60_000;
    await runnerOver(reopened).runDue();
    for (const id of [1, 2, 3]) expect(tg.to(id).filter((m) => m.html.includes('发布甲'))).toHaveLength(1);
    now += 60_000;
    await runnerOver(await openSubscriptionStore(file)).runDue();
    expect(tg.sent).toHaveLength(3);
    entries.apply(bulletinOf([entry({ title: '发布乙' })]));
    await runnerOver(await openSubscriptionStore(file)).runDue();
    for (const id of [1, 2, 3]) expect(tg.to(id).map((m) => (m.html.includes('发布乙') ? '乙' : '甲'))).toEqual(['甲', '乙']);
  });
});

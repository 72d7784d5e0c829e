import { join } from 'node:path';
import { Low, Memory } from 'lowdb';
import { TelegramError } from 'telegraf';
import { describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import { createDeliverer } from '../../src/delivery/send-with-retry.ts';
import { createDigestRunner, DigestRunAborted } from '../../src/digest/run-digest.ts';
import type { DigestRunnerDeps, SendHtml } from '../../src/digest/run-digest.ts';
import type { EntryStore } from '../../src/store/entry-store.ts';
import {
  createMemorySubscriptionStore,
  createSubscriptionStore,
  emptySubscriptionsFile,
  openSubscriptionStore,
} from '../../src/store/subscription-store.ts';
import type { SubscriptionInput, SubscriptionStore, SubscriptionsFile } from '../../src/store/subscription-store.ts';
import { FakeTelegram, bulletinOf, entry, entryStoreWith, recordingLog, subscriptionInput } from '../helpers/digest.ts';
import { createFakeClock } from '../helpers/fake-clock.ts';
import { shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const agencies = shippedAgencies();
const POLICE = '上海市公安局';
const SCIENCE = '上海市科学技术委员会';
const at = (iso: string) => Date.parse(iso);

const input = (chatId: number, over: Partial<SubscriptionInput> = {}) =>
  subscriptionInput(chatId, { lastDigestDate: '2024-01-14', ...over });

function setup(opts: { subs?: SubscriptionStore; entries?: EntryStore; clock?: number; deps?: Partial<DigestRunnerDeps> } = {}) {
  const tg = new FakeTelegram();
  const subs = opts.subs ?? createMemorySubscriptionStore();
  const entries =
    opts.entries ??
    entryStoreWith(
      entry({ agency: POLICE, title: '公安复工措施', body: ['企业复工'] }),
      entry({ agency: SCIENCE, title: '科委人才措施', body: ['云选会'] }),
    );
  const log = recordingLog();
  const clock = { now: opts.clock ?? at('2024-01-15T01:00:00Z') }; // 09:00 Shanghai
  const runner = createDigestRunner({
    subscriptions: subs,
    entries,
    agencies: () => agencies,
    deliver: tg.deliver,
    send: tg.send,
    now: () => clock.now,
    log,
    ...opts.deps,
  });
  return { tg, subs, entries, log, clock, runner };
}

describe('digest runner: exactly once, on time', () => {
  it('sends at the subscription time, once per day, and advances cursor and date', async () => {
    const { tg, subs, runner, clock } = setup({ clock: at('2024-01-15T00:59:00Z') });
    subs.upsert(input(1));
    expect((await runner.runDue()).sent).toBe(0);
    expect(tg.sent).toHaveLength(0);

    clock.now = at('2024-01-15T01:00:00Z');
    const first = await runner.runDue();
    expect(first).toMatchObject({ sent: 1, failed: 0, paused: 0 });
    expect(tg.to(1)).toHaveLength(1);
    expect(tg.to(1)[0]!.html).toContain('公安复工措施');
    expect(subs.get(1)).toMatchObject({ cursor: 2, lastDigestDate: '2024-01-15' });

    clock.now = at('2024-01-15T01:01:00Z');
    expect((await runner.runDue()).sent).toBe(0);
    clock.now = at('2024-01-15T15:00:00Z'); // 23:00 the same local day
    expect((await runner.runDue()).sent).toBe(0);
    expect(tg.sent).toHaveLength(1);
    expect(
      subs
        .runs()
        .filter((r) => r.finishedAt !== null)
        .map((r) => r.sent),
    ).toEqual([1]);
  });

  it('after three days down sends one digest holding everything missed', async () => {
    const entries = entryStoreWith(entry({ title: '第一天' }));
    const { tg, subs, runner, clock } = setup({ entries, clock: at('2024-01-12T02:00:00Z') });
    subs.upsert(input(1, { lastDigestDate: '2024-01-11' }));
    await runner.runDue();
    expect(tg.to(1)).toHaveLength(1);
    // Down from the 13th to the 15th; bulletins kept arriving.
    entries.apply(bulletinOf([entry({ title: '第二天' })]));
    entries.apply(bulletinOf([entry({ title: '第三天' })]));
    clock.now = at('2024-01-15T05:00:00Z');
    await runner.runDue();
    clock.now = at('2024-01-15T05:01:00Z');
    await runner.runDue();
    expect(tg.to(1)).toHaveLength(2);
    expect(tg.to(1)[1]!.html).toContain('第二天');
    expect(tg.to(1)[1]!.html).toContain('第三天');
    expect(tg.to(1)[1]!.html).not.toContain('第一天');
    expect(subs.get(1)?.lastDigestDate).toBe('2024-01-15');
  });

  it('serves each chat in its own zone', async () => {
    const { tg, subs, runner, clock } = setup({ clock: at('2024-01-15T01:00:00Z') });
    subs.upsert(input(1, { timezone: 'Asia/Shanghai' }));
    subs.upsert(input(2, { timezone: 'Europe/London', lastDigestDate: '2024-01-14' }));
    subs.upsert(input(3, { timezone: 'America/New_York', lastDigestDate: '2024-01-14' }));
    await runner.runDue();
    expect(tg.sent.map((s) => s.chatId)).toEqual([1]);
    clock.now = at('2024-01-15T09:00:00Z');
    await runner.runDue();
    expect(tg.sent.map((s) => s.chatId)).toEqual([1, 2]);
    clock.now = at('2024-01-15T14:00:00Z');
    await runner.runDue();
    expect(tg.sent.map((s) => s.chatId)).toEqual([1, 2, 3]);
    expect(subs.get(3)?.lastDigestDate).toBe('2024-01-15');
  });

  it('with nothing new sends nothing but still closes the day; a "nothing new" note when asked', async () => {
    const { tg, subs, runner } = setup();
    subs.upsert(input(1, { cursor: 2 }));
    subs.upsert(input(2, { cursor: 2, notifyEmpty: true, language: 'en' }));
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 1, empty: 1 });
    expect(tg.to(1)).toEqual([]);
    expect(tg.to(2).map((s) => s.html)).toEqual(['📰 2024-01-15: nothing new today.']);
    expect(subs.get(1)?.lastDigestDate).toBe('2024-01-15');
  });

  it('entries arriving during a run wait for the next digest instead of being skipped', async () => {
    let entries: EntryStore | null = null;
    const {
      tg,
      subs,
      runner,
      clock,
      entries: store,
    } = setup({
      deps: {
        // The bulletin lands while chat 1 is being served.
        send: async (chatId, html, o) => {
          if (chatId === 1) entries!.apply(bulletinOf([entry({ title: '中途到达' })]));
          return tg.send(chatId, html, o);
        },
      },
    });
    entries = store;
    subs.upsert(input(1));
    subs.upsert(input(2));
    await runner.runDue();
    expect(tg.to(1)[0]!.html).not.toContain('中途到达');
    expect(tg.to(2)[0]!.html).not.toContain('中途到达');
    expect(subs.get(2)?.cursor).toBe(2);
    clock.now = at('2024-01-16T01:00:00Z');
    await runner.runDue();
    expect(tg.to(1)[1]!.html).toContain('中途到达');
    expect(tg.to(2)[1]!.html).toContain('中途到达');
  });

  it("applies each chat's filters (agency alias resolved at subscribe time, keywords)", async () => {
    const { tg, subs, runner } = setup();
    subs.upsert(input(1, { filters: { agencies: [agencies.resolve('科委')!], keywords: [] } }));
    subs.upsert(input(2, { filters: { agencies: [], keywords: ['复工'] } }));
    subs.upsert(input(3, { filters: { agencies: [], keywords: ['没有的词'] } }));
    await runner.runDue();
    expect(tg.to(1)[0]!.html).toContain('科委人才措施');
    expect(tg.to(1)[0]!.html).not.toContain('公安复工措施');
    expect(tg.to(2)[0]!.html).toContain('公安复工措施');
    expect(tg.to(2)[0]!.html).not.toContain('科委人才措施');
    expect(tg.to(3)).toEqual([]);
    expect(subs.get(3)).toMatchObject({ cursor: 2, lastDigestDate: '2024-01-15' });
  });

  it('sends into the forum topic the subscription was made in', async () => {
    const { tg, subs, runner } = setup();
    subs.upsert(input(-1001234567890, { chatType: 'supergroup', threadId: 77 }));
    await runner.runDue();
    expect(tg.sent).toMatchObject([{ chatId: -1001234567890, threadId: 77 }]);
  });
});

describe('digest runner: delivery outcomes', () => {
  it('blocked → paused, not deleted; chat not found → paused; the others still served', async () => {
    const { tg, subs, runner } = setup();
    for (const id of [1, 2, 3]) subs.upsert(input(id));
    tg.outcomes.set(1, { reason: 'blocked', description: 'Forbidden: bot was blocked by the user' });
    tg.outcomes.set(2, { reason: 'chat-not-found', description: 'Bad Request: chat not found' });
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 1, paused: 2, failed: 0 });
    expect(subs.get(1)).toMatchObject({ state: 'paused', pausedReason: 'blocked', cursor: 0 });
    expect(subs.get(2)).toMatchObject({ state: 'paused', pausedReason: 'chat-not-found' });
    expect(tg.to(3)).toHaveLength(1);
    // Paused chats are left alone from then on.
    tg.outcomes.clear();
    expect((await runner.runDue()).sent).toBe(0);
    expect(tg.sent).toHaveLength(1);
  });

  it('migrated → the subscription moves to the new id and is not served twice', async () => {
    const { tg, subs, runner, clock } = setup();
    subs.upsert(input(-555, { chatType: 'group' }));
    tg.outcomes.set(-555, { migrateTo: -1009876543210 });
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 1, migrated: 1 });
    expect(subs.get(-555)).toBeUndefined();
    expect(subs.get(-1009876543210)).toMatchObject({ chatType: 'supergroup', cursor: 2, lastDigestDate: '2024-01-15' });
    expect(tg.sent.map((s) => s.chatId)).toEqual([-1009876543210]);
    clock.now += 60_000;
    await runner.runDue();
    expect(tg.sent).toHaveLength(1);
  });

  it('migrated onto a supergroup that has its own subscription: the old digest stops there, the target gets its own', async () => {
    const TARGET = -1009876543210;
    const { tg, subs, runner, clock } = setup();
    // The old group wanted police measures, at 09:00; the supergroup has its own subscription (science, 10:00).
    subs.upsert(input(-555, { chatType: 'group', filters: { agencies: [POLICE], keywords: [] } }));
    subs.upsert(input(TARGET, { chatType: 'supergroup', time: '10:00', filters: { agencies: [SCIENCE], keywords: [] } }));
    tg.outcomes.set(-555, { migrateTo: TARGET });
    const r = await runner.runDue();
    expect(r.migrated).toBe(1);
    expect(subs.get(-555)).toBeUndefined();
    // Not advanced by the old subscription's digest: its own turn (10:00) is still to come.
    expect(subs.get(TARGET)).toMatchObject({ time: '10:00', cursor: 0, lastDigestDate: '2024-01-14', filters: { agencies: [SCIENCE] } });
    expect(subs.count()).toBe(1);
    // Nothing of the old subscription's digest reached the supergroup, not even the message that found the move.
    expect(tg.sent).toEqual([]);
    clock.now = at('2024-01-15T02:00:00Z'); // 10:00 Shanghai
    expect(await runner.runDue()).toMatchObject({ sent: 1 });
    expect(tg.to(TARGET)).toHaveLength(1);
    expect(tg.to(TARGET)[0]!.html).toContain('科委人才措施');
    expect(tg.to(TARGET)[0]!.html).not.toContain('公安复工措施');
  });

  it('failed → cursor unchanged, retried later, at most three attempts a day', async () => {
    const { tg, subs, runner, clock } = setup();
    subs.upsert(input(1));
    subs.upsert(input(2));
    tg.outcomes.set(1, { reason: 'failed', description: 'Internal Server Error' });
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 1, failed: 1 });
    expect(subs.get(1)).toMatchObject({
      cursor: 0,
      lastDigestDate: '2024-01-14',
      state: 'active',
      failures: { date: '2024-01-15', count: 1 },
    });
    // The next tick is too soon (backoff), so it is skipped, not hammered.
    clock.now += 60_000;
    expect(await runner.runDue()).toMatchObject({ failed: 0, skipped: 1 });
    let attempts = 1;
    for (let i = 0; i < 20; i++) {
      clock.now += 30 * 60_000;
      const x = await runner.runDue();
      attempts += x.failed;
    }
    expect(attempts).toBe(3);
    expect(subs.get(1)?.failures?.count).toBe(3);
    // The next local day it is tried again, and a success sends everything since the old cursor.
    tg.outcomes.clear();
    clock.now = at('2024-01-16T01:00:00Z');
    expect(await runner.runDue()).toMatchObject({ sent: 1, empty: 1 });
    expect(subs.get(1)).toMatchObject({ cursor: 2, lastDigestDate: '2024-01-16', failures: null });
    expect(tg.to(1)[0]!.html).toContain('公安复工措施');
  });

  it('a digest in several parts counts only when every part was accepted; a retry sends only the missing parts', async () => {
    const many = Array.from({ length: 60 }, (_, i) => entry({ title: `第${i}条 ${'长标题'.repeat(20)}`, body: ['正文'.repeat(200)] }));
    const { tg, subs, entries, runner, clock } = setup({ entries: entryStoreWith(...many) });
    subs.upsert(input(1));
    tg.failFromPart.set(1, 2);
    expect(await runner.runDue()).toMatchObject({ sent: 0, failed: 1 });
    expect(subs.get(1)).toMatchObject({ cursor: 0, lastDigestDate: '2024-01-14', partial: { date: '2024-01-15', upTo: 60, parts: 1 } });
    // A bulletin arriving before the retry does not reshuffle the parts: it waits for tomorrow.
    entries.apply(bulletinOf([entry({ title: '重试前到达' })]));
    tg.failFromPart.clear();
    clock.now += 60 * 60_000;
    expect(await runner.runDue()).toMatchObject({ sent: 1 });
    const parts = tg.to(1).map((p) => p.html);
    expect(parts.length).toBeGreaterThan(2);
    parts.forEach((html, i) => expect(html.endsWith(`<i>(${i + 1}/${parts.length})</i>`)).toBe(true));
    expect(parts.join('\n')).not.toContain('重试前到达');
    for (let i = 0; i < 60; i++) expect(parts.filter((p) => p.includes(`第${i}条 `))).toHaveLength(1);
    expect(subs.get(1)).toMatchObject({ cursor: 60, lastDigestDate: '2024-01-15', partial: null });
  });
});

describe('digest runner: a digest cut short resumes by entry, not by message count', () => {
  const JUSTICE = '上海市司法局';
  const long = (agency: string, tag: string, i: number) =>
    entry({ id: `${tag}${i}`, agency, title: `${tag}第${i}条 ${'长标题'.repeat(20)}`, body: ['正文'.repeat(200)] });

  it('a /subscribe changing the filters between attempts: every measure of the new selection still arrives', async () => {
    const police = Array.from({ length: 30 }, (_, i) => long(POLICE, 'P', i));
    const justice = Array.from({ length: 30 }, (_, i) => long(JUSTICE, 'J', i));
    const { tg, subs, runner, clock } = setup({ entries: entryStoreWith(...police, ...justice) });
    subs.upsert(input(1));
    tg.failFromPart.set(1, 2);
    expect(await runner.runDue()).toMatchObject({ failed: 1 });
    expect(tg.to(1)).toHaveLength(1);
    // The user narrows the subscription to 司法 before the retry.
    subs.upsert(input(1, { filters: { agencies: [JUSTICE], keywords: [] } }));
    tg.failFromPart.clear();
    clock.now += 60 * 60_000;
    expect(await runner.runDue()).toMatchObject({ sent: 1 });
    const all = tg
      .to(1)
      .map((p) => p.html)
      .join('\n');
    for (let i = 0; i < 30; i++) expect(all).toContain(`J第${i}条 `);
    expect(subs.get(1)).toMatchObject({ cursor: 60, lastDigestDate: '2024-01-15', partial: null });
  });

  it('a correction published between attempts: no measure is skipped, none already delivered is sent again', async () => {
    const many = Array.from({ length: 60 }, (_, i) => long(POLICE, 'P', i));
    const { tg, subs, entries, runner, clock } = setup({ entries: entryStoreWith(...many) });
    subs.upsert(input(1));
    tg.failFromPart.set(1, 2);
    expect(await runner.runDue()).toMatchObject({ failed: 1 });
    const first = tg.to(1)[0]!.html;
    const inFirst = many.filter((e) => first.includes(`P第${e.id.slice(1)}条 `));
    expect(inFirst.length).toBeGreaterThan(1);
    // One measure of part 1 is corrected: it leaves today's selection (its seq is now past the run's), which
    // shifts every later measure one place forward in the rebuilt digest.
    const fixed = inFirst[0]!;
    entries.apply(bulletinOf([{ ...fixed, body: ['更正后的正文'] }]));
    tg.failFromPart.clear();
    clock.now += 60 * 60_000;
    expect(await runner.runDue()).toMatchObject({ sent: 1 });
    const parts = tg.to(1).map((p) => p.html);
    for (const e of many) {
      const n = parts.filter((p) => p.includes(`P第${e.id.slice(1)}条 `)).length;
      expect([e.id, n]).toEqual([e.id, 1]);
    }
    expect(subs.get(1)).toMatchObject({ cursor: 60, partial: null });
  });
});

describe('digest runner: crash and recovery', () => {
  it('a run that dies mid-way is finished by the next one; no chat is served twice', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const subs = await openSubscriptionStore(file);
    for (let id = 1; id <= 12; id++) subs.upsert(input(id));
    await subs.flush();
    const { tg, runner } = setup({ subs });
    tg.crashAfter = 5;
    await expect(runner.runDue()).rejects.toBeInstanceOf(DigestRunAborted);
    expect(tg.sent.map((s) => s.chatId)).toEqual([1, 2, 3, 4, 5]);

    // A restart: a fresh store read from disk and a fresh runner.
    const reopened = await openSubscriptionStore(file);
    expect(reopened.unfinishedRuns()).toHaveLength(1);
    expect(
      reopened
        .list()
        .filter((s) => s.lastDigestDate === '2024-01-15')
        .map((s) => s.chatId),
    ).toEqual([1, 2, 3, 4, 5]);
    const again = setup({ subs: reopened });
    again.tg.sent = tg.sent;
    const r = await again.runner.runDue();
    expect(r.recovered).toHaveLength(1);
    expect(r.sent).toBe(7);
    const perChat = new Map<number, number>();
    for (const s of tg.sent) perChat.set(s.chatId, (perChat.get(s.chatId) ?? 0) + 1);
    expect([...perChat.values()]).toEqual(Array(12).fill(1));
    expect(reopened.unfinishedRuns()).toEqual([]);
    expect(reopened.runs().map((r) => [r.interrupted, r.finishedAt !== null])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('progress after every chat: a crash leaves every chat accepted before it recorded on disk', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const subs = await openSubscriptionStore(file, { writeDelayMs: 60_000 });
    for (let id = 1; id <= 10; id++) subs.upsert(input(id));
    await subs.flush();
    // One chat at a time, so each completes alone: each must be on disk before the next one is sent.
    const onDiskAtSend: number[][] = [];
    const tg = new FakeTelegram();
    const send: SendHtml = async (chatId, html, o) => {
      onDiskAtSend.push(
        (await openSubscriptionStore(file, { readOnly: true }))
          .list()
          .filter((s) => s.lastDigestDate === '2024-01-15')
          .map((s) => s.chatId),
      );
      return tg.send(chatId, html, o);
    };
    tg.crashAfter = 9;
    const { runner } = setup({ subs, deps: { send, concurrency: 1 } });
    await expect(runner.runDue()).rejects.toThrow(/simulated crash/);
    // When chat n was sent, chats 1..n-1 were durable: a kill -9 then resends at most the chat in flight.
    expect(onDiskAtSend.slice(0, 9)).toEqual(Array.from({ length: 9 }, (_, n) => Array.from({ length: n }, (_, i) => i + 1)));
  });
});

describe('digest runner: options', () => {
  it('dry run composes for every due chat and changes nothing', async () => {
    const { tg, subs, runner } = setup();
    subs.upsert(input(1));
    subs.upsert(input(2, { filters: { agencies: [SCIENCE], keywords: [] } }));
    const r = await runner.runDue({ dryRun: true });
    expect(r.previews.map((p) => [p.chatId, p.entries])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(r.previews[1]!.messages[0]).toContain('科委人才措施');
    expect(tg.sent).toEqual([]);
    expect(subs.get(1)).toMatchObject({ cursor: 0, lastDigestDate: '2024-01-14' });
    expect(subs.runs()).toEqual([]);
  });

  it('force ignores the time of day; only limits the pass to one chat', async () => {
    const { tg, subs, runner } = setup({ clock: at('2024-01-14T23:00:00Z') }); // 07:00 Shanghai
    subs.upsert(input(1));
    subs.upsert(input(2));
    expect((await runner.runDue()).sent).toBe(0);
    expect((await runner.runDue({ force: true, only: 2 })).sent).toBe(1);
    expect(tg.sent.map((s) => s.chatId)).toEqual([2]);
    // Forcing again the same day does not resend.
    expect((await runner.runDue({ force: true })).sent).toBe(1);
    expect(tg.sent.map((s) => s.chatId)).toEqual([2, 1]);
  });

  it('yields to the event loop between batches', async () => {
    const { subs, runner } = setup();
    for (let id = 1; id <= 6; id++) subs.upsert(input(id));
    let immediates = 0;
    const count = () => {
      immediates++;
    };
    // A setImmediate queued before the run gets its turn during it, not only after.
    setImmediate(count);
    const p = runner.runDue();
    const r = await p;
    expect(r.sent).toBe(6);
    expect(immediates).toBe(1);
  });
});

describe('digest runner: shutdown', () => {
  it('an aborted signal stops the pass after the chat in hand; the rest are served by the next pass', async () => {
    const controller = new AbortController();
    let tgRef: FakeTelegram | null = null;
    const { tg, subs, runner } = setup({
      deps: {
        send: async (chatId, html, o) => {
          if (chatId === 2) controller.abort();
          return tgRef!.send(chatId, html, o);
        },
      },
    });
    tgRef = tg;
    for (let id = 1; id <= 5; id++) subs.upsert(input(id));
    const r = await runner.runDue({ signal: controller.signal });
    expect(r).toMatchObject({ sent: 2, stoppedEarly: true });
    expect(subs.runs().at(-1)).toMatchObject({ sent: 2, error: 'stopped early: 3 due chats left for the next pass' });
    expect(subs.runs().at(-1)?.finishedAt).not.toBeNull();
    const next = await runner.runDue();
    expect(next).toMatchObject({ sent: 3, stoppedEarly: false });
    expect(tg.sent.map((x) => x.chatId)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('digest runner: shutdown during a long wait', () => {
  // One chat at a time, then the default window: there chat 3 goes out alongside chats 1 and 2, before the 429
  // comes back, and only chat 2 is left waiting when the signal aborts.
  for (const { concurrency, firstPass, later } of [
    { concurrency: 1, firstPass: [1], later: [2, 3] },
    { concurrency: undefined, firstPass: [1, 3], later: [2] },
  ])
    it(`a 429 with retry_after 3600 mid-run, then abort: the pass ends at once (in fake time), progress flushed, that chat not advanced, served exactly once later (concurrency ${concurrency ?? 'default'})`, async () => {
      const clock = createFakeClock(at('2024-01-15T01:00:00Z'));
      const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep });
      const deliverer = createDeliverer({ limiter, now: clock.now, sleep: clock.sleep, random: () => 0 });
      const accepted: number[] = [];
      let limited = false;
      const send = async (chatId: number) => {
        if (chatId === 2 && !limited) {
          limited = true;
          throw new TelegramError({
            error_code: 429,
            description: 'Too Many Requests: retry after 3600',
            parameters: { retry_after: 3600 },
          });
        }
        accepted.push(chatId);
        return { message_id: accepted.length };
      };
      const file = join(tempDir(), 'subscriptions.json');
      const subs = await openSubscriptionStore(file, { writeDelayMs: 600_000 });
      for (const id of [1, 2, 3]) subs.upsert(input(id));
      await subs.flush();
      const { runner } = setup({
        subs,
        deps: { deliver: deliverer.deliver, send, now: clock.now, ...(concurrency ? { concurrency } : {}) },
      });
      const controller = new AbortController();
      const pass = runner.runDue({ signal: controller.signal });
      // The run marker goes to disk first (real I/O), then chat 1 is served and chat 2 hits the 429.
      await vi.waitFor(() => expect(limited).toBe(true));
      await clock.advance(50);
      expect(accepted).toEqual(firstPass);
      controller.abort();
      // No time is advanced: the 3600 s wait must not hold the shutdown.
      const r = await pass;
      expect(r).toMatchObject({ sent: firstPass.length, failed: 0, stoppedEarly: true });
      const onDisk = await openSubscriptionStore(file);
      for (const id of firstPass) expect(onDisk.get(id)).toMatchObject({ lastDigestDate: '2024-01-15', cursor: 2 });
      expect(onDisk.get(2)).toMatchObject({ lastDigestDate: '2024-01-14', cursor: 0, failures: null });
      expect(onDisk.runs().at(-1)?.finishedAt).not.toBeNull();

      // The next pass (same process, same limiter) once the pause is over: the chats left, each exactly once.
      const next = runner.runDue();
      await clock.advance(3_601_000);
      expect(await next).toMatchObject({ sent: later.length });
      await clock.runAll();
      for (const id of [1, 2, 3]) expect(accepted.filter((x) => x === id)).toHaveLength(1);
    });
});

describe('digest runner over the real deliverer', () => {
  it('maps Telegram errors: 403 pauses, chat not found pauses, migrate_to_chat_id moves, 5xx fails and keeps the cursor', async () => {
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5)));
    const deliverer = createDeliverer({
      limiter: createRateLimiter({ now: Date.now, sleep }),
      sleep,
      now: Date.now,
      baseBackoffMs: 1,
      maxBackoffMs: 2,
      maxTransientRetries: 1,
    });
    const accepted: { chatId: number; html: string }[] = [];
    const errors: Record<number, () => Error> = {
      1: () => new TelegramError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
      2: () => new TelegramError({ error_code: 400, description: 'Bad Request: chat not found' }),
      3: () =>
        new TelegramError({
          error_code: 400,
          description: 'Bad Request: group chat was upgraded to a supergroup chat',
          parameters: { migrate_to_chat_id: -1003333333333 },
        }),
      4: () => new TelegramError({ error_code: 502, description: 'Bad Gateway' }),
    };
    const send = async (chatId: number, html: string) => {
      const e = errors[chatId];
      if (e) throw e();
      accepted.push({ chatId, html });
      return { message_id: accepted.length };
    };
    const subs = createMemorySubscriptionStore();
    for (const id of [1, 2, 3, 4, 5]) subs.upsert(input(id));
    const { runner } = setup({ subs, deps: { deliver: deliverer.deliver, send } });
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 2, paused: 2, migrated: 1, failed: 1 });
    expect(subs.get(1)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });
    expect(subs.get(2)).toMatchObject({ state: 'paused', pausedReason: 'chat-not-found' });
    expect(subs.get(3)).toBeUndefined();
    expect(subs.get(-1003333333333)).toMatchObject({ state: 'active', lastDigestDate: '2024-01-15' });
    expect(subs.get(4)).toMatchObject({ state: 'active', cursor: 0, lastDigestDate: '2024-01-14', failures: { count: 1 } });
    // Chats are served concurrently: chat 5 may land before the resend to the migrated group.
    expect(accepted.map((a) => a.chatId).sort((a, b) => a - b)).toEqual([-1003333333333, 5]);
  });
});

describe('digest runner: forum topics and chats that keep failing', () => {
  const FORUM = -1001234567890;
  const realDeliver = () => {
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5)));
    return createDeliverer({
      limiter: createRateLimiter({ now: Date.now, sleep }),
      sleep,
      now: Date.now,
      baseBackoffMs: 1,
      maxBackoffMs: 2,
      maxTransientRetries: 1,
    }).deliver;
  };

  for (const description of ['Bad Request: message thread not found', 'Bad Request: TOPIC_CLOSED', 'Bad Request: TOPIC_DELETED']) {
    it(`a topic gone (${description}): resent once to the group's General chat, the thread dropped, the cursor moved`, async () => {
      const accepted: { chatId: number; threadId?: number }[] = [];
      const send = async (chatId: number, _html: string, o: { threadId?: number }) => {
        if (o.threadId !== undefined) throw new TelegramError({ error_code: 400, description });
        accepted.push({ chatId, ...o });
        return { message_id: accepted.length };
      };
      const subs = createMemorySubscriptionStore();
      subs.upsert(input(FORUM, { chatType: 'supergroup', threadId: 77 }));
      const { runner, log } = setup({ subs, deps: { deliver: realDeliver(), send } });
      expect(await runner.runDue()).toMatchObject({ sent: 1, failed: 0, paused: 0 });
      expect(accepted).toEqual([{ chatId: FORUM }]);
      expect(subs.get(FORUM)).toMatchObject({ threadId: null, state: 'active', cursor: 2, lastDigestDate: '2024-01-15' });
      expect(log.lines.some((l) => (l.obj as { event?: string }).event === 'digest-topic-gone')).toBe(true);
    });
  }

  it('a chat refusing every digest with a bad request for three days is paused as failing, and resumes', async () => {
    const { tg, subs, runner, clock } = setup();
    subs.upsert(input(1));
    tg.outcomes.set(1, { reason: 'bad-request', description: 'Bad Request: something permanent' });
    for (const day of ['2024-01-15', '2024-01-16']) {
      for (let h = 1; h <= 10; h++) {
        clock.now = at(`${day}T${String(h).padStart(2, '0')}:00:00Z`);
        await runner.runDue();
      }
      expect(subs.get(1)).toMatchObject({ state: 'active' });
    }
    clock.now = at('2024-01-17T01:00:00Z');
    expect(await runner.runDue()).toMatchObject({ paused: 1, failed: 0 });
    expect(subs.get(1)).toMatchObject({ state: 'paused', pausedReason: 'failing', cursor: 0 });
    // Not retried while paused; a resume (the ▶️ button) serves it again.
    clock.now += 60 * 60_000;
    expect((await runner.runDue()).due).toBe(0);
    tg.outcomes.clear();
    subs.resume(1);
    expect(await runner.runDue()).toMatchObject({ sent: 1 });
    expect(subs.get(1)).toMatchObject({ state: 'active', failures: null, lastDigestDate: '2024-01-17' });
  });

  it('transient failures (not bad requests) never pause a chat', async () => {
    const { tg, subs, runner, clock } = setup();
    subs.upsert(input(1));
    tg.outcomes.set(1, { reason: 'failed', description: '502: Bad Gateway' });
    for (const day of ['2024-01-15', '2024-01-16', '2024-01-17', '2024-01-18']) {
      clock.now = at(`${day}T01:00:00Z`);
      await runner.runDue();
    }
    expect(subs.get(1)).toMatchObject({ state: 'active' });
  });
});

describe('digest runner: progress writes', () => {
  it('one write per group of chats completing together, never one per change', async () => {
    let writes = 0;
    const mem = new Memory<SubscriptionsFile>();
    const db = new Low(
      { read: () => mem.read(), write: async (d: SubscriptionsFile) => void (writes++, await mem.write(d)) },
      emptySubscriptionsFile(),
    );
    const subs = createSubscriptionStore(db, null, { writeDelayMs: 60_000 });
    for (let id = 1; id <= 200; id++) subs.upsert(input(id));
    await subs.flush();
    writes = 0;
    // Sends resolve in groups of 8 (one "round trip" each): each group is one write.
    const waiting: (() => void)[] = [];
    const tg = new FakeTelegram();
    const deliver: DigestRunnerDeps['deliver'] = async (chatId, send) => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { ok: true, value: await send(chatId), chatId };
    };
    const pump = setInterval(() => {
      if (waiting.length >= 8 || waiting.length === 200 - tg.sent.length) waiting.splice(0).forEach((release) => release());
    }, 1);
    const { runner } = setup({ subs, deps: { deliver, send: tg.send, concurrency: 8 } });
    try {
      expect((await runner.runDue()).sent).toBe(200);
    } finally {
      clearInterval(pump);
    }
    // 1 for the run marker, 25 groups of 8, 1 for the finished run.
    expect(writes).toBe(27);
    expect(subs.list().every((s) => s.lastDigestDate === '2024-01-15')).toBe(true);
  });
});

describe('digest runner: chats served concurrently', () => {
  it('sends resolving out of order: every chat served exactly once, its parts in order, the counts right, the window bounded', async () => {
    const many = Array.from({ length: 40 }, (_, i) => entry({ title: `第${i}条 ${'长标题'.repeat(20)}`, body: ['正文'.repeat(200)] }));
    const subs = createMemorySubscriptionStore();
    // 1–60 get every entry (a digest in several parts), 61–80 a keyword nothing matches, 81–90 have blocked the bot.
    for (let id = 1; id <= 90; id++)
      subs.upsert(input(id, id > 60 && id <= 80 ? { filters: { agencies: [], keywords: ['没有的词'] } } : {}));
    const blocked = new Set(Array.from({ length: 10 }, (_, i) => 81 + i));
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const waiting: (() => void)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const tg = new FakeTelegram();
    // Each send waits until a pump releases one waiting send at random: completions come in no particular order.
    const deliver: DigestRunnerDeps['deliver'] = async (chatId, send) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      if (blocked.has(chatId)) return { ok: false, reason: 'blocked', description: 'Forbidden: bot was blocked by the user', chatId };
      return { ok: true, value: await send(chatId), chatId };
    };
    let pumping = true;
    const pump = (async () => {
      while (pumping) {
        await new Promise<void>((r) => setImmediate(r));
        if (waiting.length > 0) waiting.splice(Math.floor(random() * waiting.length), 1)[0]!();
      }
    })();
    const { runner } = setup({ subs, entries: entryStoreWith(...many), deps: { deliver, send: tg.send, concurrency: 8 } });
    const r = await runner.runDue();
    pumping = false;
    await pump;

    expect(r).toMatchObject({ due: 90, sent: 60, empty: 20, paused: 10, failed: 0, skipped: 0, stoppedEarly: false });
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    // Completions did come out of order.
    const firstSeen = [...new Set(tg.sent.map((x) => x.chatId))];
    expect(firstSeen).not.toEqual([...firstSeen].sort((a, b) => a - b));
    for (let id = 1; id <= 60; id++) {
      const parts = tg.to(id).map((p) => p.html);
      expect(parts.length).toBeGreaterThan(1);
      parts.forEach((html, i) => expect(html.endsWith(`<i>(${i + 1}/${parts.length})</i>`)).toBe(true));
      for (let i = 0; i < 40; i++) expect(parts.filter((p) => p.includes(`第${i}条 `))).toHaveLength(1);
      expect(subs.get(id)).toMatchObject({ cursor: 40, lastDigestDate: '2024-01-15' });
    }
    for (let id = 61; id <= 80; id++) expect(subs.get(id)).toMatchObject({ cursor: 40, lastDigestDate: '2024-01-15' });
    for (const id of blocked) expect(subs.get(id)).toMatchObject({ state: 'paused', pausedReason: 'blocked', cursor: 0 });
    expect(tg.sent.filter((x) => x.chatId > 60)).toEqual([]);
    expect(subs.runs().at(-1)).toMatchObject({ sent: 60, empty: 20, paused: 10, error: null });
    expect(subs.runs().at(-1)?.finishedAt).not.toBeNull();
    // A second pass has nothing left to send.
    const before = tg.sent.length;
    expect(await runner.runDue()).toMatchObject({ due: 0, sent: 0 });
    expect(tg.sent).toHaveLength(before);
  });

  it('a flush the disk refuses: no chat is started after it, those in flight are still taken, the run fails with that error', async () => {
    const subs = createMemorySubscriptionStore();
    for (let id = 1; id <= 30; id++) subs.upsert(input(id));
    const flush = subs.flush;
    let flushes = 0;
    subs.flush = async () => {
      flushes++;
      if (flushes === 2) throw new Error('ENOSPC: no space left on device');
      await flush();
    };
    const { tg, runner } = setup({ subs, deps: { concurrency: 4 } });
    await expect(runner.runDue()).rejects.toThrow(/ENOSPC/);
    const served = tg.sent.map((x) => x.chatId);
    expect(served.length).toBeLessThan(30);
    expect(new Set(served).size).toBe(served.length);
    // Every chat that got its digest has its progress recorded in memory (a later flush writes it).
    expect(
      subs
        .list()
        .filter((s) => s.lastDigestDate === '2024-01-15')
        .map((s) => s.chatId)
        .sort((a, b) => a - b),
    ).toEqual([...served].sort((a, b) => a - b));
    expect(subs.unfinishedRuns()).toHaveLength(1);
  });

  it('an abort with chats in flight starts no new chat, counts those in flight, and leaves the rest due', async () => {
    const controller = new AbortController();
    const waiting: (() => void)[] = [];
    const tg = new FakeTelegram();
    const deliver: DigestRunnerDeps['deliver'] = async (chatId, send) => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { ok: true, value: await send(chatId), chatId };
    };
    const subs = createMemorySubscriptionStore();
    for (let id = 1; id <= 20; id++) subs.upsert(input(id));
    const { runner } = setup({ subs, deps: { deliver, send: tg.send, concurrency: 4 } });
    const pass = runner.runDue({ signal: controller.signal });
    await vi.waitFor(() => expect(waiting).toHaveLength(4));
    // Chat 3 answers first and chat 5 takes its place in the window; then the shutdown. The four in flight
    // still get their answers and count; no chat after them is started.
    waiting.splice(2, 1)[0]!();
    await vi.waitFor(() => expect(tg.sent).toHaveLength(1));
    await vi.waitFor(() => expect(waiting).toHaveLength(4));
    controller.abort();
    for (const release of waiting.splice(0)) release();
    const r = await pass;
    expect(r).toMatchObject({ sent: 5, stoppedEarly: true });
    expect(waiting).toEqual([]);
    expect(tg.sent.map((x) => x.chatId).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(subs.runs().at(-1)).toMatchObject({ sent: 5, error: 'stopped early: 15 due chats left for the next pass' });
    expect(
      subs
        .list()
        .filter((s) => s.lastDigestDate === '2024-01-15')
        .map((s) => s.chatId),
    ).toEqual([1, 2, 3, 4, 5]);
    // The next pass serves the rest, each once.
    const next = runner.runDue();
    await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
    const drain = setInterval(() => waiting.splice(0).forEach((release) => release()), 1);
    expect(await next).toMatchObject({ sent: 15 });
    clearInterval(drain);
    expect(tg.sent.map((x) => x.chatId).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('digest runner: uncertain sends', () => {
  /** Chat 2's first send times out after it was written (Telegram took it, the answer never came). */
  const timingOut = (tg: FakeTelegram): DigestRunnerDeps['deliver'] => {
    let timedOut = false;
    return async (chatId, send, o) => {
      if (chatId === 2 && !timedOut) {
        timedOut = true;
        await send(chatId); // delivered…
        return { ok: false, reason: 'uncertain', description: 'sendMessage: no answer within 60000 ms', chatId }; // …but unanswered
      }
      return tg.deliver(chatId, send, o);
    };
  };

  it('default: an uncertain part is not resent; the chat is recorded and named uncertain in the run and the log', async () => {
    const tg0 = new FakeTelegram();
    const { subs, log, runner } = setup({ deps: { deliver: timingOut(tg0), send: tg0.send } });
    for (const id of [1, 2, 3]) subs.upsert(input(id));
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 3, failed: 0, uncertain: 1, uncertainChats: [2] });
    expect(tg0.to(2)).toHaveLength(1);
    expect(subs.get(2)).toMatchObject({ lastDigestDate: '2024-01-15', cursor: 2 });
    expect(subs.runs().at(-1)).toMatchObject({ uncertain: 1, uncertainChats: [2] });
    expect(
      log.lines.some(
        (l) =>
          (l.obj as { event?: string; chatId?: number }).event === 'digest-part-uncertain' && (l.obj as { chatId?: number }).chatId === 2,
      ),
    ).toBe(true);
    // A second pass does not resend it either.
    expect(await runner.runDue()).toMatchObject({ due: 0 });
    expect(tg0.to(2)).toHaveLength(1);
  });

  it("policy 'resend': the uncertain part is sent again (a possible duplicate rather than a possible gap)", async () => {
    const tg0 = new FakeTelegram();
    const { subs, runner } = setup({ deps: { deliver: timingOut(tg0), send: tg0.send, uncertain: 'resend' } });
    for (const id of [1, 2]) subs.upsert(input(id));
    const r = await runner.runDue();
    expect(r).toMatchObject({ sent: 2, uncertain: 0 });
    expect(tg0.to(2)).toHaveLength(2);
  });
});

describe('digest runner: the shutdown signal', () => {
  it('32 chats in flight on one signal raise no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const limiter = createRateLimiter({
        now: Date.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        globalPerSecond: 1000,
        privatePerSecond: 1000,
      });
      const deliverer = createDeliverer({ limiter, now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
      const tg = new FakeTelegram();
      const slowSend: SendHtml = async (chatId, html, o) => (await new Promise((r) => setTimeout(r, 5)), tg.send(chatId, html, o));
      const subs = createMemorySubscriptionStore();
      for (let id = 1; id <= 80; id++) subs.upsert(input(id));
      const { runner } = setup({ subs, deps: { deliver: deliverer.deliver, send: slowSend, concurrency: 32 } });
      const r = await runner.runDue({ signal: new AbortController().signal });
      expect(r.sent).toBe(80);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

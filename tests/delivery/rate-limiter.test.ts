import { describe, it, expect } from 'vitest';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import type { RateLimiterOptions } from '../../src/delivery/rate-limiter.ts';
import { createFakeClock } from '../helpers/fake-clock.ts';

function setup(opts: Partial<RateLimiterOptions> = {}) {
  const clock = createFakeClock();
  const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep, ...opts });
  const sent: { chatId: number | string; at: number; tag?: string }[] = [];
  const send = (chatId: number | string, tag?: string) =>
    limiter.schedule(chatId, async () => {
      sent.push({ chatId, at: clock.now(), tag });
      return tag ?? chatId;
    });
  return { clock, limiter, sent, send };
}

/** Largest number of sends inside any half-open window [t, t + span). */
function maxInWindow(times: number[], span: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= span) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('createRateLimiter pacing', () => {
  it('sends 90 messages to 90 private chats in ≥ 2 s, never more than 30 in any second', async () => {
    const { clock, sent, send } = setup();
    const all = Promise.all(Array.from({ length: 90 }, (_, i) => send(1000 + i)));
    await clock.runAll();
    await expect(all).resolves.toHaveLength(90);
    const times = sent.map((s) => s.at);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2000);
    expect(maxInWindow(times, 1000)).toBe(30);
    expect(times.filter((t) => t === 0)).toHaveLength(30);
    expect(new Set(sent.map((s) => s.chatId)).size).toBe(90);
  });

  it('spaces messages to one private chat at least 1 s apart', async () => {
    const { clock, sent, send } = setup();
    const all = Promise.all([send(42, 'a'), send(42, 'b'), send(42, 'c')]);
    await clock.runAll();
    await all;
    expect(sent.map((s) => [s.tag, s.at])).toEqual([
      ['a', 0],
      ['b', 1000],
      ['c', 2000],
    ]);
  });

  it('lets 20 messages into a group at once and holds the 21st until the minute is up', async () => {
    const { clock, sent, send } = setup();
    const all = Promise.all(Array.from({ length: 25 }, (_, i) => send(-1001234, `m${i + 1}`)));
    await clock.advance(59_999);
    expect(sent).toHaveLength(20);
    expect(sent.every((s) => s.at === 0)).toBe(true);
    await clock.advance(1);
    await all;
    expect(sent).toHaveLength(25);
    expect(sent[20]).toEqual({ chatId: -1001234, at: 60_000, tag: 'm21' });
    expect(maxInWindow(sent.map((s) => s.at), 60_000)).toBe(20);
  });

  it('treats numeric strings like numbers and @channel names like groups', async () => {
    const { clock, sent, send } = setup({ groupPerMinute: 2 });
    void send('7', 'x');
    void send(7, 'y');
    void send('@news', 'c1');
    void send('@news', 'c2');
    void send('@news', 'c3');
    await clock.runAll();
    expect(sent.find((s) => s.tag === 'y')?.at).toBe(1000);
    expect(sent.find((s) => s.tag === 'c3')?.at).toBe(60_000);
  });
});

describe('createRateLimiter fairness', () => {
  it('does not let a busy chat hold back messages to other chats', async () => {
    const { clock, sent, send } = setup();
    for (let i = 0; i < 10; i++) void send(1, `busy${i}`);
    for (let c = 2; c <= 6; c++) void send(c, `other${c}`);
    await clock.advance(0);
    // Every other chat goes out in the first instant; the busy chat has used its one slot for this second.
    expect(sent.map((s) => s.tag)).toEqual(['busy0', 'other2', 'other3', 'other4', 'other5', 'other6']);
    await clock.runAll();
    expect(sent.filter((s) => s.chatId === 1).map((s) => s.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
  });

  it('round-robins between backlogged chats when the global budget is the bottleneck', async () => {
    const { clock, sent, send } = setup({ globalPerSecond: 2 });
    for (let i = 0; i < 4; i++) void send(-1, `a${i}`);
    for (let i = 0; i < 4; i++) void send(-2, `b${i}`);
    await clock.runAll();
    expect(sent.map((s) => s.tag)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    expect(sent.map((s) => s.at)).toEqual([0, 0, 1000, 1000, 2000, 2000, 3000, 3000]);
  });

  it('does not make a newly ready chat wait out a nap planned for another chat', async () => {
    const { clock, sent, send } = setup();
    void send(1, 'first');
    void send(1, 'second'); // pump now naps until t=1000 for this one
    await clock.advance(300);
    void send(2, 'fresh');
    await clock.advance(0);
    expect(sent.map((s) => [s.tag, s.at])).toEqual([
      ['first', 0],
      ['fresh', 300],
    ]);
    await clock.advance(700);
    expect(sent.at(-1)).toEqual({ chatId: 1, at: 1000, tag: 'second' });
  });

  it('serves high-priority calls ahead of a queued broadcast, in the next free global slot', async () => {
    const { clock, limiter, sent, send } = setup();
    for (let i = 0; i < 100; i++) void send(10_000 + i);
    await clock.advance(0);
    const reply = limiter.schedule(
      555,
      async () => {
        sent.push({ chatId: 555, at: clock.now(), tag: 'reply' });
      },
      { priority: 'high' },
    );
    await clock.advance(1000);
    await reply;
    const at1000 = sent.filter((s) => s.at === 1000);
    expect(at1000[0]?.tag).toBe('reply');
    expect(at1000).toHaveLength(30);
  });
});

describe('createRateLimiter pauseAll', () => {
  it('holds every pending and new call until the pause ends, including one already waiting on its chat window', async () => {
    const { clock, limiter, sent, send } = setup();
    void send(1, 'a0');
    void send(1, 'a1'); // would go at 1000
    await clock.advance(0);
    limiter.pauseAll(5000);
    void send(2, 'b');
    void send(-3, 'g');
    await clock.advance(4999);
    expect(sent.map((s) => s.tag)).toEqual(['a0']);
    await clock.advance(1);
    // b and g were ready before a1's window reopened, so they go first: readiness order, not chat order.
    expect(sent.map((s) => [s.tag, s.at])).toEqual([
      ['a0', 0],
      ['b', 5000],
      ['g', 5000],
      ['a1', 5000],
    ]);
  });

  it('never shortens an existing pause', async () => {
    const { clock, limiter, sent, send } = setup();
    limiter.pauseAll(10_000);
    limiter.pauseAll(2_000);
    void send(1);
    await clock.runAll();
    expect(sent[0]?.at).toBe(10_000);
    expect(limiter.stats().pausedUntil).toBe(10_000);
  });
});

describe('createRateLimiter errors and memory', () => {
  it('rejects with the task error (sync or async) and keeps serving the queue', async () => {
    const { clock, limiter, sent, send } = setup();
    const bad = expect(
      limiter.schedule(1, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const worse = expect(
      limiter.schedule(2, () => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    const good = send(1, 'after');
    await clock.runAll();
    await bad;
    await worse;
    await expect(good).resolves.toBe('after');
    expect(sent).toEqual([{ chatId: 1, at: 1000, tag: 'after' }]);
  });

  it('forgets chats once their windows expire, so 100k one-off chats leave no state behind', async () => {
    const { clock, limiter, send } = setup({ globalPerSecond: 1000 });
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 50_000; i++) all.push(send(i + 1));
    for (let i = 0; i < 50_000; i++) all.push(send(-(i + 1)));
    expect(limiter.stats()).toMatchObject({ trackedChats: 100_000, queued: 100_000 });
    await clock.runAll();
    await Promise.all(all);
    expect(limiter.stats().queued).toBe(0);
    await clock.advance(60_000);
    void send(1);
    await clock.advance(0);
    expect(limiter.stats().trackedChats).toBe(1);
  });
});

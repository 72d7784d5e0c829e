import { describe, it, expect } from 'vitest';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import type { RateLimiterOptions } from '../../src/delivery/rate-limiter.ts';
import { createFakeClock } from '../helpers/fake-clock.ts';
import { prng } from '../helpers/prng.ts';

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
    expect(
      maxInWindow(
        sent.map((s) => s.at),
        60_000,
      ),
    ).toBe(20);
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

// Seeded, so the "random" latencies are the same on every run.
const seeded = prng;

interface Call {
  chatId: number | string;
  tag: string;
  start: number;
  arrival: number;
  end: number;
}

/**
 * A limiter whose calls take time on the fake clock, like a request to the Bot API: the call starts, reaches
 * the API (where Telegram counts it) `arrivalMs` later, and is answered at `latencyMs`.
 */
function setupSlow(opts: Partial<RateLimiterOptions> = {}) {
  const clock = createFakeClock();
  const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep, ...opts });
  const calls: Call[] = [];
  const send = (chatId: number | string, tag: string, latencyMs: number, arrivalMs = latencyMs, signal?: AbortSignal) =>
    limiter.schedule(
      chatId,
      async () => {
        const call: Call = { chatId, tag, start: clock.now(), arrival: NaN, end: NaN };
        calls.push(call);
        await clock.sleep(arrivalMs);
        call.arrival = clock.now();
        await clock.sleep(latencyMs - arrivalMs);
        call.end = clock.now();
        return tag;
      },
      signal ? { signal } : {},
    );
  return { clock, limiter, calls, send };
}

describe('createRateLimiter counts a send until its call settles (Telegram counts on arrival)', () => {
  it('keeps a fast call from overtaking into the window of slow earlier ones (the 429 the old limiter hit)', async () => {
    const { clock, calls, send } = setupSlow({ globalPerSecond: 3 });
    // Three slow calls arrive at the API only when answered, at 300 ms; three instant ones follow.
    const all = [0, 1, 2].map((i) => send(100 + i, `slow${i}`, 300)).concat([3, 4, 5].map((i) => send(100 + i, `fast${i}`, 0)));
    await clock.runAll();
    await Promise.all(all);
    // Counted from the start, the fast ones would go at 1000 and arrive within [300, 1300) with the slow ones:
    // 6 arrivals in one second for a limit of 3. Counted from settlement they wait until 300 + 1000.
    expect(calls.map((c) => [c.tag, c.start, c.arrival])).toEqual([
      ['slow0', 0, 300],
      ['slow1', 0, 300],
      ['slow2', 0, 300],
      ['fast3', 1300, 1300],
      ['fast4', 1300, 1300],
      ['fast5', 1300, 1300],
    ]);
  });

  it('never lets more than L calls arrive in any second, whatever their latency (0–300 ms, random arrival)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seeded(seed);
      const { clock, calls, send } = setupSlow();
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 600; i++) {
        const latency = Math.floor(random() * 301);
        all.push(send(10_000 + i, `m${i}`, latency, Math.floor(random() * (latency + 1))));
      }
      await clock.runAll();
      await expect(Promise.all(all)).resolves.toHaveLength(600);
      expect(calls).toHaveLength(600);
      expect(
        maxInWindow(
          calls.map((c) => c.arrival),
          1000,
        ),
      ).toBeLessThanOrEqual(30);
      expect(
        maxInWindow(
          calls.map((c) => c.end),
          1000,
        ),
      ).toBeLessThanOrEqual(30);
      // A slot costs 1 s + its call's latency (≤ 300 ms), so 600 sends take 20 rounds of at most 1.3 s.
      expect(Math.max(...calls.map((c) => c.start))).toBeLessThanOrEqual(19 * 1300);
      expect(clock.pendingSleeps()).toBe(0);
    }
  });

  it('still sends L per window when calls are fast: 5 ms calls cost each slot 1005 ms, no more', async () => {
    const { clock, calls, send } = setupSlow();
    const all = Array.from({ length: 300 }, (_, i) => send(10_000 + i, `m${i}`, 5));
    await clock.runAll();
    await Promise.all(all);
    const starts = calls.map((c) => c.start);
    for (let round = 0; round < 10; round++) expect(starts.filter((t) => t === round * 1005)).toHaveLength(30);
    expect(
      maxInWindow(
        calls.map((c) => c.arrival),
        1000,
      ),
    ).toBe(30);
  });

  it('waits for a call in flight when every global slot is taken, and goes as soon as its span has passed', async () => {
    const { clock, calls, send } = setupSlow({ globalPerSecond: 2 });
    const all = [send(1, 'a', 5000), send(2, 'b', 7000), send(3, 'c', 0), send(4, 'd', 0)];
    await clock.advance(5999);
    expect(calls.map((c) => c.tag)).toEqual(['a', 'b']);
    await clock.advance(1);
    expect(calls.map((c) => [c.tag, c.start])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 6000],
    ]);
    await clock.runAll();
    await Promise.all(all);
    // b's slot is held until 7000 + 1000, but c (instant, answered at 6000) freed its own at 7000.
    expect(calls.find((c) => c.tag === 'd')?.start).toBe(7000);
  });

  it('starts the next message to a private chat 1 s after the previous one was answered, in order', async () => {
    const random = seeded(7);
    const { clock, calls, send } = setupSlow();
    const all = Array.from({ length: 8 }, (_, i) => send(42, `p${i}`, Math.floor(random() * 301)));
    for (let c = 0; c < 20; c++) all.push(send(500 + c, `other${c}`, 100));
    await clock.runAll();
    await Promise.all(all);
    const mine = calls.filter((c) => c.chatId === 42);
    expect(mine.map((c) => c.tag)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBe(mine[i - 1]!.end + 1000);
    // The other chats were not held back by chat 42's slow calls.
    expect(calls.filter((c) => c.chatId !== 42).every((c) => c.start === 0)).toBe(true);
  });

  it('keeps a group to 20 arrivals per minute and its messages in order under random latency', async () => {
    const random = seeded(11);
    const { clock, calls, send } = setupSlow();
    const all = Array.from({ length: 50 }, (_, i) => {
      const latency = Math.floor(random() * 301);
      return send(-100_777, `g${i}`, latency, Math.floor(random() * (latency + 1)));
    });
    await clock.runAll();
    await Promise.all(all);
    expect(calls.map((c) => c.tag)).toEqual(Array.from({ length: 50 }, (_, i) => `g${i}`));
    expect(
      maxInWindow(
        calls.map((c) => c.arrival),
        60_000,
      ),
    ).toBe(20);
    expect(calls.slice(0, 20).every((c) => c.start === 0)).toBe(true);
    expect(calls[20]!.start).toBe(Math.min(...calls.slice(0, 20).map((c) => c.end)) + 60_000);
  });

  it('withdraws a call queued behind one in flight to its chat when the signal aborts', async () => {
    const { clock, limiter, calls, send } = setupSlow();
    const first = send(1, 'first', 10_000);
    const ac = new AbortController();
    const second = send(1, 'second', 0, 0, ac.signal);
    const third = send(1, 'third', 0);
    await clock.advance(100);
    ac.abort(new Error('shutdown'));
    await expect(second).rejects.toThrow('shutdown');
    expect(limiter.stats().queued).toBe(1);
    await clock.runAll();
    await expect(first).resolves.toBe('first');
    await expect(third).resolves.toBe('third');
    expect(calls.map((c) => [c.tag, c.start])).toEqual([
      ['first', 0],
      ['third', 11_000],
    ]);
  });

  it('honours pauseAll while calls are in flight, and the window of slow calls on top of it', async () => {
    const { clock, limiter, calls, send } = setupSlow({ globalPerSecond: 1 });
    void send(1, 'slow', 3000);
    void send(2, 'next', 0);
    await clock.advance(0);
    limiter.pauseAll(2000);
    await clock.runAll();
    // The pause ended at 2000, but the one global slot is held until 3000 + 1000.
    expect(calls.map((c) => [c.tag, c.start])).toEqual([
      ['slow', 0],
      ['next', 4000],
    ]);
  });

  it('forgets chats once slow calls have settled and their windows expired, and chats left with only withdrawn calls', async () => {
    const { clock, limiter, send } = setupSlow({ globalPerSecond: 1000 });
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) all.push(send(i + 1, `p${i}`, 2000));
    for (let i = 0; i < 2000; i++) all.push(send(-(i + 1), `g${i}`, 2000));
    await clock.advance(2500);
    expect(limiter.stats().trackedChats).toBe(4000);
    await clock.runAll();
    await Promise.all(all);
    await clock.advance(60_000);
    // A group whose only call is withdrawn while everything is paused never sends; it must not stay tracked.
    limiter.pauseAll(clock.now() + 5000);
    const ac = new AbortController();
    const withdrawn = send(-999, 'never', 0, 0, ac.signal);
    ac.abort(new Error('stop'));
    await expect(withdrawn).rejects.toThrow('stop');
    await clock.runAll();
    void send(1, 'again', 0);
    await clock.advance(0);
    expect(limiter.stats().trackedChats).toBe(1);
  });
});

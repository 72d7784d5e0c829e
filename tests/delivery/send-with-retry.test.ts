import { describe, it, expect, vi } from 'vitest';
import { TelegramError } from 'telegraf';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import { OUTAGE_GAVE_UP, createDeliverer } from '../../src/delivery/send-with-retry.ts';
import { createOutageGate } from '../../src/delivery/outage-gate.ts';
import { UncertainRequestError } from '../../src/delivery/request-timeout.ts';
import type { DelivererOptions } from '../../src/delivery/send-with-retry.ts';
import type { ChatId } from '../../src/delivery/rate-limiter.ts';
import { createFakeClock } from '../helpers/fake-clock.ts';

type Outcome = { error: unknown } | { ok: true };

/**
 * A fake Bot API sendMessage: records every request (chat, text, fake time) and answers from a per-chat
 * script of outcomes, succeeding once the script runs out.
 */
function setup(opts: Partial<DelivererOptions> = {}) {
  const clock = createFakeClock();
  const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep });
  const deliverer = createDeliverer({ limiter, now: clock.now, sleep: clock.sleep, random: () => 0, ...opts });
  const requests: { chatId: ChatId; text: string; at: number }[] = [];
  const script = new Map<string, Outcome[]>();
  let nextId = 1;
  const api = {
    async sendMessage(chatId: ChatId, text: string) {
      requests.push({ chatId, text, at: clock.now() });
      const outcome = script.get(String(chatId))?.shift();
      if (outcome && 'error' in outcome) throw outcome.error;
      return { message_id: nextId++, chat: { id: chatId }, text };
    },
  };
  const on = (chatId: ChatId, ...outcomes: Outcome[]) => script.set(String(chatId), outcomes);
  const send = (text: string) => (chatId: ChatId) => api.sendMessage(chatId, text);
  return { clock, limiter, deliverer, requests, on, send };
}

const tg = (code: number, description: string, parameters?: { retry_after?: number; migrate_to_chat_id?: number }) => ({
  error: new TelegramError({ error_code: code, description, ...(parameters && { parameters }) }),
});

describe('deliver: success and rate limits', () => {
  it('delivers and reports where it went', async () => {
    const { clock, deliverer, requests, send } = setup();
    const result = deliverer.deliver(42, send('hello'));
    await clock.runAll();
    expect(await result).toEqual({ ok: true, chatId: 42, value: { message_id: 1, chat: { id: 42 }, text: 'hello' } });
    expect(requests).toEqual([{ chatId: 42, text: 'hello', at: 0 }]);
  });

  it('on 429 waits exactly retry_after, resends the same message, and holds other chats meanwhile', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(42, tg(429, 'Too Many Requests: retry after 7', { retry_after: 7 }));
    const first = deliverer.deliver(42, send('digest part 1'));
    await clock.advance(100);
    const other = deliverer.deliver(43, send('someone else'));
    await clock.advance(6899);
    expect(requests).toHaveLength(1);
    await clock.advance(1);
    expect(await first).toMatchObject({ ok: true, chatId: 42 });
    expect(await other).toMatchObject({ ok: true, chatId: 43 });
    expect(requests[0]).toEqual({ chatId: 42, text: 'digest part 1', at: 0 });
    // Both go the instant the pause ends; which of the two is first is readiness order and does not matter.
    expect(requests.slice(1)).toHaveLength(2);
    expect(requests.slice(1)).toEqual(
      expect.arrayContaining([
        { chatId: 42, text: 'digest part 1', at: 7000 },
        { chatId: 43, text: 'someone else', at: 7000 },
      ]),
    );
  });

  it('keeps retrying through repeated hour-long 429s and never drops the message', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    const hour = tg(429, 'Too Many Requests: retry after 3600', { retry_after: 3600 });
    on(1, hour, hour, hour, hour, hour, hour, hour);
    const result = deliverer.deliver(1, send('x'));
    await clock.runAll();
    expect(await result).toMatchObject({ ok: true, chatId: 1 });
    expect(requests.map((r) => r.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((h) => h * 3_600_000));
  });

  it('keeps one chat’s messages in order even when the first one is rate limited', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(9, tg(429, 'Too Many Requests: retry after 3', { retry_after: 3 }));
    const parts = ['1/3', '2/3', '3/3'].map((p) => deliverer.deliver(9, send(p)));
    await clock.runAll();
    expect((await Promise.all(parts)).every((r) => r.ok)).toBe(true);
    expect(requests.map((r) => [r.text, r.at])).toEqual([
      ['1/3', 0],
      ['1/3', 3000],
      ['2/3', 4000],
      ['3/3', 5000],
    ]);
  });
});

describe('deliver: permanent failures', () => {
  it('403 blocked: one request, no retry', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(5, tg(403, 'Forbidden: bot was blocked by the user'));
    const result = deliverer.deliver(5, send('x'));
    await clock.runAll();
    expect(await result).toEqual({ ok: false, reason: 'blocked', description: 'Forbidden: bot was blocked by the user', chatId: 5 });
    expect(requests).toHaveLength(1);
  });

  it('chat not found: one request, reason chat-not-found', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(-77, tg(400, 'Bad Request: chat not found'));
    const result = deliverer.deliver(-77, send('x'));
    await clock.runAll();
    expect(await result).toEqual({ ok: false, reason: 'chat-not-found', description: 'Bad Request: chat not found', chatId: -77 });
    expect(requests).toHaveLength(1);
  });

  it('a deleted or closed forum topic: one request, reason topic-gone (the caller may resend outside the topic)', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(-1005, tg(400, 'Bad Request: message thread not found'));
    const result = deliverer.deliver(-1005, send('x'));
    await clock.runAll();
    expect(await result).toEqual({ ok: false, reason: 'topic-gone', description: 'Bad Request: message thread not found', chatId: -1005 });
    expect(requests).toHaveLength(1);
  });

  it('other 400: one request, reason bad-request with Telegram’s description', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(5, tg(400, 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0'));
    const result = deliverer.deliver(5, send('<foo>'));
    await clock.runAll();
    expect(await result).toEqual({
      ok: false,
      reason: 'bad-request',
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0',
      chatId: 5,
    });
    expect(requests).toHaveLength(1);
  });
});

describe('deliver: group migrated to supergroup', () => {
  it('resends to the new id, reports it, and sends later messages straight there', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(-123, tg(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1009876543210 }));
    const first = deliverer.deliver(-123, send('today'));
    await clock.runAll();
    expect(await first).toMatchObject({ ok: true, chatId: -1009876543210, migratedFrom: -123 });
    const second = deliverer.deliver(-123, send('tomorrow'));
    await clock.runAll();
    expect(await second).toMatchObject({ ok: true, chatId: -1009876543210, migratedFrom: -123 });
    expect(requests.map((r) => [r.chatId, r.text])).toEqual([
      [-123, 'today'],
      [-1009876543210, 'today'],
      [-1009876543210, 'tomorrow'],
    ]);
    expect(deliverer.resolveChatId(-123)).toBe(-1009876543210);
  });

  it('reports a failure after migration against the new id', async () => {
    const { clock, deliverer, on, send } = setup();
    on(-1, tg(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1002 }));
    on(-1002, tg(403, 'Forbidden: bot was kicked from the supergroup chat'));
    const result = deliverer.deliver(-1, send('x'));
    await clock.runAll();
    expect(await result).toEqual({
      ok: false,
      reason: 'blocked',
      description: 'Forbidden: bot was kicked from the supergroup chat',
      chatId: -1002,
      migratedFrom: -1,
    });
  });
});

describe('deliver: transient failures', () => {
  it('retries 5xx with exponential backoff, then gives up as failed', async () => {
    const { clock, deliverer, requests, on, send } = setup({ maxTransientRetries: 5, baseBackoffMs: 500 });
    const bad = tg(502, 'Bad Gateway');
    on(8, bad, bad, bad, bad, bad, bad, bad);
    const result = deliverer.deliver(8, send('x'));
    await clock.runAll();
    expect(await result).toEqual({ ok: false, reason: 'failed', description: '502: Bad Gateway', chatId: 8 });
    // random() = 0 gives the low end of equal jitter: half of 500·2^(n-1). Each gap is backoff, then the chat window.
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    expect(requests).toHaveLength(6);
    expect(gaps).toEqual([1000, 1000, 1000, 2000, 4000]);
  });

  it('spreads backoff with jitter between half and the full exponential step', async () => {
    const sleeps: number[] = [];
    const clock = createFakeClock();
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep, privatePerSecond: 1000 });
    const deliverer = createDeliverer({
      limiter,
      now: clock.now,
      sleep: (ms) => {
        sleeps.push(ms);
        return clock.sleep(ms);
      },
      random: () => 1,
      baseBackoffMs: 500,
      maxTransientRetries: 3,
    });
    const result = deliverer.deliver(1, async () => {
      throw new TelegramError({ error_code: 500, description: 'Internal Server Error' });
    });
    await clock.runAll();
    expect(await result).toMatchObject({ ok: false, reason: 'failed' });
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('recovers from a network error (ECONNRESET) on retry', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    const reset = Object.assign(
      new Error('request to https://api.telegram.org/bot123:[REDACTED]/sendMessage failed, reason: read ECONNRESET'),
      {
        name: 'FetchError',
        type: 'system',
        code: 'ECONNRESET',
        errno: 'ECONNRESET',
      },
    );
    on(3, { error: reset });
    const result = deliverer.deliver(3, send('x'));
    await clock.runAll();
    expect(await result).toMatchObject({ ok: true, chatId: 3 });
    expect(requests.map((r) => r.at)).toEqual([0, 1000]);
  });

  it('unknown errors fail fast and nothing ever throws out of deliver()', async () => {
    const log = {
      info: vi.fn(() => {
        throw new Error('logger down');
      }),
      warn: vi.fn(() => {
        throw new Error('logger down');
      }),
    };
    const { clock, deliverer, send } = setup({ log });
    const results = [
      deliverer.deliver(1, () => {
        throw new TypeError('send is broken');
      }),
      deliverer.deliver(2, async () => {
        throw new TelegramError({ error_code: 401, description: 'Unauthorized' });
      }),
      deliverer.deliver(3, async () => {
        throw tg(500, 'Internal Server Error').error;
      }),
      deliverer.deliver(4, send('fine')),
    ];
    await clock.runAll();
    expect(await Promise.all(results)).toEqual([
      { ok: false, reason: 'failed', description: 'send is broken', chatId: 1 },
      { ok: false, reason: 'failed', description: '401: Unauthorized', chatId: 2 },
      { ok: false, reason: 'failed', description: '500: Internal Server Error', chatId: 3 },
      expect.objectContaining({ ok: true, chatId: 4 }),
    ]);
    expect(log.warn).toHaveBeenCalled();
  });
});

describe('deliver: shutdown (abort signal)', () => {
  it('an abort during a long 429 pause ends the wait at once: failed/aborted, and the message is never sent later', async () => {
    const { clock, deliverer, requests, on, send } = setup();
    on(1, tg(429, 'Too Many Requests: retry after 3600', { retry_after: 3600 }));
    const controller = new AbortController();
    let settled = false;
    const result = deliverer.deliver(1, send('x'), { signal: controller.signal });
    void result.then(() => (settled = true));
    await clock.advance(1000);
    expect(settled).toBe(false);
    controller.abort();
    await clock.flush();
    expect(settled).toBe(true);
    expect(await result).toEqual({ ok: false, reason: 'failed', description: 'aborted', chatId: 1 });
    // The queued resend was withdrawn: when the pause ends nothing goes out, and the next delivery is sent once.
    const later = deliverer.deliver(1, send('y'));
    await clock.runAll();
    expect(await later).toMatchObject({ ok: true });
    expect(requests.map((r) => r.text)).toEqual(['x', 'y']);
  });

  it('an abort during a transient backoff ends it at once', async () => {
    const { clock, deliverer, requests, on, send } = setup({ baseBackoffMs: 60_000, maxBackoffMs: 600_000 });
    const bad = tg(502, 'Bad Gateway');
    on(8, bad, bad, bad);
    const controller = new AbortController();
    const result = deliverer.deliver(8, send('x'), { signal: controller.signal });
    await clock.advance(10);
    controller.abort();
    await clock.flush();
    expect(await Promise.race([result, Promise.resolve('pending')])).toEqual({
      ok: false,
      reason: 'failed',
      description: 'aborted',
      chatId: 8,
    });
    expect(requests).toHaveLength(1);
  });

  it('a signal aborted before the call sends nothing', async () => {
    const { clock, deliverer, requests, send } = setup();
    const result = deliverer.deliver(3, send('x'), { signal: AbortSignal.abort() });
    await clock.runAll();
    expect(await result).toEqual({ ok: false, reason: 'failed', description: 'aborted', chatId: 3 });
    expect(requests).toEqual([]);
  });
});

describe('deliver: outages and uncertain sends', () => {
  const refused = () => ({
    error: Object.assign(new Error('request to http://127.0.0.1:1/bot1:[REDACTED]/sendMessage failed, reason: connect ECONNREFUSED'), {
      name: 'FetchError',
      type: 'system',
      code: 'ECONNREFUSED',
    }),
  });

  it("a 20 s outage of every chat spends no chat's retries: sends wait for a probe, then all go", async () => {
    const { clock, deliverer, requests } = setup({ maxTransientRetries: 5, baseBackoffMs: 500 });
    const downUntil = 20_000;
    const api = (chatId: ChatId) => async () => {
      requests.push({ chatId, text: 'x', at: clock.now() });
      if (clock.now() < downUntil) throw refused().error;
      return { message_id: 1 };
    };
    const results = Array.from({ length: 20 }, (_, i) => deliverer.deliver(100 + i, api(100 + i)));
    await clock.advance(60_000);
    const all = await Promise.all(results);
    expect(all.filter((r) => !r.ok)).toEqual([]);
    expect(deliverer.outage.stats().outages).toBe(1);
    // During the outage: the first failures that declared it, then one probe per backoff (1, 2, 4, 8, 16 s).
    const duringOutage = requests.filter((r) => r.at < downUntil);
    expect(duringOutage.length).toBeLessThan(20 + 8);
    expect(new Set(requests.filter((r) => r.at >= downUntil).map((r) => r.chatId)).size).toBe(20);
  });

  it("one chat failing while others are answered is that chat's failure, not an outage", async () => {
    const { clock, deliverer, on, send } = setup({ maxTransientRetries: 3, baseBackoffMs: 500 });
    const bad = tg(500, 'Internal Server Error');
    on(8, bad, bad, bad, bad, bad);
    const failing = deliverer.deliver(8, send('x'));
    const others = Array.from({ length: 6 }, (_, i) => deliverer.deliver(20 + i, send('y')));
    await clock.runAll();
    expect(await failing).toMatchObject({ ok: false, reason: 'failed' });
    expect((await Promise.all(others)).every((r) => r.ok)).toBe(true);
    expect(deliverer.outage.stats().outages).toBe(0);
  });

  it('an outage longer than giveUpAfterMs ends the waiting sends as failed (the CLI must not wait for ever)', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep });
    const outage = createOutageGate({ now: clock.now, sleep: clock.sleep, giveUpAfterMs: 60_000 });
    const deliverer = createDeliverer({ limiter, now: clock.now, sleep: clock.sleep, random: () => 0, outage });
    const down = async () => {
      throw refused().error;
    };
    const results = [1, 2, 3, 4].map((id) => deliverer.deliver(id, down));
    await clock.advance(120_000);
    for (const r of await Promise.all(results)) expect(r).toMatchObject({ ok: false, reason: 'failed', description: OUTAGE_GAVE_UP });
  });

  it('a send that timed out after it was written comes back uncertain and is not resent', async () => {
    const { clock, deliverer } = setup();
    let calls = 0;
    const result = deliverer.deliver(5, async () => {
      calls++;
      throw new UncertainRequestError('sendMessage', 60_000);
    });
    await clock.runAll();
    expect(await result).toMatchObject({ ok: false, reason: 'uncertain', chatId: 5 });
    expect(calls).toBe(1);
  });
});

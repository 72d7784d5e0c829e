import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it, expect, vi } from 'vitest';
import { Telegram, TelegramError } from 'telegraf';
import { createBot } from '../../src/bot/create-bot.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import { throttleTelegram } from '../../src/delivery/telegraf-throttle.ts';
import { silentLog } from '../../src/infra/log.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { TEST_BOT } from '../helpers/bot-harness.ts';
import { createFakeClock } from '../helpers/fake-clock.ts';
import { shippedAgencies } from '../helpers/seed.ts';

type Reply = { status?: number; body: Record<string, unknown> };

/**
 * A stand-in for api.telegram.org on loopback: telegraf's real callApi (JSON encoding, node-fetch, error
 * mapping) runs unchanged; only the far end is scripted. Requests are stamped with the fake clock.
 */
async function startFakeBotApi(clock: { now: () => number }) {
  const requests: { method: string; body: Record<string, unknown>; at: number }[] = [];
  const script: Reply[] = [];
  let messageId = 1;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').at(-1) ?? '';
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ method, body, at: clock.now() });
      const reply: Reply = script.shift() ?? {
        body: {
          ok: true,
          result: method === 'sendMessage' ? { message_id: messageId++, chat: { id: body.chat_id }, text: body.text } : true,
        },
      };
      res.writeHead(reply.status ?? (reply.body.ok ? 200 : Number(reply.body.error_code)), { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { apiRoot, requests, script, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const tooMany = (sec: number): Reply => ({
  body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${sec}`, parameters: { retry_after: sec } },
});

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup() {
  const clock = createFakeClock(1_700_000_000_000);
  const api = await startFakeBotApi(clock);
  cleanup = api.close;
  const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep });
  const telegram = throttleTelegram(new Telegram('123:abc', { apiRoot: api.apiRoot }), limiter, { now: clock.now });
  return { clock, api, limiter, telegram, t0: clock.now() };
}

describe('throttleTelegram', () => {
  it('paces sendMessage and editMessageText to one chat through the shared per-chat window', async () => {
    const { clock, api, limiter, telegram, t0 } = await setup();
    const sent = telegram.sendMessage(42, 'one');
    const second = telegram.sendMessage(42, 'two');
    const edit = telegram.editMessageText(42, 1, undefined, 'one, edited');
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    expect(limiter.stats().queued).toBe(2);
    await expect(sent).resolves.toMatchObject({ message_id: 1, text: 'one' });

    await clock.advance(999);
    expect(api.requests).toHaveLength(1);
    await clock.advance(1);
    await expect(second).resolves.toMatchObject({ text: 'two' });
    await clock.advance(1000);
    await expect(edit).resolves.toBe(true);

    expect(api.requests.map((r) => [r.method, r.body.chat_id, r.at - t0])).toEqual([
      ['sendMessage', 42, 0],
      ['sendMessage', 42, 1000],
      ['editMessageText', 42, 2000],
    ]);
  });

  it('lets non-chat calls straight through even while all sends are paused', async () => {
    const { api, limiter, telegram } = await setup();
    api.script.push({ body: { ok: true, result: { id: 123, is_bot: true, first_name: 'Bulletin', username: 'bulletin_bot' } } });
    limiter.pauseAll(Number.MAX_SAFE_INTEGER);
    const held = telegram.sendMessage(1, 'held');
    await expect(telegram.getMe()).resolves.toMatchObject({ username: 'bulletin_bot' });
    await expect(telegram.setMyCommands([{ command: 'today', description: 'Digest' }])).resolves.toBe(true);
    await expect(telegram.answerCbQuery('cbq-1', 'ok')).resolves.toBe(true);
    await expect(telegram.answerInlineQuery('iq-1', [])).resolves.toBe(true);
    expect(api.requests.map((r) => r.method)).toEqual(['getMe', 'setMyCommands', 'answerCallbackQuery', 'answerInlineQuery']);
    expect(limiter.stats().queued).toBe(1);
    void held.catch(() => {});
  });

  it('on 429 pauses the limiter for retry_after and resends the same payload', async () => {
    const { clock, api, limiter, telegram, t0 } = await setup();
    api.script.push(tooMany(3));
    const reply = telegram.sendMessage(-100777, '<b>hi</b>', { parse_mode: 'HTML' });
    await vi.waitFor(() => expect(limiter.stats().pausedUntil).toBe(t0 + 3000));
    await clock.advance(2999);
    expect(api.requests).toHaveLength(1);
    await clock.advance(1);
    await expect(reply).resolves.toMatchObject({ text: '<b>hi</b>' });
    expect(api.requests.map((r) => r.at - t0)).toEqual([0, 3000]);
    expect(api.requests[1]?.body).toEqual(api.requests[0]?.body);
    expect(api.requests[0]?.body).toEqual({ chat_id: -100777, text: '<b>hi</b>', parse_mode: 'HTML' });
  });

  it('gives up after maxRateLimitRetries and rethrows the TelegramError', async () => {
    const { clock, api, limiter, telegram } = await setup();
    api.script.push(tooMany(1), tooMany(1), tooMany(1));
    const reply = telegram.sendMessage(5, 'x');
    const rejected = expect(reply).rejects.toSatisfy((e) => e instanceof TelegramError && e.code === 429);
    for (let i = 1; i <= 2; i++) {
      // The retry is queued behind the 1 s pause; wait for the limiter to be napping on it, then release it.
      await vi.waitFor(() => expect(api.requests).toHaveLength(i));
      await vi.waitFor(() => expect(limiter.stats().queued).toBe(1));
      await clock.advance(1000);
    }
    await rejected;
    expect(api.requests).toHaveLength(3);
    expect(limiter.stats().queued).toBe(0);
  });

  it('rethrows at once when retry_after is longer than a user should wait, but still pauses everything', async () => {
    const { api, limiter, telegram, t0 } = await setup();
    api.script.push(tooMany(7200));
    await expect(telegram.sendMessage(5, 'x')).rejects.toThrow('429: Too Many Requests: retry after 7200');
    expect(api.requests).toHaveLength(1);
    expect(limiter.stats().pausedUntil).toBe(t0 + 7_200_000);
  });

  it('passes 403 through untouched and does not retry it', async () => {
    const { api, telegram } = await setup();
    api.script.push({ body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    await expect(telegram.sendMessage(5, 'x')).rejects.toThrow('403: Forbidden: bot was blocked by the user');
    expect(api.requests).toHaveLength(1);
  });

  it('is idempotent: wrapping twice still schedules each call once', async () => {
    const { limiter, telegram, api } = await setup();
    const schedule = vi.spyOn(limiter, 'schedule');
    throttleTelegram(telegram, limiter);
    await telegram.sendMessage(5, 'x');
    expect(schedule).toHaveBeenCalledTimes(1);
    expect(api.requests).toHaveLength(1);
  });
});

describe('replies of the bot (createBot) through the throttled bot.telegram', () => {
  it('are paced per chat, though telegraf makes a fresh client per update', async () => {
    const clock = createFakeClock(1_000_000);
    const api = await startFakeBotApi(clock);
    cleanup = api.close;
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep });
    const entries = createMemoryEntryStore();
    const bot = createBot(
      { token: '123:abc', apiRoot: api.apiRoot, adminIds: [], timezone: 'Asia/Shanghai', digestTime: '09:00', searchRatePerMinute: 20 },
      { entries, catalog: createCatalog(entries, shippedAgencies()), log: silentLog, now: clock.now },
    );
    bot.botInfo = TEST_BOT;
    throttleTelegram(bot.telegram, limiter, { now: clock.now });
    const update = (id: number) => ({
      update_id: id,
      message: {
        message_id: id,
        date: 0,
        chat: { id: 42, type: 'private' as const, first_name: 'A' },
        from: { id: 42, is_bot: false, first_name: 'A' },
        text: '/help',
        entities: [{ type: 'bot_command' as const, offset: 0, length: 5 }],
      },
    });
    const handled = Promise.all([bot.handleUpdate(update(1)), bot.handleUpdate(update(2))]);
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    await clock.advance(999);
    expect(api.requests).toHaveLength(1);
    await clock.advance(1);
    await handled;
    expect(api.requests.map((r) => [r.method, r.at - 1_000_000])).toEqual([
      ['sendMessage', 0],
      ['sendMessage', 1000],
    ]);
  });
});

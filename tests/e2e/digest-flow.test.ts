/**
 * The push side end to end: a user subscribes through the polling bot, an editor publishes a bulletin,
 * the digest runner delivers over HTTP through the real deliverer and limiter. Time of day is a fake clock;
 * the network, Telegram's answers and 429/403 are real HTTP from the local env.emulator.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegram } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.ts';
import { silentLog } from '../../src/infra/log.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { parseBulletin } from '../../src/core/parse-bulletin.ts';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import { createDeliverer } from '../../src/delivery/send-with-retry.ts';
import { htmlSender } from '../../src/digest/digest-service.ts';
import { createDigestRunner } from '../../src/digest/run-digest.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { createMemorySubscriptionStore } from '../../src/store/subscription-store.ts';
import { useEmulator } from '../helpers/use-emulator.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';
import { SimulatedChat } from '../helpers/user-client.ts';

const env = useEmulator();

const SHANGHAI_0830 = Date.parse('2026-11-28T00:30:00Z');
const NEXT_DAY_0905 = Date.parse('2026-11-29T01:05:00Z');

async function setup() {
  let now = SHANGHAI_0830;
  const agencies = shippedAgencies();
  const entries = createMemoryEntryStore();
  entries.apply(parseSeed());
  const subscriptions = createMemorySubscriptionStore();
  const bot = createBot(
    {
      token: env.emulator.token,
      apiRoot: env.emulator.apiRoot,
      adminIds: [],
      timezone: 'Asia/Shanghai',
      digestTime: '09:00',
      searchRatePerMinute: 20,
    },
    { entries, catalog: createCatalog(entries, agencies), log: silentLog, now: () => now, subscriptions },
  );
  await env.launch(bot);
  const limiter = createRateLimiter({ now: Date.now, sleep: (ms) => sleep(ms) });
  const deliverer = createDeliverer({ limiter, now: Date.now, sleep: (ms) => sleep(ms), baseBackoffMs: 20 });
  const runner = createDigestRunner({
    subscriptions,
    entries,
    agencies: () => agencies,
    deliver: deliverer.deliver,
    send: htmlSender(new Telegram(env.emulator.token, { apiRoot: env.emulator.apiRoot })),
    now: () => now,
    log: silentLog,
  });
  const publish = (titles: string[]) =>
    entries.apply(
      parseBulletin(
        [
          '新一期简报 (系列三：截止至2020年3月30日)',
          '',
          '中心',
          '',
          ...titles.flatMap((t) => ['3月29日', t, `${t}的正文。`, '来源：上海市公安局']),
        ].join('\n'),
        { file: 'next.txt', agencies },
      ),
    );
  return { runner, subscriptions, publish, setNow: (t: number) => (now = t) };
}

describe('daily digest over a local Bot API', () => {
  it('delivers exactly the new measures once; a second run sends nothing', async () => {
    const { runner, subscriptions, publish, setNow } = await setup();
    const user = new SimulatedChat(env.emulator, { userId: 701 });
    await user.send('/subscribe 09:00');
    const [confirm] = await user.waitForBotMessages((m) => m.length >= 1);
    expect(confirm!.text).toMatch(/09:00/);
    expect(subscriptions.get(701)).toMatchObject({ state: 'active', time: '09:00' });

    publish(['公安新措施甲', '公安新措施乙']);
    setNow(NEXT_DAY_0905);
    const first = await runner.runDue();
    expect(first.sent).toBe(1);
    const msgs = await user.waitForBotMessages((m) => m.length >= 2);
    const digest = msgs.at(-1)!.text;
    expect(digest).toContain('公安新措施甲');
    expect(digest).toContain('公安新措施乙');
    expect(digest).not.toContain('静安警方'); // old measures are not "new"

    const before = env.emulator.callsTo('sendMessage', 701).length;
    const second = await runner.runDue();
    expect(second.sent).toBe(0);
    expect(env.emulator.callsTo('sendMessage', 701)).toHaveLength(before);
  });

  it('waits out an injected 429 and resends the same digest once; pauses a chat that blocked the bot', async () => {
    const { runner, subscriptions, publish, setNow } = await setup();
    const alice = new SimulatedChat(env.emulator, { userId: 801 });
    const bob = new SimulatedChat(env.emulator, { userId: 802 });
    await alice.send('/subscribe 09:00');
    await bob.send('/subscribe 09:00');
    await alice.waitForBotMessages((m) => m.length >= 1);
    await bob.waitForBotMessages((m) => m.length >= 1);

    publish(['限流测试措施']);
    setNow(NEXT_DAY_0905);
    env.emulator.injectError({
      method: 'sendMessage',
      chatId: 801,
      times: 1,
      error: { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    env.emulator.injectError({
      method: 'sendMessage',
      chatId: 802,
      error: { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const t0 = Date.now();
    const result = await runner.runDue();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // it did wait retry_after before resending
    expect(result).toMatchObject({ sent: 1, paused: 1 });

    const delivered = (await alice.waitForBotMessages((m) => m.some((x) => x.text.includes('限流测试措施')))).filter((x) =>
      x.text.includes('限流测试措施'),
    );
    expect(delivered).toHaveLength(1);
    // Paused, not deleted: it resumes when the user unblocks the bot.
    expect(subscriptions.get(802)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });
  });
});

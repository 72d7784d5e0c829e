/**
 * Channels, weekly and instant digests end to end: telegraf polls the local Bot API, the runner delivers over
 * HTTP through the real deliverer and limiter; the time of day is a fake clock.
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
import { digestButtons, htmlSender } from '../../src/digest/digest-service.ts';
import { createDigestRunner } from '../../src/digest/run-digest.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { openSubscriptionStore } from '../../src/store/subscription-store.ts';
import type { SubscriptionStore } from '../../src/store/subscription-store.ts';
import { BOT_USER } from '../helpers/bot-api-emulator.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { useEmulator } from '../helpers/use-emulator.ts';
import { SimulatedChat, botMessages } from '../helpers/user-client.ts';

const env = useEmulator();
const tempDir = useTempDir();
const CHANNEL = -1001112223334;
// Saturday 2026-11-28, 08:30 in Shanghai.
const START = Date.parse('2026-11-28T00:30:00Z');
const DAY = 86_400_000;

async function setup() {
  let now = START;
  const agencies = shippedAgencies();
  const entries = createMemoryEntryStore();
  entries.apply(parseSeed());
  const file = `${tempDir()}/subscriptions.json`;
  const subscriptions = await openSubscriptionStore(file);
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
  const runnerOver = (subs: SubscriptionStore) =>
    createDigestRunner({
      subscriptions: subs,
      entries,
      agencies: () => agencies,
      deliver: deliverer.deliver,
      send: htmlSender(new Telegram(env.emulator.token, { apiRoot: env.emulator.apiRoot })),
      now: () => now,
      log: silentLog,
      keyboard: digestButtons(() => BOT_USER.username),
    });
  let n = 0;
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
        { file: `next-${++n}.txt`, agencies },
      ),
    );
  return { runner: runnerOver(subscriptions), runnerOver, subscriptions, file, publish, setNow: (t: number) => (now = t), now: () => now };
}

const channelPost = (text: string) => ({
  channel_post: {
    date: 0,
    chat: { id: CHANNEL, type: 'channel', title: '企业服务频道' },
    sender_chat: { id: CHANNEL, type: 'channel', title: '企业服务频道' },
    text,
    entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
  },
});

describe('a channel over the local Bot API', () => {
  it('subscribes by channel_post; a published bulletin reaches it exactly once, with links to the bot', async () => {
    const { runner, subscriptions, publish, setNow } = await setup();
    env.emulator.addChat({ id: CHANNEL, type: 'channel', title: '企业服务频道', username: 'bizchannel' });
    env.emulator.pushUpdate(channelPost('/subscribe 09:00'));
    await env.emulator.waitForCall('sendMessage', { chatId: CHANNEL });
    expect(subscriptions.get(CHANNEL)).toMatchObject({ chatType: 'channel', time: '09:00', state: 'active' });

    publish(['频道新措施甲']);
    setNow(START + DAY + 35 * 60_000); // Sunday 09:05
    expect((await runner.runDue()).sent).toBe(1);
    expect((await runner.runDue()).sent).toBe(0);
    const digests = botMessages(env.emulator, CHANNEL).filter((m) => m.text.includes('频道新措施甲'));
    expect(digests).toHaveLength(1);
    const buttons = digests[0]!.buttons.flat();
    expect(buttons.length).toBeGreaterThan(0);
    for (const b of buttons) {
      expect(b.callback_data).toBeUndefined();
      expect(b.url).toMatch(new RegExp(`^https://t\\.me/${BOT_USER.username}\\?start=e_`));
    }
  });

  it('from private: /subscribe @channel checks getChatMember; a 403 pauses it and being re-added resumes it', async () => {
    const { runner, subscriptions, publish, setNow } = await setup();
    env.emulator.addChat({ id: CHANNEL, type: 'channel', title: '企业服务频道', username: 'bizchannel' });
    const admin = new SimulatedChat(env.emulator, { userId: 901 });
    await admin.send('/subscribe @bizchannel 9点');
    await admin.waitForBotMessages((m) => m.length >= 1);
    expect(admin.botMessages()[0]!.text).toContain('只有频道 @bizchannel 的管理员');
    expect(subscriptions.get(CHANNEL)).toBeUndefined();

    env.emulator.setChatMember(CHANNEL, 901, { status: 'administrator' });
    env.emulator.setChatMember(CHANNEL, BOT_USER.id, { status: 'administrator', can_post_messages: true });
    await admin.send('/subscribe @bizchannel 9点');
    await admin.waitForBotMessages((m) => m.length >= 2);
    expect(admin.botMessages()[1]!.text).toContain('频道「企业服务频道」');
    expect(subscriptions.get(CHANNEL)).toMatchObject({ chatType: 'channel', time: '09:00' });

    publish(['被移出前的措施']);
    setNow(START + DAY + 35 * 60_000);
    env.emulator.injectError({
      method: 'sendMessage',
      chatId: CHANNEL,
      error: { error_code: 403, description: 'Forbidden: bot is not a member of the channel chat' },
    });
    expect((await runner.runDue()).paused).toBe(1);
    expect(subscriptions.get(CHANNEL)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });

    env.emulator.pushUpdate({
      my_chat_member: {
        chat: { id: CHANNEL, type: 'channel', title: '企业服务频道' },
        from: { id: 901, is_bot: false, first_name: 'A' },
        date: 0,
        old_chat_member: { status: 'left', user: { ...BOT_USER } },
        new_chat_member: { status: 'administrator', can_post_messages: true, user: { ...BOT_USER } },
      },
    });
    for (let i = 0; i < 100 && subscriptions.get(CHANNEL)?.state !== 'active'; i++) await sleep(20);
    expect(subscriptions.get(CHANNEL)?.state).toBe('active');
    setNow(START + 2 * DAY + 35 * 60_000);
    expect((await runner.runDue()).sent).toBe(1);
    expect(botMessages(env.emulator, CHANNEL).filter((m) => m.text.includes('被移出前的措施'))).toHaveLength(1);
  });
});

describe('weekly and instant over the local Bot API', () => {
  it('a weekly subscription gets nothing on the other six days of a week and one digest on its day', async () => {
    const { runner, publish, setNow } = await setup();
    const user = new SimulatedChat(env.emulator, { userId: 902 });
    await user.send('/subscribe 每周一 09:00');
    await user.waitForBotMessages((m) => m.length >= 1);
    expect(user.botMessages()[0]!.text).toContain('下一次：2026-11-30 09:00');
    // Saturday to the next Friday: a publish each day, and passes through each day.
    for (let d = 0; d < 7; d++) {
      publish([`第${d + 1}天措施`]);
      for (const minutes of [0, 35, 600]) {
        setNow(START + d * DAY + minutes * 60_000);
        await runner.runDue();
      }
    }
    const digests = user.botMessages().filter((m) => m.text.includes('每周摘要 · '));
    // Only Monday 2026-11-30 (day 2 of the loop) had one, carrying what was published by then.
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain('每周摘要 · 2026-11-30');
    expect(digests[0]!.text).toContain('第1天措施');
    expect(digests[0]!.text).toContain('第3天措施');
    expect(digests[0]!.text).not.toContain('第4天措施');
  });

  it('an instant subscription gets one message per publish, and nothing twice after a crash', async () => {
    const { runner, runnerOver, subscriptions, file, publish, setNow, now } = await setup();
    const user = new SimulatedChat(env.emulator, { userId: 903 });
    await user.send('/subscribe 即时');
    await user.waitForBotMessages((m) => m.length >= 1);
    expect(subscriptions.get(903)?.frequency).toBe('instant');
    await runner.runDue();
    publish(['即时一']);
    setNow(now() + 60_000);
    await runner.runDue();
    await runner.runDue();
    publish(['即时二']);
    setNow(now() + 60_000);
    await runner.runDue();
    await subscriptions.flush();
    // The process dies and starts again from the file: the next passes send nothing already sent.
    const reopened = await openSubscriptionStore(file);
    setNow(now() + 60_000);
    await runnerOver(reopened).runDue();
    await runnerOver(reopened).runDue();
    publish(['即时三']);
    await runnerOver(reopened).runDue();
    const pushes = user.botMessages().filter((m) => m.text.includes('新措施 · '));
    expect(pushes.map((m) => ['即时一', '即时二', '即时三'].filter((t) => m.text.includes(t)))).toEqual([
      ['即时一'],
      ['即时二'],
      ['即时三'],
    ]);
  });
});

/** Channels: subscribe by a post in the channel, or from private with /subscribe @channel (admins only); /settings @channel. */
import { describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { createMemorySubscriptionStore } from '../../../src/store/subscription-store.ts';
import type { ApiCall } from '../../helpers/bot-harness.ts';
import { TEST_BOT, buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';

const CHANNEL = -1009876543210;
const ADMIN = 7;
const READER = 8;

interface World {
  /** Status of users (and the bot) in the channel. */
  members: Map<number, { status: string; can_post_messages?: boolean }>;
  /** What getChat answers for "@name". */
  chats: Map<string, { id: number; type: string; title: string }>;
}

function setup() {
  const subscriptions = createMemorySubscriptionStore();
  const world: World = {
    members: new Map([
      [ADMIN, { status: 'administrator' }],
      [READER, { status: 'member' }],
      [TEST_BOT.id, { status: 'administrator', can_post_messages: true }],
    ]),
    chats: new Map([
      ['@bizchannel', { id: CHANNEL, type: 'channel', title: '企业服务频道' }],
      ['@somegroup', { id: -100555, type: 'supergroup', title: 'G' }],
    ]),
  };
  const t = createTestBot({
    deps: { subscriptions },
    api: (call: ApiCall) => {
      if (call.method === 'getChat') {
        const chat =
          typeof call.payload.chat_id === 'string'
            ? world.chats.get(call.payload.chat_id)
            : [...world.chats.values()].find((c) => c.id === call.payload.chat_id);
        if (!chat) return Promise.reject(Object.assign(new Error('400: Bad Request: chat not found'), { code: 400 }));
        return chat;
      }
      if (call.method === 'getChatMember') {
        const m = world.members.get(call.payload.user_id) ?? { status: 'left' };
        return { ...m, user: { id: call.payload.user_id, is_bot: call.payload.user_id === TEST_BOT.id, first_name: 'x' } };
      }
      return undefined;
    },
  });
  const post = (text: string) =>
    t.raw({
      channel_post: {
        message_id: 900,
        date: 0,
        chat: { id: CHANNEL, type: 'channel', title: '企业服务频道' },
        sender_chat: { id: CHANNEL, type: 'channel', title: '企业服务频道' },
        text,
        entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }],
      },
    } as unknown as Omit<Update, 'update_id'>);
  const membership = (status: string, extra: Record<string, unknown> = {}) =>
    t.raw({
      my_chat_member: {
        chat: { id: CHANNEL, type: 'channel', title: '企业服务频道' },
        from: { id: ADMIN, is_bot: false, first_name: 'A' },
        date: 0,
        old_chat_member: { status: 'administrator', user: { id: TEST_BOT.id, is_bot: true, first_name: 'B' } },
        new_chat_member: { status, user: { id: TEST_BOT.id, is_bot: true, first_name: 'B' }, ...extra },
      },
    } as unknown as Omit<Update, 'update_id'>);
  return { ...t, subscriptions, world, post, membership };
}

describe('a channel subscribes', () => {
  it('by posting /subscribe in the channel (a channel_post); the reply goes to the channel', async () => {
    const t = setup();
    const calls = await t.post('/subscribe 早上8点 公安');
    expect(t.subscriptions.get(CHANNEL)).toMatchObject({
      chatType: 'channel',
      time: '08:00',
      filters: { agencies: ['上海市公安局'], keywords: [] },
    });
    const sent = calls.filter((c) => c.method === 'sendMessage');
    expect(sent[0]?.payload.chat_id).toBe(CHANNEL);
    expect(String(sent[0]?.payload.text)).toContain('已订阅：每天 08:00 发送摘要');
  });

  it('a post addressed to another bot, or other text, is not taken', async () => {
    const t = setup();
    await t.post('/subscribe@OtherBot 08:00');
    await t.post('今天的新闻');
    expect(t.subscriptions.count()).toBe(0);
    await t.post(`/subscribe@${TEST_BOT.username} 即时`);
    expect(t.subscriptions.get(CHANNEL)?.frequency).toBe('instant');
    // The words right after the command, without a space, are its words; a longer command name is another command.
    await t.post('/subscribe每天晚上8点科委');
    expect(t.subscriptions.get(CHANNEL)).toMatchObject({ time: '20:00', filters: { agencies: ['上海市科学技术委员会'] } });
    await t.post('/subscribers 9点');
    expect(t.subscriptions.get(CHANNEL)?.time).toBe('20:00');
  });

  it('from private with /subscribe @channel when the sender administers it and the bot may post', async () => {
    const t = setup();
    const calls = await t.send('/subscribe @bizchannel 每周一 9点', { userId: ADMIN });
    expect(t.subscriptions.get(CHANNEL)).toMatchObject({ chatType: 'channel', frequency: 'weekly', weekday: 1, time: '09:00' });
    expect(t.subscriptions.get(ADMIN)).toBeUndefined();
    expect(texts(calls)[0]).toContain('频道「企业服务频道」');
    const asked = calls.filter((c) => c.method === 'getChatMember').map((c) => c.payload.user_id);
    expect(asked).toEqual([ADMIN, TEST_BOT.id]);
  });

  it('refuses a sender who is no administrator, a bot that may not post, a group, an unknown channel', async () => {
    const t = setup();
    expect(texts(await t.send('/subscribe @bizchannel 9点', { userId: READER }))[0]).toContain('只有频道 @bizchannel 的管理员');
    t.world.members.set(TEST_BOT.id, { status: 'administrator', can_post_messages: false });
    expect(texts(await t.send('/subscribe @bizchannel 9点', { userId: ADMIN }))[0]).toContain('机器人还不能在 @bizchannel 发消息');
    t.world.members.set(TEST_BOT.id, { status: 'left' });
    expect(texts(await t.send('/subscribe @bizchannel 9点', { userId: ADMIN }))[0]).toContain('机器人还不能');
    expect(texts(await t.send('/subscribe @somegroup 9点', { userId: ADMIN }))[0]).toContain('不是频道');
    expect(texts(await t.send('/subscribe @nosuchchannel 9点', { userId: ADMIN }))[0]).toContain('找不到频道 @nosuchchannel');
    expect(t.subscriptions.count()).toBe(0);
  });

  it('/subscribe @channel in a group is pointed to private', async () => {
    const t = setup();
    const calls = await t.send('/subscribe @bizchannel 9点', { chatType: 'supergroup', chatId: -100777, userId: ADMIN });
    expect(texts(calls)[0]).toContain('在私聊中发送 /subscribe @频道用户名');
    expect(t.subscriptions.count()).toBe(0);
  });
});

describe('/settings @channel in private', () => {
  it('shows the channel subscription; its buttons carry the channel id and check the presser', async () => {
    const t = setup();
    await t.post('/subscribe 09:00');
    const calls = await t.send('/settings @bizchannel', { userId: ADMIN });
    expect(texts(calls)[0]).toContain('频道：企业服务频道');
    const data = buttons(calls.at(-1)).map((b) => b.callback_data);
    expect(data).toContain(`sub:${CHANNEL}:f:weekly`);
    expect(data.every((d) => d.startsWith(`sub:${CHANNEL}:`))).toBe(true);

    await t.press(`sub:${CHANNEL}:f:weekly`, { userId: ADMIN });
    expect(t.subscriptions.get(CHANNEL)?.frequency).toBe('weekly');
    const refused = await t.press(`sub:${CHANNEL}:pause`, { userId: READER });
    expect(refused.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ show_alert: true });
    expect(t.subscriptions.get(CHANNEL)?.state).toBe('active');
    await t.send('/unsubscribe @bizchannel', { userId: READER });
    expect(t.subscriptions.count()).toBe(1);
    await t.send('/unsubscribe @bizchannel', { userId: ADMIN });
    expect(t.subscriptions.count()).toBe(0);
  });

  it('/settings posted in the channel points to private instead of showing buttons to readers', async () => {
    const t = setup();
    await t.post('/subscribe 09:00');
    const calls = await t.post('/settings');
    expect(texts(calls)[0]).toContain('/subscribe @频道用户名');
    expect(buttons(calls.at(-1))).toEqual([]);
  });
});

describe('channel membership', () => {
  it('removed → paused; re-added as administrator → resumed; an admin who may not post → paused', async () => {
    const t = setup();
    await t.post('/subscribe 09:00');
    await t.membership('kicked', { until_date: 0 });
    expect(t.subscriptions.get(CHANNEL)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });
    await t.membership('administrator', { can_post_messages: true });
    expect(t.subscriptions.get(CHANNEL)).toMatchObject({ state: 'active' });
    await t.membership('administrator', { can_post_messages: false });
    expect(t.subscriptions.get(CHANNEL)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });
  });
});

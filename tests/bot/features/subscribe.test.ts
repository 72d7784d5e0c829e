import { describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { createMemorySubscriptionStore } from '../../../src/store/subscription-store.ts';
import type { ApiCall } from '../../helpers/bot-harness.ts';
import { assertValidTelegramHtml, buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';

const POLICE = '上海市公安局';
const SCIENCE = '上海市科学技术委员会';
const GROUP = -1001234567890;

function setup(member: 'member' | 'administrator' | 'creator' = 'member') {
  const subscriptions = createMemorySubscriptionStore();
  const t = createTestBot({
    deps: { subscriptions },
    api: (call: ApiCall) =>
      call.method === 'getChatMember' ? { status: member, user: { id: call.payload.user_id, is_bot: false, first_name: 'x' } } : undefined,
  });
  return { ...t, subscriptions };
}

const memberUpdate = (chat: { id: number; type: 'private' | 'group' | 'supergroup' }, status: string): Omit<Update, 'update_id'> =>
  ({
    my_chat_member: {
      chat: chat.type === 'private' ? { ...chat, first_name: 'T' } : { ...chat, title: 'G' },
      from: { id: 7, is_bot: false, first_name: 'T' },
      date: 0,
      old_chat_member: { status: 'member', user: { id: 42, is_bot: true, first_name: 'Bulletin' } },
      new_chat_member: {
        status,
        user: { id: 42, is_bot: true, first_name: 'Bulletin' },
        ...(status === 'kicked' ? { until_date: 0 } : {}),
      },
    },
  }) as unknown as Omit<Update, 'update_id'>;

describe('/subscribe', () => {
  it('when the disk refuses the write, answers truthfully: taken, saved later (not an error); saved once it can be', async () => {
    const t = setup();
    const flush = t.subscriptions.flush;
    let refuse = true;
    t.subscriptions.flush = async () => {
      if (refuse) throw new Error('ENOSPC: no space left on device, write');
      return flush();
    };
    const text = texts(await t.send('/subscribe 09:00 公安')).join('\n');
    expect(text).toContain('已收到，稍后保存');
    expect(text).toContain('已订阅：每天 09:00 发送摘要。');
    expect(text).not.toContain('出错');
    expect(t.subscriptions.list()).toHaveLength(1);
    expect(t.subscriptions.list()[0]).toMatchObject({ time: '09:00' });
    refuse = false;
    const again = texts(await t.send('/subscribe 09:00 公安')).join('\n');
    expect(again).not.toContain('稍后保存');
  });

  it('subscribes a private chat, confirms the next delivery in the chat zone, shows the latest measures', async () => {
    const t = setup();
    // The harness clock: 2026-11-28 08:00Z = 16:00 in Shanghai, so 09:00 is tomorrow.
    const calls = await t.send('/subscribe 09:00 公安');
    const text = texts(calls).join('\n');
    expect(text).toContain('已订阅：每天 09:00 发送摘要。');
    expect(text).toContain('下一次：2026-11-29 09:00（Asia/Shanghai）（没有新措施时不发送）');
    expect(text).toContain(`筛选：${POLICE}`);
    expect(text).toContain('最近的措施：');
    expect(text).not.toContain(SCIENCE);
    for (const m of texts(calls)) assertValidTelegramHtml(m);
    expect(t.subscriptions.get(7)).toMatchObject({
      chatType: 'private',
      time: '09:00',
      timezone: 'Asia/Shanghai',
      filters: { agencies: [POLICE], keywords: [] },
      cursor: t.entries.seq(),
      lastDigestDate: '2026-11-28',
      language: 'zh',
      state: 'active',
    });
  });

  it('subscribing again updates the one subscription; without filters it takes everything', async () => {
    const t = setup();
    await t.send('/subscribe 09:00 公安 复工');
    const calls = await t.send('/subscribe 18:30', { lang: 'en' });
    expect(texts(calls)[0]).toContain('Subscription updated: a digest every day at 18:30.');
    // Nothing was sent today (16:00 local; 09:00 had passed when subscribing): the new time is still to come today.
    expect(texts(calls)[0]).toContain('Next: 2026-11-28 18:30 (Asia/Shanghai)');
    expect(t.subscriptions.count()).toBe(1);
    expect(t.subscriptions.get(7)).toMatchObject({ time: '18:30', filters: { agencies: [], keywords: [] }, language: 'en' });
  });

  it('refuses a bad time', async () => {
    const t = setup();
    expect(texts(await t.send('/subscribe 24:61'))[0]).toContain('时间“24:61”不对');
    expect(t.subscriptions.count()).toBe(0);
  });

  it('in a group only administrators may subscribe; anonymous admins may', async () => {
    const t = setup('member');
    const refused = await t.send('/subscribe 09:00', { chatType: 'supergroup', chatId: GROUP });
    expect(texts(refused)).toEqual(['抱歉，只有群管理员可以修改本群的订阅。']);
    expect(refused.find((c) => c.method === 'getChatMember')?.payload).toMatchObject({ chat_id: GROUP, user_id: 7 });
    expect(t.subscriptions.count()).toBe(0);

    await t.raw({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: GROUP, type: 'supergroup', title: 'G' },
        from: { id: 1087968824, is_bot: true, first_name: 'Group' },
        sender_chat: { id: GROUP, type: 'supergroup', title: 'G' },
        text: '/subscribe 10:00',
        entities: [{ type: 'bot_command', offset: 0, length: 10 }],
      },
    } as unknown as Omit<Update, 'update_id'>);
    expect(t.subscriptions.get(GROUP)).toMatchObject({ chatType: 'supergroup', time: '10:00' });
  });

  it('a group administrator subscribing inside a forum topic gets the digest in that topic', async () => {
    const t = setup('administrator');
    const calls = await t.send('/subscribe', { chatType: 'supergroup', chatId: GROUP, threadId: 55 });
    expect(t.subscriptions.get(GROUP)).toMatchObject({ threadId: 55, time: '09:00' });
    expect(calls.filter((c) => c.method === 'sendMessage').every((c) => c.payload.message_thread_id === 55)).toBe(true);
  });
});

describe('/subscribe: near words for a topic no measure holds, did you mean', () => {
  it('a word no measure uses as typed (律师) is subscribed with its near words, and the reply says so', async () => {
    const t = setup();
    const calls = await t.send('/subscribe 律师');
    const text = texts(calls).join('\n');
    for (const c of calls) assertValidTelegramHtml(c.payload.text as string);
    expect(t.subscriptions.get(7)!.filters.keywords).toEqual(['律师', '法律服务', '律所', '律师事务所']);
    expect(text).toContain('没有措施直接提到“律师”，已一并订阅它的近义词：法律服务、律所、律师事务所');
    expect(text).not.toContain('目前没有符合条件的措施');
    expect(text).toContain('上海市司法局');
    // /settings lists exactly what a digest matches.
    expect(texts(await t.send('/settings')).join('\n')).toContain('关键词（任一）：律师、法律服务、律所、律师事务所');
    const en = texts(await t.send('/subscribe visa', { lang: 'en' })).join('\n');
    expect(en).toContain('No measure says “visa” as typed; its near words are subscribed too: 签证、居留许可');
  });

  it('a word the measures hold stays as typed: its near words are often broader (人才 → 人员)', async () => {
    const t = setup();
    const text = texts(await t.send('/subscribe 人才')).join('\n');
    expect(t.subscriptions.get(7)!.filters.keywords).toEqual(['人才']);
    expect(text).not.toContain('近义词');
  });

  it('in quotes, as typed only: no near words, and the warning when no measure holds it', async () => {
    const t = setup();
    const text = texts(await t.send('/subscribe “律师”')).join('\n');
    expect(t.subscriptions.get(7)!.filters.keywords).toEqual(['律师']);
    expect(text).not.toContain('近义词');
    expect(text).toContain('目前没有符合条件的措施');
  });

  it('a slip of the keyboard no measure holds: the warning says which known word was probably meant', async () => {
    const t = setup();
    const zh = texts(await t.send('/subscribe 云选汇 每天8点')).join('\n');
    expect(zh).toContain('目前没有符合条件的措施');
    expect(zh).toContain('没有措施提到“云选汇”，是不是“云选会”？');
    // Stored as typed: a correction is the user's to make.
    expect(t.subscriptions.get(7)!.filters.keywords).toEqual(['云选汇']);
    const en = texts(await t.send('/subscribe 智慧警务平抬', { lang: 'en' })).join('\n');
    expect(en).toContain('No measure mentions “平抬”: did you mean “平台”?');
    // A word no measure holds and none is one character from: only the warning.
    const none = texts(await t.send('/subscribe xyzzy')).join('\n');
    expect(none).toContain('目前没有符合条件的措施');
    expect(none).not.toContain('是不是');
  });

  it('words the measures hold are never "corrected", even when the filters together match nothing', async () => {
    const t = setup();
    // 复工 is in many measures, 复市 too (none of them the science commission's): nothing to correct.
    const pair = texts(await t.send('/subscribe 复工外卖')).join('\n');
    expect(pair).not.toContain('没有措施提到“复工”');
    const agency = texts(await t.send('/subscribe 科委 复市')).join('\n');
    expect(agency).toContain('目前没有符合条件的措施');
    expect(agency).not.toContain('是不是');
  });
});

describe('/unsubscribe and /settings', () => {
  it('unsubscribes, and says so when there is nothing to remove', async () => {
    const t = setup();
    await t.send('/subscribe');
    expect(texts(await t.send('/unsubscribe'))).toEqual(['已取消订阅，不会再收到每日摘要。']);
    expect(t.subscriptions.count()).toBe(0);
    expect(texts(await t.send('/unsubscribe'))[0]).toContain('还没有订阅');
  });

  it('shows the subscription with buttons that change time, filters, pause and the empty note', async () => {
    const t = setup();
    await t.send('/subscribe 09:00 公安 复工');
    const calls = await t.send('/settings');
    const text = texts(calls)[0]!;
    expect(text).toContain('频率：每天 09:00 发送摘要（Asia/Shanghai）');
    expect(text).toContain('状态：已开启');
    assertValidTelegramHtml(text);
    const bs = buttons(calls.at(-1));
    expect(bs.map((b) => b.callback_data)).toEqual([
      'sub:f:daily',
      'sub:f:weekly',
      'sub:f:instant',
      'sub:t:0700',
      'sub:t:0800',
      'sub:t:0900',
      'sub:t:1200',
      'sub:t:1800',
      'sub:t:2100',
      'sub:clear',
      'sub:pause',
      'sub:empty:on',
      'sub:unsub',
    ]);

    const edited = await t.press('sub:t:0700');
    expect(t.subscriptions.get(7)?.time).toBe('07:00');
    expect(edited.find((c) => c.method === 'editMessageText')?.payload.text).toContain('每天 07:00');
    await t.press('sub:clear');
    expect(t.subscriptions.get(7)?.filters).toEqual({ agencies: [], keywords: [] });
    await t.press('sub:pause');
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'paused', pausedReason: 'user' });
    const resumed = await t.press('sub:resume');
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'active', pausedReason: null });
    expect(buttons(resumed.find((c) => c.method === 'editMessageText')).map((b) => b.callback_data)).toContain('sub:pause');
    await t.press('sub:empty:on');
    expect(t.subscriptions.get(7)?.notifyEmpty).toBe(true);
  });

  it('a subscription paused because its digests kept failing says so, and ▶️ resumes it', async () => {
    const t = setup();
    await t.send('/subscribe');
    t.subscriptions.pause(7, 'failing');
    const calls = await t.send('/settings');
    expect(texts(calls)[0]).toContain('状态：已暂停（连续多日发送失败）');
    expect(buttons(calls.at(-1)).map((b) => b.callback_data)).toContain('sub:resume');
    const en = await t.send('/settings', { lang: 'en' });
    expect(texts(en)[0]).toContain('delivery kept failing for days');
    await t.press('sub:resume');
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'active', pausedReason: null });
  });

  it('a group member who is not an administrator cannot press the settings buttons', async () => {
    const t = setup('member');
    t.subscriptions.upsert({
      chatId: GROUP,
      chatType: 'supergroup',
      time: '09:00',
      timezone: 'Asia/Shanghai',
      filters: { agencies: [], keywords: [] },
      language: 'zh',
      cursor: 0,
    });
    const calls = await t.press('sub:pause', { chatType: 'supergroup', chatId: GROUP });
    expect(calls.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: '抱歉，只有群管理员可以修改本群的订阅。',
      show_alert: true,
    });
    expect(t.subscriptions.get(GROUP)?.state).toBe('active');
  });
});

describe('membership changes', () => {
  it('bot blocked → paused (kept); unblocked → resumed; a pause by the user stays', async () => {
    const t = setup();
    await t.send('/subscribe');
    await t.raw(memberUpdate({ id: 7, type: 'private' }, 'kicked'));
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'paused', pausedReason: 'blocked' });
    await t.raw(memberUpdate({ id: 7, type: 'private' }, 'member'));
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'active', pausedReason: null });

    await t.press('sub:pause');
    await t.raw(memberUpdate({ id: 7, type: 'private' }, 'member'));
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'paused', pausedReason: 'user' });
  });

  it('a pause by the user survives the bot being blocked and unblocked', async () => {
    const t = setup();
    await t.send('/subscribe');
    await t.press('sub:pause');
    await t.raw(memberUpdate({ id: 7, type: 'private' }, 'kicked'));
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'paused', pausedReason: 'user' });
    await t.raw(memberUpdate({ id: 7, type: 'private' }, 'member'));
    expect(t.subscriptions.get(7)).toMatchObject({ state: 'paused', pausedReason: 'user' });
  });

  it('bot removed from a group → paused; added back as administrator → resumed', async () => {
    const t = setup('administrator');
    await t.send('/subscribe', { chatType: 'supergroup', chatId: GROUP });
    await t.raw(memberUpdate({ id: GROUP, type: 'supergroup' }, 'left'));
    expect(t.subscriptions.get(GROUP)?.state).toBe('paused');
    await t.raw(memberUpdate({ id: GROUP, type: 'supergroup' }, 'administrator'));
    expect(t.subscriptions.get(GROUP)?.state).toBe('active');
  });

  it('a group upgraded to a supergroup moves its subscription', async () => {
    const t = setup('administrator');
    await t.send('/subscribe 08:00', { chatType: 'group', chatId: -4242 });
    await t.raw({
      message: {
        message_id: 9,
        date: 0,
        chat: { id: -4242, type: 'group', title: 'G' },
        from: { id: 7, is_bot: false, first_name: 'T' },
        migrate_to_chat_id: GROUP,
      },
    } as unknown as Omit<Update, 'update_id'>);
    expect(t.subscriptions.get(-4242)).toBeUndefined();
    expect(t.subscriptions.get(GROUP)).toMatchObject({ time: '08:00', chatType: 'supergroup' });
  });
});

describe('without a subscription store', () => {
  it('the bot still builds (console mode) and /subscribe is not handled by this feature', async () => {
    const t = createTestBot();
    const calls = await t.send('/subscribe');
    expect(texts(calls).join('\n')).not.toContain('已订阅');
  });
});

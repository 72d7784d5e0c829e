/** /subscribe with times as people write them, frequencies, the filter warning and a truthful next-delivery line. */
import { describe, expect, it } from 'vitest';
import { createMemorySubscriptionStore } from '../../../src/store/subscription-store.ts';
import { assertValidTelegramHtml, buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';

// The harness clock: 2026-11-28 (a Saturday) 08:00Z = 16:00 in Shanghai.
function setup() {
  const subscriptions = createMemorySubscriptionStore();
  const t = createTestBot({ deps: { subscriptions } });
  return { ...t, subscriptions };
}

describe('/subscribe with a time as people write it', () => {
  const table: [string, string][] = [
    ['9点', '09:00'],
    ['9点半', '09:30'],
    ['早上8点', '08:00'],
    ['早上 8点', '08:00'],
    ['上午10点15', '10:15'],
    ['下午3点', '15:00'],
    ['晚上9点半', '21:30'],
    ['21点', '21:00'],
    ['21:30', '21:30'],
    ['21：30', '21:30'],
    ['９：００', '09:00'],
    ['8:05', '08:05'],
    ['中午12点', '12:00'],
    ['凌晨5点', '05:00'],
    ['两点', '02:00'],
    ['傍晚六点', '18:00'],
    ['7am', '07:00'],
  ];
  it.each(table)('/subscribe %s 公安 → %s, and the time is no keyword', async (written, time) => {
    const t = setup();
    const calls = await t.send(`/subscribe ${written} 公安`);
    expect(t.subscriptions.get(7)).toMatchObject({ time, frequency: 'daily', filters: { agencies: ['上海市公安局'], keywords: [] } });
    expect(texts(calls)[0]).toContain(`每天 ${time} 发送摘要`);
  });

  const refused: [string, string][] = [
    ['25点', '一天只有 0–23 点'],
    ['8:5', '冒号后写两位'],
    ['晚上13点', '这个时段没有这个钟点'],
    ['下午 15点', '这个时段没有这个钟点'],
    ['24:00', '一天只有 0–23 点'],
    ['9点70', '分钟要在 00–59 之间'],
    ['每周八', '一周只有周一到周日'],
  ];
  it.each(refused)('/subscribe %s is refused with an example, nothing saved', async (written, why) => {
    const t = setup();
    const text = texts(await t.send(`/subscribe ${written} 复工`))[0]!;
    expect(text).toContain(`时间“${written}”不对（`);
    expect(text).toContain(why);
    expect(text).toContain('/subscribe 早上8点 公安');
    assertValidTelegramHtml(text);
    expect(t.subscriptions.count()).toBe(0);
  });

  it.each(['每月初', '每个月', 'monthly'])(
    '/subscribe %s: digests are not monthly; said with the frequencies there are, nothing saved',
    async (written) => {
      const t = setup();
      const text = texts(await t.send(`/subscribe ${written} 复工`))[0]!;
      expect(text).toContain(`暂不支持按月推送（“${written}”），没有保存。`);
      expect(text).toContain('/subscribe 每周一 9点');
      expect(t.subscriptions.count()).toBe(0);
      const en = texts(await t.send(`/subscribe ${written} 复工`, { lang: 'en' }))[0]!;
      expect(en).toContain('Digests do not come monthly');
    },
  );

  it('an existing subscription is left as it was by a refused time', async () => {
    const t = setup();
    await t.send('/subscribe 9点 公安');
    await t.send('/subscribe 8:5 复工');
    expect(t.subscriptions.get(7)).toMatchObject({ time: '09:00', filters: { agencies: ['上海市公安局'], keywords: [] } });
  });
});

describe('/subscribe written as one sentence', () => {
  it.each([
    ['/subscribe每天早上7点 民政', { time: '07:00', frequency: 'daily', agencies: ['上海市民政局'], keywords: [] }],
    [
      '/subscribe 请每天早上七点半推送公安局和司法局关于复工的消息，谢谢',
      { time: '07:30', frequency: 'daily', agencies: ['上海市公安局', '上海市司法局'], keywords: ['复工'] },
    ],
    [
      '/subscribe 每周二晚上8点发民政的社会组织动态',
      { time: '20:00', frequency: 'weekly', weekday: 2, agencies: ['上海市民政局'], keywords: ['社会 组织'] },
    ],
    ['/subscribe 科委一有新的就马上通知我', { frequency: 'instant', agencies: ['上海市科学技术委员会'], keywords: [] }],
  ] as const)('%s', async (text, want) => {
    const t = setup();
    const calls = await t.send(text);
    const { agencies, keywords, ...schedule } = want;
    expect(t.subscriptions.get(7)).toMatchObject({ ...schedule, filters: { agencies, keywords } });
    // The reply says back what was understood, and nothing matches-nothing.
    expect(texts(calls).join('\n')).not.toContain('目前没有符合条件');
  });
});

describe('frequency', () => {
  it('weekly: 每周一 09:00 and weekly mon 09:00; the next delivery is that Monday', async () => {
    const t = setup();
    const calls = await t.send('/subscribe 每周一 09:00');
    expect(t.subscriptions.get(7)).toMatchObject({ frequency: 'weekly', weekday: 1, time: '09:00' });
    expect(texts(calls)[0]).toContain('每周一 09:00 发送每周摘要');
    expect(texts(calls)[0]).toContain('下一次：2026-11-30 09:00');
    const en = await t.send('/subscribe weekly fri 6pm', { lang: 'en' });
    expect(t.subscriptions.get(7)).toMatchObject({ frequency: 'weekly', weekday: 5, time: '18:00' });
    expect(texts(en)[0]).toContain('a weekly digest every Fri at 18:00');
    expect(texts(en)[0]).toContain('Next: 2026-12-04 18:00');
  });

  it('instant: 即时 — no time, each publish pushed', async () => {
    const t = setup();
    const calls = await t.send('/subscribe 即时 公安');
    expect(t.subscriptions.get(7)).toMatchObject({ frequency: 'instant', filters: { agencies: ['上海市公安局'], keywords: [] } });
    expect(texts(calls)[0]).toContain('有新措施发布后即时推送');
    expect(texts(calls)[0]).toContain('下一次：下次发布新措施后的几分钟内');
    // A later /subscribe with only a time keeps the frequency.
    await t.send('/subscribe 每天 8点');
    expect(t.subscriptions.get(7)).toMatchObject({ frequency: 'daily', time: '08:00' });
  });

  it('/settings shows the frequency and changes it with buttons (weekday row for weekly, no times for instant)', async () => {
    const t = setup();
    await t.send('/subscribe 09:00');
    const weekly = await t.press('sub:f:weekly');
    expect(t.subscriptions.get(7)).toMatchObject({ frequency: 'weekly', weekday: 1 });
    const kb = buttons(weekly.find((c) => c.method === 'editMessageText')).map((b) => b.callback_data);
    expect(kb).toEqual(expect.arrayContaining(['sub:wd:1', 'sub:wd:7', 'sub:t:0900']));
    expect(weekly.find((c) => c.method === 'editMessageText')?.payload.text).toContain('频率：每周一 09:00 发送每周摘要');
    await t.press('sub:wd:5');
    expect(t.subscriptions.get(7)).toMatchObject({ frequency: 'weekly', weekday: 5 });
    const instant = await t.press('sub:f:instant');
    expect(t.subscriptions.get(7)?.frequency).toBe('instant');
    const ikb = buttons(instant.find((c) => c.method === 'editMessageText')).map((b) => b.callback_data);
    expect(ikb.some((d) => d.startsWith('sub:t:'))).toBe(false);
    expect(buttons(instant.find((c) => c.method === 'editMessageText')).find((b) => b.callback_data === 'sub:f:instant')?.text).toBe(
      '✅ ⚡ 即时',
    );
    await t.press('sub:f:daily');
    expect(t.subscriptions.get(7)?.frequency).toBe('daily');
  });
});

describe('the next-delivery line is true', () => {
  it('moving the time later the same day, when nothing was sent today, delivers today', async () => {
    const t = setup();
    expect(texts(await t.send('/subscribe 09:00'))[0]).toContain('2026-11-29 09:00');
    expect(texts(await t.send('/subscribe 21:30'))[0]).toContain('下一次：2026-11-28 21:30');
    // The button does the same.
    await t.send('/subscribe 09:00');
    const pressed = await t.press('sub:t:2100');
    expect(pressed.find((c) => c.method === 'editMessageText')?.payload.text).toContain('2026-11-28 21:00');
  });

  it('once a digest went out today, a new time applies from tomorrow (one digest a day)', async () => {
    const t = setup();
    await t.send('/subscribe 09:00');
    // Subscribed yesterday; today's 09:00 digest was handled by the runner.
    t.subscriptions.update(7, { schedule: { lastDigestDate: '2026-11-27', skippedDate: null } });
    t.subscriptions.advance(7, t.entries.seq(), '2026-11-28');
    expect(texts(await t.send('/subscribe 21:30'))[0]).toContain('下一次：2026-11-29 21:30');
  });

  it('a digest due now but nothing new says so instead of promising one', async () => {
    const t = setup();
    await t.send('/subscribe 09:00');
    t.subscriptions.update(7, { schedule: { lastDigestDate: '2026-11-27', skippedDate: null } });
    const text = texts(await t.send('/settings'))[0]!;
    expect(text).toContain('几分钟内；今天没有新措施时不发送');
    await t.press('sub:empty:on');
    expect(texts(await t.send('/settings'))[0]).toContain('几分钟内（今天的摘要还没发送）');
  });
});

describe('filters that match nothing', () => {
  it('warns with the closest agencies and offers to clear the filters', async () => {
    const t = setup();
    const calls = await t.send('/subscribe 08:30 宇航局');
    const all = texts(calls).join('\n');
    expect(all).toContain('目前没有符合条件的措施，确定吗？');
    expect(buttons(calls.at(-1)).map((b) => b.callback_data)).toContain('sub:clear');
    // An agency the directory does not know is kept as typed, as a keyword (never dropped).
    expect(t.subscriptions.get(7)?.filters.keywords).toEqual(['宇航局']);

    const typo = texts(await t.send('/subscribe 08:30 公按局 疫苗接种证明'));
    expect(typo.join('\n')).toContain('最接近的部门：上海市公安局');
  });

  it('says nothing of the kind when the filters match', async () => {
    const t = setup();
    expect(texts(await t.send('/subscribe 08:30 公安 复工')).join('\n')).not.toContain('目前没有符合条件');
  });
});

describe('🔕 unsubscribe asks first', () => {
  it('keeps the subscription on "no", removes it on "yes"', async () => {
    const t = setup();
    await t.send('/subscribe 09:00');
    const asked = await t.press('sub:unsub');
    expect(texts(asked)[0]).toContain('确定要退订吗');
    expect(buttons(asked.at(-1)).map((b) => b.callback_data)).toEqual(['sub:unsub:yes', 'sub:unsub:no']);
    expect(t.subscriptions.count()).toBe(1);
    await t.press('sub:unsub:no');
    expect(t.subscriptions.count()).toBe(1);
    const yes = await t.press('sub:unsub:yes');
    expect(t.subscriptions.count()).toBe(0);
    expect(texts(yes)[0]).toContain('已取消订阅');
    expect(yes.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
  });
});

describe('a plain message asking to subscribe or to stop', () => {
  it('says what it understood, changes nothing until ✅ is pressed, then subscribes exactly that', async () => {
    const t = setup();
    const calls = await t.send('每周五下午4点把司法局关于法律服务的新政策推送给我');
    const text = texts(calls)[0]!;
    expect(text).toContain('要这样订阅吗？每周五 16:00 发送每周摘要。');
    expect(text).toContain('筛选：上海市司法局；关键词（任一）：法律服务');
    assertValidTelegramHtml(text);
    expect(t.subscriptions.count()).toBe(0);
    const ask = buttons(calls[0]).find((b) => b.callback_data.startsWith('sub:ask:'))!;
    await t.press(ask.callback_data);
    expect(t.subscriptions.get(7)).toMatchObject({
      time: '16:00',
      frequency: 'weekly',
      weekday: 5,
      filters: { agencies: ['上海市司法局'], keywords: ['法律服务'] },
    });
    // With a subscription already, the question says it would be changed.
    expect(texts(await t.send('订阅科委'))[0]).toContain('要把现在的订阅改成这样吗？每周五 16:00');
    // Pressed again (or after a restart): said, nothing done twice.
    const again = await t.press(ask.callback_data);
    expect(again.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('已过期');
  });

  it('in English too; a refused time is refused as /subscribe refuses it', async () => {
    const t = setup();
    expect(texts(await t.send('please subscribe me to police news, 8am', { lang: 'en' }))[0]).toContain(
      'Subscribe like this? a digest every day at 08:00.',
    );
    expect(texts(await t.send('每天晚上13点推送给我'))[0]).toContain('时间“');
    expect(t.subscriptions.count()).toBe(0);
  });

  it('退订 asks to confirm; questions about subscribing get the help; searches stay searches', async () => {
    const t = setup();
    expect(texts(await t.send('别再推送了'))[0]).toContain('还没有订阅');
    await t.send('/subscribe 9点');
    const ask = await t.send('退订');
    expect(buttons(ask[0]).map((b) => b.callback_data)).toEqual(['sub:unsub:yes', 'sub:unsub:no']);
    expect(t.subscriptions.count()).toBe(1);
    expect(texts(await t.send('怎么订阅？'))[0]).toContain('/subscribe 09:00');
    const search = texts(await t.send('公安推送了哪些复工措施'))[0]!;
    expect(search).toContain('复工');
    expect(search).not.toContain('要这样订阅');
  });

  it('in a group, plain conversation is left alone', async () => {
    const t = setup();
    expect(await t.send('每天早上8点推送给我', { chatId: -100123, chatType: 'supergroup' })).toEqual([]);
  });
});

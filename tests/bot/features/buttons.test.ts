/** Full-text views, deep links from channel digests, stale buttons, inline results, quoting in groups. */
import { describe, expect, it } from 'vitest';
import { buttonLabel } from '../../../src/core/format/entry.ts';
import { createMemorySubscriptionStore } from '../../../src/store/subscription-store.ts';
import { createTestBot, texts } from '../../helpers/bot-harness.ts';

describe('full text', () => {
  it('from a button: the measure with 📤 share (inline query with its title) and more from its agency', async () => {
    const t = createTestBot();
    const e = t.catalog.latest('上海市公安局', 1)[0]!;
    const calls = await t.press(`e:${e.id}`);
    expect(texts(calls)[0]).toContain(e.title);
    const kb = calls.at(-1)!.payload.reply_markup.inline_keyboard.flat();
    expect(kb[0]).toMatchObject({ text: '📤 分享', switch_inline_query: buttonLabel(e.title, 60) });
    expect(kb[1].text).toContain('更多措施');
    // "more" opens the agency's latest.
    const more = await t.press(kb[1].callback_data);
    expect(texts(more)[0]).toContain('上海市公安局');
    expect(texts(more)[0]).toContain('最新');
  });

  it('from a channel digest link: /start e_<id> opens it in private', async () => {
    const t = createTestBot();
    const e = t.catalog.latest('上海市公安局', 1)[0]!;
    const calls = await t.send(`/start e_${e.id}`);
    expect(texts(calls)).toHaveLength(1);
    expect(texts(calls)[0]).toContain(e.title);
    expect(texts(await t.send('/start e_gone'))[0]).toContain('已不存在');
    expect(texts(await t.send('/start'))[0]).toContain('您好');
  });

  it('a stale full-text button is answered with an alert', async () => {
    const t = createTestBot();
    const calls = await t.press('e:no-such-id');
    expect(calls.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ text: '这条措施已不存在。', show_alert: true });
  });
});

describe('unknown or stale callback_data is always answered', () => {
  it.each(['zzz', 'sub:t:9999x', 's:zz:1', 'adm:x', '', 'l:'])('%j', async (data) => {
    const t = createTestBot({ deps: { subscriptions: createMemorySubscriptionStore() } });
    const calls = await t.press(data);
    expect(calls.filter((c) => c.method === 'answerCallbackQuery')).toHaveLength(1);
  });
});

describe('inline results', () => {
  it('are personal (they differ by language)', async () => {
    const t = createTestBot();
    const calls = await t.inline('复工');
    expect(calls.find((c) => c.method === 'answerInlineQuery')?.payload).toMatchObject({ is_personal: true });
    const empty = await t.inline('');
    expect(empty.find((c) => c.method === 'answerInlineQuery')?.payload).toMatchObject({ is_personal: true });
  });
});

describe('replies in groups quote the command', () => {
  it('a group reply carries reply_parameters with the command; private replies do not', async () => {
    const t = createTestBot();
    const group = await t.send('/latest 公安', { chatType: 'supergroup', chatId: -100999 });
    const sent = group.filter((c) => c.method === 'sendMessage');
    expect(sent.length).toBeGreaterThan(0);
    for (const c of sent) expect(c.payload.reply_parameters).toMatchObject({ allow_sending_without_reply: true });
    expect(typeof sent[0]!.payload.reply_parameters.message_id).toBe('number');
    const priv = await t.send('/latest 公安');
    for (const c of priv.filter((x) => x.method === 'sendMessage')) expect(c.payload.reply_parameters).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { createMemoryEntryStore } from '../../../src/store/entry-store.ts';
import type { ApiCall } from '../../helpers/bot-harness.ts';
import { assertValidTelegramHtml, buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const sent = (calls: ApiCall[]) => calls.filter((c) => c.method === 'sendMessage');

describe('/start and /help', () => {
  it.each([
    ['zh-hans', /复工复产措施简报/, '🏛 部门列表'],
    ['en', /bulletins of measures/, '🏛 Agencies'],
    [undefined, /复工复产措施简报/, '🏛 部门列表'],
  ])('greets a %s user in their language with action buttons', async (lang, intro, button) => {
    const t = createTestBot();
    const calls = await t.send('/start', { lang: lang as string });
    expect(texts(calls)[0]).toMatch(intro);
    expect(texts(calls)[0]).toContain('/latest');
    expect(buttons(calls[0]).map((b) => b.text)).toContain(button);
    assertValidTelegramHtml(texts(calls)[0]!);
  });

  it('/help names the bot for inline use', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/help'))[0]).toContain('@BulletinTestBot');
  });
});

describe('/agencies', () => {
  it('lists every agency with its count and latest date, each a button', async () => {
    const t = createTestBot();
    const calls = await t.send('/agencies');
    const text = texts(calls).join('\n');
    expect(text).toMatch(/上海市科学技术委员会<\/b> — 3 条措施，最新 2020-03-16/);
    expect(text).toMatch(/上海市公安局<\/b> — 7 条措施，最新 2020-03-25/);
    expect(text).toMatch(/上海市民政局<\/b> — 3 条措施/);
    expect(text).toMatch(/上海市司法局<\/b> — 6 条措施，最新 2020-03-23/);
    const bs = buttons(calls.at(-1));
    expect(bs).toHaveLength(4);
    const police = bs.find((b) => b.text.startsWith('市公安局'))!;
    const latest = texts(await t.press(police.callback_data));
    expect(latest[0]).toMatch(/上海市公安局<\/b> 最新 5 条措施/);
  });

  it('says so when nothing is published yet', async () => {
    const t = createTestBot({ entries: createMemoryEntryStore() });
    expect(texts(await t.send('/agencies'))[0]).toBe('还没有收录任何措施。');
  });
});

describe('/latest', () => {
  it.each([
    ['公安', '上海市公安局'],
    ['警方', '上海市公安局'],
    ['市公安局', '上海市公安局'],
    ['police', '上海市公安局'],
    ['科委', '上海市科学技术委员会'],
    ['市科委', '上海市科学技术委员会'],
    ['上海市司法局', '上海市司法局'],
    ['民政', '上海市民政局'],
  ])('/latest %s → %s, newest first', async (q, agency) => {
    const t = createTestBot();
    const calls = await t.send(`/latest ${q}`);
    const text = texts(calls).join('\n');
    expect(text).toContain(`<b>${agency}</b>`);
    const dates = [...text.matchAll(/\n(2020-\d\d-\d\d)\n/g)].map((m) => m[1]!);
    expect(dates.length).toBeGreaterThan(1);
    expect([...dates].sort().reverse()).toEqual(dates);
    assertValidTelegramHtml(text);
  });

  it('takes a count, in either position, capped', async () => {
    const t = createTestBot();
    expect(buttons((await t.send('/latest 公安 2')).at(-1))).toHaveLength(2);
    expect(buttons((await t.send('/latest 3 司法')).at(-1))).toHaveLength(3);
    expect(buttons((await t.send('/latest 公安 999')).at(-1))).toHaveLength(7);
  });

  it.each([
    ['/latest 司法局4条', '上海市司法局', 4],
    ['/latest 帮我看看派出所最近两条', '上海市公安局', 2],
    ['/latest 最新三條 民政', '上海市民政局', 3],
    ['/latest the last 2 from the justice bureau', '上海市司法局', 2],
    // No space after the command: Telegram ends the command at the first non-Latin character; nothing is lost.
    ['/latest公安3条', '上海市公安局', 3],
    ['/latest科委2', '上海市科学技术委员会', 2],
  ])('%s: the count and the agency run together with other words → %s, %i', async (text, agency, n) => {
    const t = createTestBot();
    const calls = await t.send(text);
    expect(texts(calls)[0]).toContain(`<b>${agency}</b>`);
    expect(buttons(calls.at(-1))).toHaveLength(n);
    // Nothing it read as count, agency or filler is reported as unused.
    expect(texts(calls).join('\n')).not.toContain('/search');
  });

  it('two agencies named: one is listed, the other is said with a button (not dropped)', async () => {
    const t = createTestBot();
    const calls = await t.send('/latest 公安和司法局 2条');
    const text = texts(calls).join('\n');
    expect(text).toContain('<b>上海市公安局</b>');
    expect(text).toContain('上海市司法局 的最新措施请点下面的按钮');
    const data = buttons(calls.at(-1)).map((b) => b.callback_data);
    expect(data.filter((d) => d.startsWith('e:'))).toHaveLength(2);
    expect(data.at(-1)).toMatch(/^l:/);
    assertValidTelegramHtml(text);
  });

  it('shows the newest police measures first', async () => {
    const t = createTestBot();
    const calls = await t.send('/latest 公安 2');
    expect(buttons(calls.at(-1)).map((b) => b.text)).toEqual([
      '1. 静安警方“点对点”护航企业复工复产',
      '2. 浦东警方为张江企业顺利复产按下快捷键',
    ]);
  });

  it('without an agency offers agency buttons', async () => {
    const t = createTestBot();
    const calls = await t.send('/latest');
    expect(texts(calls)[0]).toBe('请选择部门：');
    expect(buttons(calls[0])).toHaveLength(4);
  });

  it('suggests close agencies for an unknown name, never an empty reply', async () => {
    const t = createTestBot();
    const calls = await t.send('/latest 公按局');
    expect(texts(calls)[0]).toMatch(/没有找到部门“公按局”。\n您是不是要找：/);
    expect(buttons(calls[0])[0]!.text).toBe('上海市公安局');
    const none = await t.send('/latest 天气预报');
    expect(texts(none)[0]).toMatch(/没有找到部门/);
    expect(buttons(none[0]).length).toBeGreaterThan(0);
  });

  it('escapes a hostile agency name', async () => {
    const t = createTestBot();
    const text = texts(await t.send('/latest <script>&'))[0]!;
    expect(text).toContain('&lt;script&gt;&amp;');
    assertValidTelegramHtml(text);
  });

  it('opens a measure in full from its button', async () => {
    const t = createTestBot();
    const list = await t.send('/latest 公安 7');
    const waiqi = buttons(list.at(-1)).find((b) => b.text.includes('助力外企'))!;
    const full = texts(await t.press(waiqi.callback_data))[0]!;
    expect(full).toContain('<b>助力外企复工复产：上海公安这些“破例”举措精准暖心</b>');
    expect(full).toContain('• 集中统一代办，精准服务外企');
    expect(full).toContain('<i>来源：上海市公安局 · 见于 系列二（截止至3月26日）</i>');
    expect(full).toContain('2020-02-28');
  });
});

describe('/search', () => {
  it('finds 复工 inside 复工复产, paginated with buttons that edit the message', async () => {
    const t = createTestBot();
    const calls = await t.send('/search 复工');
    const first = texts(calls)[0]!;
    expect(first).toMatch(/🔎 “复工”：共 (\d+) 条 · 第 1\/\d 页/);
    expect(first).toContain('<b>复工</b>');
    assertValidTelegramHtml(first);
    const next = buttons(calls[0]).find((b) => b.text === '下一页 ›')!;
    const page2 = await t.press(next.callback_data);
    const edit = page2.find((c) => c.method === 'editMessageText')!;
    expect(edit.payload.message_id).toBe(55);
    expect(edit.payload.text).toMatch(/第 2\/\d 页/);
    expect(buttons(edit).some((b) => b.text === '‹ 上一页')).toBe(true);
  });

  it.each([
    ['外企', '助力外企复工复产'],
    ['云选会', '云选会'],
    ['康复辅具', '云路演助力本市康复辅具企业复工复产'],
    ['行政复议', '行政复议和行政应诉'],
    ['6000余家', '云选会'],
  ])('%s finds %s', async (q, title) => {
    const t = createTestBot();
    const calls = await t.send(`/search ${q}`);
    const titles = buttons(calls[0]).map((b) => t.catalog.get(b.callback_data.slice(2))?.title ?? '');
    expect(titles.some((x) => x.includes(title))).toBe(true);
  });

  it('needs every keyword to match; an agency named among them filters by agency', async () => {
    const t = createTestBot();
    const both = await t.send('/search 警方 复工');
    // 警方 is an alias of 上海市公安局: its measures holding 复工 (or a near word of it: 开工, 返岗, 复岗).
    const scan = t.entries
      .all()
      .filter((e) => e.agency === '上海市公安局' && /复工|开工|返岗|复岗/.test([e.title, ...e.body, ...e.bullets].join('\n')));
    expect(scan.length).toBeGreaterThan(1);
    expect(texts(both)[0]).toContain(`上海市公安局 · “复工”：共 ${scan.length} 条`);
    // No police measure holds 康复辅具: the other agencies' ones are shown under a header that says so.
    const other = await t.send('/search 警方 康复辅具');
    expect(texts(other)[0]).toMatch(/^上海市公安局 没有包含 “康复辅具” 的措施，以下 1 条来自其他部门/);
  });

  it.each([
    ['/search', '请在 /search 后输入关键词'],
    ['/search    ', '请在 /search 后输入关键词'],
    [`/search ${'复'.repeat(10_000)}`, '关键词太长了'],
    ['/search 😀😀🎉', '没有可以搜索的文字'],
    ['/search \u200b\u200b', '请在 /search 后输入关键词|没有可以搜索的文字'],
    ['/search .*(', '没有可以搜索的文字'],
    ['/search a.*(b', '没有找到包含 “a.\\*\\(b” 的措施'],
  ])('answers bad input %#  clearly', async (text, reply) => {
    const t = createTestBot();
    const calls = await t.send(text);
    expect(texts(calls)).toHaveLength(1);
    expect(texts(calls)[0]).toMatch(new RegExp(reply));
    expect(t.errors).toEqual([]);
  });

  it('treats plain text in a private chat as a search, and ignores it in groups', async () => {
    const t = createTestBot();
    expect(texts(await t.send('不见面'))[0]).toMatch(/“不见面”：共/);
    expect(await t.send('不见面', { chatType: 'group' })).toEqual([]);
  });

  it('slows down a user who floods searches, telling them once', async () => {
    const t = createTestBot({ config: { searchRatePerMinute: 3 } });
    for (let i = 0; i < 3; i++) expect(texts(await t.send(`/search 复工${i}`))).toHaveLength(1);
    expect(texts(await t.send('/search 复工'))[0]).toMatch(/搜索太频繁了，请 \d+ 秒后再试/);
    expect(await t.send('/search 复工')).toEqual([]);
    expect(texts(await t.send('/search 复工', { userId: 8 }))[0]).toMatch(/共/);
    t.advance(61_000);
    expect(texts(await t.send('/search 复工'))[0]).toMatch(/共/);
  });

  it('answers an expired page button politely', async () => {
    const t = createTestBot();
    const calls = await t.press('s:zz999:1');
    expect(calls[0]).toMatchObject({ method: 'answerCallbackQuery', payload: { text: '这个结果已过期，请重新搜索。', show_alert: true } });
  });

  it('escapes bulletin text: a < or & does not lose the message', async () => {
    const entries = createMemoryEntryStore();
    entries.apply(
      parseBulletin(['简报 2020年', '', '3月1日', 'A<b>&C 复工 <script>', '正文 x<y & z>w 复工。', '来源：上海市公安局'].join('\n'), {
        file: 'x',
        agencies: shippedAgencies(),
      }),
    );
    const t = createTestBot({ entries });
    const html = texts(await t.send('/search 复工'))[0]!;
    assertValidTelegramHtml(html);
    expect(html).toContain('A&lt;b&gt;&amp;C');
    const full = texts(await t.press(buttons((await t.send('/search 复工'))[0])[0]!.callback_data))[0]!;
    assertValidTelegramHtml(full);
  });
});

describe('/search rendered-page cache', () => {
  const bulletin = (title: string) =>
    parseBulletin(['简报 2020年', '', '3月1日', title, '来源：上海市公安局'].join('\n'), {
      file: `${title}.txt`,
      agencies: shippedAgencies(),
    });

  it('a repeated query shows new entries as soon as the store changes, per language, with buttons for the new key', async () => {
    const entries = createMemoryEntryStore();
    entries.apply(bulletin('第一条 缓存测试'));
    const t = createTestBot({ entries });
    const first = await t.send('/search 缓存测试');
    expect(texts(first)[0]).toMatch(/共 1 条/);
    expect(texts(await t.send('/search 缓存测试', { lang: 'en' }))[0]).toMatch(/1 found/);
    entries.apply(bulletin('第二条 缓存测试'));
    const again = await t.send('/search 缓存测试');
    expect(texts(again)[0]).toMatch(/共 2 条/);
    expect(texts(again)[0]).toContain('第二条');
    expect(buttons(again[0]).filter((b) => b.callback_data?.startsWith('e:'))).toHaveLength(2);
    // Same query, same page, from the cache: the same text and its own buttons.
    const cached = await t.send('/search 缓存测试');
    expect(texts(cached)[0]).toBe(texts(again)[0]);
    const hitData = (c: (typeof cached)[number]) =>
      buttons(c)
        .map((b) => b.callback_data)
        .filter((d) => d.startsWith('e:'));
    expect(hitData(cached[0]!)).toEqual(hitData(again[0]!));
    // The order and export buttons carry each query's own key.
    const tools = buttons(cached[0])
      .map((b) => b.callback_data)
      .filter((d) => !d.startsWith('e:'));
    expect(tools).toHaveLength(2);
    expect(tools).not.toEqual(
      buttons(again[0])
        .map((b) => b.callback_data)
        .filter((d) => !d.startsWith('e:')),
    );
  });
});

describe('groups', () => {
  it('answers /cmd@ThisBot, leaves /cmd@OtherBot alone', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/latest@BulletinTestBot 公安', { chatType: 'group' }))[0]).toContain('上海市公安局');
    expect(await t.send('/latest@OtherBot 公安', { chatType: 'group' })).toEqual([]);
    expect(await t.send('/unknowncmd@OtherBot', { chatType: 'group' })).toEqual([]);
    expect(await t.send('/unknowncmd', { chatType: 'group' })).toEqual([]);
  });

  it('replies inside the forum topic it was asked in', async () => {
    const t = createTestBot();
    const calls = await t.send('/latest 科委', { chatType: 'supergroup', threadId: 77 });
    expect(sent(calls).every((c) => c.payload.message_thread_id === 77)).toBe(true);
  });
});

describe('unknown commands and other messages', () => {
  it('answers an unknown command with a hint', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/frobnicate'))[0]).toBe('不认识的命令 /frobnicate。发送 /help 查看可用命令。');
    expect(texts(await t.send('/frobnicate', { lang: 'en' }))[0]).toBe("I don't know /frobnicate. Send /help for the commands.");
  });

  it('asks for text when a sticker arrives in private', async () => {
    const t = createTestBot();
    const calls = await t.raw({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 7, type: 'private', first_name: 'x' },
        from: { id: 7, is_bot: false, first_name: 'x' },
        sticker: { file_id: 'f' },
      },
    } as never);
    expect(texts(calls)[0]).toMatch(/请发送文字消息/);
  });
});

describe('inline mode', () => {
  it('lists matching measures as articles to share, paginated', async () => {
    const t = createTestBot();
    const calls = await t.inline('复工');
    const answer = calls.find((c) => c.method === 'answerInlineQuery')!;
    const results = answer.payload.results as { id: string; title: string; input_message_content: { message_text: string } }[];
    expect(results.length).toBeGreaterThan(5);
    expect(results.every((r) => r.input_message_content.message_text.length <= 4096)).toBe(true);
    for (const r of results) assertValidTelegramHtml(r.input_message_content.message_text);
  });

  it('answers an empty inline query with a hint button', async () => {
    const t = createTestBot();
    const answer = (await t.inline('')).find((c) => c.method === 'answerInlineQuery')!;
    expect(answer.payload.results).toEqual([]);
    expect(answer.payload.button.text).toBe('输入关键词搜索措施');
  });
});

describe('errors inside a handler', () => {
  it('are logged with the update id and answered politely; the bot keeps going', async () => {
    let fail = true;
    const t = createTestBot({
      api: (call) => {
        if (fail && call.method === 'sendMessage' && String(call.payload.text).includes('部门')) {
          fail = false;
          return Promise.reject(new Error('boom'));
        }
        return undefined;
      },
    });
    const calls = await t.send('/agencies');
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatchObject({ updateId: expect.any(Number) });
    expect(texts(calls).at(-1)).toBe('抱歉，处理时出错了，请稍后再试。');
    expect(texts(await t.send('/agencies'))[0]).toMatch(/部门/);
  });
});

/** Date words and order in /search and /latest, over the seed bulletin (measures of March 2020). */
import { describe, expect, it } from 'vitest';
import { buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';

const datesIn = (text: string) => [...text.matchAll(/20\d\d-\d\d-\d\d/g)].map((m) => m[0]);

describe('/search with date words', () => {
  it('3月1日以后 keeps only measures from that day on; the header says the range', async () => {
    const t = createTestBot();
    const all = texts(await t.send('/search 复工'))[0]!;
    const since = texts(await t.send('/search 复工 3月16日以后'))[0]!;
    expect(since).toContain('2020-03-16 起');
    const total = (s: string) => Number(/共 (\d+) 条/.exec(s)?.[1]);
    expect(total(since)).toBeLessThan(total(all));
    for (const d of datesIn(since.split('\n').slice(1).join('\n'))) expect(d >= '2020-03-16').toBe(true);
  });

  it('2020年3月 and 3月 (read against the data year) both mean March 2020; a month with nothing says so, then searches any date', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/search 复工 2020年3月'))[0]).toContain('2020-03-01 – 2020-03-31');
    expect(texts(await t.send('/search 3月 复工'))[0]).toContain('2020-03-01 – 2020-03-31');
    const none = texts(await t.send('/search 复工 2020年5月'))[0]!;
    expect(none).toMatch(/^📅 2020-05-01 – 2020-05-31 没有相关措施，以下不限日期。\n🔎 “复工”：共 12 条/);
    // A range with nothing in it and nothing to fall back on still says only that.
    expect(texts(await t.send('/search 2019年5月'))[0]).toMatch(/在 2019-05-01 – 2019-05-31 没有措施/);
    expect(texts(await t.send('/search 口罩 2020年3月'))[0]).toMatch(/^“口罩”在 2020-03-01 – 2020-03-31 没有措施/);
  });

  it('a date alone lists that range newest first', async () => {
    const t = createTestBot();
    const text = texts(await t.send('/search 3月20日以后'))[0]!;
    const dates = datesIn(text.split('\n').slice(1).join('\n'));
    expect(dates.length).toBeGreaterThan(0);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(dates.every((d) => d >= '2020-03-20')).toBe(true);
  });

  it('本周 is relative to today (the harness clock, 2026): nothing in the 2020 data, so any date, said so', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/search 复工 本周'))[0]).toMatch(/^📅 2026-11-23 – 2026-11-29 没有相关措施，以下不限日期。\n🔎 “复工”/);
  });

  it("a question pasted whole keeps its story's dates (昨天, 今年) from hiding the measures; pages keep it", async () => {
    const t = createTestBot();
    const calls = await t.send('昨天出了交通事故，疫情期间怎么处理');
    const text = texts(calls)[0]!;
    expect(text).toMatch(/^📅 2026-11-27 没有相关措施，以下不限日期。\n/);
    expect(text.replace(/<[^>]+>/g, '')).toContain('交通事故处理十大便民措施');
    const en = texts(await t.send('/search 复工 本周', { lang: 'en' }))[0]!;
    expect(en).toMatch(/^📅 Nothing in 2026-11-23 – 2026-11-29; below, any date.\n/);
    // The next page says the same.
    const next = buttons(calls.find((c) => c.method === 'sendMessage')).find((b) => b.callback_data.startsWith('s:'));
    if (next) expect(texts(await t.press(next.callback_data))[0]).toMatch(/^📅 2026-11-27 没有相关措施/);
  });
});

describe('order: 最新 and the 按时间 / 按相关度 button', () => {
  it('/search … 最新 lists newest first; the button toggles back to relevance and again', async () => {
    const t = createTestBot();
    const newest = await t.send('/search 复工 最新');
    const text = texts(newest)[0]!;
    const dates = datesIn(text.split('\n').slice(1).join('\n'));
    expect(dates).toEqual([...dates].sort().reverse());
    expect(text).toContain('按时间从新到旧');
    const toggle = buttons(newest[0]).find((b) => b.callback_data.startsWith('so:'))!;
    expect(toggle.text).toBe('🎯 按相关度');
    const relevance = await t.press(toggle.callback_data);
    const edited = relevance.find((c) => c.method === 'editMessageText')!;
    expect(String(edited.payload.text)).not.toContain('按时间从新到旧');
    expect(buttons(edited).find((b) => b.callback_data.startsWith('so:'))?.text).toBe('🕒 按时间');
    const back = await t.press(toggle.callback_data);
    expect(String(back.find((c) => c.method === 'editMessageText')?.payload.text)).toContain('按时间从新到旧');
  });

  it('a stale order or export button is answered, not left spinning', async () => {
    const t = createTestBot();
    for (const data of ['so:zzzz', 'x:zzzz']) {
      const calls = await t.press(data);
      expect(calls.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ text: '这个结果已过期，请重新搜索。' });
    }
  });
});

describe('/latest with dates and extra words', () => {
  it('/latest 公安 3月20日以后 uses the same filter', async () => {
    const t = createTestBot();
    const text = texts(await t.send('/latest 公安 3月20日以后'))[0]!;
    expect(text).toContain('2020-03-20 起');
    const dates = datesIn(text.split('\n').slice(1).join('\n'));
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((d) => d >= '2020-03-20')).toBe(true);
  });

  it('words besides the agency are a topic: the agency’s newest measures about it, read as /search reads it', async () => {
    const t = createTestBot();
    const about = texts(await t.send('/latest 公安 复工 3条'))[0]!;
    expect(about).toMatch(/^<b>上海市公安局<\/b> 关于 复工 的最新 3 条措施/);
    const titles = about.split('\n').filter((l) => /^<b>\d\.<\/b>/.test(l));
    expect(titles).toHaveLength(3);
    // Newest first, each of the agency's measures holding the word.
    const dates = datesIn(about);
    expect(dates).toEqual([...dates].sort().reverse());
    const police = t.catalog.search(['复工'], { agency: '上海市公安局', order: 'newest', limit: 3 }).hits.map((e) => e.date);
    expect(dates).toEqual(police);
    // Near words and traditional characters, as in /search: 律师 finds the justice bureau's 法律服务 measures.
    expect(texts(await t.send('/latest 司法局 律师'))[0]).toMatch(/^<b>上海市司法局<\/b> 关于 律师 的最新 2 条措施/);
    expect(texts(await t.send('/latest 公安 復工'))[0]).toContain('关于 复工 的最新');
    // A topic none of its measures holds: said, above the agency's newest.
    const none = texts(await t.send('/latest 公安 外卖'))[0]!;
    expect(none).toMatch(/^<b>上海市公安局<\/b> 最新 5 条措施\n\n<i>没有关于“外卖”的措施，以下是最新措施。<\/i>/);
    // Dates none of its measures about the topic falls in (今年 in a pasted story): dropped, and said.
    const undated = texts(await t.send('/latest 公安 今年 复工'))[0]!;
    expect(undated).toMatch(/^📅 \d{4}-01-01 – \d{4}-12-31 没有相关措施，以下不限日期。\n<b>上海市公安局<\/b> 关于 复工 的最新 5 条措施/);
    // Words that are part of the name, or dates, are no topic.
    expect(texts(await t.send('/latest 上海市 公安局'))[0]).toMatch(/^<b>上海市公安局<\/b> 最新 5 条措施\n\n<b>1\./);
    expect(texts(await t.send('/latest 公安 3月'))[0]).not.toContain('关于');
  });
});

import { describe, expect, it } from 'vitest';
import { createQueryUnderstanding } from '../../../src/core/search/understand/index.ts';
import { assertValidTelegramHtml, buttons, createTestBot, texts } from '../../helpers/bot-harness.ts';
import { shippedWordTables } from '../../../src/store/word-tables.ts';
import { createMemoryEntryStore } from '../../../src/store/entry-store.ts';
import { parseSeed } from '../../helpers/seed.ts';

const first = async (t: ReturnType<typeof createTestBot>, text: string, lang = 'zh-hans') => {
  const calls = await t.send(text, { lang });
  const html = texts(calls)[0]!;
  assertValidTelegramHtml(html);
  return { html, calls };
};

describe('search reply headers say what the results are', () => {
  it.each([
    ['zh-hans', '/search 浦东警方复产', /^🔎 上海市公安局 · “浦东”、“复产”：共 1 条\n/],
    ['en', '/search 浦东警方复产', /^🔎 上海市公安局 · "浦东", "复产": 1 found\n/],
    ['zh-hans', '复工？', /^🔎 “复工”：共 12 条 · 第 1\/3 页/],
    ['zh-hans', '#複工', /^🔎 “复工”：共 12 条/],
    ['en', '“复工”', /^🔎 "复工": 12 found/],
  ])('full (%s) %s', async (lang, text, header) => {
    const t = createTestBot();
    const { html } = await first(t, text, lang);
    expect(html).toMatch(header);
  });

  it.each([
    ['zh-hans', /^没有同时包含 “行政复议”、“申请” 的措施，以下 1 条包含 “行政复议”\n/],
    ['en', /^No measure contains all of "行政复议", "申请"; 1 below contain "行政复议"\n/],
  ])('partial (%s), never dressed as full', async (lang, header) => {
    const t = createTestBot();
    const { html, calls } = await first(t, '/search 行政复议怎么申请', lang);
    expect(html).toMatch(header);
    expect(buttons(calls[0])[0]!.text).toContain('行政复议');
  });

  it.each([
    ['zh-hans', /^没有找到包含 “口罩” 的措施。\n可以试试更少或更短的关键词，或发送 \/agencies 按部门浏览。$/],
    ['en', /^Nothing matches "口罩".\nTry fewer or shorter words, or browse with \/agencies.$/],
  ])('nothing (%s), pointing to /agencies', async (lang, reply) => {
    const t = createTestBot();
    const { html, calls } = await first(t, '/search 口罩', lang);
    expect(html).toMatch(reply);
    expect(buttons(calls[0])).toEqual([]);
  });

  it.each([
    ['zh-hans', /^没有包含 “外卖” 的措施，以下 7 条是 上海市公安局 的最新措施 · 第 1\/2 页\n/],
    ['en', /^Nothing matches "外卖"; 7 below are 上海市公安局's newest measures · page 1\/2\n/],
  ])('an agency named with words nothing holds: its newest, saying the words matched nothing (%s)', async (lang, header) => {
    const t = createTestBot();
    const { html, calls } = await first(t, '/search 公安 外卖', lang);
    expect(html).toMatch(header);
    expect(buttons(calls[0]).filter((b) => b.callback_data.startsWith('e:'))).toHaveLength(5);
  });

  it('an agency, a month and "what is new" words: the agency\'s measures of that month, newest first', async () => {
    const t = createTestBot();
    const { html } = await first(t, '司法局3月份新出的文件');
    expect(html).toMatch(/^<b>上海市司法局<\/b> 最新 4 条措施 · 📅 2020-03-01 – 2020-03-31\n/);
    expect(html.match(/上海市司法局 · 2020-03-\d\d/g)).toHaveLength(4);
  });

  it('says when a word was corrected, in zh and en', async () => {
    const t = createTestBot();
    expect((await first(t, '/search 云选汇')).html).toMatch(/^没有找到“云选汇”，已按“云选会”搜索。\n🔎 “云选汇”：共 1 条/);
    expect((await first(t, '/search 云选汇', 'en')).html).toMatch(/^Nothing contains "云选汇"; searched for "云选会" instead.\n/);
  });

  it('an agency and "latest" words answer like /latest', async () => {
    const t = createTestBot();
    const { html, calls } = await first(t, '市科委最近发布了什么');
    expect(html).toMatch(/^<b>上海市科学技术委员会<\/b> 最新 3 条措施\n/);
    expect(buttons(calls[0]).filter((b) => b.callback_data.startsWith('e:'))).toHaveLength(3);
    expect((await first(t, 'police latest', 'en')).html).toMatch(/^<b>上海市公安局<\/b>: latest 7/);
  });

  it('two aliases of one agency typed alone keep their own answers (no shared page in the cache)', async () => {
    const t = createTestBot();
    // Asked twice, a page is kept; an alias of the same agency must not be answered from it.
    await first(t, '派出所');
    expect((await first(t, '派出所')).html).toContain('派出所');
    const traffic = (await first(t, '交警呢？')).html;
    expect(traffic).toMatch(/^🔎 上海市公安局 · “交警”：共 1 条/);
  });

  it('a query of only words without content asks for something to search', async () => {
    const t = createTestBot();
    expect((await first(t, '/search 有什么？')).html).toMatch(/^“有什么？”里没有可以搜索的词/);
  });

  it('underlines matches in the bold title (a <b> inside <b> would not show) and bolds them in the body', async () => {
    const t = createTestBot();
    const { html } = await first(t, '/search 云选会');
    expect(html).toContain('<b>1.</b> <b>线上求贤！3月16日起，上海高层次人才“<u>云选会</u>”');
    expect(html).toMatch(/人才“<b>云选会<\/b>”正式启动/);
  });

  it('highlights the near word a measure holds', async () => {
    const t = createTestBot();
    const { html } = await first(t, '/search 外籍人才签证');
    expect(html).toMatch(/<b>(签证|证件)<\/b>/);
  });

  it('keeps paging through partial results under the same header', async () => {
    const t = createTestBot();
    const { calls } = await first(t, '/search 复工 火锅');
    const next = buttons(calls[0]).find((b) => b.callback_data.endsWith(':1'));
    expect(next).toBeDefined();
    const page2 = texts(await t.press(next!.callback_data))[0]!;
    expect(page2).toMatch(/^没有同时包含 “复工”、“火锅” 的措施，以下 12 条包含 “复工” · 第 2\/3 页/);
  });
});

describe('an agency with no measures of its own, named alone', () => {
  it('lists the measures that name it (住建委 in a justice measure), or says it has none', async () => {
    const t = createTestBot();
    const { html, calls } = await first(t, '住建委');
    expect(html).toMatch(/^🔎 “住建委”：共 1 条/);
    expect(buttons(calls[0]).some((b) => b.callback_data === 'e:20200311-7eed29bdee')).toBe(true);
    expect((await first(t, '审计局')).html).toContain('上海市审计局 暂无措施');
  });
});

describe('pinyin typed without a Chinese keyboard', () => {
  it.each([
    ['fugong', /^🔎 “复工”：共 12 条/],
    ['waiguoren', /^🔎 “外国人”：共 \d+ 条/],
    ['/search jiaojing shigu', /^🔎 上海市公安局 · “事故”：共 1 条/],
  ])('%s is searched as the Chinese it spells', async (text, header) => {
    const t = createTestBot();
    const { html } = await first(t, text);
    expect(html).toMatch(header);
  });
});

describe('inline mode uses the same understanding', () => {
  it('finds traditional and run-together queries, and labels partial results above them', async () => {
    const t = createTestBot();
    const full = (await t.inline('浦東警方復產')).find((c) => c.method === 'answerInlineQuery')!;
    expect(full.payload.results.map((r: { title: string }) => r.title)).toEqual(['浦东警方为张江企业顺利复产按下快捷键']);
    expect(full.payload.button).toBeUndefined();
    const partial = (await t.inline('行政复议怎么申请')).find((c) => c.method === 'answerInlineQuery')!;
    expect(partial.payload.results).toHaveLength(1);
    expect(partial.payload.button.text).toMatch(/^没有同时包含 “行政复议”、“申请” 的措施/);
  });

  const inlineTitles = async (t: ReturnType<typeof createTestBot>, query: string) => {
    const a = (await t.inline(query)).find((c) => c.method === 'answerInlineQuery')!;
    return {
      titles: a.payload.results.map((r: { title: string }) => r.title) as string[],
      button: a.payload.button?.text as string | undefined,
    };
  };
  const searchTitles = async (t: ReturnType<typeof createTestBot>, query: string) =>
    buttons((await t.send(`/search ${query}`))[0])
      .filter((b) => b.callback_data.startsWith('e:'))
      .map((b) => b.text.replace(/^\d+\. /, ''));

  it.each(['公安 3月', '3月份 复工', '最近 司法局', '2月 外国人签证', '3月上旬'])(
    'date words: %s lists what /search lists, first',
    async (query) => {
      const t = createTestBot();
      const inline = await inlineTitles(t, query);
      const shown = await searchTitles(t, query);
      expect(shown.length).toBeGreaterThan(0);
      shown.forEach((label, i) => expect(inline.titles[i]!.startsWith(label.replace(/…$/, '').slice(0, 30))).toBe(true));
    },
  );

  it('公安 3月 is the police’s March measures, not the text “3月”', async () => {
    const t = createTestBot();
    const { titles } = await inlineTitles(t, '公安 3月');
    expect(titles.length).toBeGreaterThan(0);
    expect(titles).not.toContain('线上求贤！3月16日起，上海高层次人才“云选会”陆续发布10万余个岗位');
  });

  it('dates a pasted story gives (今年) are dropped when no measure falls in them, and the button says so', async () => {
    const t = createTestBot();
    const { titles, button } = await inlineTitles(t, '今年 复工');
    expect(titles.length).toBeGreaterThan(0);
    expect(button).toMatch(/没有相关措施，以下不限日期/);
  });
});

describe('without the native segmenter', () => {
  it('searches with the fallback, warns once, never fails an update', async () => {
    const warnings: string[] = [];
    const understanding = createQueryUnderstanding({
      tables: shippedWordTables(),
      load: () => {
        throw new Error('no prebuilt binary for this platform');
      },
      warn: (m) => warnings.push(m),
    });
    const t = createTestBot({ deps: { understanding } });
    expect((await first(t, '/search 浦东警方复产')).html).toMatch(/^🔎 上海市公安局 · “浦东”、“复产”：共 1 条/);
    expect((await first(t, '/search 云选会岗位')).html).toMatch(/^🔎 “云选会”、“岗位”：共 1 条/);
    expect(warnings).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });
});

describe('did you mean', () => {
  it('applies a correction for each slip and says so, then degrades to partial like any query', async () => {
    const t = createTestBot();
    const { html } = await first(t, '/search 云选汇 智慧警务平抬');
    expect(html).toMatch(
      /^没有找到“云选汇”，已按“云选会”搜索。\n没有找到“平抬”，已按“平台”搜索。\n没有同时包含 “云选汇”、“智慧警务”、“平抬” 的措施，以下 1 条包含 “智慧警务”、“平抬”\n/,
    );
  });
});

describe('with date words', () => {
  it('understands the words and filters by the dates the other words give', async () => {
    const t = createTestBot();
    const { html } = await first(t, '/search 3月 浦东警方复产');
    expect(html).toMatch(/^🔎 上海市公安局 · “浦东”、“复产”：共 1 条 · 📅 2020-03-01 – 2020-03-31\n/);
    // In February the police measures hold 复产 but not 浦东: partial, within the dates, said so.
    const partial = await first(t, '/search 2月 浦东警方复产');
    expect(partial.html).toMatch(/^没有同时包含 “浦东”、“复产” 的措施，以下 2 条包含 “复产” · 📅 2020-02-01 – 2020-02-29\n/);
    const none = await first(t, '/search 2019年3月 复产');
    expect(none.html).toMatch(/^📅 2019-03-01 – 2019-03-31 没有相关措施，以下不限日期。\n🔎 “复产”：共 11 条/);
  });
});

describe('a long keyword searched for the first time among many measures', () => {
  // The seed's measures copied 60 times (titles numbered): 复工复产 has hundreds of candidates, so its
  // first search checks only what the page needs and estimates the total.
  const manyMeasures = () => {
    const entries = createMemoryEntryStore();
    const seed = parseSeed();
    const copies = Array.from({ length: 60 }, (_, i) =>
      seed.entries.map((e, j) => {
        const n = i * seed.entries.length + j + 1;
        return { ...e, id: `${e.id}-${n}`, title: `${e.title}（第${n}条）` };
      }),
    ).flat();
    entries.apply({ ...seed, entries: copies }, new Date('2020-03-27T00:00:00Z'));
    return entries;
  };
  const containing = (t: ReturnType<typeof createTestBot>, word: string) =>
    t.entries.all().filter((e) => [e.title, ...e.body, ...e.bullets].some((s) => s.includes(word))).length;

  it.each([
    ['zh-hans', /^🔎 “复工复产”：共 约(\d+) 条 · 第 1 页\n/, /^🔎 “复工复产”：共 (\d+) 条 · 第 1\/(\d+) 页\n/],
    ['en', /^🔎 "复工复产": about (\d+) found · page 1\n/, /^🔎 "复工复产": (\d+) found · page 1\/(\d+)\n/],
  ])('says the first total is an estimate, then gives the exact count once worked out (%s)', async (lang, estimated, exact) => {
    const t = createTestBot({ entries: manyMeasures() });
    const truth = containing(t, '复工复产');
    expect(t.entries.count()).toBe(t.entries.all().length);
    expect(truth).toBeGreaterThan(200);
    const first = await t.send('/search 复工复产', { lang });
    const html = texts(first)[0]!;
    assertValidTelegramHtml(html);
    const about = Number(estimated.exec(html)?.[1]);
    // Two significant digits, within a quarter of the truth; the page itself is exact (5 hits, each with 复工复产).
    expect(Math.abs(about - truth)).toBeLessThanOrEqual(truth / 4);
    expect(buttons(first[0]).filter((b) => b.callback_data.startsWith('e:'))).toHaveLength(5);
    // The reply did not wait for it, but the keyword's matches are being worked out: once done, the count is exact.
    await t.catalog.prepare(['复工复产']);
    const again = texts(await t.send('/search 复工复产', { lang }))[0]!;
    const m = exact.exec(again);
    expect(Number(m?.[1])).toBe(truth);
    expect(Number(m?.[2])).toBe(Math.ceil(truth / 5));
    // The hits are the same either way.
    expect(again.split('\n').slice(1)).toEqual(html.split('\n').slice(1));
    expect(t.errors).toEqual([]);
  });

  it('works a keyword out in the background only when it is estimated a second time, and then answers exactly', async () => {
    const t = createTestBot({ entries: manyMeasures() });
    const asked: string[][] = [];
    const prepare = t.catalog.prepare.bind(t.catalog);
    const jobs: Promise<void>[] = [];
    t.catalog.prepare = (keywords) => {
      asked.push([...keywords]);
      const job = prepare(keywords);
      jobs.push(job);
      return job;
    };
    // Asked once: estimated, and no work spent on it (most rare words are asked once).
    expect(texts(await t.send('/search 复工复产'))[0]).toMatch(/共 约\d+ 条/);
    expect(asked).toEqual([]);
    // Asked again (here the next page): still estimated, and now worked out after the reply.
    expect(texts(await t.press('s:' + lastKey(t) + ':1'))[0]).toMatch(/共 约\d+ 条 · 第 2 页/);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('复工复产');
    await Promise.all(jobs);
    expect(texts(await t.send('/search 复工复产'))[0]).toMatch(new RegExp(`共 ${containing(t, '复工复产')} 条`));
    expect(t.errors).toEqual([]);
  });
});

/** The query key of the last page's paging buttons (s:<key>:<page>). */
const lastKey = (t: ReturnType<typeof createTestBot>): string => {
  for (let i = t.calls.length - 1; i >= 0; i--) {
    const key = buttons(t.calls[i])
      .map((b) => /^s:([0-9a-z]+):\d+$/.exec(b.callback_data)?.[1])
      .find(Boolean);
    if (key) return key;
  }
  throw new Error('no paging buttons sent');
};

import { describe, expect, it } from 'vitest';
import { feedItems } from '../../../src/core/bulletin/feed.ts';
import { labelledRecords } from '../../../src/core/bulletin/fields.ts';
import { namedAgency } from '../../../src/core/bulletin/headings.ts';
import { splitLines } from '../../../src/core/bulletin/lines.ts';
import { slideMeasures } from '../../../src/core/bulletin/slides.ts';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => namedAgency(name, agencies) !== null;
const rows = (text: string) => parseBulletin(text, { file: 't.txt', agencies, year: 2020 }).entries.map((e) => [e.agency, e.date, e.title]);
const texts = (lines: { text: string; rule?: boolean }[]) => lines.map((l) => (l.rule ? '---' : l.text));

describe('feedItems: a news feed item is its title, then a meta line with the account and the time', () => {
  const bar = '上海 28℃ 晴  8月14日 星期五\n';
  it.each([
    ['08-03', '8月3日'],
    ['2020-08-06', '2020年8月6日'],
    ['8月5日', '8月5日'],
    // Relative times against the date bar, never the clock.
    ['昨天 11:02', '8月13日'],
    ['前天 20:15', '8月12日'],
    ['3天前', '8月11日'],
    ['5小时前', '8月14日'],
    ['今天 07:30', '8月14日'],
    ['刚刚', '8月14日'],
  ])('%s → %s', (when, date) => {
    const lines = splitLines(`${bar}\n某标题\n某账号 · ${when} · 1.2万阅读 · 3评\n另一标题\n某账号 · 08-01 · 935阅读`);
    expect(texts(feedItems(lines, () => {}))).toEqual([bar.trim().replace(/\s+/g, ' '), date, '某标题', '8月1日', '另一标题']);
  });

  it.each(['06-10 | 上海人社 | 3562阅读', '上海人社｜06-10｜3562阅读 12评', '06-10 · 3562阅读'])('reads the meta line "%s"', (meta) => {
    const lines = splitLines(`标题甲\n${meta}\n标题乙\n号 · 06-11 · 10阅读`);
    expect(texts(feedItems(lines, () => {}))).toEqual(['6月10日', '标题甲', '6月11日', '标题乙']);
  });

  it.each([
    ['14:26 4G 86%', '3小时前', '8月14日'],
    ['01:20 4G 86%', '3小时前', '8月13日'],
    ['00:10', '20分钟前', '8月13日'],
    ['09:00', '20分钟前', '8月14日'],
  ])('with the phone clock at %s, %s is %s', (status, when, date) => {
    const lines = splitLines(`${status}\n8月14日 星期五\n甲\n号 · ${when} · 10阅读\n乙\n号 · 08-01 · 10阅读`);
    expect(texts(feedItems(lines, () => {})).slice(1, 3)).toEqual([date, '甲']);
  });

  it('crosses a month back from the bar', () => {
    const lines = splitLines('7月1日 星期三\n标题甲\n号 · 昨天 09:00 · 10阅读\n标题乙\n号 · 06-20 · 10阅读');
    expect(texts(feedItems(lines, () => {}))[0]).toBe('6月30日');
  });

  it('warns on a relative time when the copy shows no date bar, and leaves a text without meta lines alone', () => {
    const warned: number[] = [];
    const lines = splitLines('标题甲\n号 · 3小时前 · 10阅读\n标题乙\n号 · 06-20 · 10阅读');
    expect(texts(feedItems(lines, (n) => warned.push(n)))).toEqual(['标题甲', '6月20日', '标题乙']);
    expect(warned).toEqual([2]);
    const plain = splitLines('3月27日\n标题 · 副题\n来源：上海市公安局');
    expect(feedItems(plain, () => {})).toEqual(plain);
  });

  it('drops the app furniture and adverts, and does not read past the end of the feed (warned)', () => {
    const warned: string[] = [];
    const text =
      '8月14日 星期五\n\n—— 市民政局 ——\n标题甲\n号 · 08-03 · 10阅读\n[图片][图片]\n热\n查看更多 >\n\n广告\n游泳班 8月20日截止\n了解更多\n\n标题乙\n号 · 08-05 · 10阅读\n\n— 已经到底了 —\n\n相关推荐\n市民政局：某新闻\n报 · 08-09 · 1万阅读';
    const out = texts(feedItems(splitLines(text), (n, m) => warned.push(`${n} ${m.slice(0, 12)}`)));
    // The bar alone on its line has been read, and goes (it would read as a measure's date).
    expect(out).toEqual(['—— 市民政局 ——', '8月3日', '标题甲', '8月5日', '标题乙']);
    expect(warned.map((w) => w.split(' ')[0])).toEqual(['11', '17']);
  });

  it('files an item under its account only in a feed without section headers, and only an agency’s own account', () => {
    const text =
      '专题（截止至2020年8月14日）\n8月14日 星期五\n\n招聘专项行动启动\n上海人社 · 08-10 · 3562阅读\n夜生活节启动\n上海发布 · 昨天 18:40 · 10万+阅读\n';
    const parsed = parseBulletin(text, { file: 't.txt', agencies, year: 2020 });
    expect(parsed.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      ['上海市人力资源和社会保障局', '2020-08-10', '招聘专项行动启动'],
    ]);
    expect(parsed.warnings.map((w) => w.line)).toEqual([6]);
  });

  it('reads a whole feed under its section headers, not the accounts', () => {
    const text =
      '专题（截止至2020年8月14日）\n号 · 今天 08:00 · 1万阅读\n2020年8月14日 星期五\n\n━━ 市体育局 ━━\n全民健身日活动启动\n上海发布 · 08-08 · 2.4万阅读 · 130评\n场馆开放补贴发放\n体育上海 · 昨天 11:02 · 935阅读 · 3评\n';
    expect(rows(text)).toEqual([
      ['上海市体育局', '2020-08-08', '全民健身日活动启动'],
      ['上海市体育局', '2020-08-13', '场馆开放补贴发放'],
    ]);
  });
});

describe('slideMeasures: one measure per slide, under a badge with its agency and date', () => {
  const footer = (n: number) => `政策汇编 ｜ 2020年8月      ${n}`;
  it.each([
    ['市民政局　｜　2020.08.03', ['【市民政局】', '2020年8月3日']],
    ['2020/8/3 | 市民政局', ['【市民政局】', '2020年8月3日']],
    ['市民政局 | 2020-08-03', ['【市民政局】', '2020年8月3日']],
    // A bar between words that name no agency is no badge.
    ['长三角 | 2020.08.03', ['长三角 | 2020.08.03']],
  ])('%s', (badge, want) => {
    const text = `${badge}\n标题甲\n${footer(3)}\n市体育局 | 2020.08.08\n标题乙\n${footer(4)}\n${footer(5)}`;
    expect(texts(slideMeasures(splitLines(text), isAgency)).slice(0, want.length)).toEqual(want);
  });

  it('drops footers with page numbers, turns a divider into a heading and joins a continued slide', () => {
    const text = [
      'PART 01',
      '上海市体育局',
      footer(3),
      '市体育局 ｜ 2020.08.08',
      '健身日活动启动',
      '▪ 持续至9月底',
      footer(4),
      '市体育局 ｜ 2020.08.08',
      '健身日活动启动（续）',
      '▪ 覆盖16个区',
      '来源：上海市体育局',
      footer(5),
    ].join('\n');
    expect(texts(slideMeasures(splitLines(text), isAgency))).toEqual([
      '【上海市体育局】',
      '【市体育局】',
      '2020年8月8日',
      '健身日活动启动',
      '▪ 持续至9月底',
      '▪ 覆盖16个区',
      '来源：上海市体育局',
    ]);
  });

  it('keeps a （续） slide that continues nothing before it', () => {
    const text = `市体育局 | 2020.08.08\n甲\n${footer(3)}\n市体育局 | 2020.08.09\n乙（续）\n${footer(4)}\n${footer(5)}`;
    expect(texts(slideMeasures(splitLines(text), isAgency))).toContain('乙（续）');
  });
});

describe('labelledRecords: a form filled in per measure', () => {
  it.each([
    ['2020.05.06', '2020年5月6日'],
    ['2020.5.6', '2020年5月6日'],
    ['2020-05-09', '2020年5月9日'],
    ['2020/5/9', '2020年5月9日'],
    ['5月4日', '5月4日'],
    ['5月8日（周五）', '5月8日'],
    ['2020年5月8日', '2020年5月8日'],
  ])('日期：%s → %s', (value, date) => {
    const lines = splitLines(`部门：市教委\n日期：${value}\n标题：甲\n\n部门：同上\n日期：5月1日\n标题：乙`);
    expect(texts(labelledRecords(lines, () => {}))[0]).toBe(date);
  });

  it('writes each record as date, title, 发布单位, summary bullet and link, closed by a rule; 同上 is the agency above', () => {
    const text =
      '日报\n—— 第1条 ——\n部门：市教委\n日期：2020.05.06\n标题：甲\n摘要：（待补）\n链接：http://x/20200506.html\n\n—— 第2条 ——\n部门：同上\n日期：5月7日\n标题：乙\n链接：\n\n明日计划：5月20日前出初稿。';
    expect(texts(labelledRecords(splitLines(text), () => {}))).toEqual([
      '日报',
      '---',
      '2020年5月6日',
      '甲',
      '发布单位：市教委',
      '• （待补）',
      '链接：http://x/20200506.html',
      '---',
      '---',
      '5月7日',
      '乙',
      '发布单位：市教委',
      '---',
      '明日计划：5月20日前出初稿。',
    ]);
  });

  it('warns on a record whose date is no date, and leaves a single labelled block alone', () => {
    const warned: number[] = [];
    labelledRecords(splitLines('部门：市教委\n日期：待定\n标题：甲\n\n部门：市教委\n日期：5月7日\n标题：乙'), (n) => warned.push(n));
    expect(warned).toEqual([2]);
    const one = splitLines('发布日期：2020年4月2日\n标题：甲');
    expect(labelledRecords(one, () => {})).toEqual(one);
  });

  it('files records in typed order, each under its own department', () => {
    const text =
      '日志（截止至2020年5月15日）\n\n部门：市教委\n日期：2020.05.06\n标题：错峰返校\n\n部门：上海市商务委员会\n日期：5月4日\n标题：购物节启动\n\n部门：市教委\n日期：2020-05-13\n标题：考试安排公布\n';
    expect(rows(text)).toEqual([
      ['上海市教育委员会', '2020-05-06', '错峰返校'],
      ['上海市商务委员会', '2020-05-04', '购物节启动'],
      ['上海市教育委员会', '2020-05-13', '考试安排公布'],
    ]);
  });
});

describe('a group notice: short dates before a bar, editor’s notes under a title', () => {
  it('reads "4.9｜标题" as a date line and keeps "（提醒：…）" out of the title', () => {
    const text =
      '群公告（截止至2020年4月10日）\n\n🏛【市经信委】\n6️⃣ 4.9｜在线新经济项目征集启动\n（提醒：申报截至4月24日⚠️）\n👉来源：上海经信委\n';
    expect(rows(text)).toEqual([['上海市经济和信息化委员会', '2020-04-09', '在线新经济项目征集启动']]);
  });
});

import { describe, expect, it } from 'vitest';
import { readDateLine } from '../../../src/core/bulletin/dates.ts';
import { knownHeading } from '../../../src/core/bulletin/headings.ts';
import { bareTitle, isQuotedTitle, numberingOf, splitLines, withoutEmoji } from '../../../src/core/bulletin/lines.ts';
import { readIssuerLine, readSourceLine } from '../../../src/core/bulletin/sources.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const line = (text: string) => splitLines(text)[0]!;

describe('emoji in a post: decoration, numbering and quoted titles', () => {
  it.each([
    ['🏛️【市人社局】', '【市人社局】'],
    ['🚇【市交通委】🚇', '【市交通委】'],
    ['「公共体育场馆分时段预约开放」⛹️‍♀️', '「公共体育场馆分时段预约开放」'],
    ['🇨🇳 国庆假期安排', '国庆假期安排'],
    ['本市发布措施', '本市发布措施'],
  ])('withoutEmoji(%s) → %s', (text, want) => {
    expect(withoutEmoji(text)).toBe(want);
  });

  it.each([
    ['1️⃣ 📅4月7日', 'keycap', '📅4月7日'],
    ['9️⃣ 标题', 'keycap', '标题'],
    ['🔟 📅4月17日', 'keycap', '📅4月17日'],
    ['1. 标题', 'arabic', '标题'],
  ])('numberingOf(%s) is %s', (text, kind, rest) => {
    expect(numberingOf(text)).toEqual({ kind, rest });
  });

  it.each([
    ['「上海启动线上培训补贴」💰', '上海启动线上培训补贴', true],
    ['2️⃣ 『网约车消毒标准调整』', '网约车消毒标准调整', true],
    ['「A」与「B」两项措施', '「A」与「B」两项措施', false],
    ['🔥本市发布稳就业措施👍', '本市发布稳就业措施', false],
  ])('bareTitle(%s) → %s', (text, want, quoted) => {
    expect(bareTitle(text)).toBe(want);
    expect(isQuotedTitle(text)).toBe(quoted);
  });

  it.each([
    ['🏛️【市人社局】', '上海市人力资源和社会保障局'],
    ['🏪【市市场监管局】', '上海市市场监督管理局'],
    // A scan's OCR spaces inside a name.
    ['上海市公 安局', '上海市公安局'],
    ['上海海 事局', '上海海事局'],
    ['🎉 活动预告', null],
  ])('knownHeading(%s) → %s', (text, want) => {
    expect(knownHeading(line(text), agencies)).toBe(want);
  });

  it.each([
    ['🔗来源：@上海人社', '@上海人社'],
    ['来 源：上海市交通委员会', '上海市交通委员会'],
  ])('readSourceLine(%s) → %s', (text, want) => {
    expect(readSourceLine(line(text), () => false)?.source).toBe(want);
  });
});

describe('dates of posts, digests, reissues and scans', () => {
  it.each([
    ['1️⃣ 📅4月7日', [null, 4, 7, '']],
    ['▲ 04-08 “非接触式”办税再升级（市税务局）', [null, 4, 8, '“非接触式”办税再升级(市税务局)']],
    ['◆ 6/17 整治回头看专项行动启动', [null, 6, 17, '整治回头看专项行动启动']],
    ['4.3【市公安局】出入境证件审批', [null, 4, 3, '【市公安局】出入境证件审批']],
    ['▲ 4.3 【市公安局】清明期间交通保障', [null, 4, 3, '【市公安局】清明期间交通保障']],
    ['【更正】4月2日（原误作4月3日）', [null, 4, 2, '']],
    ['2月l8日', [null, 2, 18, '']],
    ['5月6曰', [null, 5, 6, '']],
    ['2O2O年5月2O日', [2020, 5, 20, '']],
  ])('%s', (text, [year, month, day, rest]) => {
    const d = readDateLine(line(text as string).form);
    expect(d && [d.year, d.month, d.day, d.rest]).toEqual([year, month, day, rest]);
  });

  it.each([
    // A post's timestamp, not a measure's date.
    '4-25 09:12 来自 微博 weibo.com',
    // Items of a measure's own list.
    '（1）5月6日：高一、高二年级；',
    '（3）6月2日：小学一至三年级。',
    '① 7月6日：召开线上主题班会；',
    // Ranges and prose.
    '1-2月份全市工业产值回升',
  ])('%s is no date line', (text) => {
    expect(readDateLine(line(text).form)).toBeNull();
  });
});

describe('digest furniture', () => {
  it('reads a month separator as a rule, and footer labels as no line', () => {
    const lines = splitLines(
      '——— 4月 ———\n=== 2020年5月 ===\n【六月】\n## 7月份\n往期回顾：系列四（4.24）\n本期编辑：张三\n相关阅读：第十期\n转发 36 ｜ 评论 12 ｜ 赞 108\n—— 市公安局 ——',
    );
    expect(lines.map((l) => (l.rule ? 'rule' : l.text))).toEqual(['rule', 'rule', 'rule', 'rule', '—— 市公安局 ——']);
  });

  it.each([
    ['发布单位：市住建委、市司法局', '市住建委、市司法局'],
    ['发文机构: 市应急局', '市应急局'],
    ['发布日期：2020年4月29日', null],
    ['单位名称很长的一行标题', null],
  ])('readIssuerLine(%s) → %s', (text, want) => {
    expect(readIssuerLine(line(text).form)).toBe(want);
  });
});

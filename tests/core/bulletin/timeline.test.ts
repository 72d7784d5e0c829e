import { describe, expect, it } from 'vitest';
import { namedAgency } from '../../../src/core/bulletin/headings.ts';
import { splitLines } from '../../../src/core/bulletin/lines.ts';
import { timelineItems } from '../../../src/core/bulletin/timeline.ts';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => namedAgency(name, agencies) !== null;
const parsed = (text: string) => parseBulletin(text, { file: 't.txt', agencies, year: 2020 });
const rows = (text: string) => parsed(text).entries.map((e) => [e.agency, e.date, e.title]);
const texts = (lines: { text: string; rule?: boolean }[]) => lines.map((l) => (l.rule ? '---' : l.text));

describe('timelineItems: a date node over items tagged with their agency', () => {
  it.each([
    ['● 7月14日', '├─【市发改委】', '└─【市文旅局】', '7月14日', '市发改委', '市文旅局'],
    ['◆ 2020年9月3日', '┣━ [市商务委] ', '┗━ [市体育局] ', '2020年9月3日', '市商务委', '市体育局'],
    ['2020-09-03', '│ ├ 「市商务委」', '│ └ 「市体育局」', '2020年9月3日', '市商务委', '市体育局'],
    ['★ 9.3', '【上海海关】', '【临港新片区】', '9月3日', '上海海关', '临港新片区'],
    ['○ 9月3日（周四）', '\u3000├─【市商务委】', '\u3000└─【市体育局】', '9月3日', '市商务委', '市体育局'],
  ])('node "%s", items "%s…"', (node, a, b, date, first, second) => {
    const lines = splitLines(`${node}\n│\n${a}标题甲\n│\u3000\u3000正文甲。\n│\n${b}标题乙\n\u3000\u3000正文乙。`);
    expect(texts(timelineItems(lines, () => {}, isAgency))).toEqual([
      date,
      '标题甲',
      `发布单位：${first}`,
      '正文甲。',
      '---',
      date,
      '标题乙',
      `发布单位：${second}`,
      '正文乙。',
      '---',
    ]);
  });

  it.each([
    ['one tagged item only', '● 7月14日\n├─【市发改委】标题甲\n│ 正文'],
    ['tags that name no agency', '● 7月14日\n├─【重磅】标题甲\n├─【解读】标题乙'],
    ['tagged items with no date node', '【市发改委】标题甲\n【市文旅局】标题乙'],
  ])('leaves a text alone: %s', (_, text) => {
    const lines = splitLines(text);
    expect(timelineItems(lines, () => {}, isAgency)).toEqual(lines);
  });

  it('warns about a date node with no item under it', () => {
    const warned: number[] = [];
    timelineItems(
      splitLines('● 7月14日\n├─【市发改委】标题甲\n● 7月13日\n│ （当日无新举措）\n● 7月12日\n└─【市文旅局】标题乙'),
      (line) => warned.push(line),
      isAgency,
    );
    expect(warned).toEqual([3]);
  });
});

describe('a whole timeline', () => {
  const text = [
    '政策时间轴（截止至7月15日）',
    '━━━━ 2020年7月 ━━━━',
    '● 7月14日',
    '│',
    '├─【市发改委】促进消费扩容提质实施意见',
    '│\u3000\u3000自8月1日起施行。',
    '│\u3000\u3000（来源：上海发布）',
    '│',
    '└─【上海边检】口岸通关时间缩短三成',
    '\u3000\u3000（来源：上海出入境边防检查总站）',
    '━━━━ 2020年6月 ━━━━',
    '● 6月28日',
    '└─【市人社局】稳岗返还政策扩围',
    '\u3000\u3000（来源：某某资讯）',
    '━━━━━━━━━━',
    '下期预告：系列八将于7月底发布。',
  ].join('\n');

  it('files each item under its tag, on its node date, whatever its 来源 says', () => {
    expect(rows(text)).toEqual([
      ['上海市发展和改革委员会', '2020-07-14', '促进消费扩容提质实施意见'],
      ['上海出入境边防检查总站', '2020-07-14', '口岸通关时间缩短三成'],
      ['上海市人力资源和社会保障局', '2020-06-28', '稳岗返还政策扩围'],
    ]);
  });

  it('warns about the text after the last item', () => {
    expect(parsed(text).warnings.map((w) => w.line)).toContain(16);
  });
});

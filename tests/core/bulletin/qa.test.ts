import { describe, expect, it } from 'vitest';
import { namedAgency } from '../../../src/core/bulletin/headings.ts';
import { issuedIn } from '../../../src/core/bulletin/qa.ts';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => namedAgency(name, agencies) !== null;
const issued = (answer: string) =>
  issuedIn(
    answer.normalize('NFKC'),
    [...answer.matchAll(/《([^《》]+)》/g)].map((m) => m[1]!),
    isAgency,
  ).map((m) => [m.date, m.agency, m.title]);

describe('issuedIn: a measure is one sentence with a date, an agency, an act of issuing and a 《》 document', () => {
  it.each([
    ['5月6日，市商务委发布《甲》，要求…', [['5月6日', '市商务委', '甲']]],
    ['市住建委5月20日印发《甲》。', [['5月20日', '市住建委', '甲']]],
    ['市财政局于5月21日出台了《甲》', [['5月21日', '市财政局', '甲']]],
    ['据5月27日消息，市应急局下发《甲》', [['5月27日', '市应急局', '甲']]],
    ['2020年5月17日，市人社局会同市教委发布《甲》', [['2020年5月17日', '市人社局', '甲']]],
    ['5月29日，市商务委又印发《甲》', [['5月29日', '市商务委', '甲']]],
    [
      '5月8日，上海海关公布《甲》和《乙》',
      [
        ['5月8日', '上海海关', '甲'],
        ['5月8日', '上海海关', '乙'],
      ],
    ],
    [
      '5月7日，市体育局发布《甲》；5月9日，市民政局印发《乙》。',
      [
        ['5月7日', '市体育局', '甲'],
        ['5月9日', '市民政局', '乙'],
      ],
    ],
  ])('%s', (answer, want) => {
    expect(issued(answer)).toEqual(want);
  });

  it.each([
    ['a document cited in passing', '根据《甲》，5月6日起继续执行。'],
    ['no date of issue, only a start date', '市商务委发布《甲》，5月6日起施行。'],
    ['a date that is a start, before the act', '5月6日起，市商务委发布《甲》'],
    ['the date in another sentence', '5月6日有消息。市商务委发布《甲》'],
    ['no agency before the act', '5月6日，有关部门发布《甲》'],
    ['a month only', '3月份发布的《甲》'],
  ])('reads nothing: %s', (_, answer) => {
    expect(issued(answer)).toEqual([]);
  });
});

describe('a whole Q&A', () => {
  const text = [
    '政策问答（截止至5月31日）',
    '问1：餐馆能堂食吗？',
    '答：可以。5月6日，市商务委发布《餐饮服务堂食恢复指引》，',
    '每桌间隔一米以上。',
    '来源：上海市商务委员会、上海市市场监督管理局',
    '问2：发消费券吗？',
    '答：暂无正式文件。',
    '问3：公园开了吗？',
    '答：5月8日，市绿化市容局印发《公园有序开放通知》。',
    '来源：上海发布',
  ].join('\n');
  const parsed = parseBulletin(text, { file: 't.txt', agencies, year: 2020 });

  it('files each document under the agency its sentence names, whatever the 来源', () => {
    expect(parsed.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      ['上海市商务委员会', '2020-05-06', '餐饮服务堂食恢复指引'],
      ['上海市绿化和市容管理局', '2020-05-08', '公园有序开放通知'],
    ]);
  });

  it('warns about an answer it could not read, by its line', () => {
    expect(parsed.warnings.map((w) => w.line)).toContain(7);
  });

  it('leaves a text with one answer alone', () => {
    const one = parseBulletin('5月6日\n某标题\n来源：上海市商务委员会\n问：哪天？\n答：5月6日，市商务委发布《甲》', {
      file: 't.txt',
      agencies,
      year: 2020,
    });
    expect(one.entries.map((e) => e.title)).toEqual(['某标题']);
  });
});

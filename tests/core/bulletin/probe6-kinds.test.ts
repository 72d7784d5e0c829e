import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { readDateLine } from '../../../src/core/bulletin/dates.ts';
import { statesAsOf } from '../../../src/core/bulletin/header.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const parse = (text: string) => parseBulletin(text, { file: 't.txt', agencies, knownAsOf: ['2020-03-26'] });
const rows = (text: string) => parse(text).entries.map((e) => [e.agency, e.date, e.title]);

describe('a WeChat article copied on a phone', () => {
  it.each([
    ['▍4月8日', 4, 8],
    ['▌ 6月12日', 6, 12],
    ['█ 2020.7.3', 7, 3],
    ['◆ 5月1日', 5, 1],
  ])('reads the date behind a post’s bar: %s', (line, month, day) => {
    const d = readDateLine(line);
    expect(d && [d.month, d.day, d.rest]).toEqual([month, day, '']);
  });

  it('takes the timestamp above the title for the post’s, not a measure’s, and reads the 【】 headings', () => {
    const text = [
      '某某政务',
      '2020-06-22 07:45',
      '',
      '点击上方蓝字 关注我们',
      '',
      '汇编（系列六：截止至6月19日）',
      '',
      '[图片]',
      '',
      '【市医保局】',
      '',
      '▍5月25日',
      '门诊长处方报销延续至年底',
      '',
      '来源：上海发布',
      '',
      '【体育局】',
      '',
      '▍6月3日',
      '公共体育场馆有序恢复开放',
      '',
      '来源：上海市体育局',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.bulletin.asOf).toBe('2020-06-19');
    expect(rows(text)).toEqual([
      ['上海市医疗保障局', '2020-05-25', '门诊长处方报销延续至年底'],
      ['上海市体育局', '2020-06-03', '公共体育场馆有序恢复开放'],
    ]);
  });
});

describe('the as-of date is the one right after 截止/更新到', () => {
  it.each([
    ['复工复产进行时（系列八：截止至7月20日）', true],
    ['（系列七：截止至 2020 年 6 月 30 日）', true],
    ['数据更新到2020年5月8日', true],
    ['麻烦更新到库里。这期7月13日那条之前漏了', false],
    ['截至目前，6月2日那条没有改动', false],
  ])('%s → %s', (line, states) => {
    expect(statesAsOf(line)).toBe(states);
  });

  it('lets the bulletin’s title win over a covering note that mentions a date', () => {
    const text = [
      '王老师好，',
      '汇编转给您，麻烦更新到库里。7月13日那条之前漏了。',
      '------------------ 原始邮件 ------------------',
      '发送时间: 2020年7月22日(星期三) 下午3:18',
      '主题: 进行时（系列八：截止至7月20日）',
      '',
      '进行时（系列八：截止至7月20日）',
      '',
      '市公安局',
      '',
      '7月13日',
      '夏季治安“亮剑”行动开展',
      '来源：上海市公安局',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.bulletin.asOf).toBe('2020-07-20');
    expect(rows(text)).toEqual([['上海市公安局', '2020-07-13', '夏季治安“亮剑”行动开展']]);
  });
});

describe('a PDF copy with no blank lines', () => {
  const intro = [
    '汇编（第四期：截止至 2020 年 7 月 31 日）',
    '编者按：为方便企业和市民及时了解本市城乡建设和生态环境领域出台',
    '的各项政策措施，我们对近期各部门发布的相关信息进行了梳理，按部',
    '门和发布时间先后汇编如下，仅供参考。',
    '上海市农业农村委员会',
  ];
  const body = ['农业部门将对本市蔬菜生产基地实行分片包干服务，确保蔬菜的稳定', '供应和价格基本平稳。'];
  it.each([
    ['a title broken mid-phrase, a short tail', ['夏季蔬菜稳产保供措施出台，确保', '市场供应'], ['夏季蔬菜稳产保供措施出台，确保市场供应']],
    [
      'two full titles under one date',
      ['蔬菜稳产保供措施出台', '高标准农田建设项目集中开工'],
      ['蔬菜稳产保供措施出台', '高标准农田建设项目集中开工'],
    ],
    ['a short line that is a sentence: the body', ['夏季蔬菜稳产保供措施出台', '价格平稳。'], ['夏季蔬菜稳产保供措施出台']],
    [
      'a title’s line reaching the width: it goes on',
      ['本市夏季蔬菜稳产保供十项措施出台，确保本市蔬菜生产供应和价格', '基本平稳'],
      ['本市夏季蔬菜稳产保供十项措施出台，确保本市蔬菜生产供应和价格基本平稳'],
    ],
  ])('%s', (_kind, titles, want) => {
    const text = [...intro, '2020 年 7 月 8 日', ...titles, ...body, '来源：上海市农业农村委员会'].join('\n');
    expect(rows(text).map((r) => r[2])).toEqual(want);
    expect(rows(text).every((r) => r[0] === '上海市农业农村委员会' && r[1] === '2020-07-08')).toBe(true);
  });
});

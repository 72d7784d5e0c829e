import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { readDateLine } from '../../../src/core/bulletin/dates.ts';
import { splitLines } from '../../../src/core/bulletin/lines.ts';
import type { Line } from '../../../src/core/bulletin/lines.ts';
import { memoItems } from '../../../src/core/bulletin/memo.ts';
import { postStamps, titleWithoutTags } from '../../../src/core/bulletin/newmedia.ts';
import { isDocumentField, oaFormBody } from '../../../src/core/bulletin/official-doc.ts';
import { isAccountName } from '../../../src/core/bulletin/placement.ts';
import { withoutReviewMarkup } from '../../../src/core/bulletin/word-review.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const parse = (text: string) => parseBulletin(text, { file: 't.txt', agencies, knownAsOf: ['2021-01-08'] });
const rows = (text: string) => parse(text).entries.map((e) => [e.agency, e.date, e.title]);
const texts = (lines: Line[]) => lines.map((l) => l.text);
const dateOf = (l: Line) => readDateLine(l.form);
const collect = () => {
  const said: [number, string][] = [];
  return { said, warn: (line: number, message: string) => said.push([line, message]) };
};

describe('an OA form printed with the bulletin as its 正文', () => {
  const form = [
    '某区工商联 协同办公 — 收文登记单',
    '收文编号：工联收〔2021〕12号',
    '来文单位：某协会',
    '文件标题：关于报送复工复产措施汇编的函',
    '成文日期：2021年4月2日',
    '━━━━ 正文 ━━━━',
    '复工复产措施汇编（系列三十：截止至3月31日）',
    '市经信委',
    '3月30日',
    '本市工业企业用电补贴申报启动',
    '文号：沪经信规〔2021〕3号 | 成文日期：2021年3月26日',
    '附件：1. 申报表',
    '来源：上海市经济和信息化委员会',
    '━━━━ 正文结束 ━━━━',
    '主题词：汇编　函',
    '流转记录：',
  ];

  it('keeps the 正文, the form’s date as a publication stamp, and says what was left out', () => {
    const { said, warn } = collect();
    const out = oaFormBody(splitLines(form.join('\n')), warn);
    expect(texts(out)[0]).toBe('发布时间：2021年4月2日');
    expect(texts(out).slice(1, 3)).toEqual(['复工复产措施汇编（系列三十：截止至3月31日）', '市经信委']);
    expect(texts(out).at(-1)).toBe('来源：上海市经济和信息化委员会');
    expect(said.map(([line]) => line)).toEqual([1, 14]);
  });

  it('ends the 正文 at the form’s footer when it has no closing mark, and reads a spaced label', () => {
    const { warn } = collect();
    const text = [
      '发文稿纸',
      '标    题：汇编',
      '拟    稿：周某',
      '签    发：刘某',
      '正文：',
      '市经信委',
      '3月30日',
      '标题',
      '主题词：汇编',
      '抄送：秘书处',
    ];
    expect(texts(oaFormBody(splitLines(text.join('\n')), warn))).toEqual(['市经信委', '3月30日', '标题']);
  });

  it.each([
    ['a 正文 line with fewer than three form fields above it', ['标题：汇编', '正文', '3月30日', '标题']],
    ['form fields without a 正文 mark', ['收文编号：1', '来文单位：某协会', '密级：非密', '3月30日', '标题']],
  ])('passes through %s', (_, text) => {
    const lines = splitLines(text.join('\n'));
    expect(oaFormBody(lines, () => {})).toEqual(lines);
  });

  it('reads the measures, their document fields as body, the year from the form', () => {
    const parsed = parse(form.join('\n'));
    expect(parsed.bulletin.asOf).toBe('2021-03-31');
    expect(rows(form.join('\n'))).toEqual([['上海市经济和信息化委员会', '2021-03-30', '本市工业企业用电补贴申报启动']]);
    expect(parsed.entries[0]!.body).toEqual(['文号：沪经信规〔2021〕3号 | 成文日期：2021年3月26日', '附件：1. 申报表']);
  });

  it.each([
    ['文号：沪人社规〔2021〕2号 | 发文机关：市人社局', true],
    ['发文字号：沪经信技〔2021〕402号　　成文日期：2021年5月31日', true],
    ['附件2：申报材料清单', true],
    ['附 件：政策问答', true],
    ['印发日期：2021年1月11日', true],
    ['关于印发《附件管理办法》的通知', false],
    ['文化旅游消费季启动', false],
  ])('document field: %s → %s', (line, yes) => {
    expect(isDocumentField(line)).toBe(yes);
  });
});

describe('Word review markup pasted as text', () => {
  it('drops balloons with a warning each, and the anchors and note markers they explain', () => {
    const { said, warn } = collect();
    const text = [
      '二、市生态环境局',
      '已删除: 4月7日',
      '4月8日',
      '环评审批“不见面”扩围[AB2]',
      '批注 [AB2]: 李某：核对官网标题。',
      '来源：上海市生态环境局',
      'Formatted: Font: Bold',
      'Deleted: 4月9日',
      '4月9日',
      '排污许可证延续办理指引[1]',
      '[1] 原文见官网。',
    ];
    const out = withoutReviewMarkup(splitLines(text.join('\n')), warn);
    expect(texts(out)).toEqual([
      '二、市生态环境局',
      '4月8日',
      '环评审批“不见面”扩围',
      '来源：上海市生态环境局',
      '4月9日',
      '排污许可证延续办理指引',
      '[1] 原文见官网。',
    ]);
    expect(said.map(([line]) => line)).toEqual([2, 5, 7, 8]);
  });

  it('reads comments Word pastes at the end with their mark, when the mark is in the text', () => {
    const { said, warn } = collect();
    const text = '4月8日\n环评审批扩围[LM1]\n来源：上海市生态环境局\n[LM1]李明：标题再核。\n[H5]页面上线';
    expect(texts(withoutReviewMarkup(splitLines(text), warn))).toEqual([
      '4月8日',
      '环评审批扩围',
      '来源：上海市生态环境局',
      '[H5]页面上线',
    ]);
    expect(said.map(([line]) => line)).toEqual([4]);
  });

  it('keeps brackets that are no anchor: no comment or note with that mark', () => {
    const lines = splitLines('4月8日\n“一网通办”[2.0版]上线\n第[3]批名单公布');
    expect(withoutReviewMarkup(lines, () => {})).toEqual(lines);
  });

  it('reads a table of contents under 目录 as one warning (tabs or dot leaders)', () => {
    const { said, warn } = collect();
    const out = withoutReviewMarkup(splitLines('目  录\n一、市经信委\t1\n二、市商务委……………2\n市经信委\n4月1日\n标题'), warn);
    expect(texts(out)).toEqual(['市经信委', '4月1日', '标题']);
    expect(said).toHaveLength(1);
  });

  it('reads a reviewed report end to end: the deleted date is no date, the cover date no measure', () => {
    const text = [
      '复工复产进行时（系列三十一：截止至4月9日）',
      '编辑部',
      '2021年4月12日',
      '一、市生态环境局',
      '已删除: 4月7日',
      '4月8日',
      '环评审批“不见面”扩围[AB2]',
      '来源：上海市生态环境局',
      '批注 [AB2]: 李某：核对官网标题。',
    ].join('\n');
    expect(rows(text)).toEqual([['上海市生态环境局', '2021-04-08', '环评审批“不见面”扩围']]);
    expect(parse(text).warnings.map((w) => w.line)).toEqual([5, 9]);
  });
});

describe('an editor’s to-do memo', () => {
  const memo = [
    '系列三十二 待办',
    '- [x] 改标题',
    '【市商务委】',
    '- [x] 4月12日 首发经济政策发布 // 来源待补',
    '- [ ] 4月14日 夜间经济活动季启动   ← 刚出的',
    '☐ 4月15日 外贸企业帮扶清单 @小王 找原文',
    '❌ 4月13日 局长访谈 —— 不是措施',
    '- [ ] ~~4月10日 旧闻一条~~ 重复',
    '   ↳ 备注：链接已换',
    '- [ ] 4月20日 发布会（下期再看，不收）',
    '- [ ] 数一下：3条',
  ];

  it('keeps each dated item without its box or remark; to-dos, struck and excluded items are warnings', () => {
    const { said, warn } = collect();
    const out = memoItems(splitLines(memo.join('\n')), warn, dateOf);
    expect(texts(out)).toEqual([
      '系列三十二 待办',
      '【市商务委】',
      '4月12日 首发经济政策发布',
      '4月14日 夜间经济活动季启动',
      '4月15日 外贸企业帮扶清单',
    ]);
    expect(said.map(([line]) => line)).toEqual([2, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it.each([
    ['one task box only', '- [ ] 4月12日 标题 // 备注\n3月1日 标题'],
    ['☑ bullets (no task list)', '☑ 4月12日 标题一\n☑ 4月13日 标题二'],
  ])('passes through %s', (_, text) => {
    const lines = splitLines(text);
    expect(memoItems(lines, () => {}, dateOf)).toEqual(lines);
  });

  it('keeps a link in a title and a boxed title under a bare date line', () => {
    const out = memoItems(splitLines('- [ ] 待办\n4月12日\n☐ 标题见 https://example.org/a\n- [x] 4月13日 标题二'), () => {}, dateOf);
    expect(texts(out)).toEqual(['4月12日', '标题见 https://example.org/a', '4月13日 标题二']);
  });

  it('reads a memo end to end: the note’s time stamp is no measure', () => {
    const text = ['系列三十二 待办（截止至4月15日）', '2021年4月16日 下午5:40', ...memo.slice(1)].join('\n');
    expect(parse(text).bulletin.asOf).toBe('2021-04-15');
    expect(rows(text)).toEqual([
      ['上海市商务委员会', '2021-04-12', '首发经济政策发布'],
      ['上海市商务委员会', '2021-04-14', '夜间经济活动季启动'],
      ['上海市商务委员会', '2021-04-15', '外贸企业帮扶清单'],
    ]);
  });

  it.each([
    ['2021年2月27日 下午3:12', true],
    ['2021年2月27日 09:30', true],
    ['2021年2月27日 下午茶活动', false],
  ])('a stamp: %s → %s', (line, stamp) => {
    expect(readDateLine(line)?.stamp).toBe(stamp);
  });
});

describe('a new-media post', () => {
  it.each([
    ['2021-02-08 08:00 · 上海', '2021-02-08 08:00'],
    ['2021-7-12 19:30 来自 微博 weibo.com', '2021-7-12 19:30'],
    ['2021-07-12 19:30 IP属地：上海', '2021-07-12 19:30'],
    ['2021-07-12 19:30 · 市人社局发布新规', '2021-07-12 19:30 · 市人社局发布新规'],
    ['2021-07-12 19:30 · 稳岗补贴发放', '2021-07-12 19:30 · 稳岗补贴发放'],
  ])('stamp %s → %s', (line, text) => {
    expect(texts(postStamps(splitLines(line)))).toEqual([text]);
  });

  it.each([
    ['年夜饭预订消费提示 #年夜饭#', '年夜饭预订消费提示'],
    ['申报指南发布 #科创# #申报#', '申报指南发布'],
    ['#上海发布#', '#上海发布#'],
    ['第#3#号令解读', '第#3#号令解读'],
  ])('title %s → %s', (title, bare) => {
    expect(titleWithoutTags(title)).toBe(bare);
  });

  it('reads a post: its year from the stamp, tags off the titles', () => {
    const text = [
      '某商会 头条号',
      '2021-02-08 08:00 · 上海',
      '#复工复产#',
      '复工复产进行时（系列十九：截止至2月5日）',
      '1️⃣ 市人社局',
      '🔹1月26日｜稳岗留工补贴发放 #就地过年#',
      '▶️ 来源：@上海人社',
    ].join('\n');
    expect(parse(text).bulletin.asOf).toBe('2021-02-05');
    expect(rows(text)).toEqual([['上海市人力资源和社会保障局', '2021-01-26', '稳岗留工补贴发放']]);
  });
});

describe('a 来源 naming an account the directory does not know', () => {
  it.each([
    ['上海静安', true],
    ['浦东发布', true],
    ['乐游上海', true],
    ['上海市松江区九亭镇人民政府', false],
    ['某某行业协会', false],
    ['某新设机构', false],
    ['临港新片区', false],
    ['上海市数据局', false],
    ['某街道办', false],
    ['Shanghai PSB', false],
  ])('%s → %s', (name, account) => {
    expect(isAccountName(name)).toBe(account);
  });

  it('keeps the heading’s agency under a known heading, and an unknown agency’s name without one', () => {
    const text = ['复工复产进行时（系列一：截止至2021年1月8日）', '静安区', '1月5日', '楼宇经济20条', '来源：上海静安'].join('\n');
    expect(rows(text)).toEqual([['上海市静安区人民政府', '2021-01-05', '楼宇经济20条']]);
    const body = ['复工复产进行时（系列一：截止至2021年1月8日）', '1月5日', '楼宇经济20条', '来源：上海静安'].join('\n');
    expect(rows(body)).toEqual([['上海静安', '2021-01-05', '楼宇经济20条']]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { sharePageLines } from '../../../src/core/bulletin/app-share.ts';
import { formOf, splitLines } from '../../../src/core/bulletin/lines.ts';
import { smsItems } from '../../../src/core/bulletin/sms.ts';
import { readSourceLine } from '../../../src/core/bulletin/sources.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => agencies.resolve(name) !== null;
const parse = (text: string) => parseBulletin(text, { file: 't.txt', agencies, knownAsOf: ['2020-03-26'] });
const rows = (text: string) => parse(text).entries.map((e) => [e.agency, e.date, e.title]);
const texts = (lines: { text: string; rule?: boolean }[]) => lines.map((l) => (l.rule ? '—' : l.text));

describe('a bulk SMS digest: the agency and the date in the bracket after the title', () => {
  const known = '9. 另一条已知措施（市交通委，11月3日）';
  it.each([
    ['1. 本市延长某项贴息政策至2021年底（市人社局，10月19日）', '10月19日', '本市延长某项贴息政策至2021年底', '市人社局'],
    ['7. 稳岗返还惠及企业超20万户(市人社局,11月6日)', '11月6日', '稳岗返还惠及企业超20万户', '市人社局'],
    ['8. 秋冬季防控措施发布（市卫健委 11月9日）(2/3)', '11月9日', '秋冬季防控措施发布', '市卫健委'],
    ['6. 贷款延期政策延至明年3月底（上海银保监局，11.4）', '11月4日', '贷款延期政策延至明年3月底', '上海银保监局'],
    ['3、公交高峰加密班次（10.26 市交通委）', '10月26日', '公交高峰加密班次', '市交通委'],
    ['2、工业用电补贴（试行）办法发布（市经信委、11/2）[1/2]', '11月2日', '工业用电补贴（试行）办法发布', '市经信委'],
    ['【某区商会】5. “随申码”企业版上线（市大数据中心，11月2日）', '11月2日', '“随申码”企业版上线', '市大数据中心'],
    ['10. 稳外贸“21条”（2.0版）（市商务委，2020年11月12日）', '2020年11月12日', '稳外贸“21条”（2.0版）', '市商务委'],
    ['⑤ 养老机构恢复探视（市民政局，9月8日）', '9月8日', '养老机构恢复探视', '市民政局'],
    ['4. 冷链监管仓启用【市商务委 10月30日】', '10月30日', '冷链监管仓启用', '市商务委'],
    ['5. 首贷贴息申报启动【市金融局/11.23】', '11月23日', '首贷贴息申报启动', '市金融局'],
  ])('%s', (line, date, title, agency) => {
    const out = smsItems(splitLines(`${line}\n${known}`), isAgency);
    expect(texts(out).slice(0, 4)).toEqual([date, title, `发布单位：${agency}`, '—']);
  });

  it.each([
    ['a bracket with no date (a one-line digest’s agency): left to the parser', '1. 标题一（市人社局）\n2. 标题二（市商务委）'],
    ['a bracket with a date but no number before the title', '标题一（市人社局，10月19日）\n标题二（市商务委，10月20日）'],
    ['only one such line', '1. 标题一（市人社局，10月19日）\n2. 标题二（补发）'],
    ['brackets naming no agency the directory knows', '1. 标题一（某某协会，10月19日）\n2. 标题二（张三，10月20日）'],
  ])('is no digest: %s', (_, text) => {
    const lines = splitLines(text);
    expect(smsItems(lines, isAgency)).toEqual(lines);
  });

  it('reads a digest in segments: the greeting is the header, the notice and signature are warned about', () => {
    const text = [
      '【某区工商联】各位会员：“复工复产进行时”2020年第9期（截至2020年12月4日）摘要如下：',
      '1. 小微企业首贷贴息申报启动（市金融局，11月23日）',
      '2. 区级人才公寓第二批配租(某区,11.25)(1/2)',
      '【某区工商联】3. 新办企业免费刻章全覆盖（市市场监管局 12月1日）',
      '4. 冬季用工专项招聘会（某某人才协会，12月2日）',
      '另：本会定于12月10日举办政策解读会，报名请回复1。',
      '某区工商联秘书处 13900000000 (2/2)',
      '拒收请回复R',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.bulletin.asOf).toBe('2020-12-04');
    expect(parsed.bulletin.series).toBe(9);
    expect(rows(text)).toEqual([
      ['上海市地方金融监督管理局', '2020-11-23', '小微企业首贷贴息申报启动'],
      ['某区', '2020-11-25', '区级人才公寓第二批配租'],
      ['上海市市场监督管理局', '2020-12-01', '新办企业免费刻章全覆盖'],
      ['某某人才协会', '2020-12-02', '冬季用工专项招聘会'],
    ]);
    const lines = parsed.warnings.map((w) => w.line);
    // The unknown agencies are kept under their own names with a warning each; the tail is said once.
    expect(lines).toEqual(expect.arrayContaining([3, 5, 6]));
  });
});

describe('a news app’s share page', () => {
  const page = [
    '某某新闻',
    '打开某某新闻APP，阅读体验更佳',
    '汇编（系列十：截止至8月28日）',
    '某某中心　某某号作者',
    '2020-08-31 09:05　阅读 3.2万',
    '某某号 · 某某中心 ｜ + 关注',
    '',
    '■ 市体育局',
    '',
    '8月12日',
    '公共体育场馆恢复夜间开放',
    '即日起，全市公共体育场馆开放时间延长，',
    '',
    '展开全文',
    '',
    '可开放至晚上9点。',
    '来源：上海市体育局',
    '',
    '8月25日',
    '市民健身步道新建50条',
    '来源：上海体育',
    '',
    '（完）',
    '👍 120　💬 8',
    '打开APP阅读更多精彩内容',
    '',
    '热门评论(8)',
    '跑步的小王',
    '8月12日那条太好了',
    '8月31日　回复 · 3赞',
  ].join('\n');

  it('drops the chrome, keeps the stamp’s date, and cuts the comments with a warning', () => {
    const warnings: number[] = [];
    const out = sharePageLines(splitLines(page), (line) => warnings.push(line));
    const t = texts(out);
    expect(t).toContain('2020-08-31 09:05');
    expect(t.some((x) => /APP|关注|展开全文|👍|热门评论|回复/.test(x))).toBe(false);
    // The fold's two halves are one paragraph again.
    expect(t).toContain('即日起，全市公共体育场馆开放时间延长，可开放至晚上9点。');
    expect(warnings).toEqual([27]);
  });

  it('reads the measures, the year from the post’s stamp, nothing from the comments', () => {
    const parsed = parse(page);
    expect(parsed.bulletin.asOf).toBe('2020-08-28');
    expect(rows(page)).toEqual([
      ['上海市体育局', '2020-08-12', '公共体育场馆恢复夜间开放'],
      ['上海市体育局', '2020-08-25', '市民健身步道新建50条'],
    ]);
    expect(parsed.entries[0]!.body).toEqual(['即日起，全市公共体育场馆开放时间延长，可开放至晚上9点。']);
    expect(parsed.warnings.some((w) => /states no year/.test(w.message))).toBe(false);
  });

  it('leaves a text with one such mark alone', () => {
    const lines = splitLines('汇编（截止至8月28日）\n8月12日\n某某措施\n展开全文\n来源：上海市体育局');
    expect(sharePageLines(lines, () => {})).toEqual(lines);
  });
});

describe('a copy retyped in traditional characters', () => {
  it.each([
    ['來源：上海海關', '来源:上海海关'],
    ['截止至１２月１１日', '截止至12月11日'],
    ['１２月８日（星期二）', '12月8日(星期二)'],
  ])('matches %s as %s', (text, form) => {
    expect(formOf(text)).toBe(form);
  });

  it('reads a traditional 來源 and keeps its text as written', () => {
    const [l] = splitLines('來源：健康上海１２３２０');
    expect(readSourceLine(l!, () => false)?.source).toBe('健康上海１２３２０');
  });

  it('reads a newsletter: masthead date and salutation are not a measure; titles stay traditional; a rule ends the last one', () => {
    const text = [
      '某某商會　會員通訊（第３期）',
      '２０２０年１１月２日',
      '',
      '各位會員：',
      '',
      '現轉載最新一期，供會員參考。',
      '',
      '復工復產進行時（系列十：截止至１０月３０日）',
      '',
      '上海市交通委員會',
      '',
      '１０月２０日（星期二）',
      '網約車「安心乘」服務推廣',
      '來源：上海市交通委員會',
      '',
      '上海邊檢總站',
      '',
      '１０月２８日',
      '口岸「２４小時」通關保障',
      '來源：上海出入境邊防檢查總站',
      '——————',
      '本會將於１１月５日舉行簡介會，歡迎報名。',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.bulletin.asOf).toBe('2020-10-30');
    expect(rows(text)).toEqual([
      ['上海市交通委员会', '2020-10-20', '網約車「安心乘」服務推廣'],
      ['上海出入境边防检查总站', '2020-10-28', '口岸「２４小時」通關保障'],
    ]);
    expect(parsed.entries[1]!.body).toEqual([]);
    expect(parsed.warnings.map((w) => w.line)).toEqual([22]);
  });

  it('still reads a date followed by a title as a measure (only a salutation makes it a letter’s date)', () => {
    const text = '汇编（截止至2020年5月8日）\n\n市公安局\n\n5月6日\n各区出入境窗口恢复办理\n来源：上海市公安局';
    expect(rows(text)).toEqual([['上海市公安局', '2020-05-06', '各区出入境窗口恢复办理']]);
  });
});

describe('small shapes of the same copies', () => {
  it.each([
    ['資料來源：上海市商務委員會', '上海市商務委員會'],
    ['资料来源：上海市商务委员会', '上海市商务委员会'],
  ])('reads %s as a 来源 line', (text, source) => {
    const [l] = splitLines(text);
    expect(readSourceLine(l!, () => false)?.source).toBe(source);
  });

  it('a letter opened with 敬啟者： under its date is no measure', () => {
    const text =
      '某某會　簡訊\n２０２０年１０月９日\n敬啟者：\n\n彙編（截止至１０月８日）\n\n市公安局\n\n１０月６日\n出入境窗口延長服務時間\n來源：上海市公安局';
    const parsed = parse(text);
    expect(parsed.bulletin.asOf).toBe('2020-10-08');
    expect(rows(text)).toEqual([['上海市公安局', '2020-10-06', '出入境窗口延長服務時間']]);
  });

  it.each(['在APP内打开', 'APP内阅读全文', '打开今日头条APP，查看更多', '下载APP'])('drops the banner %s on a share page', (banner) => {
    const lines = splitLines(`${banner}\n展开全文\n正文`);
    expect(texts(sharePageLines(lines, () => {}))).toEqual(['正文']);
  });
});

import { describe, expect, it } from 'vitest';
import { BulletinError, chineseNumber, entryId, parseBulletin } from '../../src/core/parse-bulletin.ts';
import { miniBulletin, parseSeed, seedText, shippedAgencies } from '../helpers/seed.ts';

const agencies = shippedAgencies();
const parse = (text: string, year?: number) => parseBulletin(text, { file: 'test.txt', agencies, year });

const KW = '上海市科学技术委员会';
const GA = '上海市公安局';
const MZ = '上海市民政局';
const SF = '上海市司法局';

describe('parseBulletin on the seed bulletin', () => {
  const parsed = parseSeed();

  it('reads the header', () => {
    expect(parsed.bulletin.title).toBe('疫情防控阻击之一——上海企业复工复产复市进行时 (系列二：截止至3月26日)');
    expect(parsed.bulletin.series).toBe(2);
    expect(parsed.bulletin.asOf).toBe('2020-03-26');
    expect(parsed.bulletin.publisher).toBe('上海市质协用户评价中心舆情分析');
    // The closing slogan (严而又严，上海态度…) is no measure: said once, with its lines, never dropped silently.
    expect(parsed.warnings).toEqual([
      { line: 168, message: '3 lines (168–170) after the last measure, not part of any measure: "严而又严，上海态度"' },
    ]);
  });

  // Every measure of the seed, in order: agency, date, start of title.
  const expected: [string, string, string][] = [
    [KW, '2020-02-04', '沪外国人来华工作许可有关事项网办“不见面”审批正式实施'],
    [KW, '2020-03-09', '政策“组合拳”、精准服务，支持科技企业复工复产'],
    [KW, '2020-03-16', '线上求贤！3月16日起，上海高层次人才“云选会”陆续发布10万余个岗位'],
    [GA, '2020-02-18', '加强疫情期间本市外国人出入境服务管理的举措'],
    [GA, '2020-02-21', '疫情期间，上海公安交警推出交通事故处理十大便民措施'],
    [GA, '2020-02-24', '道口打通“大动脉” 畅通“微循环”'],
    [GA, '2020-02-27', '上海金山：发挥智慧警务平台作用'],
    [GA, '2020-02-28', '助力外企复工复产：上海公安这些“破例”举措精准暖心'],
    [GA, '2020-03-04', '浦东警方为张江企业顺利复产按下快捷键'],
    [GA, '2020-03-25', '静安警方“点对点”护航企业复工复产'],
    [MZ, '2020-03-02', '一手抓防控一手抓发展 本市行业协会商会积极推动会员企业复工复产'],
    [MZ, '2020-03-06', '云路演助力本市康复辅具企业复工复产'],
    [MZ, '2020-03-16', '三部门联合发文，发挥行业协会商会作用支持本市企业复工复产复市'],
    [SF, '2020-02-12', '印发《关于加强本市新冠肺炎疫情防控期间行政执法工作的指导意见》'],
    [SF, '2020-02-12', '印发《上海市司法局关于加强法律服务保障支持企业平稳健康发展的实施意见》'],
    [SF, '2020-03-11', '《关于新冠肺炎疫情影响下本市建设工程合同履行的若干指导意见》相关问答'],
    [SF, '2020-03-13', '关于本市复工复产复市期间进一步做好行政复议和行政应诉工作的通知'],
    [SF, '2020-03-19', '关于加强企业复工复产复市公共法律服务工作的通知'],
    [SF, '2020-03-23', '印发《关于本市推动严格规范公正文明执法为疫情防控和复工复产复市工作提供有力法治保障的意见》'],
  ];

  it('finds exactly 19 measures', () => {
    expect(parsed.entries).toHaveLength(19);
  });

  it.each(expected.map((row, i) => [i, ...row] as const))('measure %i: %s %s %s', (i, agency, date, title) => {
    const e = parsed.entries[i]!;
    expect(e.agency).toBe(agency);
    expect(e.date).toBe(date);
    expect(e.title).toBe(title);
    expect(e.id).toBe(entryId(date, agency, title));
  });

  it('keeps a body line that starts with a date inside its measure', () => {
    const yunxuan = parsed.entries.find((e) => e.title.includes('云选会'))!;
    expect(yunxuan.body[0]).toMatch(/^3月16日，汇集6000余家企业/);
  });

  it('reads bullets without their markers and the stray "；来源：" line', () => {
    const waiqi = parsed.entries.find((e) => e.title.startsWith('助力外企'))!;
    expect(waiqi.bullets).toEqual(['集中统一代办，精准服务外企', '“特事特办”，更显城市温度', '多语种服务，精准纾困。']);
    expect(waiqi.source).toBe(GA);
  });

  it('gives the two 2月12日 titles their own measures with the shared source', () => {
    const feb12 = parsed.entries.filter((e) => e.date === '2020-02-12');
    expect(feb12.map((e) => e.source)).toEqual([SF, SF]);
    expect(new Set(feb12.map((e) => e.id)).size).toBe(2);
  });

  it('keeps intro and closing slogan out of every measure', () => {
    const all = parsed.entries.flatMap((e) => [e.title, ...e.body, ...e.bullets]).join('\n');
    expect(all).not.toContain('生命重于泰山');
    expect(all).not.toContain('严而又严');
  });

  it('records title line numbers', () => {
    const first = parsed.entries[0]!;
    expect(seedText.split('\n')[first.line - 1]!.trim()).toBe(first.title);
  });
});

describe('format variants', () => {
  const base = (body: string) => miniBulletin({ body });
  const one = (text: string) => {
    const r = parse(text);
    expect(r.entries).toHaveLength(1);
    return r.entries[0]!;
  };

  it.each([
    ['BOM and CRLF', '\uFEFF' + base('3月27日\r\n\r\n标题一\r\n\r\n正文。\r\n\r\n来源：上海市公安局').replace(/\n/g, '\r\n')],
    ['half-width colon and trailing spaces', base('3月27日\n标题一\n正文。\n来源: 上海市公安局   ')],
    ['full-width digits', base('３月２７日\n标题一\n正文。\n来源：上海市公安局')],
    ['no blank lines', base('3月27日\n标题一\n正文。\n来源：上海市公安局')],
    ['many blank lines and indentation', base('\n\n  3月27日  \n\n\n\t标题一\n\n\n  正文。\n\n\n来源：上海市公安局\n\n')],
    ['markdown bold title', base('3月27日\n**标题一**\n正文。\n来源：上海市公安局')],
    ['alias in 来源', base('3月27日\n标题一\n正文。\n来源：上海市公安局交通警察总队')],
    ['source glued to the body', base('3月27日\n标题一\n正文。；来源：上海市公安局')],
  ])('%s', (_name, text) => {
    const e = one(text);
    expect(e).toMatchObject({ agency: GA, date: '2020-03-27', title: '标题一', body: ['正文。'] });
  });

  it.each([
    ['- ◆ item；', 'item'],
    ['◆ item', 'item'],
    ['• item', 'item'],
    ['* item', 'item'],
    ['- item', 'item'],
    ['（1）item', 'item'],
    ['(2) item；', 'item'],
    ['① item', 'item'],
    ['➤ item', 'item'],
    ['✔ item', 'item'],
    ['Ø\titem', 'item'],
    ['\uF0B7\titem', 'item'],
  ])('bullet %j', (line, text) => {
    const e = one(base(`3月27日\n标题一\n正文。\n${line}\n来源：上海市公安局`));
    expect(e.bullets).toEqual([text]);
  });

  it.each([
    ['a date, then 丨 and the title (WeChat)', '3月27日丨标题一\n正文。\n来源：上海市公安局'],
    ['an emoji before the date', '📅 3月27日\n标题一\n正文。\n来源：上海市公安局'],
    ['a symbol before the date', '◆ 3月27日\n标题一\n正文。\n来源：上海市公安局'],
    ['a page number of a Word report between the date and the title', '3月27日\n第 2 页 共 5 页\n标题一\n正文。\n来源：上海市公安局'],
  ])('date shapes of real copies: %s', (_name, body) => {
    const e = one(base(body));
    expect(e).toMatchObject({ agency: GA, date: '2020-03-27', title: '标题一', body: ['正文。'] });
  });

  it('the date after the title, in brackets (a Word report), as written', () => {
    const e = one(base('1. 阶段性减免企业社会保险费，首批资金到位（2020年3月27日）\n正文。\n来源：上海市公安局'));
    expect(e).toMatchObject({ agency: GA, date: '2020-03-27', title: '阶段性减免企业社会保险费，首批资金到位', body: ['正文。'] });
  });

  it.each([
    [
      'a title wrapped onto a second line, its date after it',
      '4.\t本市出台稳就业若干政策措施，\n加大援企稳岗力度（2020年3月27日）\n正文。\n来源：上海市公安局',
      '本市出台稳就业若干政策措施，加大援企稳岗力度',
    ],
    [
      'a title, then its 发布日期 line',
      '1.\t本市货运车辆通行证“一网通办”，保障复工物资运输\n发布日期：2020年3月27日\n正文。\n来源：上海市公安局',
      '本市货运车辆通行证“一网通办”，保障复工物资运输',
    ],
    [
      'a wrapped title, then its 发布日期 line',
      '2.\t公交地铁恢复正常运营时间，错峰出行引导企业灵\n活上班\n发布日期：2020年3月27日\n正文。\n来源：上海市公安局',
      '公交地铁恢复正常运营时间，错峰出行引导企业灵活上班',
    ],
    [
      'a date and title wrapped onto a second line',
      '1.\t3月27日：线上求贤！上海高层次人才“云选会”陆续发\n布10万余个岗位\n汇集6000余家企业、10万余个岗位的上海高层次人才“云选会”正式启动。\n来源：上海市公安局',
      '线上求贤！上海高层次人才“云选会”陆续发布10万余个岗位',
    ],
  ])('a Word report: %s', (_name, body, title) => {
    const r = parse(base(body));
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([[GA, '2020-03-27', title]]);
    expect(r.warnings).toEqual([]);
  });

  it("a Word report's cover (its date, then 目录) and page headers (the publisher's line again) are not measures", () => {
    const text = [
      '测试简报（系列三：截止至2020年3月28日）',
      '测试中心',
      '二〇二〇年三月二十九日',
      '目  录',
      '（一）上海市公安局\t1',
      '（一）上海市公安局',
      '1.\t3月27日',
      '测试中心',
      '第 2 页 共 5 页',
      '标题一',
      '正文。',
      '来源：上海市公安局',
    ].join('\n');
    const r = parse(text);
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([[GA, '2020-03-27', '标题一']]);
    expect(r.bulletin.publisher).toBe('测试中心');
  });

  it('text out of a PDF: lines broken at a width are joined within a paragraph, spaced-out headings put together', () => {
    const para = (...ls: string[]) => ls.join('\n');
    const wrappedBody = para(
      '为帮助中小企业应对疫情影响、加快恢复生产，市公安局近日发布若干措施，鼓励',
      '平台面向中小企业免费开放设备上云、远程运维、供需对接等服务，对服务成效明',
      '显的平台给予专项资金支持，并对企业急需的外籍技术人员开通口岸签证绿色通',
      '道，帮助企业尽快复工复产，保障园区企业的正常生产经营秩序和员工出行安全。',
    );
    const measure = (d: string, t1: string, t2: string) => [d, para(t1, t2), wrappedBody, '来源：上海市公安局'].join('\n\n');
    const text = [
      '测试简报（系列三：截止至2020年3月28日）',
      '测试中心',
      '上 海 市 公 安 局',
      measure('3月20日', '市公安局发布《关于支持本市工业互联网平台助力中小', '企业数字化转型的若干措施》'),
      measure('3月21日', '上海公安出入境管理局推出十项便利外籍人员复工复产', '措施'),
    ].join('\n\n');
    const r = parse(text);
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      [GA, '2020-03-20', '市公安局发布《关于支持本市工业互联网平台助力中小企业数字化转型的若干措施》'],
      [GA, '2020-03-21', '上海公安出入境管理局推出十项便利外籍人员复工复产措施'],
    ]);
    // Not wrapped at a width (lines of every length): a title and its body stay apart.
    const plain = parse(base('3月27日\n标题一\n正文的第一句话比较长，写了二十多个字以上的内容；\n来源：上海市公安局'));
    expect(plain.entries.map((e) => e.title)).toEqual(['标题一']);
  });

  it('a CSV exported from Excel: quoted cells with commas, doubled quotes and line breaks; a date as its serial number', () => {
    const r = parse(
      [
        '测试简报（系列三：截止至2020年4月23日）,,,,',
        '序号,部门,日期,标题,来源',
        '1,上海市公安局,2020/4/3,"推出""稳外贸""措施,支持复工",上海公安',
        '2,,43935,"标题二","第一行',
        '第二行"',
        '3,市民政局,2020-04-16,标题三,上海民政',
      ].join('\n'),
    );
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      [GA, '2020-04-03', '推出"稳外贸"措施,支持复工'],
      [GA, '2020-04-14', '标题二'],
      [MZ, '2020-04-16', '标题三'],
    ]);
    expect(r.bulletin.asOf).toBe('2020-04-23');
  });

  it("a markdown doc: a toggle's HTML tags, a closing slogan after a rule (---) and 返回目录 are not measures", () => {
    const r = parse(
      base(
        [
          '## 上海市公安局',
          '- **3月27日** [标题一](https://example.org/1)',
          '  <details><summary>▶ 政策要点</summary>',
          '  - 要点一；',
          '  </details>',
          '',
          '---',
          '*严而又严，上海态度；细而又细，上海风格*',
          '',
          '[返回目录](#目录)',
        ].join('\n'),
      ),
    );
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([[GA, '2020-03-27', '标题一']]);
  });

  it.each([
    ['April 3, 2020', '2020-04-03'],
    ["Mar. 3 (no year: the as-of date's)", '2020-03-03'],
    ['3 April 2020', '2020-04-03'],
    ['8 Apr 2020', '2020-04-08'],
  ])('a bilingual edition: %s, the English translation of a title and a Source: line', (date, iso) => {
    const r = parse(
      base(
        [
          '上海市公安局 / Shanghai Public Security Bureau',
          date.replace(/ \(.*\)$/, ''),
          '外国人签证证件有效期届满可延期办理',
          'Foreign nationals whose visas expire may apply for extension',
          'Source: Shanghai PSB',
        ].join('\n'),
      ),
    );
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([[GA, iso, '外国人签证证件有效期届满可延期办理']]);
  });

  it('a table with merged agency cells: an empty cell is the agency of the row above', () => {
    const r = parse(
      miniBulletin({
        body: [
          '序号\t发布单位\t发布日期\t举措',
          '1\t上海市公安局\t2020-03-20\t标题一',
          '2\t\t2020-03-21\t标题二',
          '3\t市民政局\t2020-03-22\t标题三',
        ].join('\n'),
      }),
    );
    expect(r.entries.map((e) => [e.agency, e.title])).toEqual([
      [GA, '标题一'],
      [GA, '标题二'],
      [MZ, '标题三'],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('an agency heading in traditional characters files its measures under the official name', () => {
    const e = one(base('上海市經濟和信息化委員會\n3月27日\n标题一\n正文。'));
    expect(e.agency).toBe('上海市经济和信息化委员会');
  });

  it.each([
    [
      'a WeChat post: the 原创 line above the title',
      ['原创 作者 上海质协用户评价 2020-04-10', '收录于话题', '测试简报 (系列三：截止至4月9日)', '测试中心'],
    ],
    [
      'a web page: breadcrumbs, then 发布时间 with more on its line',
      ['首页 > 政务公开 > 工作动态', '测试简报（系列四：截止至4月9日）', '发布时间：2020-04-10 10:32　来源：测试中心　浏览次数：12'],
    ],
    [
      'a forwarded email: its 发送时间, never a measure',
      ['各位好，系列五见下。', '发件人：王敏', '发送时间：2020年4月10日（星期五）下午4:12', '主题：转发：系列五（截止至4月9日）'],
    ],
  ])('finds the title and the year in a copy with lines above the title: %s', (_name, head) => {
    const r = parse([...head, '', '上海市公安局', '', '3月27日', '', '标题一', '', '正文。', '', '来源：上海市公安局'].join('\n'));
    expect(r.bulletin.asOf).toBe('2020-04-09');
    expect(r.bulletin.title).toMatch(/截止至4月9日/);
    expect(r.entries.map((e) => [e.agency, e.date, e.title])).toEqual([[GA, '2020-03-27', '标题一']]);
    expect(r.warnings).toEqual([]);
  });

  it('accepts a full date "2020年3月28日" and an ISO date line', () => {
    const r = parse(base('2019年3月28日\n甲\n来源：上海市公安局\n2021-01-05\n乙\n来源：上海市公安局'));
    expect(r.entries.map((e) => e.date)).toEqual(['2019-03-28', '2021-01-05']);
  });

  it('takes the year from --year, else the text, else the as-of date', () => {
    const noYear = ['简报 (截止至3月28日)', '', '3月27日', '标题', '来源：上海市公安局'].join('\n');
    expect(parse(noYear, 2031).entries[0]!.date).toBe('2031-03-27');
    expect(parse(noYear.replace('简报', '简报 2018年版')).entries[0]!.date).toBe('2018-03-27');
    expect(parse(noYear.replace('截止至3月28日', '截止至2017年3月28日')).entries[0]!.date).toBe('2017-03-27');
    const fallback = parseBulletin(noYear, { file: 'x', agencies, now: new Date('2025-06-01T00:00:00Z') });
    expect(fallback.entries[0]!.date).toBe('2025-03-27');
    expect(fallback.warnings[0]!.message).toMatch(/--year/);
  });

  it('lets the 来源 line win over the section heading, and uses the heading (silently: nothing is lost) when there is no 来源', () => {
    const r = parse(base('上海市民政局\n3月27日\n甲\n来源：上海市司法局\n3月28日\n乙\n正文。'));
    expect(r.entries.map((e) => e.agency)).toEqual([SF, MZ]);
    expect(r.entries[1]!.source).toBe('');
    expect(r.warnings).toEqual([]);
  });

  it('accepts an agency not in the list, with a warning naming its line', () => {
    const r = parse(base('3月27日\n标题一\n来源：上海市松江区九亭镇人民政府'));
    expect(r.entries[0]!.agency).toBe('上海市松江区九亭镇人民政府');
    expect(r.warnings).toEqual([expect.objectContaining({ line: expect.any(Number), message: expect.stringContaining('九亭镇') })]);
  });

  it('warns with the line number for a measure that cannot be placed, and keeps the others', () => {
    const text = ['简报 2020年', '', '3月1日', '无来源的标题', '正文。', '', '上海市司法局', '3月2日', '有来源', '来源：上海市司法局'].join(
      '\n',
    );
    const r = parse(text);
    expect(r.entries.map((e) => e.title)).toEqual(['有来源']);
    expect(r.warnings).toContainEqual({ line: 4, message: expect.stringContaining('skipped') });
  });

  it('treats a long sentence after the title as body, not as another measure', () => {
    const e = one(
      base('3月27日\n标题一\n这是一段很长的正文，没有句号结尾但是超过了标题的长度限制' + '很长'.repeat(70) + '\n来源：上海市公安局'),
    );
    expect(e.body).toHaveLength(1);
  });

  it('keeps a joint notice listed under two agencies as one measure per agency', () => {
    const r = parse(base('3月16日\n三部门联合发文\n来源：上海市民政局\n3月16日\n三部门联合发文\n来源：上海市司法局'));
    expect(r.entries.map((e) => e.agency)).toEqual([MZ, SF]);
    expect(new Set(r.entries.map((e) => e.id)).size).toBe(2);
    expect(r.warnings).toEqual([]);
  });

  it('warns when the same measure appears twice under one agency, keeping one', () => {
    const r = parse(base('3月16日\n同一条\n来源：上海市民政局\n3月16日\n同一条\n正文。\n来源：上海市民政局'));
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.body).toEqual(['正文。']);
    expect(r.warnings[0]!.message).toMatch(/appears twice/);
  });

  it('keeps a title on the date line as written (full-width punctuation is not folded)', () => {
    const r = parse(base('上海市公安局\n4月2日：交警便利，复工通勤（试行）\n来源：上海市公安局'));
    expect(r.entries[0]!.title).toBe('交警便利，复工通勤（试行）');
  });

  it('reads a 来源 in brackets at the end of a title or a body line', () => {
    const r = parse(
      base('3月27日 甲措施（来源：市民政局）\n3月28日\n乙措施（来源：上海市司法局）\n正文。\n3月26日\n丙措施\n正文一段（来源：市公安局）'),
    );
    expect(r.entries.map((e) => [e.title, e.agency, e.body])).toEqual([
      ['甲措施', MZ, []],
      ['乙措施', SF, ['正文。']],
      ['丙措施', GA, ['正文一段']],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('ends a measure at a markdown heading, and warns about a heading that names no agency', () => {
    const r = parse(base('## 上海市民政局\n3月27日\n甲措施（来源：市民政局）\n## 其他\n上海市司法局\n3月28日\n乙措施\n来源：上海市司法局'));
    expect(r.entries.map((e) => e.title)).toEqual(['甲措施', '乙措施']);
    expect(r.warnings).toEqual([
      expect.objectContaining({ message: expect.stringContaining('"其他" looks like a heading but names no agency') }),
    ]);
  });

  it('a numbered title that names an agency stays a title', () => {
    const r = parse(
      base(
        '一、市公安局\n3月27日\n（二）市公安局推出十项便民措施\n来源：上海市公安局\n3月28日\n二、市民政局推出措施\n来源：上海市民政局\n3月29日\n（三）关于调整上海市民政局\n来源：上海市民政局',
      ),
    );
    expect(r.entries.map((e) => [e.agency, e.title])).toEqual([
      [GA, '市公安局推出十项便民措施'],
      [MZ, '市民政局推出措施'],
      [MZ, '关于调整上海市民政局'],
    ]);
  });

  it('years: --year wins and is the as-of year; a month after the as-of month is the year before; prose never counts', () => {
    const text = [
      '简报（截止至1月15日）',
      '中心',
      '',
      '自2019年底以来，2018年的经验……',
      '',
      '上海市民政局',
      '12月28日',
      '甲',
      '来源：上海市民政局',
      '1月8日',
      '乙',
      '来源：上海市民政局',
    ].join('\n');
    expect(parse(text, 2021).entries.map((e) => e.date)).toEqual(['2020-12-28', '2021-01-08']);
    const guessed = parseBulletin(text, { file: 'x.txt', agencies, now: new Date('2026-03-01T00:00:00Z') });
    expect(guessed.entries.map((e) => e.date)).toEqual(['2025-12-28', '2026-01-08']);
    expect(guessed.warnings).toEqual([expect.objectContaining({ message: expect.stringMatching(/states no year.*2026.*--year/) })]);
    const followed = parseBulletin(text, { file: 'x.txt', agencies, knownAsOf: ['2020-03-26', '2020-12-20'] });
    expect(followed.entries.map((e) => e.date)).toEqual(['2020-12-28', '2021-01-08']);
    expect(followed.warnings[0]!.message).toMatch(/follows the bulletins already published/);
    expect(parse(text.replace('截止至1月15日', '截止至2021-01-15')).entries.map((e) => e.date)).toEqual(['2020-12-28', '2021-01-08']);
  });

  it('does not warn about a year guess when every date carries its year', () => {
    const r = parseBulletin('简报\n中心\n\n上海市民政局\n2020年4月1日\n甲\n来源：上海市民政局', { file: 'x.txt', agencies });
    expect(r.entries[0]!.date).toBe('2020-04-01');
    expect(r.warnings).toEqual([]);
  });

  it('gives the same id to the same measure in a later bulletin', () => {
    const a = parse(base('3月27日\n标题一\n正文。\n来源：上海市公安局')).entries[0]!;
    const b = parse(base('3月27日\n 标题一 \n改过的正文。\n来源：上海市公安局')).entries[0]!;
    expect(a.id).toBe(b.id);
    expect(a.bulletin).not.toBe(b.bulletin);
  });
});

describe('bad input', () => {
  it.each([
    ['empty', ''],
    ['only whitespace', ' \n\r\n\t'],
    ['no measures', '标题\n\n这里没有任何措施。'],
    ['control characters', 'abc\u0001\u0002def'],
  ])('%s → a clear BulletinError naming the file', (_name, text) => {
    expect(() => parse(text)).toThrowError(BulletinError);
    expect(() => parse(text)).toThrowError(/^test\.txt/);
  });

  it('a date line with no placeable measure names the line', () => {
    try {
      parse('标题\n\n3月1日\n只有标题');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BulletinError);
      expect((err as BulletinError).line).toBe(3);
    }
  });
});

describe('chineseNumber', () => {
  it.each([
    ['二', 2],
    ['十', 10],
    ['十二', 12],
    ['二十三', 23],
    ['7', 7],
    ['abc', null],
  ])('%s → %s', (text, n) => expect(chineseNumber(text)).toBe(n));
});

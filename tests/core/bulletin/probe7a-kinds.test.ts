import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { decodeEntities, htmlResidueLines, isHtmlResidue } from '../../../src/core/bulletin/html-residue.ts';
import { namedAgency } from '../../../src/core/bulletin/headings.ts';
import { splitLines } from '../../../src/core/bulletin/lines.ts';
import { siteListItems } from '../../../src/core/bulletin/site-list.ts';
import { readTables } from '../../../src/core/bulletin/tables.ts';
import { bulletinYear } from '../../../src/core/bulletin/years.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => namedAgency(name, agencies) !== null;
const parse = (text: string, knownAsOf?: string[]) => parseBulletin(text, { file: 't.txt', agencies, knownAsOf });
const rows = (text: string, knownAsOf?: string[]) => parse(text, knownAsOf).entries.map((e) => [e.agency, e.date, e.title]);

describe('HTML left in pasted text', () => {
  it.each([
    ['&ldquo;稳岗&rdquo;补贴', '“稳岗”补贴'],
    ['研发（R&amp;D）投入', '研发（R&D）投入'],
    ['11月2日&nbsp;', '11月2日 '],
    ['&#8220;一网通办&#8221;', '“一网通办”'],
    ['&#x300A;办法&#x300B;', '《办法》'],
    ['A&mdash;&mdash;B', 'A——B'],
    ['&lt;白名单&gt;', '<白名单>'],
    ['AT&T 与 &unknown; 照写', 'AT&T 与 &unknown; 照写'],
    ['&#0; 与 &#xD800; 照写', '&#0; 与 &#xD800; 照写'],
  ])('decodes entities: %s', (text, want) => {
    expect(decodeEntities(text)).toBe(want);
  });

  it.each([
    ['<p>甲</p>\n<p>乙</p>\n<p>丙</p>', true],
    ['甲<br>乙<br/>丙\n丁<BR>', false],
    ['甲<br>\n乙<br/>\n丙<br />', true],
    ['<div class="x">甲</div>\n<h3>乙</h3>\n<li>丙', true],
    ['标题里提到 <p> 标签\n正文\n来源：市科委', false],
    ['a < b\nc > d\n<tag>', false],
    ['| 日期 | 措施 |\n| 4/1 | 甲<br>乙 |\n| 4/2 | 丙<br>丁 |\n| 4/3 | 戊<br>己 |', false],
  ])('tells HTML source from text: %j', (text, want) => {
    expect(isHtmlResidue(text)).toBe(want);
  });

  it('breaks at blocks and <br>, joins a paragraph’s source lines, keeps the line each starts on', () => {
    const lines = htmlResidueLines(
      [
        'Version:0.9',
        '<!--StartFragment--><p><strong>市科委</strong></p>',
        '<p>5月6日<br />标题甲<br/>来源：市科委</p>',
        '<p>正文第一行，',
        '接着写完。</p><p>second',
        'line</p>',
        '<STYLE>p { color: red; }</STYLE><head><title>页面标题</title></head>',
        '<p class="MsoNormal"><span>11</span>月<span>16</span>日<o:p></o:p></p>',
        '一行没有标签的字',
        '<table><tr><td>日期</td><td></td><td>标题</td></tr></table>',
      ].join('\n'),
    );
    expect(lines.map((l) => [l.no, l.text])).toEqual([
      [2, '市科委'],
      [3, '5月6日'],
      [3, '标题甲'],
      [3, '来源：市科委'],
      [4, '正文第一行，接着写完。'],
      [5, 'second line'],
      [8, '11月16日'],
      [9, '一行没有标签的字'],
      [10, '日期 标题'],
    ]);
    expect(lines.at(-1)!.cells).toEqual(['日期', '', '标题']);
  });

  it('reads a bulletin whose paragraphs are HTML, titles entity-decoded', () => {
    const text = [
      '<p><strong>汇编（系列九：截止至2020年9月4日）</strong></p>',
      '<p>&nbsp;</p>',
      '<p><strong>市体育局</strong></p>',
      '<p>9月1日&nbsp;</p>',
      '<p><strong>&ldquo;全民健身日&rdquo;场馆免费开放</strong><o:p></o:p></p>',
      '<p>来源：上海市体育局</p>',
      '<p>9月3日<br />体育企业纾困&amp;发展专项资金申报<br />来源：上海市体育局</p>',
    ].join('\n');
    expect(rows(text)).toEqual([
      ['上海市体育局', '2020-09-01', '“全民健身日”场馆免费开放'],
      ['上海市体育局', '2020-09-03', '体育企业纾困&发展专项资金申报'],
    ]);
    expect(parse(text).entries[1]!.line).toBe(7);
  });

  it('reads a table: one row a line of cells, a cell’s paragraphs its lines', () => {
    const text = [
      '<p>汇编（截止至2020年9月4日）</p>',
      '<table border="1"><tbody>',
      '<tr>',
      '  <th>日期</th>',
      '  <th>部门</th>',
      '  <th>措施</th>',
      '</tr>',
      '<tr>',
      '  <td>2020年9月1日</td>',
      '  <td>市体育局</td>',
      '  <td><p>&ldquo;全民健身日&rdquo;场馆免费开放</p><p>全市公共体育场馆免费开放一天。</p></td>',
      '</tr>',
      '<tr><td>9月2日</td><td></td><td>体育消费券发放</td></tr>',
      '</tbody></table>',
    ].join('\n');
    const p = parse(text);
    expect(p.entries.map((e) => [e.line, e.agency, e.date, e.title, e.body])).toEqual([
      [8, '上海市体育局', '2020-09-01', '“全民健身日”场馆免费开放', ['全市公共体育场馆免费开放一天。']],
      [13, '上海市体育局', '2020-09-02', '体育消费券发放', []],
    ]);
  });

  it('decodes entities in plain text too', () => {
    const text = '汇编（截止至2020年9月4日）\n\n市体育局\n\n9月1日\n\n&ldquo;全民健身日&rdquo;场馆免费开放\n\n来源：上海市体育局';
    expect(rows(text)).toEqual([['上海市体育局', '2020-09-01', '“全民健身日”场馆免费开放']]);
  });
});

describe('a website’s list page copied in a browser', () => {
  const texts = (text: string) => siteListItems(splitLines(text), isAgency).map((l) => (l.rule ? '---' : l.text));

  it.each([
    ['· 标题甲乙丙丁戊\t2020-09-18', '2020-09-18'],
    ['标题甲乙丙丁戊　　[2020-09-18]', '2020-09-18'],
    ['▪ 标题甲乙丙丁戊(2020/9/18)', '2020-09-18'],
    ['标题甲乙丙丁戊2020-09-18', '2020-09-18'],
    ['- 标题甲乙丙丁戊 2020.09.18', '2020-09-18'],
    ['标题甲乙丙丁戊　2020年9月18日', '2020-09-18'],
    ['标题甲乙丙丁戊\t09-18', '9月18日'],
    ['标题甲乙丙丁戊 [9/18]', '9月18日'],
    ['· 2020-09-18 标题甲乙丙丁戊', '2020-09-18'],
    ['• [2020-09-18] 标题甲乙丙丁戊', '2020-09-18'],
  ])('reads the date at the end of an item: %j', (item, date) => {
    const more = ['· 其他标题之一二三\t2020-09-19', '· 其他标题之四五六\t2020-09-20'];
    expect(texts(['市人社局\t更多>>', item, ...more].join('\n')).slice(0, 3)).toEqual(['市人社局', date, '标题甲乙丙丁戊']);
  });

  it('takes a date wrapped onto the next line, an agency tag as 发布单位, and closes the list at its pagination', () => {
    const text = [
      '综合\t更多>>',
      '· 第一条标题在这里\t2020-10-01',
      '· 第二条标题换了行',
      '2020-10-02',
      '· [市商务委] 第三条标题带部门\t2020-10-03',
      '· 第四条标题在这里\t2020-10-04',
      '首页 上一页 1 2 下一页 尾页',
      '相关链接',
      '上一期汇编（系列十：截止至9月10日）\t2020-09-14',
    ].join('\n');
    expect(texts(text)).toEqual([
      '综合',
      '2020-10-01',
      '第一条标题在这里',
      '2020-10-02',
      '第二条标题换了行',
      '2020-10-03',
      '第三条标题带部门',
      '发布单位：市商务委',
      '2020-10-04',
      '第四条标题在这里',
      '---',
      '首页 上一页 1 2 下一页 尾页',
      '相关链接',
      '上一期汇编（系列十：截止至9月10日） 2020-09-14',
    ]);
  });

  it('reads an information-disclosure list: index number, title, agency and date in cells', () => {
    const text = [
      '信息公开目录',
      'SH0012-2020-001\t第一条标题在这里\t市人社局\t2020-10-01',
      'SH0012-2020-002\t第二条标题在这里\t上海海关\t2020-10-02',
      'SH0012-2020-003\t第三条标题在这里\t市商务委\t2020-10-03',
    ].join('\n');
    expect(texts(text).slice(1, 7)).toEqual([
      '2020-10-01',
      '第一条标题在这里',
      '发布单位：市人社局',
      '2020-10-02',
      '第二条标题在这里',
      '发布单位：上海海关',
    ]);
  });

  it('leaves a table with its header row to the table reader', () => {
    const text =
      '标题\t发布机构\t发布日期\n第一条标题在这里\t市人社局\t2020-10-01\n第二条标题在这里\t上海海关\t2020-10-02\n第三条标题在这里\t市商务委\t2020-10-03';
    expect(texts(text)).toEqual(splitLines(text).map((l) => l.text));
    expect(rows(`汇编（截止至2020年10月9日）\n${text}`)).toEqual([
      ['上海市人力资源和社会保障局', '2020-10-01', '第一条标题在这里'],
      ['上海海关', '2020-10-02', '第二条标题在这里'],
      ['上海市商务委员会', '2020-10-03', '第三条标题在这里'],
    ]);
  });

  it.each(['了解更多>>', '请点击 查看更多', '详见：更多 >>'])('does not take "%s" in a list for a section heading', (line) => {
    const items = ['· 第一条标题在这里\t2020-10-01', '· 第二条标题在这里\t2020-10-02', '· 第三条标题在这里\t2020-10-03'];
    expect(texts([...items, line].join('\n')).at(-1)).toBe(splitLines(line)[0]!.text);
  });

  it.each([
    ['two items only', '· 第一条标题在这里\t2020-10-01\n· 第二条标题在这里\t2020-10-02'],
    [
      'items only under related links',
      '正文\n相关文章\n· 第一条标题在这里 2020-10-01\n· 第二条标题在这里 2020-10-02\n· 第三条标题在这里 2020-10-03',
    ],
    [
      'body lines ending with a date, apart',
      '4月1日\n标题甲\n申报材料提交截止 2020-06-30\n来源：市科委\n4月2日\n标题乙\n线上申报系统开放 2020-07-01\n来源：市科委\n4月3日\n标题丙\n补贴资金拨付完成 2020-07-15\n来源：市科委',
    ],
    ['short dates glued to the title', '· 第一条标题在这里09-18\n· 第二条标题在这里09-19\n· 第三条标题在这里09-20'],
    ['sentences ending with a date', '会议定于。2020-10-01\n报名截止，2020-10-02\n材料提交：2020-10-03'],
  ])('leaves a text that is no list as it is: %s', (_, text) => {
    expect(texts(text)).toEqual(splitLines(text).map((l) => l.text));
  });

  it('reads a list page: chrome, sections, a mixed section, footer', () => {
    const text = [
      '首页 | 政务公开 | 专题',
      '当前位置：首页 > 专题 > 惠企政策',
      '惠企政策汇编（截止至2020年10月16日）',
      '发布日期：2020-10-19　　信息来源：办公室　　浏览次数：12',
      '市人社局\t更多>>',
      '· 第一条标题在这里\t2020-10-01',
      '· 第二条标题在这里\t2020-10-02',
      '要闻\t更多>>',
      '· [上海海关] 第三条标题在这里\t2020-10-03',
      '共2页 当前第1页',
      '地址：上海市黄浦区某路1号',
    ].join('\n');
    expect(rows(text)).toEqual([
      ['上海市人力资源和社会保障局', '2020-10-01', '第一条标题在这里'],
      ['上海市人力资源和社会保障局', '2020-10-02', '第二条标题在这里'],
      ['上海海关', '2020-10-03', '第三条标题在这里'],
    ]);
    expect(parse(text).warnings.map((w) => w.line)).toEqual([10]);
  });
});

describe('a spreadsheet pasted as tab-separated text', () => {
  const table = (...body: string[]) => readTables(splitLines(['序号\t部门\t日期\t措施\t链接', ...body].join('\n')))[0]!;

  it('reads 同上 and 〃 as the cell above, in the agency and the date', () => {
    const t = table('1\t市财政局\t2020/7/1\t甲\thttp://a', '2\t同上\t同上\t乙\thttp://b', '3\t〃\t2020/7/3\t丙\thttp://c');
    expect(t.rows.map((r) => [r.agency, r.dateText, r.title])).toEqual([
      ['市财政局', '2020/7/1', '甲'],
      ['市财政局', '2020/7/1', '乙'],
      ['市财政局', '2020/7/3', '丙'],
    ]);
  });

  it('goes on past a numbered empty row, skips a totals row, and never lends a link to the row below', () => {
    const t = table(
      '1\t市财政局\t2020/7/1\t甲\thttp://a',
      '2\t\t\t\t',
      '3\t\t2020/7/2\t乙\t',
      '合计\t\t\t2项\t',
      '4\t市商务委\t2020/7/3\t丙\t',
    );
    expect(t.rows.map((r) => [r.agency, r.title, r.source])).toEqual([
      ['市财政局', '甲', 'http://a'],
      ['市财政局', '乙', ''],
      ['市商务委', '丙', ''],
    ]);
  });

  it('knows 发文单位 and 发文日期 columns, and a date cell with its time', () => {
    const t = readTables(splitLines('序号\t发文单位\t发文日期\t文件名称\n1\t市发改委\t2020-12-01 00:00:00\t甲'))[0]!;
    expect(t.rows.map((r) => [r.agency, r.date?.month, r.date?.day, r.title])).toEqual([['市发改委', 12, 1, '甲']]);
  });

  it('names a column it does not read, once, on the header row', () => {
    const warnings: [number, string][] = [];
    readTables(
      splitLines('序号\t部门\t日期\t措施\t备注\t联系人\n1\t市财政局\t2020/7/1\t甲\t本期新增\t\n2\t市财政局\t2020/7/2\t乙\t\t'),
      (l, m) => warnings.push([l, m]),
    );
    expect(warnings).toEqual([[1, expect.stringMatching(/备注 column is not read/)]]);
  });

  it('still lends a merged 来源 cell to the rows below', () => {
    const t = readTables(splitLines('日期\t部门\t措施\t来源\n2020/7/1\t市财政局\t甲\t上海发布\n2020/7/2\t\t乙\t'))[0]!;
    expect(t.rows.map((r) => r.source)).toEqual(['上海发布', '上海发布']);
  });

  it('takes the year from the rows’ own dates when the title states none', () => {
    const text = ['清单（截止至7月17日）', '序号\t部门\t日期\t措施', '1\t市财政局\t2020/7/1\t甲', '2\t市商务委\t7月9日\t乙'].join('\n');
    const p = parse(text);
    expect(p.bulletin.asOf).toBe('2020-07-17');
    expect(p.entries.map((e) => e.date)).toEqual(['2020-07-01', '2020-07-09']);
    expect(p.warnings).toEqual([]);
  });
});

describe('the year of a bulletin that states none', () => {
  const asOf = (month: number, day: number) => ({ asOf: { year: null, month, day }, published: null, titleYear: null });
  const now = new Date('2026-01-01T00:00:00Z');

  it.each([
    [12, 25, ['2020-03-26'], 2020],
    [10, 30, ['2020-03-26'], 2020],
    [4, 10, ['2020-03-26'], 2020],
    // An earlier issue re-sent (系列一 after 系列二) keeps its year…
    [3, 10, ['2020-03-26'], 2020],
    [2, 1, ['2020-03-26'], 2020],
    // …but a date far before the newest is the next year's.
    [1, 10, ['2020-03-26', '2020-12-20'], 2021],
    [1, 10, ['2020-12-28'], 2021],
  ])('as of %i月%i日 after %j: %i', (month, day, known, year) => {
    expect(bulletinYear(asOf(month, day), undefined, now, known)).toMatchObject({ year, from: 'earlier bulletins' });
  });

  it.each([
    [12, 25, ['2020-12-01', '2020-12-14'], 2020],
    [1, 10, ['2020-12-28', '2021-01-05'], 2021],
    [1, 10, ['2020-12-28'], 2021],
  ])('as of %i月%i日 with measures dated %j: %i', (month, day, dated, year) => {
    expect(bulletinYear({ ...asOf(month, day), dated }, undefined, now, ['2019-05-01'])).toMatchObject({ year, from: 'measures' });
  });

  it.each([
    ['（本期完） 编辑：某中心 2020年11月30日', 2020],
    ['制表：秘书处\t审核：李军\t2021年1月4日', 2020],
    ['2020-11-30', 2020],
    ['欢迎于2020年12月1日前报名参加。', null],
    ['编辑：某中心 11月30日', null],
    ['审核流程优化（2020年12月1日起）', null],
  ])('takes the year of the date the copy is signed with: %j', (last, year) => {
    const text = `汇编（截止至11月27日）\n\n市体育局\n\n11月2日\n\n体育消费券发放\n\n来源：上海市体育局\n\n${last}`;
    const p = parseBulletin(text, { file: 't.txt', agencies, now: new Date('2026-01-01T00:00:00Z') });
    expect(p.bulletin.asOf).toBe(`${year ?? 2026}-11-27`);
    expect(p.warnings.some((w) => /states no year/.test(w.message))).toBe(year === null);
  });

  it('lets a stated year win over the measures’ dates', () => {
    const h = { asOf: { year: 2021, month: 1, day: 10 }, published: null, titleYear: null, dated: ['2019-12-28'] };
    expect(bulletinYear(h, undefined, now)).toMatchObject({ year: 2021, from: 'as-of' });
  });
});

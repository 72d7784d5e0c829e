import { describe, expect, it } from 'vitest';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { splitLines } from '../../../src/core/bulletin/lines.ts';
import { readDateLine } from '../../../src/core/bulletin/dates.ts';
import { telegramLines } from '../../../src/core/bulletin/telegram.ts';
import { transcriptItems } from '../../../src/core/bulletin/transcript.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const isAgency = (name: string) => agencies.resolve(name) !== null;
const parse = (text: string) => parseBulletin(text, { file: 't.txt', agencies, knownAsOf: ['2020-03-26'] });
const rows = (text: string) => parse(text).entries.map((e) => [e.agency, e.date, e.title]);
const texts = (lines: { text: string; rule?: boolean }[]) => lines.map((l) => (l.rule ? '—' : l.text));
const noWarn = () => {};
const dateOfLine = (l: { form: string }) => readDateLine(l.form);

describe('minutes read aloud: a spoken date, then the title in quotes, under an agency named with its count', () => {
  const minutes = (talk: string) =>
    [
      '部门例会纪要（转写稿）',
      '时间：2021年3月15日 上午10:00',
      '',
      '王磊 00:00:10',
      '这期是系列二十一，截止到3月12号。',
      '',
      '王磊 00:00:30',
      talk,
    ].join('\n');
  const other = '还有市交通委，一条，三月一号，“另一条已知措施发布”。';

  it.each([
    ['先是市商务委，两条。一是三月二号，“外贸企业出口信保专项支持启动”', '上海市商务委员会', '2021-03-02', '外贸企业出口信保专项支持启动'],
    ['然后是市商务委，一条，3月9号，“标题里有‘引号’也留着”', '上海市商务委员会', '2021-03-09', '标题里有‘引号’也留着'],
    ['市商务委，一条，三月十日，卡着截止日子的，“停顿后的一段话不算标题”', '上海市商务委员会', '2021-03-10', '停顿后的一段话不算标题'],
    ['第三个部门是闵行区，就一条，3月5日，「用直角引号的标题」', '上海市闵行区人民政府', '2021-03-05', '用直角引号的标题'],
    ['市文旅局的，一是三月八号，“带‘的’也认得部门”', '上海市文化和旅游局', '2021-03-08', '带‘的’也认得部门'],
    ['最后是上海银保监局，一条，2021年3月11号，“日期带年份”', '中国银行保险监督管理委员会上海监管局', '2021-03-11', '日期带年份'],
    ['然后是市商务委。3月3号，“部门后面直接说日期”', '上海市商务委员会', '2021-03-03', '部门后面直接说日期'],
  ])('%s', (talk, agency, date, title) => {
    expect(rows(minutes(`${talk}。${other}`))).toContainEqual([agency, date, title]);
  });

  it.each([
    ['a date said in passing, then a quote', '市商务委，一条。上一期是三月二号那个“不是这一期的”，这期没有。'],
    ['a quote with no date before it', '市商务委，一条。大家关心的“一网通办”入口改了。'],
    ['a sentence ends between the date and the quote', '市商务委，一条。三月二号。“下一句的引号”'],
  ])('is no measure: %s', (_, talk) => {
    const parsed = parse(minutes(`${talk}\n\n王磊 00:01:00\n${other}还有市经信委，一条，三月四号，“第二条已知措施”。`));
    expect(parsed.entries.map((e) => e.title)).toEqual(['另一条已知措施发布', '第二条已知措施']);
  });

  it('reads the edition, the year from the minutes’ date, December dates before a January as-of', () => {
    const text = [
      '周例会（语音转写，未校对）',
      '时间：2021年1月11日（周一）上午9:30',
      '',
      '主持人 00:00:12',
      '先过一下系列十七，截止到一月八号的这一期。',
      '',
      '发言人1 00:00:40',
      '先是市民政局，两条。一是十二月三十号，“养老机构元旦春节期间防控方案”；二是一月六号，“社区食堂恢复堂食”。',
      '',
      '主持人 00:01:30',
      '好。一月十五号之前把下一期发我。',
    ].join('\n');
    const parsed = parse(text);
    expect(parsed.bulletin.asOf).toBe('2021-01-08');
    expect(parsed.bulletin.series).toBe(17);
    expect(rows(text)).toEqual([
      ['上海市民政局', '2020-12-30', '养老机构元旦春节期间防控方案'],
      ['上海市民政局', '2021-01-06', '社区食堂恢复堂食'],
    ]);
    const warned = parsed.warnings.map((w) => w.line);
    expect(warned).toContain(11);
    expect(parsed.warnings.find((w) => w.line === 11)!.message).toMatch(/一月十五号.*in passing/);
  });

  it('warns about a quote among the measures with no date said before it', () => {
    const parsed = parse(minutes(`先是市商务委，两条。一是三月二号，“有日期的一条”；二是“没说日期的一条”。${other}`));
    expect(parsed.entries.map((e) => e.title)).toEqual(['有日期的一条', '另一条已知措施发布']);
    expect(parsed.warnings).toContainEqual({
      line: 8,
      message: '“没说日期的一条” is quoted among the measures but no date is said right before it; not read as a measure',
    });
  });

  it.each([
    ['2021年3月15日 周例会纪要（转写）', ['发送时间：2021年3月15日', '周例会纪要（转写）']],
    ['会议时间：2021年3月15日 下午2:00', ['发送时间：2021年3月15日']],
    ['日期：2021-03-15', ['发送时间：2021年3月15日']],
  ])('the minutes’ own date %s dates the copy, never a measure', (head, want) => {
    const text = `${head}\n王磊 00:00:10\n先是市商务委，一条，三月二号，“一条措施”。${other}\n李四 00:00:20\n好。`;
    expect(texts(transcriptItems(splitLines(text), noWarn, isAgency, dateOfLine)).slice(0, want.length)).toEqual(want);
    expect(rows(text)).toEqual([
      ['上海市商务委员会', '2021-03-02', '一条措施'],
      ['上海市交通委员会', '2021-03-01', '另一条已知措施发布'],
    ]);
  });

  it('drops speaker lines; the talk is named in one warning with its lines', () => {
    const lines = splitLines(minutes(`先是市商务委，一条，三月二号，“一条措施”。${other}\n\n李四 00:02:00\n没有问题。`));
    const warnings: [number, string][] = [];
    const out = transcriptItems(lines, (line, message) => warnings.push([line, message]), isAgency, dateOfLine);
    expect(texts(out)).toEqual([
      '部门例会纪要（转写稿）',
      '发送时间：2021年3月15日',
      '系列二十一（截止至3月12日）',
      '—',
      '3月2日',
      '一条措施',
      '发布单位：市商务委',
      '—',
      '3月1日',
      '另一条已知措施发布',
      '发布单位：市交通委',
      '—',
    ]);
    expect(warnings).toEqual([[11, "lines 11: the meeting's talk, with no spoken date followed by a quoted title; not read as measures"]]);
  });

  it.each([
    ['no speaker lines and no minutes mark', '先是市商务委，一条，三月二号，“一条措施”。\n还有市交通委，一条，三月一号，“另一条”。'],
    ['only one item', '会议纪要\n王磊 00:00:10\n先是市商务委，一条，三月二号，“一条措施”。\n李四 00:00:20\n好。'],
    [
      'a bulletin pasted as it is under the minutes',
      '会议纪要\n王磊 00:00:10\n先是市商务委，一条，三月二号，“一条措施”。还有市交通委，一条，三月一号，“另一条”。\n李四 00:00:20\n3月2日\n一条措施\n来源：市商务委\n3月1日\n另一条\n来源：市交通委',
    ],
    [
      'items under no agency named with its count',
      '会议纪要\n王磊 00:00:10\n三月二号，“一条措施”；三月三号，“另一条”。\n李四 00:00:20\n好。',
    ],
  ])('is left alone: %s', (_, text) => {
    const lines = splitLines(text);
    expect(transcriptItems(lines, noWarn, isAgency, dateOfLine)).toEqual(lines);
  });

  it('refuses minutes whose titles carry no quotes, saying why and where', () => {
    const text = minutes(
      '先是市商务委，两条。一是三月二号，外贸企业出口信保专项支持启动；二是三月五号，某某措施。\n\n王磊 00:01:00\n然后是市交通委，一条，三月一号，公交线网优化。',
    );
    expect(() => parse(text)).toThrowError(
      /no measures found.*line 8\): minutes read aloud: 三月二号、三月五号 said here, but no title is in quotes/,
    );
  });
});

describe('a Telegram chat copied as text', () => {
  const forward = (stamp: string) =>
    [
      `Lily Chen, [${stamp}]`,
      '[Forwarded from 某频道 Some Channel]',
      '📌 复工复产进行时（系列九：截止至3月5日）Part 1/2',
      '',
      '🏛 市商务委',
      '3月1日 第一条措施',
      '— 某频道 @somechannel',
      '',
      `Lily Chen, [${stamp}]`,
      '[Forwarded from 某频道 Some Channel]',
      'Part 2/2',
      '3月2日 第二条措施',
      '来源：上海商务',
      '',
      '🏛 市交通委',
      '3月4日 第三条措施',
      '共3条。下期截止至3月19日。',
      '[Photo]',
      '👍 14  🔥 3',
      'edited',
      '',
      `Mark Li, [${stamp}]`,
      '[In reply to Lily Chen]',
      'Is the 3/4 one final?',
    ].join('\n');

  it.each([
    ['3/8/21 9:14 AM', '2021年3月8日'],
    ['3/8/2021 9:14 PM', '2021年3月8日'],
    ['08.03.21 19:40', '2021年3月8日'],
    ['2021/3/8 19:40', '2021年3月8日'],
    ['2021-03-08 19:40:05', '2021年3月8日'],
  ])('stamp %s: the copy is dated %s, the year of the measures', (stamp, date) => {
    const out = telegramLines(
      splitLines(forward(stamp)),
      noWarn,
      () => false,
      (l) => readDateLine(l.form),
    );
    expect(out[0]!.text).toBe(`发送时间：${date}`);
    expect(rows(forward(stamp))).toEqual([
      ['上海市商务委员会', '2021-03-01', '第一条措施'],
      ['上海市商务委员会', '2021-03-02', '第二条措施'],
      ['上海市交通委员会', '2021-03-04', '第三条措施'],
    ]);
  });

  it('joins the parts (the heading carries over), drops the chat furniture and warns about the chat', () => {
    const parsed = parse(forward('3/8/21 9:14 AM'));
    expect(parsed.bulletin.asOf).toBe('2021-03-05');
    expect(parsed.bulletin.title).toBe('📌 复工复产进行时（系列九：截止至3月5日）');
    expect(parsed.warnings.map((w) => [w.line, w.message])).toEqual([
      [22, 'lines 22–24: a chat message from Mark Li, not part of the forwarded bulletin; not read'],
      [17, 'a line after the last measure, not part of any measure: "共3条。下期截止至3月19日。"'],
    ]);
  });

  it('keeps a message that is not forwarded but holds a measure', () => {
    const text = `${forward('3/8/21 9:14 AM')}\n\nLily Chen, [3/8/21 9:20 AM]\n🏛 市经信委\n3月5日 频道漏发的一条`;
    expect(rows(text)).toContainEqual(['上海市经济和信息化委员会', '2021-03-05', '频道漏发的一条']);
  });

  it('reads bare part markers only when the messages’ first lines make a series', () => {
    const series =
      'A, [3/8/21 9:14 AM]\n[Forwarded from X]\n标题（截止至3月5日）（1/2）\n市商务委\n3月1日 一\nA, [3/8/21 9:14 AM]\n[Forwarded from X]\n（2/2）\n3月2日 二';
    expect(
      texts(
        telegramLines(
          splitLines(series),
          noWarn,
          () => false,
          (l) => readDateLine(l.form),
        ),
      ),
    ).toEqual(['发送时间：2021年3月8日', '—', '标题（截止至3月5日）', '市商务委', '3月1日 一', '—', '3月2日 二']);
    // One message per day, each starting with its date: those are dates, not parts.
    const days = 'A, [3/8/21 9:14 AM]\n3/4\n市商务委 一\nA, [3/9/21 9:14 AM]\n3/9\n市交通委 二';
    expect(
      texts(
        telegramLines(
          splitLines(days),
          noWarn,
          () => false,
          (l) => readDateLine(l.form),
        ),
      ),
    ).toContain('3/9');
  });

  it.each([
    ['one sender line and nothing forwarded', 'Lily Chen, [3/8/21 9:14 AM]\n3月1日 标题\n来源：市商务委'],
    ['a name and a bracket that is no stamp', '市商务委, [附件]\n3月1日 标题\n市交通委, [图表]'],
  ])('is left alone: %s', (_, text) => {
    const lines = splitLines(text);
    expect(
      telegramLines(
        lines,
        noWarn,
        () => false,
        (l) => readDateLine(l.form),
      ),
    ).toEqual(lines);
  });
});

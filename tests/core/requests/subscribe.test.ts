import { describe, expect, it } from 'vitest';
import { seedEntries } from '../../../bench/quality.ts';
import { parseSubscribeRequest, subscribeIntent, withNearWords } from '../../../src/core/requests/subscribe.ts';
import { createQueryUnderstanding } from '../../../src/core/search/understand/index.ts';
import { shippedWordTables } from '../../../src/store/word-tables.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const u = createQueryUnderstanding({ tables: shippedWordTables() });
u.learn(shippedAgencies(), seedEntries());
const parse = (payload: string) => parseSubscribeRequest(payload, (text) => u.filters(text));

const POLICE = '上海市公安局';
const SCIENCE = '上海市科学技术委员会';
const CIVIL = '上海市民政局';
const JUSTICE = '上海市司法局';
const HR = '上海市人力资源和社会保障局';
const COMMERCE = '上海市商务委员会';

describe('parseSubscribeRequest: spaced, as before', () => {
  it('takes a time anywhere, agencies by alias, the rest as keywords', () => {
    expect(parse('公安 8:30 复工 科委')).toEqual({
      time: '08:30',
      badTime: null,
      frequency: null,
      weekday: null,
      filters: { agencies: [POLICE, SCIENCE], keywords: ['复工'] },
      exact: [],
    });
    expect(parse('')).toEqual({
      time: null,
      badTime: null,
      frequency: null,
      weekday: null,
      filters: { agencies: [], keywords: [] },
      exact: [],
    });
    expect(parse('１８：００').time).toBe('18:00');
    expect(parse('警方，警察、复工').filters).toEqual({ agencies: [POLICE], keywords: ['复工'] });
    expect(parse('25:00').badTime).toEqual({ word: '25:00', reason: 'hour' });
    expect(parse('每周一 早上 8点 公安')).toMatchObject({
      time: '08:00',
      frequency: 'weekly',
      weekday: 1,
      filters: { agencies: [POLICE], keywords: [] },
    });
  });

  it('a time needs a colon, 点 or am/pm: "3.15" is a keyword, not 03:15', () => {
    expect(parse('3.15 复工')).toMatchObject({ time: null, badTime: null, filters: { agencies: [], keywords: ['3.15', '复工'] } });
    expect(parse('8：30 公安')).toMatchObject({ time: '08:30', filters: { agencies: [POLICE], keywords: [] } });
    expect(parse('12.30').time).toBeNull();
  });
});

describe('parseSubscribeRequest: a whole request as people type it', () => {
  type Want = {
    time?: string | null;
    frequency?: string | null;
    weekday?: number | null;
    agencies?: string[];
    keywords?: string[];
    bad?: string;
  };
  const table: [string, Want][] = [
    // Run together: schedule, agencies, topic and filler in one stretch.
    // Words typed together are one topic, all of whose words a measure must hold.
    ['每天早上7点半发民政局社会组织的消息给我', { time: '07:30', frequency: 'daily', agencies: [CIVIL], keywords: ['社会 组织'] }],
    ['外国人签证 公安局复工', { agencies: [POLICE], keywords: ['外国人 签证', '复工'] }],
    [
      '麻烦每周三上午十点推送司法局行政复议相关的',
      { time: '10:00', frequency: 'weekly', weekday: 3, agencies: [JUSTICE], keywords: ['行政复议'] },
    ],
    ['我想订阅公安局关于签证的通知，晚上八点发', { time: '20:00', agencies: [POLICE], keywords: ['签证'] }],
    ['科委人社局 招聘', { agencies: [SCIENCE, HR], keywords: ['招聘'] }],
    ['民政和司法局 每天傍晚', { time: '18:00', frequency: 'daily', agencies: [CIVIL, JUSTICE], keywords: [] }],
    ['公安、科委及商务委', { agencies: [POLICE, SCIENCE, COMMERCE], keywords: [] }],
    // The keyword a run-together agency used to swallow (公安局复工 → only the agency) is kept.
    ['公安局复工', { agencies: [POLICE], keywords: ['复工'] }],
    // Who asks is no topic; greetings and thanks are no topic.
    ['您好，我们是一家外贸公司，每天中午推送商务委的', { time: '12:00', frequency: 'daily', agencies: [COMMERCE], keywords: [] }],
    ['晚上好 请每晚十点推送复工复产 谢谢', { time: '22:00', frequency: 'daily', keywords: ['复工复产'] }],
    // Instant, weekly, times in pieces.
    ['一有新措施就推送 科委', { frequency: 'instant', agencies: [SCIENCE] }],
    ['民政局实时', { frequency: 'instant', agencies: [CIVIL] }],
    ['每周推送一次 公安', { frequency: 'weekly', weekday: null, agencies: [POLICE] }],
    ['每天 下午 4 点半', { time: '16:30', frequency: 'daily' }],
    ['明天早上六点开始推 司法', { time: '06:00', agencies: [JUSTICE], keywords: [] }],
    // Colloquial names of the financial regulators and the commerce commission; fillers of chat and voice.
    [
      '每天 外管局 银保监 商委 贷款',
      { agencies: ['国家外汇管理局上海市分局', '中国银行保险监督管理委员会上海监管局', COMMERCE], keywords: ['贷款'] },
    ],
    ['嗯就是每周一给我推一下人社局的招聘冲鸭', { frequency: 'weekly', weekday: 1, agencies: [HR], keywords: ['招聘'] }],
    // Polite letters and net slang around the request.
    [
      '尊敬的管理员您好，烦请每周二上午十点发一下司法局关于合同的新规定，辛苦了',
      { time: '10:00', frequency: 'weekly', weekday: 2, agencies: [JUSTICE], keywords: ['合同'] },
    ],
    ['蹲一个 科委 外国人 有就推 yyds', { frequency: 'instant', agencies: [SCIENCE], keywords: ['外国人'] }],
    // English.
    ['every tuesday 10am civil affairs', { time: '10:00', frequency: 'weekly', weekday: 2, agencies: [CIVIL], keywords: [] }],
    ['public security bureau 7.45pm', { time: '19:45', agencies: [POLICE], keywords: [] }],
    ['send me updates as soon as possible, justice bureau', { frequency: 'instant', agencies: [JUSTICE], keywords: [] }],
    ['Mondays 8am human resources bureau jobs', { time: '08:00', frequency: 'weekly', weekday: 1, agencies: [HR], keywords: ['jobs'] }],
    // Not times: points of a plan, greetings; and a refused time is refused even run together.
    ['三点建议', { time: null, keywords: ['三点 建议'] }],
    ['每天晚上13点推送公安', { bad: '晚上13点' }],
  ];
  it.each(table)('%s', (payload, want) => {
    const got = parse(payload);
    if (want.bad !== undefined) {
      expect(got.badTime?.word).toBe(want.bad);
      return;
    }
    expect(got.badTime).toBeNull();
    if (want.time !== undefined) expect(got.time).toBe(want.time);
    if (want.frequency !== undefined) expect(got.frequency).toBe(want.frequency);
    if (want.weekday !== undefined) expect(got.weekday).toBe(want.weekday);
    if (want.agencies !== undefined) expect(got.filters.agencies).toEqual(want.agencies);
    if (want.keywords !== undefined) expect(got.filters.keywords).toEqual(want.keywords);
  });

  it('an alias followed by the rest of another organisation’s name is not that agency (出入境 + 检验检疫局 is not the police)', () => {
    expect(parse('出入境检验检疫局').filters.agencies).not.toContain(POLICE);
    expect(parse('出入境管理局 签证').filters).toEqual({ agencies: [POLICE], keywords: ['签证'] });
    expect(parse('所有部门 复工').filters).toEqual({ agencies: [], keywords: ['复工'] });
  });
});

describe('subscribeIntent: a plain message that asks to subscribe, not to search', () => {
  it.each([
    ['订阅公安的消息', 'subscribe'],
    ['每天早上8点把科委的新政策推送给我', 'subscribe'],
    ['晚上九点提醒我民政局有啥新的', 'subscribe'],
    ['我想訂閱司法局', 'subscribe'],
    ['subscribe me to police news daily 8am', 'subscribe'],
    ['退订', 'unsubscribe'],
    ['别再推送了', 'unsubscribe'],
    ['取消订阅谢谢', 'unsubscribe'],
    ['怎么订阅每天的摘要？', 'help'],
    ['how do I subscribe', 'help'],
    // Searches, even with a time or a sending word in them.
    ['复工', null],
    ['公安推送了哪些措施', null],
    ['3月16日的云选会', null],
    ['/subscribe 8点', null],
  ] as const)('%s → %s', (text, want) => {
    expect(subscribeIntent(text)).toBe(want);
  });
});

describe('parseSubscribeRequest: a topic in quotes is a keyword as typed (never given near words)', () => {
  it.each<[string, string[], string[], string | null]>([
    // typed, keywords, of which exact, time
    ['“人才” 复工', ['人才', '复工'], ['人才'], null],
    ['"补贴"', ['补贴'], ['补贴'], null],
    ['‘补贴’', ['补贴'], ['补贴'], null],
    ['＂补贴＂', ['补贴'], ['补贴'], null],
    ['「社会组织」 每天8点', ['社会组织'], ['社会组织'], '08:00'],
    ['订阅 『不见面审批』，谢谢', ['不见面审批'], ['不见面审批'], null],
    ['“Visa”', ['visa'], ['visa'], null],
    // The same topic typed twice, once in quotes: once, as typed.
    ['“人才” 人才', ['人才'], ['人才'], null],
    // Quotes inside a sentence only mark a term: read as before (one topic of all its words).
    ['关于“不见面”审批的消息', ['不见面 审批'], [], null],
    // A quoted agency is still the agency; quoted words that only ask are dropped; a quoted time is the time.
    ['“公安局” 复工', ['复工'], [], null],
    ['“消息”', [], [], null],
    ['“每天8点” 复工', ['复工'], [], '08:00'],
    // An unclosed quote is no quote.
    ['“人才 复工', ['人才', '复工'], [], null],
  ])('%s', (payload, keywords, exact, time) => {
    const r = parse(payload);
    expect(r.filters.keywords).toEqual(keywords);
    expect(r.exact).toEqual(exact);
    expect(r.time).toBe(time);
  });

  it('a quoted frequency is the frequency', () => {
    expect(parse('“即时” 复工')).toMatchObject({ frequency: 'instant', exact: [], filters: { keywords: ['复工'] } });
  });
});

describe('withNearWords: a topic no measure holds as typed also subscribes to its near words', () => {
  const held = new Set(['复工', '人才', '外籍', '出入境', '法律服务']);
  const table: Record<string, string[]> = {
    律师: ['法律服务', '律所'],
    人才: ['人员'],
    复工: ['开工', '返岗'],
    员工: ['职工'],
    visa: ['签证', '居留许可'],
  };
  const source = { holds: (w: string) => held.has(w), near: (w: string) => table[w] ?? [] };
  it.each<[string[], string[], string[], [string, string[]][]]>([
    // keywords, exact, → keywords, added
    [['律师'], [], ['律师', '法律服务', '律所'], [['律师', ['法律服务', '律所']]]],
    [['visa', '复工'], [], ['visa', '签证', '居留许可', '复工'], [['visa', ['签证', '居留许可']]]],
    // Held as typed: its near words (often broader: 人员) are not added.
    [['人才'], [], ['人才'], []],
    [['复工'], [], ['复工'], []],
    // Quoted: never.
    [['律师'], ['律师'], ['律师'], []],
    // No near words: as typed.
    [['外卖'], [], ['外卖'], []],
    // Several words: each word no measure holds replaced in turn.
    [['外籍 员工'], [], ['外籍 员工', '外籍 职工'], [['外籍 员工', ['外籍 职工']]]],
    // A near word already typed is not added twice.
    [['律师', '法律服务'], [], ['律师', '律所', '法律服务'], [['律师', ['律所']]]],
  ])('%j (exact %j) → %j', (keywords, exact, want, added) => {
    expect(withNearWords(keywords, exact, source)).toEqual({ keywords: want, added });
  });
});

import { describe, expect, it } from 'vitest';
import { seedEntries } from '../../../../bench/quality.ts';
import { agencyAliases, findAgency } from '../../../../src/core/search/understand/agency-intent.ts';
import { createQueryUnderstanding } from '../../../../src/core/search/understand/index.ts';
import { nearOf } from '../../../../src/core/search/understand/plan.ts';
import { piecesOf } from '../../../../src/core/search/understand/pieces.ts';
import { makeWordTables } from '../../../../src/core/search/understand/tables.ts';
import { normalizeForSearch } from '../../../../src/core/search/normalize.ts';
import { shippedAgencies } from '../../../helpers/seed.ts';
import { shippedWordTables } from '../../../../src/store/word-tables.ts';

const u = createQueryUnderstanding({ tables: shippedWordTables() });
u.learn(shippedAgencies(), seedEntries());
const words = (q: string) => {
  const p = u.plan(q);
  return p.ok ? p.plan.words.map((w) => w.text) : p.reason;
};

describe('pieces: separators, decoration, counts, literal characters', () => {
  const pieces = (q: string) => piecesOf(normalizeForSearch(q), shippedWordTables().approx).map((p) => p.text);
  it.each([
    ['复工？', ['复工']],
    ['“复工”', ['复工']],
    ['《复工》', ['复工']],
    ['#复工', ['复工']],
    ['【复工】！！', ['复工']],
    ['复工🎉复产', ['复工', '复产']],
    ['10万多个岗位', ['10万', '岗位']],
    ['10万余个岗位', ['10万', '岗位']],
    ['逾10万个岗位', ['10万', '岗位']],
    ['6000多家企业', ['6000', '企业']],
    ['3月16号云选会', ['3月16日', '云选会']],
    ['a.*(b', ['a.*(b']],
    ['<b>复工</b>', ['复工']],
    ['复工<br/>复产', ['复工', '复产']],
    ['a<b', ['a<b']],
    ['a+b 复工', ['a+b', '复工']],
    ['c++', ['c']],
    ['ＣＯＶＩＤ１９', ['covid19']],
    // Counts in Chinese numerals, as the measures write them.
    ['十万个岗位', ['10万', '岗位']],
    ['六千多家企业', ['6000', '企业']],
    ['九处道口', ['9', '道口']],
    ['四十一万多辆', ['41万']],
    // Not counts: 十大, 三部门, 两手抓, 一个.
    ['十大便民措施', ['十大便民措施']],
    ['两手抓', ['两手抓']],
  ])('%s → %j', (q, expected) => {
    expect(pieces(q)).toEqual(expected);
  });
});

describe('stop words, question words, latest words', () => {
  it.each([
    ['请问不见面审批怎么办理？', ['不见面', '审批', '办理']],
    ['行政复议怎么申请', ['行政复议', '申请']],
    ['有哪些支持科技企业的措施', ['支持', '科技', '企业']],
    ['张江的企业复产了吗', ['张江', '企业', '复产']],
    ['what about 复工', ['复工']],
    // Time words of the asker's story and the asker's own verbs are no topic.
    ['开春以来有没有线上招聘', ['线上', '招聘']],
    ['警察会来检查吗', ['检查']],
    ['那边有什么复工政策', ['复工']],
    ['有什么', 'no-content'],
    ['怎么办？', 'no-content'],
    ['🎉🎉', 'no-searchable-text'],
    ['', 'empty'],
    ['复'.repeat(201), 'too-long'],
  ])('%s → %j', (q, expected) => {
    expect(words(q)).toEqual(expected);
  });

  it('joins single characters the segmenter left, and a lone character to the word before it', () => {
    expect(words('张江企业复产')).toEqual(['张江', '企业', '复产']);
    expect(words('检疫检验所')).toEqual(['检疫', '检验所']);
    expect(words('41万多辆车')).toEqual(['41万', '车']);
  });

  it('reads traditional characters as simplified', () => {
    expect(words('浦東警方復產')).toEqual(['浦东', '复产']);
    expect(words('外國人簽證')).toEqual(['外国人', '签证']);
  });

  it('drops a word inside another word and keeps at most 8', () => {
    expect(words('复工 复工复产')).toEqual(['复工复产']);
    expect(words('a1 a2 a3 a4 a5 a6 a7 a8 a9 a10')).toHaveLength(8);
  });

  it('past 8 words keeps the words the measures use (or with near words), then the longest, in the order typed', () => {
    expect(words('a1 a2 a3 a4 a5 a6 a7 a8 a9 long10')).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'long10']);
    const w = words('企业对执法部门的决定不服，复工期间怎么申请行政复议？');
    expect(w).toHaveLength(8);
    expect(w).toContain('行政复议');
    // A story pasted whole: its 事故 and 线上 (words the measures use) outrank its 双方 and 听说.
    const story = words('早高峰在中环上发生追尾，双方都没受伤，但听说疫情期间为了避免人员聚集，轻微事故可以线上快处快赔，具体怎么操作？');
    expect(story).toHaveLength(8);
    expect(story).toEqual(expect.arrayContaining(['追尾', '疫情', '事故', '线上']));
    expect(story).not.toContain('听说');
  });

  it.each([
    ['@政策小助手 张江企业复工 👍👍', ['张江', '企业', '复工']],
    ['看看这个 https://mp.weixin.qq.com/s/abc123 复工', ['复工']],
    ['@SomeBot 云选会', ['云选会']],
    ['@SomeBot', 'no-searchable-text'],
    ['https://example.org', 'no-searchable-text'],
  ])('a mention or a link pasted along is not searched: %s', (q, ws) => {
    expect(words(q)).toEqual(ws);
  });

  it('an agency named to be left out (除了…) is neither a filter nor a word; a word the measures use keeps its suffix apart', () => {
    const p = u.plan('除了公安局，还有哪个部门给外国人办工作手续');
    expect(p.ok && p.plan.agency).toBeNull();
    expect(p.ok && p.plan.words.map((w) => w.text)).toEqual(['外国人', '办', '工作', '手续']);
    // A word with near words keeps a lone character after it apart too: 签证 + 快(到期).
    expect(words('签证快到期了怎么办')).toContain('签证');
    expect(u.plan('公安局 外国人').ok && (u.plan('公安局 外国人') as { plan: { agency: string } }).plan.agency).toBe('上海市公安局');
  });

  it.each([
    ['派出所最近有什么新动作', '上海市公安局'],
    ['司法局新出的文件', '上海市司法局'],
    ['民政局有啥新进展', '上海市民政局'],
  ])('%s: an agency and words asking what is new (generic, "latest") → its newest', (q, agency) => {
    const p = u.plan(q);
    expect(p.ok && p.plan).toMatchObject({ agency, latest: true, words: [] });
  });
});

describe('near words', () => {
  const tables = shippedWordTables();
  it.each([
    ['签证', ['证件', '签注', '居留许可']],
    ['岗位', ['招聘', '求贤', '就业']],
    ['建筑工程', ['建设工程']],
    ['外籍', ['外国人', '境外人员', '外籍人士']],
    ['云选会', []],
    // Hong Kong and Taiwan terms (after traditional → simplified): one way to the measures' words.
    ['行政覆核', ['行政复议']],
    ['行政诉讼', ['行政应诉', '应诉']],
    // English words for the measures' terms, one way.
    ['reconsideration', ['复议', '行政复议']],
    ['rehab', ['康复', '康复辅具']],
    ['residence', ['居留', '居留许可']],
    ['出入境', ['入境', '出境']],
    ['火锅', []],
  ])('%s → %j', (w, near) => {
    expect(nearOf(w, tables)).toEqual(near);
  });

  it('are read from an editable table, folded, both ways', () => {
    const t = makeWordTables({ stop: ['的'] }, { groups: [['補貼', '补助']] });
    expect(nearOf('补贴', t)).toEqual(['补助']);
    expect(nearOf('补助', t)).toEqual(['补贴']);
  });

  it('a malformed table fails with its file and the bad path', () => {
    expect(() => makeWordTables({ stop: 'x' }, { groups: [] })).toThrow(/data\/stopwords.json: stop/);
    expect(() => makeWordTables({ stop: [] }, { groups: [['only-one']] })).toThrow(/data\/near-words.json: groups.0/);
    expect(() => makeWordTables({ stop: [] }, { groups: [], oneWay: { visa: [] } })).toThrow(/data\/near-words.json: oneWay.visa/);
  });

  it("one-way words find the measures' words, never the other way round (律师 → 法律服务, visa → 签证)", () => {
    const t = makeWordTables({ stop: [] }, { groups: [['法律服务', '法律援助']], oneWay: { 律師: ['法律服务'], VISA: ['签证'] } });
    expect(nearOf('律师', t)).toEqual(['法律服务']);
    expect(nearOf('法律服务', t)).toEqual(['法律援助']);
    expect(nearOf('visa', t)).toEqual(['签证']);
    expect(nearOf('签证', t)).toEqual([]);
    // The shipped table: 复产 keeps its own near words only.
    expect(nearOf('复产', tables)).toEqual(['恢复生产']);
  });
});

describe('agency intent', () => {
  it.each([
    ['浦东警方复产', '上海市公安局', ['浦东', '复产']],
    ['市科委最近发布了什么', '上海市科学技术委员会', []],
    ['民政 协会复工', '上海市民政局', ['协会', '复工']],
    ['公安交警事故处理', '上海市公安局', ['事故', '处理']],
    ['police latest', '上海市公安局', []],
    ['静安公安分局', '上海市公安局', ['静安', '分局']],
    ['司法局最新消息', '上海市司法局', []],
    // Another organisation's name is that organisation, not an agency whose alias it starts with.
    ['出入境检验检疫局有什么措施', '上海海关', []],
    ['出入境管理局签证', '上海市公安局', ['签证']],
    // Names run together: the last is the head (the Pudong police), the first stays a word.
    ['浦东警方', '上海市公安局', ['浦东']],
    ['复工复产', null, ['复工复产']],
  ])('%s → %s %j', (q, agency, ws) => {
    const p = u.plan(q);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.plan.agency).toBe(agency);
    expect(p.plan.words.map((w) => w.text)).toEqual(ws);
  });

  it('flags "latest" words, and keeps the agency words typed', () => {
    const p = u.plan('科委最新措施');
    expect(p.ok && p.plan).toMatchObject({ agency: '上海市科学技术委员会', agencyTyped: '科委', latest: true, words: [] });
  });

  it('matches whole segments only', () => {
    const aliases = agencyAliases(shippedAgencies());
    const seg = (...ws: string[]) => ws.map((text) => ({ text, chunk: 0 }));
    expect(findAgency(seg('公安', '复工'), aliases).map((m) => m.agency)).toEqual(['上海市公安局']);
    // 公安 inside a segment is not a mention.
    expect(findAgency(seg('公安部门口'), aliases)).toEqual([]);
    expect(findAgency(seg('出入境', '检验', '检疫局'), aliases).map((m) => m.agency)).toEqual(['上海海关']);
    expect(findAgency(seg('上海公安', '出入境', '检验'), aliases).map((m) => m.agency)).toEqual(['上海市公安局']);
    // Spans do not cross what the user separated.
    expect(
      findAgency(
        [
          { text: '市', chunk: 0 },
          { text: '科委', chunk: 1 },
        ],
        aliases,
      ).map((m) => m.typed),
    ).toEqual(['科委']);
  });
});

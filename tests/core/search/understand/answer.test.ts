import { describe, expect, it } from 'vitest';
import { seedEntries } from '../../../../bench/quality.ts';
import type { StoredEntry } from '../../../../src/core/model.ts';
import { normalizeForSearch } from '../../../../src/core/search/normalize.ts';
import { createSearchIndex } from '../../../../src/core/search/search-index.ts';
import { answerPlan, closestSpan } from '../../../../src/core/search/understand/answer.ts';
import type { Answer } from '../../../../src/core/search/understand/answer.ts';
import { createQueryUnderstanding } from '../../../../src/core/search/understand/index.ts';
import { measureSource } from '../../../../src/core/search/understand/source.ts';
import { shippedAgencies } from '../../../helpers/seed.ts';
import { shippedWordTables } from '../../../../src/store/word-tables.ts';

const entries = seedEntries();
const byId = new Map(entries.map((e) => [e.id, e]));
const u = createQueryUnderstanding({ tables: shippedWordTables() });
u.learn(shippedAgencies(), entries);
const source = measureSource({ index: createSearchIndex(entries), get: (id) => byId.get(id) });
const ask = (q: string, page = { limit: 5, offset: 0 }): Answer<StoredEntry> => {
  const p = u.plan(q);
  if (!p.ok) throw new Error(p.reason);
  return answerPlan(p.plan, source, { ...page, suggest: u.suggest });
};
const textOf = (e: StoredEntry) => normalizeForSearch([e.title, ...e.body, ...e.bullets, e.agency].join('\n'));

describe('answers', () => {
  it('full: every word, in the agency named', () => {
    const a = ask('浦东警方复产');
    expect(a).toMatchObject({ kind: 'full', total: 1, agency: '上海市公安局', matched: ['浦东', '复产'] });
    expect(a.hits[0]!.title).toContain('浦东警方');
  });

  it('full matches hold every word or a near word of it (precision 1), and the typed word ranks first', () => {
    const a = ask('外籍人才签证', { limit: 20, offset: 0 });
    expect(a.kind).toBe('full');
    const forms = [
      ['外籍', '外国人', '境外人员', '外籍人士'],
      ['人才', '人员'],
      ['签证', '证件', '签注', '居留许可'],
    ];
    for (const e of a.hits) expect(forms.every((f) => f.some((w) => textOf(e).includes(w)))).toBe(true);
    expect(a.hits[0]!.id).toBe('20200218-dc2198281d');
  });

  it('counts what is typed above near words: 复工 before measures with only 开工/返岗', () => {
    const a = ask('复工', { limit: 20, offset: 0 });
    const withTyped = a.hits.map((e) => textOf(e).includes('复工'));
    expect(withTyped.indexOf(false) === -1 || withTyped.slice(withTyped.indexOf(false)).every((x) => !x)).toBe(true);
    expect(a.total).toBe(12);
  });

  it('corrects a word no measure holds to a known word one character away', () => {
    const a = ask('云选汇');
    expect(a).toMatchObject({ kind: 'full', corrected: [['云选汇', '云选会']] });
    expect(a.hits[0]!.title).toContain('云选会');
    // A dictionary word no measure holds is not "corrected" into another.
    expect(ask('火锅外卖').corrected).toEqual([]);
  });

  it('partial: the largest subset some measure holds, with the missing words named', () => {
    const a = ask('行政复议怎么申请');
    expect(a).toMatchObject({ kind: 'partial', words: ['行政复议', '申请'], matched: ['行政复议'], missing: ['申请'], someOf: null });
    expect(a.hits[0]!.title).toContain('行政复议');
  });

  it('partial: an agency without the word gives way to the word, and says so', () => {
    const a = ask('公安 云选会');
    expect(a).toMatchObject({ kind: 'partial', agency: '上海市公安局', agencyDropped: true, matched: ['云选会'], missing: [] });
  });

  it('latest: only an agency and "latest" words', () => {
    const a = ask('市科委最近发布了什么');
    expect(a).toMatchObject({ kind: 'latest', agency: '上海市科学技术委员会', total: 3 });
    expect(a.hits.map((e) => e.date)).toEqual(['2020-03-16', '2020-03-09', '2020-02-04']);
  });

  it('an agency alone answers what it said about the word typed (交警), else its newest', () => {
    expect(ask('交警')).toMatchObject({ kind: 'full', agency: '上海市公安局', total: 1 });
    expect(ask('上海市司法局')).toMatchObject({ kind: 'latest', total: 6 });
  });

  it('partial: a long question with a word some measure holds never ends in nothing, and the rarer words count most', () => {
    const a = ask('我们公司是外企，想了解一下复工复产有什么政策支持');
    expect(a.kind).toBe('partial');
    expect(a.hits[0]!.title).toContain('外企');
    expect(ask('疫情期间法律援助').hits.map((e) => e.id)).toContain('20200319-46a77b5884');
  });

  it.each([
    ['visa extension during the epidemic', '20200218-dc2198281d'],
    ['work permit for foreigners online', '20200204-e474e557ca'],
    ['traffic accident police', '20200221-701c4bf34a'],
    ['律师 复工', '20200319-46a77b5884'],
  ])('everyday and English words find the measures through one-way near words: %s', (q, id) => {
    const a = ask(q);
    expect(a.kind).not.toBe('none');
    expect(a.hits.map((e) => e.id)).toContain(id);
  });

  it('none: nothing holds any word; suggestions come from the measures words', () => {
    expect(ask('口罩')).toMatchObject({ kind: 'none', total: 0, hits: [] });
  });

  it('partial: an agency named, but no word held anywhere: its newest, with the words said missing', () => {
    const a = ask('公安 外卖');
    expect(a).toMatchObject({ kind: 'partial', agency: '上海市公安局', matched: [], missing: ['外卖'], total: 7, exact: true });
    expect(a.hits.map((e) => e.agency)).toEqual(Array(5).fill('上海市公安局'));
    expect(a.hits.map((e) => e.date)).toEqual([...a.hits.map((e) => e.date)].sort().reverse());
    // A word some measure holds still gives its own answer.
    expect(ask('公安 云选会').matched).toEqual(['云选会']);
  });

  it('pages: the same order whatever the page, totals unchanged', () => {
    const all = ask('复工', { limit: 20, offset: 0 }).hits.map((e) => e.id);
    const pages = [0, 5, 10].flatMap((offset) => ask('复工', { limit: 5, offset }).hits.map((e) => e.id));
    expect(pages).toEqual(all);
  });

  it('ranks words close together above words far apart', () => {
    expect(closestSpan(`复工${'，'.repeat(10)}复产`, [{ forms: ['复工'] }, { forms: ['复产'] }])).toBe(14);
    expect(closestSpan('复工复产', [{ forms: ['复工'] }, { forms: ['复产'] }])).toBe(4);
    expect(closestSpan('复工', [{ forms: ['复工'] }, { forms: ['复产'] }])).toBe(Infinity);
  });
});

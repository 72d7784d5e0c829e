import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/core/search/query.ts';
import { createSearchIndex, type IndexableEntry } from '../../../src/core/search/search-index.ts';
import { normalizeForSearch } from '../../../src/core/search/normalize.ts';
import { seedEntries } from './seed.ts';

const seed = seedEntries();
const byId = new Map(seed.map((e) => [e.id, e]));
const seedIndex = createSearchIndex(seed);
const all = { limit: 1_000 };

const keywordsOf = (q: string): string[] => {
  const parsed = parseQuery(q);
  if (!parsed.ok) throw new Error(`query ${q} refused: ${parsed.reason}`);
  return parsed.keywords;
};
const ids = (q: string, opts = all): string[] => seedIndex.search(keywordsOf(q), opts).hits.map((h) => h.id);
const titles = (q: string): string[] => ids(q).map((id) => byId.get(id)!.title);

/** The reference the index must agree with: a scan of every entry. */
const fieldsOf = (e: IndexableEntry): string => [e.title, ...e.body, ...e.bullets, e.agency].map(normalizeForSearch).join('\n');
const scan = (entries: Iterable<IndexableEntry>, keywords: string[]): string[] =>
  [...entries].filter((e) => keywords.every((k) => fieldsOf(e).includes(normalizeForSearch(k)))).map((e) => e.id);

const entry = (id: string, title: string, body: string[] = [], extra: Partial<IndexableEntry> = {}): IndexableEntry => ({
  id,
  agency: '上海市测试局',
  date: '2020-03-01',
  title,
  body,
  bullets: [],
  seq: 1,
  ...extra,
});

describe('search index on the seed bulletin', () => {
  it('has the 19 measures', () => {
    expect(seed).toHaveLength(19);
    expect(seedIndex.size).toBe(19);
  });

  it.each([
    ['复工'],
    ['外企'],
    ['云选会'],
    ['康复辅具'],
    ['不见面'],
    ['行政复议'],
    ['复工 警方'],
    ['6000余家'],
    ['10万'],
    ['疫情 防控 企业'],
    ['公安'],
    ['复'],
    ['上海市司法局'],
  ])('%s finds exactly what a substring scan finds', (q) => {
    const found = seedIndex.search(keywordsOf(q), all);
    const expected = scan(seed, keywordsOf(q));
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set(found.hits.map((h) => h.id))).toEqual(new Set(expected));
    expect(found.total).toBe(expected.length);
  });

  it('复工 finds the 复工复产 titles and body-only mentions', () => {
    const found = titles('复工');
    expect(found.length).toBeGreaterThanOrEqual(10);
    expect(found).toContain('政策“组合拳”、精准服务，支持科技企业复工复产');
    expect(found).toContain('关于本市复工复产复市期间进一步做好行政复议和行政应诉工作的通知');
    // Only its body says 复工 ("逐步复工后流量上升").
    expect(found).toContain('疫情期间，上海公安交警推出交通事故处理十大便民措施');
  });

  it.each([
    ['外企', ['20200228-ca1d1f5475']],
    ['云选会', ['20200316-d85573f675']],
    ['康复辅具', ['20200306-7aade8fa0d']],
    ['行政复议', ['20200313-f8a78dd0c2']],
    ['6000余家', ['20200316-d85573f675']],
    ['ＴＥＬＥＧＲＡＭ', []],
  ])('%s → %j', (q, expected) => {
    expect(ids(q)).toEqual(expected);
  });

  it('不见面 ranks the measure titled with it above the one mentioning it in the body', () => {
    expect(ids('不见面')).toEqual(['20200204-e474e557ca', '20200316-d85573f675']);
  });

  it('requires every keyword', () => {
    const both = ids('复工 警方');
    expect(both.length).toBeGreaterThan(0);
    for (const id of both) {
      const text = fieldsOf(byId.get(id)!);
      expect(text).toContain('复工');
      expect(text).toContain('警方');
    }
    expect(both.length).toBeLessThan(ids('复工').length);
    expect(ids('云选会 行政复议')).toEqual([]);
  });

  it('ranks title hits above body-only hits', () => {
    const ranked = ids('复工');
    const inTitle = ranked.map((id) => normalizeForSearch(byId.get(id)!.title).includes('复工'));
    const firstBodyOnly = inTitle.indexOf(false);
    expect(firstBodyOnly).toBeGreaterThan(0);
    expect(inTitle.slice(firstBodyOnly).every((t) => !t)).toBe(true);
  });

  it('breaks score ties by newer date first', () => {
    const hits = seedIndex.search(['公共法律服务'], all).hits;
    expect(hits.map((h) => h.id)).toEqual(['20200319-46a77b5884']);
    // Three titles start with 印发 (two on the same day: then the later-ingested one, higher seq, first); one body mentions it.
    const tied = seedIndex.search(['印发'], all).hits;
    expect(tied.map((h) => h.id)).toEqual(['20200323-e0ee945cfd', '20200212-cd1aaff9b0', '20200212-3aea7eae8b', '20200316-a30e5958ce']);
    expect(new Set(tied.slice(0, 3).map((h) => h.score)).size).toBe(1);
    expect(tied[3]!.score).toBeLessThan(tied[2]!.score);
  });

  it('filters by agency', () => {
    const found = seedIndex.search(['复工'], { agency: '上海市司法局', limit: 100 });
    expect(found.total).toBeGreaterThan(0);
    for (const h of found.hits) expect(byId.get(h.id)!.agency).toBe('上海市司法局');
    expect(seedIndex.search(['复工'], { agency: '不存在的机构' })).toEqual({ total: 0, hits: [] });
  });

  it('searches regex characters literally', () => {
    expect(seedIndex.search(keywordsOf('复工.*('), all)).toEqual({ total: 0, hits: [] });
    expect(seedIndex.search(['.'], all).total).toBe(0);
  });
});

describe('search index on synthetic entries', () => {
  const make = () =>
    createSearchIndex([
      entry('latin', 'Telegram bot launched', ['Send /search to the bot']),
      entry('digits', '汇集6000余家企业', ['10万余个岗位']),
      entry('mixed', '上海ABC公司', ['本市a.*(b测试']),
      entry('fullwidth', 'ＴＥＬＥＧＲＡＭ通知', ['１０万元补贴']),
    ]);

  it.each([
    ['telegram', ['fullwidth', 'latin']],
    ['TELEGRAM', ['fullwidth', 'latin']],
    ['10万', ['digits', 'fullwidth']],
    ['6000余家', ['digits']],
    ['abc公司', ['mixed']],
    ['a.*(b', ['mixed']],
    ['/search', ['latin']],
    ['万', ['digits', 'fullwidth']],
    ['t', ['fullwidth', 'latin']],
    ['测试局', ['digits', 'fullwidth', 'latin', 'mixed']],
    ['bot launched', ['latin']],
    ['launched bot 云选会', []],
    ['余家 岗位', ['digits']],
  ])('%s → %j', (q, expected) => {
    const index = make();
    expect(
      index
        .search(q.split(' '))
        .hits.map((h) => h.id)
        .sort(),
    ).toEqual([...expected].sort());
  });

  it('matches only within a field, never across the seam of two', () => {
    const index = createSearchIndex([entry('seam', '甲乙', ['丙丁'])]);
    expect(index.search(['乙丙']).total).toBe(0);
    expect(index.search(['甲乙']).total).toBe(1);
  });

  it('upsert with an existing id replaces the entry', () => {
    const index = make();
    index.upsert(entry('digits', '更正：汇集7000余家企业'));
    expect(index.size).toBe(4);
    expect(index.search(['6000余家']).total).toBe(0);
    expect(index.search(['7000余家']).hits).toEqual([{ id: 'digits', score: expect.any(Number) }]);
    expect(index.search(['岗位']).total).toBe(0);
  });

  it('upsert adds new entries that are searchable at once', () => {
    const index = make();
    index.upsert(entry('new', '新增云选会'));
    expect(index.size).toBe(5);
    expect(index.search(['云选会']).hits.map((h) => h.id)).toEqual(['new']);
    expect(index.has('new')).toBe(true);
  });

  it('remove drops the entry and reports whether it was there', () => {
    const index = make();
    expect(index.remove('latin')).toBe(true);
    expect(index.remove('latin')).toBe(false);
    expect(index.has('latin')).toBe(false);
    expect(index.size).toBe(3);
    expect(index.search(['telegram']).hits.map((h) => h.id)).toEqual(['fullwidth']);
  });

  it('pages with offset and limit while total counts every match', () => {
    const entries = Array.from({ length: 25 }, (_, i) =>
      entry(`e${String(i).padStart(2, '0')}`, `措施${i}`, ['复工'], { date: `2020-03-${String(i + 1).padStart(2, '0')}`, seq: i + 1 }),
    );
    const index = createSearchIndex(entries);
    const newestFirst = [...entries].reverse().map((e) => e.id);
    const page = (offset: number, limit: number) => index.search(['复工'], { offset, limit });
    expect(page(0, 10)).toMatchObject({ total: 25 });
    expect(page(0, 10).hits.map((h) => h.id)).toEqual(newestFirst.slice(0, 10));
    expect(page(10, 10).hits.map((h) => h.id)).toEqual(newestFirst.slice(10, 20));
    expect(page(20, 10).hits.map((h) => h.id)).toEqual(newestFirst.slice(20));
    expect(page(30, 10)).toEqual({ total: 25, hits: [] });
    expect(index.search(['复工']).hits).toHaveLength(10);
  });

  it('ranks title over body, more occurrences higher, then newer date, then higher seq', () => {
    const index = createSearchIndex([
      entry('body-once', '甲', ['外企'], { date: '2020-03-09' }),
      entry('body-thrice', '乙', ['外企外企，外企'], { date: '2020-03-01' }),
      entry('title-old', '外企', [], { date: '2020-02-01' }),
      entry('title-new-low-seq', '外企', [], { date: '2020-02-02', seq: 1 }),
      entry('title-new-high-seq', '外企', [], { date: '2020-02-02', seq: 7 }),
    ]);
    expect(index.search(['外企']).hits.map((h) => h.id)).toEqual([
      'title-new-high-seq',
      'title-new-low-seq',
      'title-old',
      'body-thrice',
      'body-once',
    ]);
  });

  it('keeps equal recall after many upserts and removals (the incremental path)', () => {
    const index = createSearchIndex();
    const live = new Map<string, IndexableEntry>();
    for (let i = 0; i < 300; i++) {
      const e = entry(`id${i % 120}`, `第${i}号 复工`, [i % 2 ? '外企复产' : '云选会'], { seq: i + 1 });
      index.upsert(e);
      live.set(e.id, e);
      if (i % 7 === 0) {
        index.remove(`id${(i * 3) % 120}`);
        live.delete(`id${(i * 3) % 120}`);
      }
    }
    expect(index.size).toBe(live.size);
    for (const q of [['复工'], ['外企'], ['云选会'], ['复'], ['第1'], ['号 复工'.split(' ')].flat()]) {
      expect(new Set(index.search(q, all).hits.map((h) => h.id))).toEqual(new Set(scan(live.values(), q)));
    }
  });

  it('no keywords returns every entry, newest first', () => {
    const index = make();
    expect(index.search([]).total).toBe(4);
  });
});

describe("fields kept as the entry's own strings, folded as read", () => {
  const index = createSearchIndex([
    entry('paren', '管理办法（试行）', ['自２０２０年３月１日起施行，有效期２年。']),
    entry('lig', 'ﬁnance 报告', ['Ｔｅｌｅｇｒａｍ Bot 通知']),
    entry('plain', '管理办法', ['试行 2020年']),
  ]);
  it.each([
    ['(试行)', ['paren']],
    ['办法(试', ['paren']],
    ['2020年3月', ['paren']],
    ['2020年', ['paren', 'plain']],
    ['有效期2年', ['paren']],
    ['finance', ['lig']],
    ['telegram bot', ['lig']],
    ['gram bot', ['lig']],
    ['管理办法', ['paren', 'plain']],
  ])('%s → %j', (q, expected) => {
    expect(
      index
        .search(keywordsOf(q), { limit: 10 })
        .hits.map((h) => h.id)
        .sort(),
    ).toEqual([...expected].sort());
  });
  it('scores a folded title match as a title match', () => {
    expect(index.search(['(试行)']).hits[0]!.score).toBe(11);
    expect(index.search(['finance']).hits[0]!.score).toBe(11);
  });
});

describe('remembered long-keyword matches across changes', () => {
  it('stay exact after upserts, corrections and removals without a rebuild', () => {
    const base = Array.from({ length: 40 }, (_, i) => entry(`b${i}`, i % 2 ? `复工复产第${i}条` : `其他第${i}条`, ['正文']));
    const index = createSearchIndex(base, { cacheMinCandidates: 1 });
    const ids = (q: string[]) =>
      index
        .search(q, { limit: 100 })
        .hits.map((h) => h.id)
        .sort();
    expect(index.search(['复工复产']).total).toBe(20);
    index.upsert(entry('new1', '新的复工复产措施', ['复工复产复工复产']));
    index.upsert(entry('new2', '无关', ['正文']));
    expect(index.search(['复工复产']).total).toBe(21);
    expect(index.search(['复工复产']).hits[0]!.id).toBe('new1');
    // A correction drops the keyword; a removal takes one away.
    index.upsert(entry('b1', '改名了', ['正文']));
    index.remove('b3');
    expect(index.search(['复工复产']).total).toBe(19);
    expect(ids(['复工复产'])).not.toContain('b1');
    expect(ids(['复工复产'])).not.toContain('b3');
    // A correction that adds it.
    index.upsert(entry('b0', '其他 复工复产', ['正文']));
    expect(ids(['复工复产'])).toContain('b0');
    expect(index.search(['复工复产']).total).toBe(20);
  });
});

describe('search index against a brute-force scan (property)', () => {
  // Deterministic pseudo-random generator so a failure is reproducible.
  let state = 20200326;
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const alphabet = [...'复工产市外企云选会康辅具不见面行政议上海公安局企业服务疫情防控ab1２Ｃ.* '];
  const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

  it('returns exactly the scan result for random queries on random entries', () => {
    const entries = Array.from({ length: 400 }, (_, i) =>
      entry(`p${i}`, pick(4 + Math.floor(random() * 12)), [pick(Math.floor(random() * 60))], {
        bullets: random() < 0.3 ? [pick(10)] : [],
        agency: random() < 0.5 ? '上海市公安局' : '上海市民政局',
        date: `2020-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 10)}`,
        seq: i + 1,
      }),
    );
    const index = createSearchIndex(entries.slice(0, 300));
    for (const e of entries.slice(300)) index.upsert(e);
    let nonEmpty = 0;
    for (let q = 0; q < 300; q++) {
      const keywords = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(1 + Math.floor(random() * 4)).trim()).filter(
        Boolean,
      );
      const expected = scan(entries, keywords);
      const found = index.search(keywords, all);
      expect(found.total).toBe(expected.length);
      expect(new Set(found.hits.map((h) => h.id))).toEqual(new Set(expected));
      if (expected.length > 0) nonEmpty++;
    }
    // The property is only meaningful if many queries do match something.
    expect(nonEmpty).toBeGreaterThan(60);
  });
});

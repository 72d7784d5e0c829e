import { describe, expect, it } from 'vitest';
import { normalizeForSearch } from '../../../src/core/search/normalize.ts';
import { createSearchIndex, type IndexableEntry } from '../../../src/core/search/search-index.ts';

// The full ranking, by brute force: per keyword 10 for a title hit plus occurrences (overlapping) up to 5;
// ties: newer date, higher seq, then id.
const occurrences = (t: string, k: string): number => {
  let n = 0;
  for (let at = t.indexOf(k); at !== -1 && n < 5; at = t.indexOf(k, at + 1)) n++;
  return n;
};
interface ReferenceOptions {
  agency?: string;
  dateFrom?: string;
  dateTo?: string;
  order?: 'relevance' | 'newest';
}
function reference(
  entries: Iterable<IndexableEntry>,
  keywords: string[],
  agencyOrOpts?: string | ReferenceOptions,
): { id: string; score: number }[] {
  const opts: ReferenceOptions = typeof agencyOrOpts === 'string' ? { agency: agencyOrOpts } : (agencyOrOpts ?? {});
  const { agency, dateFrom, dateTo } = opts;
  const ks = [...new Set(keywords.map(normalizeForSearch).filter(Boolean))];
  const rows: { e: IndexableEntry; score: number }[] = [];
  for (const e of entries) {
    if (agency !== undefined && e.agency !== agency) continue;
    if ((dateFrom !== undefined && e.date < dateFrom) || (dateTo !== undefined && e.date > dateTo)) continue;
    const title = normalizeForSearch(e.title);
    const text = [e.title, ...e.body, ...e.bullets, e.agency].map(normalizeForSearch).join('\n');
    if (!ks.every((k) => text.includes(k))) continue;
    rows.push({ e, score: ks.reduce((s, k) => s + (title.includes(k) ? 10 : 0) + occurrences(text, k), 0) });
  }
  const newest = (a: IndexableEntry, b: IndexableEntry): number =>
    (a.date < b.date ? 1 : a.date > b.date ? -1 : 0) || b.seq - a.seq || (a.id < b.id ? -1 : 1);
  rows.sort((a, b) => (opts.order === 'newest' ? 0 : b.score - a.score) || newest(a.e, b.e));
  return rows.map((r) => ({ id: r.e.id, score: r.score }));
}

let state = 7;
const random = (): number => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state / 2 ** 32;
};
const alphabet = [...'复工产复工复产复市外企云选会不见面行政复议上海公安局疫情防控ab1２ '];
const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const makeEntry = (i: number): IndexableEntry => ({
  id: `r${i}`,
  title: pick(3 + Math.floor(random() * 8)),
  body: [pick(Math.floor(random() * 80))],
  bullets: random() < 0.3 ? [pick(12)] : [],
  agency: random() < 0.5 ? '上海市公安局' : '上海市民政局',
  // Few distinct dates and seqs, so ties go all the way down to the id.
  date: `2020-0${1 + Math.floor(random() * 3)}-1${Math.floor(random() * 3)}`,
  seq: 1 + Math.floor(random() * 5),
});
const queries = (): string[][] =>
  Array.from({ length: 120 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(1 + Math.floor(random() * 4)).trim()).filter(Boolean),
  );

/**
 * An entry written in five characters: most grams are dense, title hits are common, scores tie a lot, and
 * three- and four-character keywords have many candidates of which only some match.
 */
const smallAlphabetEntry = (id: string, o: { titleUpTo: number; bodyUpTo: number; twoAgencies: boolean }): IndexableEntry => {
  const small = [...'复工产外企'];
  const word = (n: number): string => Array.from({ length: n }, () => small[Math.floor(random() * small.length)]).join('');
  return {
    id,
    title: word(2 + Math.floor(random() * o.titleUpTo)),
    body: [word(Math.floor(random() * o.bodyUpTo))],
    bullets: [],
    agency: o.twoAgencies && random() < 0.5 ? '上海市民政局' : '上海市公安局',
    date: `2021-0${1 + Math.floor(random() * 2)}-1${Math.floor(random() * 2)}`,
    seq: 1 + Math.floor(random() * 3),
  };
};

/** The bigrams of every keyword (a keyword of one or two characters as it is): what narrows a search to candidates. */
const bigramsOf = (q: string[]): string[] =>
  q.flatMap((k) => (k.length <= 2 ? [k] : Array.from({ length: k.length - 1 }, (_, i) => k.slice(i, i + 2))));

describe('search ranking equals a brute-force ranking', () => {
  const variants = [
    { name: 'cache on', options: {} },
    { name: 'cache off', options: { cacheBytes: 0 } },
    { name: 'general path only', options: { specialPaths: false } },
  ];
  for (const { name, options } of variants) {
    // With the cache on, every long keyword goes through it (the threshold is 1).
    it(`pages, scores and totals match for random queries (${name}), across upserts and removals`, () => {
      const live = new Map<string, IndexableEntry>();
      const first = Array.from({ length: 1500 }, (_, i) => makeEntry(i));
      for (const e of first) live.set(e.id, e);
      const index = createSearchIndex(first, { ...options, cacheMinCandidates: 1 });
      const check = () => {
        for (const q of queries()) {
          const expected = reference(live.values(), q);
          // Twice: the second search may be answered from remembered matches.
          for (let round = 0; round < 2; round++) {
            const offset = Math.floor(random() * 3) * 5;
            const r = index.search(q, { limit: 7, offset });
            expect(r.total).toBe(expected.length);
            expect(r.hits).toEqual(expected.slice(offset, offset + 7));
          }
          const agency = '上海市民政局';
          expect(index.search(q, { limit: 5, agency }).hits).toEqual(reference(live.values(), q, agency).slice(0, 5));
          // A count without a page: the same totals (a gram's list length when nothing filters it).
          expect(index.count(q)).toEqual({ total: expected.length });
          expect(index.count(q, { agency }).total).toBe(reference(live.values(), q, agency).length);
          expect(index.count(q, { dateFrom: '2020-02-01' }).total).toBe(reference(live.values(), q, { dateFrom: '2020-02-01' }).length);
        }
      };
      check();
      // A bulletin's worth of new and corrected measures goes to the delta lists, not a rebuild.
      for (let i = 0; i < 60; i++) {
        const e = makeEntry(i % 2 ? 1500 + i : i * 7);
        index.upsert(e);
        live.set(e.id, e);
      }
      for (let i = 0; i < 20; i++) {
        const id = `r${i * 13}`;
        expect(index.remove(id)).toBe(live.delete(id));
      }
      expect(index.size).toBe(live.size);
      check();
    });
  }

  for (const { name, options } of variants) {
    it(`pages of dense keywords and of many remembered matches (kept as bitsets) match, deep pages and ties included (${name})`, () => {
      // Short titles from a small alphabet: most grams are dense, title hits are common, scores tie a
      // lot, and three-character keywords match in a large share of the documents.
      const make = (i: number): IndexableEntry => smallAlphabetEntry(`d${i}`, { titleUpTo: 4, bodyUpTo: 40, twoAgencies: false });
      const live = new Map<string, IndexableEntry>();
      for (let i = 0; i < 2000; i++) live.set(`d${i}`, make(i));
      const index = createSearchIndex(live.values(), { ...options, cacheMinCandidates: 1 });
      const qs = [
        ['复'],
        ['复工'],
        ['外', '企'],
        ['复工', '产', '企'],
        ['复', '工', '产'],
        ['产'],
        ['工产', '外企'],
        ['工复'],
        ['复工', '外企'],
        ['工复', '产'],
        ['复工复'],
        ['外企复'],
        ['工复', '外企复'],
        ['复工复产'],
        ['复', '工', '产', '企'],
        ['复工', '产', '企', '外'],
        ['复', '工', '产', '企', '外'],
        ['工复', '外企复', '产', '企'],
      ];
      const check = (): void => {
        for (const q of qs) {
          const expected = reference(live.values(), q);
          for (const [offset, limit] of [
            [0, 10],
            [0, 1],
            [7, 5],
            [40, 10],
            [300, 25],
            [expected.length - 3, 10],
            [0, 0],
          ] as const) {
            const r = index.search(q, { limit, offset });
            expect(r.total).toBe(expected.length);
            expect(r.hits).toEqual(expected.slice(offset, offset + limit));
          }
        }
      };
      check();
      // New and corrected documents (delta lists, appended to remembered matches), then removals (tombstones).
      for (let i = 0; i < 40; i++) {
        const e = make(i % 2 ? 2000 + i : i * 11);
        index.upsert(e);
        live.set(e.id, e);
      }
      check();
      for (let i = 0; i < 30; i++) {
        const id = `d${i * 17}`;
        expect(index.remove(id)).toBe(live.delete(id));
      }
      check();
    });
  }

  for (const { name, options } of variants) {
    it(`with an estimated total allowed, pages stay exact for long keywords never worked out, and the estimate is near (${name})`, () => {
      // A small alphabet: three- and four-character keywords have hundreds of candidates, of which only some match.
      const make = (i: number): IndexableEntry => smallAlphabetEntry(`e${i}`, { titleUpTo: 5, bodyUpTo: 30, twoAgencies: true });
      const live = new Map<string, IndexableEntry>();
      for (let i = 0; i < 3000; i++) live.set(`e${i}`, make(i));
      const build = () => createSearchIndex(live.values(), options);
      let index = build();
      const qs = [['复工复'], ['外企复'], ['工复产'], ['复工复产'], ['企外企'], ['复工', '产外企'], ['复工复', '外企'], ['工复产', '企外']];
      let estimated = 0;
      const check = (): void => {
        for (const q of qs) {
          for (const agency of [undefined, '上海市公安局']) {
            for (const order of ['relevance', 'newest'] as const) {
              const expected = reference(live.values(), q, { agency, order });
              for (const [offset, limit] of [
                [0, 5],
                [5, 5],
                [0, 20],
              ] as const) {
                // A fresh index per query and page: nothing worked out yet, as for a query never seen.
                index = build();
                // A count alone (no page) is estimated the same way.
                const c = index.count(q, { agency, estimate: true });
                const candidates = reference(live.values(), bigramsOf(q), { agency }).length;
                expect(Math.abs(c.total - expected.length)).toBeLessThanOrEqual(c.estimated ? 0.22 * candidates : 0);
                // A word some measure holds is never counted 0 (the answer would take it for a word no measure holds).
                if (expected.length > 0) expect(c.total).toBeGreaterThan(0);
                const r = index.search(q, { limit, offset, agency, order, estimate: true });
                expect(r.hits).toEqual(expected.slice(offset, offset + limit));
                if (!r.estimated) {
                  expect(r.total).toBe(expected.length);
                  continue;
                }
                estimated++;
                // A match beyond the page always exists (a next page is never empty), and the estimate is off by at
                // most 3 standard errors of a 48-candidate sample (0.22 of the candidates: measures holding every bigram).
                expect(expected.length).toBeGreaterThan(offset + limit);
                expect(r.total).toBeGreaterThan(offset + limit);
                expect(Math.abs(r.total - expected.length)).toBeLessThanOrEqual(0.22 * candidates);
                // Without the estimate (or once worked out) the same query is exact.
                expect(index.search(q, { limit, offset, agency, order })).toEqual({ total: expected.length, hits: r.hits });
              }
            }
          }
        }
      };
      check();
      expect(estimated).toBeGreaterThan(20);
      // Documents added since the build (delta lists) and removed ones (tombstones) are ranked and counted alike.
      index = build();
      for (let i = 0; i < 40; i++) {
        const e = make(i % 2 ? 3000 + i : i * 11);
        index.upsert(e);
        live.set(e.id, e);
      }
      for (let i = 0; i < 30; i++) {
        const id = `e${i * 17 + 1}`;
        expect(index.remove(id)).toBe(live.delete(id));
      }
      let estimatedAfterChanges = 0;
      for (const q of qs) {
        for (const order of ['relevance', 'newest'] as const) {
          const expected = reference(live.values(), q, { order });
          const r = index.search(q, { limit: 10, estimate: true, order });
          expect(r.hits).toEqual(expected.slice(0, 10));
          if (r.estimated) estimatedAfterChanges++;
          else expect(r.total).toBe(expected.length);
        }
      }
      // The bounded page did run over the delta documents and tombstones.
      expect(estimatedAfterChanges).toBeGreaterThan(4);
    });
  }

  for (const { name, options } of variants) {
    it(`date ranges and the newest-first order match, totals counting only the range, across upserts and removals (${name})`, () => {
      // Dates over a few months with many ties, so the order goes down to seq and id.
      const day = (): string => `2020-0${1 + Math.floor(random() * 3)}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      const make = (i: number): IndexableEntry => ({ ...makeEntry(i), date: day() });
      const live = new Map<string, IndexableEntry>();
      for (let i = 0; i < 1200; i++) live.set(`r${i}`, make(i));
      const index = createSearchIndex(live.values(), { ...options, cacheMinCandidates: 1 });
      const ranges: { dateFrom?: string; dateTo?: string }[] = [
        {},
        { dateFrom: '2020-02-01' },
        { dateTo: '2020-01-31' },
        { dateFrom: '2020-02-10', dateTo: '2020-02-10' },
        { dateFrom: '2020-01-15', dateTo: '2020-03-05' },
        { dateFrom: '2020-03-01', dateTo: '2020-02-01' },
        { dateFrom: '2021-01-01' },
      ];
      const check = (): void => {
        let nonEmpty = 0;
        for (const q of [...queries().slice(0, 15), [], ['复'], ['复工'], ['复工复产'], ['公安', '复工']]) {
          for (const range of ranges) {
            for (const order of ['relevance', 'newest'] as const) {
              const expected = reference(live.values(), q, { ...range, order });
              const offset = Math.floor(random() * 3) * 4;
              const r = index.search(q, { ...range, order, limit: 6, offset });
              expect(r.total).toBe(expected.length);
              expect(r.hits).toEqual(expected.slice(offset, offset + 6));
              const agency = '上海市民政局';
              expect(index.search(q, { ...range, order, agency, limit: 4 }).hits).toEqual(
                reference(live.values(), q, { ...range, order, agency }).slice(0, 4),
              );
              if (expected.length > 0) nonEmpty++;
            }
          }
        }
        expect(nonEmpty).toBeGreaterThan(60);
      };
      check();
      for (let i = 0; i < 50; i++) {
        const e = make(i % 2 ? 1200 + i : i * 7);
        index.upsert(e);
        live.set(e.id, e);
      }
      for (let i = 0; i < 20; i++) {
        const id = `r${i * 13}`;
        expect(index.remove(id)).toBe(live.delete(id));
      }
      check();
    });
  }

  it('without keywords, a date range lists every measure in it newest first', () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({
      ...makeEntry(50_000 + i),
      date: `2020-04-${String(1 + (i % 10)).padStart(2, '0')}`,
    }));
    const index = createSearchIndex(entries);
    const r = index.search([], { dateFrom: '2020-04-03', dateTo: '2020-04-05', limit: 100 });
    expect(r.total).toBe(9);
    expect(r.hits.map((h) => h.id)).toEqual(reference(entries, [], { dateFrom: '2020-04-03', dateTo: '2020-04-05' }).map((h) => h.id));
    expect(r.hits.map((h) => entries.find((e) => e.id === h.id)!.date)).toEqual([
      ...Array(3).fill('2020-04-05'),
      ...Array(3).fill('2020-04-04'),
      ...Array(3).fill('2020-04-03'),
    ]);
  });

  it('refuses a date bound that is not a day, naming it', () => {
    const index = createSearchIndex([makeEntry(60_000)]);
    expect(() => index.search(['复'], { dateFrom: '2020-3-1' })).toThrow(/dateFrom.*YYYY-MM-DD/);
    expect(() => index.search(['复'], { dateTo: 'yesterday' })).toThrow(/dateTo/);
  });

  it('indexes a burst of upserts once, after the batch', async () => {
    const index = createSearchIndex();
    const entries = Array.from({ length: 3000 }, (_, i) => makeEntry(10_000 + i));
    for (const e of entries) index.upsert(e);
    expect(index.size).toBe(3000);
    await Promise.resolve();
    expect(index.search(['复工'], { limit: 3 })).toEqual({
      total: reference(entries, ['复工']).length,
      hits: reference(entries, ['复工']).slice(0, 3),
    });
  });
});

describe('normalizeAndJoin', () => {
  it('equals normalizing each part and joining with newlines, fast path or not', async () => {
    const { normalizeAndJoin, normalizeForSearch } = await import('../../../src/core/search/normalize.ts');
    const samples = [
      ['复工复产，（上海）“云选会”：１０万余个岗位！', 'ＴＥＬＥＧＲＡＭ Bot', '《通知》【重要】…'],
      ['café', 'e\u0301', '\uFB01', '\u2460', '复\u200B工'],
      ['', '', ''],
      ['\uD83C\uDF89 emoji', 'lone \uD800 surrogate'],
      ['Ⅻ', 'ｶﾀｶﾅ', '㍻', '\u3000全角空格'],
    ];
    for (const parts of samples) expect(normalizeAndJoin(parts)).toBe(parts.map(normalizeForSearch).join('\n'));
    // Every BMP unit, one at a time and next to CJK text.
    for (let c = 0; c < 0x10000; c += 1) {
      const ch = String.fromCharCode(c);
      const parts = ['复工' + ch + 'a', ch];
      const got = normalizeAndJoin(parts);
      const want = parts.map(normalizeForSearch).join('\n');
      if (got !== want) expect({ c: c.toString(16), got }).toEqual({ c: c.toString(16), got: want });
    }
  });
});

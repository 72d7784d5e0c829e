import { describe, expect, it } from 'vitest';
import type { Entry, ParsedBulletin, StoredEntry } from '../../src/core/model.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { parseBulletin } from '../../src/core/parse-bulletin.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';

const agencies = shippedAgencies();
const bulletin = (lines: string[]) => parseBulletin(['简报 2020年', '', '中心', '', ...lines].join('\n'), { file: 'b.txt', agencies });

describe('catalog', () => {
  it('follows the store: new measures, corrections and new agencies show up without a rebuild', () => {
    const store = createMemoryEntryStore();
    store.apply(parseSeed());
    const catalog = createCatalog(store, agencies);
    expect(catalog.size()).toBe(19);
    expect(catalog.agencyStats().map((a) => [a.name, a.count])).toEqual([
      ['上海市科学技术委员会', 3],
      ['上海市公安局', 7],
      ['上海市民政局', 3],
      ['上海市司法局', 6],
    ]);

    store.apply(
      bulletin([
        '4月1日',
        '交通委的新措施 复工',
        '来源：上海市交通委员会',
        '3月25日',
        '静安警方“点对点”护航企业复工复产',
        '改正后的正文。',
        '来源：上海市公安局',
      ]),
    );
    expect(catalog.size()).toBe(20);
    expect(catalog.directory().resolve('交通委员会')).toBe('上海市交通委员会');
    expect(catalog.latest('上海市交通委员会', 5).map((e) => e.title)).toEqual(['交通委的新措施 复工']);
    const corrected = catalog.latest('上海市公安局', 1)[0]!;
    expect(corrected.body).toEqual(['改正后的正文。']);
    expect(corrected.revisions).toBe(1);
    expect(catalog.latest('上海市公安局', 50)).toHaveLength(7);
    expect(catalog.search(['改正后']).hits.map((e) => e.id)).toEqual([corrected.id]);
  });

  it('orders latest by the measure date, newest first, and bounds n', () => {
    const store = createMemoryEntryStore();
    store.apply(parseSeed());
    const catalog = createCatalog(store, agencies);
    const dates = catalog.latest('上海市司法局', 10).map((e) => e.date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(catalog.latest('上海市司法局', 0)).toEqual([]);
    expect(catalog.latest('nobody', 3)).toEqual([]);
  });

  it('orders hundreds of measures like a plain sort, through corrections that move them to another agency or date', () => {
    // Past 256 entries per agency the catalog sorts by date buckets; ties on a date go by ingestion, newest first.
    let seed = 7;
    const rand = (n: number) => Math.floor(((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * n);
    const names = agencies.names().slice(0, 5);
    const dates = ['2020-03-01', '2020-03-02', '2020-03-15', '2020-04-01', '2021-01-09', '2022-12-31'];
    const entry = (i: number, b: string, line: number): Entry => ({
      id: `m${i}`,
      agency: names[rand(names.length)]!,
      date: dates[rand(dates.length)]!,
      title: `措施${i}`,
      body: [`正文${i}-${b}`],
      bullets: [],
      source: '',
      bulletin: b,
      line,
    });
    const publish = (b: string, entries: Entry[]): ParsedBulletin => ({
      bulletin: { id: b, title: b, series: null, asOf: null, publisher: null, file: `${b}.txt` },
      entries,
      warnings: [],
    });
    const store = createMemoryEntryStore();
    store.apply(
      publish(
        'b1',
        Array.from({ length: 1600 }, (_, i) => entry(i, 'b1', i + 1)),
      ),
    );
    const catalog = createCatalog(store, agencies);
    // Corrections (new agency, date and text for the same id) and new measures, after the catalog was made.
    const again = [
      ...Array.from({ length: 200 }, (_, i) => entry(i * 5, 'b2', i + 1)),
      ...Array.from({ length: 150 }, (_, i) => entry(1600 + i, 'b2', 201 + i)),
    ];
    store.apply(publish('b2', again));

    const newestFirst = (a: StoredEntry, b: StoredEntry) => (a.date === b.date ? b.seq - a.seq : a.date < b.date ? 1 : -1);
    const all = [...store.all()].sort(newestFirst);
    expect(all).toHaveLength(1750);
    expect(all.filter((e) => e.revisions > 0).length).toBeGreaterThan(100);
    expect([...catalog.newest()].map((e) => e.id)).toEqual(all.map((e) => e.id));
    for (const name of names) {
      const mine = all.filter((e) => e.agency === name);
      expect(mine.length).toBeGreaterThan(256);
      expect(catalog.latest(name, 2000).map((e) => e.id)).toEqual(mine.map((e) => e.id));
      expect(catalog.agencyStats().find((a) => a.name === name)).toEqual({ name, count: mine.length, latestDate: mine[0]!.date });
    }
    expect(catalog.newestDate()).toBe(all[0]!.date);
  });
});

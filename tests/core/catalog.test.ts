import { describe, expect, it } from 'vitest';
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
});

import { describe, expect, it } from 'vitest';
import { seedEntries } from '../../../bench/quality.ts';
import { parseLatestRequest } from '../../../src/core/requests/latest.ts';
import { createQueryUnderstanding } from '../../../src/core/search/understand/index.ts';
import { shippedWordTables } from '../../../src/store/word-tables.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const u = createQueryUnderstanding({ tables: shippedWordTables() });
u.learn(shippedAgencies(), seedEntries());
const parse = (payload: string) => parseLatestRequest(payload, (text) => u.filters(text));

describe('parseLatestRequest', () => {
  it.each([
    ['公安', '上海市公安局', 5, []],
    ['公安 3', '上海市公安局', 3, []],
    ['3 公安', '上海市公安局', 3, []],
    ['民政局8条', '上海市民政局', 8, []],
    ['最新两条司法局的', '上海市司法局', 2, []],
    ['看一下科委前十五条', '上海市科学技术委员会', 15, []],
    ['交警那边最近一条', '上海市公安局', 1, []],
    ['警察 兩條', '上海市公安局', 2, []],
    ['公安 ８', '上海市公安局', 8, []],
    ['公安 50', '上海市公安局', 20, []],
    ['the last 4 from the justice bureau', '上海市司法局', 4, []],
    ['civil affairs 6', '上海市民政局', 6, []],
    ['公安 复工', '上海市公安局', 5, ['复工']],
  ] as const)('%s', (payload, agency, n, unused) => {
    const got = parse(payload);
    expect(got.agency).toBe(agency);
    expect(got.n).toBe(n);
    expect(got.unused).toEqual(unused);
  });

  it('an unknown name: no agency, the name as typed (without the count) for did-you-mean', () => {
    expect(parse('公按局 3条')).toMatchObject({ agency: null, name: '公按局', n: 3 });
  });
});

describe('parseLatestRequest with an exact-name look-up', () => {
  const dir = shippedAgencies();
  const exact = (name: string) => dir.resolveExact(name);
  it('a name or alias alone is answered without reading the words; anything else is read as before', () => {
    const unread = () => {
      throw new Error('read');
    };
    expect(parseLatestRequest('公安 3', unread, exact)).toMatchObject({ agency: '上海市公安局', n: 3, unused: [] });
    expect(parseLatestRequest('上海市民政局', unread, exact)).toMatchObject({ agency: '上海市民政局', n: 5 });
    expect(parseLatestRequest('派出所那边最近两条', (text) => u.filters(text), exact)).toMatchObject({ agency: '上海市公安局', n: 2 });
  });
});

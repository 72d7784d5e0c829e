import { describe, expect, it } from 'vitest';
import { foldWithMap, foldsOneToOne, matchesUnfolded, normalizeForSearch } from '../../../../src/core/search/normalize.ts';
import { createSearchIndex } from '../../../../src/core/search/search-index.ts';
import { makeSnippet } from '../../../../src/core/search/snippet.ts';
import { VARIANT } from '../../../../src/core/search/understand/variants.ts';

describe('folding: traditional and variant characters, full width, case', () => {
  it.each([
    ['復產', '复产'],
    ['複工', '复工'],
    ['復工復產', '复工复产'],
    ['雲選會', '云选会'],
    ['外國人簽證', '外国人签证'],
    ['行政復議', '行政复议'],
    ['裡', '里'],
    ['為', '为'],
    ['峯', '峰'],
    ['ＴＥＬＥＧＲＡＭ １０万', 'telegram 10万'],
    ['复\u200B工', '复工'],
    // Simplified text folds to itself, including characters a Taiwan table would rewrite (么 → 幺).
    ['什么', '什么'],
    ['复工复产复市', '复工复产复市'],
    ['于是', '于是'],
  ])('%s → %s', (input, folded) => {
    expect(normalizeForSearch(input)).toBe(folded);
  });

  it('folds one unit to one unit, and a folded character folds to itself (idempotent)', () => {
    for (let c = 0; c < 65536; c++) {
      const v = VARIANT[c]!;
      if (v === 0) continue;
      expect(VARIANT[v], `U+${c.toString(16)} → U+${v.toString(16)}`).toBe(0);
    }
    const sample = '復工複產雲選會外國人簽證行政復議';
    expect(normalizeForSearch(sample)).toHaveLength(sample.length);
    expect(normalizeForSearch(normalizeForSearch(sample))).toBe(normalizeForSearch(sample));
  });

  it('keeps simplified keywords on the fast path (no folding of the text needed) while traditional text takes the exact one', () => {
    expect(matchesUnfolded('复工')).toBe(true);
    expect(foldsOneToOne('复工复产')).toBe(true);
    expect(foldsOneToOne('复工複產')).toBe(false);
    const { folded, start, end } = foldWithMap('助力複工');
    expect(folded).toBe('助力复工');
    expect([...start]).toEqual([0, 1, 2, 3]);
    expect([...end]).toEqual([1, 2, 3, 4]);
  });

  it('the index finds traditional text with simplified keywords and the other way round', () => {
    const entry = (id: string, title: string) => ({
      id,
      agency: '上海市公安局',
      date: '2020-03-01',
      title,
      body: ['正文'],
      bullets: [],
      seq: Number(id.slice(1)),
    });
    const index = createSearchIndex([entry('e1', '助力企業複工復產'), entry('e2', '支持企业复工复产'), entry('e3', '无关的通知')]);
    const ids = (k: string[]) =>
      index
        .search(k, { limit: 10 })
        .hits.map((h) => h.id)
        .sort();
    expect(ids(['复工'])).toEqual(['e1', 'e2']);
    expect(ids(['複工'])).toEqual(['e1', 'e2']);
    expect(ids(['企业', '复产'])).toEqual(['e1', 'e2']);
  });

  it('highlights the traditional spelling of a simplified keyword in the original text', () => {
    const s = makeSnippet('助力企業複工復產', ['复工']);
    expect(s.text).toBe('助力企業複工復產');
    expect(s.marks).toEqual([[4, 6]]);
  });
});

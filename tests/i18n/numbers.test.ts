import { describe, expect, it } from 'vitest';
import { roughly } from '../../src/i18n/numbers.ts';
import { catalogues } from '../../src/i18n/index.ts';

describe('an estimated count as people say it', () => {
  it.each([
    [0, 0],
    [7, 7],
    [99, 99],
    [100, 100],
    [101, 110],
    [158, 160],
    [1040, 1100],
    [21381, 22000],
    [78121, 79000],
    [120000, 120000],
  ])('%i → %i (two significant digits, rounded up: never below the results shown)', (n, said) => {
    expect(roughly(n)).toBe(said);
  });

  it('says a total is estimated, at least, or exact, in zh and en', () => {
    expect(catalogues.zh.search.count(21381, true, true)).toBe('约22000');
    expect(catalogues.en.search.count(21381, true, true)).toBe('about 22000');
    expect(catalogues.zh.search.count(200, false)).toBe('200+');
    expect(catalogues.en.search.count(12, true)).toBe('12');
  });
});

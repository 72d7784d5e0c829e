import { describe, expect, it } from 'vitest';
import { normalizeForSearch } from '../../../src/core/search/normalize.ts';
import { MAX_KEYWORDS, normalizeKeyword, parseQuery } from '../../../src/core/search/query.ts';
import { prng } from '../../helpers/prng.ts';

describe('parseQuery', () => {
  it.each([
    ['复工', ['复工']],
    ['复工 外企', ['复工', '外企']],
    ['复工\u3000外企', ['复工', '外企']],
    ['复工，外企,云选会、康复', ['复工', '外企', '云选会', '康复']],
    ['  Telegram  ', ['telegram']],
    ['ＴＥＬＥＧＲＡＭ １０万', ['telegram', '10万']],
    ['复\u200B工', ['复工']],
    ['复工 复工 ＦＵ fu', ['复工', 'fu']],
    ['复工 !!! 🎉', ['复工']],
    ['复工.*(', ['复工.*(']],
    ['a+b [x] ^$', ['a+b', '[x]']],
  ])('%j → %j', (input, keywords) => {
    expect(parseQuery(input)).toEqual({ ok: true, keywords });
  });

  it.each([
    ['', 'empty'],
    ['   \u3000\n', 'empty'],
    ['复'.repeat(10_000), 'too-long'],
    ['复'.repeat(201), 'too-long'],
    ['🎉🎉 👍', 'no-searchable-text'],
    ['\u200B\u200D\uFEFF', 'no-searchable-text'],
    ['.*( ？！，。', 'no-searchable-text'],
  ])('%j is refused as %s', (input, reason) => {
    expect(parseQuery(input)).toEqual({ ok: false, reason });
  });

  it('accepts exactly 200 characters, counting an emoji as one', () => {
    expect(parseQuery('复'.repeat(200))).toEqual({ ok: true, keywords: ['复'.repeat(200)] });
    expect(parseQuery('复'.repeat(199) + '🎉')).toMatchObject({ ok: true });
  });

  it(`keeps the first ${MAX_KEYWORDS} distinct keywords`, () => {
    const words = Array.from({ length: 12 }, (_, i) => `w${i}`);
    expect(parseQuery(words.join(' '))).toEqual({ ok: true, keywords: words.slice(0, MAX_KEYWORDS) });
  });
});

describe('normalizeKeyword equals normalizeForSearch', () => {
  it('on random text of folding and non-folding characters', () => {
    const random = prng(17);
    const alphabet = [...'复工产abcAZＡｚ１1 .,，。、㈱ﾞ\u0301\u200be\u00e9Éｶﾞ＄$%'];
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(normalizeKeyword(text), JSON.stringify(text)).toBe(normalizeForSearch(text));
    }
  });
});

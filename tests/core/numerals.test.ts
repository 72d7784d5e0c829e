import { describe, expect, it } from 'vitest';
import { readNumber, readNumberIn } from '../../src/core/numerals.ts';

describe('readNumber: numbers as Chinese text writes them', () => {
  it.each<[string, number]>([
    ['7', 7],
    ['2020', 2020],
    ['十', 10],
    ['十五', 15],
    ['二十', 20],
    ['二十三', 23],
    ['两', 2],
    ['兩', 2],
    ['零五', 5],
    ['一百零五', 105],
    ['六千一百', 6100],
    ['四十一', 41],
    ['零', 0],
    ['百', 100],
  ])('%s → %d', (text, n) => expect(readNumber(text)).toBe(n));

  it.each(['', '二二', '二〇二〇', '十十', '十百', '一百十', '零十', '三x', '5个'])('%j is no number', (text) =>
    expect(readNumber(text)).toBeNaN(),
  );

  it('readNumberIn keeps a range', () => {
    expect(readNumberIn('十二', 1, 12)).toBe(12);
    expect(readNumberIn('十三', 1, 12)).toBeNaN();
    expect(readNumberIn('零', 1, 99)).toBeNaN();
  });
});

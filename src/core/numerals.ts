/**
 * Numbers as people write them in Chinese text: ASCII digits (7, 2020) or Chinese numerals (十五, 二十三, 两, 兩,
 * 一百零五, 六千一百), a leading 零 as in 九点零五. One reader for days, months, hours, counts and amounts, so every
 * part of the bot reads 二十三 the same way. Digits run together without a unit (二二) are no number: a year written
 * digit by digit (二〇二〇) is read where years are (core/bulletin/dates.ts).
 */

const DIGIT: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** The value of `text`, below 10,000 when written in Chinese; NaN when it is no number. */
export function readNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (text === '') return NaN;
  let total = 0;
  let digit = -1;
  // A zero only fills a gap (一百零五, 零五): the digit after it stands alone.
  let zero = false;
  let lastUnit = Infinity;
  for (const ch of text) {
    const d = DIGIT[ch];
    if (d !== undefined) {
      if (digit !== -1 && !zero) return NaN;
      digit = d;
      zero = d === 0;
      continue;
    }
    const u = UNIT[ch];
    // Units come largest first, once each (十十, 十百 are no numbers); a unit alone at the start is one of it (十五).
    if (u === undefined || u >= lastUnit || zero || (digit === -1 && total > 0)) return NaN;
    total += (digit === -1 ? 1 : digit) * u;
    digit = -1;
    lastUnit = u;
  }
  return total + (digit === -1 ? 0 : digit);
}

/** readNumber within [min, max]; NaN outside. */
export function readNumberIn(text: string, min: number, max: number): number {
  const n = readNumber(text);
  return n >= min && n <= max ? n : NaN;
}

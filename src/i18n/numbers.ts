/**
 * An estimated count as people say it: two significant digits from 100 on, rounded up (21,381 → 22000,
 * 1,040 → 1100), so it is never below the numbers of the results shown under it; small ones as they are.
 */
export const roughly = (n: number): number => {
  if (n < 100) return Math.ceil(n);
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.ceil(n / unit) * unit;
};

/** An estimated count as people say it: two significant digits from 100 on (21,381 → 21000, 158 → 160), small ones as they are. */
export const roughly = (n: number): number => {
  if (n < 100) return Math.round(n);
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / unit) * unit;
};

/**
 * Page furniture a scan or a printout repeats: its running header.
 */
import { foldKey } from '../text.ts';
import type { Line } from './lines.ts';

/**
 * A scan's or a printout's running header: the bulletin's title (or its start: "…进行时（系列三）"), or one of its
 * first lines, printed again at the top of each page and met at least twice after the header. Furniture, like a
 * page number.
 */
export function runningHeaders(body: readonly Line[], titles: readonly string[]): Set<string> {
  const PREFIX = 8;
  const starts = new Set(
    titles
      .map((t) => [...foldKey(t)])
      .filter((k) => k.length >= PREFIX)
      .map((k) => k.slice(0, PREFIX).join('')),
  );
  if (starts.size === 0) return new Set();
  // foldKey is costly: only for lines that hold the first two characters of a header's start.
  const firsts = [...new Set([...starts].map((p) => [...p].slice(0, 2).join('')))];
  const counts = new Map<string, number>();
  for (const l of body) {
    const lower = l.text.toLowerCase();
    if (!firsts.some((c) => lower.includes(c))) continue;
    const k = foldKey(l.text);
    if ([...k].length >= PREFIX && starts.has([...k].slice(0, PREFIX).join(''))) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, n]) => n >= 2).map(([k]) => k));
}

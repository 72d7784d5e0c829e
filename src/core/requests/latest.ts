/**
 * "/latest …" as people write it: how many (公安10条, 最近三条科委, 前十条, 兩條, last 3, a number alone) anywhere,
 * and the agency by any name, run together with filler (看看民政局最近有啥, 派出所那边). The agency and the words
 * that are not its name come from the same understanding as search (`readFilters`, injected).
 */
import { smallNumber } from '../schedule/time-of-day.ts';
import type { ReadFilters } from './subscribe.ts';

export const DEFAULT_LATEST = 5;
export const MAX_LATEST = 20;

export interface LatestRequest {
  /** The first agency named (canonical), or null. */
  agency: string | null;
  /** Every other agency named (/latest lists one). */
  otherAgencies: string[];
  /** The text with the count taken out: the name as typed, for "no such agency" and did-you-mean. */
  name: string;
  /** How many, at most MAX_LATEST. */
  n: number;
  /** Topic words /latest cannot use (it lists by agency and date). */
  unused: string[];
}

const NUMBER = '(\\d{1,3}|[一二两兩三四五六七八九十]{1,3})';
const COUNT = new RegExp(
  [
    `(?:前|最新|最近|近|新)?${NUMBER}\\s*(?:条|條|个|個|项|項|则|則|篇|份|件)`,
    `(?<![a-z])(?:last|latest|top|newest|first|recent)\\s+(\\d{1,3})(?![\\d:])`,
    `(?<![\\da-z.:])(\\d{1,3})(?![\\da-z.:年月日号號点點时時])`,
  ].join('|'),
  'iu',
);

/**
 * `exact`, when given, names the agency of a text that is exactly a name or alias (公安, 上海市民政局): the common
 * case, answered without segmenting (/latest at 100k measures: 3,600 → 9,000+ updates/s, BENCHMARKS round 11).
 */
export function parseLatestRequest(payload: string, readFilters: ReadFilters, exact?: (name: string) => string | null): LatestRequest {
  let text = payload.normalize('NFKC').trim();
  let n = DEFAULT_LATEST;
  const m = COUNT.exec(text);
  if (m) {
    const value = smallNumber(m[1] ?? m[2] ?? m[3]!);
    if (Number.isInteger(value) && value > 0) {
      n = Math.min(value, MAX_LATEST);
      text = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/\s+/g, ' ').trim();
    }
  }
  const named = text && exact ? exact(text) : null;
  if (named) return { agency: named, otherAgencies: [], name: text, n, unused: [] };
  const { agencies, keywords } = text ? readFilters(text) : { agencies: [], keywords: [] };
  return { agency: agencies[0] ?? null, otherAgencies: agencies.slice(1), name: text, n, unused: keywords };
}

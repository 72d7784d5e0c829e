/** Date words and the order toggle for /search and /latest: the pure extractor (src/core/dates) fed with the chat's today. */
import type { Catalog } from '../../core/catalog.ts';
import { extractDateWords, rangeLabel } from '../../core/dates/date-words.ts';
import type { DateRange, DateWords } from '../../core/dates/date-words.ts';
import type { SearchOptions } from '../../core/search/index-types.ts';
import { localClock } from '../../digest/due.ts';
import type { Lang } from '../../i18n/index.ts';

export type SearchOrder = NonNullable<SearchOptions['order']>;

// The zone's date, worked out once a minute (formatting a date in a time zone costs ~10 µs a search).
let today = { zone: '', minute: NaN, date: '' };
const todayIn = (now: number, zone: string): string => {
  const minute = Math.floor(now / 60_000);
  if (today.zone !== zone || today.minute !== minute) today = { zone, minute, date: localClock(now, zone).date };
  return today.date;
};

/**
 * The date and order words of a query. "Today" is the bot's zone's date; a month without a year is read
 * against the newest measure's year (so 3月 over the 2020 bulletins means March 2020).
 */
export function understandDates(text: string, catalog: Pick<Catalog, 'newestDate'>, now: number, timezone: string): DateWords {
  const newest = catalog.newestDate();
  const today = todayIn(now, timezone);
  return extractDateWords(text, today, newest ? { yearHint: Number(newest.slice(0, 4)) } : {});
}

/** SearchOptions for a range and an order. */
export function dateOptions(range: DateRange | null, order: SearchOrder): Pick<SearchOptions, 'dateFrom' | 'dateTo' | 'order'> {
  return { ...(range?.from ? { dateFrom: range.from } : {}), ...(range?.to ? { dateTo: range.to } : {}), order };
}

/** " · 📅 2020-03-01 – 2020-03-31 · 按时间" for a results header. */
export function rangeAndOrderLabel(range: DateRange | null, order: SearchOrder, lang: Lang, labels: { newest: string }): string {
  return `${range ? ` · 📅 ${rangeLabel(range, lang)}` : ''}${order === 'newest' ? ` · ${labels.newest}` : ''}`;
}

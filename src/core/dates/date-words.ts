/**
 * Date words in a query, as people write them, turned into an inclusive date range:
 * 今天, 昨天, 本周, 上周, 本月, 上月, 今年, 去年, 3月, 3月份, 2020年3月, 2020年, 3月上旬, 一季度,
 * 最近7天, 近两周, 过去一个月, 3月1日以后, 3月10日之前, 3月1日至15日, 2020-03-01.
 *
 * Pure: "today" is passed in (the caller's local date). A month or day written without a year means the
 * latest such month (day) not after today, counted from `yearHint` when given (the year of the newest
 * measure, so "3月" over a 2020 bulletin means March 2020), else from today's year.
 *
 * The words are found anywhere in the text (Chinese queries come without spaces: "本周公安复工") and cut
 * out; what is left is returned for the keyword search. "最新" / "按时间" ask for newest-first order.
 */
import { readNumberIn } from '../numerals.ts';

export interface DateRange {
  /** Inclusive YYYY-MM-DD bounds; null = open. */
  from: string | null;
  to: string | null;
}

export interface DateWords {
  range: DateRange | null;
  /** The text with the date (and order) words cut out, spaced where they were. */
  rest: string;
  /** The date words found, as written. */
  found: string[];
  /** "最新", "按时间", "newest": newest first. */
  newest: boolean;
}

/** ASCII digits, or 1–99 in Chinese numerals ("7", "十五", "三十"); NaN otherwise. */
const num = (s: string): number => (/^\d+$/.test(s) ? Number(s) : readNumberIn(s, 1, 99));

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const parse = (date: string) => date.split('-').map(Number) as [number, number, number];
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
function addDays(date: string, days: number): string {
  const [y, m, d] = parse(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
function addMonths(date: string, months: number): string {
  const [y, m, d] = parse(date);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const ny = first.getUTCFullYear();
  const nm = first.getUTCMonth() + 1;
  return ymd(ny, nm, Math.min(d, daysIn(ny, nm)));
}
const monthRange = (y: number, m: number): DateRange => ({ from: ymd(y, m, 1), to: ymd(y, m, daysIn(y, m)) });
const isoWeekday = (date: string) => {
  const [y, m, d] = parse(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
};
const validDay = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);

const N = '(\\d{1,3}|[一二两三四五六七八九十]{1,3})';
const Y = '(\\d{4})\\s*年';
const M = '(\\d{1,2}|[一二三四五六七八九十]{1,3})\\s*月份?';
const D = '(\\d{1,2}|[一二三四五六七八九十]{1,3})\\s*[日号號]';

interface Rule {
  re: RegExp;
  range: (m: RegExpExecArray, ctx: Ctx) => DateRange | null;
}
interface Ctx {
  today: string;
  yearFor: (month: number, day?: number) => number;
}

/** A day written as Y年M月D日, M月D日, YYYY-MM-DD or YYYY/M/D, or null. */
const DAY_RE = `(?:(?:${Y})?\\s*${M}\\s*${D}|(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2}))`;
function dayOf(m: RegExpExecArray, at: number, ctx: Ctx): string | null {
  const [yText, mText, dText, isoY, isoM, isoD] = [m[at], m[at + 1], m[at + 2], m[at + 3], m[at + 4], m[at + 5]];
  if (isoY) {
    const y = Number(isoY);
    const mo = Number(isoM);
    const d = Number(isoD);
    return validDay(y, mo, d) ? ymd(y, mo, d) : null;
  }
  const mo = num(mText!);
  const d = num(dText!);
  const y = yText ? Number(yText) : ctx.yearFor(mo, d);
  return validDay(y, mo, d) ? ymd(y, mo, d) : null;
}
const DAY_GROUPS = 6;

const AFTER = '(?:以后|之后|以来|后|起|开始|至今|以後|之後)';
const BEFORE = '(?:以前|之前|前|为止|截止|以前的)';
const TO = '(?:至|到|-|—|~|～)';

const RULES: Rule[] = [
  // Ranges and open ranges of days first: "3月1日至3月15日", "3月1日以后", "3月10日之前".
  {
    re: new RegExp(`${DAY_RE}\\s*${TO}\\s*(?:${DAY_RE}|(\\d{1,2}|[一二三四五六七八九十]{1,3})\\s*[日号號])`),
    range: (m, ctx) => {
      const from = dayOf(m, 1, ctx);
      let to = m[1 + DAY_GROUPS + DAY_GROUPS] ? null : dayOf(m, 1 + DAY_GROUPS, ctx);
      // "2020年3月1日至3月15日": the second day takes the first one's year.
      if (from && to && m[1] && !m[1 + DAY_GROUPS] && !m[1 + DAY_GROUPS + 3]) to = `${from.slice(0, 4)}${to.slice(4)}`;
      if (m[1 + DAY_GROUPS + DAY_GROUPS] && from) {
        // "3月1日至15日": the same month.
        const [y, mo] = parse(from);
        const d = num(m[1 + DAY_GROUPS + DAY_GROUPS]!);
        to = validDay(y, mo, d) ? ymd(y, mo, d) : null;
      }
      return from && to && from <= to ? { from, to } : null;
    },
  },
  // Compared with a day: "比2月12号那个更新的" (newer than), "比3月1日早的" (older than); the day itself is not in it.
  {
    re: new RegExp(`比\\s*${DAY_RE}\\s*(?:那个|那條|那条|那篇|的)?\\s*(?:更新|更晚|更近|新|晚)`),
    range: (m, ctx) => ((d) => (d ? { from: addDays(d, 1), to: null } : null))(dayOf(m, 1, ctx)),
  },
  {
    re: new RegExp(`比\\s*${DAY_RE}\\s*(?:那个|那條|那条|那篇|的)?\\s*(?:更早|更旧|早|旧)`),
    range: (m, ctx) => ((d) => (d ? { from: null, to: addDays(d, -1) } : null))(dayOf(m, 1, ctx)),
  },
  { re: new RegExp(`${DAY_RE}\\s*${AFTER}`), range: (m, ctx) => ((d) => (d ? { from: d, to: null } : null))(dayOf(m, 1, ctx)) },
  {
    re: new RegExp(`(?:截至|截止到?|到)\\s*${DAY_RE}\\s*(?:为止)?`),
    range: (m, ctx) => ((d) => (d ? { from: null, to: d } : null))(dayOf(m, 1, ctx)),
  },
  { re: new RegExp(`${DAY_RE}\\s*${BEFORE}`), range: (m, ctx) => ((d) => (d ? { from: null, to: d } : null))(dayOf(m, 1, ctx)) },
  { re: new RegExp(DAY_RE), range: (m, ctx) => ((d) => (d ? { from: d, to: d } : null))(dayOf(m, 1, ctx)) },
  // "最近7天", "近两周", "过去一个月", "最近三个月", "last 7 days".
  {
    re: new RegExp(`(?:最近|近|过去|過去)\\s*${N}\\s*(天|日|周|週|星期|个月|個月|月|年)`),
    range: (m, ctx) => {
      const n = num(m[1]!);
      if (!(n >= 1 && n <= 3650)) return null;
      const unit = m[2]!;
      const from =
        unit === '天' || unit === '日'
          ? addDays(ctx.today, -(n - 1))
          : unit === '年'
            ? addMonths(ctx.today, -12 * n)
            : unit.endsWith('月')
              ? addMonths(ctx.today, -n)
              : addDays(ctx.today, -(7 * n - 1));
      return { from, to: ctx.today };
    },
  },
  { re: /last\s+(\d{1,3})\s+days?/i, range: (m, ctx) => ({ from: addDays(ctx.today, -(Number(m[1]) - 1)), to: ctx.today }) },
  { re: /(?:最近|近)\s*(?:一)?(周|週|星期)/, range: (_m, ctx) => ({ from: addDays(ctx.today, -6), to: ctx.today }) },
  { re: /(?:最近|近)\s*(?:一)?个?月/, range: (_m, ctx) => ({ from: addMonths(ctx.today, -1), to: ctx.today }) },
  // Parts of a month: "3月上旬", "2020年3月下旬".
  {
    re: new RegExp(`(?:${Y})?\\s*${M}\\s*(上旬|中旬|下旬)`),
    range: (m, ctx) => {
      const mo = num(m[2]!);
      if (!(mo >= 1 && mo <= 12)) return null;
      const y = m[1] ? Number(m[1]) : ctx.yearFor(mo);
      const part = m[3]!;
      return part === '上旬'
        ? { from: ymd(y, mo, 1), to: ymd(y, mo, 10) }
        : part === '中旬'
          ? { from: ymd(y, mo, 11), to: ymd(y, mo, 20) }
          : { from: ymd(y, mo, 21), to: ymd(y, mo, daysIn(y, mo)) };
    },
  },
  // Open ranges of months: "3月以后", "2020年3月之前".
  {
    re: new RegExp(`(?:${Y})?\\s*${M}\\s*(${AFTER}|${BEFORE})`),
    range: (m, ctx) => {
      const mo = num(m[2]!);
      if (!(mo >= 1 && mo <= 12)) return null;
      const r = monthRange(m[1] ? Number(m[1]) : ctx.yearFor(mo), mo);
      return new RegExp(`^${AFTER}$`).test(m[3]!) ? { from: r.from, to: null } : { from: null, to: r.to };
    },
  },
  // Months: "2020年3月", "3月", "3月份", and "2020-03".
  {
    re: new RegExp(`(?:${Y})?\\s*${M}(?!\\s*[\\d一二三四五六七八九十]+\\s*[日号號])`),
    range: (m, ctx) => {
      const mo = num(m[2]!);
      if (!(mo >= 1 && mo <= 12)) return null;
      return monthRange(m[1] ? Number(m[1]) : ctx.yearFor(mo), mo);
    },
  },
  {
    re: /(\d{4})-(\d{1,2})(?![\d-])/,
    range: (m) => ((y, mo) => (mo >= 1 && mo <= 12 ? monthRange(y, mo) : null))(Number(m[1]), Number(m[2])),
  },
  // Quarters: "一季度", "2020年第一季度", "Q1".
  {
    re: new RegExp(`(?:${Y})?\\s*(?:第)?([一二三四1-4])\\s*季度|(?:(\\d{4})\\s*)?q([1-4])\\b`, 'i'),
    range: (m, ctx) => {
      const q = m[2] ? num(m[2]) : Number(m[4]);
      const first = (q - 1) * 3 + 1;
      const y = m[1] ? Number(m[1]) : m[3] ? Number(m[3]) : ctx.yearFor(first);
      return { from: ymd(y, first, 1), to: ymd(y, first + 2, daysIn(y, first + 2)) };
    },
  },
  { re: /(\d{4})\s*年(?:度|全年)?/, range: (m) => ({ from: ymd(Number(m[1]), 1, 1), to: ymd(Number(m[1]), 12, 31) }) },
  // Calendar words.
  { re: /今天|今日|today/i, range: (_m, ctx) => ({ from: ctx.today, to: ctx.today }) },
  { re: /昨天|昨日|yesterday/i, range: (_m, ctx) => ((d) => ({ from: d, to: d }))(addDays(ctx.today, -1)) },
  { re: /前天/, range: (_m, ctx) => ((d) => ({ from: d, to: d }))(addDays(ctx.today, -2)) },
  {
    re: /本周|这周|這週|本週|这个星期|這個星期|本星期|这礼拜|this\s+week/i,
    range: (_m, ctx) => ({ from: addDays(ctx.today, 1 - isoWeekday(ctx.today)), to: addDays(ctx.today, 7 - isoWeekday(ctx.today)) }),
  },
  {
    re: /上周|上週|上个星期|上星期|上礼拜|last\s+week/i,
    range: (_m, ctx) => ((mon) => ({ from: addDays(mon, -7), to: addDays(mon, -1) }))(addDays(ctx.today, 1 - isoWeekday(ctx.today))),
  },
  { re: /本月|这个月|這個月|这月|當月|当月|this\s+month/i, range: (_m, ctx) => ((t) => monthRange(t[0], t[1]))(parse(ctx.today)) },
  { re: /上个?月|上個月|last\s+month/i, range: (_m, ctx) => ((t) => monthRange(t[0], t[1]))(parse(addMonths(ctx.today, -1))) },
  { re: /今年|本年度?|this\s+year/i, range: (_m, ctx) => ((y) => ({ from: ymd(y, 1, 1), to: ymd(y, 12, 31) }))(parse(ctx.today)[0]) },
  { re: /去年|last\s+year/i, range: (_m, ctx) => ((y) => ({ from: ymd(y, 1, 1), to: ymd(y, 12, 31) }))(parse(ctx.today)[0] - 1) },
];

const NEWEST = /最新|按时间|按時間|按日期|newest/gi;

/** Intersection of two ranges (both words hold: "2020年 3月以后"). */
function intersect(a: DateRange, b: DateRange): DateRange {
  const from = a.from && b.from ? (a.from > b.from ? a.from : b.from) : (a.from ?? b.from);
  const to = a.to && b.to ? (a.to < b.to ? a.to : b.to) : (a.to ?? b.to);
  return { from, to };
}

/** Finds the date and order words in `text`; `today` is YYYY-MM-DD in the user's zone. */
export function extractDateWords(text: string, today: string, opts: { yearHint?: number } = {}): DateWords {
  const [ty, tm, td] = parse(today);
  const base = opts.yearHint !== undefined && opts.yearHint < ty ? opts.yearHint : ty;
  const ctx: Ctx = {
    today,
    // The latest such month (day) not after today, counted from the hint's year.
    yearFor: (month, day = 1) => (base === ty && (month > tm || (month === tm && day > td)) ? ty - 1 : base),
  };
  let rest = text.normalize('NFKC');
  const found: string[] = [];
  let range: DateRange | null = null;
  for (const rule of RULES) {
    for (let guard = 0; guard < 4; guard++) {
      const m = rule.re.exec(rest);
      if (!m) break;
      const r = rule.range(m, ctx);
      if (!r) break;
      found.push(m[0].trim());
      range = range ? intersect(range, r) : r;
      rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`;
    }
  }
  let newest = false;
  rest = rest.replace(NEWEST, () => {
    newest = true;
    return ' ';
  });
  return { range, rest: rest.replace(/\s+/g, ' ').trim(), found, newest };
}

/** How a range reads in a reply: "2020-03-01 – 2020-03-31", "2020-03-01 起", "至 2020-03-10". */
export function rangeLabel(r: DateRange, lang: 'zh' | 'en'): string {
  if (r.from && r.to) return r.from === r.to ? r.from : `${r.from} – ${r.to}`;
  if (r.from) return lang === 'zh' ? `${r.from} 起` : `from ${r.from}`;
  if (r.to) return lang === 'zh' ? `至 ${r.to}` : `until ${r.to}`;
  return '';
}

/**
 * Times of day as people type them into a chat: "9点", "9点半", "早上8点", "上午10点15", "下午3点",
 * "晚上9点半", "21点", "21:30", "21：30", "９：００", "两点", "中午12点", "凌晨1点", "9pm".
 *
 * The rule: a word that LOOKS like a time is either a valid time or refused with a reason — it is never
 * let through as something else (a keyword). "Looks like" = a number followed by 点/时, a number:number,
 * a period of the day followed by a number, or a number with am/pm. Anything else is not time-like (null),
 * so "3.15" (a date, the 3·15 consumer day), "重点" or "一点点" stay keywords.
 */

import { readNumberIn } from '../numerals.ts';

export type TimeRefusal =
  /** The hour is past 23 ("25点", "24:00"). */
  | 'hour'
  /** The minutes are past 59, or written with one digit after a colon ("8:5", "9:75"). */
  | 'minute'
  /** A period of the day that does not hold that hour ("晚上13点", "下午0点", "中午8点"). */
  | 'period'
  /** A weekday that is none (每周八, 星期零). */
  | 'weekday'
  /** A frequency the bot does not offer (每月初, monthly): refused, never kept as a keyword. */
  | 'monthly';

export type TimeOfDay = { ok: true; time: string } | { ok: false; reason: TimeRefusal };

/** Periods of the day, longest first where one starts another; 下昼/朝早/晏昼/晚黑 as Cantonese writes them. */
export const PERIODS = [
  '凌晨',
  '半夜',
  '午夜',
  '一早',
  '清早',
  '早上',
  '早晨',
  '清晨',
  '上午',
  '中午',
  '正午',
  '午后',
  '下午',
  '傍晚',
  '晚上',
  '晚间',
  '夜里',
  '夜间',
  '夜晚',
  '今晚',
  '下昼',
  '下晝',
  '朝早',
  '晏昼',
  '晏晝',
  '晚黑',
  '早',
  '晚',
] as const;
type Period = (typeof PERIODS)[number];
const PERIOD = PERIODS.join('|');
const NUM = '[0-9〇零一二两兩三四五六七八九十]{1,3}';

const WITH_POINT = new RegExp(`^(${PERIOD})?(${NUM})[点點时時][钟鐘]?(半|一刻|三刻|整|(${NUM})分?)?$`);
const WITH_COLON = new RegExp(`^(${PERIOD})?(\\d{1,3}):(\\d{1,3})$`);
const PERIOD_NUMBER = new RegExp(`^(${PERIOD})(${NUM})$`);
// With am/pm a dot is a time too (6.30pm); without, 3.15 is a date or a keyword.
const AM_PM = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm|a\.m\.|p\.m\.)$/;

/** ASCII digits, or 0-99 in Chinese numerals ("十五", "二十三", "零五", "两"); NaN otherwise. */
export const smallNumber = (s: string): number => (/^\d+$/.test(s) ? Number(s) : readNumberIn(s, 0, 99));

/** The 24-hour hour that `h` o'clock means in the period, or null when the period cannot hold it. */
function inPeriod(period: Period | undefined, h: number): number | null {
  if (period === undefined) return h <= 23 ? h : null;
  if (h > 12) return null;
  switch (period) {
    case '凌晨':
    case '半夜':
    case '午夜':
      return h === 12 ? 0 : h <= 6 ? h : null;
    case '一早':
    case '朝早':
    case '清早':
    case '早上':
    case '早晨':
    case '清晨':
    case '早':
      return h >= 4 && h <= 11 ? h : null;
    case '上午':
      return h >= 1 ? h : null;
    case '中午':
    case '正午':
    case '晏昼':
    case '晏晝':
      return h === 11 || h === 12 ? h : h <= 2 && h >= 1 ? h + 12 : null;
    case '午后':
    case '下午':
    case '下昼':
    case '下晝':
      return h === 12 ? 12 : h >= 1 && h <= 7 ? h + 12 : null;
    case '傍晚':
      return h >= 4 && h <= 8 ? h + 12 : null;
    default:
      // 晚上 and the like: 6-11 in the evening, 12 is midnight, 1-4 the small hours ("晚上1点" = 01:00).
      return h === 12 ? 0 : h >= 6 ? h + 12 : h >= 1 && h <= 4 ? h : null;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

function build(period: Period | undefined, hour: number, minute: number): TimeOfDay {
  if (!Number.isInteger(hour) || hour > 23) return { ok: false, reason: 'hour' };
  if (!Number.isInteger(minute) || minute > 59) return { ok: false, reason: 'minute' };
  const h = inPeriod(period, hour);
  if (h === null) return { ok: false, reason: 'period' };
  return { ok: true, time: `${pad(h)}:${pad(minute)}` };
}

/** Folds full-width digits and colons ("９：００") and case; what the patterns are matched against. */
export const timeForm = (word: string): string => word.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** A time of day for a word, a refusal for a time-like word that is no time, or null for a word that is not time-like. */
export function parseTimeOfDay(word: string): TimeOfDay | null {
  const w = timeForm(word);
  let m = WITH_POINT.exec(w);
  if (m) {
    const [, period, hourText, tail, minuteText] = m;
    const hour = smallNumber(hourText!);
    const minute =
      tail === undefined || tail === '整' ? 0 : tail === '半' ? 30 : tail === '一刻' ? 15 : tail === '三刻' ? 45 : smallNumber(minuteText!);
    return build(period as Period | undefined, hour, minute);
  }
  m = WITH_COLON.exec(w);
  if (m) {
    const [, period, hourText, minuteText] = m;
    // "8:5" is refused rather than guessed: 8:05 or 8:50?
    if (minuteText!.length !== 2) return { ok: false, reason: 'minute' };
    if (hourText!.length > 2) return { ok: false, reason: 'hour' };
    return build(period as Period | undefined, Number(hourText), Number(minuteText));
  }
  m = PERIOD_NUMBER.exec(w);
  if (m) return build(m[1] as Period, smallNumber(m[2]!), 0);
  m = AM_PM.exec(w);
  if (m) {
    const h = Number(m[1]);
    if (h < 1 || h > 12) return { ok: false, reason: 'hour' };
    const minute = m[2] === undefined ? 0 : Number(m[2]);
    if (minute > 59) return { ok: false, reason: 'minute' };
    const pm = m[3]!.startsWith('p');
    return { ok: true, time: `${pad((h % 12) + (pm ? 12 : 0))}:${pad(minute)}` };
  }
  return null;
}

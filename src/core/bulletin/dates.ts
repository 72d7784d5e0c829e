/**
 * Date lines in every shape copies use: 2月4日, 2月4日：, （3月9日）, 【3月27日】, 2/18, 3.27, 2020.3.16,
 * 3月27日 星期五, 3月27日（周五）, 二〇二〇年三月二十七日, 2020年03月27日 10:30, 发布时间：2020-03-28 10:30:00,
 * each optionally followed on the same line by the measure's title ("2月4日：沪外国人…").
 *
 * A date followed by a comma or a sentence is prose ("3月16日，汇集6000余家企业…"), not a date line.
 */
import { SENTENCE_END, numberingOf } from './lines.ts';
import { isFormerNote, mendedDate, withoutLeadingMark } from './marks.ts';
import { readNumberIn } from '../numerals.ts';

export interface DateLine {
  year: number | null;
  month: number;
  day: number;
  /** Text after the date on the same line: the title, when there is one. */
  rest: string;
  /** A publication stamp (发布时间：…, or a time of day): in a header it dates the bulletin, not a measure. */
  stamp: boolean;
  /** Written with a label (发布时间：, 日期：): a page's publication line rather than a measure's date. */
  labelled: boolean;
}

const CN_DIGIT: Record<string, number> = { 〇: 0, 零: 0, O: 0, o: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "二" → 2, "十二" → 12, "二十三" → 23, "7" → 7; null when no number, or a Chinese one outside 1–99. */
export function chineseNumber(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const n = readNumberIn(text, 1, 99);
  return Number.isNaN(n) ? null : n;
}

/** "二〇二〇" → 2020 (digit by digit, as years are written). */
function chineseYear(text: string): number | null {
  if (/^\d{4}$/.test(text)) return Number(text);
  const digits = [...text].map((c) => CN_DIGIT[c]);
  return digits.length === 4 && digits.every((d) => d !== undefined) ? Number(digits.join('')) : null;
}

const CN = '[〇零一二两三四五六七八九十]';
/** English month names, full or short (a bilingual edition's "April 3, 2020", "8 Apr 2020"). */
const EN_MONTH = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const monthOf = (name: string): number =>
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].indexOf(name.slice(0, 3).toLowerCase()) + 1;
/** Pictographs and symbols before a date (📅, 🗓, ◆, ▶, ★, a post's bar ▍), with their variation selector. */
const DATE_BULLET = /^(?:[\p{Extended_Pictographic}\u2580-\u25ff\u2605\u2606]\ufe0f?\s*)+/u;
const PREFIX = String.raw`(?:(?:发布|更新|信息)?(?:时间|日期)\s*[:：]\s*)`;
const OPEN = String.raw`[\[【（(「]?`;
const CLOSE = String.raw`[\]】）)」]?`;
const WEEKDAY = String.raw`(?:\s*[（(]?\s*(?:星期|周|礼拜)[一二三四五六日天]\s*[)）]?)`;
const TIME = String.raw`(?:\s*(?:上午|下午|早上|晚上|中午|凌晨)?\s*\d{1,2}:\d{2}(?::\d{2})?)`;
/** After the date: weekday, time, a closing bracket, then a colon or space and maybe the title. */
const TAIL = String.raw`(${WEEKDAY}?)(${TIME}?)\s*${CLOSE}\s*(?:[:：丨｜|]\s*)?`;

const SHAPES: { re: RegExp; read: (m: RegExpExecArray) => [number | null, number | null, number | null] }[] = [
  // 2020年3月27日, 3月27日, 2020年03月27日 10:30
  {
    re: new RegExp(String.raw`^${PREFIX}?${OPEN}\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]${TAIL}`),
    read: (m) => [m[1] ? Number(m[1]) : null, Number(m[2]), Number(m[3])],
  },
  // 二〇二〇年三月二十七日, 三月二十七日
  {
    re: new RegExp(String.raw`^${PREFIX}?${OPEN}\s*(?:(${CN}{4})\s*年\s*)?(${CN}{1,3})\s*月\s*(${CN}{1,3})\s*[日号]${TAIL}`),
    read: (m) => [m[1] ? chineseYear(m[1]) : null, chineseNumber(m[2]!), chineseNumber(m[3]!)],
  },
  // 2020-03-28, 2020/3/28, 2020.3.16, 发布时间：2020-03-28 10:30:00
  {
    re: new RegExp(String.raw`^${PREFIX}?${OPEN}\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)${TAIL}`),
    read: (m) => [Number(m[1]), Number(m[2]), Number(m[3])],
  },
  // April 3, 2020 / Apr. 3 / 3 April 2020 / 8 Apr 2020 (a bilingual edition's dates)
  {
    re: new RegExp(
      String.raw`^${PREFIX}?${OPEN}\s*(?:${EN_MONTH}\.?\s+(\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})\s+${EN_MONTH}\.?)(?:,?\s+(\d{4}))?${TAIL}`,
      'i',
    ),
    read: (m) => [m[5] ? Number(m[5]) : null, monthOf(m[1] ?? m[4]!), Number(m[2] ?? m[3])],
  },
  // 2/18, 3.27, 04-08 (month first, as Chinese writes it): only with nothing, a weekday or a separated title after.
  // (Kept last.) "4-25 09:12" is a post's timestamp, never a measure's date.
  {
    re: new RegExp(String.raw`^${PREFIX}?${OPEN}\s*(\d{1,2})\s*([/.]|-(?!\d{1,2}${TIME}))\s*(\d{1,2})(?![\d%.-])${TAIL}`),
    read: (m) => [null, Number(m[1]), Number(m[3])],
  },
];

/** Numbering of a list inside a measure ("（1）", "①"), not of the bulletin's own list of measures. */
const SUB_ITEM: readonly string[] = ['paren-arabic', 'circled'];

function valid(month: number | null, day: number | null): boolean {
  return month !== null && day !== null && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** The date a line starts with, if the line is a date line (alone, or followed by a title). */
export function readDateLine(form: string): DateLine | null {
  // A date may carry list numbering or a markdown list dash: "1. 3月27日", "- 3月27日".
  // …or an emoji or symbol bullet, as WeChat posts put them: "📅 3月28日", "◆ 3月28日".
  // …or an editor's mark ("【更正】4月2日"), and a scan's OCR slips in it ("2月l8曰").
  const text = mendedDate(withoutLeadingMark((numberingOf(form)?.rest ?? form).replace(/^[-*+]\s+/, '').replace(DATE_BULLET, '')));
  for (const { re, read } of SHAPES) {
    const m = re.exec(text);
    if (!m) continue;
    const [year, month, day] = read(m);
    if (!valid(month, day)) return null;
    const matched = m[0];
    // "4月2日（原误作4月3日）": what a corrected date said before is no title.
    const after = text.slice(matched.length).trim();
    const rest = isFormerNote(after) ? '' : after;
    const separated =
      rest === '' ||
      /[:：丨｜|\s】）)\]」]$/.test(matched) ||
      /^[\s【（(]/.test(text.slice(matched.length)) ||
      (re === SHAPES[SHAPES.length - 1]!.re && /^[「“《]/.test(text.slice(matched.length)));
    // "3月16日，汇集…" and "3月16日起" are prose that starts with a date.
    if (rest !== '' && (!separated || /^[，,。、的起至到前后以来]/.test(rest) || (SENTENCE_END.test(rest) && rest.length > 60)))
      return null;
    // "（1）5月6日：高一、高二年级；" is an item of a measure's own list (a schedule), not a measure: a title never
    // ends with "；", nor with "。" under a sub-list's numbering.
    if (/[;；]$/.test(rest) || (/。$/.test(rest) && SUB_ITEM.includes(numberingOf(form)?.kind ?? 'arabic'))) return null;
    // The short M/D and M.D shapes need the line to be only the date (or a clearly separated title).
    // ("4.3【市公安局】标题", "4.14《方案》发布": a bracket or a quote right after it separates it too.)
    if (re === SHAPES[SHAPES.length - 1]!.re && rest !== '' && !/[:：|丨｜\s]$/.test(matched) && !/^[【[「“《]/.test(rest)) return null;
    const labelled = /(?:时间|日期)\s*[:：]/.test(matched);
    const stamp = labelled || m.slice(1).some((g) => g !== undefined && /\d:\d/.test(g));
    return { year, month: month!, day: day!, rest, stamp, labelled };
  }
  // A Word report writes the date after the title, in brackets: "阶段性减免企业社会保险费（2020年3月28日）".
  const after = TRAILING_DATE.exec(text);
  if (after) {
    const [, title, y, mo, d] = after;
    const [year, month, day] = [y ? Number(y) : null, Number(mo), Number(d)];
    if (valid(month, day)) return { year, month, day, rest: title!.trim(), stamp: false, labelled: false };
  }
  return null;
}

/** A title then its date in brackets, at the end of the line (the title at least 6 characters, not a sentence). */
const TRAILING_DATE = /^([^。；;]{6,}?)\s*[（(]\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]\s*[）)]\s*$/;

/** Something that starts like a date but is not one we can use (2月30日 is caught later; 13月5日 here). */
export function looksLikeDate(form: string): boolean {
  return (
    /^\s*[[【（(]?\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]?\s*[\]】）)]?\s*$/.test(form) ||
    /^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*$/.test(form)
  );
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether the calendar has this day (2月30日 does not; 2月29日 only in leap years). */
export function realDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A date written anywhere in a line (as-of and publisher lines): the first one, in any shape above. */
export function findDate(form: string): { year: number | null; month: number; day: number } | null {
  const re = new RegExp(
    String.raw`(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)|(?:(${CN}{4})\s*年\s*)?(${CN}{1,3})\s*月\s*(${CN}{1,3})\s*[日号]`,
  );
  const m = re.exec(mendedDate(form));
  if (!m) return null;
  if (m[2]) return valid(Number(m[2]), Number(m[3])) ? { year: m[1] ? Number(m[1]) : null, month: Number(m[2]), day: Number(m[3]) } : null;
  if (m[4]) return valid(Number(m[5]), Number(m[6])) ? { year: Number(m[4]), month: Number(m[5]), day: Number(m[6]) } : null;
  const month = chineseNumber(m[8]!);
  const day = chineseNumber(m[9]!);
  return valid(month, day) ? { year: m[7] ? chineseYear(m[7]) : null, month: month!, day: day! } : null;
}

/**
 * Starts like a measure's date line in a shape we do not read ("4·3 【市公安局】标题"): a date, then a title
 * after a space or a bracket, no time of day and no prose ("3月16日，…", "4月1日起"). Asked of the header's lines,
 * which are otherwise read for nothing.
 */
export function looksLikeDatedTitle(form: string): boolean {
  const text = (numberingOf(form)?.rest ?? form).replace(/^[-*+]\s+/, '').replace(DATE_BULLET, '');
  const m = /^[[【（(]?\s*(?:\d{1,2}\s*[./·-]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*[日号])\s*[\]】）)]?(?=[\s【[「“《])\s*(\S.{5,})$/.exec(
    text,
  );
  return !!m && !/\d:\d/.test(form) && !/^[，,。、的起至到前后以来]/.test(m[1]!) && !SENTENCE_END.test(m[1]!);
}

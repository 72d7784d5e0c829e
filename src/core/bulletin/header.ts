/**
 * A bulletin's header: its title (the first line naming a series or an as-of date, else the first line: copies
 * carry lines above it — a WeChat 原创 line, a site's breadcrumbs, an email's headers), series (系列二), as-of
 * date (截止至3月26日, in the title or a header line after it), publisher (a short line after the title) and
 * publication date (发布时间：… or a date on the publisher line; else a labelled or stamped date, or a short line
 * ending with a dated stamp, near the title: 发送时间：2020年5月15日, "原创 作者 2020-04-10"). Prose in the header
 * is read for nothing.
 */
import { chineseNumber, findDate, readDateLine } from './dates.ts';
import type { Line } from './lines.ts';
import { SENTENCE_END } from './lines.ts';
import type { HeaderDates } from './years.ts';

export interface Header extends HeaderDates {
  title: string;
  series: number | null;
  publisher: string | null;
}

const AS_OF = /(?:截止|截至|截止至|截止到|截至到|更新至|更新到)\s*(?:至|到)?\s*[:：]?\s*/;
const SERIES = /(?:系列|第)\s*([一二两三四五六七八九十\d]+)\s*(?:期|辑)?/;

/** A short line ending with a date (and maybe a time): a publisher's or a post's stamp. */
const TAIL_DATE = /\s((?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/;

const AS_OF_ALL = new RegExp(AS_OF.source, 'g');

/**
 * The as-of date a line states (截止至5月15日), read right after the phrase: in a covering note's "更新到库里。
 * 这期…7月13日那条" the date belongs to the prose, not to 更新到.
 */
function asOfDate(form: string): ReturnType<typeof findDate> {
  for (const m of form.matchAll(AS_OF_ALL)) {
    const after = form.slice(m.index + m[0].length);
    if (/^[\d〇零一二两三四五六七八九十]/.test(after)) {
      const d = findDate(after);
      if (d) return d;
    }
  }
  return null;
}

/** A line stating an as-of date (截止至5月15日): the bulletin's title or a header line. */
export function statesAsOf(form: string): boolean {
  return AS_OF.test(form) && asOfDate(form) !== null;
}

export function readHeader(lines: Line[]): Header {
  const head = lines.filter((l) => !l.rule);
  // The title: the first line with an as-of date, else the first naming a series that is not a sentence, else line 1.
  const near = head.slice(0, 16);
  const asOfAt = near.findIndex((l) => statesAsOf(l.form));
  const seriesAt = near.findIndex((l) => /系列\s*[一二两三四五六七八九十\d]/.test(l.form) && !/[。！？]/.test(l.form));
  const at = Math.max(0, asOfAt !== -1 ? asOfAt : seriesAt);
  const titleLine = head[at];
  const title = titleLine ? titleLine.text.replace(/^#+\s*/, '') : '';
  const form = titleLine?.form ?? '';
  const series = /系列\s*([一二两三四五六七八九十\d]+)/.exec(form) ?? SERIES.exec(form);

  let asOf: Header['asOf'] = null;
  for (const l of head.slice(at, at + 6)) {
    asOf = asOfDate(l.form);
    if (asOf) break;
  }

  let published: Header['published'] = null;
  let publisher: string | null = null;
  for (const l of head.slice(at + 1, at + 6)) {
    if (AS_OF.test(l.form)) continue;
    const d = readDateLine(l.form);
    if (d && !d.rest) {
      published ??= { year: d.year, month: d.month, day: d.day };
      continue;
    }
    // "上海市质协用户评价中心舆情分析 2020-03-28": a publisher line may end with its date.
    const tail = TAIL_DATE.exec(l.form);
    const name = tail ? l.text.slice(0, l.text.length - (l.form.length - tail.index)).trim() : l.text;
    if (publisher === null && name.length <= 40 && !SENTENCE_END.test(name) && !/[，。]/.test(name)) {
      publisher = name.replace(/^原创\s*/, '') || null;
      if (tail) published ??= findDate(tail[1]!);
    }
    break;
  }
  // No date by the title: one with its year in the lines above it or just below (发送时间：…, 原创 … 2020-04-10).
  if (!published?.year) {
    for (const l of [...head.slice(0, at), ...head.slice(at + 1, at + 12)]) {
      if (AS_OF.test(l.form)) continue;
      const d = readDateLine(l.form);
      const tail = d ? null : TAIL_DATE.exec(l.form);
      // "发布时间：2020-04-24 10:32 来源：…": a labelled date anywhere on the line.
      const label = d ? null : /(?:时间|日期)\s*[:：]\s*/.exec(l.form);
      const stamped =
        d && d.year !== null && (d.labelled || d.stamp || !d.rest)
          ? d
          : tail && l.form.length <= 60
            ? findDate(tail[1]!)
            : label
              ? findDate(l.form.slice(label.index + label[0].length))
              : null;
      if (stamped?.year) {
        published = { year: stamped.year, month: stamped.month, day: stamped.day };
        break;
      }
    }
  }
  const titleYear = /((?:19|20)\d{2})\s*年/.exec(form);
  return {
    title,
    series: series ? chineseNumber(series[1]!) : null,
    asOf,
    published,
    publisher,
    titleYear: titleYear ? Number(titleYear[1]) : null,
  };
}

/** A signature's labels: who edited, drew up or checked the copy (编辑：…, 制表：…), or the end mark (本期完). */
const SIGNED = /(?:编辑|制表|审核|整理|编制|供稿|责编|校对|签发|填表人?)\s*[:：]|本期完|（完）|\(完\)/;

/**
 * The date the copy is signed with at its end ("（本期完）编辑：… 2020年11月30日", "制表：… 2020年12月28日", or a
 * date alone on one of the last lines), with its year; null when none of the last four lines is such.
 */
export function signedDate(lines: readonly Line[]): { year: number; month: number; day: number } | null {
  for (const l of lines.slice(-4).reverse()) {
    if (l.form.length > 80) continue;
    const d = findDate(l.form);
    if (!d?.year) continue;
    const alone = readDateLine(l.form);
    if (SIGNED.test(l.form) || (alone && !alone.rest)) return { year: d.year, month: d.month, day: d.day };
  }
  return null;
}

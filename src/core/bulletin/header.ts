/**
 * A bulletin's header: its title (first line), series (系列二), as-of date (截止至3月26日, in the title or any
 * header line), publisher (a short line after the title) and publication date (发布时间：… or a date on the
 * publisher line). Prose in the header is read for nothing.
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

export function readHeader(head: Line[]): Header {
  const titleLine = head[0];
  const title = titleLine ? titleLine.text.replace(/^#+\s*/, '') : '';
  const form = titleLine?.form ?? '';
  const series = /系列\s*([一二两三四五六七八九十\d]+)/.exec(form) ?? SERIES.exec(form);

  let asOf: Header['asOf'] = null;
  for (const l of head.slice(0, 6)) {
    const m = AS_OF.exec(l.form);
    if (m) {
      asOf = findDate(l.form.slice(m.index + m[0].length));
      if (asOf) break;
    }
  }

  let published: Header['published'] = null;
  let publisher: string | null = null;
  for (const l of head.slice(1, 6)) {
    if (AS_OF.test(l.form)) continue;
    const d = readDateLine(l.form);
    if (d && !d.rest) {
      published ??= { year: d.year, month: d.month, day: d.day };
      continue;
    }
    // "上海市质协用户评价中心舆情分析 2020-03-28": a publisher line may end with its date.
    const tail = /\s((?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(l.form);
    const name = tail ? l.text.slice(0, l.text.length - (l.form.length - tail.index)).trim() : l.text;
    if (publisher === null && name.length <= 40 && !SENTENCE_END.test(name) && !/[，。]/.test(name)) {
      publisher = name.replace(/^原创\s*/, '') || null;
      if (tail) published ??= findDate(tail[1]!);
    }
    break;
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

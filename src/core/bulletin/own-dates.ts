/**
 * Dates that belong to the copy itself, never to a measure: the line's own shape, or the line after it, says so.
 * An email's header (发送时间：…), a newsletter's date above its salutation (各位会员：), a report's cover date above
 * its table of contents, a page's labels on one line (发布日期：… 信息来源：… 浏览次数：…).
 */
import type { DateLine } from './dates.ts';

/** An email's own header line. */
const MAIL_SENT = /^(?:发送时间|发件时间|发送日期)\s*[:：]/;
/** A newsletter's or letter's salutation under its date (各位会员：, 尊敬的会员企业：, 敬啟者：): the date is the letter's. */
const SALUTATION =
  /^(?:(?:各位|尊敬的|亲爱的|全体)[^，。,]{0,12}|[^，。,\s]{0,8}(?:会员|会员单位|会员企业|同仁|同事|朋友)们?|敬启者)\s*[:：]$/;
/** A report's table of contents or foreword heading. */
const FRONT_MATTER = /^(?:目\s*录|前\s*言|contents|foreword)$/i;
/** A label after a labelled date on the same line (信息来源：): a page's own fields, not a title. */
const NEXT_LABEL = /^[\u4e00-\u9fff]{2,6}\s*[:：]/;

/** Whether the date `d`, read on a line of form `form`, with `next` the line after it, dates the copy itself. */
export function datesTheCopy(d: DateLine, form: string, next: string | undefined): boolean {
  if (MAIL_SENT.test(form)) return true;
  if (!d.rest && SALUTATION.test(next ?? '')) return true;
  if (FRONT_MATTER.test(next ?? '')) return true;
  return d.labelled && NEXT_LABEL.test(d.rest);
}

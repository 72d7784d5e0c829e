/**
 * Word reports write a measure's date after its title, and wrap long titles onto a second line:
 *   "4. 本市出台稳就业若干政策措施，" / "加大援企稳岗力度（2020年4月21日）"   (the date in brackets at the end)
 *   "1. 本市货运车辆通行证“一网通办”，保障复工物资运输" / "发布日期：2020年4月2日"   (a dated line under the title)
 * The parser reads a date, then its title. Before it does, such a title is joined into one line and its date
 * put first, so it reads them like any other measure. Only a numbered title qualifies (a report's list), and
 * a wrap only when the line before does not end a sentence ("1.⇥标题", Word's numbering with a tab, counts as
 * numbered, not as table cells). Line numbers stay those of the text as given.
 */
import { ASIDE, numberingOf, SENTENCE_END } from './lines.ts';
import type { Line } from './lines.ts';
import type { DateLine } from './dates.ts';
import { readIssuerLine, startsAsSource } from './sources.ts';

/** A date in brackets at the end of a line. */
const DATE_AT_END = /[（(]\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]\s*[）)]\s*$/;
/** "发布日期：" before a date. */
const LABEL = /^\s*(?:发布|更新|信息)?(?:时间|日期)\s*[:：]\s*/;
/** A wrapped title's second line is short: Word wraps at a page's width. */
const MAX_WRAP = 30;

export function inReadingOrder(lines: readonly Line[], dateOf: (l: Line) => DateLine | null): Line[] {
  const out: Line[] = [];
  const join = (a: Line, b: Line): Line => ({ ...a, text: a.text + b.text, form: a.form + b.form });
  // A numbered line that is no date itself and does not end a sentence: a title that may go on.
  const openTitle = (l: Line | undefined): boolean => !!l && numberingOf(l.form) !== null && !dateOf(l) && !SENTENCE_END.test(l.form);
  const wrap = (l: Line | undefined): l is Line =>
    !!l &&
    !l.cells &&
    !l.rule &&
    numberingOf(l.form) === null &&
    !dateOf(l) &&
    !startsAsSource(l.form) &&
    !ASIDE.test(l.form) &&
    readIssuerLine(l.form) === null &&
    [...l.text].length <= MAX_WRAP &&
    !SENTENCE_END.test(l.form);

  // What follows a title: its body (a sentence, or a long line) or its 来源; or nothing.
  const prose = (l: Line | undefined): boolean => !l || /[。；;！!]$/.test(l.form) || [...l.text].length > 40 || startsAsSource(l.form);

  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const d = dateOf(l);
    // "4. 标题前半，" + "标题后半（2020年4月21日）": one line.
    if (d && d.rest && DATE_AT_END.test(l.form) && !numberingOf(l.form) && out.length > 0) {
      const prev = out[out.length - 1]!;
      if (openTitle(prev) || (numberingOf(prev.form) !== null && !dateOf(prev) && /[，,、]$/.test(prev.form))) {
        out[out.length - 1] = join(prev, l);
        continue;
      }
    }
    // "1. 3月16日：标题前半" + "标题后半" + its body: one line.
    if (d && d.rest && numberingOf(l.form) !== null && !SENTENCE_END.test(l.form) && wrap(lines[i + 1]) && prose(lines[i + 2])) {
      out.push(join(l, lines[i + 1]!));
      i++;
      continue;
    }
    // "1. 标题" (+ "标题后半") + "发布日期：2020年4月2日": the date first (without its label, which would make
    // it read as the bulletin's own stamp), then the title as one line.
    if (d && d.labelled && !d.rest) {
      const unlabelled = (x: Line): Line => ({ ...x, text: x.text.replace(LABEL, ''), form: x.form.replace(LABEL, '') });
      // A "发布单位：…" line between the title and its date stays after the title.
      const issuers: Line[] = [];
      while (out.length > 1 && readIssuerLine(out[out.length - 1]!.form) !== null) issuers.unshift(out.pop()!);
      const one = out[out.length - 1];
      const two = out[out.length - 2];
      if (wrap(one) && two && numberingOf(two.form) !== null && !dateOf(two)) {
        out.splice(out.length - 2, 2, unlabelled(l), join(two, one), ...issuers);
        continue;
      }
      if (one && numberingOf(one.form) !== null && !dateOf(one)) {
        out.splice(out.length - 1, 1, unlabelled(l), one, ...issuers);
        continue;
      }
      out.push(...issuers);
    }
    out.push(l);
  }
  return out;
}

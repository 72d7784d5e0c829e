/**
 * An editor's marks on a reissued or corrected bulletin, which are no part of a measure's title or date:
 *   【更正】 / 【补发】 / 【新增】 before a title, a date or a body line;
 *   （补发） / （更正） / （新增） after a title;
 *   （原误作4月3日） / （原为…） after a corrected date or title: what the text said before, not what it says;
 * and a scan's OCR slips in a date: 曰 for 日, l or I for 1, O or o for 0 ("2月l8曰", "4月1O日", "2O2O年").
 */

const MARK = '(?:已|已经)?(?:更正|勘误|订正|修订|更新|补发|补充|新增|重发|补录|撤回)';
/** A mark at the start of a line: "【更正】", "[补发]". */
const LEADING_MARK = new RegExp(String.raw`^\s*(?:[【[〔（(]\s*${MARK}\s*[】\]〕)）]\s*)+`);
/** A mark at the end of a title: "（补发）", "【新增】". */
const TRAILING_MARK = new RegExp(String.raw`\s*(?:[（(【[〔]\s*${MARK}\s*[)）】\]〕]\s*)+$`);
/** What the text said before a correction: "（原误作4月3日）", "（原为市民政局）", "（原标题：…）". */
const FORMER = /\s*[（(]\s*原(?:误作|误为|为|作|写作|标题|题目|日期)[^（()）]*[)）]\s*/g;

/** A line without an editor's mark at its start: "【更正】4月2日" → "4月2日". */
export function withoutLeadingMark(text: string): string {
  return text.replace(LEADING_MARK, '');
}

/** A title without the marks of a corrected or reissued bulletin around it and without what it said before. */
export function withoutMarks(title: string): string {
  const t = withoutLeadingMark(title).replace(FORMER, '').replace(TRAILING_MARK, '').trim();
  return t === '' ? title : t;
}

/** Only the note of what a corrected text said before ("（原误作4月3日）"), nothing else. */
export function isFormerNote(text: string): boolean {
  return text.trim() !== '' && text.replace(FORMER, '').trim() === '';
}

/** A slip next to a date's characters (asked of every line: the mending itself only where there is one). */
const SLIPS = /[lIOo][\dlIOo]*\s*[年月日曰号]|曰|[lIO][\dlIO]*[-/.]|[-/.]\d*[lIO]/;

/**
 * A date's OCR slips mended: in a run of digits that ends at 年/月/日, l and I are 1 and O and o are 0; 曰 after
 * a day is 日. Only next to those characters (so "Oct 1" and words stay as they are); the length never changes.
 */
export function mendedDate(text: string): string {
  if (!SLIPS.test(text)) return text;
  return (
    text
      .replace(/(^|[^A-Za-z])([\dlIOo]{1,4})(?=\s*[年月日曰号])/g, (all, before: string, run: string) =>
        /\d/.test(run) || /[年月]\s*$/.test(before) || /[年月]$/.test(before)
          ? before + run.replace(/[lI]/g, '1').replace(/[Oo]/g, '0')
          : all,
      )
      .replace(/(\d\s*)曰/g, '$1日')
      // "2O2O-O4-O8", "2020.O4.l6": a dashed or dotted date with most of its characters digits.
      .replace(
        /(^|[^A-Za-z\d])([\dlIO]{4})([-/.])([\dlIO]{1,2})\3([\dlIO]{1,2})(?![A-Za-z\d])/g,
        (all, before: string, y: string, sep: string, m: string, d: string) =>
          (y + m + d).replace(/\D/g, '').length >= 3
            ? before + [y, m, d].map((p) => p.replace(/[lI]/g, '1').replace(/O/g, '0')).join(sep)
            : all,
      )
  );
}

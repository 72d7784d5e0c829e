/**
 * Text taken out of a PDF (or another page-laid-out file) is broken at a fixed width, in the middle of
 * titles and sentences, with blank lines between paragraphs; and it may space out a heading's characters
 * ("上 海 市 公 安 局"). Read line by line, every broken-off piece of a title would be a measure of its own.
 *
 * The rule: characters spaced one by one are put together, always. And when the text is wrapped at a width —
 * at least MIN_WRAPPED long lines (LONG characters or more) of one length (±1) end mid-sentence and go on in
 * the next line of the same paragraph, and a blank line follows nearly every date line (paragraphs) — a line that
 * ends mid-sentence is joined with the next line of its paragraph, unless that line starts something of its own
 * (a date, a 来源, a list item, an agency's name). Text that is not wrapped is
 * left as it is: there a title and its body follow each other without a blank line.
 */
import type { DateLine } from './dates.ts';
import { numberingOf } from './lines.ts';
import type { Line } from './lines.ts';
import { startsAsSource } from './sources.ts';

/** Wrapped lines needed before a text is read as wrapped. */
const MIN_WRAPPED = 5;
/** A line this long that ends mid-sentence is a wrapped line. */
const LONG = 20;
/** What ends a sentence (a line ending so is not wrapped). */
const ENDS = /[。！？；;!?：:）)」』”"》】]$/;
/** Han characters spaced one by one: "上 海 市 公 安 局". */
const SPACED = /^(?:[\u3400-\u9fff][ \u3000]){2,}[\u3400-\u9fff]$/;

export function unwrapped(lines: readonly Line[], starts: (l: Line) => boolean, dateOf: (l: Line) => DateLine | null): Line[] {
  const put = lines.map((l) =>
    SPACED.test(l.text) ? { ...l, text: l.text.replace(/[ \u3000]/g, ''), form: l.form.replace(/[ \u3000]/g, '') } : l,
  );
  // Lines of one paragraph follow each other in the text (a blank line between paragraphs leaves a gap).
  const goesOn = (i: number) => i + 1 < put.length && put[i + 1]!.no === put[i]!.no + 1;
  const open = (l: Line) => !l.cells && !l.rule && !ENDS.test(l.form) && !dateOf(l);
  const own = (l: Line) => !!l.rule || !!dateOf(l) || numberingOf(l.form) !== null || startsAsSource(l.form) || starts(l);
  // Wrapped at a width: MIN_WRAPPED long lines ending mid-sentence, of one length (±1), that go on in the next line.
  const widths = new Map<number, number>();
  for (let i = 0; i < put.length; i++) {
    const n = [...put[i]!.text].length;
    if (n >= LONG && open(put[i]!) && goesOn(i) && !own(put[i + 1]!)) widths.set(n, (widths.get(n) ?? 0) + 1);
  }
  let width = 0;
  let atWidth = 0;
  for (const n of widths.keys()) {
    const c = (widths.get(n - 1) ?? 0) + widths.get(n)! + (widths.get(n + 1) ?? 0);
    if (c > atWidth) [width, atWidth] = [n, c];
  }
  if (atWidth >= MIN_WRAPPED - 2 && solid(put, width)) return unwrappedSolid(put, width, open, own, dateOf);
  if (atWidth < MIN_WRAPPED) return put;
  // A line full to the width that ends with a closing quote ("…开展“一户一策”") was broken there by the width,
  // not by the writer: it goes on too.
  const full = (l: Line) => /[”」』》）)"]$/.test(l.form) && Math.abs([...l.text].length - width) <= 1;
  // …and laid out in paragraphs: a blank line after (nearly) every date line, so that a title's lines are not
  // followed by its body in the same paragraph (an email wrapped at a width keeps title and body together).
  const dated = put.map((l, i) => (dateOf(l) ? i : -1)).filter((i) => i !== -1);
  if (dated.length === 0 || dated.filter((i) => !goesOn(i)).length < 0.8 * dated.length) return put;

  const out: Line[] = [];
  for (let i = 0; i < put.length; i++) {
    let l = put[i]!;
    while ((open(l) || (full(put[i]!) && !dateOf(l))) && goesOn(i) && !own(put[i + 1]!)) {
      const next = put[++i]!;
      l = { ...l, text: l.text + next.text, form: l.form + next.form };
    }
    out.push(l);
  }
  return out;
}

/** Short: the tail of a title broken mid-phrase ("客流压力", "以上可不戴口罩"), no sentence of its own. */
const TAIL = 8;
const PUNCT = /[，,。、；;：:！!？?]/;

/**
 * A PDF's text copied with no blank line at all (a gap only where page furniture went): paragraphs cannot tell a wrap from a title over its body. It is
 * read as wrapped at `width` when (nearly) no line is longer than that width: its prose lines are full.
 */
function solid(lines: readonly Line[], width: number): boolean {
  const gaps = lines.filter((l, i) => i > 0 && l.no !== lines[i - 1]!.no + 1).length;
  const longer = lines.filter((l) => [...l.text.trim()].length > width + 1).length;
  return gaps <= lines.length * 0.1 && longer <= 1;
}

/**
 * In such a text a line that reaches the width and ends mid-sentence goes on in the next; and a line that ends
 * mid-phrase goes on in a short next line that is not a sentence and starts nothing of its own (a title broken
 * in two: "本市中小学分批错峰开学，初三高三学生" / "首批返校"). Several full titles under one date stay apart: a title
 * is longer than TAIL, and a short line before a date is an agency's heading.
 */
function unwrappedSolid(
  put: readonly Line[],
  width: number,
  open: (l: Line) => boolean,
  own: (l: Line) => boolean,
  dateOf: (l: Line) => DateLine | null,
): Line[] {
  const len = (l: Line) => [...l.text.trim()].length;
  const tail = (a: Line, i: number) => {
    const b = put[i]!;
    const after = put[i + 1];
    return (
      len(a) >= TAIL + 4 && len(b) <= TAIL && 2 * len(b) <= len(a) && !PUNCT.test(b.form) && !ENDS.test(b.form) && !(after && dateOf(after))
    );
  };
  const out: Line[] = [];
  for (let i = 0; i < put.length; i++) {
    let l = put[i]!;
    while (open(l) && i + 1 < put.length && !own(put[i + 1]!) && !own(l) && (len(put[i]!) >= width - 1 || tail(l, i + 1))) {
      const next = put[++i]!;
      l = { ...l, text: l.text + next.text, form: l.form + next.form };
    }
    out.push(l);
  }
  return out;
}

/**
 * A Word document pasted as text with its review markup and apparatus showing:
 *   - the balloons of tracked changes and comments, pasted as lines of their own ("已删除: 3月17日", "已插入: …",
 *     "带格式的: 缩进…", "批注 [WF1]: 王芳：…", English Word's "Deleted:", "Formatted:", "Commented [WF1]:"): never
 *     the document's text (a deleted date is no date); each is a warning with its line;
 *   - comments pasted at the end with their mark ("[WF1]王芳：…"): warnings too;
 *   - comment anchors glued to the text they mark ("…扩围[WF1]"), when the comment itself is there: taken off;
 *   - footnote markers ("…若干措施[1]") when the notes ("[1] 文号：…") are there: taken off (the notes are text
 *     after the last measure, said as such);
 *   - a table of contents under 目录 ("一、市发展改革委⇥1", "二、市生态环境局……2"): one warning, not read (its
 *     headings come again in the text).
 */
import type { Line } from './lines.ts';
import { formOf } from './lines.ts';

const BALLOON =
  /^(?:已删除|已插入|删除的内容|插入的内容|带格式的|带格式表格|已设置格式|格式已更改|已移动\s*[(（]?(?:从|到)?[)）]?|批注\s*\[([^\]\s]{1,12})\]|deleted|inserted|formatted(?:\s+table)?|moved\s*\((?:from|to)\)|commented\s*\[([^\]\s]{1,12})\])\s*[:：]/i;
/** A comment as Word pastes it at the end of the text: its mark (initials and a number), then the comment: "[WF1]王芳：…". */
const COMMENT_LINE = /^\[([A-Za-z]{1,4}\d{1,3})\]\s*\S/;
/** A footnote or endnote at the foot: "[1] 文号：…". */
const NOTE = /^\[(\d{1,3})\]\s*\S/;
const CONTENTS = /^目\s*录$|^contents$/i;
/** A contents line: a heading, then its page number after a tab or a dot leader. */
const CONTENTS_LINE = /(?:\.{3,}|…{2,}|·{3,}|-{3,})\s*\d{1,3}$/;

export function withoutReviewMarkup(lines: Line[], warn: (line: number, message: string) => void): Line[] {
  const comments = new Set<string>();
  let balloons = 0;
  for (const l of lines) {
    const m = BALLOON.exec(l.form);
    if (!m) continue;
    balloons++;
    const id = m[1] ?? m[2];
    if (id) comments.add(id);
  }
  // A comment at the end counts only when its mark is also in the text ("…扩围[WF1]").
  const anchored = (id: string) => lines.some((l) => l.text.indexOf(`[${id}]`) > 0);
  const isComment = (l: Line) => {
    const id = COMMENT_LINE.exec(l.form)?.[1];
    return !!id && (comments.has(id) || anchored(id));
  };
  for (const l of lines)
    if (isComment(l)) {
      balloons++;
      comments.add(COMMENT_LINE.exec(l.form)![1]!);
    }
  const notes = new Set(lines.flatMap((l) => NOTE.exec(l.form)?.[1] ?? []));
  const contentsAt = lines.findIndex((l) => CONTENTS.test(l.form.replace(/\s+/g, '')));
  if (balloons === 0 && notes.size === 0 && contentsAt === -1) return lines;

  const out: Line[] = [];
  const contents: Line[] = [];
  lines.forEach((l, k) => {
    if (BALLOON.test(l.form) || isComment(l)) {
      warn(l.no, `Word's review markup (a tracked change or comment), not the text: "${l.text.slice(0, 40)}"; not read`);
      return;
    }
    // The table of contents: the lines right after 目录 that end in a page number.
    if (contentsAt !== -1 && k > contentsAt && k === contentsAt + 1 + contents.length && isContentsLine(l)) {
      contents.push(l);
      return;
    }
    const text = withoutAnchors(l.text, comments, notes, NOTE.test(l.form));
    out.push(text === l.text ? l : { ...l, text, form: formOf(text) });
  });
  if (contents.length > 0) {
    out.splice(out.indexOf(lines[contentsAt]!), 1);
    warn(
      lines[contentsAt]!.no,
      `a table of contents (lines ${lines[contentsAt]!.no}–${contents.at(-1)!.no}): not read, its headings come again below`,
    );
  }
  return out;
}

function isContentsLine(l: Line): boolean {
  if (l.cells) {
    const filled = l.cells.filter((c) => c !== '');
    return filled.length === 2 && /^\d{1,3}$/.test(filled[1]!);
  }
  return CONTENTS_LINE.test(l.form);
}

/** A line without the comment anchors and note markers glued to its words ("若干措施[1]" → "若干措施"). */
function withoutAnchors(text: string, comments: Set<string>, notes: Set<string>, isNote: boolean): string {
  if (!text.includes('[')) return text;
  return text.replace(/\[([^\]\s]{1,12})\]/g, (whole, id: string, at: number) =>
    comments.has(id) || (notes.has(id) && !(isNote && at === 0) && at > 0) ? '' : whole,
  );
}

/**
 * A mail reply pasted whole: the bulletin sits inside the quote ("> " before every line, a bare ">" for an empty
 * one), above it the reply, its signature and the client's 发件人/发送时间 block, below it a deeper quote (">>")
 * of an older mail. The bulletin is the quote level that holds the most date lines; before the parser reads it,
 * that level loses its quote marks and every other line is left out, each run of them one warning with its
 * first line number. Line numbers stay as they were: a line left out becomes an empty one.
 */

type Warn = (line: number, message: string) => void;

/** The quote depth of a line ("> > x" and ">> x" are both 2) and its text without the marks. */
const QUOTE = /^[ \t]*((?:>[ \t]?)+)/;
const depthOf = (line: string): number => {
  if (!line.trimStart().startsWith('>')) return 0;
  const m = QUOTE.exec(line);
  return m ? (m[1]!.match(/>/g)?.length ?? 0) : 0;
};
/** A short date alone or at a line's start: 6月2日, 2020年6月2日, 2020-06-02 (cheap, for counting only). */
const DATE_LINE = /^\s*(?:\d{4}\s*[年.\-/]\s*)?\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*[日号]?\s*$/;

const MAIL_HEADER = /^(?:发件人|发送时间|发件时间|发送日期|收件人|抄送|主题|From|Sent|Date|To|Cc|Subject)\s*[:：]/i;

export function unquoted(text: string, warn: Warn): string {
  // Cheap first: a reply has quoted lines; fewer than five is a stray ">" and no mail.
  if (!text.includes('>')) return text;
  const lines = text.split('\n');
  const depths = lines.map(depthOf);
  if (depths.filter((d) => d > 0).length < 5) return text;
  const dated = new Map<number, number>();
  lines.forEach((l, i) => {
    const body = l.replace(QUOTE, '').replace(/\r$/, '');
    if (body.trim() && DATE_LINE.test(body)) dated.set(depths[i]!, (dated.get(depths[i]!) ?? 0) + 1);
  });
  let level = 0;
  for (const [d, n] of dated) if (n > (dated.get(level) ?? 0)) level = d;
  if (level === 0 || (dated.get(level) ?? 0) < 2) return text;

  const out: string[] = [];
  let run: { from: number; to: number; first: string } | null = null;
  const flush = () => {
    if (run) {
      const span = run.to > run.from ? `lines ${run.from}–${run.to}` : `line ${run.from}`;
      warn(run.from, `${span} of the mail around the quoted bulletin, not read: "${run.first.slice(0, 30)}"`);
    }
    run = null;
  };
  lines.forEach((l, i) => {
    if (depths[i] === level) {
      flush();
      out.push(l.replace(QUOTE, ''));
      return;
    }
    // Blank lines and bare quote marks are nothing to warn about.
    const body = l.replace(QUOTE, '').trim();
    // The mail's own header (发送时间：2020年5月15日) is kept: it dates the mail, and so the bulletin's year.
    if (MAIL_HEADER.test(body)) {
      flush();
      out.push(body);
      return;
    }
    if (body) {
      if (run) run.to = i + 1;
      else run = { from: i + 1, to: i + 1, first: body };
    }
    out.push('');
  });
  flush();
  return out.join('\n');
}

/**
 * A bulk SMS digest (a chamber of commerce's or an association's text message, pasted segment after segment):
 * one line per measure, its agency and date together in the bracket after the title:
 *   【浦东商会】1. 本市延长某某政策（市人社局，10月19日）
 *   2. 某某措施发布(市卫健委 11.9)(1/3)
 * The bracket is the last agency-and-date bracket on the line, after the segment marker ("(1/3)", "[2/3]") is
 * taken off; a bracket of the title's own ("“21条”（2.0版）") stays in the title. The sender's tag (【浦东商会】)
 * and the numbering go. The date may come first in the bracket ("（11.9 市卫健委）"), dotted or slashed ("11.4",
 * "11/4"). Before the parser reads it, each item becomes its date line, its title and a 发布单位 line (read as the
 * measure's own agency), closed by a rule. Lines of any other shape (the greeting, a notice, the signature) pass
 * through: the parser reads the greeting as the header and warns about the rest.
 * A text is read so only when at least two lines are such items naming an agency the directory knows.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

const DATE = String.raw`(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|(\d{1,2})\s*[./]\s*(\d{1,2})(?![\d./])`;
/** An agency's name in the bracket: Han characters, no punctuation (2 to 20). */
const NAME = String.raw`([\u3400-\u9fff]{2,20})`;
/** The segment marker at the end of a segment: (1/3), [2/3], 【3/3】. */
const SEGMENT = /\s*[（([【［]\s*\d{1,2}\s*\/\s*\d{1,2}\s*[)）\]】］]\s*$/;
/** The agency-and-date bracket at the end of the line (form: NFKC, so brackets and commas are half-width): (), 【】 or []. */
const SEP = String.raw`\s*[,、\s/|｜]\s*`;
const BRACKET = new RegExp(String.raw`[(【[]\s*(?:${NAME}${SEP}(?:${DATE})|(?:${DATE})${SEP}${NAME})\s*[)】\]]\s*$`);
/** The sender's tag and the item's number before the title: "【浦东商会】5. ", "3、", "⑤". */
const LEAD = /^(?:[【[〔［]\s*[^【】[\]〔〕［］]{2,16}?\s*[】\]〕］]\s*)?(?:[0-9０-９]{1,2}\s*[.、．)）]\s*|[①-⑳]\s*)/;

interface Item {
  title: string;
  agency: string;
  date: string;
}

function itemOf(l: Line): Item | null {
  // Cheap first: a closing bracket at the end, and a number or a circled one near the start.
  if (!/[)）\]】］]\s*$/.test(l.text)) return null;
  const form = l.form.replace(SEGMENT, '');
  const m = BRACKET.exec(form);
  if (!m || m.index === 0) return null;
  // (Read on the text as written: NFKC turns ⑤ into 5.)
  const text = l.text.replace(SEGMENT, '');
  const lead = LEAD.exec(text);
  if (!lead) return null;
  const agency = m[1] ?? m[12]!;
  const [y, mo, d] = m[1] ? [m[2], m[3] ?? m[5], m[4] ?? m[6]] : [m[7], m[8] ?? m[10], m[9] ?? m[11]];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  // The title as written: the text without what the form's lead and tail matched (NFKC keeps these lengths).
  const units = [...text];
  const tail = [...form.slice(m.index)].length;
  const title = units
    .slice([...lead[0]].length, units.length - tail)
    .join('')
    .trim();
  if (title === '') return null;
  return { title, agency, date: `${y ? `${y}年` : ''}${month}月${day}日` };
}

export function smsItems(lines: readonly Line[], isAgency: (name: string) => boolean): Line[] {
  const items = lines.map(itemOf);
  if (items.filter((it) => it !== null && isAgency(it.agency)).length < 2) return [...lines];
  const out: Line[] = [];
  const rule = (no: number): Line => ({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
  lines.forEach((l, i) => {
    const it = items[i];
    if (!it) {
      out.push(l);
      return;
    }
    out.push(madeLine(l.no, it.date), madeLine(l.no, it.title), madeLine(l.no, `发布单位：${it.agency}`), rule(l.no));
  });
  return out;
}

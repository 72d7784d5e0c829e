/**
 * Agency headings: 一、市科委 / 二、【市公安局】 / ## 上海市公安局 / （一）市民政局 / a bare agency line on a web
 * page. A heading names the agency of the measures under it until the next heading.
 */
import type { AgencyDirectory } from '../agencies.ts';
import type { Line } from './lines.ts';
import { numberingOf, withoutEmoji } from './lines.ts';

export const MAX_HEADING_CHARS = 30;
const PUNCTUATION = /[，。,;；:：!！?？《》“”"]/;

/** The heading's name without numbering, brackets or hashes: "二、【市公安局】" → "市公安局". */
export function headingName(line: Line): { name: string; marked: boolean } {
  // A post's emoji around a heading ("🏛️【市人社局】") mark it as one.
  const plain = withoutEmoji(line.text);
  let t = plain.replace(/^#+\s*/, '');
  const n = numberingOf(t);
  let marked = line.md > 0 || (plain !== line.text.trim() && plain !== '');
  if (n && n.kind !== 'arabic') {
    t = n.rest;
    marked = true;
  }
  // A section rule around the name: "━━ 市卫健委 ━━", "—— 市商务委 ——".
  const ruled = /^[━─—=═~]{2,}\s*([^━─—=═~]+?)\s*[━─—=═~]{2,}$/.exec(t);
  if (ruled) {
    t = ruled[1]!;
    marked = true;
  }
  const bracketed = /^[【[「〔]\s*(.+?)\s*[】\]」〕]$/.exec(t);
  if (bracketed) {
    t = bracketed[1]!;
    marked = true;
  }
  // An outline's node, with the count of its children: "- 市经信委（2条）", "* 浦东 (3项)".
  if (t.includes('条') || t.includes('项') || t.startsWith('-') || t.startsWith('*')) {
    t = t.replace(/^[-*+]\s+/, '').replace(/\s*[（(]\s*(?:共\s*)?\d{1,3}\s*[条项则个]\s*[)）]$/, '');
  }
  // A bilingual heading: its Chinese name ("上海市商务委员会 / Shanghai Municipal Commission of Commerce",
  // "Shanghai Customs 上海海关").
  const both =
    /^([\u3400-\u9fff（）()]+)\s*[/|｜]?\s*[A-Za-z][A-Za-z .,'’&()-]*$/.exec(t.trim()) ??
    /^[A-Za-z][A-Za-z .,'’&()-]*?\s+([\u3400-\u9fff（）()]+)$/.exec(t.trim());
  if (both) t = both[1]!;
  return { name: t.trim(), marked };
}

/** A short line with no sentence punctuation: the shape of a heading, whatever it names. */
export function headingShaped(name: string): boolean {
  return name.length > 0 && [...name].length <= MAX_HEADING_CHARS && !PUNCTUATION.test(name);
}

/** The agency a line names as a whole (exactly, by any alias), or null. */
export function knownHeading(line: Line, agencies: AgencyDirectory): string | null {
  const { name } = headingName(line);
  if (!headingShaped(name)) return null;
  // A scan's OCR puts spaces inside words ("上海市公 安局"): the name without them, when that is an agency's.
  return (
    namedAgency(name, agencies) ?? (/[\u3400-\u9fff] [\u3400-\u9fff]/.test(name) ? namedAgency(name.replace(/ /g, ''), agencies) : null)
  );
}

/** The agency a name stands for: exactly by any alias, or loosely when it ends like an agency's name (…局, …委). */
export function namedAgency(name: string, agencies: AgencyDirectory): string | null {
  return agencies.resolveExact(name) ?? (/(?:局|委|委员会|办公室|总部|海关|总队|管委会)$/.test(name) ? agencies.resolve(name) : null);
}

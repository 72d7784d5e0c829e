/**
 * 来源 lines in the shapes copies use: 来源：X, （来源：X）, 【来源】X, 【来源：X】, 信息来源：X, 文章来源：X,
 * > 来源：X, *来源：X*, "来源：X | 作者：… | 浏览次数：…", a body line ending "；来源：X", and a line that
 * is only a markdown link to the agency ([上海市公安局](https://…)).
 */
import { simplify } from '../search/normalize.ts';
import { cleanLine } from '../text.ts';
import type { Line } from './lines.ts';
import { withoutEmoji } from './lines.ts';

export interface SourceLine {
  /** The source as written, page furniture cut off ("上海市公安局"). */
  source: string;
  /** Body text before a 来源 glued to the end of a line. */
  before: string;
}

const LABEL = String.raw`(?:信息|文章|消息|新闻|稿件|内容|资料)?来\s*源`;
/** A whole line that is a 来源 line. */
const WHOLE = new RegExp(String.raw`^[\[【（(]?\s*${LABEL}\s*(?:[:：]|[\]】)）]\s*[:：]?)\s*(.*?)\s*[\]】)）]?$`);
/** A 来源 at the end of a body line: "…正文。；来源：X". */
const GLUED = new RegExp(String.raw`(?:[;；,，.。)）]\s*[（(【]?|[（(【])\s*${LABEL}\s*[:：]\s*([^:：]+?)\s*[)）】]?$`);
/** Page furniture after the source on the same line. */
const FURNITURE =
  /\s*(?:[|｜丨]|\s{2,}|(?:作者|编辑|责任编辑|浏览(?:次数)?|阅读(?:量|数)?|点击(?:量|数)?|发布(?:时间|日期)|时间|日期)\s*[:：]).*$/;

function tidy(source: string): string {
  return cleanLine(
    source
      .replace(FURNITURE, '')
      .replace(/^[【[（(]+|[】\]）)]+$/g, '')
      .replace(/[。;；,，]+$/, ''),
  );
}

/** Whether a line starts as a 来源 line does (来源：, 【来源】, 信息来源…, Source:): a cheap test for what is never a title's part. */
export function startsAsSource(form: string): boolean {
  return START.test(withoutEmoji(form));
}
const START = new RegExp(String.raw`^[\[【（(]?\s*(?:${LABEL}|source\s*[:：])`, 'i');

/** The 来源 a line gives, or null. `isNamed` says whether a bare link's text names an agency or an outlet. */
export function readSourceLine(given: Line, isNamed: (text: string) => boolean): SourceLine | null {
  // A post's emoji before the label ("🔗来源：@上海人社").
  const form = withoutEmoji(given.form);
  const line = form === given.form ? given : { ...given, text: withoutEmoji(given.text), form };
  const whole = WHOLE.exec(line.form);
  if (whole) {
    // Offsets in form and text agree except for width folding: take the source from the display text.
    // (Searched in the simplified text, unit for unit the same: a Hong Kong copy writes 來源.)
    const label = /来\s*源\s*(?:[:：]|[\]】)）]\s*[:：]?)\s*/.exec(simplify(line.text));
    const after = label
      ? line.text.slice(label.index + label[0].length)
      : line.text.slice(Math.max(0, line.text.search(/来\s*源/))).replace(/^来\s*源\s*(?:[:：]|[\]】)）]\s*[:：]?)\s*/, '');
    return { source: tidy(after), before: '' };
  }
  // A bilingual edition's "Source: Shanghai PSB".
  const english = /^\s*source\s*[:：]\s*(.+)$/i.exec(line.text);
  if (english) return { source: tidy(english[1]!), before: '' };
  const glued = GLUED.exec(line.form);
  if (glued) {
    const label = new RegExp(`${LABEL}\\s*[:：]\\s*(?!.*来\\s*源\\s*[:：])`).exec(simplify(line.text));
    const at = label?.index ?? line.text.length;
    const before = line.text.slice(0, at).replace(/[;；,，\s（(【]+$/, '');
    return { source: tidy(line.text.slice(at + (label?.[0].length ?? 0))), before };
  }
  if (line.link && isNamed(line.text)) return { source: tidy(line.text), before: '' };
  return null;
}

/** "标题（来源：市商务委）" → the title and the source, or null when the text ends in no bracketed 来源. */
export function splitTrailingSource(text: string): { before: string; source: string } | null {
  const m = new RegExp(String.raw`[（(【]\s*${LABEL}\s*[:：]\s*([^（(【】)）]+?)\s*[)）】]\s*$`).exec(text);
  if (!m || m.index === 0) return null;
  return { before: text.slice(0, m.index).trim(), source: tidy(m[1]!) };
}

/** Mentions 来源 like a source line would, but not in a shape we could read (reported, never dropped silently). */
export function looksLikeSource(form: string): boolean {
  return /^[[【（(]?\s*(?:信息|文章)?来\s*源/.test(form) && form.length <= 80;
}

/** "发布单位：市住建委、市司法局": who issued a measure. */
const ISSUER = /^(?:发布|发文|印发|出台)?(?:单位|机构|部门)\s*[:：]\s*(\S.*)$/;

/** The issuers an 发布单位 line names, as written, or null when the line is no such line. */
export function readIssuerLine(form: string): string | null {
  return ISSUER.exec(form)?.[1]?.trim() ?? null;
}

/** A joint source names several agencies: "市经信委、市科委", "市住建委 市司法局", "市商务委和市财政局". */
export function splitJoint(source: string): string[] {
  return source
    .split(/\s*(?:[、，,;；/／&＆+]|\s+|和|与|及)\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
}

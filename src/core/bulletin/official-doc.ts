/**
 * Official-document (公文) furniture around and inside a bulletin:
 *   - an OA system's processing form (收文处理单, 发文稿纸) printed with the bulletin as its 正文: the form's fields
 *     above the 正文 mark and its footer (主题词, 抄送, 印发, 流转记录) after it are not the bulletin's; each part is
 *     one warning with its lines (the form's date still dates the bulletin);
 *   - a measure's own document fields under its title (文号：… | 发文机关：… | 成文日期：…, 附件：…): its body,
 *     never a second title, and their dates are never the measure's (parse.ts asks isDocumentField).
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

/** A measure's document fields: 文号, 发文机关, 成文日期, 印发日期, 附件 … (the line starts with one). */
const FIELD =
  /^(?:文\s*号|发文字号|发文机关|成文日期|印发日期|施行日期|生效日期|实施日期|有效期|索引号|主题分类|公文种类|附\s*件\s*\d{0,2})\s*[:：]/;

/** Whether a line is a document's fields (文号：沪人社规〔2021〕2号 | 成文日期：…) rather than a title or prose. */
export function isDocumentField(form: string): boolean {
  return FIELD.test(form.trim());
}

/** The labels of an OA processing form's own fields. */
const FORM_FIELD =
  /^(?:收文编号|收文日期|来文单位|来文字号|文件标题|标\s*题|密\s*级|紧急程度|缓急|份\s*数|页\s*数|拟办意见|领导批示|批示意见|办理结果|承办部门|主送|签发人?|核稿|拟稿|发文编号|打印时间|打印人)\s*[:：]/;
/** The mark that opens the 正文: "━━━ 正文 ━━━", "【正文】", "正文：", "-----正文-----". */
const BODY_OPEN = /^[\s━—─=\-_*【[]*正\s*文(?:内容)?[\s━—─=\-_*】\]]*[:：]?$/;
/** The mark that closes it ("━━ 正文结束 ━━", "【正文完】"), or the form's footer fields. */
const BODY_CLOSE = /^[\s━—─=\-_*【[]*正\s*文\s*(?:结束|完)[\s━—─=\-_*】\]]*$/;
const FOOTER = /^(?:主\s*题\s*词|抄\s*送|流转记录|办理记录|处理记录|归档)\s*[:：]|印发\s*$/;

/**
 * The bulletin inside an OA form: the lines between its 正文 mark and the end of the 正文 (its closing mark, else the
 * form's footer). A text without a 正文 mark under at least three of the form's fields passes through as it was.
 */
export function oaFormBody(lines: Line[], warn: (line: number, message: string) => void): Line[] {
  const open = lines.findIndex((l) => BODY_OPEN.test(l.form));
  if (open < 3 || lines.slice(0, open).filter((l) => FORM_FIELD.test(l.form.replace(/\s+/g, ''))).length < 3) return lines;
  let close = lines.findIndex((l, k) => k > open && BODY_CLOSE.test(l.form));
  if (close === -1) close = lines.findIndex((l, k) => k > open && FOOTER.test(l.form));
  if (close === -1) close = lines.length;
  warn(lines[0]!.no, `an OA form's fields (lines ${lines[0]!.no}–${lines[open]!.no}) before its 正文: not read`);
  if (close < lines.length)
    warn(lines[close]!.no, `the OA form after its 正文 (lines ${lines[close]!.no}–${lines.at(-1)!.no}: 主题词, 抄送, 流转记录…): not read`);
  // The form's own date (成文日期, 收文日期, 打印时间) still dates the bulletin: its year, when the 正文 states none.
  const dated = lines.slice(0, open).find((l) => FORM_DATE.test(l.form.replace(/\s+/g, '')));
  const stamp = dated ? [madeLine(dated.no, `发布时间：${FORM_DATE.exec(dated.form.replace(/\s+/g, ''))![1]}`)] : [];
  return [...stamp, ...lines.slice(open + 1, close)];
}

const FORM_DATE = /^(?:成文日期|收文日期|发文日期|打印时间)\s*[:：]\s*(\d{4}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|-\d{1,2}-\d{1,2}))/;

/**
 * A form filled in once per measure (a DingTalk or Feishu log, a spreadsheet pasted as a list): each measure is
 * a run of labelled lines, in any order the form has them:
 *   部门：市人社局 / 日期：2020.05.06 / 标题：… / 摘要：… / 链接：https://…
 * "部门：同上" is the previous record's agency. Entries are in the order they were typed, not grouped by agency.
 * Before the parser reads it, each record becomes a date line, its title, a 发布单位 line (read as the
 * measure's own agency), its summary as a bullet and its link as body; a record is closed by a rule, so the
 * text after the last one is not read into it. A record's separator ("—— 第3条 ——") is that rule.
 */
import type { Line } from './lines.ts';
import { madeLine } from './lines.ts';

const LABEL = /^\s*([\u4e00-\u9fffA-Za-z]{2,6})\s*[:：]\s*(.*)$/;
const ROLE: Record<string, 'agency' | 'date' | 'title' | 'summary' | 'link' | 'source'> = {};
for (const k of ['部门', '单位', '发布部门', '发布单位', '发文单位', '发布机构', '责任部门', '牵头部门']) ROLE[k] = 'agency';
for (const k of ['日期', '时间', '发布日期', '发布时间', '发文日期', '出台日期']) ROLE[k] = 'date';
for (const k of ['标题', '名称', '举措', '措施', '事项', '政策名称', '文件名称', '举措名称']) ROLE[k] = 'title';
for (const k of ['摘要', '内容', '简介', '要点', '概要', '主要内容', '说明', '备注']) ROLE[k] = 'summary';
for (const k of ['链接', '网址', '原文', '原文链接', '网页', 'url', 'URL', 'link']) ROLE[k] = 'link';
for (const k of ['来源', '信息来源', '出处']) ROLE[k] = 'source';
/** The date a form's field holds: 2020.05.06, 2020.5.6, 2020-05-09, 2020/5/9, 5月4日, 5月8日（周五）. */
const DATE_VALUE =
  /^(?:(\d{4})\s*[.\-/年]\s*)?(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*[日号]?\s*(?:[（(]\s*(?:周|星期)[一二三四五六日天]\s*[）)])?$/;
const SAME_AS_ABOVE = /^(?:同上|同前|同上条|〃|")$/;
/** A record's separator: "—— 第3条 ——", "【第3条】", "No.3", "#3". */
const SEPARATOR = /^[-—─━=·\s【[]*(?:第\s*[\d一二三四五六七八九十]+\s*[条项则]|No\.?\s*\d+|#\d+)[-—─━=·\s】\]]*$/i;

type Warn = (line: number, message: string) => void;
type Field = { role: string; value: string; line: Line };

const roleOf = (l: Line): Field | null => {
  if (!(l.form.includes(':') || l.form.includes('：'))) return null;
  const m = LABEL.exec(l.text);
  const role = m ? ROLE[m[1]!] : undefined;
  return role ? { role, value: m![2]!.trim(), line: l } : null;
};

export function labelledRecords(lines: readonly Line[], warn: Warn): Line[] {
  // Runs of labelled lines holding both a date and a title; a form has at least two.
  const runs: { from: number; to: number; fields: Field[] }[] = [];
  for (let i = 0; i < lines.length;) {
    const f = roleOf(lines[i]!);
    if (!f) {
      i++;
      continue;
    }
    const fields: Field[] = [f];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const g = roleOf(lines[j]!);
      // A role met again opens the next record.
      if (!g || fields.some((x) => x.role === g.role)) break;
      fields.push(g);
    }
    if (fields.some((x) => x.role === 'date') && fields.some((x) => x.role === 'title')) runs.push({ from: i, to: j, fields });
    i = j;
  }
  if (runs.length < 2) return [...lines];

  const out: Line[] = [];
  let previous: string | null = null;
  let at = 0;
  const rule = (no: number): Line => ({ no, text: '', form: '', md: 0, link: false, cells: null, rule: true });
  for (const run of runs) {
    for (; at < run.from; at++) {
      const l = lines[at]!;
      out.push(SEPARATOR.test(l.form) ? rule(l.no) : l);
    }
    at = run.to;
    const get = (role: string) => run.fields.find((x) => x.role === role);
    const date = get('date')!;
    const title = get('title')!;
    const d = DATE_VALUE.exec(date.value.replace(/\s+/g, ''));
    if (!d || !title.value) {
      warn(date.line.no, `a record's 日期 "${date.value}" is no date, or its 标题 is empty; the record was not read`);
      out.push(...run.fields.map((x) => x.line));
      continue;
    }
    out.push(madeLine(date.line.no, `${d[1] ? `${d[1]}年` : ''}${Number(d[2])}月${Number(d[3])}日`), madeLine(title.line.no, title.value));
    const agency = get('agency');
    if (agency) {
      const name: string | null = SAME_AS_ABOVE.test(agency.value) ? previous : agency.value || null;
      if (name === null) warn(agency.line.no, `"${agency.line.text}": no agency named (nor one above); the measure keeps its heading's`);
      else {
        out.push(madeLine(agency.line.no, `发布单位：${name}`));
        previous = name;
      }
    }
    const summary = get('summary');
    if (summary?.value) out.push(madeLine(summary.line.no, `• ${summary.value}`));
    const link = get('link');
    if (link?.value) out.push(link.line);
    const source = get('source');
    if (source?.value) out.push(source.line);
    out.push(rule(run.fields[run.fields.length - 1]!.line.no));
  }
  out.push(...lines.slice(at));
  return out;
}

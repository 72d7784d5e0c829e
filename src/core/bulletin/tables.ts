/**
 * Tables: a header row naming 序号/日期/部门/措施/来源 (tab-separated as pasted from Word or Excel, a markdown
 * pipe table, or a .docx/.html table turned into tab-separated rows), then one measure per row.
 */
import { readDateLine } from './dates.ts';
import type { DateLine } from './dates.ts';
import type { Line } from './lines.ts';
import { bareTitle } from './lines.ts';
import { cleanLine, matchForm } from '../text.ts';

type Role = 'seq' | 'date' | 'agency' | 'title' | 'body' | 'source';

const ROLES: [Role, RegExp][] = [
  ['seq', /^(?:序号|编号|no\.?|#)$/i],
  ['date', /^(?:日期|时间|发布日期|发布时间|出台(?:日期|时间)|印发(?:日期|时间)|发文(?:日期|时间)|成文日期)$/],
  ['agency', /^(?:部门|单位|机构|发布(?:部门|单位|机构)|发文(?:部门|单位|机关)|责任(?:部门|单位)|牵头部门|出台部门|实施部门|主管部门)$/],
  ['title', /^(?:措施|标题|措施名称|政策措施|主要措施|举措|名称|政策(?:名称)?|文件(?:名称)?|事项)$/],
  ['body', /^(?:内容|主要内容|具体内容|措施内容|摘要|说明|要点|政策要点)$/],
  ['source', /^(?:来源|信息来源|出处|链接|原文链接)$/],
];

export interface TableRow {
  line: number;
  date: DateLine | null;
  dateText: string;
  agency: string;
  title: string;
  body: string[];
  source: string;
}

export interface Table {
  /** Indexes (into the lines array) the table occupies, header included. */
  from: number;
  to: number;
  rows: TableRow[];
}

function rolesOf(cells: string[]): (Role | null)[] | null {
  const roles = cells.map((c) => ROLES.find(([, re]) => re.test(matchForm(c).replace(/\s+/g, '')))?.[0] ?? null);
  const has = (r: Role) => roles.includes(r);
  return has('date') && (has('title') || has('body')) && (has('agency') || has('source')) ? roles : null;
}

/** Whether a row of cells is a table's header (a date column, a title or body column, an agency or 来源 column). */
export function isTableHeader(cells: string[]): boolean {
  return rolesOf(cells) !== null;
}

/**
 * Every table in the lines, in order. A column the parser has no use for (备注, 联系人) that holds something is
 * named in a warning on the header row: what it says is not stored.
 */
export function readTables(lines: Line[], warn: (line: number, message: string) => void = () => {}): Table[] {
  const tables: Table[] = [];
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i]!.cells;
    const roles = cells ? rolesOf(cells) : null;
    if (!cells || !roles) continue;
    const at = (r: Role, row: string[]) => {
      const k = roles.indexOf(r);
      return k === -1 ? '' : (row[k] ?? '');
    };
    const rows: TableRow[] = [];
    // A merged cell (a web or Word table's agency spanning its rows) is pasted as an empty cell below its first row.
    let agencyAbove = '';
    let sourceAbove = '';
    const linkColumn = /链接/.test(cells[roles.indexOf('source')] ?? '');
    let dateAbove = '';
    let j = i + 1;
    for (; j < lines.length && (lines[j]!.cells || emptyRow(lines, j)); j++) {
      const row = lines[j]!.cells;
      // A numbered row left empty ("11" and tabs): nothing to read, and the table goes on after it.
      if (!row) continue;
      // A totals row (合计 … 10项) counts the measures; it is none.
      if (TOTALS.test(cleanLine(row.find((c) => c.trim() !== '') ?? ''))) continue;
      // A cell holding several paragraphs: the first is the title, the rest its body.
      const titleCell = at('title', row) || at('body', row);
      const parts = titleCell
        .split('\n')
        .map((p) => cleanLine(p))
        .filter(Boolean);
      const body = (at('title', row) ? at('body', row).split('\n') : []).map((p) => cleanLine(p)).filter(Boolean);
      // "同上" (ditto) is the cell above, as an empty agency cell is.
      const dateCell = cleanLine(at('date', row));
      const dateText = DITTO.test(dateCell) ? dateAbove : dateCell;
      const agencyCell = cleanLine(at('agency', row));
      const agency = (DITTO.test(agencyCell) ? '' : agencyCell) || (parts.length > 0 ? agencyAbove : '');
      const sourceCell = cleanLine(at('source', row)).replace(/^(?:来源\s*[:：]\s*)/, '');
      // An empty link cell is a link not given (链接待补), not a merged cell: each row has its own page.
      const source =
        (DITTO.test(sourceCell) ? '' : sourceCell) || (parts.length > 0 && (!linkColumn || DITTO.test(sourceCell)) ? sourceAbove : '');
      agencyAbove = agency;
      sourceAbove = source;
      dateAbove = dateText;
      rows.push({
        line: lines[j]!.no,
        date: readDateLine(matchForm(dateText)) ?? excelSerialDate(dateText),
        dateText,
        agency,
        title: bareTitle(parts[0] ?? ''),
        body: [...parts.slice(1), ...body],
        source,
      });
    }
    const unread = cells.filter((name, k) => roles[k] === null && lines.slice(i + 1, j).some((l) => cleanLine(l.cells?.[k] ?? '') !== ''));
    if (unread.length > 0)
      warn(lines[i]!.no, `the table's ${unread.map((n) => n || '(untitled)').join('、')} column is not read; what it holds is not stored`);
    tables.push({ from: i, to: j, rows });
    i = j - 1;
  }
  return tables;
}

/** A cell saying "the same as above". */
const DITTO = /^(?:同上|同前|〃|")$/;
/** A totals row's first cell. */
const TOTALS = /^(?:合计|总计|小计|共计)\s*[:：]?$/;

/** A row of the table with nothing but its number (Excel pasted "11" and empty cells), followed by more rows. */
function emptyRow(lines: Line[], j: number): boolean {
  return /^\d{1,3}$/.test(lines[j]!.form) && !!lines[j + 1]?.cells;
}

/**
 * A date cell Excel wrote as its serial number (43935 = 2020-04-14: days since 1899-12-30), as a CSV export
 * does for a cell formatted as a number; only 2000–2099.
 */
function excelSerialDate(text: string): DateLine | null {
  if (!/^\d{5}$/.test(text)) return null;
  const n = Number(text);
  if (n < 36526 || n > 73050) return null;
  const d = new Date(Date.UTC(1899, 11, 30) + n * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), rest: '', stamp: false, labelled: false };
}

/** The export table as an .xlsx workbook (exceljs: a maintained writer, where a hand-made OOXML zip would be ours to keep right). */
import type ExcelJSModule from 'exceljs';
import { loadOnFirstUse } from '../load-on-first-use.ts';
import { EXPORT_COLUMNS } from './measures-table.ts';
import type { ExportRow } from './measures-table.ts';

const ExcelJS = loadOnFirstUse<typeof ExcelJSModule>('exceljs');

const WIDTHS: Record<keyof ExportRow, number> = { date: 12, agency: 24, title: 40, body: 80, source: 24, bulletin: 40 };

export async function toXlsx(rows: readonly ExportRow[], headers: Record<keyof ExportRow, string>, sheetName: string): Promise<Buffer> {
  const { Workbook } = ExcelJS();
  const wb = new Workbook();
  const ws = wb.addWorksheet(sheetName.slice(0, 31) || 'Sheet1', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = EXPORT_COLUMNS.map((key) => ({ header: headers[key], key, width: WIDTHS[key] }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  // Bodies run over several lines: wrap them in the cell.
  ws.getColumn('body').alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

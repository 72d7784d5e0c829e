import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, exportFileName, exportRows, toCsv } from '../../../src/core/export/measures-table.ts';
import type { ExportRow } from '../../../src/core/export/measures-table.ts';
import { toXlsx } from '../../../src/core/export/xlsx.ts';
import { catalogues } from '../../../src/i18n/index.ts';
import { parseCsv } from '../../helpers/csv.ts';

const headers = catalogues.zh.export.headers;
const tricky: ExportRow[] = [
  {
    date: '2020-03-16',
    agency: '上海市公安局',
    title: '“点对点”护航, 企业复工',
    body: '第一段\n• 要点 "一"\n• 要点二',
    source: '上海市公安局',
    bulletin: '上海企业复工复产复市进行时 (系列二：截止至3月26日)',
  },
  { date: '2020-03-01', agency: 'Science, Tech', title: '=SUM(A1)', body: '', source: '', bulletin: 'b' },
];

describe('toCsv', () => {
  it('starts with a BOM, uses CRLF, and round-trips commas, quotes and line breaks', () => {
    const csv = toCsv(tricky, headers);
    expect(csv.startsWith('\uFEFF日期,部门,标题,正文,来源,简报\r\n')).toBe(true);
    const back = parseCsv(csv.slice(1));
    expect(back[0]).toEqual(EXPORT_COLUMNS.map((c) => headers[c]));
    expect(back.slice(1)).toEqual(tricky.map((r) => EXPORT_COLUMNS.map((c) => r[c])));
  });
});

describe('toXlsx', () => {
  it('opens with exceljs: a header row and the rows as given', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(tricky, headers, '措施')) as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('措施')!;
    expect(ws.rowCount).toBe(3);
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['日期', '部门', '标题', '正文', '来源', '简报']);
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(EXPORT_COLUMNS.map((c) => tricky[0]![c]));
    // A title that looks like a formula stays text.
    expect(ws.getRow(3).getCell(3).value).toBe('=SUM(A1)');
  });
});

describe('exportRows and file names', () => {
  it('joins body and bullets by line and names the bulletin by its title', () => {
    const e = {
      id: 'x',
      agency: 'A',
      date: '2020-03-01',
      title: 'T',
      body: ['p1', 'p2'],
      bullets: ['b1'],
      source: 'S',
      bulletin: 'bid',
      line: 1,
      seq: 1,
      addedSeq: 1,
      addedAt: '',
      revisions: 0,
      correctedAt: null,
    };
    expect(exportRows([e], (id) => (id === 'bid' ? '简报一' : undefined))).toEqual([
      { date: '2020-03-01', agency: 'A', title: 'T', body: 'p1\np2\n• b1', source: 'S', bulletin: '简报一' },
    ]);
    expect(exportRows([e], () => undefined)[0]!.bulletin).toBe('bid');
  });

  it.each([
    ['复工', '2026-12-06', '措施_复工_2026-12-06.xlsx'],
    ['复工 公安', '2026-12-06', '措施_复工_公安_2026-12-06.xlsx'],
    ['a/b:c*?"<>|', '2026-12-06', '措施_a_b_c_2026-12-06.xlsx'],
    ['', '2026-12-06', '措施_2026-12-06.xlsx'],
  ])('%j → %s', (q, d, name) => expect(exportFileName('措施', q, d, 'xlsx')).toBe(name));
});

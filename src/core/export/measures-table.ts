/**
 * Measures as a table to take away: one row per measure (date, agency, title, body, source, bulletin),
 * written as UTF-8 CSV with a BOM (so Excel opens the Chinese correctly) or as .xlsx (see xlsx.ts).
 */
import type { StoredEntry } from '../model.ts';

export const MAX_EXPORT_ROWS = 1000;

export interface ExportRow {
  date: string;
  agency: string;
  title: string;
  body: string;
  source: string;
  bulletin: string;
}
export const EXPORT_COLUMNS: readonly (keyof ExportRow)[] = ['date', 'agency', 'title', 'body', 'source', 'bulletin'];

/** Rows for entries; the body joins paragraphs and bullets by line; the bulletin is named by its title. */
export function exportRows(entries: readonly StoredEntry[], bulletinTitle: (id: string) => string | undefined): ExportRow[] {
  return entries.map((e) => ({
    date: e.date,
    agency: e.agency,
    title: e.title,
    body: [...e.body, ...e.bullets.map((b) => `• ${b}`)].join('\n'),
    source: e.source,
    bulletin: bulletinTitle(e.bulletin) ?? e.bulletin,
  }));
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** UTF-8 CSV with a byte-order mark and CRLF line ends, as Excel expects; the header row in the given labels. */
export function toCsv(rows: readonly ExportRow[], headers: Record<keyof ExportRow, string>): string {
  const lines = [EXPORT_COLUMNS.map((c) => csvField(headers[c])).join(',')];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvField(r[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * "措施_复工_本周_2026-12-06.xlsx": what was asked and the day, with characters no file system takes
 * replaced; the query part is cut to 40 characters.
 */
export function exportFileName(prefix: string, query: string, date: string, ext: 'xlsx' | 'csv'): string {
  const q = [...query.replace(/[\\/:*?"<>|\s\u0000-\u001f]+/g, '_').replace(/^_+|_+$/g, '')].slice(0, 40).join('');
  return `${[prefix, q, date].filter(Boolean).join('_')}.${ext}`;
}

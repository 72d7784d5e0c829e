import type { Messages } from '../../i18n/index.ts';
import { escapeHtml } from '../html.ts';
import type { StoredEntry } from '../model.ts';

type ShowableEntry = Pick<StoredEntry, 'agency' | 'date' | 'title' | 'body' | 'bullets' | 'source'> & Partial<Pick<StoredEntry, 'revisions' | 'correctedAt'>>;

export const correctedMark = (e: ShowableEntry, m: Messages): string => (e.revisions ? ` <i>[${m.common.corrected}]</i>` : '');

/** Bold the marked ranges of a plain text, escaping everything. */
export function highlight(text: string, marks: readonly (readonly [number, number])[]): string {
  let out = '';
  let at = 0;
  for (const [start, end] of [...marks].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    out += escapeHtml(text.slice(at, start)) + '<b>' + escapeHtml(text.slice(start, end)) + '</b>';
    at = end;
  }
  return out + escapeHtml(text.slice(at));
}

/** The whole measure, as opened from a list, a search hit or a digest. */
export function renderEntryFull(e: ShowableEntry, m: Messages): string {
  const parts = [`<b>${escapeHtml(e.title)}</b>`, `🏛 ${escapeHtml(e.agency)} · 📅 ${e.date}${correctedMark(e, m)}`];
  if (e.body.length) parts.push(e.body.map(escapeHtml).join('\n\n'));
  if (e.bullets.length) parts.push(e.bullets.map((b) => `• ${escapeHtml(b)}`).join('\n'));
  if (e.source) parts.push(`<i>${m.common.source}：${escapeHtml(e.source)}</i>`);
  if (e.revisions && e.correctedAt) parts.push(`<i>${m.entry.correctedAt(e.correctedAt.slice(0, 10))}</i>`);
  return parts.join('\n\n');
}

/** One line in a list: number, date, title. */
export function renderEntryLine(e: ShowableEntry, m: Messages, n?: number): string {
  return `${n !== undefined ? `<b>${n}.</b> ` : ''}${e.date} ${escapeHtml(e.title)}${correctedMark(e, m)}`;
}

/** A list item with the first lines of the body, for /latest and digests. */
export function renderEntrySummary(e: ShowableEntry, m: Messages, opts: { n?: number; maxChars?: number; showAgency?: boolean } = {}): string {
  const max = opts.maxChars ?? 120;
  const text = [...e.body, ...e.bullets].join(' ');
  const chars = [...text];
  const gist = chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
  const head = `${opts.n !== undefined ? `<b>${opts.n}.</b> ` : ''}<b>${escapeHtml(e.title)}</b>${correctedMark(e, m)}`;
  const meta = `${opts.showAgency ? `${escapeHtml(e.agency)} · ` : ''}${e.date}`;
  return gist ? `${head}\n${meta}\n${escapeHtml(gist)}` : `${head}\n${meta}`;
}

/** Button labels are plain text (no HTML) and short. */
export function buttonLabel(text: string, max = 28): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

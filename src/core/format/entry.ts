import type { Messages } from '../../i18n/index.ts';
import { escapeHtml } from '../html.ts';
import type { Bulletin, StoredEntry } from '../model.ts';

type ShowableEntry = Pick<StoredEntry, 'agency' | 'date' | 'title' | 'body' | 'bullets' | 'source'> &
  Partial<Pick<StoredEntry, 'revisions' | 'correctedAt' | 'bulletin' | 'seenIn'>>;

/** The newest bulletin (by as-of date, then by ingest order) that carried the measure, if the list knows it. */
export function newestCarrier(
  e: ShowableEntry,
  bulletins: readonly Pick<Bulletin, 'id' | 'title' | 'series' | 'asOf'>[],
): Pick<Bulletin, 'id' | 'title' | 'series' | 'asOf'> | null {
  const ids = e.seenIn ?? (e.bulletin ? [e.bulletin] : []);
  let best: Pick<Bulletin, 'id' | 'title' | 'series' | 'asOf'> | null = null;
  for (const id of ids) {
    const b = bulletins.find((x) => x.id === id);
    if (b && (!best || (b.asOf ?? '') >= (best.asOf ?? ''))) best = b;
  }
  return best;
}

export const correctedMark = (e: ShowableEntry, m: Messages): string => (e.revisions ? ` <i>[${m.common.corrected}]</i>` : '');

/** Escaped text with the marked ranges in `tag` (<b> in body text; <u> inside a bold title, where <b> would not show). */
export function highlight(text: string, marks: readonly (readonly [number, number])[], tag: 'b' | 'u' = 'b'): string {
  let out = '';
  let at = 0;
  let sorted = true;
  for (let i = 1; i < marks.length && sorted; i++) sorted = marks[i - 1]![0] <= marks[i]![0];
  // Snippets hand their marks over sorted: no copy to sort then.
  for (const [start, end] of sorted ? marks : [...marks].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    out += escapeHtml(text.slice(at, start)) + `<${tag}>` + escapeHtml(text.slice(start, end)) + `</${tag}>`;
    at = end;
  }
  return out + escapeHtml(text.slice(at));
}

/** The whole measure, as opened from a list, a search hit or a digest. */
export function renderEntryFull(
  e: ShowableEntry,
  m: Messages,
  opts: { bulletins?: readonly Pick<Bulletin, 'id' | 'title' | 'series' | 'asOf'>[] } = {},
): string {
  const parts = [`<b>${escapeHtml(e.title)}</b>`, `🏛 ${escapeHtml(e.agency)} · 📅 ${e.date}${correctedMark(e, m)}`];
  if (e.body.length) parts.push(e.body.map(escapeHtml).join('\n\n'));
  if (e.bullets.length) parts.push(e.bullets.map((b) => `• ${escapeHtml(b)}`).join('\n'));
  // "来源：… · 见于 系列三（截止至4月10日）": where the measure was last published.
  const carrier = opts.bulletins ? newestCarrier(e, opts.bulletins) : null;
  const seen = carrier ? escapeHtml(m.entry.seenIn(carrier.series, carrier.title, carrier.asOf)) : '';
  if (e.source || seen)
    parts.push(`<i>${[e.source ? `${m.common.source}：${escapeHtml(e.source)}` : '', seen].filter(Boolean).join(' · ')}</i>`);
  if (e.revisions && e.correctedAt) parts.push(`<i>${m.entry.correctedAt(e.correctedAt.slice(0, 10))}</i>`);
  return parts.join('\n\n');
}

/** One line in a list: number, date, title. */
export function renderEntryLine(e: ShowableEntry, m: Messages, n?: number): string {
  return `${n !== undefined ? `<b>${n}.</b> ` : ''}${e.date} ${escapeHtml(e.title)}${correctedMark(e, m)}`;
}

/** A list item with the first lines of the body, for /latest and digests. */
export function renderEntrySummary(
  e: ShowableEntry,
  m: Messages,
  opts: { n?: number; maxChars?: number; showAgency?: boolean } = {},
): string {
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
  // Code points, not units, as the user sees them; no array of characters for a label that fits.
  if (text.length <= max) return text;
  if (max < 1) return `${[...text].slice(0, max - 1).join('')}…`;
  let at = 0;
  let cut = 0;
  for (let n = 0; n < max; n++) {
    if (at >= text.length) return text;
    if (n === max - 1) cut = at;
    at += codePointUnits(text, at);
  }
  return at >= text.length ? text : `${text.slice(0, cut)}…`;
}

/** UTF-16 units of the code point at i: 2 for a surrogate pair, else 1 (a lone surrogate counts alone, as for...of does). */
function codePointUnits(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) return 1;
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
}

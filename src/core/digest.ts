/** Pure digest composition: which entries a subscription gets, and the Telegram HTML messages carrying them. */
import type { Messages } from '../i18n/index.ts';
import type { AgencyDirectory } from './agencies.ts';
import { renderEntrySummary } from './format/entry.ts';
import { TELEGRAM_TEXT_LIMIT, escapeHtml, numberParts, packMessages, visibleLength } from './html.ts';
import type { StoredEntry } from './model.ts';
import { normalizeForSearch } from './search/normalize.ts';

export interface DigestFilters {
  /** Canonical agency names; empty = every agency. */
  agencies: readonly string[];
  /** Empty = no keyword condition. */
  keywords: readonly string[];
}

/**
 * Keywords match as substrings of this form, folded as search folds (normalizeForSearch), so "ＡＢＣ"
 * finds "abc", "３月" finds "3月" and a subscription to 复工 finds 復工 in a later bulletin.
 */
export const keywordForm = (text: string): string => normalizeForSearch(text);

/** A subscription keyword as it is matched: folded, with decoration at its edges dropped ("#复工", "“复工”" → 复工). */
export const subscriptionKeyword = (word: string): string => keywordForm(word).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');

/**
 * Within agencies: any of them. Within keywords: ANY of them, as a substring of title, body or bullets
 * (a digest subscriber lists topics of interest, unlike /search where every word narrows); a keyword of
 * several words separated by spaces (a topic typed run together, 社会组织 → "社会 组织") needs all its words.
 * Across the two groups: both must hold ("公安 复工" = police measures about 复工). No filters = everything.
 */
/** The first n entries of `newest` (newest first) that the filters select, reading no further than needed. */
export function latestMatching(
  newest: Iterable<StoredEntry>,
  filters: DigestFilters,
  agencies: Pick<AgencyDirectory, 'resolve'>,
  n: number,
): StoredEntry[] {
  const out: StoredEntry[] = [];
  let batch: StoredEntry[] = [];
  const take = () => {
    for (const e of selectForDigest(batch, filters, agencies)) if (out.length < n) out.push(e);
    batch = [];
  };
  for (const e of newest) {
    batch.push(e);
    if (batch.length === 64) take();
    if (out.length >= n) return out;
  }
  take();
  return out;
}

export function selectForDigest(
  entriesSince: readonly StoredEntry[],
  filters: DigestFilters,
  agencies: Pick<AgencyDirectory, 'resolve'>,
): StoredEntry[] {
  const wanted = new Set(filters.agencies);
  // A keyword of several words ("社会 组织", typed run together) needs them all.
  const words = filters.keywords
    .map((k) =>
      k
        .split(/\s+/)
        .map(subscriptionKeyword)
        .filter((w) => w.length > 0),
    )
    .filter((w) => w.length > 0);
  const canonical = new Map<string, string>();
  const agencyOf = (name: string) => {
    let c = canonical.get(name);
    if (c === undefined) {
      // Entries carry the name the bulletin used; subscriptions hold canonical names.
      c = agencies.resolve(name) ?? name;
      canonical.set(name, c);
    }
    return c;
  };
  return entriesSince.filter((e) => {
    if (wanted.size > 0 && !wanted.has(e.agency) && !wanted.has(agencyOf(e.agency))) return false;
    if (words.length === 0) return true;
    const hay = keywordForm([e.title, ...e.body, ...e.bullets].join('\n'));
    return words.some((w) => w.every((part) => hay.includes(part)));
  });
}

export interface ComposeOptions {
  /** Local date of the digest, YYYY-MM-DD. */
  date: string;
  m: Messages;
  notifyEmpty?: boolean;
  /** Agency order for the groups (e.g. the directory's); agencies not listed follow in order of first appearance. */
  agencyOrder?: readonly string[];
  /** Visible characters per message before "(i/n)"; tests lower it. */
  limit?: number;
  /** Which digest this is, for its heading (daily by default). */
  kind?: 'daily' | 'weekly' | 'instant';
}

interface Block {
  id: string;
  agency: string;
  html: string;
  first: boolean;
}

/** Telegram HTML messages for one digest, each under 4096 visible characters, split only between entries. */
export function composeDigest(entries: readonly StoredEntry[], opts: ComposeOptions): string[] {
  return composeDigestParts(entries, opts).map((p) => p.html);
}

/** One message of a digest and the ids of the entries it completes (an entry cut over several messages counts in its last). */
export interface DigestPart {
  html: string;
  entryIds: string[];
}

/** composeDigest, telling which entries each message carries, so a digest cut short can resume by entry. */
export function composeDigestParts(entries: readonly StoredEntry[], opts: ComposeOptions): DigestPart[] {
  const { m, date } = opts;
  if (entries.length === 0) return opts.notifyEmpty ? [{ html: escapeHtml(m.digest.nothingNew(date)), entryIds: [] }] : [];
  const limit = opts.limit ?? TELEGRAM_TEXT_LIMIT - 96;

  const groups = new Map<string, StoredEntry[]>();
  for (const name of opts.agencyOrder ?? []) groups.set(name, []);
  for (const e of entries) {
    const g = groups.get(e.agency);
    if (g) g.push(e);
    else groups.set(e.agency, [e]);
  }

  const blocks: Block[] = [];
  for (const [agency, list] of groups) {
    if (list.length === 0) continue;
    // Newest first; the same date falls back to the later change (higher seq) first.
    const sorted = [...list].sort((a, b) => (a.date === b.date ? b.seq - a.seq : a.date < b.date ? 1 : -1));
    const heading = m.digest.agency(escapeHtml(agency), list.length);
    sorted.forEach((e, i) => {
      const item = renderEntrySummary(e, m);
      blocks.push({ id: e.id, agency, html: i === 0 ? `${heading}\n\n${item}` : item, first: i === 0 });
    });
  }

  const header =
    opts.kind === 'weekly'
      ? m.digest.weeklyHeader(date, entries.length)
      : opts.kind === 'instant'
        ? m.digest.instantHeader(date, entries.length)
        : m.digest.header(date, entries.length);
  const out: DigestPart[] = [];
  let cur = header;
  let curIds: string[] = [];
  const counts = new Map([...groups].map(([k, v]) => [k, v.length]));
  for (const b of blocks) {
    const next = `${cur}\n\n${b.html}`;
    if (visibleLength(next) <= limit) {
      cur = next;
      curIds.push(b.id);
      continue;
    }
    if (cur) out.push({ html: cur, entryIds: curIds });
    curIds = [];
    // A new message that starts inside a group repeats the group's heading, so no entry is orphaned from its agency.
    const lead = b.first ? '' : `${m.digest.agency(escapeHtml(b.agency), counts.get(b.agency) ?? 0)}${escapeHtml(m.digest.continued)}\n\n`;
    const body = `${lead}${b.html}`;
    if (visibleLength(body) <= limit) {
      cur = body;
      curIds.push(b.id);
      continue;
    }
    // One entry alone beyond the limit (summaries truncate bodies, so only a giant title): cut it on lines.
    const pieces = packMessages([body], { limit });
    cur = pieces.pop() ?? '';
    out.push(...pieces.map((html) => ({ html, entryIds: [] })));
    curIds.push(b.id);
  }
  if (cur) out.push({ html: cur, entryIds: curIds });
  const numbered = numberParts(out.map((p) => p.html));
  return out.map((p, i) => ({ html: numbered[i]!, entryIds: p.entryIds }));
}

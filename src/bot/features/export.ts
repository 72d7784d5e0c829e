/**
 * /export [query] and the 📥 button under search results: the matching measures (at most 1,000) as an .xlsx
 * and a UTF-8-with-BOM .csv, sent as documents through the bot's client (so through the rate limiter).
 * The file names say the query and the day. One export per user per EXPORT_COOLDOWN_MS: a workbook of
 * 1,000 measures is far more work than a page of results.
 */
import { LRUCache } from 'lru-cache';
import { Composer } from 'telegraf';
import type { DateRange } from '../../core/dates/date-words.ts';
import { rangeLabel } from '../../core/dates/date-words.ts';
import { MAX_EXPORT_ROWS, exportFileName, exportRows, toCsv } from '../../core/export/measures-table.ts';
import { toXlsx } from '../../core/export/xlsx.ts';
import { escapeHtml } from '../../core/html.ts';
import { parseQuery } from '../../core/search/query.ts';
import { localClock } from '../../digest/due.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { replyBlocks } from '../lib/reply.ts';
import { dateOptions, understandDates } from './search-dates.ts';
import type { SearchOrder } from './search-dates.ts';

export const EXPORT_COOLDOWN_MS = 10_000;

export interface ExportQuery {
  keywords: string[];
  /** As shown to the user. */
  text: string;
  range: DateRange | null;
  order: SearchOrder;
  /** Canonical agency the search named (公安 最新), if any. */
  agency?: string;
}

// Per bot (createBot hands the same deps to search and export): user → time of their last export.
const lastExports = new WeakMap<object, LRUCache<number, number>>();
const lastExportOf = (deps: object): LRUCache<number, number> => {
  let map = lastExports.get(deps);
  if (!map) lastExports.set(deps, (map = new LRUCache<number, number>({ max: 10_000 })));
  return map;
};

export async function sendExport(
  ctx: BotContext,
  deps: Pick<BotDeps, 'catalog' | 'entries' | 'now'>,
  q: ExportQuery,
  timezone = 'Asia/Shanghai',
): Promise<void> {
  const x = ctx.m.export;
  const user = ctx.from?.id;
  const now = deps.now();
  const lastExport = lastExportOf(deps);
  const last = user === undefined ? undefined : lastExport.get(user);
  if (last !== undefined && now - last < EXPORT_COOLDOWN_MS)
    return replyBlocks(ctx, [x.slowDown(Math.ceil((EXPORT_COOLDOWN_MS - (now - last)) / 1000))]);
  const { total, hits } = deps.catalog.search(q.keywords, {
    limit: MAX_EXPORT_ROWS,
    ...(q.agency ? { agency: q.agency } : {}),
    ...dateOptions(q.range, q.keywords.length === 0 ? 'newest' : q.order),
  });
  const label = [q.text, q.range ? rangeLabel(q.range, ctx.lang) : ''].filter(Boolean).join(' ');
  if (total === 0) return replyBlocks(ctx, [x.none(escapeHtml(label))]);
  if (user !== undefined) lastExport.set(user, now);
  const titles = new Map(deps.entries.bulletins().map((b) => [b.id, b.title]));
  const rows = exportRows(hits, (id) => titles.get(id));
  const day = localClock(now, timezone).date;
  const name = (ext: 'xlsx' | 'csv') =>
    exportFileName(
      x.filePrefix,
      [q.text, q.range ? rangeLabel(q.range, 'en').replace(/ – /, '_') : ''].filter(Boolean).join('_'),
      day,
      ext,
    );
  const thread =
    ctx.message && 'message_thread_id' in ctx.message && ctx.message.is_topic_message
      ? { message_thread_id: ctx.message.message_thread_id }
      : {};
  const caption =
    total > rows.length
      ? x.captionCut(escapeHtml(label || x.everything), total, rows.length)
      : x.caption(escapeHtml(label || x.everything), rows.length);
  await ctx.replyWithDocument(
    { source: await toXlsx(rows, x.headers, x.sheet), filename: name('xlsx') },
    { caption, parse_mode: 'HTML', ...thread },
  );
  await ctx.replyWithDocument({ source: Buffer.from(toCsv(rows, x.headers), 'utf8'), filename: name('csv') }, { ...thread });
}

export function createExportFeature(deps: Pick<BotDeps, 'catalog' | 'entries' | 'now'>, opts: { timezone: string }): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('export', async (ctx) => {
    const dated = understandDates(ctx.payload, deps.catalog, deps.now(), opts.timezone);
    const q = parseQuery(dated.rest);
    if (!q.ok && q.reason === 'too-long') return replyBlocks(ctx, [ctx.m.search.tooLong]);
    const keywords = q.ok ? q.keywords : [];
    await sendExport(
      ctx,
      deps,
      { keywords, text: keywords.join(' '), range: dated.range, order: dated.newest || keywords.length === 0 ? 'newest' : 'relevance' },
      opts.timezone,
    );
  });
  return c;
}

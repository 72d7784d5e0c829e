/**
 * /export [query] and the 📥 button under search results: the matching measures (at most 1,000) as an .xlsx
 * and a UTF-8-with-BOM .csv, sent as documents through the bot's client (so through the rate limiter).
 * The measures are the search's own answer to the query (run-together words, near words, an agency named,
 * partial matches under a caption that says so), in the order the search shows them: a file holds what the
 * results said. The file names say the query and the day. One export per user per EXPORT_COOLDOWN_MS: a
 * workbook of 1,000 measures is far more work than a page of results.
 */
import { LRUCache } from 'lru-cache';
import { Composer } from 'telegraf';
import type { DateRange } from '../../core/dates/date-words.ts';
import { rangeLabel } from '../../core/dates/date-words.ts';
import { MAX_EXPORT_ROWS, exportFileName, exportRows, toCsv } from '../../core/export/measures-table.ts';
import { toXlsx } from '../../core/export/xlsx.ts';
import { escapeHtml } from '../../core/html.ts';
import { answerHeader } from '../../core/search/understand/header.ts';
import { EVERY_MEASURE } from '../../core/search/understand/index.ts';
import type { QueryPlan } from '../../core/search/understand/index.ts';
import { localClock } from '../../digest/due.ts';
import type { BotContext, FeatureDeps } from '../context.ts';
import { replyBlocks } from '../lib/reply.ts';
import { dateOptions, understandDates } from './search-dates.ts';
import type { SearchOrder } from './search-dates.ts';

export const EXPORT_COOLDOWN_MS = 10_000;

export interface ExportQuery {
  /** The understood query; null: every measure (in the range), newest first. */
  plan: QueryPlan | null;
  range: DateRange | null;
  order: SearchOrder;
}

/** What the file holds, in words: the agency as named (交警, not the whole 上海市公安局) and the words searched. */
const labelOf = (plan: QueryPlan | null): string =>
  plan ? [plan.agencyTyped ?? plan.agency ?? '', ...plan.words.map((w) => w.text)].filter(Boolean).join(' ') : '';

// Per bot (createBot hands the same deps to search and export): user → time of their last export.
const lastExports = new WeakMap<object, LRUCache<number, number>>();
const lastExportOf = (deps: object): LRUCache<number, number> => {
  let map = lastExports.get(deps);
  if (!map) lastExports.set(deps, (map = new LRUCache<number, number>({ max: 10_000 })));
  return map;
};

export async function sendExport(
  ctx: BotContext,
  deps: Pick<FeatureDeps, 'search' | 'entries' | 'now'>,
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
  const plan = q.plan ?? EVERY_MEASURE;
  const answer = (range: DateRange | null) =>
    deps.search.answer(plan, {
      limit: MAX_EXPORT_ROWS,
      offset: 0,
      filter: dateOptions(range, plan.words.length === 0 ? 'newest' : q.order),
    });
  let a = answer(q.range);
  let range = q.range;
  // As /search answers it: dates no measure with the words falls in (a pasted story's 今年) are dropped, and said.
  let undated: DateRange | null = null;
  if (range && plan.words.length > 0 && a.total === 0) {
    const any = answer(null);
    if (any.total > 0) [a, undated, range] = [any, range, null];
  }
  const { total, hits } = a;
  const text = labelOf(q.plan);
  const label = [text, range ? rangeLabel(range, ctx.lang) : ''].filter(Boolean).join(' ');
  if (total === 0 || a.kind === 'none') return replyBlocks(ctx, [x.none(escapeHtml(label))]);
  if (user !== undefined) lastExport.set(user, now);
  const titles = new Map(deps.entries.bulletins().map((b) => [b.id, b.title]));
  const rows = exportRows(hits, (id) => titles.get(id));
  const day = localClock(now, timezone).date;
  const name = (ext: 'xlsx' | 'csv') =>
    exportFileName(x.filePrefix, [text, range ? rangeLabel(range, 'en').replace(/ – /, '_') : ''].filter(Boolean).join('_'), day, ext);
  const thread =
    ctx.message && 'message_thread_id' in ctx.message && ctx.message.is_topic_message
      ? { message_thread_id: ctx.message.message_thread_id }
      : {};
  // Partial matches (not every word), corrected words: the caption says so, as the results' header does.
  const header = `${undated ? `${ctx.m.search.undated(escapeHtml(rangeLabel(undated, ctx.lang)))}\n` : ''}${
    a.kind === 'partial' || a.corrected.length > 0 ? `${answerHeader(a, ctx.m)}\n` : ''
  }`;
  const caption = `${header}${
    total > rows.length
      ? x.captionCut(escapeHtml(label || x.everything), total, rows.length)
      : x.caption(escapeHtml(label || x.everything), rows.length)
  }`;
  await ctx.replyWithDocument(
    { source: await toXlsx(rows, x.headers, x.sheet), filename: name('xlsx') },
    { caption, parse_mode: 'HTML', ...thread },
  );
  await ctx.replyWithDocument({ source: Buffer.from(toCsv(rows, x.headers), 'utf8'), filename: name('csv') }, { ...thread });
}

export function createExportFeature(
  deps: Pick<FeatureDeps, 'catalog' | 'search' | 'entries' | 'now'>,
  opts: { timezone: string },
): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('export', async (ctx) => {
    // Read as /search reads it: date words become the range, the rest is understood as a query.
    const dated = understandDates(ctx.payload, deps.catalog, deps.now(), opts.timezone);
    const q = deps.search.plan(dated.rest);
    if (!q.ok && q.reason === 'too-long') return replyBlocks(ctx, [ctx.m.search.tooLong]);
    // Only words without content (的, 吗): said so, not everything exported.
    if (!q.ok && q.reason === 'no-content') return replyBlocks(ctx, [ctx.m.search.noContent(escapeHtml(dated.rest.trim().slice(0, 50)))]);
    // Nothing searchable (🔥🔥, punctuation): refused as /search refuses it, not every measure exported.
    if (!q.ok && q.reason === 'no-searchable-text') return replyBlocks(ctx, [ctx.m.search.noText]);
    const plan = q.ok ? q.plan : null;
    const listing = !plan || plan.words.length === 0;
    await sendExport(ctx, deps, { plan, range: dated.range, order: dated.newest || listing ? 'newest' : 'relevance' }, opts.timezone);
  });
  return c;
}

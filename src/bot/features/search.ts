import { LRUCache } from 'lru-cache';
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult } from 'telegraf/types';
import { buttonLabel, correctedMark, highlight, renderEntryFull } from '../../core/format/entry.ts';
import { TELEGRAM_TEXT_LIMIT, escapeHtml, packMessages } from '../../core/html.ts';
import type { StoredEntry } from '../../core/model.ts';
import { parseQuery } from '../../core/search/query.ts';
import { foldsOneToOne } from '../../core/search/normalize.ts';
import { createSnippetter } from '../../core/search/snippet.ts';
import type { Messages } from '../../i18n/index.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { createFloodGuard } from '../lib/flood-guard.ts';
import { createQueryCache } from '../lib/query-cache.ts';
import { editOrReply, replyBlocks, replyMessage } from '../lib/reply.ts';
import { showFullText } from './full-text.ts';
import { sendExport } from './export.ts';
import { dateOptions, rangeAndOrderLabel, understandDates } from './search-dates.ts';
import type { SearchOrder } from './search-dates.ts';
import type { DateRange } from '../../core/dates/date-words.ts';

export const PAGE_SIZE = 5;
const INLINE_PAGE = 20;

// Whether an entry's text folds one unit to one unit (nearly always), known once per entry object:
// snippets of it then need not check the text they read. Entries are replaced, not changed, on correction.
const plainEntries = new WeakMap<StoredEntry, boolean>();
const foldsPlainly = (e: StoredEntry): boolean => {
  let plain = plainEntries.get(e);
  if (plain === undefined) plainEntries.set(e, (plain = foldsOneToOne(e.title) && e.body.every(foldsOneToOne) && e.bullets.every(foldsOneToOne)));
  return plain;
};

/** One hit of a result page; a page passes one snippetter for its hits, so keywords are normalised once. */
export function renderHit(e: StoredEntry, keywords: string[], m: Messages, n: number, snippet = createSnippetter(keywords)): string {
  const plain = foldsPlainly(e);
  const title = snippet(e.title, 200, plain);
  // The body's paragraphs and bullets as if joined by spaces, read in place.
  const parts = e.bullets.length === 0 ? e.body : [...e.body, ...e.bullets];
  const snip = parts.length > 1 || (parts.length === 1 && parts[0] !== '') ? snippet.ofParts(parts, ' ', 90, plain) : null;
  const lines = [`<b>${n}.</b> <b>${highlight(title.text, title.marks)}</b>${correctedMark(e, m)}`, `${escapeHtml(e.agency)} · ${e.date}`];
  if (snip && snip.text) lines.push(highlight(snip.text, snip.marks));
  return lines.join('\n');
}

/** A search as kept for its buttons: keywords, the date range its date words gave, and the order. */
interface SearchQuery {
  keywords: string[];
  text: string;
  range: DateRange | null;
  order: SearchOrder;
}

export function createSearchFeature(deps: BotDeps, opts: { perMinute: number; timezone?: string }): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { catalog } = deps;
  const queries = createQueryCache<SearchQuery>();
  const guard = createFloodGuard({ perMinute: opts.perMinute, now: deps.now });

  // Rendered pages (header and hits, the costly part: search and snippets) of recent queries, valid
  // while the catalog does not change, with their hits' buttons; the paging buttons are made per
  // request, as they carry the query's key.
  const rendered = new LRUCache<string, { version: number; total: number; text: string | null; hitRows: InlineKeyboardButton[][] }>({ max: 512 });
  // A page is kept from its second request on: most queries are asked once, and keeping every page
  // for a while (a few KB each) only moved garbage into the old generation.
  const askedOnce = new LRUCache<string, number>({ max: 4096 });

  /**
   * A keyword of three or more characters is checked against the measures' text on its first search
   * (up to ~100 ms at 100k measures): that is done beforehand, a slice at a time, so it holds no other
   * chat up. Shorter keywords never need it (nor does a query whose keywords are all remembered).
   */
  const prepared = async (keywords: readonly string[]): Promise<void> => {
    if (keywords.some((k) => k.length > 2)) await catalog.prepare(keywords);
  };

  /** A page as one message (packed, or the short "no results") and its keyboard. */
  const page = (ctx: BotContext, q: SearchQuery, key: string, p: number): { text: string; keyboard?: InlineKeyboardMarkup } => {
    const version = catalog.version();
    const cacheKey = `${ctx.lang}\u0000${p}\u0000${q.order}\u0000${q.range?.from ?? ''}\u0000${q.range?.to ?? ''}\u0000${q.keywords.join('\u0000')}`;
    let r = rendered.get(cacheKey);
    if (!r || r.version !== version) {
      const { total, hits } = catalog.search(q.keywords, { limit: PAGE_SIZE, offset: p * PAGE_SIZE, ...dateOptions(q.range, q.order) });
      let text: string | null = null;
      if (total > 0) {
        const pages = Math.ceil(total / PAGE_SIZE);
        const dates = escapeHtml(rangeAndOrderLabel(q.range, q.order, ctx.lang, { newest: ctx.m.search.newestFirst }));
        const header = `${ctx.m.search.results(escapeHtml(q.text), total)}${dates}${pages > 1 ? ` · ${ctx.m.common.page(p + 1, pages)}` : ''}`;
        const snippet = createSnippetter(q.keywords);
        const blocks = [header, ...hits.map((e, i) => renderHit(e, q.keywords, ctx.m, p * PAGE_SIZE + i + 1, snippet))];
        // One page is always one message, so page buttons can edit it in place.
        text = packMessages(blocks)[0]!;
      }
      const hitRows = hits.map((e, i) => [Markup.button.callback(buttonLabel(`${p * PAGE_SIZE + i + 1}. ${e.title}`), `e:${e.id}`)]);
      r = { version, total, text, hitRows };
      if (askedOnce.get(cacheKey) === version) rendered.set(cacheKey, r);
      else askedOnce.set(cacheKey, version);
    }
    const { total } = r;
    // The query is at most MAX_QUERY_CHARS: the message fits.
    if (total === 0 || r.text === null) {
      const none = q.range ? ctx.m.search.noneInRange(escapeHtml(q.text), escapeHtml(rangeAndOrderLabel(q.range, 'relevance', ctx.lang, { newest: '' }).replace(' · 📅 ', ''))) : ctx.m.search.none(escapeHtml(q.text));
      return { text: none };
    }
    const pages = Math.ceil(total / PAGE_SIZE);
    const nav = [];
    if (p > 0) nav.push(Markup.button.callback(ctx.m.common.prev, `s:${key}:${p - 1}`));
    if (p + 1 < pages) nav.push(Markup.button.callback(ctx.m.common.next, `s:${key}:${p + 1}`));
    // Newest first ⇄ most relevant (a date-only listing is by date anyway), and the results as a file.
    const tools = [Markup.button.callback(ctx.m.search.exportButton, `x:${key}`)];
    if (q.keywords.length > 0) tools.unshift(Markup.button.callback(q.order === 'newest' ? ctx.m.search.byRelevance : ctx.m.search.byDate, `so:${key}`));
    return { text: r.text, keyboard: Markup.inlineKeyboard([...r.hitRows, ...(nav.length ? [nav] : []), tools]).reply_markup };
  };

  const runSearch = async (ctx: BotContext, text: string) => {
    // Date words (本周, 3月, 最近7天) become a date range and 最新 the order; the rest are the keywords.
    const whole = parseQuery(text);
    const dated = whole.ok || whole.reason !== 'too-long' ? understandDates(text, catalog, deps.now(), opts.timezone ?? 'Asia/Shanghai') : null;
    const q = dated && (dated.range || dated.newest) ? parseQuery(dated.rest) : whole;
    const dateOnly = !q.ok && q.reason !== 'too-long' && dated?.range != null;
    if (!q.ok && !dateOnly) {
      const reason = { empty: ctx.m.search.empty, 'too-long': ctx.m.search.tooLong, 'no-searchable-text': ctx.m.search.noText }[whole.ok ? q.reason : whole.reason];
      return replyBlocks(ctx, [reason]);
    }
    const keywords = q.ok ? q.keywords : [];
    if (ctx.from) {
      const verdict = guard.check(ctx.from.id);
      if (!verdict.ok) {
        if (verdict.notify) await replyBlocks(ctx, [ctx.m.search.slowDown(verdict.retryAfterSec)]);
        return;
      }
    }
    const shown = keywords.join(' ');
    const entry: SearchQuery = { keywords, text: shown, range: dated?.range ?? null, order: dated?.newest || keywords.length === 0 ? 'newest' : 'relevance' };
    const key = queries.put(entry);
    await prepared(keywords);
    const { text: message, keyboard } = page(ctx, entry, key, 0);
    return replyMessage(ctx, message, keyboard);
  };

  c.command('search', (ctx) => runSearch(ctx, ctx.payload));
  c.action('try-search', async (ctx) => {
    await ctx.answerCbQuery();
    await runSearch(ctx, '复工');
  });

  c.action(/^s:([0-9a-z]{1,16}):(\d{1,4})$/, async (ctx) => {
    const q = queries.get(ctx.match[1]!);
    if (!q) return ctx.answerCbQuery(ctx.m.search.expired, { show_alert: true });
    await ctx.answerCbQuery();
    await prepared(q.keywords);
    const { text, keyboard } = page(ctx, q, ctx.match[1]!, Number(ctx.match[2]));
    return editOrReply(ctx, [text], keyboard);
  });

  c.action(/^so:([0-9a-z]{1,16})$/, async (ctx) => {
    const q = queries.get(ctx.match[1]!);
    if (!q) return ctx.answerCbQuery(ctx.m.search.expired, { show_alert: true });
    await ctx.answerCbQuery();
    q.order = q.order === 'newest' ? 'relevance' : 'newest';
    await prepared(q.keywords);
    const { text, keyboard } = page(ctx, q, ctx.match[1]!, 0);
    return editOrReply(ctx, [text], keyboard);
  });

  c.action(/^x:([0-9a-z]{1,16})$/, async (ctx) => {
    const q = queries.get(ctx.match[1]!);
    if (!q) return ctx.answerCbQuery(ctx.m.search.expired, { show_alert: true });
    await ctx.answerCbQuery();
    return sendExport(ctx, deps, q, opts.timezone);
  });

  c.action(/^e:([\w-]{1,40})$/, (ctx) => showFullText(ctx, ctx.match[1]!, deps));

  c.on('inline_query', async (ctx) => {
    const q = parseQuery(ctx.inlineQuery.query);
    // Personal: answers differ by the user's language.
    if (!q.ok) return ctx.answerInlineQuery([], { cache_time: 30, is_personal: true, button: { text: ctx.m.search.inlineHint, start_parameter: 'inline' } });
    const offset = Math.min(Number(ctx.inlineQuery.offset) || 0, 1000);
    await prepared(q.keywords);
    const { total, hits } = catalog.search(q.keywords, { limit: INLINE_PAGE, offset });
    const results: InlineQueryResult[] = hits.map((e) => ({
      type: 'article',
      id: e.id,
      title: buttonLabel(e.title, 64),
      description: `${e.agency} · ${e.date}`,
      input_message_content: { message_text: packMessages([renderEntryFull(e, ctx.m, { bulletins: deps.entries.bulletins() })], { limit: TELEGRAM_TEXT_LIMIT - 16 })[0]!, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
    }));
    return ctx.answerInlineQuery(results, { cache_time: 60, is_personal: true, next_offset: offset + INLINE_PAGE < total ? String(offset + INLINE_PAGE) : '' });
  });

  // Private chats: any plain text is a search. Groups: plain text is conversation, not for us.
  c.on('text', async (ctx, next) => {
    if (ctx.chat.type !== 'private' || ctx.message.text.startsWith('/')) return next();
    return runSearch(ctx, ctx.message.text);
  });
  return c;
}

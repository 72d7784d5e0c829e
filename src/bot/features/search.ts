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

export function createSearchFeature(deps: BotDeps, opts: { perMinute: number }): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { catalog } = deps;
  const queries = createQueryCache<{ keywords: string[]; text: string }>();
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
  const page = (ctx: BotContext, q: { keywords: string[]; text: string }, key: string, p: number): { text: string; keyboard?: InlineKeyboardMarkup } => {
    const version = catalog.version();
    const cacheKey = `${ctx.lang}\u0000${p}\u0000${q.keywords.join('\u0000')}`;
    let r = rendered.get(cacheKey);
    if (!r || r.version !== version) {
      const { total, hits } = catalog.search(q.keywords, { limit: PAGE_SIZE, offset: p * PAGE_SIZE });
      let text: string | null = null;
      if (total > 0) {
        const pages = Math.ceil(total / PAGE_SIZE);
        const header = `${ctx.m.search.results(escapeHtml(q.text), total)}${pages > 1 ? ` · ${ctx.m.common.page(p + 1, pages)}` : ''}`;
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
    if (total === 0 || r.text === null) return { text: ctx.m.search.none(escapeHtml(q.text)) };
    const pages = Math.ceil(total / PAGE_SIZE);
    const nav = [];
    if (p > 0) nav.push(Markup.button.callback(ctx.m.common.prev, `s:${key}:${p - 1}`));
    if (p + 1 < pages) nav.push(Markup.button.callback(ctx.m.common.next, `s:${key}:${p + 1}`));
    return { text: r.text, keyboard: Markup.inlineKeyboard(nav.length ? [...r.hitRows, nav] : r.hitRows).reply_markup };
  };

  const runSearch = async (ctx: BotContext, text: string) => {
    const q = parseQuery(text);
    if (!q.ok) {
      const reason = { empty: ctx.m.search.empty, 'too-long': ctx.m.search.tooLong, 'no-searchable-text': ctx.m.search.noText }[q.reason];
      return replyBlocks(ctx, [reason]);
    }
    if (ctx.from) {
      const verdict = guard.check(ctx.from.id);
      if (!verdict.ok) {
        if (verdict.notify) await replyBlocks(ctx, [ctx.m.search.slowDown(verdict.retryAfterSec)]);
        return;
      }
    }
    const shown = q.keywords.join(' ');
    const entry = { keywords: q.keywords, text: shown };
    const key = queries.put(entry);
    await prepared(q.keywords);
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

  c.action(/^e:([\w-]{1,40})$/, async (ctx) => {
    const e = catalog.get(ctx.match[1]!);
    if (!e) return ctx.answerCbQuery(ctx.m.entry.notFound, { show_alert: true });
    await ctx.answerCbQuery();
    return replyBlocks(ctx, [renderEntryFull(e, ctx.m)]);
  });

  c.on('inline_query', async (ctx) => {
    const q = parseQuery(ctx.inlineQuery.query);
    if (!q.ok) return ctx.answerInlineQuery([], { cache_time: 30, button: { text: ctx.m.search.inlineHint, start_parameter: 'inline' } });
    const offset = Math.min(Number(ctx.inlineQuery.offset) || 0, 1000);
    await prepared(q.keywords);
    const { total, hits } = catalog.search(q.keywords, { limit: INLINE_PAGE, offset });
    const results: InlineQueryResult[] = hits.map((e) => ({
      type: 'article',
      id: e.id,
      title: buttonLabel(e.title, 64),
      description: `${e.agency} · ${e.date}`,
      input_message_content: { message_text: packMessages([renderEntryFull(e, ctx.m)], { limit: TELEGRAM_TEXT_LIMIT - 16 })[0]!, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
    }));
    return ctx.answerInlineQuery(results, { cache_time: 60, next_offset: offset + INLINE_PAGE < total ? String(offset + INLINE_PAGE) : '' });
  });

  // Private chats: any plain text is a search. Groups: plain text is conversation, not for us.
  c.on('text', async (ctx, next) => {
    if (ctx.chat.type !== 'private' || ctx.message.text.startsWith('/')) return next();
    return runSearch(ctx, ctx.message.text);
  });
  return c;
}

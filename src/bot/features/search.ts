import { LRUCache } from 'lru-cache';
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult } from 'telegraf/types';
import { buttonLabel, correctedMark, highlight, renderEntryFull } from '../../core/format/entry.ts';
import { TELEGRAM_TEXT_LIMIT, escapeHtml, packMessages } from '../../core/html.ts';
import type { StoredEntry } from '../../core/model.ts';
import { foldsOneToOne } from '../../core/search/normalize.ts';
import { createSnippetter } from '../../core/search/snippet.ts';
import { answerHeader } from '../../core/search/understand/header.ts';
import { EVERY_MEASURE } from '../../core/search/understand/index.ts';
import type { PlanResult, QueryPlan } from '../../core/search/understand/index.ts';
import type { Messages } from '../../i18n/index.ts';
import type { BotContext, FeatureDeps } from '../context.ts';
import { createFloodGuard } from '../lib/flood-guard.ts';
import { createQueryCache } from '../lib/query-cache.ts';
import { editOrReply, replyBlocks, replyMessage } from '../lib/reply.ts';
import { sendExport } from './export.ts';
import { showFullText } from './full-text.ts';
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
  if (plain === undefined)
    plainEntries.set(e, (plain = foldsOneToOne(e.title) && e.body.every(foldsOneToOne) && e.bullets.every(foldsOneToOne)));
  return plain;
};

/**
 * One hit of a result page; a page passes one snippetter for its hits, so keywords are normalised
 * once. Matches are underlined in the (bold) title and bold in the body.
 */
export function renderHit(e: StoredEntry, keywords: string[], m: Messages, n: number, snippet = createSnippetter(keywords)): string {
  const plain = foldsPlainly(e);
  const title = snippet(e.title, 200, plain);
  // The body's paragraphs and bullets as if joined by spaces, read in place.
  const parts = e.bullets.length === 0 ? e.body : [...e.body, ...e.bullets];
  const snip = parts.length > 1 || (parts.length === 1 && parts[0] !== '') ? snippet.ofParts(parts, ' ', 90, plain) : null;
  const lines = [
    `<b>${n}.</b> <b>${highlight(title.text, title.marks, 'u')}</b>${correctedMark(e, m)}`,
    `${escapeHtml(e.agency)} · ${e.date}`,
  ];
  if (snip && snip.text) lines.push(highlight(snip.text, snip.marks));
  return lines.join('\n');
}

/** Telegram HTML as plain text (tags dropped, entities read), for places that take no markup. */
const plainText = (html: string): string =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/\n/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** A search as kept for its buttons: the understood query (null: dates only), the date range its date words gave, and the order. */
interface Asked {
  plan: QueryPlan | null;
  range: DateRange | null;
  order: SearchOrder;
  /** Dates the query named that no measure with its words falls in: searched without them, and the header says so. */
  undated: DateRange | null;
}

export function createSearchFeature(deps: FeatureDeps, opts: { perMinute: number; timezone?: string }): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { catalog } = deps;
  const { search } = deps;
  const queries = createQueryCache<Asked>();
  const guard = createFloodGuard({ perMinute: opts.perMinute, now: deps.now });

  // Rendered pages (header and hits, the costly part: search and snippets) of recent queries, valid
  // while the catalog does not change, with their hits' buttons; the paging buttons are made per
  // request, as they carry the query's key.
  // `dropped`: the dates the answer searched without (see answerAsked), applied to the query on a hit too, so its
  // buttons (pages, order, 📥) go on without them as they did the first time.
  const rendered = new LRUCache<
    string,
    { version: number; total: number; text: string; hitRows: InlineKeyboardButton[][]; dropped: DateRange | null }
  >({ max: 512 });
  // A page is kept from its second request on: most queries are asked once, and keeping every page
  // for a while (a few KB each) only moved garbage into the old generation.
  const askedOnce = new LRUCache<string, number>({ max: 4096 });

  /**
   * A keyword of three or more characters has no posting list of its own: its matches are found in the
   * measures' text, and checking all of them costs ~100–250 ms of work at 100k measures. Answers therefore
   * check only what their page needs and estimate the total ("约 21000"). A keyword estimated a second
   * time is asked for (a page more, another query): its matches are then worked out here, a slice at a
   * time between other chats' updates, so from then on its answers are exact and cheaper. A keyword
   * asked once (most rare ones) never costs that work.
   */
  const estimatedOnce = new LRUCache<string, true>({ max: 4096 });
  const workOutLater = (plan: QueryPlan): void => {
    const long = search.keywordsOf(plan).filter((k) => k.length > 2);
    const again = long.filter((k) => estimatedOnce.has(k));
    for (const k of long) estimatedOnce.set(k, true);
    if (again.length === 0) return;
    void catalog
      .prepare(again)
      .catch((err: unknown) => deps.log.warn({ err, event: 'search-prepare-failed' }, 'could not work out a keyword’s matches'));
  };

  /**
   * The answer to a query's page. Dates in a question pasted whole (昨天 we had an accident…, 今年 I graduate…)
   * describe the asker, not the measures: when no measure with the words falls in them but some has the words,
   * the words are searched without the dates (`q.undated` keeps them, for the line that says so), and the
   * query's pages and buttons go on without them.
   */
  const answerAsked = (q: Asked, limit: number, offset: number) => {
    const plan = q.plan ?? EVERY_MEASURE;
    const answer = (range: DateRange | null) => search.answer(plan, { limit, offset, filter: dateOptions(range, q.order), estimate: true });
    let a = answer(q.range);
    if (q.range && plan.words.length > 0 && a.total === 0) {
      const any = answer(null);
      if (any.total > 0) [a, q.undated, q.range] = [any, q.range, null];
    }
    if (a.estimated) workOutLater(plan);
    return a;
  };

  /**
   * A page as one message: the header saying what the hits are (all words, some, an agency's newest,
   * nothing) with the dates and order, the hits, and buttons (pages, order, export).
   */
  const page = (ctx: BotContext, q: Asked, key: string, p: number): { text: string; keyboard?: InlineKeyboardMarkup } => {
    const plan = q.plan ?? EVERY_MEASURE;
    const version = catalog.version();
    const cacheKey = `${ctx.lang}\u0000${p}\u0000${q.order}\u0000${q.range?.from ?? ''}\u0000${q.range?.to ?? ''}\u0000${q.undated ? 'u' : ''}\u0000${plan.key}`;
    let r = rendered.get(cacheKey);
    if (r && r.version === version && r.dropped) [q.undated, q.range] = [r.dropped, null];
    if (!r || r.version !== version) {
      const a = answerAsked(q, PAGE_SIZE, p * PAGE_SIZE);
      let text: string;
      if (a.kind === 'none' || a.total === 0) {
        const shown = escapeHtml(a.words.join(' '));
        text = q.range
          ? ctx.m.search.noneInRange(
              shown,
              escapeHtml(rangeAndOrderLabel(q.range, 'relevance', ctx.lang, { newest: '' }).replace(' · 📅 ', '')),
            )
          : a.kind === 'none'
            ? `${answerHeader(a, ctx.m)}\n${ctx.m.search.tryAgencies}`
            : ctx.m.latest.none(escapeHtml(a.agency ?? ''));
      } else {
        const pages = Math.ceil(a.total / PAGE_SIZE);
        // A listing is newest first by nature: its header names only the dates.
        const dates = escapeHtml(
          rangeAndOrderLabel(q.range, a.kind === 'latest' ? 'relevance' : q.order, ctx.lang, { newest: ctx.m.search.newestFirst }),
        );
        const head = q.plan
          ? answerHeader(a, ctx.m)
          : ctx.m.search.dateOnly(escapeHtml(rangeAndOrderLabel(q.range, 'relevance', ctx.lang, { newest: '' }).replace(' · 📅 ', '')));
        // An estimated total gives no page count to show: the page number alone.
        const pageLabel = a.estimated ? ctx.m.common.pageOnly(p + 1) : ctx.m.common.page(p + 1, pages);
        const undated = q.undated
          ? `${ctx.m.search.undated(escapeHtml(rangeAndOrderLabel(q.undated, 'relevance', ctx.lang, { newest: '' }).replace(' · 📅 ', '')))}\n`
          : '';
        const header = `${undated}${head}${q.plan ? dates : ''}${pages > 1 ? ` · ${pageLabel}` : ''}`;
        const snippet = createSnippetter(a.highlight);
        const blocks = [header, ...a.hits.map((e, i) => renderHit(e, a.highlight, ctx.m, p * PAGE_SIZE + i + 1, snippet))];
        // One page is always one message, so page buttons can edit it in place.
        text = packMessages(blocks)[0]!;
      }
      const hitRows = a.hits.map((e, i) => [Markup.button.callback(buttonLabel(`${p * PAGE_SIZE + i + 1}. ${e.title}`), `e:${e.id}`)]);
      r = { version, total: a.total, text, hitRows, dropped: q.undated };
      // An estimated page is not kept: once the keywords are worked out, the same page says the exact count.
      if (a.estimated) askedOnce.delete(cacheKey);
      else if (askedOnce.get(cacheKey) === version) rendered.set(cacheKey, r);
      else askedOnce.set(cacheKey, version);
    }
    if (r.total === 0) return { text: r.text };
    const pages = Math.ceil(r.total / PAGE_SIZE);
    const nav = [];
    if (p > 0) nav.push(Markup.button.callback(ctx.m.common.prev, `s:${key}:${p - 1}`));
    if (p + 1 < pages) nav.push(Markup.button.callback(ctx.m.common.next, `s:${key}:${p + 1}`));
    // Newest first ⇄ most relevant (a listing is by date anyway), and the results as a file.
    const tools = [Markup.button.callback(ctx.m.search.exportButton, `x:${key}`)];
    if (plan.words.length > 0)
      tools.unshift(Markup.button.callback(q.order === 'newest' ? ctx.m.search.byRelevance : ctx.m.search.byDate, `so:${key}`));
    return { text: r.text, keyboard: Markup.inlineKeyboard([...r.hitRows, ...(nav.length ? [nav] : []), tools]).reply_markup };
  };

  /** The reply to a query that cannot be searched (empty, too long, nothing searchable, only words without content). */
  const refusal = (ctx: BotContext, q: Exclude<PlanResult, { ok: true }>, text: string): string =>
    q.reason === 'no-content'
      ? ctx.m.search.noContent(escapeHtml(text.trim().slice(0, 50)))
      : { empty: ctx.m.search.empty, 'too-long': ctx.m.search.tooLong, 'no-searchable-text': ctx.m.search.noText }[q.reason];

  /**
   * A query as /search and inline mode read it: date words (本周, 3月, 最近7天) become a date range and 最新 the
   * order, the rest is planned; only date words list every measure in the range. Else the plan's refusal.
   */
  const readQuery = (text: string): { asked: Asked } | { refused: Exclude<PlanResult, { ok: true }> } => {
    const whole = search.plan(text);
    const dated =
      whole.ok || whole.reason !== 'too-long' ? understandDates(text, catalog, deps.now(), opts.timezone ?? 'Asia/Shanghai') : null;
    const q = dated && (dated.range || dated.newest) ? search.plan(dated.rest) : whole;
    const dateOnly = !q.ok && q.reason !== 'too-long' && dated?.range != null;
    if (!q.ok && !dateOnly) return { refused: whole.ok ? q : whole };
    const plan = q.ok ? q.plan : null;
    const newest = !!dated?.newest || !plan || plan.words.length === 0;
    return { asked: { plan, range: dated?.range ?? null, order: newest ? 'newest' : 'relevance', undated: null } };
  };

  const runSearch = async (ctx: BotContext, text: string) => {
    const read = readQuery(text);
    if ('refused' in read) return replyBlocks(ctx, [refusal(ctx, read.refused, text)]);
    if (ctx.from) {
      const verdict = guard.check(ctx.from.id);
      if (!verdict.ok) {
        if (verdict.notify) await replyBlocks(ctx, [ctx.m.search.slowDown(verdict.retryAfterSec)]);
        return;
      }
    }
    const asked = read.asked;
    const key = queries.put(asked);
    const { text: message, keyboard } = page(ctx, asked, key, 0);
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
    const { text, keyboard } = page(ctx, q, ctx.match[1]!, Number(ctx.match[2]));
    return editOrReply(ctx, [text], keyboard);
  });

  c.action(/^so:([0-9a-z]{1,16})$/, async (ctx) => {
    const q = queries.get(ctx.match[1]!);
    if (!q) return ctx.answerCbQuery(ctx.m.search.expired, { show_alert: true });
    await ctx.answerCbQuery();
    q.order = q.order === 'newest' ? 'relevance' : 'newest';
    const { text, keyboard } = page(ctx, q, ctx.match[1]!, 0);
    return editOrReply(ctx, [text], keyboard);
  });

  c.action(/^x:([0-9a-z]{1,16})$/, async (ctx) => {
    const q = queries.get(ctx.match[1]!);
    if (!q) return ctx.answerCbQuery(ctx.m.search.expired, { show_alert: true });
    await ctx.answerCbQuery();
    // The search's own answer, as the pages showed it (its dates dropped too when they matched nothing).
    return sendExport(ctx, deps, { plan: q.plan, range: q.range, order: q.order }, opts.timezone);
  });

  c.action(/^e:([\w-]{1,40})$/, (ctx) => showFullText(ctx, ctx.match[1]!, deps));

  c.on('inline_query', async (ctx) => {
    // Read as /search reads it: date words too (公安 3月 is the police's March measures, not the text "3月").
    const read = readQuery(ctx.inlineQuery.query);
    // Personal: answers differ by the user's language.
    if ('refused' in read)
      return ctx.answerInlineQuery([], {
        cache_time: 30,
        is_personal: true,
        button: { text: ctx.m.search.inlineHint, start_parameter: 'inline' },
      });
    const q = read.asked;
    const offset = Math.min(Number(ctx.inlineQuery.offset) || 0, 1000);
    const a = answerAsked(q, INLINE_PAGE, offset);
    const results: InlineQueryResult[] = a.hits.map((e) => ({
      type: 'article',
      id: e.id,
      title: buttonLabel(e.title, 64),
      description: `${e.agency} · ${e.date}`,
      input_message_content: {
        message_text: packMessages([renderEntryFull(e, ctx.m, { bulletins: deps.entries.bulletins() })], {
          limit: TELEGRAM_TEXT_LIMIT - 16,
        })[0]!,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      },
    }));
    // Partial matches, or dates dropped because no measure with the words fell in them, say so above the
    // results (the button is the only line inline mode shows), plainly.
    const undated = q.undated
      ? ctx.m.search.undated(escapeHtml(rangeAndOrderLabel(q.undated, 'relevance', ctx.lang, { newest: '' }).replace(' · 📅 ', '')))
      : null;
    const header = undated
      ? buttonLabel(plainText(undated), 64)
      : a.kind === 'partial' || a.corrected.length > 0
        ? buttonLabel(plainText(answerHeader(a, ctx.m)), 64)
        : null;
    return ctx.answerInlineQuery(results, {
      cache_time: 60,
      is_personal: true,
      next_offset: offset + INLINE_PAGE < a.total ? String(offset + INLINE_PAGE) : '',
      ...(header && offset === 0 ? { button: { text: header, start_parameter: 'inline' } } : {}),
    });
  });

  // Private chats: any plain text is a search. Groups: plain text is conversation, not for us.
  c.on('text', async (ctx, next) => {
    if (ctx.chat.type !== 'private' || ctx.message.text.startsWith('/')) return next();
    return runSearch(ctx, ctx.message.text);
  });
  return c;
}

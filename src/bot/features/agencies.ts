import { createHash } from 'node:crypto';
import { Composer, Markup } from 'telegraf';
import { rangeLabel } from '../../core/dates/date-words.ts';
import type { DateRange } from '../../core/dates/date-words.ts';
import { escapeHtml } from '../../core/html.ts';
import { DEFAULT_LATEST, parseLatestRequest } from '../../core/requests/latest.ts';
import { dateOptions, understandDates } from './search-dates.ts';
import { buttonLabel, renderEntrySummary } from '../../core/format/entry.ts';
import type { BotContext, FeatureDeps } from '../context.ts';
import { replyBlocks, editOrReply } from '../lib/reply.ts';

/** callback_data holds at most 64 bytes: agencies travel as a short hash of their name. */
export const agencyKey = (name: string) => createHash('sha1').update(name).digest('base64url').slice(0, 8);

export function createAgenciesFeature(deps: FeatureDeps, opts: { timezone?: string } = {}): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { catalog } = deps;

  const agencyButtons = () => {
    const rows = catalog
      .agencyStats()
      .map((a) => [
        Markup.button.callback(buttonLabel(`${catalog.directory().info(a.name)?.short ?? a.name} · ${a.count}`), `l:${agencyKey(a.name)}`),
      ]);
    return Markup.inlineKeyboard(rows).reply_markup;
  };

  const agenciesText = (ctx: BotContext) => {
    const stats = catalog.agencyStats();
    if (stats.length === 0) return [ctx.m.agencies.empty];
    return [
      ctx.m.agencies.title,
      stats
        .map((a) => `• <b>${escapeHtml(a.name)}</b> — ${ctx.m.common.agencyMeasures(a.count)}，${ctx.m.common.latestDate(a.latestDate)}`)
        .join('\n'),
    ];
  };

  /**
   * The agency's newest measures about a topic (/latest 公安 复工), read as /search reads it (near words,
   * traditional characters); null when the topic has no words or no measure of the agency holds them all.
   */
  const aboutTopic = (agency: string, words: string, n: number, range: DateRange | null) => {
    const q = deps.search.plan(words);
    if (!q.ok || q.plan.words.length === 0) return null;
    const a = deps.search.answer({ ...q.plan, agency }, { limit: n, offset: 0, filter: dateOptions(range, 'newest') });
    return a.kind === 'full' && a.hits.length > 0 ? { list: a.hits, words: a.words } : null;
  };

  const latestBlocks = (ctx: BotContext, agency: string, n: number, range: DateRange | null = null, topic = '') => {
    let about = topic ? aboutTopic(agency, topic, n, range) : null;
    // As /search answers it: dates none of the agency's measures about the topic falls in (今年 in a pasted
    // story) are dropped, and said above the list.
    let undated: DateRange | null = null;
    if (topic && !about && range) {
      about = aboutTopic(agency, topic, n, null);
      if (about) [undated, range] = [range, null];
    }
    // With date words (本周, 3月): the agency's newest measures in that range, as /search filters them.
    const list =
      about?.list ?? (range ? catalog.search([], { agency, limit: n, ...dateOptions(range, 'newest') }).hits : catalog.latest(agency, n));
    const when = range ? ` · 📅 ${escapeHtml(rangeLabel(range, ctx.lang))}` : '';
    if (list.length === 0) return { blocks: [`${ctx.m.latest.none(escapeHtml(agency))}${when}`], keyboard: undefined };
    const words = about?.words.map((w) => escapeHtml(w)).join('、') ?? '';
    const title = about
      ? `${ctx.m.latest.titleAbout(escapeHtml(agency), list.length, words)}${when}`
      : `${ctx.m.latest.title(escapeHtml(agency), list.length)}${when}`;
    const blocks = [
      undated ? `${ctx.m.search.undated(escapeHtml(rangeLabel(undated, ctx.lang)))}\n${title}` : title,
      // A topic none of the agency's measures holds: said, above its newest measures.
      ...(topic && !about ? [`<i>${escapeHtml(ctx.m.latest.noneAbout(topic))}</i>`] : []),
      ...list.map((e, i) => renderEntrySummary(e, ctx.m, { n: i + 1 })),
    ];
    const keyboard = Markup.inlineKeyboard(
      list.map((e, i) => [Markup.button.callback(buttonLabel(`${i + 1}. ${e.title}`), `e:${e.id}`)]),
    ).reply_markup;
    return { blocks, keyboard };
  };

  c.command('agencies', (ctx) => replyBlocks(ctx, agenciesText(ctx), agencyButtons()));
  c.action('agencies', async (ctx) => {
    await ctx.answerCbQuery();
    await editOrReply(ctx, agenciesText(ctx), agencyButtons());
  });
  c.action('latest', async (ctx) => {
    await ctx.answerCbQuery();
    await replyBlocks(ctx, [ctx.m.agencies.pick], agencyButtons());
  });

  c.command('latest', async (ctx) => {
    const dated = understandDates(ctx.payload, catalog, deps.now(), opts.timezone ?? 'Asia/Shanghai');
    const {
      agency: named,
      name,
      n,
      unused,
      otherAgencies,
    } = parseLatestRequest(
      dated.rest,
      (text) => deps.search.filters(text),
      (text) => catalog.directory().resolveExact(text),
    );
    if (!name) return replyBlocks(ctx, [ctx.m.agencies.pick], agencyButtons());
    const dir = catalog.directory();
    const agency = named ?? dir.resolve(name);
    if (!agency) {
      const suggestions = dir.suggest(name).filter((s) => catalog.latest(s, 1).length > 0);
      const keyboard = Markup.inlineKeyboard(
        (suggestions.length ? suggestions : catalog.agencyStats().map((a) => a.name)).map((s) => [
          Markup.button.callback(buttonLabel(s), `l:${agencyKey(s)}`),
        ]),
      ).reply_markup;
      const text = `${ctx.m.latest.unknown(escapeHtml(name.slice(0, 50)))}\n${suggestions.length ? ctx.m.latest.didYouMean : ctx.m.latest.tryAgencies}`;
      return replyBlocks(ctx, [text], keyboard);
    }
    // Words besides the agency's name are a topic (/latest 公安 复工): the agency's newest measures about it.
    const topic = named ? unused.join(' ') : '';
    const { blocks, keyboard } = latestBlocks(ctx, agency, n, dated.range, topic);
    // More agencies named (/latest 公安 司法): one is listed; the others are said, each a button away.
    const others = otherAgencies.filter((a) => a !== agency && catalog.latest(a, 1).length > 0);
    if (others.length === 0) return replyBlocks(ctx, blocks, keyboard);
    blocks.push(`<i>${escapeHtml(ctx.m.latest.otherAgencies(others.join('、')))}</i>`);
    const rows = [
      ...(keyboard?.inline_keyboard ?? []),
      ...others.map((a) => [Markup.button.callback(buttonLabel(`🏛 ${a}`), `l:${agencyKey(a)}`)]),
    ];
    return replyBlocks(ctx, blocks, Markup.inlineKeyboard(rows).reply_markup);
  });

  c.action(/^l:([\w-]{1,16})$/, async (ctx) => {
    const key = ctx.match[1];
    const agency = catalog.agencyStats().find((a) => agencyKey(a.name) === key)?.name;
    await ctx.answerCbQuery();
    if (!agency) return replyBlocks(ctx, [ctx.m.search.expired]);
    const { blocks, keyboard } = latestBlocks(ctx, agency, DEFAULT_LATEST);
    return replyBlocks(ctx, blocks, keyboard);
  });
  return c;
}

import { createHash } from 'node:crypto';
import { Composer, Markup } from 'telegraf';
import type { AgencyDirectory } from '../../core/agencies.ts';
import { rangeLabel } from '../../core/dates/date-words.ts';
import type { DateRange } from '../../core/dates/date-words.ts';
import { escapeHtml } from '../../core/html.ts';
import { foldKey } from '../../core/text.ts';
import { dateOptions, understandDates } from './search-dates.ts';
import { buttonLabel, renderEntrySummary } from '../../core/format/entry.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { replyBlocks, editOrReply } from '../lib/reply.ts';

export const DEFAULT_LATEST = 5;
export const MAX_LATEST = 20;

/** callback_data holds at most 64 bytes: agencies travel as a short hash of their name. */
export const agencyKey = (name: string) => createHash('sha1').update(name).digest('base64url').slice(0, 8);

/** "/latest 公安 3", "/latest 3 公安", "/latest 上海市 公安局": the number may stand anywhere, the rest is the name. */
export function parseLatestArgs(payload: string): { name: string; n: number } {
  const words = payload.trim().split(/\s+/).filter(Boolean);
  let n = DEFAULT_LATEST;
  const rest: string[] = [];
  for (const w of words) {
    const num = /^\d{1,3}$/.test(w.normalize('NFKC')) ? Number(w.normalize('NFKC')) : NaN;
    if (!Number.isNaN(num) && num > 0) n = Math.min(num, MAX_LATEST);
    else rest.push(w);
  }
  return { name: rest.join(' '), n };
}

/** Words of a /latest that are part of the agency's name or aliases; the others it cannot use. */
function splitAgencyWords(words: string[], agency: string, dir: AgencyDirectory): { extra: string[] } {
  const info = dir.info(agency);
  const names = [agency, info?.short, info?.en, ...(info?.aliases ?? [])].filter((n): n is string => !!n).map(foldKey);
  return { extra: words.filter((w) => !names.some((n) => n.includes(foldKey(w))) && dir.resolve(w) !== agency) };
}

export function createAgenciesFeature(deps: BotDeps, opts: { timezone?: string } = {}): Composer<BotContext> {
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

  const latestBlocks = (ctx: BotContext, agency: string, n: number, range: DateRange | null = null) => {
    // With date words (本周, 3月): the agency's newest measures in that range, as /search filters them.
    const list = range ? catalog.search([], { agency, limit: n, ...dateOptions(range, 'newest') }).hits : catalog.latest(agency, n);
    const when = range ? ` · 📅 ${escapeHtml(rangeLabel(range, ctx.lang))}` : '';
    if (list.length === 0) return { blocks: [`${ctx.m.latest.none(escapeHtml(agency))}${when}`], keyboard: undefined };
    const blocks = [
      `${ctx.m.latest.title(escapeHtml(agency), list.length)}${when}`,
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
    const { name, n } = parseLatestArgs(dated.rest);
    if (!name) return replyBlocks(ctx, [ctx.m.agencies.pick], agencyButtons());
    const dir = catalog.directory();
    const agency = dir.resolve(name);
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
    const { blocks, keyboard } = latestBlocks(ctx, agency, n, dated.range);
    // Words /latest cannot use (a keyword, not part of the name) are said, with the search that would use them.
    const words = name.split(/\s+/).filter(Boolean);
    const { extra } = splitAgencyWords(words, agency, dir);
    const named = words.filter((w) => !extra.includes(w)).join(' ') || (dir.info(agency)?.short ?? agency);
    if (extra.length) blocks.push(`<i>${escapeHtml(ctx.m.latest.unusedWords(extra.join(' '), `/search ${named} ${extra.join(' ')}`))}</i>`);
    return replyBlocks(ctx, blocks, keyboard);
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

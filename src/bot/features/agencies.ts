import { createHash } from 'node:crypto';
import { Composer, Markup } from 'telegraf';
import { escapeHtml } from '../../core/html.ts';
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

export function createAgenciesFeature(deps: BotDeps): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { catalog } = deps;

  const agencyButtons = () => {
    const rows = catalog.agencyStats().map((a) => [Markup.button.callback(buttonLabel(`${catalog.directory().info(a.name)?.short ?? a.name} · ${a.count}`), `l:${agencyKey(a.name)}`)]);
    return Markup.inlineKeyboard(rows).reply_markup;
  };

  const agenciesText = (ctx: BotContext) => {
    const stats = catalog.agencyStats();
    if (stats.length === 0) return [ctx.m.agencies.empty];
    return [ctx.m.agencies.title, stats.map((a) => `• <b>${escapeHtml(a.name)}</b> — ${ctx.m.common.agencyMeasures(a.count)}，${ctx.m.common.latestDate(a.latestDate)}`).join('\n')];
  };

  const latestBlocks = (ctx: BotContext, agency: string, n: number) => {
    const list = catalog.latest(agency, n);
    if (list.length === 0) return { blocks: [ctx.m.latest.none(escapeHtml(agency))], keyboard: undefined };
    const blocks = [ctx.m.latest.title(escapeHtml(agency), list.length), ...list.map((e, i) => renderEntrySummary(e, ctx.m, { n: i + 1 }))];
    const keyboard = Markup.inlineKeyboard(list.map((e, i) => [Markup.button.callback(buttonLabel(`${i + 1}. ${e.title}`), `e:${e.id}`)])).reply_markup;
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
    const { name, n } = parseLatestArgs(ctx.payload);
    if (!name) return replyBlocks(ctx, [ctx.m.agencies.pick], agencyButtons());
    const dir = catalog.directory();
    const agency = dir.resolve(name);
    if (!agency) {
      const suggestions = dir.suggest(name).filter((s) => catalog.latest(s, 1).length > 0);
      const keyboard = Markup.inlineKeyboard(
        (suggestions.length ? suggestions : catalog.agencyStats().map((a) => a.name)).map((s) => [Markup.button.callback(buttonLabel(s), `l:${agencyKey(s)}`)]),
      ).reply_markup;
      const text = `${ctx.m.latest.unknown(escapeHtml(name.slice(0, 50)))}\n${suggestions.length ? ctx.m.latest.didYouMean : ctx.m.latest.tryAgencies}`;
      return replyBlocks(ctx, [text], keyboard);
    }
    const { blocks, keyboard } = latestBlocks(ctx, agency, n);
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

/**
 * A measure's full text, as opened from a search hit, a digest button or a channel digest's link
 * (t.me/<bot>?start=e_<id>), with 📤 share (switch_inline_query with its title, so it can be posted in
 * any chat) and "more from this agency" (the agency's latest, see the agencies feature).
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { buttonLabel, renderEntryFull } from '../../core/format/entry.ts';
import type { StoredEntry } from '../../core/model.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { replyBlocks } from '../lib/reply.ts';
import { agencyKey } from './agencies.ts';

/** deps.entries, when given, names the newest bulletin that carried the measure (见于 系列三…). */
export function fullTextView(
  ctx: BotContext,
  e: StoredEntry,
  deps: Pick<BotDeps, 'catalog'> & Partial<Pick<BotDeps, 'entries'>>,
): { blocks: string[]; keyboard: InlineKeyboardMarkup } {
  const short = deps.catalog.directory().info(e.agency)?.short ?? e.agency;
  const keyboard = Markup.inlineKeyboard([
    [
      Markup.button.switchToChat(ctx.m.digest.share, buttonLabel(e.title, 60)),
      Markup.button.callback(buttonLabel(ctx.m.digest.moreFromAgency(short), 30), `l:${agencyKey(e.agency)}`),
    ],
  ]).reply_markup;
  return { blocks: [renderEntryFull(e, ctx.m, { bulletins: deps.entries?.bulletins() })], keyboard };
}

/** Opens a measure's full text; stale ids are answered, never left spinning. */
export async function showFullText(
  ctx: BotContext,
  id: string,
  deps: Pick<BotDeps, 'catalog'> & Partial<Pick<BotDeps, 'entries'>>,
): Promise<void> {
  const e = deps.catalog.get(id);
  if (!e) {
    if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.m.entry.notFound, { show_alert: true });
    else await replyBlocks(ctx, [ctx.m.entry.notFound]);
    return;
  }
  if (ctx.callbackQuery) await ctx.answerCbQuery();
  const { blocks, keyboard } = fullTextView(ctx, e, deps);
  await replyBlocks(ctx, blocks, keyboard);
}

/** "/start e_<id>": a measure linked from a channel digest, opened in the private chat. */
export function createFullTextLinkFeature(deps: Pick<BotDeps, 'catalog'> & Partial<Pick<BotDeps, 'entries'>>): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.start(async (ctx, next) => {
    const m = /^e_([\w-]{1,40})$/.exec(ctx.payload);
    if (!m) return next();
    await showFullText(ctx, m[1]!, deps);
  });
  return c;
}

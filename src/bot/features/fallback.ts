import { Composer } from 'telegraf';
import { escapeHtml } from '../../core/html.ts';
import type { BotContext } from '../context.ts';

/** Last: whatever no feature took. */
export function createFallbackFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on('text', async (ctx) => {
    const text = ctx.message.text;
    const m = /^\/([^\s@]+)(?:@(\S+))?/.exec(text);
    if (!m) return;
    // In groups, commands for other bots (or not addressed to anyone) stay unanswered unless they name us.
    const to = m[2];
    if (to && to.toLowerCase() !== ctx.me.toLowerCase()) return;
    if (!to && ctx.chat.type !== 'private') return;
    await ctx.reply(ctx.m.errors.unknownCommand(escapeHtml(`/${m[1]!.slice(0, 32)}`)), { parse_mode: 'HTML' });
  });
  c.on('message', async (ctx) => {
    if (ctx.chat.type === 'private') await ctx.reply(ctx.m.errors.notText);
  });
  // A button no feature knows (from an older version, or a cache forgotten after a restart): answered, so
  // the client stops its spinner, and told it is out of date.
  c.on('callback_query', (ctx) => ctx.answerCbQuery(ctx.m.search.expired));
  return c;
}

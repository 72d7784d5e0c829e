import { Composer, Markup } from 'telegraf';
import type { BotContext } from '../context.ts';

export function startKeyboard(ctx: BotContext) {
  const b = ctx.m.start.buttons;
  return Markup.inlineKeyboard([
    [Markup.button.callback(b.agencies, 'agencies'), Markup.button.callback(b.latest, 'latest')],
    [Markup.button.callback(b.search, 'try-search'), Markup.button.callback(b.subscribe, 'sub-help')],
  ]);
}

export function createStartFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const help = (ctx: BotContext) => ctx.m.start.help.replaceAll('{bot}', ctx.botInfo?.username ?? 'bot');
  c.start((ctx) => ctx.reply(`${ctx.m.start.intro}\n\n${help(ctx)}`, { parse_mode: 'HTML', ...startKeyboard(ctx) }));
  c.help((ctx) => ctx.reply(help(ctx), { parse_mode: 'HTML', ...startKeyboard(ctx) }));
  return c;
}

import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context.ts';
import { commandOf } from './gate.ts';

export type CommandContext = BotContext & { command: string; payload: string; match: RegExpExecArray };

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Composer.command for one name, matched as telegraf matches it (the exact name; a command addressed
 * to another bot goes by), with ctx.command, ctx.payload and ctx.match set as telegraf sets them.
 * Without the lazy `args` accessor telegraf defines on every command's context: defining a property
 * per update cost more than the rest of a cached /search, and nothing here reads args.
 */
export function command(name: string, handler: (ctx: CommandContext, next: () => Promise<void>) => unknown): MiddlewareFn<BotContext> {
  const trigger = new RegExp(`^${escapeRegExp(name)}$`);
  return async (ctx, next) => {
    if (commandOf(ctx) !== name) return next();
    const msg = (ctx.update as { message: { text: string; entities: { length: number }[] } }).message;
    const len = msg.entities[0]!.length;
    const to = msg.text.slice(0, len).split('@')[1];
    if (to && to.toLowerCase() !== ctx.me.toLowerCase()) return next();
    const c = Object.assign(ctx, { command: name, payload: msg.text.slice(len + 1), match: trigger.exec(name)! });
    await handler(c, next);
  };
}

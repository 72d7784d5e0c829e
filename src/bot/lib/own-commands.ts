import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context.ts';

/**
 * Commands as people type them, before any feature sees the update: `/Search 复工` and `/LATEST` are
 * `/search 复工` and `/latest` (telegraf matches command names exactly), and a command addressed to
 * another bot (`/search@OtherBot` in a group) is not ours, so no feature answers it; the words typed right after
 * a command without a space (`/latest公安`) are its payload, whole.
 */
export function ownCommands(): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const msg = ctx.message;
    if (!msg || !('text' in msg)) return next();
    const entity = msg.entities?.[0];
    if (entity?.type !== 'bot_command' || entity.offset !== 0) return next();
    const head = msg.text.slice(0, entity.length);
    const at = head.indexOf('@');
    if (at !== -1 && head.slice(at + 1).toLowerCase() !== ctx.me.toLowerCase()) return Promise.resolve();
    const name = at === -1 ? head : head.slice(0, at);
    const lower = name.toLowerCase();
    if (lower !== name) msg.text = lower + msg.text.slice(name.length);
    // "/latest公安10条": Telegram ends the command where Latin letters end, and telegraf's payload skips one
    // character after it, as if it were the space; the space is put in, so nothing typed is lost.
    const after = msg.text.charAt(entity.length);
    if (after !== '' && !/\s/.test(after)) msg.text = `${msg.text.slice(0, entity.length)} ${msg.text.slice(entity.length)}`;
    return next();
  };
}

import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context.ts';

/**
 * In a group, replies to a command quote it (reply_parameters), so they stay attached to the question in a
 * busy chat. allow_sending_without_reply: a command deleted meanwhile still gets its answer. Private chats
 * and button presses are left alone.
 */
export const quoteInGroups: MiddlewareFn<BotContext> = (ctx, next) => {
  const msg = ctx.message;
  const type = ctx.chat?.type;
  if (msg && (type === 'group' || type === 'supergroup')) {
    const quote = { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
    const reply = ctx.reply.bind(ctx);
    const replyWithDocument = ctx.replyWithDocument.bind(ctx);
    Object.assign(ctx, {
      reply: (text: Parameters<typeof reply>[0], extra?: Parameters<typeof reply>[1]) => reply(text, { ...quote, ...extra }),
      replyWithDocument: (doc: Parameters<typeof replyWithDocument>[0], extra?: Parameters<typeof replyWithDocument>[1]) =>
        replyWithDocument(doc, { ...quote, ...extra }),
    });
  }
  return next();
};

import type { InlineKeyboardMarkup } from 'telegraf/types';
import { numberParts, packMessages } from '../../core/html.ts';
import type { BotContext } from '../context.ts';

const NO_PREVIEW = { link_preview_options: { is_disabled: true } } as const;

/**
 * Replies with HTML blocks packed under Telegram's 4096-character limit; the keyboard goes on the last part.
 * In a forum topic the reply stays in the topic.
 */
export async function replyBlocks(ctx: BotContext, blocks: string[], keyboard?: InlineKeyboardMarkup): Promise<void> {
  const parts = numberParts(packMessages(blocks));
  for (const [i, text] of parts.entries()) await replyMessage(ctx, text, i === parts.length - 1 ? keyboard : undefined);
}

/**
 * Replies with one message that is already packed (a part of packMessages, as a search page keeps
 * it) or short by construction: not measured again. In a forum topic the reply stays in the topic.
 */
export async function replyMessage(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const thread =
    ctx.message && 'message_thread_id' in ctx.message && ctx.message.is_topic_message
      ? { message_thread_id: ctx.message.message_thread_id }
      : {};
  await ctx.reply(text, { parse_mode: 'HTML', ...NO_PREVIEW, ...thread, ...(keyboard ? { reply_markup: keyboard } : {}) });
}

/** For callback buttons: edit the message in place when it fits one message, else fall back to new replies. */
export async function editOrReply(ctx: BotContext, blocks: string[], keyboard?: InlineKeyboardMarkup): Promise<void> {
  const parts = packMessages(blocks);
  if (parts.length === 1 && ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(parts[0]!, { parse_mode: 'HTML', ...NO_PREVIEW, ...(keyboard ? { reply_markup: keyboard } : {}) });
      return;
    } catch (err) {
      // "message is not modified" (same page pressed twice) is not an error for the user.
      if (/message is not modified/i.test(String((err as Error).message))) return;
      throw err;
    }
  }
  await replyBlocks(ctx, blocks, keyboard);
}

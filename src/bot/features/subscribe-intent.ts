/**
 * A plain message in a private chat that asks to subscribe or to stop, not to search ("每天早上8点把公安的消息
 * 推送给我", "退订"): people who do not know the commands write this. The bot says what it understood and asks
 * with a button (✅ 订阅), or asks to confirm the unsubscription; nothing is changed before the button is pressed.
 * Other messages go on to search. The request is held for 30 minutes under a short id (callback data is at most
 * 64 bytes); a button pressed later, or after a restart, says so.
 */
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Composer, Markup } from 'telegraf';
import { message } from 'telegraf/filters';
import { escapeHtml } from '../../core/html.ts';
import { subscribeIntent } from '../../core/requests/subscribe.ts';
import type { SubscriptionStore } from '../../store/subscription-store.ts';
import type { BotContext, FeatureDeps } from '../context.ts';
import { replyBlocks } from '../lib/reply.ts';
import { readSubscription } from './subscription-request.ts';
import { filtersText, nearNote, scheduleText, subData } from './subscription-view.ts';

const HOLD_MS = 30 * 60_000;

export function createSubscribeIntentFeature(
  deps: FeatureDeps & { subscriptions: SubscriptionStore },
  defaultTime: string,
  subscribe: (ctx: BotContext, payload: string) => Promise<unknown>,
): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const store = deps.subscriptions;
  const pending = new LRUCache<string, { chatId: number; payload: string }>({ max: 1024, ttl: HOLD_MS });

  c.on(message('text'), async (ctx, next) => {
    if (ctx.chat.type !== 'private') return next();
    const text = ctx.message.text;
    const intent = subscribeIntent(text);
    if (intent === null) return next();
    if (intent === 'help') return replyBlocks(ctx, [escapeHtml(ctx.m.subscribe.help)]);
    const existing = store.get(ctx.chat.id);
    if (intent === 'unsubscribe') {
      if (!existing) return ctx.reply(ctx.m.subscribe.notSubscribed);
      const keyboard = Markup.inlineKeyboard([
        [
          Markup.button.callback(ctx.m.subscribe.unsubscribeYes, subData(existing, ctx.chat.id, 'unsub:yes')),
          Markup.button.callback(ctx.m.subscribe.unsubscribeNo, subData(existing, ctx.chat.id, 'unsub:no')),
        ],
      ]).reply_markup;
      return replyBlocks(ctx, [escapeHtml(ctx.m.subscribe.unsubscribeAsk)], keyboard);
    }
    const args = readSubscription(text, deps);
    // A time that is no time: /subscribe's own refusal, with its example.
    if (args.badTime) return subscribe(ctx, text);
    const frequency = args.frequency ?? existing?.frequency ?? 'daily';
    const schedule = scheduleText(ctx, {
      frequency,
      weekday: frequency === 'weekly' ? (args.weekday ?? existing?.weekday ?? 1) : null,
      time: args.time ?? existing?.time ?? defaultTime,
    });
    const id = randomBytes(6).toString('base64url');
    pending.set(id, { chatId: ctx.chat.id, payload: text });
    const keyboard = Markup.inlineKeyboard([[Markup.button.callback(ctx.m.subscribe.intentButton, `sub:ask:${id}`)]]).reply_markup;
    const ask = existing ? ctx.m.subscribe.intentAskUpdate(schedule) : ctx.m.subscribe.intentAsk(schedule);
    return replyBlocks(ctx, [escapeHtml(ask), `${filtersText(ctx, args.filters)}${nearNote(ctx, args.nearAdded)}`], keyboard);
  });

  c.action(/^sub:ask:([\w-]{1,16})$/, async (ctx) => {
    const held = pending.get(ctx.match[1]!);
    if (!held || held.chatId !== ctx.chat?.id) return ctx.answerCbQuery(ctx.m.subscribe.intentExpired, { show_alert: true });
    pending.delete(ctx.match[1]!);
    await ctx.answerCbQuery();
    return subscribe(ctx, held.payload);
  });
  return c;
}

/**
 * Routes telegraf's ordinary outgoing messages through the same rate limiter as the digest broadcast, so
 * replies and broadcast share one budget instead of tripping 429s on each other.
 *
 * Telegraf funnels every Bot API method through ApiClient#callApi(method, payload, options) (telegraf 4.16.3
 * src/core/network/client.ts), so wrapping that one instance method covers ctx.reply, ctx.editMessageText,
 * bot.telegram.sendMessage, etc. telegraf gives every update a fresh `new Telegram(...)` as ctx.telegram;
 * createBot (src/bot/create-bot.ts) puts bot.telegram in its place, so wrapping bot.telegram covers replies.
 */
import type { Telegram } from 'telegraf';
import type { ChatId, Priority, RateLimiter } from './rate-limiter.ts';
import { classifyTelegramError } from './telegram-errors.ts';

/**
 * Methods that post or change a message in a chat and so count against the per-chat and global message
 * limits. Deliberately absent: answerInlineQuery/answerCallbackQuery (not tied to a chat's message stream and
 * latency-sensitive), sendChatAction and deletes (not messages), and everything get*, set*, admin.
 */
export const THROTTLED_METHODS: ReadonlySet<string> = new Set([
  'sendMessage',
  'forwardMessage',
  'forwardMessages',
  'copyMessage',
  'copyMessages',
  'sendPhoto',
  'sendAudio',
  'sendDocument',
  'sendVideo',
  'sendAnimation',
  'sendVoice',
  'sendVideoNote',
  'sendMediaGroup',
  'sendLocation',
  'sendVenue',
  'sendContact',
  'sendPoll',
  'sendDice',
  'sendSticker',
  'sendInvoice',
  'sendGame',
  'editMessageText',
  'editMessageCaption',
  'editMessageMedia',
  'editMessageReplyMarkup',
  'editMessageLiveLocation',
  'stopMessageLiveLocation',
  'stopPoll',
]);

export interface ThrottleOptions {
  now?: () => number;
  /** How many times a 429 on an ordinary reply is retried (after the wait) before the error is rethrown. */
  maxRateLimitRetries?: number;
  /**
   * A user waiting on a reply is better served by an error than by a reply hours later (and telegraf's
   * handlerTimeout is 90 s by default), so longer retry_after values are rethrown at once, after pausing.
   */
  maxRateLimitWaitSec?: number;
  /** Replies default to 'high' so a user is not queued behind a 100k-chat broadcast. */
  priority?: Priority;
}

type CallApi = Telegram['callApi'];

const WRAPPED = Symbol.for('bulletin-bot.delivery.throttled');

function chatIdOf(payload: unknown): ChatId | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const id = (payload as { chat_id?: unknown }).chat_id;
  return typeof id === 'number' || typeof id === 'string' ? id : undefined;
}

/** Wraps `telegram.callApi` in place (idempotent) and returns the same instance. */
export function throttleTelegram<T extends Telegram>(telegram: T, limiter: RateLimiter, options: ThrottleOptions = {}): T {
  const marked = telegram as T & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return telegram;
  const now = options.now ?? Date.now;
  const maxRetries = options.maxRateLimitRetries ?? 2;
  const maxWaitSec = options.maxRateLimitWaitSec ?? 60;
  const priority = options.priority ?? 'high';
  const original = telegram.callApi.bind(telegram) as (...args: Parameters<CallApi>) => Promise<unknown>;

  const wrapped = async (...args: Parameters<CallApi>): Promise<unknown> => {
    const [method, payload] = args;
    const chatId = chatIdOf(payload);
    // Inline-message edits carry inline_message_id and no chat_id; they are not tied to a chat's budget.
    if (!THROTTLED_METHODS.has(method) || chatId === undefined) return original(...args);
    for (let attempt = 0; ; attempt++) {
      try {
        return await limiter.schedule(chatId, () => original(...args), { priority });
      } catch (err) {
        const c = classifyTelegramError(err);
        if (c.kind !== 'rate-limited') throw err;
        // Pause even when giving up: the broadcast sharing this limiter must back off too.
        limiter.pauseAll(now() + c.retryAfterSec * 1000);
        if (attempt >= maxRetries || c.retryAfterSec > maxWaitSec) throw err;
      }
    }
  };

  telegram.callApi = wrapped as unknown as CallApi;
  marked[WRAPPED] = true;
  return telegram;
}

import type { Update, UserFromGetMe } from 'telegraf/types';
import { createBot } from '../../src/bot/create-bot.ts';
import type { Bot } from '../../src/bot/create-bot.ts';
import type { BotConfig, BotDeps } from '../../src/bot/context.ts';
import type { Log } from '../../src/infra/log.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import type { EntryStore } from '../../src/store/entry-store.ts';
import { parseSeed, shippedAgencies } from './seed.ts';

export const TEST_BOT: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: 'Bulletin',
  username: 'BulletinTestBot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
};

export interface ApiCall {
  method: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Bot API payload as JSON: tests read whichever field the method has
  payload: Record<string, any>;
}

export interface ChatOpts {
  chatId?: number;
  chatType?: 'private' | 'group' | 'supergroup';
  userId?: number;
  lang?: string;
  threadId?: number;
}

/** A real bot over an in-memory store holding the seed, with every Bot API call recorded and answered locally. */
export function createTestBot(
  opts: { config?: Partial<BotConfig>; deps?: Partial<BotDeps>; entries?: EntryStore; api?: (call: ApiCall) => unknown } = {},
) {
  const entries = opts.entries ?? createMemoryEntryStore();
  if (!opts.entries) entries.apply(parseSeed(), new Date('2020-03-27T00:00:00Z'));
  const catalog = createCatalog(entries, shippedAgencies());
  const errors: unknown[] = [];
  const log: Log = { debug() {}, info() {}, warn() {}, error: (o) => errors.push(o) };
  let now = Date.parse('2026-11-28T08:00:00Z');
  const config: BotConfig = {
    token: '123:test',
    adminIds: [],
    timezone: 'Asia/Shanghai',
    digestTime: '09:00',
    searchRatePerMinute: 20,
    ...opts.config,
  };
  const bot: Bot = createBot(config, { entries, catalog, log, now: () => now, ...opts.deps });
  bot.botInfo = TEST_BOT;

  const calls: ApiCall[] = [];
  let messageId = 100;
  bot.telegram.callApi = (async (method: string, payload: ApiCall['payload']) => {
    const call = { method, payload: structuredClone(payload) };
    calls.push(call);
    const custom = opts.api?.(call);
    if (custom !== undefined) return custom instanceof Promise ? await custom : custom;
    if (method === 'sendMessage' || method === 'editMessageText') {
      return { message_id: payload.message_id ?? ++messageId, date: 0, chat: { id: payload.chat_id, type: 'private' }, text: payload.text };
    }
    if (method === 'getChatMember') return { status: 'member', user: { id: payload.user_id, is_bot: false, first_name: 'x' } };
    return true;
  }) as unknown as typeof bot.telegram.callApi;

  let updateId = 0;
  const from = (o: ChatOpts) => ({ id: o.userId ?? 7, is_bot: false, first_name: 'Tester', language_code: o.lang ?? 'zh-hans' });
  const chat = (o: ChatOpts) =>
    (o.chatType ?? 'private') === 'private'
      ? { id: o.chatId ?? o.userId ?? 7, type: 'private' as const, first_name: 'Tester' }
      : { id: o.chatId ?? -100200300400, type: o.chatType!, title: 'Group' };

  const handle = async (update: Omit<Update, 'update_id'>) => {
    const before = calls.length;
    await bot.handleUpdate({ update_id: ++updateId, ...update } as Update);
    return calls.slice(before);
  };

  return {
    bot,
    calls,
    errors,
    entries,
    catalog,
    advance: (ms: number) => (now += ms),
    /** A text message; a leading /command gets its bot_command entity as Telegram clients send it. */
    send(text: string, o: ChatOpts = {}) {
      // As Telegram clients mark a command: Latin letters, digits and _ (and @bot), up to the first other character.
      const cmd = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
      return handle({
        message: {
          message_id: ++messageId,
          date: 0,
          chat: chat(o),
          from: from(o),
          text,
          ...(cmd ? { entities: [{ type: 'bot_command', offset: 0, length: cmd[0].length }] } : {}),
          ...(o.threadId ? { message_thread_id: o.threadId, is_topic_message: true } : {}),
        },
      } as Omit<Update, 'update_id'>);
    },
    press(data: string, o: ChatOpts = {}) {
      return handle({
        callback_query: {
          id: String(++messageId),
          from: from(o),
          chat_instance: 'ci',
          data,
          message: { message_id: 55, date: 0, chat: chat(o), text: 'old' },
        },
      } as Omit<Update, 'update_id'>);
    },
    inline(query: string, offset = '', o: ChatOpts = {}) {
      return handle({ inline_query: { id: String(++messageId), from: from(o), query, offset } } as Omit<Update, 'update_id'>);
    },
    raw: handle,
  };
}

export const texts = (calls: ApiCall[]) =>
  calls.filter((c) => c.method === 'sendMessage' || c.method === 'editMessageText').map((c) => String(c.payload.text));
export const buttons = (call: ApiCall | undefined): { text: string; callback_data: string }[] =>
  (call?.payload.reply_markup?.inline_keyboard ?? []).flat();

/** Telegram accepts only these tags; every other '<' must have been escaped. */
export function assertValidTelegramHtml(html: string): void {
  const stripped = html.replace(/<\/?(b|i|u|s|code|pre|a(?: href="[^"]*")?|blockquote)>/g, '');
  if (/[<>]/.test(stripped)) throw new Error(`unescaped markup in: ${html.slice(0, 200)}`);
  if (/&(?!(lt|gt|amp|quot);)/.test(stripped)) throw new Error(`bare & in: ${html.slice(0, 200)}`);
}

/**
 * Simulated Telegram users and chats on top of the Bot API emulator, and a helper to run a telegraf
 * bot with real HTTP long polling against it. Test-only code.
 */
import type { Telegraf, Context } from 'telegraf';
import type { Emulator } from './bot-api-emulator.ts';
import { BOT_USER, chatFor } from './bot-api-emulator.ts';

export type ChatType = 'private' | 'group' | 'supergroup';

export interface SimulatedChatOptions {
  /** The user's id (default 1001). */
  userId?: number;
  /** Chat id (default: userId for private chats, -(userId) for groups, -100<userId> for supergroups). */
  chatId?: number;
  type?: ChatType;
  firstName?: string;
  userName?: string;
  chatTitle?: string;
  /** Bot token the user talks to (default emulator.token). */
  token?: string;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** A message the bot sent to a chat, in its current (possibly edited) state. */
export interface BotMessage {
  messageId: number;
  chatId: number | string;
  text: string;
  parseMode?: string;
  /** Inline keyboard rows, if the message has one. */
  buttons: InlineButton[][];
  /** The bot's sendMessage payload as stored (merged with later edits). */
  payload: Record<string, unknown>;
  /** When it was first sent (ms). */
  time: number;
}

interface StoredBotUpdate {
  time: number;
  botToken: string;
  messageId: number;
  message: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function toBotMessage(u: StoredBotUpdate): BotMessage {
  const markup = u.message.reply_markup as { inline_keyboard?: InlineButton[][] } | undefined;
  return {
    messageId: u.messageId,
    chatId: u.message.chat_id as number | string,
    text: typeof u.message.text === 'string' ? u.message.text : '',
    parseMode: typeof u.message.parse_mode === 'string' ? u.message.parse_mode : undefined,
    buttons: markup?.inline_keyboard ?? [],
    payload: u.message,
    time: u.time,
  };
}

/** Every message the bot sent (optionally to one chat), oldest first. */
export function botMessages(emulator: Emulator, chatId?: number | string, token = emulator.token): BotMessage[] {
  const stored = (emulator.server.storage as unknown as { botMessages: StoredBotUpdate[] }).botMessages;
  return stored
    .filter((u) => u.botToken === token && (chatId === undefined || String(u.message.chat_id) === String(chatId)))
    .map(toBotMessage);
}

/**
 * Poll the emulator's storage until `predicate(messages)` holds; resolve with the messages.
 * Rejects after `timeoutMs` with what was seen.
 */
export async function waitForBotMessages(
  emulator: Emulator,
  predicate: (messages: BotMessage[]) => boolean,
  opts: { chatId?: number | string; timeoutMs?: number; token?: string } = {},
): Promise<BotMessage[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 3000);
  for (;;) {
    const messages = botMessages(emulator, opts.chatId, opts.token);
    if (predicate(messages)) return messages;
    if (Date.now() > deadline) {
      throw new Error(
        `waitForBotMessages: timed out after ${opts.timeoutMs ?? 3000} ms; bot messages${opts.chatId !== undefined ? ` to chat ${opts.chatId}` : ''}: ${JSON.stringify(messages.map((m) => m.text))}`,
      );
    }
    await sleep(10);
  }
}

/** A user in a chat with the bot. */
export class SimulatedChat {
  readonly userId: number;
  readonly chatId: number;
  readonly type: ChatType;
  readonly token: string;
  private readonly user: { id: number; is_bot: false; first_name: string; username: string };
  private readonly chat: Record<string, unknown>;

  constructor(
    private readonly emulator: Emulator,
    opts: SimulatedChatOptions = {},
  ) {
    this.userId = opts.userId ?? 1001;
    this.type = opts.type ?? 'private';
    this.chatId =
      opts.chatId ?? (this.type === 'private' ? this.userId : this.type === 'group' ? -this.userId : Number(`-100${this.userId}`));
    this.token = opts.token ?? emulator.token;
    this.user = {
      id: this.userId,
      is_bot: false,
      first_name: opts.firstName ?? 'TestName',
      username: opts.userName ?? `user${this.userId}`,
    };
    this.chat =
      this.type === 'private'
        ? { id: this.chatId, type: 'private', first_name: this.user.first_name, username: this.user.username }
        : { id: this.chatId, type: this.type, title: opts.chatTitle ?? `Test ${this.type} ${this.chatId}` };
  }

  private client() {
    return this.emulator.server.getClient(this.token, {
      userId: this.userId,
      chatId: this.chatId,
      type: this.type,
      firstName: this.user.first_name,
      userName: this.user.username,
      chatTitle: typeof this.chat.title === 'string' ? this.chat.title : this.user.first_name,
    });
  }

  /** Send a text message; text starting with '/' is sent as a command (bot_command entity). */
  async send(text: string, extra: Record<string, unknown> = {}): Promise<void> {
    if (text.startsWith('/')) {
      await this.sendCommand(text, extra);
      return;
    }
    const client = this.client();
    const message = client.makeMessage(text, { ...extra, from: this.user, chat: this.chat } as never);
    await client.sendMessage(message as never);
  }

  /** Send a command such as '/start' or '/find fuel' (or '/start@TestNameBot' in groups). */
  async sendCommand(text: string, extra: Record<string, unknown> = {}): Promise<void> {
    const client = this.client();
    const command = client.makeCommand(text, { ...extra, from: this.user, chat: this.chat } as never);
    await client.sendCommand(command as never);
  }

  /** Send a document message (bytes are registered so the bot can getFile + download them). */
  async sendDocument(
    fileName: string,
    bytes: Buffer | string,
    opts: { caption?: string; mimeType?: string; fileId?: string } = {},
  ): Promise<string> {
    const fileId = opts.fileId ?? `doc-${this.chatId}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const file = this.emulator.addFile(fileId, bytes, { filePath: `documents/${fileName}` });
    const client = this.client();
    const message = client.makeMessage('', { from: this.user, chat: this.chat } as never) as Record<string, unknown>;
    delete message.text;
    message.document = {
      file_id: fileId,
      file_unique_id: file.fileUniqueId,
      file_name: fileName,
      mime_type: opts.mimeType ?? 'application/octet-stream',
      file_size: file.bytes.length,
    };
    if (opts.caption !== undefined) message.caption = opts.caption;
    await client.sendMessage(message as never);
    return fileId;
  }

  /**
   * Press an inline button of one of the bot's messages: sends a callback_query whose `message`
   * is that bot message. `button` is the callback_data or the button text.
   */
  async pressButton(message: BotMessage, button: string): Promise<void> {
    const flat = message.buttons.flat();
    const target = flat.find((b) => b.callback_data === button) ?? flat.find((b) => b.text === button);
    if (!target || target.callback_data === undefined) {
      throw new Error(`pressButton: no callback button "${button}" on message ${message.messageId}; buttons: ${JSON.stringify(flat)}`);
    }
    await this.sendCallback(target.callback_data, message);
  }

  /** Send a callback_query with arbitrary data, attached to `message` (if given). */
  async sendCallback(data: string, message?: BotMessage): Promise<void> {
    const client = this.client();
    const botMessage: Record<string, unknown> = message
      ? {
          message_id: message.messageId,
          from: BOT_USER,
          chat: { ...chatFor(message.chatId), ...this.chat },
          date: Math.floor(message.time / 1000),
          text: message.text,
          ...(message.buttons.length > 0 ? { reply_markup: { inline_keyboard: message.buttons } } : {}),
        }
      : { message_id: 0, from: BOT_USER, chat: this.chat, date: Math.floor(Date.now() / 1000), text: '' };
    const query = { ...client.makeCallbackQuery(data), from: this.user, message: botMessage };
    await client.sendCallback(query as never);
  }

  /** The bot's messages in this chat, current state. */
  botMessages(): BotMessage[] {
    return botMessages(this.emulator, this.chatId, this.token);
  }

  /** Wait until the bot's messages in this chat satisfy `predicate`. */
  waitForBotMessages(predicate: (messages: BotMessage[]) => boolean, timeoutMs = 3000): Promise<BotMessage[]> {
    return waitForBotMessages(this.emulator, predicate, { chatId: this.chatId, timeoutMs, token: this.token });
  }

  /** Wait for `count` more bot messages than there are now (default 1); resolves with the new ones. */
  async waitForNewBotMessages(action: () => Promise<void>, count = 1, timeoutMs = 3000): Promise<BotMessage[]> {
    const before = this.botMessages().length;
    await action();
    const all = await this.waitForBotMessages((msgs) => msgs.length >= before + count, timeoutMs);
    return all.slice(before);
  }
}

export interface RunningBot {
  /** Stop polling and wait for telegraf's loop to finish. Safe to call twice. */
  stop(): Promise<void>;
  /** Settles when polling ends (rejects with an error that escaped the bot). */
  readonly done: Promise<void>;
}

/**
 * `bot.launch()` with real long polling; resolves once the polling loop exists.
 * Always pair with `await running.stop()` in a finally/afterEach.
 */
export async function launchBot<C extends Context>(
  bot: Telegraf<C>,
  opts: { dropPendingUpdates?: boolean; timeoutMs?: number } = {},
): Promise<RunningBot> {
  let onLaunch!: () => void;
  const launched = new Promise<void>((resolve) => {
    onLaunch = resolve;
  });
  const done = bot.launch({ dropPendingUpdates: opts.dropPendingUpdates }, () => onLaunch());
  const settled = done.then(
    () => undefined,
    (e: unknown) => e,
  );
  const hasPolling = () => (bot as unknown as { polling?: unknown }).polling !== undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) {
      await settled;
      return;
    }
    stopped = true;
    // stop() throws if called before startPolling created the loop; wait for it (or for launch to fail).
    const deadline = Date.now() + 5000;
    let finished = false;
    void settled.then(() => {
      finished = true;
    });
    while (!hasPolling() && !finished && Date.now() < deadline) await sleep(5);
    if (hasPolling()) {
      try {
        bot.stop('test finished');
      } catch {
        // already stopped
      }
    }
    const error = await settled;
    if (error && (error as Error).name !== 'AbortError') throw error;
  };
  const outcome = await Promise.race([launched.then(() => 'launched' as const), settled.then((e) => e)]);
  if (outcome !== 'launched') {
    stopped = true;
    throw outcome instanceof Error ? outcome : new Error(`bot.launch ended before polling: ${String(outcome)}`);
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  while (!hasPolling() && Date.now() < deadline) {
    const early = await Promise.race([settled.then((e) => ({ e })), sleep(5).then(() => undefined)]);
    if (early) {
      stopped = true;
      throw early.e instanceof Error ? early.e : new Error('bot.launch ended before polling');
    }
  }
  return { stop, done };
}

/**
 * A local Telegram Bot API for end-to-end tests.
 *
 * Two loopback HTTP servers, both on ephemeral ports:
 *   - the back: telegram-test-api's express app (user/client routes, getMe, sendMessage, its storage);
 *   - the front (`apiRoot`): what the bot talks to. It records every call, injects faults, applies an
 *     optional sendMessage rate limit, answers the methods telegram-test-api lacks or gets wrong, and
 *     proxies the rest to the back.
 *
 * Point telegraf at it with `new Telegraf(emulator.token, { telegram: { apiRoot: emulator.apiRoot } })`.
 * Test-only code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';

export const DEFAULT_TOKEN = '123456789:AAEmulatorTestTokenAAAAAAAAAAAAAAAA';
/** A well-formed bot token for bot number `botId` (tokens select separate update queues). */
export function makeToken(botId = 123456789): string {
  return `${botId}:AAEmulatorTestToken${String(botId).padStart(16, '0')}`;
}

export const BOT_USER = { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' } as const;

/** Telegram's error body: `{ ok: false, error_code, description, parameters }`. */
export interface BotApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface InjectErrorOptions {
  /** Bot API method to fail; when omitted, any method except getUpdates. */
  method?: string;
  /** Only calls whose `chat_id` equals this. */
  chatId?: number | string;
  /** How many matching calls fail (default 1; `Infinity` for all). */
  times?: number;
  error: BotApiError;
}

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** Date.now() when the front received the call. */
  time: number;
  token: string;
  /** HTTP status of the answer (200, or the error code); 0 while the call is still being answered. */
  status: number;
  /** The JSON answer the bot got. */
  response?: unknown;
}

export interface RateLimitOptions {
  /** Calls allowed per rolling second across all chats. */
  perSecond: number;
  /** Also limit each chat to this many calls per rolling second (Telegram's ~1/s per chat); off by default. */
  perChatPerSecond?: number;
  /** Methods counted (default ['sendMessage']). */
  methods?: string[];
}

export interface EmulatorOptions {
  /** Default bot token (see `emulator.token`). */
  token?: string;
  rateLimit?: RateLimitOptions;
  /** Longest time an empty getUpdates is held waiting for an update (default 250 ms; capped by the request's `timeout`). */
  pollHoldMs?: number;
  /** Record getUpdates in `calls` too (default false: polling would flood the list). */
  recordGetUpdates?: boolean;
  /** Check sendMessage/editMessageText like Telegram does: empty text, > 4096 chars, malformed HTML (default true). */
  validateText?: boolean;
}

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  bytes: Buffer;
}

export interface RecordedEdit {
  method: 'editMessageText' | 'editMessageReplyMarkup';
  chatId: number | string;
  messageId: number;
  payload: Record<string, unknown>;
  time: number;
}

/** A custom answer for a method: return the `result`, or throw an `ApiFailure`. */
export type MethodHandler = (payload: Record<string, unknown>, ctx: { token: string; emulator: Emulator }) => unknown | Promise<unknown>;

/** Throw from a MethodHandler to answer with a Telegram error. */
export class ApiFailure extends Error {
  constructor(readonly error: BotApiError) {
    super(`${error.error_code}: ${error.description}`);
  }
}

export interface Emulator {
  /** The front's URL: pass as telegraf's `telegram.apiRoot`. */
  readonly apiRoot: string;
  /** telegram-test-api's own URL (its client routes). */
  readonly backendUrl: string;
  /** Default bot token. */
  readonly token: string;
  /** The telegram-test-api instance (in-process storage: `server.storage.botMessages`, ...). */
  readonly server: TelegramServer;
  /** Every call the bot made (getUpdates excluded unless `recordGetUpdates`). */
  readonly calls: RecordedCall[];
  /** Edits recorded by editMessageText / editMessageReplyMarkup. */
  readonly edits: RecordedEdit[];
  /** answerInlineQuery payloads. */
  readonly inlineAnswers: Record<string, unknown>[];
  /** answerCallbackQuery payloads. */
  readonly callbackAnswers: Record<string, unknown>[];
  /** Number of getUpdates calls answered. */
  readonly pollCount: number;
  /** Calls to one method (optionally one chat). */
  callsTo(method: string, chatId?: number | string): RecordedCall[];
  /** Resolve with the `index`-th (default first) answered call to `method` (optionally one chat); rejects after timeoutMs (default 3000). */
  waitForCall(method: string, opts?: { chatId?: number | string; index?: number; timeoutMs?: number }): Promise<RecordedCall>;
  /** Commands stored by setMyCommands for a scope/language (default scope). */
  commands(scope?: unknown, languageCode?: string): unknown[];
  /** Make the next matching call(s) fail. Returns a function removing the rule. */
  injectError(opts: InjectErrorOptions): () => void;
  clearErrors(): void;
  /** Change (or remove with undefined) the sendMessage rate limit. */
  setRateLimit(limit: RateLimitOptions | undefined): void;
  /**
   * Slow answers: a call to `method` (default sendMessage) is carried out at once (the message is stored, as
   * Telegram would), and its answer is held `ms` more. 0 or undefined removes it.
   */
  setLatency(ms: number | undefined, method?: string): void;
  /**
   * An outage: while on, every Bot API request's connection is cut before it is read (the client sees a
   * network error, nothing is carried out); '502' answers 502 Bad Gateway instead. undefined ends it.
   */
  setOutage(mode: 'cut' | '502' | undefined): void;
  /** Register bytes served by getFile + `GET /file/bot<token>/<path>`. */
  addFile(fileId: string, bytes: Buffer | Uint8Array | string, opts?: { filePath?: string; fileUniqueId?: string }): StoredFile;
  /** Answer a method yourself (overrides the built-ins). */
  handle(method: string, handler: MethodHandler | undefined): void;
  /** URL of a file download for a path. */
  fileUrl(filePath: string, token?: string): string;
  /**
   * Queue any update for getUpdates as Telegram would send it (channel_post, my_chat_member, …), numbered in
   * the same sequence as telegram-test-api's own; a channel_post without message_id gets one. Returns its update_id.
   */
  pushUpdate(update: Record<string, unknown>, token?: string): number;
  /** A chat getChat answers for its id and, with a username, for "@username". */
  addChat(chat: { id: number; type: 'private' | 'group' | 'supergroup' | 'channel'; title?: string; username?: string }): void;
  /** What getChatMember answers for a user (or the bot) in a chat; { status: 'member' } when not set. */
  setChatMember(chatId: number, userId: number, member: { status: string } & Record<string, unknown>): void;
  /** Forget calls, edits, answers, error rules, and telegram-test-api's stored messages. */
  reset(): void;
  /** Stop both servers (drops keep-alive sockets, releases held getUpdates). Idempotent. */
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

interface ErrorRule extends InjectErrorOptions {
  remaining: number;
}

interface StoredBotUpdate {
  time: number;
  botToken: string;
  updateId: number;
  messageId: number;
  isRead: boolean;
  message: Json;
}

interface StoredUserUpdate {
  time: number;
  botToken: string;
  updateId: number;
  messageId: number;
  isRead: boolean;
  /** An update pushed as it is (pushUpdate). */
  raw?: Json;
  message?: Json;
  callbackQuery?: Json;
  callbackId?: number;
}

const USER_EVENTS = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'] as const;

const JSON_FIELDS = new Set([
  'reply_markup',
  'entities',
  'caption_entities',
  'results',
  'commands',
  'scope',
  'allowed_updates',
  'media',
  'link_preview_options',
  'reply_parameters',
  'button',
]);

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

const MAX_TEXT = 4096;

/** Chat object as Telegram would report it, guessed from the id's sign. */
export function chatFor(chatId: number | string): Json {
  const id = Number(chatId);
  if (!Number.isFinite(id)) return { id: chatId, type: 'channel', title: String(chatId) };
  if (id > 0) return { id, type: 'private', first_name: 'TestName' };
  if (String(id).startsWith('-100')) return { id, type: 'supergroup', title: `Chat ${id}` };
  return { id, type: 'group', title: `Chat ${id}` };
}

/** Plain text of a Telegram-HTML message, or the reason Telegram would reject it. */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const stack: string[] = [];
  let text = '';
  const bytesBefore = (i: number) => Buffer.byteLength(html.slice(0, i));
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return { error: `Can't parse entities: unclosed start tag at byte offset ${bytesBefore(i)}` };
      const raw = html.slice(i + 1, end).trim();
      if (raw.startsWith('/')) {
        const name = raw.slice(1).trim().toLowerCase();
        const open = stack.pop();
        if (open === undefined || (name !== '' && name !== open)) {
          return { error: `Can't parse entities: Unexpected end tag at byte offset ${bytesBefore(i)}` };
        }
      } else {
        const name = (raw.split(/[\s/]/, 1)[0] ?? '').toLowerCase();
        if (!HTML_TAGS.has(name)) {
          return { error: `Can't parse entities: Unsupported start tag "${name}" at byte offset ${bytesBefore(i)}` };
        }
        stack.push(name);
      }
      i = end + 1;
    } else if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i, i + 12));
      if (!m) {
        return { error: `Can't parse entities: Character entity expected at byte offset ${bytesBefore(i)}` };
      }
      const ent = m[1] ?? '';
      text +=
        ent === 'lt'
          ? '<'
          : ent === 'gt'
            ? '>'
            : ent === 'amp'
              ? '&'
              : ent === 'quot'
                ? '"'
                : String.fromCodePoint(ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10));
      i += m[0].length;
    } else {
      text += ch;
      i += 1;
    }
  }
  if (stack.length > 0) {
    return { error: `Can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  }
  return { text };
}

function bad(description: string, extra: Partial<BotApiError> = {}): ApiFailure {
  return new ApiFailure({ error_code: 400, description: `Bad Request: ${description}`, ...extra });
}

function checkText(payload: Json, field: 'text' | 'caption', required: boolean): void {
  const value = payload[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw bad('message text is empty');
    return;
  }
  let plain = String(value);
  if (payload.parse_mode === 'HTML') {
    const parsed = parseTelegramHtml(plain);
    if ('error' in parsed) throw bad(parsed.error.replace(/^Can't/, "can't"));
    plain = parsed.text;
  }
  if (plain.trim() === '' && required) throw bad('message text is empty');
  const limit = field === 'text' ? MAX_TEXT : 1024;
  if (plain.length > limit) throw bad(field === 'text' ? 'message is too long' : 'message caption is too long');
}

function maybeJson(key: string, value: string): unknown {
  if (JSON_FIELDS.has(key) && /^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Minimal multipart/form-data parser (telegraf's uploads). Files become `{ filename, bytes }`. */
function parseMultipart(body: Buffer, boundary: string): Json {
  const out: Json = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString();
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) {
        out[name] = filename !== undefined ? { filename, bytes: Buffer.from(content) } : maybeJson(name, content.toString());
      }
    }
    pos = next;
  }
  return out;
}

function parseBody(req: http.IncomingMessage, body: Buffer, url: URL): Json {
  const payload: Json = {};
  for (const [k, v] of url.searchParams) payload[k] = maybeJson(k, v);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return payload;
  if (type.includes('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object') Object.assign(payload, parsed);
  } else if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) payload[k] = maybeJson(k, v);
  } else if (type.includes('multipart/form-data')) {
    const boundary = /boundary=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2];
    if (boundary) Object.assign(payload, parseMultipart(body, boundary));
  }
  return payload;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** POST JSON to the back without connection pooling (nothing lingers after close). */
function forward(backendPort: number, path: string, payload: Json): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(
      JSON.stringify(payload, (k, v: unknown) =>
        v && typeof v === 'object' && 'bytes' in v && 'filename' in v ? (v as { filename: string }).filename : v,
      ),
    );
    const req = http.request(
      {
        host: '127.0.0.1',
        port: backendPort,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        readBody(res).then((buf) => {
          let body: unknown;
          try {
            body = JSON.parse(buf.toString('utf8'));
          } catch {
            body = buf.toString('utf8');
          }
          resolve({ status: res.statusCode ?? 500, body });
        }, reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export async function startBotApiEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const defaultToken = opts.token ?? DEFAULT_TOKEN;
  const pollHoldMs = opts.pollHoldMs ?? 250;
  const validate = opts.validateText ?? true;

  // --- the back: telegram-test-api. Serve its express app ourselves on port 0 (its own start() maps port 0 to 9000).
  const tts = new TelegramServer({ host: '127.0.0.1', port: 1, storeTimeout: 3600 });
  const app = (tts as unknown as { webServer?: http.RequestListener }).webServer;
  let backend: http.Server | undefined;
  let backendPort: number;
  if (typeof app === 'function') {
    backend = http.createServer(app);
    backendPort = await listen(backend);
  } else {
    backendPort = await freePort();
    tts.config.port = backendPort;
    await tts.start();
  }
  tts.config.port = backendPort;
  tts.config.apiURL = `http://127.0.0.1:${backendPort}`;

  const calls: RecordedCall[] = [];
  const edits: RecordedEdit[] = [];
  const inlineAnswers: Json[] = [];
  const callbackAnswers: Json[] = [];
  const files = new Map<string, StoredFile>();
  const filesByPath = new Map<string, StoredFile>();
  const commandSets = new Map<string, unknown[]>();
  const chats = new Map<string, Json>();
  const members = new Map<string, Json>();
  const handlers = new Map<string, MethodHandler>();
  let errorRules: ErrorRule[] = [];
  let rateLimit = opts.rateLimit;
  let latency: { ms: number; method: string } | undefined;
  let outage: 'cut' | '502' | undefined;
  const heldAnswers = new Set<NodeJS.Timeout>();
  let rateWindow: { time: number; chat: string }[] = [];
  let pollCount = 0;
  let closed = false;
  const releaseHolds = new Set<() => void>();

  const storage = () => tts.storage as unknown as { userMessages: StoredUserUpdate[]; botMessages: StoredBotUpdate[] };
  const commandKey = (scope: unknown, lang: unknown) =>
    `${JSON.stringify(scope ?? { type: 'default' })}|${typeof lang === 'string' ? lang : ''}`;
  const findBotMessage = (chatId: unknown, messageId: unknown) =>
    storage().botMessages.find((u) => String(u.messageId) === String(messageId) && String(u.message.chat_id) === String(chatId));

  const messageObject = (u: StoredBotUpdate, extra: Json = {}): Json => {
    const { chat_id: chatId, parse_mode: _pm, reply_markup: markup, ...rest } = u.message;
    const out: Json = {
      ...rest,
      message_id: u.messageId,
      from: BOT_USER,
      chat: chats.get(String(chatId)) ?? chatFor(chatId as number),
      date: Math.floor(u.time / 1000),
      ...extra,
    };
    delete out.disable_notification;
    delete out.protect_content;
    delete out.link_preview_options;
    delete out.reply_parameters;
    if (markup && typeof markup === 'object' && 'inline_keyboard' in markup) out.reply_markup = markup;
    return out;
  };

  /** An update in Bot API shape (telegram-test-api leaks botToken, lacks chat_instance). */
  const formatUpdate = (u: StoredUserUpdate): Json => {
    if (u.raw) return { ...u.raw, update_id: u.updateId };
    if (u.callbackQuery) {
      const cq = u.callbackQuery;
      const msg = (cq.message ?? {}) as Json;
      const chat = (msg.chat ?? {}) as Json;
      return {
        update_id: u.updateId,
        callback_query: {
          id: String(u.callbackId ?? u.updateId),
          from: cq.from,
          message: msg,
          chat_instance: String(chat.id ?? ''),
          data: cq.data,
        },
      };
    }
    const { botToken: _t, ...message } = u.message ?? {};
    const chat = { ...((message.chat ?? {}) as Json) };
    if (chat.type === 'private') delete chat.title;
    else {
      delete chat.first_name;
      delete chat.username;
    }
    return { update_id: u.updateId, message: { ...message, chat, message_id: u.messageId } };
  };

  const pending = (token: string, offset: number) =>
    storage().userMessages.filter((u) => u.botToken === token && !u.isRead && u.updateId >= offset);

  const getUpdates = async (token: string, payload: Json, req: http.IncomingMessage): Promise<Json[]> => {
    pollCount += 1;
    const offset = Number(payload.offset ?? 0);
    const limit = Math.min(Math.max(Number(payload.limit ?? 100), 1), 100);
    // Telegram semantics: an offset confirms every update below it; unconfirmed ones are sent again.
    if (offset > 0) {
      for (const u of storage().userMessages) if (u.botToken === token && u.updateId < offset) u.isRead = true;
    }
    const hold = Math.min(Number(payload.timeout ?? 0) * 1000, pollHoldMs);
    if (pending(token, offset).length === 0 && hold > 0 && !closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          for (const ev of USER_EVENTS) tts.off(ev, done);
          req.off('close', done);
          releaseHolds.delete(done);
          resolve();
        };
        const timer = setTimeout(done, hold);
        for (const ev of USER_EVENTS) tts.on(ev, done);
        req.on('close', done);
        releaseHolds.add(done);
      });
    }
    return pending(token, offset).slice(0, limit).map(formatUpdate);
  };

  const edit = (method: RecordedEdit['method'], payload: Json): unknown => {
    if (payload.inline_message_id !== undefined) return true;
    const u = findBotMessage(payload.chat_id, payload.message_id);
    if (!u) throw bad('message to edit not found');
    const next: Json = { ...u.message };
    if (method === 'editMessageText') {
      if (validate) checkText(payload, 'text', true);
      next.text = payload.text;
      next.parse_mode = payload.parse_mode;
      next.entities = payload.entities;
    }
    // Like Telegram: an edit without reply_markup removes the inline keyboard.
    next.reply_markup = payload.reply_markup;
    const same =
      next.text === u.message.text && JSON.stringify(next.reply_markup ?? null) === JSON.stringify(u.message.reply_markup ?? null);
    if (same) {
      throw bad(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    u.message = next;
    edits.push({ method, chatId: payload.chat_id as number, messageId: Number(payload.message_id), payload, time: Date.now() });
    tts.emit(method === 'editMessageText' ? 'EditedMessageText' : 'EditedMessageReplyMarkup');
    return messageObject(u, { edit_date: Math.floor(Date.now() / 1000) });
  };

  const sendFile = (token: string, payload: Json, field: 'document' | 'photo'): unknown => {
    if (payload.chat_id === undefined || payload.chat_id === '') throw bad('chat_id is empty');
    if (validate) checkText(payload, 'caption', false);
    const input = payload[field];
    let stored: StoredFile | undefined;
    if (input && typeof input === 'object' && 'bytes' in input) {
      const f = input as { filename: string; bytes: Buffer };
      const id = `uploaded-${files.size + 1}`;
      stored = emulator.addFile(id, f.bytes, { filePath: `${field}s/${f.filename || id}` });
    } else if (typeof input === 'string') {
      stored = files.get(input);
    }
    const fileId = stored?.fileId ?? String(input);
    const media =
      field === 'document'
        ? {
            file_id: fileId,
            file_unique_id: stored?.fileUniqueId ?? fileId,
            file_name: stored?.filePath.split('/').pop(),
            file_size: stored?.bytes.length,
          }
        : [{ file_id: fileId, file_unique_id: stored?.fileUniqueId ?? fileId, width: 1, height: 1, file_size: stored?.bytes.length }];
    const { [field]: _drop, ...rest } = payload;
    const raw = tts.addBotMessage(
      { ...rest, text: typeof payload.caption === 'string' ? payload.caption : '', [field]: media } as never,
      token,
    );
    const u = findBotMessage(payload.chat_id, (raw as { message_id: number }).message_id);
    if (!u) throw new Error('emulator lost a stored message');
    const { text: _text, ...msg } = messageObject(u);
    return msg;
  };

  const builtins: Record<string, (token: string, payload: Json, req: http.IncomingMessage) => unknown> = {
    getUpdates: (token, payload, req) => getUpdates(token, payload, req),
    deleteWebhook: (token, payload) => {
      tts.deleteWebhook(token);
      if (payload.drop_pending_updates === true || payload.drop_pending_updates === 'true') {
        for (const u of storage().userMessages) if (u.botToken === token) u.isRead = true;
      }
      return true;
    },
    getWebhookInfo: () => ({ url: '', has_custom_certificate: false, pending_update_count: 0 }),
    setMyCommands: (_t, p) => {
      commandSets.set(commandKey(p.scope, p.language_code), Array.isArray(p.commands) ? p.commands : []);
      return true;
    },
    getMyCommands: (_t, p) => commandSets.get(commandKey(p.scope, p.language_code)) ?? [],
    deleteMyCommands: (_t, p) => {
      commandSets.delete(commandKey(p.scope, p.language_code));
      return true;
    },
    setMyDescription: () => true,
    setMyShortDescription: () => true,
    setChatMenuButton: () => true,
    sendChatAction: () => true,
    answerInlineQuery: (_t, p) => {
      inlineAnswers.push(p);
      return true;
    },
    answerCallbackQuery: (_t, p) => {
      callbackAnswers.push(p);
      return true;
    },
    getChat: (_t, p) => {
      const known = chats.get(String(p.chat_id));
      if (known) return known;
      if (typeof p.chat_id === 'string' && p.chat_id.startsWith('@')) throw bad('chat not found');
      return chatFor(p.chat_id as number);
    },
    getChatMember: (_t, p) => {
      const member = members.get(`${String(p.chat_id)}:${String(p.user_id)}`) ?? { status: 'member' };
      return { ...member, user: { id: Number(p.user_id), is_bot: Number(p.user_id) === BOT_USER.id, first_name: 'TestName' } };
    },
    editMessageText: (_t, p) => edit('editMessageText', p),
    editMessageReplyMarkup: (_t, p) => edit('editMessageReplyMarkup', p),
    deleteMessage: (_t, p) => {
      if (!tts.deleteMessage(Number(p.chat_id), Number(p.message_id))) throw bad('message to delete not found');
      return true;
    },
    sendDocument: (token, p) => sendFile(token, p, 'document'),
    sendPhoto: (token, p) => sendFile(token, p, 'photo'),
    getFile: (_t, p) => {
      const f = files.get(String(p.file_id));
      if (!f) throw bad('invalid file_id');
      return { file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: f.bytes.length, file_path: f.filePath };
    },
  };
  // Proxied to telegram-test-api: getMe, sendMessage, setWebhook (and its answers are fixed up below).
  const proxied = new Set(['getMe', 'sendMessage', 'setWebhook']);

  const checkFaults = (method: string, payload: Json): BotApiError | undefined => {
    const rule = errorRules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined ? method !== 'getUpdates' : r.method === method) &&
        (r.chatId === undefined || String(r.chatId) === String(payload.chat_id)),
    );
    if (rule) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) errorRules = errorRules.filter((r) => r !== rule);
      return rule.error;
    }
    if (rateLimit && (rateLimit.methods ?? ['sendMessage']).includes(method)) {
      const now = Date.now();
      const tooMany = (oldest: number): BotApiError => {
        const retryAfter = Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
        return { error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } };
      };
      rateWindow = rateWindow.filter((t) => t.time > now - 1000);
      if (rateWindow.length >= rateLimit.perSecond) return tooMany(rateWindow[0]?.time ?? now);
      const chat = String(payload.chat_id);
      if (rateLimit.perChatPerSecond !== undefined) {
        const inChat = rateWindow.filter((t) => t.chat === chat);
        if (inChat.length >= rateLimit.perChatPerSecond) return tooMany(inChat[0]?.time ?? now);
      }
      rateWindow.push({ time: now, chat });
    }
    return undefined;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length });
    res.end(data);
  };

  const callMethod = async (
    token: string,
    method: string,
    payload: Json,
    req: http.IncomingMessage,
  ): Promise<{ status: number; body: Json }> => {
    const fault = checkFaults(method, payload);
    if (fault) return { status: fault.error_code, body: { ok: false, ...fault } };
    try {
      const custom = handlers.get(method);
      if (custom) return { status: 200, body: { ok: true, result: await custom(payload, { token, emulator }) } };
      const builtin = builtins[method];
      if (builtin) return { status: 200, body: { ok: true, result: await builtin(token, payload, req) } };
      if (proxied.has(method)) {
        if (method === 'sendMessage') {
          if (payload.chat_id === undefined || payload.chat_id === '') throw bad('chat_id is empty');
          if (validate) checkText(payload, 'text', true);
        }
        const r = await forward(backendPort, `/bot${token}/${method}`, payload);
        const body = r.body as Json;
        if (method === 'sendMessage' && body.ok === true && body.result && typeof body.result === 'object') {
          const id = (body.result as Json).message_id;
          const u = findBotMessage(payload.chat_id, id);
          if (u) body.result = messageObject(u);
        }
        if (method === 'getMe' && body.ok === true)
          body.result = { ...BOT_USER, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
        if (method === 'setWebhook' && body.ok === true) body.result = true;
        if (r.status >= 400 || body.ok !== true) {
          return {
            status: 400,
            body: {
              ok: false,
              error_code: 400,
              description: `Bad Request: ${String(body.message ?? body.description ?? 'emulator error')}`,
            },
          };
        }
        return { status: 200, body };
      }
      return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    } catch (e) {
      if (e instanceof ApiFailure) return { status: e.error.error_code, body: { ok: false, ...e.error } };
      return { status: 500, body: { ok: false, error_code: 500, description: `Internal Server Error: ${(e as Error).message}` } };
    }
  };

  const front = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const fileMatch = /^\/file\/(?:bot|user)[^/]+(?:\/test)?\/(.+)$/.exec(url.pathname);
      if (fileMatch && req.method === 'GET') {
        const f = filesByPath.get(decodeURIComponent(fileMatch[1] ?? ''));
        if (!f) {
          send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.bytes.length });
        res.end(f.bytes);
        return;
      }
      const m = /^\/(?:bot|user)([^/]+?)(?:\/test)?\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
      if (!m) {
        send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      const token = decodeURIComponent(m[1] ?? '');
      const method = m[2] ?? '';
      if (outage === 'cut' && method !== 'getUpdates') {
        req.socket.destroy();
        return;
      }
      if (outage === '502' && method !== 'getUpdates') {
        send(res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
        return;
      }
      let payload: Json;
      try {
        payload = parseBody(req, await readBody(req), url);
      } catch {
        send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid request body' });
        return;
      }
      if (!/^\d+:[\w-]+$/.test(token)) {
        send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        return;
      }
      // Recorded on arrival (status 0 until answered), so a test that sees the effect also sees the call.
      const call: RecordedCall = { method, payload, time: Date.now(), token, status: 0 };
      if (method !== 'getUpdates' || opts.recordGetUpdates) calls.push(call);
      const { status, body } = await callMethod(token, method, payload, req);
      const answer = () => {
        call.status = status;
        call.response = body;
        send(res, status, body);
      };
      if (latency && latency.ms > 0 && latency.method === method) {
        // Carried out already (the message is stored); only the answer waits, and the call stays status 0 until it goes.
        const t = setTimeout(() => (heldAnswers.delete(t), answer()), latency.ms);
        heldAnswers.add(t);
        return;
      }
      answer();
    })().catch((e: unknown) => send(res, 500, { ok: false, error_code: 500, description: String(e) }));
  });
  front.keepAliveTimeout = 1000;
  const frontPort = await listen(front);

  const emulator: Emulator = {
    apiRoot: `http://127.0.0.1:${frontPort}`,
    backendUrl: tts.config.apiURL,
    token: defaultToken,
    server: tts,
    calls,
    edits,
    inlineAnswers,
    callbackAnswers,
    get pollCount() {
      return pollCount;
    },
    callsTo: (method, chatId) =>
      calls.filter((c) => c.method === method && (chatId === undefined || String(c.payload.chat_id) === String(chatId))),
    async waitForCall(method, waitOpts = {}) {
      const deadline = Date.now() + (waitOpts.timeoutMs ?? 3000);
      for (;;) {
        const answered = emulator.callsTo(method, waitOpts.chatId).filter((c) => c.status !== 0);
        const hit = answered[waitOpts.index ?? 0];
        if (hit) return hit;
        if (Date.now() > deadline || closed) {
          throw new Error(
            `waitForCall: no answered ${method}${waitOpts.chatId !== undefined ? ` to chat ${waitOpts.chatId}` : ''} (#${waitOpts.index ?? 0}) within ${waitOpts.timeoutMs ?? 3000} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    commands: (scope, languageCode) => commandSets.get(commandKey(scope, languageCode)) ?? [],
    injectError(rule) {
      const entry: ErrorRule = { ...rule, remaining: rule.times ?? 1 };
      errorRules.push(entry);
      return () => {
        errorRules = errorRules.filter((r) => r !== entry);
      };
    },
    clearErrors() {
      errorRules = [];
    },
    setRateLimit(limit) {
      rateLimit = limit;
      rateWindow = [];
    },
    setLatency(ms, method = 'sendMessage') {
      latency = ms ? { ms, method } : undefined;
    },
    setOutage(mode) {
      outage = mode;
    },
    addFile(fileId, bytes, fileOpts = {}) {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
      const file: StoredFile = {
        fileId,
        fileUniqueId: fileOpts.fileUniqueId ?? `u-${fileId}`,
        filePath: fileOpts.filePath ?? `documents/file_${files.size + 1}`,
        bytes: buf,
      };
      files.set(fileId, file);
      filesByPath.set(file.filePath, file);
      return file;
    },
    handle(method, handler) {
      if (handler) handlers.set(method, handler);
      else handlers.delete(method);
    },
    pushUpdate(update, token = defaultToken) {
      const server = tts as unknown as { updateId: number; messageId: number };
      const updateId = server.updateId++;
      const messageId = server.messageId++;
      const raw: Json = { ...update };
      for (const key of ['channel_post', 'message']) {
        const msg = raw[key] as Json | undefined;
        if (msg && msg.message_id === undefined) raw[key] = { ...msg, message_id: messageId };
      }
      storage().userMessages.push({ time: Date.now(), botToken: token, updateId, messageId, isRead: false, raw });
      tts.emit('AddedUserMessage');
      return updateId;
    },
    addChat(chat) {
      const json: Json = { ...chat };
      chats.set(String(chat.id), json);
      if (chat.username) chats.set(`@${chat.username}`, json);
    },
    setChatMember(chatId, userId, member) {
      members.set(`${chatId}:${userId}`, member);
    },
    fileUrl: (filePath, token = defaultToken) => `http://127.0.0.1:${frontPort}/file/bot${token}/${filePath}`,
    reset() {
      calls.length = 0;
      edits.length = 0;
      inlineAnswers.length = 0;
      callbackAnswers.length = 0;
      errorRules = [];
      rateWindow = [];
      pollCount = 0;
      storage().userMessages = [];
      storage().botMessages = [];
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of heldAnswers) clearTimeout(t);
      heldAnswers.clear();
      for (const release of [...releaseHolds]) release();
      await closeServer(front);
      if (backend) await closeServer(backend);
      else await tts.stop();
    },
  };
  return emulator;
}

/**
 * Sorts failures from telegraf calls into what the delivery loop should do next. Telegram's status codes are
 * coarse (nearly everything is a 400), so several kinds are told apart by the description text.
 * Works on telegraf's TelegramError by shape rather than instanceof, so a second telegraf copy in
 * node_modules (or a hand-built error in a test) classifies the same.
 */

export type TelegramErrorKind =
  | { kind: 'rate-limited'; retryAfterSec: number }
  | { kind: 'blocked'; description: string }
  | { kind: 'migrated'; migrateToChatId: number }
  | { kind: 'chat-not-found'; description: string }
  /** The forum topic (message_thread_id) was deleted or closed; the chat itself may still take messages. */
  | { kind: 'topic-gone'; description: string }
  | { kind: 'bad-request'; description: string }
  | { kind: 'transient'; description: string }
  /** The request was written and its answer never came (our deadline): Telegram may have acted on it. */
  | { kind: 'uncertain'; description: string }
  | { kind: 'unknown'; description: string };

/** Used when a 429 carries neither parameters.retry_after nor "retry after N" in its text. */
export const DEFAULT_RETRY_AFTER_SEC = 5;

// 400s that mean "this chat will not take our messages" rather than "this message is malformed": the bot lost
// its posting rights, or the chat is gone. Retrying the same chat cannot help, so they count as blocked.
const BLOCKED_400 = [
  /not enough rights/i,
  /have no rights to send/i,
  /need administrator rights/i,
  /CHAT_WRITE_FORBIDDEN/,
  /CHAT_RESTRICTED/,
  /group chat was deactivated/i,
  /bot was kicked/i,
];

// A forum topic deleted ("message thread not found", also Telegram's TOPIC_DELETED) or closed (TOPIC_CLOSED):
// resending without message_thread_id reaches the group's General chat.
const TOPIC_GONE_400 = [/message thread not found/i, /TOPIC_CLOSED/, /TOPIC_DELETED/, /TOPIC_ID_INVALID/];

const CHAT_NOT_FOUND_400 = [/chat not found/i, /PEER_ID_INVALID/, /user not found/i, /CHAT_ID_INVALID/];

// Socket/DNS failures worth retrying. node-fetch (used by telegraf) puts these on FetchError#code; undici's
// global fetch hides them in TypeError('fetch failed').cause.code.
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // Our connect deadline (request-timeout.ts): no connection, so nothing was written.
  'ECONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const FETCH_TRANSIENT_TYPES = new Set(['request-timeout', 'body-timeout', 'system', 'invalid-json']);

interface ApiErrorShape {
  code: number;
  description: string;
  parameters: { retry_after?: unknown; migrate_to_chat_id?: unknown } | undefined;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/** Reads telegraf's TelegramError (response.error_code/description/parameters) or a bare API error payload. */
function apiError(err: unknown): ApiErrorShape | undefined {
  const e = asRecord(err);
  if (!e) return undefined;
  const response = asRecord(e.response);
  const code = typeof response?.error_code === 'number' ? response.error_code : typeof e.error_code === 'number' ? e.error_code : undefined;
  if (code === undefined) return undefined;
  const description = String(response?.description ?? e.description ?? '');
  const parameters = asRecord(response?.parameters ?? e.parameters) as ApiErrorShape['parameters'];
  return { code, description, parameters };
}

function networkCode(err: unknown): string | undefined {
  // Walk a short cause chain: undici nests the socket error, and wrappers may nest once more.
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur; depth++) {
    const e = asRecord(cur);
    if (!e) return undefined;
    if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return e.code;
    if (typeof e.errno === 'string' && TRANSIENT_CODES.has(e.errno)) return e.errno;
    cur = e.cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(asRecord(err)?.message ?? err);
}

export function classifyTelegramError(err: unknown): TelegramErrorKind {
  const api = apiError(err);
  if (api) {
    const { code, description, parameters } = api;
    if (code === 429) {
      const fromParams = Number(parameters?.retry_after);
      const fromText = Number(/retry after (\d+)/i.exec(description)?.[1]);
      const retryAfterSec = fromParams > 0 ? fromParams : fromText > 0 ? fromText : DEFAULT_RETRY_AFTER_SEC;
      return { kind: 'rate-limited', retryAfterSec };
    }
    const migrateTo = Number(parameters?.migrate_to_chat_id);
    if (parameters?.migrate_to_chat_id !== undefined && Number.isFinite(migrateTo) && migrateTo !== 0) {
      return { kind: 'migrated', migrateToChatId: migrateTo };
    }
    if (code === 403) return { kind: 'blocked', description };
    if (code === 400) {
      if (TOPIC_GONE_400.some((re) => re.test(description))) return { kind: 'topic-gone', description };
      if (CHAT_NOT_FOUND_400.some((re) => re.test(description))) return { kind: 'chat-not-found', description };
      if (BLOCKED_400.some((re) => re.test(description))) return { kind: 'blocked', description };
      return { kind: 'bad-request', description };
    }
    // 409 is "terminated by other getUpdates request" / webhook conflicts: another instance is still up and
    // may go away, so waiting beats giving up.
    if (code >= 500 || code === 409) return { kind: 'transient', description: `${code}: ${description}` };
    // 401/404 (bad token, unknown method) are configuration faults: retrying cannot fix them.
    return { kind: 'unknown', description: `${code}: ${description}` };
  }

  if (asRecord(err)?.name === 'UncertainRequestError') return { kind: 'uncertain', description: messageOf(err) };
  const netCode = networkCode(err);
  const message = messageOf(err);
  if (netCode) return { kind: 'transient', description: `${netCode}: ${message}` };
  const e = asRecord(err);
  // node-fetch FetchError without a socket code: its own timeout, a cut-off body, or an HTML error page from a
  // proxy in front of the API where JSON was expected (telegraf calls res.json() on every status below 500).
  if (e?.name === 'FetchError' && typeof e.type === 'string' && FETCH_TRANSIENT_TYPES.has(e.type)) {
    return { kind: 'transient', description: message };
  }
  if (err instanceof TypeError && message === 'fetch failed') return { kind: 'transient', description: message };
  // Our own request timeout (withRequestTimeout): the server may or may not have taken the message.
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return { kind: 'transient', description: `request timed out: ${message}` };
  return { kind: 'unknown', description: message };
}

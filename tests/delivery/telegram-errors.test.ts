import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import { TelegramError } from 'telegraf';
import { classifyTelegramError } from '../../src/delivery/telegram-errors.ts';
import type { TelegramErrorKind } from '../../src/delivery/telegram-errors.ts';

// The real FetchError telegraf's transport (node-fetch 2) throws, so network cases have the true shape.
const { FetchError } = createRequire(import.meta.url)('node-fetch') as {
  FetchError: new (message: string, type: string, systemError?: { code: string }) => Error;
};

const URL = 'https://api.telegram.org/bot123:[REDACTED]/sendMessage';

function tgError(error_code: number, description: string, parameters?: { retry_after?: number; migrate_to_chat_id?: number }) {
  return new TelegramError(
    { error_code, description, ...(parameters && { parameters }) },
    { method: 'sendMessage', payload: { chat_id: 1, text: 'x' } },
  );
}

function sysError(code: string): Error & { code: string } {
  return Object.assign(new Error(`read ${code}`), { code, errno: code, syscall: 'read' });
}

const cases: [string, unknown, TelegramErrorKind][] = [
  [
    '429 with parameters',
    tgError(429, 'Too Many Requests: retry after 35', { retry_after: 35 }),
    { kind: 'rate-limited', retryAfterSec: 35 },
  ],
  ['429 with only the text', tgError(429, 'Too Many Requests: retry after 12'), { kind: 'rate-limited', retryAfterSec: 12 }],
  ['429 with nothing to go on', tgError(429, 'Too Many Requests'), { kind: 'rate-limited', retryAfterSec: 5 }],
  [
    'blocked by user',
    tgError(403, 'Forbidden: bot was blocked by the user'),
    { kind: 'blocked', description: 'Forbidden: bot was blocked by the user' },
  ],
  [
    'kicked from group',
    tgError(403, 'Forbidden: bot was kicked from the group chat'),
    { kind: 'blocked', description: 'Forbidden: bot was kicked from the group chat' },
  ],
  [
    'kicked from supergroup',
    tgError(403, 'Forbidden: bot was kicked from the supergroup chat'),
    { kind: 'blocked', description: 'Forbidden: bot was kicked from the supergroup chat' },
  ],
  ['user deactivated', tgError(403, 'Forbidden: user is deactivated'), { kind: 'blocked', description: 'Forbidden: user is deactivated' }],
  [
    "can't initiate",
    tgError(403, "Forbidden: bot can't initiate conversation with a user"),
    { kind: 'blocked', description: "Forbidden: bot can't initiate conversation with a user" },
  ],
  [
    'not a channel member',
    tgError(403, 'Forbidden: bot is not a member of the channel chat'),
    { kind: 'blocked', description: 'Forbidden: bot is not a member of the channel chat' },
  ],
  [
    'not enough rights (a 400)',
    tgError(400, 'Bad Request: not enough rights to send text messages to the chat'),
    { kind: 'blocked', description: 'Bad Request: not enough rights to send text messages to the chat' },
  ],
  [
    'no rights to send',
    tgError(400, 'Bad Request: have no rights to send a message'),
    { kind: 'blocked', description: 'Bad Request: have no rights to send a message' },
  ],
  [
    'channel admin rights',
    tgError(400, 'Bad Request: need administrator rights in the channel chat'),
    { kind: 'blocked', description: 'Bad Request: need administrator rights in the channel chat' },
  ],
  [
    'group upgraded',
    tgError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001987654321 }),
    { kind: 'migrated', migrateToChatId: -1001987654321 },
  ],
  ['chat not found', tgError(400, 'Bad Request: chat not found'), { kind: 'chat-not-found', description: 'Bad Request: chat not found' }],
  [
    'PEER_ID_INVALID',
    tgError(400, 'Bad Request: PEER_ID_INVALID'),
    { kind: 'chat-not-found', description: 'Bad Request: PEER_ID_INVALID' },
  ],
  // A forum topic deleted or closed: the chat still works, the topic does not.
  [
    'topic deleted (thread not found)',
    tgError(400, 'Bad Request: message thread not found'),
    { kind: 'topic-gone', description: 'Bad Request: message thread not found' },
  ],
  ['topic closed', tgError(400, 'Bad Request: TOPIC_CLOSED'), { kind: 'topic-gone', description: 'Bad Request: TOPIC_CLOSED' }],
  ['topic deleted', tgError(400, 'Bad Request: TOPIC_DELETED'), { kind: 'topic-gone', description: 'Bad Request: TOPIC_DELETED' }],
  [
    'message too long',
    tgError(400, 'Bad Request: message is too long'),
    { kind: 'bad-request', description: 'Bad Request: message is too long' },
  ],
  [
    "can't parse entities",
    tgError(400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 12"),
    { kind: 'bad-request', description: "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 12" },
  ],
  // telegraf builds 5xx errors from the HTTP status line (client.ts: { error_code: res.status, description: res.statusText }).
  ['502 from telegraf', tgError(502, 'Bad Gateway'), { kind: 'transient', description: '502: Bad Gateway' }],
  ['500 from telegraf', tgError(500, 'Internal Server Error'), { kind: 'transient', description: '500: Internal Server Error' }],
  [
    '409 conflict',
    tgError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'),
    {
      kind: 'transient',
      description: '409: Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    },
  ],
  ['401 bad token', tgError(401, 'Unauthorized'), { kind: 'unknown', description: '401: Unauthorized' }],
  [
    'bare API payload',
    { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    { kind: 'blocked', description: 'Forbidden: bot was blocked by the user' },
  ],
  [
    'node-fetch ECONNRESET',
    new FetchError(`request to ${URL} failed, reason: read ECONNRESET`, 'system', sysError('ECONNRESET')),
    { kind: 'transient', description: `ECONNRESET: request to ${URL} failed, reason: read ECONNRESET` },
  ],
  [
    'node-fetch ETIMEDOUT',
    new FetchError(`request to ${URL} failed, reason: connect ETIMEDOUT 149.154.167.220:443`, 'system', sysError('ETIMEDOUT')),
    { kind: 'transient', description: `ETIMEDOUT: request to ${URL} failed, reason: connect ETIMEDOUT 149.154.167.220:443` },
  ],
  [
    'node-fetch ECONNREFUSED',
    new FetchError(`request to ${URL} failed, reason: connect ECONNREFUSED 127.0.0.1:8081`, 'system', sysError('ECONNREFUSED')),
    { kind: 'transient', description: `ECONNREFUSED: request to ${URL} failed, reason: connect ECONNREFUSED 127.0.0.1:8081` },
  ],
  [
    'node-fetch own timeout',
    new FetchError(`network timeout at: ${URL}`, 'request-timeout'),
    { kind: 'transient', description: `network timeout at: ${URL}` },
  ],
  [
    'proxy HTML instead of JSON',
    new FetchError(`invalid json response body at ${URL} reason: Unexpected token < in JSON at position 0`, 'invalid-json'),
    { kind: 'transient', description: `invalid json response body at ${URL} reason: Unexpected token < in JSON at position 0` },
  ],
  [
    'undici fetch failed',
    new TypeError('fetch failed', { cause: sysError('ECONNRESET') }),
    { kind: 'transient', description: 'ECONNRESET: fetch failed' },
  ],
  [
    'undici connect timeout',
    new TypeError('fetch failed', { cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) }),
    { kind: 'transient', description: 'UND_ERR_CONNECT_TIMEOUT: fetch failed' },
  ],
  ['undici fetch failed, no cause', new TypeError('fetch failed'), { kind: 'transient', description: 'fetch failed' }],
  // Sends carry no caller signal but our request timeout (withRequestTimeout), so an aborted send timed out.
  [
    'request timeout (node-fetch abort)',
    Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' }),
    { kind: 'transient', description: 'request timed out: The user aborted a request.' },
  ],
  [
    'programming error',
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    { kind: 'unknown', description: "Cannot read properties of undefined (reading 'id')" },
  ],
  ['thrown string', 'nope', { kind: 'unknown', description: 'nope' }],
  ['thrown null', null, { kind: 'unknown', description: 'null' }],
];

describe('classifyTelegramError', () => {
  it.each(cases)('%s', (_name, err, expected) => {
    expect(classifyTelegramError(err)).toEqual(expected);
  });

  it('reads the fields off a real TelegramError the way telegraf exposes them', () => {
    const err = tgError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -100555 });
    expect(err).toBeInstanceOf(TelegramError);
    expect(err.code).toBe(400);
    expect(err.parameters?.migrate_to_chat_id).toBe(-100555);
    expect(classifyTelegramError(err)).toEqual({ kind: 'migrated', migrateToChatId: -100555 });
  });
});

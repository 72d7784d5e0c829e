/**
 * Every Bot API request has a deadline, in two phases:
 * - connect (DNS, TCP, TLS): short (default 10 s). A connection not made by then is destroyed with
 *   ECONNECT_TIMEOUT: nothing was written, so the request is safe to retry (a transient error).
 * - the answer: long (default 60 s). A request still unanswered then has been written (it had its connection
 *   within the connect deadline, and a Bot API request is a few kB written at once), so Telegram may have
 *   taken it: it ends with an UncertainRequestError, which the deliverer reports as 'uncertain', never as a
 *   plain failure to resend.
 * telegraf sets no timeout of its own (500 s in node-fetch). Calls that bring their own signal (getUpdates
 * with its long-poll timeout) keep it. Apply before throttleTelegram, so the deadline covers the HTTP call,
 * not the wait in the limiter's queue.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Telegram } from 'telegraf';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface RequestTimeouts {
  /** Connection (DNS + TCP + TLS) deadline. */
  connectMs?: number;
  /** Answer deadline, counted from the call; must exceed connectMs. */
  requestMs?: number;
}

/** The answer did not come in time after the request was written: Telegram may or may not have acted on it. */
export class UncertainRequestError extends Error {
  override readonly name = 'UncertainRequestError';
  constructor(
    readonly method: string,
    readonly ms: number,
  ) {
    super(`${method}: no answer within ${ms} ms after the request was sent; Telegram may have taken it`);
  }
}

/** An agent (keep-alive, like telegraf's own) whose connections must be made within `connectMs`. */
export function connectTimeoutAgent(apiRoot: string, connectMs: number): http.Agent {
  const agent = apiRoot.startsWith('http://')
    ? new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000 })
    : new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000 });
  // createConnection is on the prototype of both agents; @types/node does not declare it.
  const withCreate = agent as unknown as { createConnection: (opts: unknown, cb?: unknown) => Socket };
  const create = withCreate.createConnection.bind(agent);
  withCreate.createConnection = (opts, cb) => {
    const socket = create(opts, cb);
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`could not connect within ${connectMs} ms`), { code: 'ECONNECT_TIMEOUT' }));
    }, connectMs);
    timer.unref();
    const done = () => clearTimeout(timer);
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', done);
    socket.once('close', done);
    return socket;
  };
  return agent;
}

const DEFAULT_ROOT = 'https://api.telegram.org';

export function withRequestTimeout<T extends Telegram>(telegram: T, timeouts: RequestTimeouts | number = {}): T {
  const t = typeof timeouts === 'number' ? { requestMs: timeouts } : timeouts;
  const requestMs = t.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // A connection is never given longer than the whole request.
  const connectMs = Math.min(t.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS, requestMs);
  // telegraf drops a given agent for http:// roots in its constructor, so it is set on the options after it.
  const options = (telegram as unknown as { options: { apiRoot?: string; agent?: http.Agent } }).options;
  options.agent = connectTimeoutAgent(options.apiRoot ?? DEFAULT_ROOT, connectMs);
  const call = telegram.callApi.bind(telegram);
  // telegraf types its signal with the abort-controller polyfill; Node's own AbortSignal is what it really uses.
  type Opts = Parameters<T['callApi']>[2];
  const timed = (async (method: string, payload: unknown, opts: { signal?: unknown } = {}) => {
    if (opts.signal) return call(method as never, payload as never, opts as Opts);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), requestMs);
    try {
      return await call(method as never, payload as never, { ...opts, signal: deadline.signal } as Opts);
    } catch (err) {
      // Ours, not a network error that came first: the request is in Telegram's hands, answer unknown.
      if (deadline.signal.aborted) throw new UncertainRequestError(method, requestMs);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }) as T['callApi'];
  telegram.callApi = timed;
  return telegram;
}

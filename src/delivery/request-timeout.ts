import type { Telegram } from 'telegraf';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * telegraf sets no timeout on Bot API requests: a request that never answers would hold its rate-limiter slot
 * (and its chat's queue) forever. Calls made without a signal of their own get one that aborts after `ms`;
 * getUpdates brings its own signal (and its long-poll timeout), so polling is untouched.
 * Apply before throttleTelegram, so the timeout covers the HTTP call, not the wait in the limiter's queue.
 */
export function withRequestTimeout<T extends Telegram>(telegram: T, ms = DEFAULT_REQUEST_TIMEOUT_MS): T {
  const call = telegram.callApi.bind(telegram);
  // telegraf types its signal with the abort-controller polyfill; Node's own AbortSignal is what it really uses.
  type Opts = Parameters<T['callApi']>[2];
  const timed = ((method: string, payload: unknown, opts: { signal?: unknown } = {}) =>
    call(method as never, payload as never, (opts.signal ? opts : { ...opts, signal: AbortSignal.timeout(ms) }) as Opts)) as T['callApi'];
  telegram.callApi = timed;
  return telegram;
}

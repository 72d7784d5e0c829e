import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Telegram } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import { withRequestTimeout } from '../../src/delivery/request-timeout.ts';
import { classifyTelegramError } from '../../src/delivery/telegram-errors.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A Bot API that accepts the connection and never answers. */
async function silentApi(): Promise<string> {
  server = createServer(() => {});
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('withRequestTimeout', () => {
  it('ends a request that never answers, as a transient error the deliverer retries', async () => {
    const tg = withRequestTimeout(new Telegram('123:abc', { apiRoot: await silentApi() }), 200);
    const err = await tg.sendMessage(1, 'hi').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    expect(classifyTelegramError(err)).toMatchObject({ kind: 'transient' });
  });

  it('leaves a call that brings its own signal (getUpdates) to that signal', async () => {
    const tg = withRequestTimeout(new Telegram('123:abc', { apiRoot: await silentApi() }), 50);
    const own = new AbortController();
    let settled = false;
    // telegraf types the signal with the abort-controller polyfill; Node's AbortSignal is what it uses.
    const p = tg.callApi('getUpdates', { timeout: 50 }, { signal: own.signal as never }).then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false); // 50 ms would have ended it: the caller's signal rules
    own.abort();
    await p;
    expect(settled).toBe(true);
  });
});

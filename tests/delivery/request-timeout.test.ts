import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import { Telegram } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import { UncertainRequestError, withRequestTimeout } from '../../src/delivery/request-timeout.ts';
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
  it('ends a request written and never answered as uncertain (Telegram may have taken it), never as a plain failure', async () => {
    const tg = withRequestTimeout(new Telegram('123:abc', { apiRoot: await silentApi() }), { connectMs: 100, requestMs: 300 });
    const started = Date.now();
    const err = await tg.sendMessage(1, 'hi').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UncertainRequestError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(classifyTelegramError(err)).toMatchObject({ kind: 'uncertain' });
  });

  it('a connection that is never made ends at the short connect deadline, as a transient error (nothing was written)', async () => {
    // A TCP server that never answers the TLS handshake: the connection is not "made" for an https root.
    const sockets: Socket[] = [];
    const tcp: TcpServer = createTcpServer((s) => void sockets.push(s));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    try {
      const root = `https://127.0.0.1:${(tcp.address() as { port: number }).port}`;
      const tg = withRequestTimeout(new Telegram('123:abc', { apiRoot: root }), { connectMs: 150, requestMs: 5_000 });
      const started = Date.now();
      const err = await tg.sendMessage(1, 'hi').then(
        () => null,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(classifyTelegramError(err)).toMatchObject({ kind: 'transient', description: expect.stringContaining('ECONNECT_TIMEOUT') });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    }
  });

  it('leaves a call that brings its own signal (getUpdates) to that signal', async () => {
    const tg = withRequestTimeout(new Telegram('123:abc', { apiRoot: await silentApi() }), { connectMs: 5_000, requestMs: 50 });
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

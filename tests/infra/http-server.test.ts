import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Telegraf } from 'telegraf';
import { createHttpServer } from '../../src/infra/http-server.ts';
import type { HealthReport, HttpServer, HttpServerOptions } from '../../src/infra/http-server.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { TEST_BOT } from '../helpers/bot-harness.ts';

const SECRET = 'test_secret-ABC123';
const log = createLogger({ level: 'silent' });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(
  port: number,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may close early (401/413) while we are still writing; the response is what matters.
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

describe('createHttpServer', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(overrides: Partial<HttpServerOptions> = {}): Promise<number> {
    server = createHttpServer({ port: 0, host: '127.0.0.1', log, ...overrides });
    return server.listen();
  }

  /** A telegraf bot whose one middleware is `handle` (by default: remember the update), behind the server's webhook. */
  function webhookServer(handled: unknown[], handle?: (u: unknown) => Promise<void>, secret = SECRET): Promise<number> {
    const bot = new Telegraf('123:abc');
    bot.botInfo = TEST_BOT;
    bot.use((ctx) => (handle ?? (async (u) => void handled.push(u)))(ctx.update));
    // As createBot's: a failed update is logged, not thrown.
    bot.catch((err) => void handled.push({ failed: (err as Error).message }));
    return start({ webhook: { path: '/tg/hook', callback: bot.webhookCallback('/tg/hook', { secretToken: secret }) }, maxBodyBytes: 1024 });
  }

  const healthy: HealthReport = { storeReadable: true, schedulerAlive: true, lastDigestRun: '2025-01-02T01:00:00.000Z' };

  it('GET /healthz answers 200 with the report when healthy', async () => {
    const port = await start({ health: () => healthy });
    const res = await call(port, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', ...healthy });
  });

  it('GET /healthz answers 503 when the store is unreadable or the scheduler is dead', async () => {
    let report: HealthReport = { ...healthy, storeReadable: false };
    const port = await start({ health: async () => report });
    const a = await call(port, 'GET', '/healthz');
    expect(a.status).toBe(503);
    expect(JSON.parse(a.body)).toMatchObject({ status: 'unhealthy', storeReadable: false });
    report = { ...healthy, schedulerAlive: false, lastDigestRun: null };
    const b = await call(port, 'GET', '/healthz');
    expect(b.status).toBe(503);
    expect(JSON.parse(b.body)).toMatchObject({ schedulerAlive: false, lastDigestRun: null });
  });

  it('GET /healthz answers 503 when the check throws or hangs', async () => {
    const port = await start({
      health: () => {
        throw new Error('store gone');
      },
    });
    const res = await call(port, 'GET', '/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'store gone' });
    await server?.close();
    const port2 = await start({ health: () => new Promise<HealthReport>(() => {}), healthTimeoutMs: 50 });
    expect((await call(port2, 'GET', '/healthz')).status).toBe(503);
  });

  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    const port = await webhookServer([]);
    expect((await call(port, 'GET', '/')).status).toBe(404);
    expect((await call(port, 'GET', '/healthz')).status).toBe(404); // no health check configured
    const res = await call(port, 'GET', '/tg/hook', { headers: { 'x-telegram-bot-api-secret-token': SECRET } });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('POST');
  });

  it('hands a correctly authenticated update to the handler and answers 200', async () => {
    const handled: unknown[] = [];
    const port = await webhookServer(handled);
    const update = { update_id: 7, message: { text: 'hi' } };
    const res = await call(port, 'POST', '/tg/hook?x=1', {
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    expect(handled).toEqual([update]);
  });

  it('refuses a missing or wrong secret with 401 and never calls the handler', async () => {
    const handled: unknown[] = [];
    const port = await webhookServer(handled);
    const body = JSON.stringify({ update_id: 1 });
    const missing = await call(port, 'POST', '/tg/hook', { body });
    const wrong = await call(port, 'POST', '/tg/hook', { headers: { 'x-telegram-bot-api-secret-token': `${SECRET}x` }, body });
    const empty = await call(port, 'POST', '/tg/hook', { headers: { 'x-telegram-bot-api-secret-token': '' }, body });
    expect([missing.status, wrong.status, empty.status]).toEqual([401, 401, 401]);
    expect(handled).toEqual([]);
  });

  it('refuses a request without the header even when the secret is spelled "undefined"', async () => {
    const handled: unknown[] = [];
    const port = await webhookServer(handled, undefined, 'undefined');
    expect((await call(port, 'POST', '/tg/hook', { body: '{"update_id":1}' })).status).toBe(401);
    expect(
      (await call(port, 'POST', '/tg/hook', { headers: { 'x-telegram-bot-api-secret-token': 'undefined' }, body: '{"update_id":2}' }))
        .status,
    ).toBe(200);
    expect(handled).toEqual([{ update_id: 2 }]);
  });

  it('refuses a bad secret before reading the body: the 401 arrives while the body is still unsent', async () => {
    const handled: unknown[] = [];
    const port = await webhookServer(handled);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/tg/hook',
          agent: false,
          headers: { 'x-telegram-bot-api-secret-token': 'wrong', 'content-length': '100' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.flushHeaders(); // headers only; the promised 100 bytes never come
    });
    expect(status).toBe(401);
    expect(handled).toEqual([]);
  });

  it('refuses an oversized body with 413, declared or streamed', async () => {
    const handled: unknown[] = [];
    const port = await webhookServer(handled);
    const big = JSON.stringify({ update_id: 1, pad: 'x'.repeat(5000) });
    const declared = await call(port, 'POST', '/tg/hook', { headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: big });
    expect(declared.status).toBe(413);
    // Chunked: no content-length, so the limit must be enforced while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/tg/hook',
          agent: false,
          headers: { 'x-telegram-bot-api-secret-token': SECRET, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(big.slice(0, 2000));
      req.end(big.slice(2000));
    });
    expect(chunked).toBe(413);
    expect(handled).toEqual([]);
  });

  it("refuses a body that is not JSON (415, telegraf's answer) without calling the handler", async () => {
    const handled: unknown[] = [];
    const port = await webhookServer(handled);
    const headers = { 'x-telegram-bot-api-secret-token': SECRET };
    expect((await call(port, 'POST', '/tg/hook', { headers, body: '{not json' })).status).toBe(415);
    expect(handled).toEqual([]);
  });

  it('still answers 200 when the handler throws, so Telegram does not redeliver forever', async () => {
    let calls = 0;
    const port = await webhookServer([], async () => {
      calls++;
      throw new Error('handler bug');
    });
    const res = await call(port, 'POST', '/tg/hook', { headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: '{"update_id":3}' });
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
    expect(server?.inFlight()).toBe(0);
  });

  it('close() waits for in-flight updates and then closes keep-alive connections', async () => {
    let finish: () => void = () => {};
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((r) => (started = r));
    const port = await webhookServer([], () => {
      started();
      return new Promise<void>((r) => (finish = r));
    });
    const pending = call(port, 'POST', '/tg/hook', {
      headers: { 'x-telegram-bot-api-secret-token': SECRET, connection: 'keep-alive' },
      body: '{"update_id":9}',
    });
    await handlerStarted;
    expect(server?.inFlight()).toBe(1);
    let closed = false;
    const closing = server!.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    finish();
    expect((await pending).status).toBe(200);
    await closing;
    expect(closed).toBe(true);
    expect(server?.server.listening).toBe(false);
  });

  it('close() gives up on a hung handler after the grace period', async () => {
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((r) => (started = r));
    const port = await webhookServer([], () => {
      started();
      return new Promise<void>(() => {});
    });
    const pending = call(port, 'POST', '/tg/hook', {
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      body: '{"update_id":10}',
    }).catch((e: unknown) => e);
    await handlerStarted;
    const t0 = Date.now();
    await server!.close(50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(server?.server.listening).toBe(false);
    // The client sees its connection dropped rather than a reply.
    expect(await pending).toBeInstanceOf(Error);
  });
});

/**
 * A small node:http server for the health probe and (optionally) the Telegram webhook. Plain node:http
 * rather than a framework: two routes. The webhook is telegraf's own webhookCallback, which checks the
 * secret token before it reads the body; in front of it, only what telegraf does not do: a cap on the body.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from './log.ts';

export interface HealthReport {
  storeReadable: boolean;
  schedulerAlive: boolean;
  /** ISO time of the last completed digest run, null if none yet. */
  lastDigestRun: string | null;
  /** Free space in DATA_DIR against its floor: unhealthy below it (disk-space.ts). */
  disk?: { path: string; freeMb: number; minFreeMb: number; ok: boolean };
  /** The last failed write of a store, and whether writes are failing still (unhealthy while they are). */
  writes?: { lastError: { at: string; message: string; store: string } | null; failing: boolean };
  /** Anything else worth showing to an operator (queue lengths, version…). */
  details?: Record<string, unknown>;
}

export interface WebhookOptions {
  /** Path Telegram posts to, e.g. the pathname of WEBHOOK_URL. */
  path: string;
  /**
   * telegraf's bot.webhookCallback(path, { secretToken }): it handles a POST to `path` that carries the secret
   * (checked before the body is read) and answers once the update is handled; anything else goes to next().
   */
  callback: (req: IncomingMessage, res: ServerResponse, next: () => void) => Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  health?: () => Promise<HealthReport> | HealthReport;
  webhook?: WebhookOptions;
  log: Log;
  /** Default 1 MB; Telegram updates are a few KB, so anything near this is not from Telegram. */
  maxBodyBytes?: number;
  /** A hung health check must not hang the probe; it reports unhealthy instead. Default 5 s. */
  healthTimeoutMs?: number;
}

export interface HttpServer {
  /** Resolves with the bound port (useful with port 0). */
  listen(): Promise<number>;
  /**
   * Stops accepting, waits up to `graceMs` (default 10 s) for in-flight webhook updates, then drops all
   * connections, keep-alive ones included. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
  /** Webhook updates currently being handled. */
  inFlight(): number;
  readonly server: Server;
}

export const HEALTH_PATH = '/healthz';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const DEFAULT_MAX_BODY = 1024 * 1024;

export function isHealthy(report: HealthReport): boolean {
  return report.storeReadable && report.schedulerAlive && report.disk?.ok !== false && report.writes?.failing !== true;
}

/**
 * The request as telegraf's webhook callback reads it, its body cut off beyond `max` bytes (`tooLarge` answers
 * the client first). The body is read only when telegraf reads it, after its secret check.
 */
function capped(req: IncomingMessage, path: string, max: number, tooLarge: () => void): IncomingMessage {
  async function* body(): AsyncGenerator<Buffer> {
    let size = 0;
    // Not destroyed on a stop: the 413 still has to go out on this connection (which it then closes).
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        tooLarge();
        throw new Error('body too large');
      }
      yield chunk;
    }
  }
  // telegraf compares the path with req.url whole: a query string (a proxy's) must not turn the update away.
  return { method: req.method, url: path, headers: req.headers, [Symbol.asyncIterator]: body } as unknown as IncomingMessage;
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  res.end(text);
}

/** For refusals sent without reading the body: closing is cheaper than draining whatever the client still sends. */
function refuse(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  send(res, status, body, { connection: 'close', ...extraHeaders });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log, webhook, health } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const healthTimeout = options.healthTimeoutMs ?? 5000;
  let inFlight = 0;
  let closing = false;
  const idleWaiters: Array<() => void> = [];

  const settle = (): void => {
    if (inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
  };

  async function handleHealth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!health) return refuse(res, 404, { error: 'not found' });
    try {
      const report = await withTimeout(Promise.resolve().then(health), healthTimeout);
      const ok = isHealthy(report) && !closing;
      const body = { status: ok ? 'ok' : closing ? 'shutting down' : 'unhealthy', ...report };
      if (req.method === 'HEAD') {
        res.writeHead(ok ? 200 : 503, { 'cache-control': 'no-store' }).end();
      } else send(res, ok ? 200 : 503, body);
    } catch (err) {
      log.warn({ err }, 'health check failed');
      send(res, 503, { status: 'unhealthy', error: err instanceof Error ? err.message : String(err) });
    }
  }

  async function handleWebhook(wh: WebhookOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const unauthorized = () => {
      log.warn(
        { remote: req.socket.remoteAddress, hasHeader: req.headers[SECRET_HEADER] !== undefined },
        'webhook request with a missing or wrong secret token refused',
      );
      refuse(res, 401, { error: 'unauthorized' });
    };
    // telegraf compares String(header) with the secret: a missing header would pass for a secret spelled "undefined".
    if (typeof req.headers[SECRET_HEADER] !== 'string') return unauthorized();
    if (closing) return refuse(res, 503, { error: 'shutting down' }, { 'retry-after': '5' }); // Telegram retries later
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) return refuse(res, 413, { error: 'body too large' });

    // Counted until the response is flushed (not just handled), so close() never cuts off an answer mid-write.
    inFlight++;
    res.once('close', () => {
      inFlight--;
      settle();
    });
    let tooLarge = false;
    const request = capped(req, wh.path, maxBody, () => {
      tooLarge = true;
      refuse(res, 413, { error: 'body too large' });
    });
    try {
      // telegraf answers 415 to a body that is not JSON, and 200 once the update is handled, even when a handler
      // failed (bot.catch): a non-2xx would make Telegram redeliver the update forever.
      await wh.callback(request, res, unauthorized);
    } catch (err) {
      // After a 413, telegraf's own error answer finds the response already sent.
      if (!tooLarge) throw err;
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = (): Promise<void> | void => {
      if (path === HEALTH_PATH && health) {
        if (req.method === 'GET' || req.method === 'HEAD') return handleHealth(req, res);
        return refuse(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      }
      if (webhook && path === webhook.path) {
        if (req.method === 'POST') return handleWebhook(webhook, req, res);
        return refuse(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
      }
      return refuse(res, 404, { error: 'not found' });
    };
    Promise.resolve()
      .then(route)
      .catch((err: unknown) => {
        log.error({ err, path }, 'http request failed');
        if (!res.headersSent) refuse(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });
  // Telegram keeps connections alive; bound how long an idle or slow client can hold a socket.
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;

  return {
    server,
    inFlight: () => inFlight,
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(options.port, options.host, () => {
          server.off('error', onError);
          const port = (server.address() as AddressInfo).port;
          log.info(
            { port, host: options.host ?? '::', health: health ? HEALTH_PATH : null, webhook: webhook?.path ?? null },
            'http server listening',
          );
          resolve(port);
        });
      });
    },
    async close(graceMs = 10_000) {
      if (!server.listening) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        const drained = new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true)));
        const gaveUp = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        });
        if (!(await Promise.race([drained, gaveUp]))) log.warn({ inFlight, graceMs }, 'closing with webhook updates still in flight');
        clearTimeout(timer);
      }
      // Keep-alive sockets would otherwise hold close() open until their timeout.
      server.closeAllConnections();
      await closed;
      log.info('http server closed');
    },
  };
}

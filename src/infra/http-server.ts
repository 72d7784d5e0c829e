/**
 * A small node:http server for the health probe and (optionally) the Telegram webhook. Plain node:http
 * rather than a framework: two routes, and the webhook needs to refuse unauthenticated requests before
 * any body is read, which is easiest with the raw request stream.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from './log.ts';

export interface HealthReport {
  storeReadable: boolean;
  schedulerAlive: boolean;
  /** ISO time of the last completed digest run, null if none yet. */
  lastDigestRun: string | null;
  /** Anything else worth showing to an operator (queue lengths, version…). */
  details?: Record<string, unknown>;
}

export interface WebhookOptions {
  /** Path Telegram posts to, e.g. the pathname of WEBHOOK_URL. */
  path: string;
  /** The secret_token given to setWebhook; Telegram echoes it in X-Telegram-Bot-Api-Secret-Token. */
  secret: string;
  /** Processes one update; resolved before we answer 200 so shutdown can wait for it. */
  handle: (update: unknown) => Promise<void>;
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
  return report.storeReadable && report.schedulerAlive;
}

/** Constant-time comparison; hashing first makes the inputs equal length, so a mismatch leaks neither content nor length. */
export function secretMatches(provided: string | string[] | undefined, expected: string): boolean {
  if (typeof provided !== 'string') return false;
  const a = createHash('sha256').update(provided).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause(); // stop buffering; the connection is closed after the 413 goes out
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...extraHeaders });
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
    // Authenticate before touching the body: an unauthenticated client must not make us buffer or parse anything.
    if (!secretMatches(req.headers[SECRET_HEADER], wh.secret)) {
      log.warn({ remote: req.socket.remoteAddress, hasHeader: req.headers[SECRET_HEADER] !== undefined }, 'webhook request with a missing or wrong secret token refused');
      return refuse(res, 401, { error: 'unauthorized' });
    }
    if (closing) return refuse(res, 503, { error: 'shutting down' }, { 'retry-after': '5' }); // Telegram retries later
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) return refuse(res, 413, { error: 'body too large' });

    // Counted until the response is flushed (not just handled), so close() never cuts off an answer mid-write.
    inFlight++;
    res.once('close', () => {
      inFlight--;
      settle();
    });
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (err) {
      if (err instanceof BodyTooLarge) return refuse(res, 413, { error: 'body too large' });
      throw err;
    }
    let update: unknown;
    try {
      update = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    if (update === null || typeof update !== 'object' || typeof (update as { update_id?: unknown }).update_id !== 'number') {
      return send(res, 400, { error: 'not a Telegram update' });
    }
    try {
      await wh.handle(update);
    } catch (err) {
      // Still 200: a non-2xx makes Telegram redeliver the same update, and a handler bug would then loop forever.
      log.error({ err, updateId: (update as { update_id: number }).update_id }, 'webhook update handler failed');
    }
    send(res, 200, { ok: true });
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
          log.info({ port, host: options.host ?? '::', health: health ? HEALTH_PATH : null, webhook: webhook?.path ?? null }, 'http server listening');
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

/**
 * Structured logging. JSON lines in production (for journald/docker and log shippers), pino-pretty when a
 * human watches a terminal. The bot token is scrubbed at three layers because it travels in places we
 * don't control: named fields (redact paths), error objects (serializer), and finally the serialized line
 * itself (streamWrite hook), which catches Bot API URLs buried in third-party error messages and stacks.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import type Pretty from 'pino-pretty';
import { loadOnFirstUse } from '../core/load-on-first-use.ts';
import type { LogLevel } from '../config.ts';
import { createRedactor, REDACTED_TOKEN } from './redact.ts';

export type { Logger } from 'pino';

// Only a human at a terminal gets pretty lines: production (JSON) never loads it (~11 MB, ~60 ms).
const pinoPretty = loadOnFirstUse<typeof Pretty>('pino-pretty');

export interface LoggerConfig {
  level: LogLevel;
  /** Human-readable output; see `shouldPrettyPrint`. */
  pretty?: boolean;
  /** Exact secret values (bot token, webhook secret) to scrub even if they don't look like a token. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Where lines go; stdout by default. Tests pass a capture stream. */
  destination?: DestinationStream;
  /** File descriptor when no destination is given: 1 (stdout, the default) or 2 (stderr). */
  fd?: 1 | 2;
}

/** Field names that hold secrets wherever they appear at the top level or one level down. */
const SECRET_KEYS = ['token', 'botToken', 'BOT_TOKEN', 'secret', 'webhookSecret', 'WEBHOOK_SECRET', 'secret_token'];
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers["x-telegram-bot-api-secret-token"]',
  '*.headers["x-telegram-bot-api-secret-token"]',
  'config.webhook.secret',
];

/** Pretty output only for an interactive terminal outside production: pipes and log collectors want JSON. */
export function shouldPrettyPrint(isTTY: boolean | undefined, env: Record<string, string | undefined> = process.env): boolean {
  return isTTY === true && env['NODE_ENV'] !== 'production';
}

function scrubDeep(value: unknown, scrub: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, scrub, depth + 1);
  return out;
}

export function createLogger(config: LoggerConfig): Logger {
  const scrub = createRedactor(config.secrets ?? []);
  const errSerializer = (err: unknown): unknown =>
    err instanceof Error ? scrubDeep(pino.stdSerializers.err(err), scrub) : scrubDeep(err, scrub);

  const options: LoggerOptions = {
    level: config.level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED_TOKEN },
    serializers: {
      err: errSerializer,
      error: errSerializer,
      url: (u: unknown) => (typeof u === 'string' ? scrub(u) : u),
    },
    hooks: {
      // Last line of defence: the replacement only ever swaps [A-Za-z0-9_:-] runs for "<token>", so the JSON stays valid.
      streamWrite: (line) => scrub(line),
    },
  };

  if (config.pretty) {
    // In-process (not a worker transport) so the streamWrite hook above still sees every line before it is prettified.
    const prettify = pinoPretty();
    const stream = prettify({
      colorize: config.destination === undefined,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
      destination: config.destination ?? config.fd ?? 1,
    });
    return pino(options, stream);
  }
  // Synchronous stdout: shutdown ends in process.exit, and an async buffer would lose the last lines, which are the ones that explain the exit.
  return pino(options, config.destination ?? pino.destination({ dest: config.fd ?? 1, sync: true }));
}

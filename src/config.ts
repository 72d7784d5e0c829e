/**
 * Configuration from the environment: one zod schema over the raw env record, so every bad variable is
 * reported in a single error instead of the operator fixing them one restart at a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isValidTimeZone } from './core/time.ts';
import { redactTokens } from './infra/redact.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How the bot talks to Telegram: no token means a local console session, which needs no network. */
export type RunMode = 'console' | 'polling' | 'webhook';

export interface Config {
  mode: RunMode;
  /** Undefined in console mode. Never log it; the logger scrubs it, but don't rely on that. */
  botToken: string | undefined;
  adminIds: readonly number[];
  dataDir: string;
  timezone: string;
  digestTime: { hour: number; minute: number; /** normalized "HH:MM" */ text: string };
  telegramApiRoot: string | undefined;
  webhook:
    | {
        url: string;
        /** Pathname of `url`: the route the HTTP server must answer, since Telegram posts to the full URL. */
        path: string;
        secret: string;
        port: number;
      }
    | undefined;
  /** 0 disables the health endpoint. */
  healthPort: number;
  /** /healthz is unhealthy when DATA_DIR has less free space than this (MB). */
  healthMinFreeMb: number;
  /** Bot API deadlines: connect (nothing written yet: retried) and answer (written: a timed-out send is uncertain). */
  telegramTimeouts: { connectMs: number; requestMs: number };
  /** A digest part whose send timed out after it was written: not resent ('assume-sent'), or sent again ('resend'). */
  digestOnUncertain: 'assume-sent' | 'resend';
  logLevel: LogLevel;
  rate: {
    globalPerSecond: number;
    privatePerSecond: number;
    groupPerMinute: number;
    searchPerMinute: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

// Values of these are never echoed back, even when invalid: a typo'd token is still mostly a token.
const SECRET_VARS = new Set(['BOT_TOKEN', 'WEBHOOK_SECRET']);

// Telegram tokens are "<bot id>:<35 chars>"; 30+ leaves room for format changes without accepting junk.
const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{30,}$/;
const WEBHOOK_SECRET_SHAPE = /^[A-Za-z0-9_-]{1,256}$/;
const DIGEST_TIME_SHAPE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `KEY=` in a .env file means "unset", not "set to the empty string"; surrounding blanks are copy-paste noise. */
const blankToUndefined = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  return t === '' ? undefined : t;
};

const optionalString = (inner: z.ZodType<string>) => z.preprocess(blankToUndefined, inner.optional());

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const integer = (def: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
      .transform(Number)
      .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`)
      .default(def),
  );

const positiveRate = (def: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      // Whole numbers: the limiter counts messages in windows, and a fraction would only fail later, at start-up.
      .regex(/^\d+$/, 'must be a whole number of messages (1 or more)')
      .transform(Number)
      .refine((n) => n >= 1 && Number.isSafeInteger(n), 'must be a whole number of messages (1 or more)')
      .default(def),
  );

const adminIds = z.preprocess(
  (v) => (typeof v === 'string' ? v : ''),
  z.string().transform((raw, ctx) => {
    const parts = raw
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const bad = parts.filter((p) => !/^\d{1,16}$/.test(p) || Number(p) === 0 || !Number.isSafeInteger(Number(p)));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `not Telegram user ids: ${bad.map((b) => JSON.stringify(b)).join(', ')} (expected comma-separated positive integers)`,
      });
      return z.NEVER;
    }
    return [...new Set(parts.map(Number))];
  }),
);

const envSchema = z
  .object({
    BOT_TOKEN: optionalString(
      z
        .string()
        .regex(
          TOKEN_SHAPE,
          'does not look like a bot token ("123456:ABC…", digits, a colon, 30+ of A-Za-z0-9_-); get one from @BotFather, or leave it unset for console mode',
        ),
    ),
    ADMIN_IDS: adminIds,
    DATA_DIR: z.preprocess(blankToUndefined, z.string().default('data')),
    TIMEZONE: z.preprocess(
      blankToUndefined,
      z
        .string()
        .refine(isValidTimeZone, 'is not an IANA time zone this Node knows (e.g. Asia/Shanghai, Europe/Paris, UTC)')
        .default('Asia/Shanghai'),
    ),
    DIGEST_TIME: z.preprocess(
      blankToUndefined,
      z.string().regex(DIGEST_TIME_SHAPE, 'must be HH:MM on a 24-hour clock (e.g. 09:00)').default('09:00'),
    ),
    TELEGRAM_API_ROOT: optionalString(
      z.string().refine((v) => isUrl(v, ['http:', 'https:']), 'must be an http(s) URL (e.g. https://api.telegram.org)'),
    ),
    WEBHOOK_URL: optionalString(
      z.string().refine((v) => isUrl(v, ['https:']), 'must be an https:// URL (Telegram only delivers webhooks over HTTPS)'),
    ),
    WEBHOOK_SECRET: optionalString(
      z.string().regex(WEBHOOK_SECRET_SHAPE, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and - (what Telegram accepts as secret_token)'),
    ),
    WEBHOOK_PORT: integer(8443, 1, 65535),
    HEALTH_PORT: integer(8080, 0, 65535),
    HEALTH_MIN_FREE_MB: integer(100, 0, 10_000_000),
    TELEGRAM_CONNECT_TIMEOUT_MS: integer(10_000, 100, 600_000),
    TELEGRAM_SEND_TIMEOUT_MS: integer(60_000, 1_000, 3_600_000),
    DIGEST_ON_UNCERTAIN: z.preprocess(
      (v) => (typeof v === 'string' ? (blankToUndefined(v) as string | undefined)?.toLowerCase() : v),
      z
        .enum(['assume-sent', 'resend'], { error: 'must be assume-sent (default: never resend a part that may have arrived) or resend' })
        .default('assume-sent'),
    ),
    LOG_LEVEL: z.preprocess(
      (v) => (typeof v === 'string' ? (blankToUndefined(v) as string | undefined)?.toLowerCase() : v),
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    ),
    RATE_GLOBAL_PER_SECOND: positiveRate(30),
    RATE_PRIVATE_PER_SECOND: positiveRate(1),
    RATE_GROUP_PER_MINUTE: positiveRate(20),
    SEARCH_RATE_PER_MINUTE: positiveRate(20),
  })
  // Cross-variable rules; `when` makes them run even if single-variable checks failed, so all problems show at once.
  .superRefine(
    (env, ctx) => {
      const url = blankToUndefined(env.WEBHOOK_URL);
      if (url === undefined) return;
      if (blankToUndefined(env.WEBHOOK_SECRET) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['WEBHOOK_SECRET'],
          message: 'is required when WEBHOOK_URL is set, so forged updates can be refused',
        });
      }
      if (blankToUndefined(env.BOT_TOKEN) === undefined) {
        ctx.addIssue({ code: 'custom', path: ['BOT_TOKEN'], message: 'is required when WEBHOOK_URL is set (console mode has no webhook)' });
      }
    },
    { when: () => true },
  );

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? '(env)');
  const raw = env[name];
  // Echo the value for ordinary variables (it makes typos obvious), but never for secrets, and scrub token shapes anyway.
  const shown =
    !SECRET_VARS.has(name) && raw !== undefined && raw.trim() !== ''
      ? ` (got ${JSON.stringify(redactTokens(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw))})`
      : '';
  return `${name}${shown} ${issue.message}`;
}

/** Validates the env record and returns a typed Config, or throws a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env, { reportInput: false });
  if (!result.success) {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const issue of result.error.issues) {
      const line = describeIssue(issue, env);
      if (!seen.has(line)) {
        seen.add(line);
        problems.push(line);
      }
    }
    throw new ConfigError(problems);
  }
  const e = result.data;
  const [, hh = '0', mm = '0'] = DIGEST_TIME_SHAPE.exec(e.DIGEST_TIME) ?? [];
  const hour = Number(hh);
  const minute = Number(mm);
  const webhook =
    e.WEBHOOK_URL !== undefined && e.WEBHOOK_SECRET !== undefined
      ? { url: e.WEBHOOK_URL, path: new URL(e.WEBHOOK_URL).pathname, secret: e.WEBHOOK_SECRET, port: e.WEBHOOK_PORT }
      : undefined;
  return {
    mode: e.BOT_TOKEN === undefined ? 'console' : webhook ? 'webhook' : 'polling',
    botToken: e.BOT_TOKEN,
    adminIds: e.ADMIN_IDS,
    dataDir: e.DATA_DIR,
    timezone: e.TIMEZONE,
    digestTime: { hour, minute, text: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` },
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    webhook,
    healthPort: e.HEALTH_PORT,
    healthMinFreeMb: e.HEALTH_MIN_FREE_MB,
    telegramTimeouts: { connectMs: e.TELEGRAM_CONNECT_TIMEOUT_MS, requestMs: e.TELEGRAM_SEND_TIMEOUT_MS },
    digestOnUncertain: e.DIGEST_ON_UNCERTAIN,
    logLevel: e.LOG_LEVEL,
    rate: {
      globalPerSecond: e.RATE_GLOBAL_PER_SECOND,
      privatePerSecond: e.RATE_PRIVATE_PER_SECOND,
      groupPerMinute: e.RATE_GROUP_PER_MINUTE,
      searchPerMinute: e.SEARCH_RATE_PER_MINUTE,
    },
  };
}

/** Parses .env text (KEY=VALUE, quotes, `#` comments, `export KEY=`) with Node's own parser, so it matches `node --env-file`. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(text))) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Copies variables from a .env file into `env` without overriding any already set: the real environment
 * (systemd, docker, the shell) must win over a file someone forgot on disk. A missing file is not an error.
 * Returns the names it set. (process.loadEnvFile would do, but it can't target a record other than process.env.)
 */
export function loadDotEnv(path: string, env: Record<string, string | undefined> = process.env): string[] {
  if (!existsSync(path)) return [];
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parseDotEnv(readFileSync(path, 'utf8')))) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    applied.push(key);
  }
  return applied;
}

/**
 * The variables of every entry point (npm start, npm run ingest, npm run digest): the process environment,
 * completed from `.env` in the working directory (npm runs scripts from the project root).
 */
export function readEnvironment(env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  loadDotEnv('.env', env);
  return env;
}

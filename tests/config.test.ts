import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDotEnv, parseDotEnv } from '../src/config.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies defaults and runs in console mode without a token', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      mode: 'console',
      botToken: undefined,
      adminIds: [],
      dataDir: 'data',
      timezone: 'Asia/Shanghai',
      digestTime: { hour: 9, minute: 0, text: '09:00' },
      telegramApiRoot: undefined,
      webhook: undefined,
      healthPort: 8080,
      healthMinFreeMb: 100,
      telegramTimeouts: { connectMs: 10_000, requestMs: 60_000 },
      digestOnUncertain: 'assume-sent',
      logLevel: 'info',
      rate: { globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20, searchPerMinute: 20 },
    });
  });

  it('reads the Bot API deadlines, the uncertain-send policy and the free-space floor', () => {
    const c = loadConfig({
      TELEGRAM_CONNECT_TIMEOUT_MS: '5000',
      TELEGRAM_SEND_TIMEOUT_MS: '90000',
      DIGEST_ON_UNCERTAIN: 'Resend',
      HEALTH_MIN_FREE_MB: '512',
    });
    expect(c).toMatchObject({
      telegramTimeouts: { connectMs: 5000, requestMs: 90_000 },
      digestOnUncertain: 'resend',
      healthMinFreeMb: 512,
    });
    expect(() => loadConfig({ DIGEST_ON_UNCERTAIN: 'maybe' })).toThrow(/DIGEST_ON_UNCERTAIN/);
  });

  it('treats blank values as unset', () => {
    const c = loadConfig({ BOT_TOKEN: '', DATA_DIR: '  ', HEALTH_PORT: '', LOG_LEVEL: '' });
    expect(c.mode).toBe('console');
    expect(c.dataDir).toBe('data');
    expect(c.healthPort).toBe(8080);
    expect(c.logLevel).toBe('info');
  });

  it('parses a full webhook configuration', () => {
    const c = loadConfig({
      BOT_TOKEN: ` ${TOKEN} `,
      ADMIN_IDS: '42, 7,42,',
      DATA_DIR: '/var/lib/bot',
      TIMEZONE: 'Europe/Paris',
      DIGEST_TIME: '7:05',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9000',
      WEBHOOK_URL: 'https://bot.example.com/tg/hook?x=1',
      WEBHOOK_SECRET: 'abc_DEF-123',
      WEBHOOK_PORT: '88',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'DEBUG',
      RATE_GLOBAL_PER_SECOND: '25',
      RATE_PRIVATE_PER_SECOND: '2',
      RATE_GROUP_PER_MINUTE: '10',
      SEARCH_RATE_PER_MINUTE: '5',
    });
    expect(c.mode).toBe('webhook');
    expect(c.botToken).toBe(TOKEN);
    expect(c.adminIds).toEqual([42, 7]);
    expect(c.timezone).toBe('Europe/Paris');
    expect(c.digestTime).toEqual({ hour: 7, minute: 5, text: '07:05' });
    expect(c.telegramApiRoot).toBe('http://127.0.0.1:9000');
    expect(c.webhook).toEqual({ url: 'https://bot.example.com/tg/hook?x=1', path: '/tg/hook', secret: 'abc_DEF-123', port: 88 });
    expect(c.healthPort).toBe(0);
    expect(c.logLevel).toBe('debug');
    expect(c.rate).toEqual({ globalPerSecond: 25, privatePerSecond: 2, groupPerMinute: 10, searchPerMinute: 5 });
  });

  it('accepts the token shape from the Bot API docs', () => {
    expect(loadConfig({ BOT_TOKEN: '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11' }).mode).toBe('polling');
  });

  it('uses polling when a token is set without a webhook', () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).mode).toBe('polling');
  });

  it('names every bad variable in one error, one line each', () => {
    const err = configError({
      BOT_TOKEN: 'not-a-token',
      ADMIN_IDS: '1,abc,0',
      TIMEZONE: 'Mars/Olympus_Mons',
      DIGEST_TIME: '24:00',
      TELEGRAM_API_ROOT: 'ftp://x',
      WEBHOOK_URL: 'http://insecure.example.com/hook',
      WEBHOOK_SECRET: 'has spaces!',
      WEBHOOK_PORT: '0',
      HEALTH_PORT: '65536',
      LOG_LEVEL: 'verbose',
      RATE_GLOBAL_PER_SECOND: '0',
      RATE_PRIVATE_PER_SECOND: '-1',
      RATE_GROUP_PER_MINUTE: '0.5',
      SEARCH_RATE_PER_MINUTE: 'x',
    });
    const names = [
      'BOT_TOKEN',
      'ADMIN_IDS',
      'TIMEZONE',
      'DIGEST_TIME',
      'TELEGRAM_API_ROOT',
      'WEBHOOK_URL',
      'WEBHOOK_SECRET',
      'WEBHOOK_PORT',
      'HEALTH_PORT',
      'LOG_LEVEL',
      'RATE_GLOBAL_PER_SECOND',
      'RATE_PRIVATE_PER_SECOND',
      'RATE_GROUP_PER_MINUTE',
      'SEARCH_RATE_PER_MINUTE',
    ];
    expect(err.problems).toHaveLength(names.length);
    for (const name of names) {
      const lines = err.problems.filter((p) => p.startsWith(`${name} `));
      expect(lines, name).toHaveLength(1);
      expect(err.message).toContain(lines[0]);
    }
    expect(err.message).toContain('"abc"');
    expect(err.message).toContain('Mars/Olympus_Mons');
  });

  it('never puts the token value in the message, even a malformed one', () => {
    const almost = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs!!';
    const err = configError({ BOT_TOKEN: almost, WEBHOOK_URL: `https://x.example/bot${TOKEN}`, WEBHOOK_SECRET: 'bad secret' });
    expect(err.message).toContain('BOT_TOKEN');
    expect(err.message).not.toContain(almost);
    expect(err.message).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs');
    expect(err.message).not.toContain('bad secret');
    // A valid token pasted into another variable is scrubbed too.
    const err2 = configError({ TELEGRAM_API_ROOT: `not a url ${TOKEN}` });
    expect(err2.message).toContain('TELEGRAM_API_ROOT');
    expect(err2.message).not.toContain(TOKEN);
  });

  it('requires WEBHOOK_SECRET and BOT_TOKEN when WEBHOOK_URL is set', () => {
    const err = configError({ WEBHOOK_URL: 'https://bot.example.com/hook' });
    expect(err.problems).toHaveLength(2);
    expect(err.problems.some((p) => p.startsWith('WEBHOOK_SECRET ') && p.includes('required'))).toBe(true);
    expect(err.problems.some((p) => p.startsWith('BOT_TOKEN ') && p.includes('required'))).toBe(true);
  });

  it('reports the missing webhook secret alongside unrelated errors', () => {
    const err = configError({ BOT_TOKEN: TOKEN, WEBHOOK_URL: 'https://bot.example.com/hook', LOG_LEVEL: 'loud' });
    expect(err.problems.map((p) => p.split(' ')[0])).toEqual(expect.arrayContaining(['WEBHOOK_SECRET', 'LOG_LEVEL']));
  });

  it('rejects an over-long webhook secret', () => {
    expect(configError({ BOT_TOKEN: TOKEN, WEBHOOK_URL: 'https://x.example/h', WEBHOOK_SECRET: 'a'.repeat(257) }).problems).toHaveLength(1);
    expect(
      loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: 'https://x.example/h', WEBHOOK_SECRET: 'a'.repeat(256) }).webhook?.secret,
    ).toHaveLength(256);
  });
});

describe('.env loading', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('parses KEY=VALUE with quotes and comments', () => {
    expect(parseDotEnv('# comment\nA=1\nB="two words" # trailing\nC=\'#not a comment\'\nexport D=4\n\nE=\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '#not a comment',
      D: '4',
      E: '',
    });
  });

  it('never overrides variables already set, and ignores a missing file', () => {
    dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'LOG_LEVEL=debug\nDATA_DIR=from-file\n');
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    expect(loadDotEnv(file, env)).toEqual(['DATA_DIR']);
    expect(env).toEqual({ LOG_LEVEL: 'warn', DATA_DIR: 'from-file' });
    expect(loadDotEnv(join(dir, 'missing.env'), env)).toEqual([]);
  });

  it('.env.example parses and produces a valid configuration', () => {
    const example = parseDotEnv(readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));
    const config = loadConfig(example);
    expect(config.mode).toBe('console');
    // Every documented variable is listed (set or commented), so operators can find them all in one place.
    const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    for (const name of [
      'BOT_TOKEN',
      'ADMIN_IDS',
      'DATA_DIR',
      'TIMEZONE',
      'DIGEST_TIME',
      'TELEGRAM_API_ROOT',
      'WEBHOOK_URL',
      'WEBHOOK_SECRET',
      'WEBHOOK_PORT',
      'HEALTH_PORT',
      'LOG_LEVEL',
      'RATE_GLOBAL_PER_SECOND',
      'RATE_PRIVATE_PER_SECOND',
      'RATE_GROUP_PER_MINUTE',
      'SEARCH_RATE_PER_MINUTE',
    ]) {
      expect(text, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });
});

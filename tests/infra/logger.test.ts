import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, shouldPrettyPrint } from '../../src/infra/logger.ts';
import { createRedactor } from '../../src/infra/redact.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8';

function capture(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  return { stream, text: () => out };
}

function logEverywhere(log: ReturnType<typeof createLogger>): void {
  log.info({ token: TOKEN, config: { botToken: TOKEN }, url: `https://api.telegram.org/bot${TOKEN}/getMe` }, `starting with ${TOKEN}`);
  log.error({ err: new Error(`request to https://api.telegram.org/bot${TOKEN}/sendMessage failed`) }, 'send failed');
  log.error(new Error(`bare error ${TOKEN}`));
  log.warn({ deep: { a: { b: { c: [`x${TOKEN}`] } } }, encoded: `https://x/bot${TOKEN.replace(':', '%3A')}/getMe` }, 'nested');
}

describe('createLogger', () => {
  it('writes JSON lines with the token scrubbed from fields, messages, errors and URLs', () => {
    const out = capture();
    logEverywhere(createLogger({ level: 'info', destination: out.stream }));
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(4);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.text()).not.toContain(TOKEN);
    expect(out.text()).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8');
    expect(records[0]?.['msg']).toBe('starting with <token>');
    expect(records[0]?.['url']).toBe('https://api.telegram.org/bot<token>/getMe');
    expect(records[0]?.['token']).toBe('<token>');
    const err = records[1]?.['err'] as { message: string; stack: string };
    expect(err.message).toBe('request to https://api.telegram.org/bot<token>/sendMessage failed');
    expect(err.stack).toContain('bot<token>/sendMessage');
  });

  it('scrubs the token in pretty mode too', () => {
    const out = capture();
    logEverywhere(createLogger({ level: 'info', pretty: true, destination: out.stream }));
    expect(out.text()).toContain('starting with <token>');
    expect(out.text()).not.toContain(TOKEN);
    expect(out.text()).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8');
  });

  it('scrubs exact secrets that do not look like a token', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream, secrets: ['hook-secret-XYZ', undefined] });
    log.info({ header: 'hook-secret-XYZ' }, 'got hook-secret-XYZ');
    expect(out.text()).not.toContain('hook-secret-XYZ');
    expect(out.text()).toContain('<redacted>');
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.text()).not.toContain('hidden');
    expect(out.text()).toContain('shown');
  });

  it('pretty-prints only on a TTY outside production', () => {
    expect(shouldPrettyPrint(true, {})).toBe(true);
    expect(shouldPrettyPrint(false, {})).toBe(false);
    expect(shouldPrettyPrint(undefined, {})).toBe(false);
    expect(shouldPrettyPrint(true, { NODE_ENV: 'production' })).toBe(false);
  });
});

describe('createRedactor', () => {
  it('leaves ordinary numbers and short secrets alone', () => {
    const r = createRedactor(['short']);
    expect(r('chat 1234567890 at 12:30, short')).toBe('chat 1234567890 at 12:30, short');
    expect(r(`bot${TOKEN}/getMe`)).toBe('bot<token>/getMe');
  });
});

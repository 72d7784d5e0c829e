/**
 * The README's start command as a newcomer runs it: the real process, no token, piped input.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.ts';
import { useTempDir } from './helpers/temp-dir.ts';

const tempDir = useTempDir();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `main.ts` through tsx (fast); `npm start` itself (bundle, then plain node) for the README's command. */
function run(
  args: string[],
  env: Record<string, string>,
  input?: string,
  via: 'tsx' | 'npm start' = 'tsx',
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const [cmd, cmdArgs] =
      via === 'tsx' ? [process.execPath, ['--import', 'tsx', 'src/main.ts', ...args]] : ['npm', ['start', '--silent', '--', ...args]];
    const child = spawn(cmd, cmdArgs, {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
    if (input !== undefined) child.stdin.end(input);
  });
}

describe('npm start without a token', () => {
  it('runs the local console on the shipped bulletin: piped lines in, replies out, exit at end of input', async () => {
    const dir = tempDir();
    const r = await run([], { DATA_DIR: dir }, '/latest 公安 2\n/search 复工\n2\n', 'npm start');
    expect(r.code).toBe(0);
    expect(r.out).toContain('> /latest 公安 2');
    expect(r.out).toContain('上海市公安局 最新 2 条措施');
    expect(r.out).toMatch(/🔎 “复工”：共 \d+ 条/);
    expect(r.out).toMatch(/\[\d\] 下一页 ›/);
    // "2" pressed the second result button: the measure in full, with its source.
    expect(r.out).toMatch(/来源：上海市/);
    expect(r.out).not.toContain('<b>');
  });

  it('shows a file the bot sends (an export) by name, size and caption', async () => {
    const dir = tempDir();
    const r = await run([], { DATA_DIR: dir }, '/export 律师\n', 'npm start');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/📎 措施_律师_\d{4}-\d\d-\d\d\.xlsx \(\d{4,} bytes\)/);
    expect(r.out).toMatch(/📥 律师：\d+ 条措施/);
    expect(r.out).toMatch(/📎 措施_律师_\d{4}-\d\d-\d\d\.csv/);
  });

  it('ends quietly when its reader goes away (piped into head)', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.once('data', () => child.stdout!.destroy());
    child.stdin!.end('/latest 公安\n/search 复工\n/help\n/agencies\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('refuses a second process on the same DATA_DIR, naming the running one', async () => {
    const dir = tempDir();
    const first = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATA_DIR: dir, BOT_TOKEN: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(first);
    // The first is up once it has answered a line.
    await new Promise<void>((resolve) => {
      first.stdout!.on('data', (d: Buffer) => d.toString().includes('最新') && resolve());
      first.stdin!.write('/latest 科委 1\n');
    });
    const second = await run([], { DATA_DIR: dir }, '/help\n');
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/is running on this DATA_DIR/);
    first.stdin!.end();
  });

  it('stops on a bad configuration with every problem listed and the token never shown', async () => {
    const secretish = '123456:' + 'x'.repeat(10);
    const r = await run([], { BOT_TOKEN: secretish, TIMEZONE: 'Mars/Base', LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/BOT_TOKEN/);
    expect(r.err).toMatch(/TIMEZONE/);
    expect(r.err).toMatch(/LOG_LEVEL/);
    expect(r.err).not.toContain(secretish);
  });

  it('refuses a corrupt store with a message naming the file', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/entries.json`, '{broken');
    const r = await run([], { DATA_DIR: dir }, '/help\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/entries\.json.*not valid JSON/);
  });
});

/**
 * The real process (`npm start` with a token) against the local emulated Bot API: it polls, answers,
 * serves /healthz, ingests the inbox, and on SIGTERM stops within the deadline with the store flushed
 * and the lock released.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { createEntryTable } from '../../src/store/entry-table.ts';
import { readSnapshot } from '../../src/store/snapshot-file.ts';
import { startBotApiEmulator } from '../helpers/bot-api-emulator.ts';
import type { Emulator } from '../helpers/bot-api-emulator.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { SimulatedChat } from '../helpers/user-client.ts';

const tempDir = useTempDir();
let emulator: Emulator;
let child: ChildProcess | undefined;
beforeEach(async () => {
  emulator = await startBotApiEmulator();
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await emulator.close();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the bot process', () => {
  it('polls, serves /healthz, ingests the inbox, and shuts down cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const healthPort = await freePort();
    let stderr = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BOT_TOKEN: emulator.token,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        DATA_DIR: dir,
        HEALTH_PORT: String(healthPort),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    const user = new SimulatedChat(emulator, { userId: 901 });
    await user.send('/latest 民政 1');
    const [reply] = await user.waitForBotMessages((m) => m.length >= 1, 15_000);
    expect(reply!.text).toContain('上海市民政局');

    const health = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`).catch(() => null);
      return res && res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
    });
    expect(health).toMatchObject({ storeReadable: true, schedulerAlive: true });

    mkdirSync(join(dir, 'inbox'), { recursive: true });
    writeFileSync(
      join(dir, 'inbox', 'next.txt'),
      ['简报 (截止至2020年3月30日)', '', '中心', '', '3月30日', '收件箱里的新措施', '来源：上海市司法局'].join('\n'),
    );
    await waitFor(
      () => existsSync(join(dir, 'inbox', 'done')) && readFileSync(join(dir, 'entries.json'), 'utf8').includes('收件箱里的新措施'),
      15_000,
    );

    child.kill('SIGTERM');
    // 0 means every shutdown step finished before the 10 s deadline (past it the process exits 1).
    const code = await exited;
    expect(code, stderr).toBe(0);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    const store = JSON.parse(readFileSync(join(dir, 'entries.json'), 'utf8')) as { entries: { title: string }[] };
    expect(store.entries.map((e) => e.title)).toContain('收件箱里的新措施');
    expect(existsSync(join(dir, 'subscriptions.json'))).toBe(true);
    expect(stderr).not.toContain(emulator.token);
    // Shutdown leaves a snapshot of the store as it left it: the next start reads that, not the JSON.
    const snap = await readSnapshot(join(dir, 'entries.snapshot'), join(dir, 'entries.json'));
    if (!snap.ok) throw new Error(snap.reason);
    const table = createEntryTable(snap.snapshot.columns);
    expect(Array.from({ length: table.rows }, (_, row) => table.read(row).title)).toContain('收件箱里的新措施');
    table.close();
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, currentBootId, isProcessAlive, LockError, processStartTime } from '../../src/infra/instance-lock.ts';
import type { InstanceLock } from '../../src/infra/instance-lock.ts';
import { createLogger } from '../../src/infra/logger.ts';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (typeof child.pid !== 'number') throw new Error('could not spawn node');
  return child.pid;
}

describe('acquireLock', () => {
  let dir: string;
  const held: InstanceLock[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lock-'));
  });
  afterEach(async () => {
    for (const l of held.splice(0)) await l.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes pid, purpose, start time and host, and release removes the file', async () => {
    const lock = await acquireLock(dir, { purpose: 'ingest' });
    held.push(lock);
    const content = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as Record<string, unknown>;
    expect(content).toMatchObject({ pid: process.pid, purpose: 'ingest', host: hostname() });
    expect(Number.isNaN(Date.parse(String(content['startedAt'])))).toBe(false);
    await lock.release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    // No temp files are left behind.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('creates the data directory if needed', async () => {
    const lock = await acquireLock(join(dir, 'nested', 'data'), { purpose: 'bot' });
    held.push(lock);
    expect(existsSync(join(dir, 'nested', 'data', '.lock'))).toBe(true);
  });

  it('refuses a second acquire while the holder is alive, with a clear message', async () => {
    held.push(await acquireLock(dir, { purpose: 'bot' }));
    const err = await acquireLock(dir, { purpose: 'ingest' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    const message = (err as LockError).message;
    expect(message).toMatch(
      new RegExp(`^the bot \\(pid ${process.pid}, since \\d{4}-\\d\\d-\\d\\dT.*\\) is running on this DATA_DIR .*; stop it first$`),
    );
    expect((err as LockError).holder?.purpose).toBe('bot');
    // The refused attempt did not disturb the holder's lock.
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ purpose: 'bot' });
  });

  it('takes over a stale lock left by a dead process, and logs it', async () => {
    const pid = deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid, purpose: 'digest', startedAt: '2024-01-01T00:00:00.000Z', host: hostname() }));
    let logged = '';
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(c, _e, cb) {
          logged += String(c);
          cb();
        },
      }),
    });
    const lock = await acquireLock(dir, { purpose: 'bot', log });
    held.push(lock);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid, purpose: 'bot' });
    expect(logged).toContain(`took over a stale lock: a digest run (pid ${pid}`);
    expect(readdirSync(dir)).toEqual(['.lock']);
  });

  it("records the holder's process start time and the boot id (Linux)", async () => {
    held.push(await acquireLock(dir, { purpose: 'bot' }));
    const content = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as Record<string, unknown>;
    expect(content.procStart).toBe(processStartTime(process.pid));
    expect(content.procStart).toMatch(/^\d+$/);
    expect(content.bootId).toBe(currentBootId());
  });

  it('a lock naming a reused pid (alive, but a different process: another start time) is taken over', async () => {
    // A live, unrelated process: this test's parent (vitest's main process or the shell); its pid is alive.
    const unrelated = process.ppid;
    expect(isProcessAlive(unrelated)).toBe(true);
    writeFileSync(
      join(dir, '.lock'),
      JSON.stringify({
        pid: unrelated,
        purpose: 'bot',
        startedAt: '2024-01-01T00:00:00.000Z',
        host: hostname(),
        procStart: '1',
        bootId: currentBootId(),
      }),
    );
    const lock = await acquireLock(dir, { purpose: 'bot' });
    held.push(lock);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('the same live pid with the same start time is still refused; a lock from before a reboot is taken over', async () => {
    const unrelated = process.ppid;
    const live = {
      pid: unrelated,
      purpose: 'bot',
      startedAt: '2024-01-01T00:00:00.000Z',
      host: hostname(),
      procStart: processStartTime(unrelated),
      bootId: currentBootId(),
    };
    writeFileSync(join(dir, '.lock'), JSON.stringify(live));
    await expect(acquireLock(dir, { purpose: 'ingest' })).rejects.toBeInstanceOf(LockError);
    // Another boot: whatever runs under that pid now, it is not the holder.
    writeFileSync(join(dir, '.lock'), JSON.stringify({ ...live, bootId: 'another-boot' }));
    held.push(await acquireLock(dir, { purpose: 'bot', bootId: () => 'this-boot' }));
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid, bootId: 'this-boot' });
  });

  it('takes over a lock from an earlier process that had our pid (containers restart as pid 1)', async () => {
    writeFileSync(
      join(dir, '.lock'),
      JSON.stringify({ pid: process.pid, purpose: 'bot', startedAt: 'x', host: hostname(), id: 'previous-life' }),
    );
    const lock = await acquireLock(dir, { purpose: 'bot' });
    held.push(lock);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ id: lock.info.id });
  });

  it('takes over an unreadable lock file', async () => {
    writeFileSync(join(dir, '.lock'), 'garbage');
    const lock = await acquireLock(dir, { purpose: 'bot' });
    held.push(lock);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('refuses a lock held from another host, since liveness cannot be checked', async () => {
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid(), purpose: 'bot', startedAt: 'x', host: 'some-other-host' }));
    const err = await acquireLock(dir, { purpose: 'bot' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect((err as Error).message).toContain('on host some-other-host');
    expect((err as Error).message).toContain(join(dir, '.lock'));
  });

  it('release removes the lock only if it is still ours', async () => {
    const lock = await acquireLock(dir, { purpose: 'bot' });
    // Someone else took over (e.g. an operator deleted our lock and another instance started).
    const theirs = JSON.stringify({ pid: process.pid, purpose: 'ingest', startedAt: 'x', host: hostname(), id: 'someone-else' });
    writeFileSync(join(dir, '.lock'), theirs);
    await lock.release();
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(theirs);
  });

  it('release is idempotent and the lock can be taken again afterwards', async () => {
    const first = await acquireLock(dir, { purpose: 'bot' });
    await first.release();
    await first.release();
    const second = await acquireLock(dir, { purpose: 'digest' });
    held.push(second);
    await first.release(); // a stale handle must not free the new holder's lock
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ purpose: 'digest' });
  });

  it('only one of several concurrent acquires wins', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => acquireLock(dir, { purpose: 'bot' })));
    const won = results.filter((r): r is PromiseFulfilledResult<InstanceLock> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    held.push(...won.map((r) => r.value));
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockError);
  });

  it('only one of several concurrent acquires wins a stale lock', async () => {
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid(), purpose: 'bot', startedAt: 'x', host: hostname() }));
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => acquireLock(dir, { purpose: 'ingest' })));
    const won = results.filter((r): r is PromiseFulfilledResult<InstanceLock> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    held.push(...won.map((r) => r.value));
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ id: won[0]?.value.info.id });
    expect(readdirSync(dir)).toEqual(['.lock']);
  });

  it('ignores a takeover mutex left by a process that died mid-takeover', async () => {
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid(), purpose: 'bot', startedAt: 'x', host: hostname() }));
    writeFileSync(join(dir, '.lock.takeover'), '999999\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, '.lock.takeover'), old, old);
    const lock = await acquireLock(dir, { purpose: 'ingest' });
    held.push(lock);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ id: lock.info.id });
    expect(readdirSync(dir)).toEqual(['.lock']);
  });

  it('releases on process exit when the holder never called release()', () => {
    const script = `
      import { acquireLock } from ${JSON.stringify(new URL('../../src/infra/instance-lock.ts', import.meta.url).href)};
      await acquireLock(${JSON.stringify(dir)}, { purpose: 'ingest' });
      process.exit(3);
    `;
    const tsx = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
    const res = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(3);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });
});

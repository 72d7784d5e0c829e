/**
 * One process per DATA_DIR. Two bots polling the same token fight over getUpdates (409 Conflict), and two
 * writers on one lowdb file silently drop each other's writes; an ingest during a digest is the same race.
 * The lock is a file created atomically with its full content, so a reader never sees a half-written lock.
 *
 * Who holds it: pid, the process's start time (Linux: /proc/<pid>/stat, in clock ticks since boot) and the boot
 * id (/proc/sys/kernel/random/boot_id). A lock is stale when its pid is not running, when the machine has
 * rebooted since (another boot id), or when the pid is running but started at another time: a pid reused by an
 * unrelated process (common after a reboot or in containers) no longer keeps the bot from starting. Where
 * /proc is not there (macOS, Windows), pid liveness alone decides, as before.
 *
 * Why not `proper-lockfile` (issue 15): it locks with mkdir and calls a lock stale by its age — it touches the
 * lock's mtime on a timer and takes over any lock not touched for `stale` ms (10 s by default). That gives up
 * two guarantees this file has and its tests pin: (1) a crashed holder's lock is taken over at once, by pid,
 * instead of after a wait, and a live holder is never taken over because its event loop stalled past `stale`
 * (a 100k-entry publish or a GC pause would do it, and two bots would then run); (2) the takeover race: two
 * starters finding the same stale lock cannot both win (our second mutex, .lock.takeover). It also cannot tell a
 * reused pid, needs a timer in every process, and would add a dependency for ~200 lines we have tested. Kept.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Log } from './log.ts';

export type LockPurpose = 'bot' | 'ingest' | 'digest';

export interface LockInfo {
  pid: number;
  purpose: LockPurpose;
  startedAt: string;
  host: string;
  /** Distinguishes two acquisitions by the same pid (tests, restarts in-process) so release never frees someone else's lock. */
  id: string;
  /** The holder's start time (clock ticks since boot, /proc/<pid>/stat field 22); absent where unknown. */
  procStart?: string;
  /** The machine's boot id when the lock was taken; absent where unknown. */
  bootId?: string;
}

export interface InstanceLock {
  readonly info: LockInfo;
  readonly path: string;
  release(): Promise<void>;
}

export interface AcquireOptions {
  purpose: LockPurpose;
  log?: Log;
  /** Remove the lock from a process 'exit' handler if release() was never called. Default true. */
  releaseOnExit?: boolean;
  /** Liveness probe; injectable for tests. Default: signal 0. */
  isAlive?: (pid: number) => boolean;
  /** A process's start time (undefined: unknown); injectable for tests. Default: /proc/<pid>/stat. */
  processStart?: (pid: number) => string | undefined;
  /** This boot's id (undefined: unknown); injectable for tests. Default: /proc/sys/kernel/random/boot_id. */
  bootId?: () => string | undefined;
}

export class LockError extends Error {
  override readonly name = 'LockError';
  constructor(
    message: string,
    readonly holder: LockInfo | undefined,
  ) {
    super(message);
  }
}

export const LOCK_FILE = '.lock';

/** Ids of locks this process holds: tells our own live lock apart from one left by an earlier process that had our pid. */
const heldHere = new Set<string>();

const PURPOSE_LABEL: Record<LockPurpose, string> = { bot: 'the bot', ingest: 'an ingest run', digest: 'a digest run' };

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user; it is still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a running process, in clock ticks since boot (Linux); undefined where /proc is not there. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined | null = null;
export function currentBootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}

type Liveness = { alive: true } | { alive: false; why: string };

/** Whether the holder of a lock is still running, by pid, boot id and start time. */
function holderLiveness(
  holder: LockInfo,
  probe: { isAlive: (pid: number) => boolean; processStart: (pid: number) => string | undefined; bootId: () => string | undefined },
): Liveness {
  const boot = probe.bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return { alive: false, why: 'the machine has restarted since it was taken' };
  if (!probe.isAlive(holder.pid)) return { alive: false, why: `pid ${holder.pid} is no longer running` };
  if (holder.procStart) {
    const now = probe.processStart(holder.pid);
    if (now !== undefined && now !== holder.procStart)
      return { alive: false, why: `pid ${holder.pid} is now another process (started at another time)` };
  }
  return { alive: true };
}

/** One line about a lock file's content, for `npm run check`. */
export function describeLock(text: string): string {
  const holder = parseLock(text);
  if (!holder) return 'unreadable (taken over at the next start)';
  const who = `${PURPOSE_LABEL[holder.purpose]} (pid ${holder.pid}, since ${holder.startedAt}, host ${holder.host})`;
  if (holder.host !== hostname()) return `held by ${who} on another host`;
  const l = holderLiveness(holder, { isAlive: isProcessAlive, processStart: processStartTime, bootId: currentBootId });
  return l.alive ? `held by ${who}: running` : `stale, left by ${who}: ${l.why} (taken over at the next start)`;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') {
      return {
        pid: v.pid,
        purpose: v.purpose === 'bot' || v.purpose === 'ingest' || v.purpose === 'digest' ? v.purpose : 'bot',
        startedAt: typeof v.startedAt === 'string' ? v.startedAt : 'unknown',
        host: v.host,
        id: typeof v.id === 'string' ? v.id : '',
        ...(typeof v.procStart === 'string' ? { procStart: v.procStart } : {}),
        ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
      };
    }
  } catch {
    // fall through: unreadable content is treated like a stale lock by the caller
  }
  return undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function heldMessage(holder: LockInfo, lockPath: string, dataDir: string, sameHost: boolean): string {
  const who = `${PURPOSE_LABEL[holder.purpose]} (pid ${holder.pid}, since ${holder.startedAt})`;
  return sameHost
    ? `${who} is running on this DATA_DIR (${dataDir}); stop it first`
    : `${who} on host ${holder.host} holds this DATA_DIR (${dataDir}); stop it first, or if that host is gone, delete ${lockPath}`;
}

/**
 * Takes the lock for `dataDir`, creating the directory if needed. Throws LockError if a live process holds it;
 * takes over a lock left by a dead process (crash, kill -9) on this host.
 */
export async function acquireLock(dataDir: string, options: AcquireOptions): Promise<InstanceLock> {
  const dir = resolve(dataDir);
  const lockPath = join(dir, LOCK_FILE);
  const probe = {
    isAlive: options.isAlive ?? isProcessAlive,
    processStart: options.processStart ?? processStartTime,
    bootId: options.bootId ?? currentBootId,
  };
  const host = hostname();
  await mkdir(dir, { recursive: true });

  const procStart = probe.processStart(process.pid);
  const bootId = probe.bootId();
  const info: LockInfo = {
    pid: process.pid,
    purpose: options.purpose,
    startedAt: new Date().toISOString(),
    host,
    id: randomUUID(),
    ...(procStart !== undefined ? { procStart } : {}),
    ...(bootId !== undefined ? { bootId } : {}),
  };
  const content = `${JSON.stringify(info)}\n`;
  const tmpPath = join(dir, `${LOCK_FILE}.${process.pid}.${info.id}.tmp`);
  await writeFile(tmpPath, content);

  try {
    // Each round either wins, fails for a live holder, clears one stale lock, or waits out another process's takeover.
    for (let round = 0; round < 200; round++) {
      try {
        // Registered before the link so a concurrent acquire in this process never mistakes it for a previous life.
        heldHere.add(info.id);
        // link() is create-if-absent with the content already in place: atomic on POSIX and NTFS.
        await link(tmpPath, lockPath);
        return makeHandle(info, lockPath, options.releaseOnExit ?? true);
      } catch (err) {
        heldHere.delete(info.id);
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }

      const seen = await readText(lockPath);
      if (seen === undefined) continue; // released between our link and read; try again
      const holder = parseLock(seen);
      if (holder && holder.host !== host) throw new LockError(heldMessage(holder, lockPath, dir, false), holder);
      // In a container the bot is often pid 1 on every start, so a crash leaves a lock whose pid is "alive": it's us.
      const earlierLifeOfOurPid = holder !== undefined && holder.pid === process.pid && !heldHere.has(holder.id);
      const liveness =
        holder && !earlierLifeOfOurPid
          ? holderLiveness(holder, probe)
          : ({ alive: false, why: `pid ${holder?.pid} is this process, started again` } as const);
      if (holder && liveness.alive) throw new LockError(heldMessage(holder, lockPath, dir, true), holder);

      const removed = await removeIfUnchanged(lockPath, seen, dir);
      if (removed === 'busy') {
        await sleep(5 + Math.random() * 20);
        continue;
      }
      if (removed) {
        options.log?.warn(
          { lockPath, stale: holder ?? { unreadable: seen.slice(0, 200) } },
          holder
            ? `took over a stale lock: ${PURPOSE_LABEL[holder.purpose]} (pid ${holder.pid}, since ${holder.startedAt}): ${liveness.alive ? 'stale' : liveness.why}`
            : 'took over an unreadable lock file',
        );
      }
    }
    throw new LockError(
      `could not take the lock ${lockPath}: it keeps changing hands; is something else starting on this DATA_DIR?`,
      undefined,
    );
  } finally {
    await unlink(tmpPath).catch(() => {});
  }
}

const TAKEOVER_FILE = `${LOCK_FILE}.takeover`;
/** A process that died while holding the takeover mutex (a few ms of work) leaves it behind; older than this, it is ignored. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes the stale lock only if it is still the one we judged stale. The check and the unlink happen under a
 * second, short-lived mutex (exclusive create of .lock.takeover): without it, two processes racing for the same
 * stale lock could each remove what the other just created, and both would "win".
 * Returns 'busy' when another process is taking over right now: the caller looks again.
 */
async function removeIfUnchanged(lockPath: string, expected: string, dir: string): Promise<boolean | 'busy'> {
  const mutex = join(dir, TAKEOVER_FILE);
  try {
    await writeFile(mutex, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await stat(mutex).then(
      (st) => Date.now() - st.mtimeMs,
      () => 0,
    );
    if (age > TAKEOVER_STALE_MS) await unlink(mutex).catch(() => {});
    return 'busy';
  }
  try {
    if ((await readText(lockPath)) !== expected) return false;
    await unlink(lockPath).catch(() => {});
    return true;
  } finally {
    await unlink(mutex).catch(() => {});
  }
}

function isStillOurs(lockPath: string, id: string, text: string | undefined): boolean {
  return text !== undefined && parseLock(text)?.id === id;
}

function makeHandle(info: LockInfo, lockPath: string, releaseOnExit: boolean): InstanceLock {
  let released = false;
  // Sync because 'exit' handlers cannot await; best-effort since the process is going away regardless.
  const onExit = (): void => {
    if (released) return;
    heldHere.delete(info.id);
    try {
      if (isStillOurs(lockPath, info.id, readFileSync(lockPath, 'utf8'))) unlinkSync(lockPath);
    } catch {
      // nothing useful to do while exiting; the next start treats the lock as stale
    }
  };
  if (releaseOnExit) process.once('exit', onExit);

  return {
    info,
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(info.id);
      process.off('exit', onExit);
      if (isStillOurs(lockPath, info.id, await readText(lockPath))) await unlink(lockPath).catch(() => {});
    },
  };
}

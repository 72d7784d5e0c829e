import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerError, createDigestScheduler } from '../../src/digest/scheduler.ts';
import type { DigestScheduler } from '../../src/digest/scheduler.ts';
import { recordingLog } from '../helpers/digest.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const started: DigestScheduler[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

describe('digest scheduler', () => {
  it('refuses an unknown time zone with a clear error', () => {
    expect(() => createDigestScheduler({ runDue: async () => {}, timezone: 'Asia/Shanghia', log: recordingLog() })).toThrow(SchedulerError);
    expect(() => createDigestScheduler({ runDue: async () => {}, timezone: 'Asia/Shanghia', log: recordingLog() })).toThrow(
      /"Asia\/Shanghia" is not an IANA time zone/,
    );
  });

  it('refuses a rule node-schedule cannot use (it returns null rather than throwing)', async () => {
    const s = createDigestScheduler({ runDue: async () => {}, timezone: 'UTC', log: recordingLog(), rule: 'not a rule' });
    started.push(s);
    await expect(s.start()).rejects.toThrow(/node-schedule refused the rule "not a rule"/);
  });

  it('runs once at start (catch-up) and schedules one minute job', async () => {
    let runs = 0;
    const s = createDigestScheduler({ runDue: async () => void runs++, timezone: 'Asia/Shanghai', log: recordingLog() });
    started.push(s);
    await s.start();
    expect(runs).toBe(1);
    const next = s.nextInvocation();
    expect(next).not.toBeNull();
    expect(next!.getUTCSeconds()).toBe(0);
    await s.stop();
    expect(s.nextInvocation()).toBeNull();
  });

  it('never overlaps runs: a tick during a run is skipped, not queued', async () => {
    const gate = deferred();
    let runs = 0;
    const log = recordingLog();
    const s = createDigestScheduler({
      runDue: async () => {
        runs++;
        await gate.promise;
      },
      timezone: 'UTC',
      log,
    });
    const first = s.tick();
    expect(s.running()).toBe(true);
    void s.tick();
    void s.tick();
    expect(runs).toBe(1);
    expect(log.lines.filter((l) => (l.obj as { event?: string }).event === 'digest-tick-skipped')).toHaveLength(2);
    gate.resolve();
    await first;
    expect(s.running()).toBe(false);
    await s.tick();
    expect(runs).toBe(2);
  });

  it('a failing pass is logged and the next tick runs again', async () => {
    let runs = 0;
    const log = recordingLog();
    const s = createDigestScheduler({
      runDue: async () => {
        runs++;
        throw new Error('boom');
      },
      timezone: 'UTC',
      log,
    });
    await s.tick();
    await s.tick();
    expect(runs).toBe(2);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });

  it('stop() waits for the pass in flight and prevents further ticks', async () => {
    const gate = deferred();
    let finished = false;
    let runs = 0;
    const s = createDigestScheduler({
      runDue: async () => {
        runs++;
        await gate.promise;
        finished = true;
      },
      timezone: 'UTC',
      log: recordingLog(),
    });
    const startP = s.start();
    const stopP = s.stop();
    let stopped = false;
    void stopP.then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    gate.resolve();
    await stopP;
    await startP;
    expect(finished).toBe(true);
    await s.tick();
    expect(runs).toBe(1);
  });

  it('stop() aborts the signal of the pass in flight so a long pass ends early', async () => {
    let seen: AbortSignal | null = null;
    const s = createDigestScheduler({
      runDue: (signal) =>
        new Promise<void>((resolve) => {
          seen = signal;
          signal.addEventListener('abort', () => resolve());
        }),
      timezone: 'UTC',
      log: recordingLog(),
    });
    const pass = s.tick();
    expect(seen!.aborted).toBe(false);
    await s.stop();
    await pass;
    expect(seen!.aborted).toBe(true);
  });
});

import schedule from 'node-schedule';
import type { Job } from 'node-schedule';
import { isValidTimeZone } from '../core/time.ts';
import type { Log } from '../infra/log.ts';

export interface DigestSchedulerOptions {
  /** One pass; it should end soon after `signal` aborts (stop()), keeping its progress. */
  runDue: (signal: AbortSignal) => Promise<unknown>;
  /** Zone the minute ticks are computed in; each subscription still decides "due" in its own zone. */
  timezone: string;
  log: Log;
  /** Cron rule; one tick per minute by default. */
  rule?: string;
}

export interface DigestScheduler {
  /** Schedules the tick and runs one pass right away (catch-up after downtime). */
  start(): Promise<void>;
  /** One pass now, unless one is already going (then it is skipped, never queued). */
  tick(): Promise<void>;
  /** Cancels the job and waits for the pass in flight. */
  stop(): Promise<void>;
  running(): boolean;
  nextInvocation(): Date | null;
}

export class SchedulerError extends Error {
  override name = 'SchedulerError';
}

/**
 * One job for all chats: node-schedule keeps its invocations in a sorted array and slows badly with
 * tens of thousands of jobs, and per-chat jobs would also have to be kept in sync with every change.
 */
export function createDigestScheduler(opts: DigestSchedulerOptions): DigestScheduler {
  if (!isValidTimeZone(opts.timezone)) {
    throw new SchedulerError(
      `digest scheduler: "${opts.timezone}" is not an IANA time zone this Node knows (e.g. Asia/Shanghai, Europe/London, UTC)`,
    );
  }
  const rule = opts.rule ?? '* * * * *';
  let job: Job | null = null;
  let inFlight: Promise<void> | null = null;
  let controller: AbortController | null = null;
  let stopped = false;

  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (inFlight) {
      opts.log.warn({ event: 'digest-tick-skipped' }, 'digest pass still running; tick skipped');
      return inFlight;
    }
    const pass = new AbortController();
    controller = pass;
    inFlight = (async () => {
      try {
        await opts.runDue(pass.signal);
      } catch (err) {
        opts.log.error({ event: 'digest-pass-failed', err }, 'digest pass failed');
      } finally {
        inFlight = null;
        controller = null;
      }
    })();
    return inFlight;
  };

  return {
    async start() {
      if (job) return;
      stopped = false;
      job = schedule.scheduleJob({ rule, tz: opts.timezone }, () => void tick());
      // node-schedule returns null instead of throwing for a rule or zone it cannot use.
      if (!job) throw new SchedulerError(`digest scheduler: node-schedule refused the rule "${rule}" in zone "${opts.timezone}"`);
      // An 'error' event without a listener would throw from inside node-schedule's timer.
      job.on('error', (err: unknown) => opts.log.error({ event: 'digest-job-error', err }, 'digest job error'));
      await tick();
    },
    tick,
    async stop() {
      stopped = true;
      job?.cancel();
      job = null;
      // A pass over many chats can take long; it stops after the chat in hand and keeps its progress.
      controller?.abort();
      if (inFlight) await inFlight;
    },
    running: () => inFlight !== null,
    nextInvocation: () => {
      const next = job?.nextInvocation();
      return next ? new Date(next.getTime()) : null;
    },
  };
}

/**
 * Tells an outage of the Bot API (or of our network) from a chat's own failure, and pauses all sends through it.
 *
 * Rule: `threshold` transient failures (network errors, 5xx) in a row, from at least two different chats, with
 * no answer from Telegram in between, is an outage. (With a single chat in play there is no telling the two
 * apart: that chat's own retry budget applies.) During an outage every send waits at the gate instead of
 * spending its chat's retries; after a backoff (1 s, doubling, at most `maxBackoffMs`, 15 min) one waiting send
 * goes through as the probe. Any answer from Telegram to it (success, or an error that is not transient) ends
 * the outage and every waiting send goes on; a transient failure doubles the backoff for the next probe.
 * `giveUpAfterMs` (default: never) bounds the whole pause: past it, waiting sends are told to give up (the
 * digest CLI must not wait for ever). Clock and sleep are injected, like the limiter's.
 */

export interface OutageGateOptions {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Transient failures in a row (from ≥ 2 chats) that make an outage. Default 3. */
  threshold?: number;
  firstBackoffMs?: number;
  /** Longest pause between probes. Default 15 min. */
  maxBackoffMs?: number;
  /** Longest outage the gate waits out before waiting sends give up. Default: no limit. */
  giveUpAfterMs?: number;
  onChange?: (event: { outage: boolean; sinceMs: number; failures: number; nextProbeInMs?: number }) => void;
}

/** 'go': no outage; 'probe': this send is the probe (report its outcome); 'aborted'; 'gave-up': giveUpAfterMs passed. */
export type GateTurn = 'go' | 'probe' | 'aborted' | 'gave-up';

export interface OutageGate {
  inOutage(): boolean;
  /** A transient failure of a send to `chatId`. */
  failure(chatId: string | number): void;
  /** Telegram answered (anything but a transient error). */
  answered(): void;
  /** A probe that ended without a send (aborted while queued): another waiting send becomes the probe. */
  abandonProbe(): void;
  /** Resolves at once outside an outage; inside, when this send may go (as the probe, or once it is over). */
  wait(signal?: AbortSignal): Promise<GateTurn>;
  /** Outages so far and the time spent in them: for the run's log line. */
  stats(): { outages: number; pausedMs: number };
}

export function createOutageGate(opts: OutageGateOptions): OutageGate {
  const threshold = Math.max(2, opts.threshold ?? 3);
  const firstBackoff = opts.firstBackoffMs ?? 1000;
  const maxBackoff = opts.maxBackoffMs ?? 15 * 60_000;
  const giveUpAfter = opts.giveUpAfterMs ?? Infinity;

  let streak = 0;
  const streakChats = new Set<string>();
  let outageSince: number | null = null;
  let backoff = firstBackoff;
  let nextProbeAt = 0;
  let probing = false;
  let outages = 0;
  let pausedMs = 0;
  // Resolved (and replaced) whenever the state changes, so waiters look again.
  const signalled = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };
  let changed = signalled();
  const notify = () => {
    changed.resolve();
    changed = signalled();
  };

  const endOutage = () => {
    if (outageSince === null) return;
    const since = outageSince;
    pausedMs += opts.now() - since;
    outageSince = null;
    probing = false;
    backoff = firstBackoff;
    opts.onChange?.({ outage: false, sinceMs: opts.now() - since, failures: streak });
    notify();
  };

  const gate: OutageGate = {
    inOutage: () => outageSince !== null,
    failure(chatId) {
      streak++;
      streakChats.add(String(chatId));
      if (outageSince === null) {
        if (streak < threshold || streakChats.size < 2) return;
        outageSince = opts.now();
        outages++;
        backoff = firstBackoff;
      } else if (probing) {
        backoff = Math.min(maxBackoff, backoff * 2);
      } else return; // a send that went before the outage was declared: the schedule stands
      probing = false;
      nextProbeAt = opts.now() + backoff;
      opts.onChange?.({ outage: true, sinceMs: opts.now() - outageSince, failures: streak, nextProbeInMs: backoff });
      notify();
    },
    answered() {
      streak = 0;
      streakChats.clear();
      endOutage();
    },
    abandonProbe() {
      if (!probing) return;
      probing = false;
      notify();
    },
    async wait(signal) {
      for (;;) {
        if (signal?.aborted) return 'aborted';
        if (outageSince === null) return 'go';
        if (opts.now() - outageSince >= giveUpAfter) return 'gave-up';
        const until = nextProbeAt - opts.now();
        if (!probing && until <= 0) {
          probing = true;
          return 'probe';
        }
        const wake = changed.promise;
        const sleepFor = Math.max(1, Math.min(probing ? maxBackoff : until, giveUpAfter - (opts.now() - outageSince)));
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          signal?.addEventListener('abort', onAbort, { once: true });
          void Promise.race([wake, opts.sleep(sleepFor)]).then(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
    },
    stats: () => ({ outages, pausedMs: pausedMs + (outageSince === null ? 0 : opts.now() - outageSince) }),
  };
  return gate;
}

/**
 * Manual clock for code that takes `now` and `sleep`. Sleeps resolve only when the test advances time,
 * so pacing can be asserted in exact milliseconds without real timers.
 */
export interface FakeClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Moves time forward by `ms`, waking sleepers in due order and letting their continuations run. */
  advance: (ms: number) => Promise<void>;
  /** Keeps firing the earliest sleeper until none is left (or `maxSteps` is hit, to catch endless loops). */
  runAll: (maxSteps?: number) => Promise<void>;
  /** Lets pending promise continuations run without moving time. */
  flush: () => Promise<void>;
  pendingSleeps: () => number;
}

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

export function createFakeClock(start = 0): FakeClock {
  let t = start;
  let seq = 0;
  const sleepers: Sleeper[] = [];

  // setImmediate runs after the whole microtask queue has drained, so every continuation chained on a
  // just-resolved sleep gets to run (and schedule its next sleep) before time moves again.
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
  };

  const takeEarliest = (limit: number): Sleeper | undefined => {
    let best = -1;
    for (let i = 0; i < sleepers.length; i++) {
      const s = sleepers[i]!;
      if (s.at > limit) continue;
      const b = best < 0 ? undefined : sleepers[best]!;
      if (!b || s.at < b.at || (s.at === b.at && s.seq < b.seq)) best = i;
    }
    return best < 0 ? undefined : sleepers.splice(best, 1)[0];
  };

  return {
    now: () => t,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        sleepers.push({ at: t + Math.max(0, ms), seq: seq++, resolve });
      }),
    async advance(ms) {
      const target = t + ms;
      await flush();
      for (;;) {
        const s = takeEarliest(target);
        if (!s) break;
        t = Math.max(t, s.at);
        s.resolve();
        await flush();
      }
      t = target;
      await flush();
    },
    async runAll(maxSteps = 100_000) {
      await flush();
      for (let i = 0; i < maxSteps; i++) {
        const s = takeEarliest(Infinity);
        if (!s) return;
        t = Math.max(t, s.at);
        s.resolve();
        await flush();
      }
      throw new Error(`fake clock: still sleeping after ${maxSteps} steps`);
    },
    flush,
    pendingSleeps: () => sleepers.length,
  };
}

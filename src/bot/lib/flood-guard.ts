import { LRUCache } from 'lru-cache';

/** Per-user sliding window: a user who floods searches is slowed down, and told so once per window. */
export function createFloodGuard(opts: { perMinute: number; now: () => number; maxUsers?: number }) {
  // The recently active users (at most maxUsers): their search times and when they were last told to slow
  // down. A user forgotten in between starts afresh.
  const users = new LRUCache<number, { times: number[]; warnedAt: number }>({ max: opts.maxUsers ?? 50_000 });
  return {
    /** ok, or how many seconds to wait and whether to tell the user (only the first refusal in a window). */
    check(userId: number): { ok: true } | { ok: false; retryAfterSec: number; notify: boolean } {
      const t = opts.now();
      const windowStart = t - 60_000;
      let user = users.get(userId);
      if (!user) users.set(userId, (user = { times: [], warnedAt: -Infinity }));
      else dropOlder(user.times, windowStart);
      if (user.times.length >= opts.perMinute) {
        const retryAfterSec = Math.max(1, Math.ceil((user.times[0]! + 60_000 - t) / 1000));
        const notify = user.warnedAt <= windowStart;
        if (notify) user.warnedAt = t;
        return { ok: false, retryAfterSec, notify };
      }
      user.times.push(t);
      return { ok: true };
    },
  };
}

/** Removes the times at or before windowStart, in place (no new array per search), keeping the order. */
function dropOlder(list: number[], windowStart: number): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) if (list[i]! > windowStart) list[kept++] = list[i]!;
  list.length = kept;
}

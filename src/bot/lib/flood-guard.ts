import { RecentMap } from './recent-map.ts';

/** Per-user sliding window: a user who floods searches is slowed down, and told so once per window. */
export function createFloodGuard(opts: { perMinute: number; now: () => number; maxUsers?: number }) {
  // The recently active users' search times; a user forgotten in between starts a fresh window.
  const hits = new RecentMap<number, number[]>(opts.maxUsers ?? 50_000);
  const warned = new Map<number, number>();
  return {
    /** ok, or how many seconds to wait and whether to tell the user (only the first refusal in a window). */
    check(userId: number): { ok: true } | { ok: false; retryAfterSec: number; notify: boolean } {
      const t = opts.now();
      const windowStart = t - 60_000;
      let list = hits.get(userId);
      if (!list) hits.set(userId, (list = []));
      else dropOlder(list, windowStart);
      if (list.length >= opts.perMinute) {
        const retryAfterSec = Math.max(1, Math.ceil((list[0]! + 60_000 - t) / 1000));
        const notify = (warned.get(userId) ?? 0) <= windowStart;
        if (notify) warned.set(userId, t);
        return { ok: false, retryAfterSec, notify };
      }
      list.push(t);
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

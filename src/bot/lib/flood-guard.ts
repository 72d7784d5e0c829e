/** Per-user sliding window: a user who floods searches is slowed down, and told so once per window. */
export function createFloodGuard(opts: { perMinute: number; now: () => number; maxUsers?: number }) {
  const hits = new Map<number, number[]>();
  const warned = new Map<number, number>();
  const maxUsers = opts.maxUsers ?? 50_000;
  return {
    /** ok, or how many seconds to wait and whether to tell the user (only the first refusal in a window). */
    check(userId: number): { ok: true } | { ok: false; retryAfterSec: number; notify: boolean } {
      const t = opts.now();
      const windowStart = t - 60_000;
      const list = (hits.get(userId) ?? []).filter((x) => x > windowStart);
      if (list.length >= opts.perMinute) {
        hits.set(userId, list);
        const retryAfterSec = Math.max(1, Math.ceil((list[0]! + 60_000 - t) / 1000));
        const notify = (warned.get(userId) ?? 0) <= windowStart;
        if (notify) warned.set(userId, t);
        return { ok: false, retryAfterSec, notify };
      }
      list.push(t);
      hits.delete(userId); // re-insert: Map order then doubles as least-recently-used order
      hits.set(userId, list);
      if (hits.size > maxUsers) {
        const oldest = hits.keys().next().value;
        if (oldest !== undefined) hits.delete(oldest);
      }
      return { ok: true };
    },
  };
}

import { describe, expect, it } from 'vitest';
import { createFloodGuard } from '../../../src/bot/lib/flood-guard.ts';

describe('createFloodGuard', () => {
  it('lets perMinute searches through per sliding minute and tells the user once per window', () => {
    let now = 1_000_000;
    const guard = createFloodGuard({ perMinute: 2, now: () => now });
    // [ms since start, user, expected]
    const steps: [number, number, ReturnType<typeof guard.check>][] = [
      [0, 1, { ok: true }],
      [10_000, 1, { ok: true }],
      [20_000, 1, { ok: false, retryAfterSec: 40, notify: true }],
      [30_000, 1, { ok: false, retryAfterSec: 30, notify: false }],
      [30_000, 2, { ok: true }], // another user has a window of their own
      [60_001, 1, { ok: true }], // the first search left the window
      [61_000, 1, { ok: false, retryAfterSec: 9, notify: false }], // still told within this window
      [80_000, 1, { ok: true }],
      [81_000, 1, { ok: false, retryAfterSec: 40, notify: true }], // the last telling left the window: told again
    ];
    for (const [at, user, expected] of steps) {
      now = 1_000_000 + at;
      expect(guard.check(user), `${at} ms, user ${user}`).toEqual(expected);
    }
  });

  it('forgets users beyond maxUsers, who then start afresh', () => {
    const guard = createFloodGuard({ perMinute: 1, now: () => 0, maxUsers: 4 });
    expect(guard.check(1).ok).toBe(true);
    expect(guard.check(1).ok).toBe(false);
    for (let u = 2; u < 10; u++) guard.check(u);
    expect(guard.check(1).ok).toBe(true);
  });

  it('forgets when it told a forgotten user to slow down, with the user (nothing kept beyond maxUsers)', () => {
    const guard = createFloodGuard({ perMinute: 1, now: () => 0, maxUsers: 4 });
    guard.check(1);
    expect(guard.check(1)).toMatchObject({ ok: false, notify: true });
    for (let u = 2; u < 10; u++) guard.check(u);
    // Back within the same minute, as a new user: let through, then told again on the first refusal.
    expect(guard.check(1).ok).toBe(true);
    expect(guard.check(1)).toMatchObject({ ok: false, notify: true });
  });
});

import { describe, expect, it } from 'vitest';
import { createDueChecker, dueState, initialLastDigestDate, isDue, localClock, nextDelivery, zonedInstant } from '../../src/digest/due.ts';

const at = (iso: string) => Date.parse(iso);
const sub = (time: string, timezone: string, lastDigestDate: string | null = null) => ({ time, timezone, lastDigestDate });

describe('local clock per zone', () => {
  it('gives each zone its own date and time for one instant', () => {
    const t = at('2024-03-10T01:00:00Z');
    expect(localClock(t, 'Asia/Shanghai')).toEqual({ date: '2024-03-10', time: '09:00' });
    expect(localClock(t, 'Europe/London')).toEqual({ date: '2024-03-10', time: '01:00' });
    expect(localClock(t, 'America/New_York')).toEqual({ date: '2024-03-09', time: '20:00' });
  });

  it('prints midnight as 00, not 24', () => {
    expect(localClock(at('2024-01-01T16:00:00Z'), 'Asia/Shanghai')).toEqual({ date: '2024-01-02', time: '00:00' });
  });
});

describe('due', () => {
  it('is due at 09:00 in each zone, at different instants', () => {
    // 09:00 Shanghai = 01:00Z; 09:00 London (GMT in January) = 09:00Z; 09:00 New York (EST) = 14:00Z.
    const sh = sub('09:00', 'Asia/Shanghai');
    const ldn = sub('09:00', 'Europe/London');
    const ny = sub('09:00', 'America/New_York');
    expect([isDue(sh, at('2024-01-15T00:59:00Z')), isDue(sh, at('2024-01-15T01:00:00Z'))]).toEqual([false, true]);
    expect([isDue(ldn, at('2024-01-15T08:59:00Z')), isDue(ldn, at('2024-01-15T09:00:00Z'))]).toEqual([false, true]);
    expect([isDue(ny, at('2024-01-15T13:59:00Z')), isDue(ny, at('2024-01-15T14:00:00Z'))]).toEqual([false, true]);
  });

  it('follows summer time: 09:00 London is 08:00Z after the change', () => {
    const ldn = sub('09:00', 'Europe/London');
    expect(isDue(ldn, at('2024-03-30T08:30:00Z'))).toBe(false); // GMT: 08:30
    expect(isDue(ldn, at('2024-03-31T08:00:00Z'))).toBe(true); // BST: 09:00
  });

  it('sends a time inside the spring-forward gap when the clock jumps past it', () => {
    // New York, 2024-03-10: 01:59 EST is followed by 03:00 EDT; 02:30 never happens.
    const ny = sub('02:30', 'America/New_York', '2024-03-09');
    expect(isDue(ny, at('2024-03-10T06:59:00Z'))).toBe(false);
    expect(isDue(ny, at('2024-03-10T07:00:00Z'))).toBe(true);
    const next = nextDelivery(ny, at('2024-03-10T05:00:00Z'));
    expect(next).toMatchObject({ at: at('2024-03-10T07:00:00Z'), date: '2024-03-10', time: '03:00', dueNow: false });
  });

  it('sends once on the fall-back day, though 01:30 happens twice', () => {
    const ny = sub('01:30', 'America/New_York', '2024-11-02');
    const first = at('2024-11-03T05:30:00Z'); // 01:30 EDT
    const second = at('2024-11-03T06:30:00Z'); // 01:30 EST
    expect(dueState(ny, first)).toEqual({ due: true, local: { date: '2024-11-03', time: '01:30' } });
    expect(localClock(second, 'America/New_York')).toEqual({ date: '2024-11-03', time: '01:30' });
    expect(isDue({ ...ny, lastDigestDate: '2024-11-03' }, second)).toBe(false);
    expect(zonedInstant('2024-11-03', '01:30', 'America/New_York')).toBe(first);
  });

  it('is not due again the same local day, and once (not three times) after three days down', () => {
    const sh = sub('09:00', 'Asia/Shanghai', '2024-01-12');
    const t = at('2024-01-15T03:00:00Z');
    expect(dueState(sh, t)).toEqual({ due: true, local: { date: '2024-01-15', time: '11:00' } });
    expect(isDue({ ...sh, lastDigestDate: '2024-01-15' }, t)).toBe(false);
    expect(isDue({ ...sh, lastDigestDate: '2024-01-15' }, at('2024-01-16T00:59:00Z'))).toBe(false);
    expect(isDue({ ...sh, lastDigestDate: '2024-01-15' }, at('2024-01-16T01:00:00Z'))).toBe(true);
  });

  it('force ignores the time of day but not the date', () => {
    const t = at('2024-01-15T00:00:00Z'); // 08:00 Shanghai
    const checker = createDueChecker(t, { force: true });
    expect(checker(sub('09:00', 'Asia/Shanghai', '2024-01-14')).due).toBe(true);
    expect(checker(sub('09:00', 'Asia/Shanghai', '2024-01-15')).due).toBe(false);
    expect(createDueChecker(t)(sub('09:00', 'Asia/Shanghai', '2024-01-14')).due).toBe(false);
  });
});

describe('next delivery', () => {
  it('is later today, or tomorrow once today is served, or now when due', () => {
    const t = at('2024-01-15T00:00:00Z'); // 08:00 Shanghai
    expect(nextDelivery(sub('09:00', 'Asia/Shanghai'), t)).toEqual({
      at: at('2024-01-15T01:00:00Z'),
      date: '2024-01-15',
      time: '09:00',
      dueNow: false,
    });
    expect(nextDelivery(sub('07:00', 'Asia/Shanghai', '2024-01-15'), t)).toEqual({
      at: at('2024-01-15T23:00:00Z'),
      date: '2024-01-16',
      time: '07:00',
      dueNow: false,
    });
    expect(nextDelivery(sub('07:00', 'Asia/Shanghai', '2024-01-14'), t)).toMatchObject({ at: t, dueNow: true });
  });

  it('crosses a month end and a DST change in London', () => {
    const t = at('2024-03-30T12:00:00Z');
    expect(nextDelivery(sub('09:00', 'Europe/London', '2024-03-30'), t)).toMatchObject({
      at: at('2024-03-31T08:00:00Z'),
      date: '2024-03-31',
      time: '09:00',
    });
  });

  it('a new subscription after its time today counts today as served', () => {
    const t = at('2024-01-15T03:00:00Z'); // 11:00 Shanghai
    expect(initialLastDigestDate({ time: '09:00', timezone: 'Asia/Shanghai' }, t)).toBe('2024-01-15');
    expect(initialLastDigestDate({ time: '18:00', timezone: 'Asia/Shanghai' }, t)).toBeNull();
  });
});

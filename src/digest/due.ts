/**
 * When a subscription's digest is due, computed from its own zone with Intl only (no tz library).
 * "Due" is a state, not an event:
 * - daily: local time at or past HH:MM and no digest yet for this local date;
 * - weekly: no digest since the latest weekday-at-HH:MM that has come (so a bot down on Monday sends
 *   Monday's on start-up on Tuesday, once);
 * - instant: entries were published past the subscription's cursor (the pass's seq, passed in).
 * A bot that was down for three days therefore sends one digest on start-up, not three.
 */
import type { Frequency } from '../core/schedule/parse-schedule.ts';

export interface LocalClock {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** HH:MM (24-hour) in the zone. */
  time: string;
}

export interface DueFields {
  time: string;
  timezone: string;
  lastDigestDate: string | null;
  /** Daily when absent. */
  frequency?: Frequency;
  /** ISO weekday (1 = Monday) of a weekly digest; Monday when absent. */
  weekday?: number | null;
  /** Entry seq delivered (instant subscriptions are due while the store is past it). */
  cursor?: number;
}

export interface DueOptions {
  /** Ignore the time of day (never the date: a chat served today is not served again). */
  force?: boolean;
  /** The store's entry seq at the start of the pass; without it no instant subscription is due. */
  seq?: number;
}

// Building a DateTimeFormat costs far more than using one; a run over many chats meets few zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      // h23, not hour12:false: the latter prints midnight as "24" on some ICU versions.
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localClock(now: number, timeZone: string): LocalClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(now)) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

export interface DueState {
  due: boolean;
  local: LocalClock;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD date. */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** The local date of the latest weekly turn that has come by `local` (today once its time is reached). */
export function lastWeeklyTurn(local: LocalClock, weekday: number, time: string): string {
  let back = (isoWeekday(local.date) - weekday + 7) % 7;
  if (back === 0 && local.time < time) back = 7;
  return addDays(local.date, -back);
}

function isDueAt(sub: DueFields, local: LocalClock, opts: DueOptions): boolean {
  const servedToday = sub.lastDigestDate !== null && sub.lastDigestDate >= local.date;
  switch (sub.frequency ?? 'daily') {
    case 'instant':
      return opts.seq !== undefined && (sub.cursor ?? 0) < opts.seq;
    case 'weekly':
      if (opts.force === true) return !servedToday;
      return sub.lastDigestDate === null || sub.lastDigestDate < lastWeeklyTurn(local, sub.weekday ?? 1, sub.time);
    default:
      return !servedToday && (opts.force === true || local.time >= sub.time);
  }
}

/** force ignores the time of day but never the date: a chat served today is not served again. */
export function dueState(sub: DueFields, now: number, opts: DueOptions = {}): DueState {
  const local = localClock(now, sub.timezone);
  return { due: isDueAt(sub, local, opts), local };
}

export const isDue = (sub: DueFields, now: number): boolean => dueState(sub, now).due;

/** Same answers as dueState, with the zone's clock computed once per zone for a whole pass. */
export function createDueChecker(now: number, opts: DueOptions = {}): (sub: DueFields) => DueState {
  const clocks = new Map<string, LocalClock>();
  return (sub) => {
    let local = clocks.get(sub.timezone);
    if (!local) {
      local = localClock(now, sub.timezone);
      clocks.set(sub.timezone, local);
    }
    return { due: isDueAt(sub, local, opts), local };
  };
}

const MINUTE = 60_000;

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Offset of the zone from UTC at an instant, in ms (east positive). */
function offsetAt(instant: number, timeZone: string): number {
  const l = localClock(instant, timeZone);
  const [y, mo, d] = l.date.split('-').map(Number) as [number, number, number];
  const [h, mi] = l.time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  return wall - Math.floor(instant / MINUTE) * MINUTE;
}

/**
 * The first minute at which the local wall clock reads `date time` or later. On a spring-forward day
 * a time inside the gap (02:30 in New York) is reached at the end of the gap (03:00), as the
 * per-minute scheduler will see it.
 */
export function zonedInstant(date: string, time: string, timeZone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const first = wall - offsetAt(wall, timeZone);
  let t = wall - offsetAt(first, timeZone);
  const want = `${date} ${time}`;
  const at = (x: number) => {
    const l = localClock(x, timeZone);
    return `${l.date} ${l.time}`;
  };
  if (at(t) === want) return t;
  // Inside a gap: walk forward to where the clock first reads at or past the wanted time.
  for (let i = 0; i < 6 * 60 && at(t) < want; i++) t += MINUTE;
  return t;
}

export interface NextDelivery {
  /** Instant subscriptions have no next time: each publish is pushed within the next pass. */
  instant?: boolean;
  /** UTC ms of the delivery (or `now` when the digest is due already). */
  at: number;
  /** Local date and time of that delivery in the subscription's zone. */
  date: string;
  time: string;
  /** True when it is due now (the next scheduler tick sends it). */
  dueNow: boolean;
}

export function nextDelivery(sub: DueFields, now: number): NextDelivery {
  const { due, local } = dueState(sub, now);
  if ((sub.frequency ?? 'daily') === 'instant') return { instant: true, at: now, date: local.date, time: local.time, dueNow: false };
  if (due) return { at: now, date: local.date, time: local.time, dueNow: true };
  const servedToday = sub.lastDigestDate !== null && sub.lastDigestDate >= local.date;
  let date = servedToday || local.time >= sub.time ? addDays(local.date, 1) : local.date;
  if (sub.frequency === 'weekly') {
    const weekday = sub.weekday ?? 1;
    while (isoWeekday(date) !== weekday) date = addDays(date, 1);
  }
  const at = zonedInstant(date, sub.time, sub.timezone);
  const l = localClock(at, sub.timezone);
  return { at, date: l.date, time: l.time, dueNow: false };
}

/** Where a schedule starts: today's (or this week's) turn counted as handled when its time has passed. */
export interface ScheduleStart {
  lastDigestDate: string | null;
  /** The same date when it was counted as handled without a digest. */
  skippedDate: string | null;
}

/** For a new subscription: a turn whose time has passed counts as served (nothing is pending yet). */
export function initialSchedule(sub: Omit<DueFields, 'lastDigestDate' | 'cursor'>, now: number): ScheduleStart {
  const local = localClock(now, sub.timezone);
  let date: string | null;
  if (sub.frequency === 'weekly') date = lastWeeklyTurn(local, sub.weekday ?? 1, sub.time);
  else date = sub.frequency !== 'instant' && local.time >= sub.time ? local.date : null;
  return { lastDigestDate: date, skippedDate: date };
}

export function initialLastDigestDate(sub: Omit<DueFields, 'lastDigestDate'>, now: number): string | null {
  return initialSchedule(sub, now).lastDigestDate;
}

/**
 * A change of time, weekday or frequency. When no digest was sent since the schedule started (its last turn
 * was only counted as handled), the new schedule starts afresh: moving 09:00 to 21:30 at 14:40 on the day
 * of subscribing delivers today at 21:30. Once a digest went out, the date it covered stays: one digest per
 * day (per week) — the new time applies from the next turn.
 */
export function reschedule(
  current: DueFields & { skippedDate: string | null },
  next: Omit<DueFields, 'lastDigestDate' | 'cursor'>,
  now: number,
): ScheduleStart {
  const untouched = current.lastDigestDate === null || current.lastDigestDate === current.skippedDate;
  return untouched ? initialSchedule(next, now) : { lastDigestDate: current.lastDigestDate, skippedDate: current.skippedDate };
}

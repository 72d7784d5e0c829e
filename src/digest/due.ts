/**
 * When a subscription's digest is due, computed from its own zone with Intl only (no tz library).
 * "Due" is a state, not an event: local time at or past HH:MM and no digest yet for this local date.
 * A bot that was down for three days therefore sends one digest on start-up, not three.
 */

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

/** force ignores the time of day but never the date: a chat served today is not served again. */
export function dueState(sub: DueFields, now: number, opts: { force?: boolean } = {}): DueState {
  const local = localClock(now, sub.timezone);
  const servedToday = sub.lastDigestDate !== null && sub.lastDigestDate >= local.date;
  return { due: !servedToday && (opts.force === true || local.time >= sub.time), local };
}

export const isDue = (sub: DueFields, now: number): boolean => dueState(sub, now).due;

/** Same answers as dueState, with the zone's clock computed once per zone for a whole pass. */
export function createDueChecker(now: number, opts: { force?: boolean } = {}): (sub: DueFields) => DueState {
  const clocks = new Map<string, LocalClock>();
  return (sub) => {
    let local = clocks.get(sub.timezone);
    if (!local) {
      local = localClock(now, sub.timezone);
      clocks.set(sub.timezone, local);
    }
    const servedToday = sub.lastDigestDate !== null && sub.lastDigestDate >= local.date;
    return { due: !servedToday && (opts.force === true || local.time >= sub.time), local };
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
  if (due) return { at: now, date: local.date, time: local.time, dueNow: true };
  const servedToday = sub.lastDigestDate !== null && sub.lastDigestDate >= local.date;
  const date = servedToday ? addDays(local.date, 1) : local.date;
  const at = zonedInstant(date, sub.time, sub.timezone);
  const l = localClock(at, sub.timezone);
  return { at, date: l.date, time: l.time, dueNow: false };
}

/** For a new subscription: if today's time has passed, today counts as served (nothing is pending yet). */
export function initialLastDigestDate(sub: Omit<DueFields, 'lastDigestDate'>, now: number): string | null {
  const local = localClock(now, sub.timezone);
  return local.time >= sub.time ? local.date : null;
}

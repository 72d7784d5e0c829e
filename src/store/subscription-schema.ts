/** The subscriptions file's shape, validated by zod when the store (snapshot and journal) is read. */
import { z } from 'zod';
import { isoDate } from '../core/model.ts';
import { TIME_SHAPE, isValidTimeZone } from '../core/time.ts';

/** 'failing': every digest was refused with a bad request on several days in a row (see the runner). */
export const pausedReasonSchema = z.enum(['blocked', 'chat-not-found', 'user', 'failing']);
export type PausedReason = z.infer<typeof pausedReasonSchema>;

export const subscriptionFiltersSchema = z.object({
  /** Canonical agency names (AgencyDirectory.resolve output). */
  agencies: z.array(z.string().min(1)),
  keywords: z.array(z.string().min(1)),
});
export type SubscriptionFilters = z.infer<typeof subscriptionFiltersSchema>;

export const subscriptionSchema = z.object({
  // Supergroup ids (-100…) exceed 32 bits but stay far inside 2^53: a JSON number round-trips them.
  chatId: z.number().int().refine(Number.isSafeInteger, 'chat id must be a safe integer'),
  chatType: z.enum(['private', 'group', 'supergroup', 'channel']),
  /** Forum topic the digest goes to. */
  threadId: z.number().int().positive().nullable().default(null),
  time: z.string().regex(TIME_SHAPE, 'expected HH:MM'),
  timezone: z.string().refine(isValidTimeZone, 'unknown time zone'),
  filters: subscriptionFiltersSchema,
  /** Entry seq already delivered: the next digest holds entries with seq > cursor. */
  cursor: z.number().int().nonnegative(),
  /** Local date (in `timezone`) of the last digest handled, sent or empty. */
  lastDigestDate: isoDate.nullable(),
  state: z.enum(['active', 'paused']),
  pausedReason: pausedReasonSchema.nullable(),
  language: z.enum(['zh', 'en']),
  notifyEmpty: z.boolean(),
  /**
   * Failed attempts on one local date, so a broken chat is not retried every minute all day; `badRequestDays`
   * counts the local dates since the last success on which a digest was refused with a bad request
   * (`badRequestDate` the last of them), so a chat that can never take one is paused instead of retried forever.
   */
  failures: z
    .object({
      date: isoDate,
      count: z.number().int().nonnegative(),
      lastAt: z.string(),
      reason: z.string(),
      badRequestDays: z.number().int().nonnegative().default(0),
      badRequestDate: isoDate.nullable().default(null),
    })
    .nullable()
    .default(null),
  /**
   * A digest cut short after some parts were accepted: a retry the same local day recomposes up to the same
   * entry seq and leaves out exactly the entries in `delivered` (ids), so the chat does not see part 1 again
   * and nothing is skipped even when the rebuilt digest differs (a correction published in between).
   * `parts` is how many messages were accepted. A file written before `delivered` existed reads as [] (the
   * retry then resends everything: a repeat, never a loss). Cleared when filters, language or notifyEmpty change.
   */
  partial: z
    .object({
      date: isoDate,
      upTo: z.number().int().nonnegative(),
      parts: z.number().int().positive(),
      delivered: z.array(z.string()).default([]),
    })
    .nullable()
    .default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** How often: a daily digest at `time` (the default), a weekly one on `weekday` at `time`, or each publish pushed soon after. */
  frequency: z.enum(['daily', 'weekly', 'instant']).default('daily'),
  /** With weekly: ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: z.number().int().min(1).max(7).nullable().default(null),
  /**
   * A local date counted as served without any digest (subscribed after that day's time): a change of time or
   * frequency the same day may then still deliver today, since nothing was sent.
   */
  skippedDate: isoDate.nullable().default(null),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const digestRunSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  /** null while the run is going; a null left behind by a crash is found by the next run. */
  finishedAt: z.string().nullable(),
  /** Set on a run found unfinished by a later one. */
  interrupted: z.boolean().default(false),
  forced: z.boolean().default(false),
  only: z.number().int().nullable().default(null),
  sent: z.number().int().nonnegative(),
  empty: z.number().int().nonnegative().default(0),
  paused: z.number().int().nonnegative(),
  migrated: z.number().int().nonnegative().default(0),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  /** Chats with a part whose send timed out after it was written (maybe delivered, not resent); their ids (first 100). */
  uncertain: z.number().int().nonnegative().default(0),
  uncertainChats: z.array(z.number().int()).default([]),
  durationMs: z.number().nonnegative(),
  error: z.string().nullable().default(null),
});
export type DigestRun = z.infer<typeof digestRunSchema>;
export type DigestRunCounts = Pick<DigestRun, 'sent' | 'empty' | 'paused' | 'migrated' | 'failed' | 'skipped' | 'uncertain' | 'durationMs'>;
export const emptyRunCounts = (): DigestRunCounts => ({
  sent: 0,
  empty: 0,
  paused: 0,
  migrated: 0,
  failed: 0,
  skipped: 0,
  uncertain: 0,
  durationMs: 0,
});

export const subscriptionsFileSchema = z.object({
  version: z.literal(1),
  subscriptions: z.array(subscriptionSchema),
  runs: z.array(digestRunSchema),
});
export type SubscriptionsFile = z.infer<typeof subscriptionsFileSchema>;

export const emptySubscriptionsFile = (): SubscriptionsFile => ({ version: 1, subscriptions: [], runs: [] });

export const KEEP_RUNS = 50;

// ---------------------------------------------------------------------------------------------
// Lean in-memory shapes: at 100k subscriptions every byte per record is ~100 kB of heap
// ---------------------------------------------------------------------------------------------

/** Returns one shared instance per distinct string (time, zone, dates, agency names repeat across chats). */
export type Intern = (s: string) => string;

export function createInterner(): Intern {
  const seen = new Map<string, string>();
  return (s) => {
    const known = seen.get(s);
    if (known !== undefined) return known;
    seen.set(s, s);
    return s;
  };
}

const same: Intern = (s) => s;
// Frozen: filter lists are replaced, never changed in place, and a stray push must throw rather than reach every chat.
const NO_WORDS = Object.freeze([]) as unknown as string[];
/** Most chats have no filters: they all share this one object instead of an object and two arrays each. */
export const NO_FILTERS: SubscriptionFilters = Object.freeze({ agencies: NO_WORDS, keywords: NO_WORDS }) as SubscriptionFilters;

/** Filters as the store keeps them: shared empties, interned words, never the caller's own arrays. */
export function compactFilters(f: SubscriptionFilters, intern: Intern = same): SubscriptionFilters {
  if (f.agencies.length === 0 && f.keywords.length === 0) return NO_FILTERS;
  return {
    agencies: f.agencies.length ? f.agencies.map(intern) : NO_WORDS,
    keywords: f.keywords.length ? f.keywords.map(intern) : NO_WORDS,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CHAT_TYPES: ReadonlySet<unknown> = new Set(subscriptionSchema.shape.chatType.options);
const STATES: ReadonlySet<unknown> = new Set(subscriptionSchema.shape.state.options);
const PAUSED_REASONS: ReadonlySet<unknown> = new Set(pausedReasonSchema.options);
const LANGUAGES: ReadonlySet<unknown> = new Set(subscriptionSchema.shape.language.options);
const SUBSCRIPTION_KEYS = Object.keys(subscriptionSchema.shape).length;
const FREQUENCY_VALUES: ReadonlySet<unknown> = new Set(subscriptionSchema.shape.frequency.unwrap().options);
// A store has few zones, mostly one after another: the last one found valid is not looked up again.
let knownZone = '';
const isZone = (v: unknown): v is string => typeof v === 'string' && (v === knownZone || (isValidTimeZone(v) && ((knownZone = v), true)));

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isDate = (v: unknown): v is string => typeof v === 'string' && DATE.test(v);
const isStrings = (v: unknown, minLength: number): v is string[] => {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== 'string' || x.length < minLength) return false;
  return true;
};
const keyCount = (o: object): number => {
  let n = 0;
  for (const _ in o) n++;
  return n;
};

/**
 * The hand-written twin of subscriptionSchema: when `v` is a complete, valid record (every key present, none
 * extra, so zod would neither fill a default nor strip anything) it returns the record as the store keeps it —
 * a fresh object in schema key order (one hidden class for all), strings interned, empty filters shared.
 * Otherwise null, and zod decides and explains. Never accepts what zod refuses.
 */
export function leanSubscription(v: unknown, intern: Intern): Subscription | null {
  if (!isPlain(v)) return null;
  const {
    chatId,
    chatType,
    threadId,
    time,
    timezone,
    filters,
    cursor,
    lastDigestDate,
    state,
    pausedReason,
    language,
    notifyEmpty,
    failures,
    partial,
    createdAt,
    updatedAt,
  } = v;
  // Files written before frequency existed lack its three keys; they read as a daily digest.
  const { frequency = 'daily', weekday = null, skippedDate = null } = v;
  const absent = (v.frequency === undefined ? 1 : 0) + (v.weekday === undefined ? 1 : 0) + (v.skippedDate === undefined ? 1 : 0);
  if (keyCount(v) !== SUBSCRIPTION_KEYS - absent) return null;
  if (
    !FREQUENCY_VALUES.has(frequency) ||
    !(weekday === null || (isInt(weekday, 1) && weekday <= 7)) ||
    !(skippedDate === null || isDate(skippedDate))
  )
    return null;
  if (!isInt(chatId, -Infinity) || !CHAT_TYPES.has(chatType) || !(threadId === null || isInt(threadId, 1))) return null;
  if (!isStr(time) || !TIME_SHAPE.test(time) || !isZone(timezone)) return null;
  if (!isPlain(filters) || keyCount(filters) !== 2 || !isStrings(filters.agencies, 1) || !isStrings(filters.keywords, 1)) return null;
  if (
    !isInt(cursor, 0) ||
    !(lastDigestDate === null || isDate(lastDigestDate)) ||
    !STATES.has(state) ||
    !(pausedReason === null || PAUSED_REASONS.has(pausedReason))
  )
    return null;
  if (!LANGUAGES.has(language) || typeof notifyEmpty !== 'boolean' || !isStr(createdAt) || !isStr(updatedAt)) return null;
  if (failures !== null) {
    if (!isPlain(failures) || keyCount(failures) !== 6) return null;
    const f = failures;
    if (
      !isDate(f.date) ||
      !isInt(f.count, 0) ||
      !isStr(f.lastAt) ||
      !isStr(f.reason) ||
      !isInt(f.badRequestDays, 0) ||
      !(f.badRequestDate === null || isDate(f.badRequestDate))
    )
      return null;
  }
  if (partial !== null) {
    if (!isPlain(partial) || keyCount(partial) !== 4) return null;
    if (!isDate(partial.date) || !isInt(partial.upTo, 0) || !isInt(partial.parts, 1) || !isStrings(partial.delivered, 0)) return null;
  }
  const f = failures as Subscription['failures'];
  const p = partial as Subscription['partial'];
  return {
    chatId,
    chatType: intern(chatType as string) as Subscription['chatType'],
    threadId,
    time: intern(time),
    timezone: intern(timezone),
    filters: compactFilters(filters as SubscriptionFilters, intern),
    cursor,
    lastDigestDate: lastDigestDate === null ? null : intern(lastDigestDate),
    state: intern(state as string) as Subscription['state'],
    pausedReason: pausedReason === null ? null : (intern(pausedReason as string) as PausedReason),
    language: intern(language as string) as Subscription['language'],
    notifyEmpty,
    failures: f && {
      date: intern(f.date),
      count: f.count,
      lastAt: intern(f.lastAt),
      reason: intern(f.reason),
      badRequestDays: f.badRequestDays,
      badRequestDate: f.badRequestDate === null ? null : intern(f.badRequestDate),
    },
    partial: p && { date: intern(p.date), upTo: p.upTo, parts: p.parts, delivered: p.delivered },
    createdAt: intern(createdAt),
    updatedAt: intern(updatedAt),
    frequency: intern(frequency as string) as Subscription['frequency'],
    weekday: weekday as number | null,
    skippedDate: skippedDate === null ? null : intern(skippedDate as string),
  };
}

/** A record read from disk, checked by hand or else by zod (filling defaults), in the lean shape; null if zod refuses it. */
export function readSubscription(v: unknown, intern: Intern): Subscription | null {
  const lean = leanSubscription(v, intern);
  if (lean) return lean;
  const r = subscriptionSchema.safeParse(v);
  return r.success ? (leanSubscription(r.data, intern) ?? r.data) : null;
}

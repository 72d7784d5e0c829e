import { access } from 'node:fs/promises';
import { Low, Memory } from 'lowdb';
import { z } from 'zod';
import { isoDate } from '../core/model.ts';
import { TIME_SHAPE, isValidTimeZone } from '../digest/due.ts';
import { createWriteBatcher, openJsonFile } from './json-file.ts';

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
    .object({ date: isoDate, upTo: z.number().int().nonnegative(), parts: z.number().int().positive(), delivered: z.array(z.string()).default([]) })
    .nullable()
    .default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
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
  durationMs: z.number().nonnegative(),
  error: z.string().nullable().default(null),
});
export type DigestRun = z.infer<typeof digestRunSchema>;
export type DigestRunCounts = Pick<DigestRun, 'sent' | 'empty' | 'paused' | 'migrated' | 'failed' | 'skipped' | 'durationMs'>;

export const subscriptionsFileSchema = z.object({
  version: z.literal(1),
  subscriptions: z.array(subscriptionSchema),
  runs: z.array(digestRunSchema),
});
export type SubscriptionsFile = z.infer<typeof subscriptionsFileSchema>;

export const emptySubscriptionsFile = (): SubscriptionsFile => ({ version: 1, subscriptions: [], runs: [] });

export const KEEP_RUNS = 50;

/** What a /subscribe supplies; the rest (cursor, dates, state) the store fills in for a new subscription. */
export interface SubscriptionInput {
  chatId: number;
  chatType: Subscription['chatType'];
  threadId?: number | null;
  time: string;
  timezone: string;
  filters: SubscriptionFilters;
  language: Subscription['language'];
  notifyEmpty?: boolean;
  /** Used only when the subscription is new: entries up to here are not "new" to this chat. */
  cursor: number;
  /** Used only when the subscription is new. */
  lastDigestDate?: string | null;
}

export type SubscriptionPatch = Partial<Pick<Subscription, 'time' | 'timezone' | 'filters' | 'language' | 'notifyEmpty' | 'threadId' | 'chatType'>>;

export interface SubscriptionStore {
  readonly file: string | null;
  get(chatId: number): Subscription | undefined;
  /** All subscriptions, in insertion order. */
  list(): readonly Subscription[];
  /** Active subscriptions passing `pred` (the runner's due test). */
  query(pred: (s: Subscription) => boolean): Subscription[];
  count(): number;
  /** Creates, or updates the settings of an existing subscription (one per chat, never two); a resubscribe resumes it. */
  upsert(input: SubscriptionInput, now?: Date): { subscription: Subscription; created: boolean };
  update(chatId: number, patch: SubscriptionPatch, now?: Date): Subscription | undefined;
  remove(chatId: number): boolean;
  /** Pauses for `reason`; a subscription already paused by the user keeps 'user' (only resume() ends that). */
  pause(chatId: number, reason: PausedReason, now?: Date): Subscription | undefined;
  /** Resumes; with `onlyIf`, only a subscription paused for that reason (a bot re-added resumes 'blocked', not 'user'). */
  resume(chatId: number, opts?: { onlyIf?: PausedReason }, now?: Date): Subscription | undefined;
  /**
   * A group became a supergroup: the subscription follows the new id. If the new id already has one, that one
   * wins, the old one is dropped, and `collision` is true: the caller must not go on serving the old one there.
   */
  migrate(oldId: number, newId: number, now?: Date): { subscription: Subscription | undefined; collision: boolean };
  /** A digest for `date` was delivered (or had nothing to deliver): move the cursor, clear failures. */
  advance(chatId: number, cursor: number, date: string, now?: Date): Subscription | undefined;
  /**
   * Remembers that `parts` messages of the digest for `date` (entries up to `upTo`) were accepted, carrying the
   * entries `delivered` (ids). Adds to what an earlier attempt the same day recorded.
   */
  recordPartial(chatId: number, date: string, upTo: number, progress: { parts: number; delivered: readonly string[] }, now?: Date): void;
  /**
   * Counts a failed attempt on the local `date`; returns the count for that date. With `badRequest`, the date
   * also counts towards `failures.badRequestDays` (once per date).
   */
  recordFailure(chatId: number, date: string, reason: string, now?: Date, opts?: { badRequest?: boolean }): number;
  runs(): readonly DigestRun[];
  /** The run found unfinished (a crash), if any. */
  unfinishedRuns(): DigestRun[];
  startRun(run: { id: string; startedAt: string; forced?: boolean; only?: number | null }): DigestRun;
  finishRun(id: string, counts: DigestRunCounts, finishedAt: string, error?: string | null): void;
  markInterrupted(id: string): void;
  /** Resolves once every change so far is on disk. */
  flush(): Promise<void>;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether a change alters which entries a digest selects or how it is composed. A digest cut short earlier
 * today is then forgotten: the retry composes the new digest in full (at worst repeating a measure, never losing one).
 */
function changesSelection(s: Subscription, next: { filters?: SubscriptionFilters; language?: Subscription['language']; notifyEmpty?: boolean }): boolean {
  if (next.filters && (!sameList(s.filters.agencies, next.filters.agencies) || !sameList(s.filters.keywords, next.filters.keywords))) return true;
  if (next.language !== undefined && next.language !== s.language) return true;
  return next.notifyEmpty !== undefined && next.notifyEmpty !== s.notifyEmpty;
}

export function createSubscriptionStore(db: Low<SubscriptionsFile>, file: string | null, opts: { writeDelayMs?: number } = {}): SubscriptionStore {
  const data = db.data;
  const byId = new Map<number, Subscription>(data.subscriptions.map((s) => [s.chatId, s]));
  // Writes coalesce: during a run the runner also flushes explicitly every small batch of chats.
  const batcher = createWriteBatcher(() => db.write(), opts.writeDelayMs ?? 200);
  const dirty = () => batcher.markDirty();
  const stamp = (now: Date) => now.toISOString();

  const replace = (next: Subscription): Subscription => {
    byId.set(next.chatId, next);
    const i = data.subscriptions.findIndex((s) => s.chatId === next.chatId);
    if (i >= 0) data.subscriptions[i] = next;
    else data.subscriptions.push(next);
    dirty();
    return next;
  };
  // Subscriptions are mutated in place for the hot path (advance during a run): findIndex per chat would be O(n²).
  const touch = (s: Subscription, now: Date) => {
    s.updatedAt = stamp(now);
    dirty();
    return s;
  };

  const store: SubscriptionStore = {
    file,
    get: (chatId) => byId.get(chatId),
    list: () => data.subscriptions,
    query: (pred) => data.subscriptions.filter((s) => s.state === 'active' && pred(s)),
    count: () => data.subscriptions.length,
    upsert(input, now = new Date()) {
      const old = byId.get(input.chatId);
      if (old) {
        if (changesSelection(old, input)) old.partial = null;
        old.chatType = input.chatType;
        old.threadId = input.threadId ?? null;
        old.time = input.time;
        old.timezone = input.timezone;
        old.filters = { agencies: [...input.filters.agencies], keywords: [...input.filters.keywords] };
        old.language = input.language;
        if (input.notifyEmpty !== undefined) old.notifyEmpty = input.notifyEmpty;
        // Subscribing again is a fresh start for a paused chat, failures included (else 'failing' would recur at once).
        if (old.state === 'paused') old.failures = null;
        old.state = 'active';
        old.pausedReason = null;
        return { subscription: touch(old, now), created: false };
      }
      const at = stamp(now);
      const sub = subscriptionSchema.parse({
        chatId: input.chatId,
        chatType: input.chatType,
        threadId: input.threadId ?? null,
        time: input.time,
        timezone: input.timezone,
        filters: input.filters,
        cursor: input.cursor,
        lastDigestDate: input.lastDigestDate ?? null,
        state: 'active',
        pausedReason: null,
        language: input.language,
        notifyEmpty: input.notifyEmpty ?? false,
        failures: null,
        partial: null,
        createdAt: at,
        updatedAt: at,
      });
      return { subscription: replace(sub), created: true };
    },
    update(chatId, patch, now = new Date()) {
      const s = byId.get(chatId);
      if (!s) return undefined;
      if (patch.time !== undefined && !TIME_SHAPE.test(patch.time)) throw new Error(`invalid time ${patch.time}`);
      if (patch.timezone !== undefined && !isValidTimeZone(patch.timezone)) throw new Error(`unknown time zone ${patch.timezone}`);
      if (changesSelection(s, patch)) s.partial = null;
      Object.assign(s, patch);
      return touch(s, now);
    },
    remove(chatId) {
      if (!byId.delete(chatId)) return false;
      data.subscriptions = data.subscriptions.filter((s) => s.chatId !== chatId);
      dirty();
      return true;
    },
    pause(chatId, reason, now = new Date()) {
      const s = byId.get(chatId);
      if (!s) return undefined;
      // A pause the user chose outlives any other: blocking and unblocking the bot (pause 'blocked', then
      // resume onlyIf 'blocked') must not switch the digest back on behind the user's back.
      if (s.state === 'paused' && s.pausedReason === 'user') return s;
      s.state = 'paused';
      s.pausedReason = reason;
      return touch(s, now);
    },
    resume(chatId, opts = {}, now = new Date()) {
      const s = byId.get(chatId);
      if (!s) return undefined;
      if (s.state === 'active') return s;
      if (opts.onlyIf && s.pausedReason !== opts.onlyIf) return s;
      s.state = 'active';
      s.pausedReason = null;
      s.failures = null;
      return touch(s, now);
    },
    migrate(oldId, newId, now = new Date()) {
      const s = byId.get(oldId);
      if (!s) return { subscription: byId.get(newId), collision: false };
      if (oldId === newId) return { subscription: s, collision: false };
      byId.delete(oldId);
      if (byId.has(newId)) {
        // The supergroup already has its own subscription (set up after the upgrade): keep it, drop the stale one.
        data.subscriptions = data.subscriptions.filter((x) => x.chatId !== oldId);
        dirty();
        return { subscription: byId.get(newId), collision: true };
      }
      s.chatId = newId;
      s.chatType = 'supergroup';
      byId.set(newId, s);
      return { subscription: touch(s, now), collision: false };
    },
    advance(chatId, cursor, date, now = new Date()) {
      const s = byId.get(chatId);
      if (!s) return undefined;
      // Never move backwards: a late, slower run must not undo a newer one.
      s.cursor = Math.max(s.cursor, cursor);
      if (s.lastDigestDate === null || date > s.lastDigestDate) s.lastDigestDate = date;
      s.failures = null;
      s.partial = null;
      return touch(s, now);
    },
    recordPartial(chatId, date, upTo, progress, now = new Date()) {
      const s = byId.get(chatId);
      if (!s || progress.parts < 1) return;
      // A second cut-short attempt the same day adds to the first: both sets of entries were delivered.
      const same = s.partial && s.partial.date === date && s.partial.upTo === upTo ? s.partial : null;
      const delivered = [...new Set([...(same?.delivered ?? []), ...progress.delivered])];
      s.partial = { date, upTo, parts: (same?.parts ?? 0) + progress.parts, delivered };
      touch(s, now);
    },
    recordFailure(chatId, date, reason, now = new Date(), opts = {}) {
      const s = byId.get(chatId);
      if (!s) return 0;
      const count = s.failures && s.failures.date === date ? s.failures.count + 1 : 1;
      let badRequestDays = s.failures?.badRequestDays ?? 0;
      let badRequestDate = s.failures?.badRequestDate ?? null;
      if (opts.badRequest && badRequestDate !== date) {
        badRequestDays++;
        badRequestDate = date;
      }
      s.failures = { date, count, lastAt: stamp(now), reason, badRequestDays, badRequestDate };
      touch(s, now);
      return count;
    },
    runs: () => data.runs,
    unfinishedRuns: () => data.runs.filter((r) => r.finishedAt === null && !r.interrupted),
    startRun(run) {
      const rec: DigestRun = {
        id: run.id,
        startedAt: run.startedAt,
        finishedAt: null,
        interrupted: false,
        forced: run.forced ?? false,
        only: run.only ?? null,
        sent: 0,
        empty: 0,
        paused: 0,
        migrated: 0,
        failed: 0,
        skipped: 0,
        durationMs: 0,
        error: null,
      };
      data.runs.push(rec);
      if (data.runs.length > KEEP_RUNS) data.runs.splice(0, data.runs.length - KEEP_RUNS);
      dirty();
      return rec;
    },
    finishRun(id, counts, finishedAt, error = null) {
      const r = data.runs.find((x) => x.id === id);
      if (!r) return;
      Object.assign(r, counts, { finishedAt, error });
      dirty();
    },
    markInterrupted(id) {
      const r = data.runs.find((x) => x.id === id);
      if (!r) return;
      r.interrupted = true;
      dirty();
    },
    flush: () => batcher.flush(),
  };
  return store;
}

export async function openSubscriptionStore(file: string, opts: { readOnly?: boolean; writeDelayMs?: number } = {}): Promise<SubscriptionStore> {
  if (opts.readOnly) {
    // A dry run must leave the file (and its absence) exactly as it was.
    const exists = await access(file).then(() => true, () => false);
    if (!exists) return createMemorySubscriptionStore();
    const db = await openJsonFile(file, subscriptionsFileSchema, emptySubscriptionsFile());
    return createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), structuredClone(db.data)), null);
  }
  const db = await openJsonFile(file, subscriptionsFileSchema, emptySubscriptionsFile());
  return createSubscriptionStore(db, file, opts);
}

export function createMemorySubscriptionStore(initial: SubscriptionsFile = emptySubscriptionsFile()): SubscriptionStore {
  return createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), initial), null);
}

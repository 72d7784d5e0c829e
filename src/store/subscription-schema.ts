/** The subscriptions file's shape, validated by zod when the store (snapshot and journal) is read. */
import { z } from 'zod';
import { isoDate } from '../core/model.ts';
import { TIME_SHAPE, isValidTimeZone } from '../digest/due.ts';

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
export const emptyRunCounts = (): DigestRunCounts => ({ sent: 0, empty: 0, paused: 0, migrated: 0, failed: 0, skipped: 0, durationMs: 0 });

export const subscriptionsFileSchema = z.object({
  version: z.literal(1),
  subscriptions: z.array(subscriptionSchema),
  runs: z.array(digestRunSchema),
});
export type SubscriptionsFile = z.infer<typeof subscriptionsFileSchema>;

export const emptySubscriptionsFile = (): SubscriptionsFile => ({ version: 1, subscriptions: [], runs: [] });

export const KEEP_RUNS = 50;

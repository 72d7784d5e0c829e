import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Low, Memory } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { StoreError, createWriteBatcher, openJsonFile } from './json-file.ts';
import type { WriteStatus } from './json-file.ts';
import { COMPACT_AT, SubscriptionJournal, journalPathFor, readJournal, replay } from './subscription-journal.ts';
import {
  KEEP_RUNS,
  compactFilters,
  createInterner,
  emptyRunCounts,
  emptySubscriptionsFile,
  leanSubscription,
  subscriptionSchema,
  subscriptionsFileSchema,
} from './subscription-schema.ts';
import type {
  DigestRun,
  DigestRunCounts,
  Intern,
  PausedReason,
  Subscription,
  SubscriptionFilters,
  SubscriptionsFile,
} from './subscription-schema.ts';
import { readSnapshotLean, verifySnapshotRecords } from './subscription-snapshot.ts';
import { TIME_SHAPE, isValidTimeZone } from '../core/time.ts';

// The store's public face: the record shapes (subscription-schema.ts) and the journal's names.
export * from './subscription-schema.ts';
export { COMPACT_AT, SubscriptionJournal, journalPathFor } from './subscription-journal.ts';

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
  /** Used only when the subscription is new (see Subscription.skippedDate). */
  skippedDate?: string | null;
  /** Kept as it was when omitted (daily for a new subscription). */
  frequency?: Subscription['frequency'];
  weekday?: number | null;
}

export type SubscriptionPatch = Partial<
  Pick<Subscription, 'time' | 'timezone' | 'filters' | 'language' | 'notifyEmpty' | 'threadId' | 'chatType' | 'frequency' | 'weekday'>
> & {
  /** With a change of schedule: today's turn as recomputed for it (see reschedule in src/digest/due.ts). */
  schedule?: Pick<Subscription, 'lastDigestDate' | 'skippedDate'>;
};

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
  finishRun(id: string, counts: DigestRunCounts, finishedAt: string, error?: string | null, uncertainChats?: readonly number[]): void;
  markInterrupted(id: string): void;
  /** Resolves once every change so far is on disk. */
  flush(): Promise<void>;
  /** The last failed write, and whether writes are failing still (for /healthz). */
  writeStatus(): WriteStatus;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether a change alters which entries a digest selects or how it is composed. A digest cut short earlier
 * today is then forgotten: the retry composes the new digest in full (at worst repeating a measure, never losing one).
 */
function changesSelection(
  s: Subscription,
  next: { filters?: SubscriptionFilters; language?: Subscription['language']; notifyEmpty?: boolean },
): boolean {
  if (next.filters && (!sameList(s.filters.agencies, next.filters.agencies) || !sameList(s.filters.keywords, next.filters.keywords)))
    return true;
  if (next.language !== undefined && next.language !== s.language) return true;
  return next.notifyEmpty !== undefined && next.notifyEmpty !== s.notifyEmpty;
}

/** What a flush appends, in order; records are read at flush time, so many changes to one chat cost one line. */
type PendingOp = { k: 's'; id: number } | { k: 'd'; id: number } | { k: 'm'; from: number; to: number } | { k: 'r'; id: string };

export interface SubscriptionStoreOptions {
  writeDelayMs?: number;
  /** Changes go to this journal (appended, fsynced) instead of rewriting the whole file through `db`. */
  journal?: SubscriptionJournal;
}

export function createSubscriptionStore(
  db: Low<SubscriptionsFile>,
  file: string | null,
  opts: SubscriptionStoreOptions = {},
): SubscriptionStore {
  const data = db.data;
  const byId = new Map<number, Subscription>();
  for (const s of data.subscriptions) byId.set(s.chatId, s);
  const journal = opts.journal ?? null;
  // With a journal, a flush appends one line per changed subscription (or removal, migration, run record), so
  // its cost follows the changes, not the store; without one (memory, tests), the whole document is written.
  const ops: PendingOp[] = [];
  const queuedPut = new Set<number>();
  const queuedRun = new Set<string>();
  const requeue = (taken: PendingOp[]) => {
    // A failed append: its changes go back in front, and the "already queued" sets are rebuilt from the list.
    ops.unshift(...taken);
    queuedPut.clear();
    queuedRun.clear();
    for (const op of ops) {
      if (op.k === 's') queuedPut.add(op.id);
      else if (op.k === 'r') queuedRun.add(op.id);
      else if (op.k === 'd') queuedPut.delete(op.id);
      else {
        queuedPut.delete(op.from);
        queuedPut.delete(op.to);
      }
    }
  };
  const appendChanges = async (): Promise<void> => {
    const j = journal!;
    const taken = ops.splice(0);
    queuedPut.clear();
    queuedRun.clear();
    // Framed and checksummed by the journal (one line per record).
    const lines: object[] = [];
    for (const op of taken) {
      if (op.k === 's') {
        const sub = byId.get(op.id);
        if (sub) lines.push({ s: sub });
      } else if (op.k === 'd') lines.push({ d: op.id });
      else if (op.k === 'm') lines.push({ m: [op.from, op.to] });
      else {
        const run = data.runs.find((r) => r.id === op.id);
        if (run) lines.push({ r: run });
      }
    }
    if (lines.length === 0) return;
    try {
      await j.append(lines);
    } catch (err) {
      requeue(taken);
      throw err;
    }
    if (j.wantsCompaction()) j.compactInBackground(() => ({ subscriptions: data.subscriptions.slice(), runs: data.runs }));
  };
  // Writes coalesce: during a run the runner also flushes explicitly every small batch of chats.
  const batcher = createWriteBatcher(journal ? appendChanges : () => db.write(), opts.writeDelayMs ?? 200);
  const dirty = () => batcher.markDirty();
  const notePut = (id: number) => {
    if (journal && !queuedPut.has(id)) {
      queuedPut.add(id);
      ops.push({ k: 's', id });
    }
    dirty();
  };
  const noteRemove = (id: number) => {
    if (journal) {
      queuedPut.delete(id);
      ops.push({ k: 'd', id });
    }
    dirty();
  };
  const noteMigrate = (from: number, to: number) => {
    if (journal) {
      queuedPut.delete(from);
      queuedPut.delete(to);
      ops.push({ k: 'm', from, to });
    }
  };
  const noteRun = (id: string) => {
    if (journal && !queuedRun.has(id)) {
      queuedRun.add(id);
      ops.push({ k: 'r', id });
    }
    dirty();
  };
  // Changes stamped in the same millisecond (a digest run touches thousands of chats) share one string.
  let stampedMs = NaN;
  let stamped = '';
  const stamp = (now: Date) => {
    const ms = now.getTime();
    if (ms !== stampedMs) {
      stamped = now.toISOString();
      stampedMs = ms;
    }
    return stamped;
  };

  const replace = (next: Subscription): Subscription => {
    const i = byId.has(next.chatId) ? data.subscriptions.findIndex((s) => s.chatId === next.chatId) : -1;
    byId.set(next.chatId, next);
    if (i >= 0) data.subscriptions[i] = next;
    else data.subscriptions.push(next);
    notePut(next.chatId);
    return next;
  };
  // Subscriptions are mutated in place for the hot path (advance during a run): findIndex per chat would be O(n²).
  const touch = (s: Subscription, now: Date) => {
    s.updatedAt = stamp(now);
    notePut(s.chatId);
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
        old.filters = compactFilters(input.filters);
        old.language = input.language;
        if (input.notifyEmpty !== undefined) old.notifyEmpty = input.notifyEmpty;
        if (input.frequency !== undefined) old.frequency = input.frequency;
        if (input.weekday !== undefined) old.weekday = input.weekday;
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
        frequency: input.frequency ?? 'daily',
        weekday: input.weekday ?? null,
        skippedDate: input.skippedDate ?? null,
      });
      sub.filters = compactFilters(sub.filters);
      return { subscription: replace(sub), created: true };
    },
    update(chatId, patch, now = new Date()) {
      const s = byId.get(chatId);
      if (!s) return undefined;
      if (patch.time !== undefined && !TIME_SHAPE.test(patch.time)) throw new Error(`invalid time ${patch.time}`);
      if (patch.timezone !== undefined && !isValidTimeZone(patch.timezone)) throw new Error(`unknown time zone ${patch.timezone}`);
      if (changesSelection(s, patch)) s.partial = null;
      const { schedule, ...fields } = patch;
      Object.assign(s, fields);
      if (schedule) {
        s.lastDigestDate = schedule.lastDigestDate;
        s.skippedDate = schedule.skippedDate;
      }
      if (patch.filters) s.filters = compactFilters(patch.filters);
      return touch(s, now);
    },
    remove(chatId) {
      if (!byId.delete(chatId)) return false;
      data.subscriptions = data.subscriptions.filter((s) => s.chatId !== chatId);
      noteRemove(chatId);
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
        noteRemove(oldId);
        return { subscription: byId.get(newId), collision: true };
      }
      noteMigrate(oldId, newId);
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
        ...emptyRunCounts(),
        uncertainChats: [],
        error: null,
      };
      data.runs.push(rec);
      if (data.runs.length > KEEP_RUNS) data.runs.splice(0, data.runs.length - KEEP_RUNS);
      noteRun(rec.id);
      return rec;
    },
    finishRun(id, counts, finishedAt, error = null, uncertainChats = []) {
      const r = data.runs.find((x) => x.id === id);
      if (!r) return;
      Object.assign(r, counts, { finishedAt, error, uncertainChats: uncertainChats.slice(0, 100) });
      noteRun(id);
    },
    markInterrupted(id) {
      const r = data.runs.find((x) => x.id === id);
      if (!r) return;
      r.interrupted = true;
      noteRun(id);
    },
    flush: () => batcher.flush(),
    writeStatus: () => batcher.status(),
  };
  return store;
}

export interface OpenSubscriptionStoreOptions {
  readOnly?: boolean;
  writeDelayMs?: number;
  /** Journal size that triggers a background compaction (defaults COMPACT_AT). */
  compactAt?: Partial<typeof COMPACT_AT>;
  /** A torn last journal line, a failed background compaction. */
  warn?: (msg: string) => void;
}

const defaultWarn = (msg: string) => process.emitWarning(msg, 'SubscriptionStore');

/**
 * The snapshot through the lean reader (chunks, records checked by hand, lean shapes), or, when it steps aside,
 * the ordinary lowdb + zod path, which creates a missing file and refuses an invalid one with a clear error.
 */
async function openSnapshot(file: string, intern: Intern): Promise<{ db: Low<SubscriptionsFile>; compact: boolean; legacy: number }> {
  const lean = await readSnapshotLean(file, intern);
  if (lean)
    return {
      db: new Low<SubscriptionsFile>(
        new DataFile<SubscriptionsFile>(file, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) }),
        lean.data,
      ),
      compact: lean.compact,
      legacy: lean.legacy,
    };
  let legacy = 0;
  const db = await openJsonFile(file, subscriptionsFileSchema, emptySubscriptionsFile(), {
    prepare: (raw) => void (legacy = verifySnapshotRecords(file, raw)),
  });
  db.data.subscriptions = db.data.subscriptions.map((s) => leanSubscription(s, intern) ?? s);
  return { db, compact: false, legacy };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const sizeOf = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => -1,
  );

/**
 * A journal holds the changes since its snapshot: without the snapshot it would replay onto nothing, and the
 * next compaction would make the loss permanent. Refused, saying what is missing and how to restore it.
 */
async function refuseJournalWithoutSnapshot(file: string): Promise<void> {
  if (await exists(file)) return;
  const journal = journalPathFor(file);
  const bytes = await sizeOf(journal);
  if (bytes <= 0) return;
  throw new StoreError(
    file,
    `is missing, but its journal ${journal} (${bytes} bytes of changes since it) is there: starting would lose every subscription not changed since the last snapshot. Restore ${basename(file)} from a backup; only if you mean to drop all subscriptions, move ${basename(journal)} away`,
  );
}

export async function openSubscriptionStore(file: string, opts: OpenSubscriptionStoreOptions = {}): Promise<SubscriptionStore> {
  const warn = opts.warn ?? defaultWarn;
  // One interner for snapshot and journal: a record and its later versions share their strings.
  const intern = createInterner();
  await refuseJournalWithoutSnapshot(file);
  if (opts.readOnly) {
    // A dry run must leave the file (and its absence) exactly as it was.
    if (!(await exists(file))) return createMemorySubscriptionStore();
    const { db } = await openSnapshot(file, intern);
    const data = replay(db.data, (await readJournal(journalPathFor(file), warn, intern)).lines);
    return createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), data), null);
  }
  const { db, compact, legacy } = await openSnapshot(file, intern);
  const read = await readJournal(journalPathFor(file), warn, intern);
  db.data = replay(db.data, read.lines);
  // Compaction at open: the journal folded into a compact snapshot (no indentation), then emptied. If the disk
  // refuses (full), the store still opens on snapshot + journal as they are; the next compaction retries.
  // With nothing to fold (empty journal, compact snapshot with checksums) the snapshot is left as it is: rewriting
  // 35 MB and fsyncing it would change nothing on disk. A snapshot from before checksums is rewritten with them.
  const journal = await SubscriptionJournal.open(file, {
    warn,
    lastSeq: read.lastSeq,
    tailWhole: !read.torn,
    ...(opts.compactAt ? { limits: opts.compactAt } : {}),
  });
  try {
    if (compact && legacy === 0 && journal.size.bytes === 0) await journal.ready();
    else await journal.compactNow(db.data);
  } catch (err) {
    warn(`store ${file}: compaction at open failed (${(err as Error).message}); going on with the journal as it is`);
  }
  return createSubscriptionStore(db, file, { ...(opts.writeDelayMs !== undefined ? { writeDelayMs: opts.writeDelayMs } : {}), journal });
}

export function createMemorySubscriptionStore(initial: SubscriptionsFile = emptySubscriptionsFile()): SubscriptionStore {
  return createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), initial), null);
}

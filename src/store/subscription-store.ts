import { access, open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, Memory } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import { isoDate } from '../core/model.ts';
import { TIME_SHAPE, isValidTimeZone } from '../digest/due.ts';
import { StoreError, createWriteBatcher, openJsonFile } from './json-file.ts';

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

/** What a flush appends, in order; records are read at flush time, so many changes to one chat cost one line. */
type PendingOp = { k: 's'; id: number } | { k: 'd'; id: number } | { k: 'm'; from: number; to: number } | { k: 'r'; id: string };

export interface SubscriptionStoreOptions {
  writeDelayMs?: number;
  /** Changes go to this journal (appended, fsynced) instead of rewriting the whole file through `db`. */
  journal?: SubscriptionJournal;
}

export function createSubscriptionStore(db: Low<SubscriptionsFile>, file: string | null, opts: SubscriptionStoreOptions = {}): SubscriptionStore {
  const data = db.data;
  const byId = new Map<number, Subscription>(data.subscriptions.map((s) => [s.chatId, s]));
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
      else (queuedPut.delete(op.from), queuedPut.delete(op.to));
    }
  };
  const appendChanges = async (): Promise<void> => {
    const j = journal!;
    const taken = ops.splice(0);
    queuedPut.clear();
    queuedRun.clear();
    const lines: string[] = [];
    for (const op of taken) {
      if (op.k === 's') {
        const sub = byId.get(op.id);
        if (sub) lines.push(JSON.stringify({ s: sub }));
      } else if (op.k === 'd') lines.push(JSON.stringify({ d: op.id }));
      else if (op.k === 'm') lines.push(JSON.stringify({ m: [op.from, op.to] }));
      else {
        const run = data.runs.find((r) => r.id === op.id);
        if (run) lines.push(JSON.stringify({ r: run }));
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
  const stamp = (now: Date) => now.toISOString();

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
      noteRun(rec.id);
      return rec;
    },
    finishRun(id, counts, finishedAt, error = null) {
      const r = data.runs.find((x) => x.id === id);
      if (!r) return;
      Object.assign(r, counts, { finishedAt, error });
      noteRun(id);
    },
    markInterrupted(id) {
      const r = data.runs.find((x) => x.id === id);
      if (!r) return;
      r.interrupted = true;
      noteRun(id);
    },
    flush: () => batcher.flush(),
  };
  return store;
}

// ---------------------------------------------------------------------------------------------
// Journal: subscriptions.json is a snapshot; changes since it are appended to subscriptions.journal
// ---------------------------------------------------------------------------------------------

const chatIdSchema = subscriptionSchema.shape.chatId;
/** One journal line: a subscription's full record, a removal, a migration (renamed in place), or a run record. */
const journalLineSchema = z.union([
  z.strictObject({ s: subscriptionSchema }),
  z.strictObject({ d: chatIdSchema }),
  z.strictObject({ m: z.tuple([chatIdSchema, chatIdSchema]) }),
  z.strictObject({ r: digestRunSchema }),
]);
type JournalLine = z.infer<typeof journalLineSchema>;

/** Where the journal of a snapshot file lives: subscriptions.json → subscriptions.journal, beside it. */
export const journalPathFor = (file: string) => join(dirname(file), `${basename(file, '.json')}.journal`);

/** Journal past either limit is folded into a new snapshot, in the background (see compactInBackground). */
export const COMPACT_AT = { bytes: 64 * 2 ** 20, lines: 200_000 };

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function fsyncPath(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Writes `text` as the new snapshot (lowdb DataFile: temp file + rename) and makes it durable (fsync of the file
 * and of its directory, so the rename survives a power cut) before the caller drops the journal it replaces.
 */
async function writeSnapshot(file: string, text: string): Promise<void> {
  await new DataFile<string>(file, { parse: (x) => x, stringify: (x) => x }).write(text);
  await fsyncPath(file);
  await fsyncPath(dirname(file)).catch(() => {}); // not every platform lets a directory be opened for fsync
}

/**
 * The same, from pieces written one by one (no 30 MB string turned into one buffer in one go, which would hold
 * the event loop ~100 ms): temp file, fsync, rename over the snapshot, fsync of the directory.
 */
async function writeSnapshotInPieces(file: string, pieces: readonly string[]): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.compact.tmp`);
  const h = await open(tmp, 'w');
  try {
    for (const piece of pieces) await h.write(Buffer.from(piece, 'utf8'));
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  await fsyncPath(dirname(file)).catch(() => {});
}

/** Applies journal lines over a snapshot, in order. Idempotent over a newer snapshot (a crash mid-compaction). */
function replay(base: SubscriptionsFile, lines: Iterable<JournalLine>): SubscriptionsFile {
  const subs: (Subscription | null)[] = base.subscriptions;
  const at = new Map<number, number>(subs.map((s, i) => [s!.chatId, i]));
  const runs = base.runs;
  for (const line of lines) {
    if ('s' in line) {
      const i = at.get(line.s.chatId);
      if (i === undefined) at.set(line.s.chatId, subs.push(line.s) - 1);
      else subs[i] = line.s;
    } else if ('d' in line) {
      const i = at.get(line.d);
      if (i !== undefined) (subs[i] = null, at.delete(line.d));
    } else if ('m' in line) {
      const [from, to] = line.m;
      const i = at.get(from);
      if (i === undefined) continue;
      at.delete(from);
      // Renamed in place (its record follows in the next line); if the new id already has one, that one wins.
      if (at.has(to)) subs[i] = null;
      else (at.set(to, i), (subs[i] = { ...subs[i]!, chatId: to }));
    } else {
      const i = runs.findIndex((r) => r.id === line.r.id);
      if (i >= 0) runs[i] = line.r;
      else {
        runs.push(line.r);
        if (runs.length > KEEP_RUNS) runs.splice(0, runs.length - KEEP_RUNS);
      }
    }
  }
  return { version: 1, subscriptions: subs.filter((s): s is Subscription => s !== null), runs };
}

/**
 * Reads the journal's lines. A last line cut short by a crash (no newline, not valid) is ignored with a warning:
 * its flush never completed, so nobody was told it was durable. Any other bad line refuses the store.
 */
async function readJournal(path: string, warn: (msg: string) => void): Promise<{ lines: JournalLine[]; torn: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], torn: false };
    throw new StoreError(path, `cannot be read: ${(err as Error).message}`);
  }
  const raw = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const out: JournalLine[] = [];
  let torn = false;
  for (let n = 0; n < raw.length; n++) {
    const line = raw[n]!;
    if (line === '' && n === raw.length - 1) break;
    const last = n === raw.length - 1 && !complete;
    let parsed: JournalLine | null = null;
    let why = '';
    try {
      const r = journalLineSchema.safeParse(JSON.parse(line));
      if (r.success) parsed = r.data;
      else why = `does not match the journal format: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
    } catch (err) {
      why = `is not valid JSON (${(err as Error).message})`;
    }
    if (parsed) out.push(parsed);
    else if (last) {
      torn = true;
      warn(`store journal ${path}:${n + 1}: last line cut short (a crash during a write); ignored`);
    }
    else throw new StoreError(`${path}:${n + 1}`, `${why}; the store was left as it is — repair or remove that line (the changes after the snapshot are in this file)`);
  }
  return { lines: out, torn };
}

/** The append side of the journal: one fsync per flush; compaction to a new snapshot when it grows past COMPACT_AT. */
export class SubscriptionJournal {
  private lock: Promise<unknown> = Promise.resolve();
  private compacting: Promise<void> | null = null;
  private lastCompactFailure = -Infinity;
  /** Bytes known to be whole lines; a failed append is cut back to here before the next one. */
  private goodBytes: number;
  private broken = false;

  private constructor(
    readonly path: string,
    readonly snapshot: string,
    private bytes: number,
    private lines: number,
    private readonly limits: { bytes: number; lines: number },
    private readonly warn: (msg: string) => void,
  ) {
    this.goodBytes = bytes;
  }

  static async open(snapshot: string, opts: { limits?: Partial<typeof COMPACT_AT>; warn: (msg: string) => void }): Promise<SubscriptionJournal> {
    const path = journalPathFor(snapshot);
    const text = await readFile(path).catch(() => Buffer.alloc(0));
    const whole = text.lastIndexOf(0x0a) + 1;
    const j = new SubscriptionJournal(path, snapshot, text.length, 0, { ...COMPACT_AT, ...opts.limits }, opts.warn);
    // A torn last line (a crash mid-append) is cut off before the first append, should compaction not do it.
    j.goodBytes = whole;
    j.broken = whole < text.length;
    return j;
  }

  /** Runs `fn` with no append or journal swap in between. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.lock.then(fn);
    this.lock = p.catch(() => {});
    return p;
  }

  get size(): { bytes: number; lines: number } {
    return { bytes: this.bytes, lines: this.lines };
  }

  /** Appends whole lines and fsyncs: when this resolves they survive a power cut. */
  append(lines: readonly string[]): Promise<void> {
    return this.exclusive(async () => {
      // Opened per append (one per flush, not per change): no descriptor held between flushes.
      const h = await open(this.path, 'a');
      try {
        if (this.broken) {
          // The last append failed part-way: cut its torn tail off, or the next line would follow half a line.
          await h.truncate(this.goodBytes);
          this.bytes = this.goodBytes;
          this.broken = false;
        }
        const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
        try {
          await h.write(buf);
          await h.sync();
        } catch (err) {
          this.broken = true;
          throw err;
        }
        this.bytes += buf.length;
      } finally {
        await h.close();
      }
      this.goodBytes = this.bytes;
      this.lines += lines.length;
    });
  }

  wantsCompaction(): boolean {
    return !this.compacting && (this.bytes > this.limits.bytes || this.lines > this.limits.lines) && Date.now() - this.lastCompactFailure > 60_000;
  }

  /** Replaces the snapshot with `text` and empties the journal (at open: nothing else is writing). */
  async compactNow(text: string): Promise<void> {
    await this.exclusive(async () => {
      await writeSnapshot(this.snapshot, text);
      const h = await open(this.path, 'w');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      this.bytes = this.goodBytes = 0;
      this.lines = 0;
      this.broken = false;
    });
  }

  /**
   * Folds the journal into a new snapshot without holding up the event loop or the appends: the records are
   * serialised in slices with the event loop yielded between them; lines appended meanwhile (from `mark` on)
   * are kept in a fresh journal. Replaying them over the new snapshot is exact: each change made after `mark`
   * has its own line there, and the lines are whole records. A crash at any point leaves a snapshot and a
   * journal that replay to the state of the last completed flush.
   */
  compactInBackground(state: () => { subscriptions: readonly Subscription[]; runs: readonly DigestRun[] }): void {
    if (this.compacting) return;
    this.compacting = this.compact(state)
      .catch((err: unknown) => {
        this.lastCompactFailure = Date.now();
        this.warn(`store journal ${this.path}: compaction failed (${(err as Error).message}); the journal keeps growing, retried later`);
      })
      .finally(() => {
        this.compacting = null;
      });
  }

  /** Resolves when a compaction under way (if any) is over. */
  async settled(): Promise<void> {
    await this.compacting;
  }

  private async compact(state: () => { subscriptions: readonly Subscription[]; runs: readonly DigestRun[] }): Promise<void> {
    // Everything appended before `mark` is reflected in the state read from here on.
    const mark = await this.exclusive(async () => ({ bytes: this.bytes, lines: this.lines }));
    const { subscriptions, runs } = state();
    const pieces: string[] = ['{"version":1,"subscriptions":['];
    const SLICE = 2_000;
    for (let i = 0; i < subscriptions.length; i += SLICE) {
      const chunk = JSON.stringify(subscriptions.slice(i, i + SLICE));
      pieces.push((i > 0 ? ',' : '') + chunk.slice(1, -1));
      await yieldToLoop();
    }
    pieces.push(`],"runs":${JSON.stringify(runs)}}`);
    await writeSnapshotInPieces(this.snapshot, pieces);
    await this.exclusive(async () => {
      // The lines appended since `mark` move to a fresh journal, swapped in by rename.
      const tailLength = this.bytes - mark.bytes;
      const tail = Buffer.alloc(tailLength);
      if (tailLength > 0) {
        const r = await open(this.path, 'r');
        try {
          await r.read(tail, 0, tailLength, mark.bytes);
        } finally {
          await r.close();
        }
      }
      const fresh = `${this.path}.new`;
      const h = await open(fresh, 'w');
      try {
        await h.write(tail);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(fresh, this.path);
      await fsyncPath(dirname(this.path)).catch(() => {});
      this.bytes = this.goodBytes = tailLength;
      this.lines -= mark.lines;
    });
  }

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

export async function openSubscriptionStore(file: string, opts: OpenSubscriptionStoreOptions = {}): Promise<SubscriptionStore> {
  const warn = opts.warn ?? defaultWarn;
  if (opts.readOnly) {
    // A dry run must leave the file (and its absence) exactly as it was.
    const exists = await access(file).then(() => true, () => false);
    if (!exists) return createMemorySubscriptionStore();
    const db = await openJsonFile(file, subscriptionsFileSchema, emptySubscriptionsFile());
    const data = replay(structuredClone(db.data), (await readJournal(journalPathFor(file), warn)).lines);
    return createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), data), null);
  }
  const db = await openJsonFile(file, subscriptionsFileSchema, emptySubscriptionsFile());
  db.data = replay(db.data, (await readJournal(journalPathFor(file), warn)).lines);
  // Compaction at open: the journal folded into a compact snapshot (no indentation), then emptied. If the disk
  // refuses (full), the store still opens on snapshot + journal as they are; the next compaction retries.
  const journal = await SubscriptionJournal.open(file, { warn, ...(opts.compactAt ? { limits: opts.compactAt } : {}) });
  try {
    await journal.compactNow(JSON.stringify(db.data));
  } catch (err) {
    warn(`store ${file}: compaction at open failed (${(err as Error).message}); going on with the journal as it is`);
  }
  return createSubscriptionStore(db, file, { ...(opts.writeDelayMs !== undefined ? { writeDelayMs: opts.writeDelayMs } : {}), journal });
}

export function createMemorySubscriptionStore(initial: SubscriptionsFile = emptySubscriptionsFile()): SubscriptionStore {
  return createSubscriptionStore(new Low<SubscriptionsFile>(new Memory<SubscriptionsFile>(), initial), null);
}

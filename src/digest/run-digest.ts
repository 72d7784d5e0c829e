/**
 * One digest pass over the due subscriptions.
 *
 * Exactly once, and where it cannot be:
 * - A chat is due while its local date is later than lastDigestDate; serving it moves lastDigestDate and the
 *   cursor together (to the entry seq read at the start of the pass), so a second pass the same day, a forced
 *   pass, or a restart finds nothing to do for it.
 * - The cursor moves only after Telegram accepted every part. A digest cut short after some parts records
 *   which entries those parts carried (`partial.delivered`), and the retry that day, composed up to the same
 *   seq, leaves out exactly those entries: when the rebuilt digest is the same it sends the parts after the
 *   accepted ones, otherwise (a correction published in between) a digest of the entries not yet delivered.
 *   A change of filters, language or notifyEmpty forgets the cut-short digest (the store clears `partial`).
 * - Chats are served concurrently, up to `concurrency` (32) in flight: the limiter paces the sends (globally
 *   and per chat) and each chat's parts still go one after the other.
 * - Progress after every chat: as soon as Telegram accepted a chat's last part, its progress (cursor and date)
 *   is recorded and flushed — one journal line and one fsync, shared only by chats whose sends completed
 *   together (while the previous fsync was under way). A crash (kill -9, power loss) can therefore only lose the
 *   progress of chats whose last part was in flight or accepted during that one fsync: ≤ `concurrency` chats get
 *   today's digest again after the restart, and a second crash adds at most its own in-flight chats (the chats
 *   recorded before it are not resent).
 * - A send that timed out after its request was written is uncertain, not failed (Telegram may have delivered
 *   it). Policy `uncertain: 'assume-sent'` (default): the part is not resent; the chat's digest goes on and is
 *   recorded, and the chat is named `uncertain` in the run (log, /stats): it may have missed that one message.
 *   `'resend'`: the part is sent once more (a possible duplicate rather than a possible gap).
 * - The pass is marked in progress in the store before the first send and finished after the last; a pass
 *   that finds an unfinished one logs it and serves whatever that one left (its chats are simply still due).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AgencyDirectory } from '../core/agencies.ts';
import { composeDigestParts, selectForDigest } from '../core/digest.ts';
import type { DigestPart } from '../core/digest.ts';
import type { DigestButton } from '../core/digest-keyboard.ts';
import type { StoredEntry } from '../core/model.ts';
import type { DeliverOptions, DeliveryResult } from '../delivery/send-with-retry.ts';
import { catalogues as defaultCatalogues } from '../i18n/index.ts';
import type { Lang, Messages } from '../i18n/index.ts';
import { emptyRunCounts } from '../store/subscription-store.ts';
import type { DigestRunCounts, Subscription, SubscriptionStore } from '../store/subscription-store.ts';
import { createDueChecker } from './due.ts';
import type { Log } from '../infra/log.ts';

/** Deliverer.deliver (src/delivery/send-with-retry.ts) as the runner calls it: subscriptions key on numeric chat ids. */
export type Deliver = <T>(
  chatId: number,
  send: (chatId: number) => Promise<T>,
  opts?: DeliverOptions,
) => Promise<DeliveryResult<T, number>>;

/**
 * Sends one HTML message (parse_mode HTML, previews off) into a chat, into a forum topic when threadId is set,
 * with the inline keyboard when one is given (the digest's last message).
 */
export type SendHtml = (chatId: number, html: string, opts: { threadId?: number; keyboard?: DigestButton[][] }) => Promise<unknown>;

export interface DigestRunnerDeps {
  subscriptions: SubscriptionStore;
  entries: { since(cursor: number): StoredEntry[]; seq(): number };
  /** A function: the directory grows as bulletins name new agencies. */
  agencies: () => AgencyDirectory;
  deliver: Deliver;
  send: SendHtml;
  now?: () => number;
  log: Log;
  catalogues?: Record<Lang, Messages>;
  /** Failed attempts per chat and local day before it waits for tomorrow. */
  maxAttemptsPerDay?: number;
  /** Local days (since the last success) with a digest refused as a bad request before the chat is paused ('failing'). */
  maxBadRequestDays?: number;
  /** Minimum gap between attempts after a failure, times the failures so far that day. */
  retryBackoffMs?: number;
  /** What to do with a digest part whose send timed out after it was written (see the header). */
  uncertain?: UncertainPolicy;
  /** Chats served at once (default 32); the limiter does the pacing, so this only has to cover the round trips. */
  concurrency?: number;
  /** Buttons for a digest's last message (see src/core/digest-keyboard.ts); none when absent. */
  keyboard?: (sub: Subscription, picked: readonly StoredEntry[], parts: readonly DigestPart[]) => DigestButton[][] | null;
}

/** 'assume-sent': never resend an uncertain part (a possible gap, no duplicate); 'resend': send it again once. */
export type UncertainPolicy = 'assume-sent' | 'resend';

export interface RunDueOptions {
  /** Only this chat. */
  only?: number;
  /** Ignore the time of day (never the date: a chat served today is not served again). */
  force?: boolean;
  /** Compose and report, send nothing, change nothing. */
  dryRun?: boolean;
  /**
   * Shutdown: start no new chat, take the ones in flight as they end, keep the progress; the chats left are
   * still due next time. Passed on to deliver, so a long wait (a 429 pause) ends at once: a chat cut short that
   * way is left as it was (not advanced, no failure counted; parts already accepted are kept as `partial`) and
   * the progress is flushed right away.
   */
  signal?: AbortSignal;
}

export interface DigestPreview {
  chatId: number;
  threadId: number | null;
  entries: number;
  messages: string[];
}

export interface DigestRunSummary extends DigestRunCounts {
  runId: string | null;
  due: number;
  dryRun: boolean;
  previews: DigestPreview[];
  /** Unfinished runs found at the start (a crash): their chats not yet advanced are served by this one. */
  recovered: string[];
  /** Stopped through the signal before every due chat was served. */
  stoppedEarly: boolean;
  /** Chats with a part whose send timed out after it was written (it may or may not have arrived). */
  uncertainChats: number[];
  /** Chats whose digest failed this pass (they are retried later). */
  failedChats: number[];
  /** Due chats not served at all (the pass stopped early or was aborted). */
  leftChats: number[];
}

export interface DigestRunner {
  runDue(opts?: RunDueOptions): Promise<DigestRunSummary>;
}

export class DigestRunAborted extends Error {
  override name = 'DigestRunAborted';
}

/** What the send of a digest part yields when it was withheld (see sendPart in serve). */
const NOT_SENT = Symbol('digest part not sent');

type ChatOutcome = 'sent' | 'empty' | 'paused' | 'failed' | 'skipped';
/** The shutdown signal cut the chat short: nothing about it is counted, the pass stops. */
type ServeOutcome = ChatOutcome | 'aborted';
/** What serving one chat came to; `commit` records its progress (the advance), applied when the runner takes it. */
interface Served {
  outcome: ServeOutcome;
  commit?: () => void;
  chatId?: number;
  /** Parts whose send was uncertain (timed out after being written). */
  uncertain?: number;
}

export function createDigestRunner(deps: DigestRunnerDeps): DigestRunner {
  const store = deps.subscriptions;
  const now = deps.now ?? Date.now;
  const cats = deps.catalogues ?? defaultCatalogues;
  const maxAttempts = deps.maxAttemptsPerDay ?? 3;
  const maxBadRequestDays = deps.maxBadRequestDays ?? 3;
  const backoffMs = deps.retryBackoffMs ?? 10 * 60_000;
  const uncertainPolicy = deps.uncertain ?? 'assume-sent';
  const concurrency = Math.max(1, deps.concurrency ?? 32);

  const select = (sub: Subscription, upTo: number, directory: AgencyDirectory) =>
    // Entries changed after the run started wait for tomorrow: the cursor moves only to `upTo`.
    selectForDigest(
      deps.entries.since(sub.cursor).filter((e) => e.seq <= upTo),
      sub.filters,
      directory,
    );
  const composeParts = (sub: Subscription, picked: StoredEntry[], date: string, directory: AgencyDirectory, notifyEmpty: boolean) =>
    // An instant push never says "nothing new": it is sent because something was published.
    composeDigestParts(picked, {
      date,
      m: cats[sub.language],
      notifyEmpty: notifyEmpty && sub.frequency !== 'instant',
      agencyOrder: directory.names(),
      kind: sub.frequency,
    });

  /**
   * What to send this attempt. A digest cut short earlier today (same date) is resumed by entry: the entries its
   * accepted parts carried are never sent again, and none of the others is skipped.
   */
  const plan = (sub: Subscription, runUpTo: number, date: string, directory: AgencyDirectory) => {
    const resume = sub.partial && sub.partial.date === date ? sub.partial : null;
    const upTo = resume ? Math.min(resume.upTo, runUpTo) : runUpTo;
    const picked = select(sub, upTo, directory);
    const full = composeParts(sub, picked, date, directory, sub.notifyEmpty);
    if (!resume) return { resume, upTo, picked, parts: full, skip: 0 };
    const done = new Set(resume.delivered);
    // The same digest as the one cut short (nothing changed in between): send the parts after those accepted,
    // so the numbering (2/3, 3/3) continues.
    const prefix = full.slice(0, resume.parts).flatMap((p) => p.entryIds);
    if (resume.parts <= full.length && prefix.length === done.size && prefix.every((id) => done.has(id))) {
      return { resume, upTo, picked, parts: full, skip: resume.parts };
    }
    // It changed (a correction moved an entry out of it, say): a digest of exactly the entries not yet delivered.
    const rest = picked.filter((e) => !done.has(e.id));
    return { resume, upTo, picked: rest, parts: composeParts(sub, rest, date, directory, false), skip: 0 };
  };

  /** Delivers every part; the digest counts as sent only when all were accepted. */
  const serve = async (
    sub: Subscription,
    runUpTo: number,
    date: string,
    directory: AgencyDirectory,
    counts: { migrated: number },
    signal?: AbortSignal,
  ): Promise<Served> => {
    const outcome = await serveChat(sub, runUpTo, date, directory, counts, signal);
    return typeof outcome === 'string' ? { outcome, chatId: sub.chatId } : outcome;
  };
  const serveChat = async (
    sub: Subscription,
    runUpTo: number,
    date: string,
    directory: AgencyDirectory,
    counts: { migrated: number },
    signal?: AbortSignal,
  ): Promise<ServeOutcome | Served> => {
    let planned: ReturnType<typeof plan>;
    try {
      planned = plan(sub, runUpTo, date, directory);
    } catch (err) {
      // A bug tripped by one chat's filters or entries must not stop the others.
      store.recordFailure(sub.chatId, date, `compose: ${(err as Error)?.message ?? String(err)}`, new Date(now()));
      deps.log.error({ event: 'digest-compose-failed', chatId: sub.chatId, err }, 'digest could not be composed');
      return 'failed';
    }
    const { resume, upTo, skip } = planned;
    const parts: DigestPart[] = planned.parts.slice(skip);
    let chatId = sub.chatId;
    let accepted = 0;
    let uncertain = 0;
    const delivered: string[] = [];
    // Deliver resends on the supergroup's id after a migration; when that supergroup has a subscription of its
    // own, this one's digest must not land there: the resend is skipped and the migration below stops the serve.
    const keyboard = deps.keyboard?.(sub, planned.picked, planned.parts) ?? null;
    const lastPart = parts.at(-1);
    const sendPart = (part: DigestPart, threadId: number | undefined) => (id: number) =>
      id !== chatId && store.get(id) !== undefined
        ? Promise.resolve(NOT_SENT)
        : deps.send(id, part.html, {
            ...(threadId === undefined ? {} : { threadId }),
            ...(keyboard && part === lastPart ? { keyboard } : {}),
          });
    /** Follows a group→supergroup migration; false when the supergroup has its own subscription (it wins). */
    const follow = (to: number): boolean => {
      // The subscription follows the new id whatever became of the resend, so a pause or failure lands on the live id.
      deps.log.info({ event: 'digest-chat-migrated', from: chatId, to }, 'chat migrated');
      const { collision } = store.migrate(chatId, to, new Date(now()));
      counts.migrated++;
      if (collision) {
        // Its own turn serves it (with its own filters, cursor and date); nothing more of this digest is sent.
        deps.log.info(
          { event: 'digest-migrated-onto-subscribed', from: chatId, to },
          'supergroup has its own subscription; old one dropped, its digest stopped',
        );
        return false;
      }
      chatId = to;
      return true;
    };
    for (const part of parts) {
      const threadId = sub.threadId ?? undefined;
      // An exception here (not a failure result) means delivery itself is broken: it aborts the run, see runDue.
      const opts = signal ? { signal } : {};
      let r = await deps.deliver(chatId, sendPart(part, threadId), opts);
      if (r.chatId !== chatId && !follow(r.chatId)) return 'skipped';
      if (!r.ok && r.reason === 'topic-gone' && threadId !== undefined) {
        // The forum topic was deleted or closed: the digest goes to the group's General chat from now on.
        deps.log.warn(
          { event: 'digest-topic-gone', chatId, threadId, description: r.description },
          'forum topic gone; sending to the general chat instead',
        );
        store.update(chatId, { threadId: null }, new Date(now()));
        r = await deps.deliver(chatId, sendPart(part, undefined), opts);
        if (r.chatId !== chatId && !follow(r.chatId)) return 'skipped';
      }
      if (!r.ok && r.reason === 'uncertain' && uncertainPolicy === 'resend') {
        deps.log.warn(
          { event: 'digest-part-resent', chatId, part: accepted + 1, description: r.description },
          'send timed out after it was written; resending it (policy: resend)',
        );
        r = await deps.deliver(chatId, sendPart(part, threadId), opts);
        if (r.chatId !== chatId && !follow(r.chatId)) return 'skipped';
      }
      if (!r.ok && r.reason === 'uncertain') {
        // Not resent: Telegram may well have delivered it. Counted as delivered, and the chat named uncertain.
        uncertain++;
        accepted++;
        delivered.push(...part.entryIds);
        deps.log.warn(
          { event: 'digest-part-uncertain', chatId, part: accepted, description: r.description },
          'digest part timed out after it was written: not resent (it may have arrived)',
        );
        continue;
      }
      if (r.ok) {
        accepted++;
        delivered.push(...part.entryIds);
        continue;
      }
      if (accepted > 0) store.recordPartial(r.chatId, date, upTo, { parts: accepted, delivered }, new Date(now()));
      if (signal?.aborted && r.reason === 'failed') {
        // Shutdown cut a wait short: not this chat's fault, so no failure is counted; it is still due next pass.
        deps.log.info({ event: 'digest-chat-aborted', chatId: r.chatId, accepted }, 'digest interrupted by shutdown; cursor kept');
        return 'aborted';
      }
      if (r.reason === 'blocked' || r.reason === 'chat-not-found') {
        // Kept, not deleted: a user who unblocks the bot or re-adds it gets the subscription back.
        store.pause(r.chatId, r.reason, new Date(now()));
        deps.log.info(
          { event: 'digest-chat-paused', chatId: r.chatId, reason: r.reason, description: r.description },
          'subscription paused',
        );
        return 'paused';
      }
      // A topic error with no topic set (the General chat itself closed) is as permanent as a bad request.
      const badRequest = r.reason === 'bad-request' || r.reason === 'topic-gone';
      const attempts = store.recordFailure(r.chatId, date, `${r.reason}: ${r.description}`, new Date(now()), { badRequest });
      const badDays = store.get(r.chatId)?.failures?.badRequestDays ?? 0;
      if (badRequest && badDays >= maxBadRequestDays) {
        // Refused on several days in a row: this chat will not take a digest as things are. Paused, not retried
        // forever; /settings shows why, and ▶️ (or /subscribe) resumes it.
        store.pause(r.chatId, 'failing', new Date(now()));
        deps.log.warn(
          { event: 'digest-chat-paused', chatId: r.chatId, reason: 'failing', description: r.description, days: badDays },
          'subscription paused: digests kept failing',
        );
        return 'paused';
      }
      deps.log.warn(
        { event: 'digest-chat-failed', chatId: r.chatId, reason: r.reason, description: r.description, attempts },
        'digest not delivered; cursor kept',
      );
      return 'failed';
    }
    const served = chatId;
    return {
      outcome: parts.length > 0 || resume ? 'sent' : 'empty',
      chatId: served,
      uncertain,
      commit: () => void store.advance(served, upTo, date, new Date(now())),
    };
  };

  const runDue = async (opts: RunDueOptions = {}): Promise<DigestRunSummary> => {
    // Each chat in flight listens on the shutdown signal while it waits (its chat's queue, the limiter, the outage
    // gate) and stops listening when the wait ends: up to a few listeners per chat in flight, by design, not a leak.
    if (opts.signal) setMaxListeners(Math.max(10, 4 * concurrency + 8), opts.signal);
    const started = now();
    const dryRun = opts.dryRun ?? false;
    const directory = deps.agencies();
    // Everything up to here is what this run delivers; the cursor never moves past it.
    const upTo = deps.entries.seq();
    const checker = createDueChecker(started, { force: opts.force, seq: upTo });
    const summary: DigestRunSummary = {
      runId: null,
      due: 0,
      dryRun,
      previews: [],
      recovered: [],
      stoppedEarly: false,
      uncertainChats: [],
      failedChats: [],
      leftChats: [],
      ...emptyRunCounts(),
    };

    const candidates = store.query((s) => (opts.only === undefined || s.chatId === opts.only) && checker(s).due);
    const due: { sub: Subscription; date: string }[] = [];
    for (const sub of candidates) {
      const date = checker(sub).local.date;
      const f = sub.failures;
      if (f && f.date === date && !opts.force && !opts.only) {
        // A chat that keeps failing waits: at most maxAttempts a day, spaced out, so no hot loop.
        if (f.count >= maxAttempts || started - Date.parse(f.lastAt) < backoffMs * f.count) {
          summary.skipped++;
          continue;
        }
      }
      due.push({ sub, date });
    }
    summary.due = due.length;

    if (dryRun) {
      for (const { sub, date } of due) {
        const p = plan(sub, upTo, date, directory);
        const messages = p.parts.slice(p.skip).map((x) => x.html);
        summary.previews.push({ chatId: sub.chatId, threadId: sub.threadId, entries: p.picked.length, messages });
      }
      summary.durationMs = now() - started;
      return summary;
    }
    if (due.length === 0) {
      summary.durationMs = now() - started;
      return summary;
    }

    for (const r of store.unfinishedRuns()) {
      deps.log.warn(
        { event: 'digest-run-recovered', runId: r.id, startedAt: r.startedAt },
        'previous digest run did not finish; serving the chats it left',
      );
      store.markInterrupted(r.id);
      summary.recovered.push(r.id);
    }
    const runId = randomUUID();
    summary.runId = runId;
    store.startRun({ id: runId, startedAt: new Date(started).toISOString(), forced: opts.force ?? false, only: opts.only ?? null });
    // The in-progress marker must be on disk before the first message leaves.
    await store.flush();
    deps.log.info({ event: 'digest-run-start', runId, due: due.length, upTo }, 'digest run started');

    const counts = (): DigestRunCounts => ({
      sent: summary.sent,
      empty: summary.empty,
      paused: summary.paused,
      migrated: summary.migrated,
      failed: summary.failed,
      skipped: summary.skipped,
      uncertain: summary.uncertain,
      durationMs: now() - started,
    });

    let handled = 0;
    let aborted: unknown = null;
    let flushError: { err: unknown } | null = null;
    // Chats in flight, and their completions in the order they came, taken by the loop below.
    let inFlight = 0;
    let next = 0;
    let stop = false;
    const completed: ({ served: Served } | { error: unknown })[] = [];
    let wake: (() => void) | null = null;
    const launch = (sub: Subscription, date: string) => {
      inFlight++;
      serve(sub, upTo, date, directory, summary, opts.signal)
        .then(
          (served) => completed.push({ served }),
          (error: unknown) => completed.push({ error }),
        )
        .finally(() => {
          inFlight--;
          wake?.();
        });
    };
    /** Takes one completion: its progress is recorded in memory (the caller flushes). Returns whether it changed the store. */
    const take = (done: { served: Served } | { error: unknown }): boolean => {
      if ('error' in done) {
        // Delivery itself is broken: nothing more is started; the chats in flight are still taken as they end.
        aborted ??= done.error;
        stop = true;
        return false;
      }
      const { outcome, commit, chatId, uncertain } = done.served;
      if (outcome === 'aborted') {
        // The progress is flushed below, straight away (finishRun + flush), well inside the shutdown deadline.
        summary.stoppedEarly = true;
        stop = true;
        if (chatId !== undefined) summary.leftChats.push(chatId);
        return true;
      }
      commit?.();
      summary[outcome]++;
      if (outcome === 'failed' && chatId !== undefined) summary.failedChats.push(chatId);
      if (uncertain && chatId !== undefined) {
        summary.uncertain++;
        summary.uncertainChats.push(chatId);
      }
      handled++;
      return true;
    };
    try {
      for (;;) {
        while (!stop && inFlight < concurrency && next < due.length) {
          if (opts.signal?.aborted) {
            // Shutdown: no new chat is started; those in flight finish (or end their waits at once) and count.
            summary.stoppedEarly = true;
            stop = true;
            break;
          }
          const { sub, date } = due[next++]!;
          // The subscription may have changed (paused, removed, migrated) while earlier chats were served.
          if (store.get(sub.chatId) !== sub || sub.state !== 'active') continue;
          launch(sub, date);
        }
        if (completed.length === 0) {
          if (inFlight === 0) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        // Every chat completed by now (those that finished while the last fsync ran complete "together").
        let changed = false;
        for (let done = completed.shift(); done; done = completed.shift()) changed = take(done) || changed;
        // Progress after every chat: one journal append + fsync for the chats just taken, before anything else.
        if (changed && !flushError) {
          try {
            await store.flush();
          } catch (err) {
            // The disk refused (full, say): start nothing more, take the chats in flight, then fail the run.
            flushError = { err };
            stop = true;
          }
          await yieldToLoop();
        }
      }
    } finally {
      if (aborted) {
        // Progress is kept; the run stays marked in progress like after a crash, and the next pass recovers it.
        await store.flush().catch(() => {});
      }
    }
    if (stop) for (let i = next; i < due.length; i++) summary.leftChats.push(due[i]!.sub.chatId);
    if (flushError) throw flushError.err;
    if (aborted) {
      deps.log.error({ event: 'digest-run-aborted', runId, err: aborted, ...counts() }, 'digest run aborted: delivery threw');
      throw new DigestRunAborted(`digest run ${runId} aborted: ${(aborted as Error)?.message ?? String(aborted)}`, { cause: aborted });
    }

    summary.durationMs = now() - started;
    store.finishRun(
      runId,
      counts(),
      new Date(now()).toISOString(),
      summary.stoppedEarly ? `stopped early: ${due.length - handled} due chats left for the next pass` : null,
      summary.uncertainChats,
    );
    await store.flush();
    if (summary.uncertain > 0)
      deps.log.warn(
        { event: 'digest-run-uncertain', runId, chats: summary.uncertainChats.slice(0, 100) },
        `${summary.uncertain} chat(s) had a digest part that timed out after it was sent: it may not have arrived (not resent)`,
      );
    deps.log.info({ event: 'digest-run-finished', runId, ...counts() }, 'digest run finished');
    return summary;
  };

  return { runDue };
}

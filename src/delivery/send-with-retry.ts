/**
 * Delivers one message to one chat through the rate limiter and Telegram's failure modes. deliver() never
 * throws: a broadcast to 100k chats must survive any single chat failing, so every outcome is a value.
 */
import type { Log } from '../infra/log.ts';
import type { ChatId, Priority, RateLimiter } from './rate-limiter.ts';
import { createOutageGate } from './outage-gate.ts';
import type { OutageGate } from './outage-gate.ts';
import { classifyTelegramError } from './telegram-errors.ts';

/**
 * topic-gone: the forum topic was deleted or closed; the caller may resend without message_thread_id.
 * uncertain: the request was written and its answer never came (request-timeout.ts): Telegram may have taken the
 * message. Never retried here; the caller decides (the digest runner's policy).
 */
export type DeliveryFailureReason = 'blocked' | 'chat-not-found' | 'topic-gone' | 'bad-request' | 'uncertain' | 'failed';

/** Id: the caller's kind of chat id, kept (a chat migrates only from a group id to a supergroup id, both numbers). */
export type DeliveryResult<T, Id extends ChatId = ChatId> =
  | { ok: true; value: T; chatId: Id; migratedFrom?: Id }
  | { ok: false; reason: DeliveryFailureReason; description: string; chatId: Id; migratedFrom?: Id };

export interface DelivererOptions {
  limiter: RateLimiter;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  maxTransientRetries?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Injected so tests can pin the jitter. */
  random?: () => number;
  log?: Pick<Log, 'info' | 'warn'>;
  priority?: Priority;
  /**
   * Outage detection (outage-gate.ts): while the Bot API is down for every chat, sends wait for a probe to get
   * through instead of spending each chat's retries. Default: a gate on this deliverer's clock and sleep.
   */
  outage?: OutageGate;
}

export interface DeliverOptions {
  /**
   * Shutdown: once aborted, any wait (a 429 pause, a backoff, an earlier message to the same chat) ends at once
   * and deliver returns { ok: false, reason: 'failed', description: 'aborted' }, the message not sent. A request
   * already on the wire is awaited: abandoning it could leave a message delivered but reported as not.
   */
  signal?: AbortSignal;
}

/** The description of the failure deliver returns when its signal aborted it. */
export const ABORTED = 'aborted';
/** The description when an outage outlasted the gate's giveUpAfterMs. */
export const OUTAGE_GAVE_UP = 'Bot API unreachable for too long (outage): not sent';

export interface Deliverer {
  deliver<T, Id extends ChatId = ChatId>(
    chatId: Id,
    send: (chatId: Id) => Promise<T>,
    opts?: DeliverOptions,
  ): Promise<DeliveryResult<T, Id>>;
  /** Where a chat id now points after an observed group→supergroup migration (itself if none). */
  resolveChatId(chatId: ChatId): ChatId;
  /** The outage gate the sends go through. */
  readonly outage: OutageGate;
}

const ABORT = Symbol('aborted');

/** `p`, or ABORT as soon as `signal` aborts (p keeps running; its outcome is then ignored). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORT> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(ABORT);
  return new Promise<T | typeof ABORT>((resolve, reject) => {
    const onAbort = () => resolve(ABORT);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

// A migrated chat id should itself never migrate again; more hops than this means something is looping.
const MAX_MIGRATION_HOPS = 3;

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { limiter, sleep, now, log } = options;
  const maxTransientRetries = options.maxTransientRetries ?? 5;
  const baseBackoffMs = options.baseBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const random = options.random ?? Math.random;
  const priority = options.priority ?? 'normal';
  const safeLog = (level: 'info' | 'warn', obj: Record<string, unknown>, msg: string): void => {
    try {
      log?.[level](obj, msg);
    } catch {
      // A broken logger must not turn into a lost message.
    }
  };
  const gate =
    options.outage ??
    createOutageGate({
      now,
      sleep,
      onChange: (e) =>
        e.outage
          ? safeLog(
              'warn',
              { event: 'telegram-outage', failures: e.failures, nextProbeInMs: e.nextProbeInMs },
              'Bot API unreachable for every chat: all sends paused until a probe gets through',
            )
          : safeLog('info', { event: 'telegram-outage-over', pausedMs: e.sinceMs }, 'Bot API reachable again: sends resumed'),
    });

  // Remembered so the remaining parts of a digest (and tomorrow's run, while the process lives) go straight to
  // the supergroup instead of paying a failed request each. Migrations are rare, so this stays small.
  const migrations = new Map<string, ChatId>();
  // Tail of the in-flight delivery per chat: the next message to a chat starts only after the previous one is
  // settled, so a 429 retry or a backoff cannot let part 2 of a digest overtake part 1.
  const tails = new Map<string, Promise<unknown>>();

  const resolveChatId = (chatId: ChatId): ChatId => {
    let id = chatId;
    for (let i = 0; i < MAX_MIGRATION_HOPS; i++) {
      const next = migrations.get(String(id));
      if (next === undefined) break;
      id = next;
    }
    return id;
  };

  const backoff = (attempt: number): number => {
    const exp = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the exponential step, so retries still spread out but never collapse to 0.
    return Math.round(exp / 2 + (exp / 2) * random());
  };

  async function attempt<T>(
    original: ChatId,
    send: (chatId: ChatId) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<DeliveryResult<T>> {
    let target = resolveChatId(original);
    let migratedFrom: ChatId | undefined = target === original ? undefined : original;
    let transientFailures = 0;
    let hops = 0;
    const withOrigin = <R extends object>(r: R): R & { migratedFrom?: ChatId } => (migratedFrom === undefined ? r : { ...r, migratedFrom });
    const aborted = () => withOrigin({ ok: false as const, reason: 'failed' as const, description: ABORTED, chatId: target });

    for (;;) {
      if (signal?.aborted) return aborted();
      // In an outage, wait for the probe (or be it) instead of sending into the void.
      const turn = await gate.wait(signal);
      if (turn === 'aborted') return aborted();
      if (turn === 'gave-up')
        return withOrigin({ ok: false as const, reason: 'failed' as const, description: OUTAGE_GAVE_UP, chatId: target });
      const probe = turn === 'probe';
      try {
        const chatId = target;
        const value = await limiter.schedule(chatId, () => send(chatId), { priority, ...(signal ? { signal } : {}) });
        gate.answered();
        return withOrigin({ ok: true as const, value, chatId });
      } catch (err) {
        // Withdrawn from the limiter's queue (during a 429 pause, say) by the signal: nothing was sent.
        if (signal?.aborted) {
          if (probe) gate.abandonProbe();
          return aborted();
        }
        const c = classifyTelegramError(err);
        if (c.kind === 'transient') gate.failure(target);
        else if (c.kind !== 'uncertain' && c.kind !== 'unknown') gate.answered();
        else if (probe) gate.abandonProbe();
        switch (c.kind) {
          case 'rate-limited': {
            // Telegram's 429 is not per chat as far as we can tell, so everything waits; this message is
            // retried however long that takes, since dropping it would silently lose a digest.
            const until = now() + c.retryAfterSec * 1000;
            limiter.pauseAll(until);
            safeLog('warn', { chatId: target, retryAfterSec: c.retryAfterSec }, 'telegram rate limit hit, pausing all sends');
            continue;
          }
          case 'migrated': {
            if (++hops > MAX_MIGRATION_HOPS) {
              return withOrigin({ ok: false as const, reason: 'failed' as const, description: 'too many chat migrations', chatId: target });
            }
            migrations.set(String(target), c.migrateToChatId);
            safeLog('info', { from: target, to: c.migrateToChatId }, 'group migrated to supergroup, resending');
            migratedFrom ??= original;
            target = c.migrateToChatId;
            continue;
          }
          case 'blocked':
          case 'chat-not-found':
          case 'topic-gone':
          case 'bad-request':
            return withOrigin({ ok: false as const, reason: c.kind, description: c.description, chatId: target });
          case 'uncertain':
            safeLog(
              'warn',
              { chatId: target, error: c.description },
              'send timed out after it was written: it may have been delivered; not resent here',
            );
            return withOrigin({ ok: false as const, reason: 'uncertain' as const, description: c.description, chatId: target });
          case 'transient': {
            // The Bot API is down for everyone: this chat's retries are not spent; it waits at the gate.
            if (gate.inOutage()) continue;
            transientFailures++;
            if (transientFailures > maxTransientRetries) {
              safeLog('warn', { chatId: target, attempts: transientFailures, error: c.description }, 'giving up after transient failures');
              return withOrigin({ ok: false as const, reason: 'failed' as const, description: c.description, chatId: target });
            }
            const delay = backoff(transientFailures);
            safeLog(
              'warn',
              { chatId: target, attempt: transientFailures, delayMs: delay, error: c.description },
              'transient send failure, backing off',
            );
            if (!(await sleepUnlessAborted(delay, signal))) return aborted();
            continue;
          }
          case 'unknown':
            return withOrigin({ ok: false as const, reason: 'failed' as const, description: c.description, chatId: target });
        }
      }
    }
  }

  /** Sleeps; resolves false as soon as the signal aborts (the sleep itself is left to run out unobserved). */
  const sleepUnlessAborted = (ms: number, signal: AbortSignal | undefined): Promise<boolean> =>
    untilAborted(sleep(ms), signal).then((r) => r !== ABORT);

  return {
    resolveChatId,
    outage: gate,
    deliver<T, Id extends ChatId = ChatId>(
      chatId: Id,
      send: (chatId: Id) => Promise<T>,
      opts: DeliverOptions = {},
    ): Promise<DeliveryResult<T, Id>> {
      const { signal } = opts;
      const key = String(chatId);
      const prev = tails.get(key) ?? Promise.resolve();
      // Waiting for the previous message to this chat is a wait like any other: the signal ends it.
      const run = untilAborted(prev, signal)
        .then((r) =>
          r === ABORT
            ? ({ ok: false, reason: 'failed', description: ABORTED, chatId } as const)
            : attempt(chatId, send as (chatId: ChatId) => Promise<T>, signal),
        )
        .catch((err: unknown): DeliveryResult<T> => ({
          ok: false,
          reason: 'failed',
          description: `internal delivery error: ${err instanceof Error ? err.message : String(err)}`,
          chatId,
        }));
      // An aborted delivery may settle before the one it waited for: the next one still waits for both, so
      // order within a chat holds.
      const tail = signal ? Promise.allSettled([prev, run]) : run;
      tails.set(key, tail);
      // Drop the tail once settled unless a newer delivery has chained on, so idle chats cost no memory.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run as Promise<DeliveryResult<T, Id>>;
    },
  };
}

/**
 * Paces outgoing Telegram calls under the Bot API limits (https://core.telegram.org/bots/faq#broadcasting-to-users):
 * about 30 messages/s overall, 1/s per private chat, 20/min per group. Time is injected so tests run on a fake clock.
 *
 * When a send counts: Telegram counts a message when it *arrives*, somewhere between the moment the call starts
 * and the moment its answer comes back. Counting it at the start (as a plain sliding window would) lets an
 * unlucky mix of latencies put L + 1 arrivals inside one second — a 429, which pauses everything ≥ 1 s. So every
 * window here has `cap` slots, and a send holds its slot from the moment its call starts until `span` after the
 * call settles. The (cap + 1)-th send can then only start `span` after an earlier one on the same slot was
 * answered, hence after that one arrived: no `span` ever holds more than `cap` arrivals, whatever the latency.
 * With instant calls this is a plain sliding window; a call that takes d ms costs its slot span + d.
 *
 * Shape: every chat has its own FIFO of tasks. A chat with work is either in a ready queue (may send now) or in
 * a min-heap keyed by the moment its own window frees up. The pump round-robins over ready chats, so one chat
 * with a long backlog only ever takes one slot per turn and never holds back the others. All bookkeeping is
 * O(log n) per call at worst, and chats whose windows have fully expired are dropped so 100k one-off recipients
 * do not accumulate state.
 */

export type ChatId = number | string;

export type Priority = 'high' | 'normal';

export interface ScheduleOptions {
  /** Interactive replies jump ahead of a running broadcast; within one chat, order stays FIFO. */
  priority?: Priority;
  /**
   * Withdraws the call while it is still queued (a shutdown must not wait out a 429 pause): the promise rejects
   * with the signal's reason and fn never runs. A call already started is not affected.
   */
  signal?: AbortSignal;
}

export interface RateLimiter {
  schedule<T>(chatId: ChatId, fn: () => Promise<T>, options?: ScheduleOptions): Promise<T>;
  /** Holds every not-yet-started call until `untilMs` (epoch ms on the injected clock). Never shortens a pause. */
  pauseAll(untilMs: number): void;
  stats(): RateLimiterStats;
}

export interface RateLimiterStats {
  /** Chats whose state is kept: with queued work, or sent to recently enough that their window still matters. */
  trackedChats: number;
  queued: number;
  pausedUntil: number;
}

export interface RateLimiterOptions {
  globalPerSecond?: number;
  privatePerSecond?: number;
  groupPerMinute?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * `cap` slots, each held from the start of a send until `span` after that send settled (see the header).
 * `freeAt` holds, for settled sends still holding a slot, the moment their slot frees; sends settle in clock
 * order, so it is sorted and its head is the earliest (were the clock to step back, the head is merely a later
 * slot than the earliest: a longer wait, never an extra send).
 */
class SlidingWindow {
  // A ring of `cap` once full; it fills densely from [] so a one-off chat's window costs one entry, not `cap`.
  private readonly freeAt: number[] = [];
  private head = 0;
  private size = 0;
  /** Sends started and not yet settled: each holds a slot for an unknown time. */
  inFlight = 0;
  private lastSettledAt = -Infinity;

  constructor(
    private readonly cap: number,
    readonly span: number,
  ) {}

  /** Earliest moment ≥ t a send may start; Infinity while every slot is held by a call still in flight. */
  nextFree(t: number): number {
    if (this.inFlight + this.size < this.cap) return t;
    return this.size === 0 ? Infinity : Math.max(t, this.freeAt[this.head]!);
  }

  /** A send starts now; the caller has checked nextFree(now) <= now. */
  start(): void {
    if (this.inFlight + this.size >= this.cap) {
      this.head = (this.head + 1) % this.cap;
      this.size--;
    }
    this.inFlight++;
  }

  /** A send started earlier has settled at `t`: its slot frees at t + span. */
  settle(t: number): void {
    this.inFlight--;
    this.freeAt[(this.head + this.size) % this.cap] = t + this.span;
    this.size++;
    this.lastSettledAt = Math.max(this.lastSettledAt, t);
  }

  /** From when on this window no longer constrains anything (Infinity while a send is in flight). */
  idleFrom(): number {
    return this.inFlight > 0 ? Infinity : this.lastSettledAt + this.span;
  }
}

/** Array-backed FIFO with O(1) amortised shift; Array#shift is O(n) and a single chat may queue thousands. */
class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // let the GC have it
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

interface Task {
  /** Starts the call; `settled` must be called once when its promise settles. */
  run: (settled: () => void) => void;
  priority: Priority;
  /** Withdrawn through its signal before it ran: skipped when its turn comes, without using a send slot. */
  cancelled?: boolean;
}

interface ChatState {
  key: string;
  window: SlidingWindow;
  tasks: Deque<Task>;
  /** blocked: has tasks, but every slot of its window is held by a call still in flight; placed when one settles. */
  where: 'idle' | 'ready' | 'heap' | 'blocked';
  eligibleAt: number;
  seq: number;
}

/** Min-heap on (eligibleAt, seq); seq keeps chats that free up at the same instant in arrival order. */
class ChatHeap {
  private readonly a: ChatState[] = [];

  get size(): number {
    return this.a.length;
  }

  peek(): ChatState | undefined {
    return this.a[0];
  }

  push(c: ChatState): void {
    const a = this.a;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): ChatState | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(x: ChatState, y: ChatState): boolean {
  return x.eligibleAt < y.eligibleAt || (x.eligibleAt === y.eligibleAt && x.seq < y.seq);
}

/** Positive ids are users; negative ids and '@channelname' strings are groups/channels with the slower limit. */
export function isPrivateChat(chatId: ChatId): boolean {
  const n = typeof chatId === 'number' ? chatId : Number(chatId);
  return Number.isFinite(n) && n > 0;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { now, sleep } = options;
  const globalPerSecond = options.globalPerSecond ?? 30;
  const privatePerSecond = options.privatePerSecond ?? 1;
  const groupPerMinute = options.groupPerMinute ?? 20;
  for (const [name, v] of Object.entries({ globalPerSecond, privatePerSecond, groupPerMinute })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }

  const global = new SlidingWindow(globalPerSecond, 1000);
  const chats = new Map<string, ChatState>();
  const readyHigh = new Deque<ChatState>();
  const readyNormal = new Deque<ChatState>();
  const heap = new ChatHeap();
  // Expiry candidates in settle order. Spans differ per kind, so one FIFO per kind keeps each sorted by expiry.
  const idlePrivate = new Deque<{ chat: ChatState; expiresAt: number }>();
  const idleGroup = new Deque<{ chat: ChatState; expiresAt: number }>();
  let queued = 0;
  let pausedUntil = -Infinity;
  let seq = 0;
  let running = false;
  let wake: (() => void) | undefined;
  let sleepingUntil = Infinity;

  const stateFor = (chatId: ChatId): ChatState => {
    const key = String(chatId);
    let chat = chats.get(key);
    if (!chat) {
      const window = isPrivateChat(chatId) ? new SlidingWindow(privatePerSecond, 1000) : new SlidingWindow(groupPerMinute, 60_000);
      chat = { key, window, tasks: new Deque(), where: 'idle', eligibleAt: 0, seq: 0 };
      chats.set(key, chat);
    }
    return chat;
  };

  const sweep = (fifo: Deque<{ chat: ChatState; expiresAt: number }>, t: number): void => {
    for (let head = fifo.peek(); head && head.expiresAt <= t; head = fifo.peek()) {
      fifo.shift();
      const { chat } = head;
      // A later send re-queues the chat with a later expiry, so a stale entry just finds it still in use.
      if (chat.where === 'idle' && chat.tasks.length === 0 && chat.window.idleFrom() <= t && chats.get(chat.key) === chat) {
        chats.delete(chat.key);
      }
    }
  };

  const place = (chat: ChatState, t: number): void => {
    const at = chat.window.nextFree(t);
    chat.seq = seq++;
    if (at === Infinity) {
      chat.where = 'blocked';
    } else if (at <= t) {
      chat.where = 'ready';
      (chat.tasks.peek()?.priority === 'high' ? readyHigh : readyNormal).push(chat);
    } else {
      chat.where = 'heap';
      chat.eligibleAt = at;
      heap.push(chat);
    }
  };

  const dispatch = (chat: ChatState, t: number): void => {
    let task = chat.tasks.shift();
    while (task?.cancelled) task = chat.tasks.shift();
    if (!task) {
      chat.where = 'idle';
      // Only withdrawn calls were left. Forget the chat now if its window no longer matters, else once it
      // stops mattering (a call still in flight queues that itself when it settles).
      const idleFrom = chat.window.idleFrom();
      if (idleFrom <= t) {
        if (chats.get(chat.key) === chat) chats.delete(chat.key);
      } else if (idleFrom !== Infinity) {
        (chat.window.span === 1000 ? idlePrivate : idleGroup).push({ chat, expiresAt: idleFrom });
      }
      return;
    }
    queued--;
    chat.window.start();
    global.start();
    if (chat.tasks.length > 0) place(chat, t);
    else chat.where = 'idle';
    task.run(() => settle(chat));
  };

  /** A started call settled (either way): its slots start their `span` now, and whoever waited on them may go. */
  const settle = (chat: ChatState): void => {
    const t = now();
    chat.window.settle(t);
    global.settle(t);
    if (chat.where === 'blocked') place(chat, t);
    else if (chat.where === 'idle' && chat.tasks.length === 0 && chat.window.inFlight === 0) {
      (chat.window.span === 1000 ? idlePrivate : idleGroup).push({ chat, expiresAt: t + chat.window.span });
    }
    kick(t);
  };

  /** When the pump would send next, or undefined if nothing is waiting on a known moment. */
  const plan = (t: number): number | undefined => {
    const hasReady = readyHigh.length > 0 || readyNormal.length > 0;
    const top = heap.peek();
    if (!hasReady && !top) return undefined;
    const at = Math.max(pausedUntil, global.nextFree(t));
    return hasReady ? at : Math.max(at, top!.eligibleAt);
  };

  /** Starts the pump, or wakes it if it is napping past a moment something could now go. */
  const kick = (t: number): void => {
    if (!running) {
      running = true;
      // Started on a microtask so a synchronous burst of schedule() calls is all queued before the first
      // dispatch; otherwise the first caller's backlog would take the whole first second.
      queueMicrotask(() => void pump());
    } else if (wake) {
      const at = plan(t);
      if (at !== undefined && at < sleepingUntil) wake();
    }
  };

  const nap = async (until: number, t: number): Promise<void> => {
    sleepingUntil = until;
    await new Promise<void>((resolve) => {
      wake = resolve;
      // Infinity: every global slot is held by a call in flight; the first to settle wakes the pump.
      if (until !== Infinity) sleep(until - t).then(resolve, resolve);
    });
    wake = undefined;
    sleepingUntil = Infinity;
  };

  const pump = async (): Promise<void> => {
    try {
      for (;;) {
        const t = now();
        sweep(idlePrivate, t);
        sweep(idleGroup, t);
        for (let top = heap.peek(); top && top.eligibleAt <= t; top = heap.peek()) place(heap.pop()!, t);
        // Nothing ready or due at a known moment (chats blocked on calls in flight restart the pump on settle).
        const at = plan(t);
        if (at === undefined) break;
        if (at > t) {
          await nap(at, t);
          continue;
        }
        dispatch((readyHigh.shift() ?? readyNormal.shift())!, t);
      }
    } finally {
      running = false;
    }
  };

  return {
    schedule<T>(chatId: ChatId, fn: () => Promise<T>, opts: ScheduleOptions = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const signal = opts.signal;
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const chat = stateFor(chatId);
        const onAbort = (): void => {
          if (task.cancelled) return;
          task.cancelled = true;
          queued--;
          reject(signal!.reason);
        };
        // Deferred by a microtask so a synchronous throw in fn becomes a rejection and cannot break the pump.
        // The limiter learns of the settlement before the caller does, so a follow-up the caller schedules on
        // it already sees this send's slot running out its span.
        const run = (settled: () => void): void => {
          signal?.removeEventListener('abort', onAbort);
          void Promise.resolve()
            .then(fn)
            .then(
              (value) => {
                settled();
                resolve(value);
              },
              (err: unknown) => {
                settled();
                reject(err);
              },
            );
        };
        const task: Task = { run, priority: opts.priority ?? 'normal' };
        signal?.addEventListener('abort', onAbort, { once: true });
        chat.tasks.push(task);
        queued++;
        const t = now();
        if (chat.where === 'idle') place(chat, t);
        // The pump may be napping until a later moment than this chat could go; the kick makes it re-plan.
        kick(t);
      });
    },
    pauseAll(untilMs: number): void {
      // A napping pump wakes at its old target, sees the pause and naps again, so no nudge is needed.
      pausedUntil = Math.max(pausedUntil, untilMs);
    },
    stats: () => ({ trackedChats: chats.size, queued, pausedUntil }),
  };
}

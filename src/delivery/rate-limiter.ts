/**
 * Paces outgoing Telegram calls under the Bot API limits (https://core.telegram.org/bots/faq#broadcasting-to-users):
 * about 30 messages/s overall, 1/s per private chat, 20/min per group. Time is injected so tests run on a fake clock.
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

/** Sliding window over the last `cap` send times: the next send is allowed once the oldest of them is `span` old. */
class SlidingWindow {
  private readonly stamps: number[] = [];
  private head = 0;
  lastAt = -Infinity;

  constructor(
    private readonly cap: number,
    readonly span: number,
  ) {}

  nextFree(t: number): number {
    if (this.stamps.length < this.cap) return t;
    return Math.max(t, this.stamps[this.head]! + this.span);
  }

  record(t: number): void {
    if (this.stamps.length < this.cap) this.stamps.push(t);
    else {
      this.stamps[this.head] = t;
      this.head = (this.head + 1) % this.cap;
    }
    this.lastAt = t;
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
  run: () => void;
  priority: Priority;
  /** Withdrawn through its signal before it ran: skipped when its turn comes, without using a send slot. */
  cancelled?: boolean;
}

interface ChatState {
  key: string;
  window: SlidingWindow;
  tasks: Deque<Task>;
  where: 'idle' | 'ready' | 'heap';
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
  // Expiry candidates in send order. Spans differ per kind, so one FIFO per kind keeps each sorted by expiry.
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
      const window = isPrivateChat(chatId)
        ? new SlidingWindow(privatePerSecond, 1000)
        : new SlidingWindow(groupPerMinute, 60_000);
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
      if (chat.where === 'idle' && chat.tasks.length === 0 && chat.window.lastAt + chat.window.span <= t && chats.get(chat.key) === chat) {
        chats.delete(chat.key);
      }
    }
  };

  const place = (chat: ChatState, t: number): void => {
    const at = chat.window.nextFree(t);
    chat.seq = seq++;
    if (at <= t) {
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
      return;
    }
    queued--;
    chat.window.record(t);
    global.record(t);
    if (chat.tasks.length > 0) place(chat, t);
    else {
      chat.where = 'idle';
      (chat.window.span === 1000 ? idlePrivate : idleGroup).push({ chat, expiresAt: t + chat.window.span });
    }
    task.run();
  };

  const nap = async (until: number, t: number): Promise<void> => {
    sleepingUntil = until;
    await new Promise<void>((resolve) => {
      wake = resolve;
      sleep(until - t).then(resolve, resolve);
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
        const next = readyHigh.peek() ?? readyNormal.peek();
        let at: number;
        if (next) at = Math.max(pausedUntil, global.nextFree(t));
        else if (heap.peek()) at = Math.max(pausedUntil, global.nextFree(t), heap.peek()!.eligibleAt);
        else break;
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
        const run = (): void => {
          signal?.removeEventListener('abort', onAbort);
          void Promise.resolve().then(fn).then(resolve, reject);
        };
        const task: Task = { run, priority: opts.priority ?? 'normal' };
        signal?.addEventListener('abort', onAbort, { once: true });
        chat.tasks.push(task);
        queued++;
        const t = now();
        if (chat.where === 'idle') place(chat, t);
        if (!running) {
          running = true;
          // Started on a microtask so a synchronous burst of schedule() calls is all queued before the first
          // dispatch; otherwise the first caller's backlog would take the whole first second.
          queueMicrotask(() => void pump());
        } else if (wake) {
          // The pump may be napping until a later moment than this chat could go; nudge it so it re-plans.
          const earliest = Math.max(pausedUntil, global.nextFree(t), chat.where === 'heap' ? chat.eligibleAt : t);
          if (earliest < sleepingUntil) wake();
        }
      });
    },
    pauseAll(untilMs: number): void {
      // A napping pump wakes at its old target, sees the pause and naps again, so no nudge is needed.
      pausedUntil = Math.max(pausedUntil, untilMs);
    },
    stats: () => ({ trackedChats: chats.size, queued, pausedUntil }),
  };
}

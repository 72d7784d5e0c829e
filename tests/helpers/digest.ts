import type { SubscriptionInput } from '../../src/store/subscription-store.ts';
import type { Entry, ParsedBulletin } from '../../src/core/model.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import type { EntryStore } from '../../src/store/entry-store.ts';
import type { DeliveryResult } from '../../src/delivery/send-with-retry.ts';
import type { Deliver } from '../../src/digest/run-digest.ts';
import type { Log } from '../../src/infra/log.ts';

let counter = 0;

/** A measure with the fields a digest reads; ids are unique per call unless given. */
export function entry(parts: Partial<Entry> = {}): Entry {
  counter++;
  return {
    id: parts.id ?? `e${counter}`,
    agency: parts.agency ?? '上海市公安局',
    date: parts.date ?? '2020-03-27',
    title: parts.title ?? `措施 ${counter}`,
    body: parts.body ?? ['正文段落。'],
    bullets: parts.bullets ?? [],
    source: parts.source ?? parts.agency ?? '上海市公安局',
    bulletin: parts.bulletin ?? 'b1',
    line: parts.line ?? counter,
  };
}

export function bulletinOf(entries: Entry[], id = `b${++counter}`): ParsedBulletin {
  return { bulletin: { id, title: 't', series: null, asOf: null, publisher: null, file: `${id}.txt` }, entries, warnings: [] };
}

export function entryStoreWith(...entries: Entry[]): EntryStore {
  const store = createMemoryEntryStore();
  if (entries.length) store.apply(bulletinOf(entries));
  return store;
}

/** Telegram as the runner sees it: every accepted message, and scripted failures per chat. */
export class FakeTelegram {
  sent: { chatId: number; html: string; threadId?: number }[] = [];
  /** chatId → outcome for the next deliveries to that chat. */
  outcomes = new Map<
    number,
    { reason: 'blocked' | 'chat-not-found' | 'bad-request' | 'failed'; description: string } | { migrateTo: number }
  >();
  /** Throw (a crash) when this many messages have been accepted. */
  crashAfter: number | null = null;
  /** Fail this chat from its n-th message on (1-based) with bad-request. */
  failFromPart = new Map<number, number>();

  send = async (chatId: number, html: string, opts: { threadId?: number }): Promise<{ message_id: number }> => {
    if (this.crashAfter !== null && this.sent.length >= this.crashAfter) throw new Error('simulated crash');
    this.sent.push({ chatId, html, ...(opts.threadId !== undefined ? { threadId: opts.threadId } : {}) });
    return { message_id: this.sent.length };
  };

  deliver: Deliver = async <T>(chatId: number, send: (chatId: number) => Promise<T>): Promise<DeliveryResult<T, number>> => {
    const o = this.outcomes.get(chatId);
    if (o && 'migrateTo' in o) {
      // Like send-with-retry: the first attempt says "migrated", the resend lands on the new id.
      const value = await send(o.migrateTo);
      return { ok: true, value, chatId: o.migrateTo, migratedFrom: chatId };
    }
    if (o) return { ok: false, reason: o.reason, description: o.description, chatId };
    const part = this.sent.filter((s) => s.chatId === chatId).length + 1;
    const failAt = this.failFromPart.get(chatId);
    if (failAt !== undefined && part >= failAt) return { ok: false, reason: 'bad-request', description: 'Bad Request: simulated', chatId };
    return { ok: true, value: await send(chatId), chatId };
  };

  to(chatId: number) {
    return this.sent.filter((s) => s.chatId === chatId);
  }
}

export function recordingLog(): Log & { lines: { level: string; obj: object | string; msg?: string }[] } {
  const lines: { level: string; obj: object | string; msg?: string }[] = [];
  return {
    lines,
    debug: (obj, msg) => void lines.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj, msg }),
  };
}

/** A subscription as /subscribe makes it; groups by the sign of the id. Tests override what they care about. */
export function subscriptionInput(chatId: number, over: Partial<SubscriptionInput> = {}): SubscriptionInput {
  return {
    chatId,
    chatType: chatId < 0 ? 'supergroup' : 'private',
    time: '09:00',
    timezone: 'Asia/Shanghai',
    filters: { agencies: [], keywords: [] },
    language: 'zh',
    cursor: 0,
    ...over,
  };
}

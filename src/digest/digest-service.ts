/**
 * Composition for the app: runner + one-minute scheduler over the bot's Telegram client and the shared
 * deliverer. main.ts only has to create it after the bot and call start()/stop().
 */
import type { AgencyDirectory } from '../core/agencies.ts';
import { digestKeyboard } from '../core/digest-keyboard.ts';
import type { DigestButton } from '../core/digest-keyboard.ts';
import { catalogues } from '../i18n/index.ts';
import type { Lang, Messages } from '../i18n/index.ts';
import type { SubscriptionStore } from '../store/subscription-store.ts';
import type { Log } from '../infra/log.ts';
import { createDigestRunner } from './run-digest.ts';
import type { Deliver, DigestRunner, DigestRunnerDeps, SendHtml, UncertainPolicy } from './run-digest.ts';
import { createDigestScheduler } from './scheduler.ts';
import type { DigestScheduler } from './scheduler.ts';

/** The one Bot API call a digest makes; telegraf's Telegram satisfies it. */
export interface HtmlSender {
  sendMessage(
    chatId: number,
    text: string,
    extra: {
      parse_mode: 'HTML';
      link_preview_options: { is_disabled: boolean };
      message_thread_id?: number;
      reply_markup?: { inline_keyboard: DigestButton[][] };
    },
  ): Promise<unknown>;
}

export function htmlSender(telegram: HtmlSender): SendHtml {
  return (chatId, html, opts) =>
    telegram.sendMessage(chatId, html, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(opts.threadId !== undefined ? { message_thread_id: opts.threadId } : {}),
      ...(opts.keyboard ? { reply_markup: { inline_keyboard: opts.keyboard } } : {}),
    });
}

/** The runner's keyboard hook: digestKeyboard for the subscription's chat, measures in the order the digest shows them. */
export function digestButtons(
  botUsername: () => string | undefined,
  cats: Record<Lang, Messages> = catalogues,
): NonNullable<DigestRunnerDeps['keyboard']> {
  return (sub, picked, parts) => {
    const byId = new Map(picked.map((e) => [e.id, e]));
    const shown = parts
      .flatMap((p) => p.entryIds)
      .map((id) => byId.get(id))
      .filter((e) => e !== undefined);
    const bot = botUsername();
    return digestKeyboard({ chatType: sub.chatType, entries: shown, m: cats[sub.language], ...(bot ? { botUsername: bot } : {}) });
  };
}

export interface DigestServiceOptions {
  subscriptions: SubscriptionStore;
  entries: DigestRunnerDeps['entries'];
  agencies: () => AgencyDirectory;
  deliver: Deliver;
  send: SendHtml;
  /** Zone of the minute ticks (config TIMEZONE); each subscription is due in its own zone. */
  timezone: string;
  log: Log;
  now?: () => number;
  /** What to do with a part whose send timed out after it was written (default 'assume-sent'). */
  uncertain?: UncertainPolicy;
  /** The bot's username once known (getMe): channel digests link their measures to the bot's private chat. */
  botUsername?: () => string | undefined;
  /**
   * Tells the service when measures are published (EntryStore.onChange): a pass then runs `publishDelayMs`
   * after the last publish of a burst, so instant subscriptions get them within seconds, not at the next
   * minute tick. Returns the unsubscribe.
   */
  onPublish?: (listener: () => void) => () => void;
  publishDelayMs?: number;
}

export interface DigestService {
  runner: DigestRunner;
  scheduler: DigestScheduler;
  /** Schedules the ticks and runs the start-up catch-up pass. */
  start(): Promise<void>;
  /** Stops ticking, waits for the pass in flight, flushes the store. */
  stop(): Promise<void>;
  /** For the admins' /stats hook (BotDeps.stats). */
  stats(): { subscriptions: { active: number; paused: number }; lastDigest: Record<string, unknown> | null };
  /** finishedAt of the last completed run, for the health report. */
  lastRunAt(): string | null;
}

export function createDigestService(opts: DigestServiceOptions): DigestService {
  const runner = createDigestRunner({
    subscriptions: opts.subscriptions,
    entries: opts.entries,
    agencies: opts.agencies,
    deliver: opts.deliver,
    send: opts.send,
    log: opts.log,
    keyboard: digestButtons(opts.botUsername ?? (() => undefined)),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.uncertain ? { uncertain: opts.uncertain } : {}),
  });
  const scheduler = createDigestScheduler({ runDue: (signal) => runner.runDue({ signal }), timezone: opts.timezone, log: opts.log });
  let unsubscribe: (() => void) | null = null;
  let soon: ReturnType<typeof setTimeout> | null = null;
  // A pass already going skips this tick; the minute tick after it serves what it left.
  const afterPublish = () => {
    if (soon) clearTimeout(soon);
    soon = setTimeout(() => {
      soon = null;
      void scheduler.tick();
    }, opts.publishDelayMs ?? 2_000);
  };
  return {
    runner,
    scheduler,
    async start() {
      unsubscribe ??= opts.onPublish?.(afterPublish) ?? null;
      await scheduler.start();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      if (soon) clearTimeout(soon);
      soon = null;
      await scheduler.stop();
      await opts.subscriptions.flush();
    },
    stats: () => digestStats(opts.subscriptions),
    lastRunAt: () => opts.subscriptions.runs().findLast((r) => r.finishedAt !== null)?.finishedAt ?? null,
  };
}

export function digestStats(store: SubscriptionStore): ReturnType<DigestService['stats']> {
  let active = 0;
  let paused = 0;
  for (const s of store.list()) {
    if (s.state === 'active') active++;
    else paused++;
  }
  const last = store.runs().findLast((r) => r.finishedAt !== null);
  return {
    subscriptions: { active, paused },
    lastDigest: last
      ? {
          at: last.finishedAt,
          sent: last.sent,
          paused: last.paused,
          failed: last.failed,
          // Chats whose digest part timed out after it was sent: it may not have arrived (not resent).
          ...(last.uncertain > 0
            ? {
                uncertain: `${last.uncertain} (${last.uncertainChats.slice(0, 10).join(', ')}${last.uncertainChats.length > 10 ? ', …' : ''})`,
              }
            : {}),
          durationMs: last.durationMs,
        }
      : null,
  };
}

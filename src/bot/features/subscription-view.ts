/** What /subscribe and /settings show of a subscription: its schedule in words, the next delivery, the settings keyboard. */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { escapeHtml } from '../../core/html.ts';
import { weekdayName } from '../../core/schedule/parse-schedule.ts';
import { nextDelivery } from '../../digest/due.ts';
import type { Subscription, SubscriptionFilters } from '../../store/subscription-store.ts';
import type { BotContext } from '../context.ts';

export const PRESET_TIMES = ['07:00', '08:00', '09:00', '12:00', '18:00', '21:00'] as const;

/**
 * Settings buttons act on the chat they are pressed in, or, when managed from a private chat
 * (/settings @channel), on the chat whose id they carry: "sub:-1001234:t:0900".
 */
export const subData = (sub: Pick<Subscription, 'chatId'>, here: number | undefined, action: string): string =>
  sub.chatId === here ? `sub:${action}` : `sub:${sub.chatId}:${action}`;

export function scheduleText(ctx: BotContext, sub: Pick<Subscription, 'frequency' | 'weekday' | 'time'>): string {
  const s = ctx.m.subscribe.schedule;
  if (sub.frequency === 'instant') return s.instant;
  if (sub.frequency === 'weekly') return s.weekly(weekdayName(sub.weekday ?? 1, ctx.lang), sub.time);
  return s.daily(sub.time);
}

/** The next delivery as it will really happen: a changed time, a weekly day, and "nothing is sent when nothing is new". */
export function whenText(ctx: BotContext, sub: Subscription, now: number): string {
  const s = ctx.m.subscribe;
  const next = nextDelivery(sub, now);
  if (next.instant) return s.instantWhen;
  if (next.dueNow) return sub.notifyEmpty ? s.dueNow : s.dueNowSkipEmpty;
  return `${s.nextAt(next.date, next.time, sub.timezone)}${sub.notifyEmpty ? '' : s.skipEmpty}`;
}

export function filtersText(ctx: BotContext, f: SubscriptionFilters): string {
  return f.agencies.length === 0 && f.keywords.length === 0
    ? ctx.m.subscribe.everything
    : ctx.m.subscribe.filters(f.agencies.map(escapeHtml).join('、'), f.keywords.map(escapeHtml).join('、'));
}

/** Topics no measure holds as typed, subscribed with their near words: said, one line each ("" when none). */
export function nearNote(ctx: BotContext, added: readonly [string, string[]][]): string {
  return added.map(([word, near]) => `\n${escapeHtml(ctx.m.subscribe.nearAdded(word, near.join('、')))}`).join('');
}

export function settingsView(
  ctx: BotContext,
  sub: Subscription,
  now: number,
  title?: string,
): { blocks: string[]; keyboard: InlineKeyboardMarkup } {
  const s = ctx.m.subscribe;
  const here = ctx.chat?.id;
  const data = (action: string) => subData(sub, here, action);
  const state = sub.state === 'active' ? s.stateActive : s.statePaused(s.pausedWhy[sub.pausedReason ?? 'user']);
  const body = s.settingsBody(
    escapeHtml(scheduleText(ctx, sub)),
    escapeHtml(sub.timezone),
    state,
    sub.notifyEmpty ? s.emptyOn : s.emptyOff,
  );
  const mark = (on: boolean, label: string) => (on ? `✅ ${label}` : label);
  const rows: InlineKeyboardButton[][] = [];
  rows.push(
    (['daily', 'weekly', 'instant'] as const).map((f) =>
      Markup.button.callback(mark(sub.frequency === f, s.frequencyButtons[f]), data(`f:${f}`)),
    ),
  );
  if (sub.frequency === 'weekly') {
    rows.push(
      [1, 2, 3, 4, 5, 6, 7].map((d) => Markup.button.callback(mark((sub.weekday ?? 1) === d, weekdayName(d, ctx.lang)), data(`wd:${d}`))),
    );
  }
  if (sub.frequency !== 'instant') {
    const times = PRESET_TIMES.map((t) =>
      Markup.button.callback(t === sub.time ? `✅ ${t}` : s.buttons.time(t), data(`t:${t.replace(':', '')}`)),
    );
    rows.push(times.slice(0, 3), times.slice(3));
  }
  rows.push([
    Markup.button.callback(s.buttons.clear, data('clear')),
    sub.state === 'active'
      ? Markup.button.callback(s.buttons.pause, data('pause'))
      : Markup.button.callback(s.buttons.resume, data('resume')),
  ]);
  if (sub.frequency !== 'instant')
    rows.push([
      Markup.button.callback(sub.notifyEmpty ? s.buttons.emptyOff : s.buttons.emptyOn, data(sub.notifyEmpty ? 'empty:off' : 'empty:on')),
    ]);
  rows.push([Markup.button.callback(s.unsubscribeButton, data('unsub'))]);
  const when = sub.state === 'active' ? `\n⏰ ${escapeHtml(whenText(ctx, sub, now))}` : '';
  const head = title ? `${s.settingsTitle}\n${escapeHtml(s.settingsFor(title))}` : s.settingsTitle;
  return { blocks: [`${head}\n${body}\n${filtersText(ctx, sub.filters)}${when}`], keyboard: Markup.inlineKeyboard(rows).reply_markup };
}

import { Composer, Markup } from 'telegraf';
import { message } from 'telegraf/filters';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { AgencyDirectory } from '../../core/agencies.ts';
import { latestMatching } from '../../core/digest.ts';
import { renderEntrySummary } from '../../core/format/entry.ts';
import { escapeHtml } from '../../core/html.ts';
import { TIME_SHAPE } from '../../core/time.ts';
import { initialLastDigestDate, nextDelivery } from '../../digest/due.ts';
import type { Subscription, SubscriptionFilters, SubscriptionStore } from '../../store/subscription-store.ts';
import type { BotConfig, BotContext, BotDeps } from '../context.ts';
import { editOrReply, replyBlocks } from '../lib/reply.ts';

export const PRESET_TIMES = ['07:00', '08:00', '09:00', '12:00', '18:00', '21:00'] as const;
const LATEST_ON_SUBSCRIBE = 3;
const MAX_FILTER_WORDS = 10;
// Telegram's sender for anonymous group admins; its membership says nothing about the real sender.
const GROUP_ANONYMOUS_BOT = 1087968824;

export interface ParsedSubscribeArgs {
  time: string | null;
  /** A word shaped like a time that is not one ("25:00"). */
  badTime: string | null;
  filters: SubscriptionFilters;
}

/** "/subscribe 8:30 公安 复工": the time anywhere, words naming an agency are agencies, the rest keywords. */
export function parseSubscribeArgs(payload: string, directory: Pick<AgencyDirectory, 'resolve'>): ParsedSubscribeArgs {
  const words = payload
    .split(/[\s,，、;；]+/)
    .map((w) => w.trim())
    .filter(Boolean)
    .slice(0, MAX_FILTER_WORDS * 2);
  let time: string | null = null;
  let badTime: string | null = null;
  const agencies: string[] = [];
  const keywords: string[] = [];
  for (const w of words) {
    // NFKC turns the full-width "１８：００" into "18:00". Only a colon makes a time: "3.15" (a date, as in the
    // 3·15 consumer day) is a keyword.
    const folded = w.normalize('NFKC');
    const t = /^(\d{1,2}):(\d{2})$/.exec(folded);
    if (t) {
      const hhmm = `${t[1]!.padStart(2, '0')}:${t[2]}`;
      if (TIME_SHAPE.test(hhmm)) time = hhmm;
      else badTime = w;
      continue;
    }
    const agency = directory.resolve(w);
    if (agency) {
      if (!agencies.includes(agency)) agencies.push(agency);
    } else if (!keywords.includes(w) && [...w].length <= 50) keywords.push(w);
  }
  return { time, badTime, filters: { agencies: agencies.slice(0, MAX_FILTER_WORDS), keywords: keywords.slice(0, MAX_FILTER_WORDS) } };
}

type ChatType = Subscription['chatType'];

/** Who may change a chat's subscription: anyone in private, administrators in groups. */
async function mayManage(ctx: BotContext): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat || chat.type === 'private') return true;
  if (chat.type === 'channel') return false;
  // An anonymous administrator posts as the group itself.
  const senderChat = ctx.message && 'sender_chat' in ctx.message ? ctx.message.sender_chat : undefined;
  if (senderChat?.id === chat.id) return true;
  const userId = ctx.from?.id;
  if (userId === undefined || userId === GROUP_ANONYMOUS_BOT) return false;
  const member = await ctx.telegram.getChatMember(chat.id, userId);
  return member.status === 'creator' || member.status === 'administrator';
}

export function createSubscribeFeature(deps: BotDeps & { subscriptions: SubscriptionStore }, config: Pick<BotConfig, 'timezone' | 'digestTime'>): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const store = deps.subscriptions;
  const defaultTime = TIME_SHAPE.test(config.digestTime) ? config.digestTime : `0${config.digestTime}`;

  const whenText = (ctx: BotContext, sub: Subscription) => {
    const next = nextDelivery(sub, deps.now());
    return next.dueNow ? ctx.m.subscribe.dueNow : ctx.m.subscribe.nextAt(next.date, next.time, sub.timezone);
  };
  const filtersText = (ctx: BotContext, f: SubscriptionFilters) =>
    f.agencies.length === 0 && f.keywords.length === 0
      ? ctx.m.subscribe.everything
      : ctx.m.subscribe.filters(f.agencies.map(escapeHtml).join('、'), f.keywords.map(escapeHtml).join('、'));

  const settingsView = (ctx: BotContext, sub: Subscription): { blocks: string[]; keyboard: InlineKeyboardMarkup } => {
    const s = ctx.m.subscribe;
    const state = sub.state === 'active' ? s.stateActive : s.statePaused(s.pausedWhy[sub.pausedReason ?? 'user']);
    const body = s.settingsBody(sub.time, escapeHtml(sub.timezone), state, sub.notifyEmpty ? s.emptyOn : s.emptyOff);
    const times = PRESET_TIMES.map((t) => Markup.button.callback(t === sub.time ? `✅ ${t}` : s.buttons.time(t), `sub:t:${t.replace(':', '')}`));
    const keyboard = Markup.inlineKeyboard([
      times.slice(0, 3),
      times.slice(3),
      [Markup.button.callback(s.buttons.clear, 'sub:clear'), sub.state === 'active' ? Markup.button.callback(s.buttons.pause, 'sub:pause') : Markup.button.callback(s.buttons.resume, 'sub:resume')],
      [Markup.button.callback(sub.notifyEmpty ? s.buttons.emptyOff : s.buttons.emptyOn, sub.notifyEmpty ? 'sub:empty:off' : 'sub:empty:on')],
    ]).reply_markup;
    const when = sub.state === 'active' ? `\n⏰ ${escapeHtml(whenText(ctx, sub))}` : '';
    return { blocks: [`${s.settingsTitle}\n${body}\n${filtersText(ctx, sub.filters)}${when}`], keyboard };
  };

  c.command('subscribe', async (ctx) => {
    if (!(await mayManage(ctx))) return ctx.reply(ctx.m.subscribe.adminsOnly);
    const directory = deps.catalog.directory();
    const args = parseSubscribeArgs(ctx.payload, directory);
    if (args.badTime) return ctx.reply(ctx.m.subscribe.badTime(args.badTime));
    const now = deps.now();
    const chatId = ctx.chat.id;
    const existing = store.get(chatId);
    const msg = ctx.message;
    // Inside a forum topic the digest goes to that topic; elsewhere to the chat itself.
    const threadId = 'is_topic_message' in msg && msg.is_topic_message && msg.message_thread_id !== undefined ? msg.message_thread_id : null;
    const time = args.time ?? existing?.time ?? defaultTime;
    const timezone = existing?.timezone ?? config.timezone;
    const { subscription, created } = store.upsert(
      {
        chatId,
        chatType: ctx.chat.type as ChatType,
        threadId,
        time,
        timezone,
        filters: args.filters,
        language: ctx.lang,
        // Only what is published from now on is "new" to this chat; the latest few are shown below instead.
        cursor: deps.entries.seq(),
        lastDigestDate: initialLastDigestDate({ time, timezone }, now),
      },
      new Date(now),
    );
    await store.flush();
    const head = (created ? ctx.m.subscribe.confirmed : ctx.m.subscribe.updated)(subscription.time, escapeHtml(whenText(ctx, subscription)));
    const latest = latestMatching(deps.catalog.newest(), subscription.filters, directory, LATEST_ON_SUBSCRIBE);
    const blocks = [`${head}\n${filtersText(ctx, subscription.filters)}`];
    if (latest.length) blocks.push(ctx.m.subscribe.latestTitle, ...latest.map((e, i) => renderEntrySummary(e, ctx.m, { n: i + 1, showAgency: true })));
    return replyBlocks(ctx, blocks);
  });

  c.command('unsubscribe', async (ctx) => {
    if (!(await mayManage(ctx))) return ctx.reply(ctx.m.subscribe.adminsOnly);
    const removed = store.remove(ctx.chat.id);
    await store.flush();
    return ctx.reply(removed ? ctx.m.subscribe.unsubscribed : ctx.m.subscribe.notSubscribed);
  });

  c.command('settings', async (ctx) => {
    const sub = store.get(ctx.chat.id);
    if (!sub) return ctx.reply(ctx.m.subscribe.notSubscribed);
    const { blocks, keyboard } = settingsView(ctx, sub);
    return replyBlocks(ctx, blocks, keyboard);
  });

  c.action('sub-help', async (ctx) => {
    await ctx.answerCbQuery();
    await replyBlocks(ctx, [escapeHtml(ctx.m.subscribe.help)]);
  });

  c.action(/^sub:(t:(\d{4})|clear|pause|resume|empty:(on|off))$/, async (ctx) => {
    const chatId = ctx.chat?.id;
    const sub = chatId === undefined ? undefined : store.get(chatId);
    if (chatId === undefined || !sub) return ctx.answerCbQuery(ctx.m.subscribe.notSubscribed);
    if (!(await mayManage(ctx))) return ctx.answerCbQuery(ctx.m.subscribe.adminsOnly, { show_alert: true });
    const [, action, hhmm, empty] = ctx.match;
    const at = new Date(deps.now());
    if (hhmm) {
      const time = `${hhmm.slice(0, 2)}:${hhmm.slice(2)}`;
      if (!TIME_SHAPE.test(time)) return ctx.answerCbQuery();
      store.update(chatId, { time }, at);
    } else if (action === 'clear') store.update(chatId, { filters: { agencies: [], keywords: [] } }, at);
    else if (action === 'pause') store.pause(chatId, 'user', at);
    else if (action === 'resume') store.resume(chatId, {}, at);
    else if (empty) store.update(chatId, { notifyEmpty: empty === 'on' }, at);
    await store.flush();
    await ctx.answerCbQuery(ctx.m.subscribe.changed);
    const { blocks, keyboard } = settingsView(ctx, store.get(chatId)!);
    await editOrReply(ctx, blocks, keyboard);
  });

  // The bot removed from a group, or blocked in private: pause (kept for when it comes back).
  c.on('my_chat_member', async (ctx, next) => {
    const update = ctx.myChatMember;
    const chatId = update.chat.id;
    const status = update.new_chat_member.status;
    const sub = store.get(chatId);
    if (sub) {
      const at = new Date(deps.now());
      if (status === 'kicked' || status === 'left') store.pause(chatId, 'blocked', at);
      else if (status === 'member' || status === 'administrator' || status === 'creator') store.resume(chatId, { onlyIf: 'blocked' }, at);
      else if (status === 'restricted' && update.new_chat_member.can_send_messages === false) store.pause(chatId, 'blocked', at);
      await store.flush();
      deps.log.info({ chatId, status, state: store.get(chatId)?.state }, 'bot membership changed');
    }
    return next();
  });

  // A group upgraded to a supergroup: the old id stops working; follow it before the next digest fails.
  c.on(message('migrate_to_chat_id'), async (ctx, next) => {
    if (store.get(ctx.chat.id)) {
      store.migrate(ctx.chat.id, ctx.message.migrate_to_chat_id, new Date(deps.now()));
      await store.flush();
    }
    return next();
  });

  return c;
}

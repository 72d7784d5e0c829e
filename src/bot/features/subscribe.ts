/**
 * /subscribe, /unsubscribe, /settings for private chats, groups and channels.
 *
 * A channel subscribes either by posting "/subscribe …" in it (a channel_post: only its administrators can
 * post) or from a private chat with "/subscribe @channel …", allowed when getChatMember says the sender
 * administers the channel and the bot may post there. "/settings @channel" in private manages it; its
 * buttons carry the channel's id and check the presser again.
 */
import { Composer, Markup } from 'telegraf';
import { message } from 'telegraf/filters';
import type { AgencyDirectory } from '../../core/agencies.ts';
import { latestMatching } from '../../core/digest.ts';
import { renderEntrySummary } from '../../core/format/entry.ts';
import { escapeHtml } from '../../core/html.ts';
import type { Frequency } from '../../core/schedule/parse-schedule.ts';
import { TIME_SHAPE } from '../../core/time.ts';
import { initialSchedule, reschedule } from '../../digest/due.ts';
import type { Subscription, SubscriptionPatch, SubscriptionStore } from '../../store/subscription-store.ts';
import type { BotConfig, BotContext, FeatureDeps } from '../context.ts';
import { editOrReply, replyBlocks } from '../lib/reply.ts';
import { createSubscribeIntentFeature } from './subscribe-intent.ts';
import { measuresHold, readSubscription } from './subscription-request.ts';
import { filtersText, nearNote, scheduleText, settingsView, subData, whenText } from './subscription-view.ts';

export { PRESET_TIMES } from './subscription-view.ts';
const LATEST_ON_SUBSCRIBE = 3;
// Telegram's sender for anonymous group admins; its membership says nothing about the real sender.
const GROUP_ANONYMOUS_BOT = 1087968824;
/** "@channelname" or a channel's numeric id, as the first word of a command sent in private. */
const CHANNEL_REF = /^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,15})$/;

type ChatType = Subscription['chatType'];
/** The chat a command or button acts on: the one it came from, or a channel managed from private. */
interface Target {
  chatId: number;
  chatType: ChatType;
  /** A channel managed from a private chat: its title, for the replies. */
  title?: string;
}

const isAdmin = (status: string) => status === 'creator' || status === 'administrator';

/** Who may change the chat's own subscription: anyone in private, administrators in groups, any post in a channel. */
async function mayManageHere(ctx: BotContext): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat || chat.type === 'private' || chat.type === 'channel') return true;
  // An anonymous administrator posts as the group itself.
  const senderChat = ctx.message && 'sender_chat' in ctx.message ? ctx.message.sender_chat : undefined;
  if (senderChat?.id === chat.id) return true;
  const userId = ctx.from?.id;
  if (userId === undefined || userId === GROUP_ANONYMOUS_BOT) return false;
  return isAdmin((await ctx.telegram.getChatMember(chat.id, userId)).status);
}

/**
 * A channel named in a private chat, if the sender administers it (and, with `needPost`, the bot may post
 * there); else the reason to tell the sender. Telegram's errors (no such chat, bot not in it) say "not found".
 */
async function channelTarget(ctx: BotContext, ref: string, needPost: boolean): Promise<Target | { refusal: string }> {
  const c = ctx.m.channel;
  const name = escapeHtml(ref);
  const id: number | string = ref.startsWith('@') ? ref : Number(ref);
  let chat;
  try {
    chat = await ctx.telegram.getChat(id);
  } catch {
    return { refusal: c.notFound(name) };
  }
  if (chat.type !== 'channel') return { refusal: c.notAChannel(name) };
  const sender = await ctx.telegram.getChatMember(chat.id, ctx.from!.id).catch(() => null);
  if (!sender || !isAdmin(sender.status)) return { refusal: c.notAdmin(name) };
  if (needPost) {
    const me = await ctx.telegram.getChatMember(chat.id, ctx.botInfo.id).catch(() => null);
    if (!me || me.status !== 'administrator' || ('can_post_messages' in me && me.can_post_messages === false))
      return { refusal: c.botCannotPost(name) };
  }
  return { chatId: chat.id, chatType: 'channel', title: chat.title };
}

/** A command's words: in private, a leading "@channel" names the chat it is for. */
async function commandTarget(
  ctx: BotContext,
  payload: string,
  needPost: boolean,
): Promise<{ target: Target; rest: string } | { refusal: string }> {
  const chat = ctx.chat!;
  const [first = '', ...others] = payload.trim().split(/\s+/);
  if (CHANNEL_REF.test(first)) {
    if (chat.type !== 'private') return { refusal: ctx.m.channel.privateOnly };
    const target = await channelTarget(ctx, first, needPost);
    return 'refusal' in target ? target : { target, rest: others.join(' ') };
  }
  if (!(await mayManageHere(ctx))) return { refusal: ctx.m.subscribe.adminsOnly };
  return { target: { chatId: chat.id, chatType: chat.type as ChatType }, rest: payload };
}

export function createSubscribeFeature(
  deps: FeatureDeps & { subscriptions: SubscriptionStore },
  config: Pick<BotConfig, 'timezone' | 'digestTime'>,
): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const store = deps.subscriptions;
  const defaultTime = TIME_SHAPE.test(config.digestTime) ? config.digestTime : `0${config.digestTime}`;

  /**
   * Filters no stored measure matches: a warning, never silence, with what may have been meant: for a word no
   * measure holds (and with no near words), a known word one character away that some measure holds (云选汇 →
   * 云选会, as search corrects it); the closest agencies.
   */
  const noMatchWarning = (ctx: BotContext, sub: Subscription, directory: AgencyDirectory): string | null => {
    const f = sub.filters;
    if (f.agencies.length === 0 && f.keywords.length === 0) return null;
    if (latestMatching(deps.catalog.newest(), f, directory, 1).length > 0) return null;
    const words = [...new Set(f.keywords.flatMap((k) => k.split(/\s+/)))];
    const corrections: string[] = [];
    for (const w of words) {
      if (corrections.length >= 3) break;
      if (measuresHold(deps, w) || deps.search.nearWords(w).length > 0) continue;
      const known = deps.search.suggest(w).find((s) => measuresHold(deps, s));
      if (known) corrections.push(ctx.m.subscribe.didYouMean(w, known));
    }
    const closest = [...new Set(words.flatMap((w) => directory.suggest(w)))].filter((n) => !f.agencies.includes(n)).slice(0, 3);
    return escapeHtml(ctx.m.subscribe.noMatch(closest.join('、'), corrections.join('\n')));
  };

  const subscribe = async (ctx: BotContext, payload: string) => {
    const resolved = await commandTarget(ctx, payload, true);
    if ('refusal' in resolved) return replyBlocks(ctx, [resolved.refusal]);
    const { target, rest } = resolved;
    const directory = deps.catalog.directory();
    const args = readSubscription(rest, deps);
    if (args.badTime) {
      const why = ctx.m.subscribe.badTimeWhy[args.badTime.reason] ?? '';
      return replyBlocks(ctx, [escapeHtml(ctx.m.subscribe.badTimeFull(args.badTime.word, why))]);
    }
    const now = deps.now();
    const existing = store.get(target.chatId);
    const msg = ctx.message;
    // Inside a forum topic the digest goes to that topic; elsewhere to the chat itself.
    const threadId =
      target.chatId === ctx.chat?.id && msg && 'is_topic_message' in msg && msg.is_topic_message && msg.message_thread_id !== undefined
        ? msg.message_thread_id
        : null;
    const schedule = {
      time: args.time ?? existing?.time ?? defaultTime,
      timezone: existing?.timezone ?? config.timezone,
      frequency: args.frequency ?? existing?.frequency ?? 'daily',
      weekday: null as number | null,
    };
    if (schedule.frequency === 'weekly') schedule.weekday = args.weekday ?? existing?.weekday ?? 1;
    const start = existing ? reschedule(existing, schedule, now) : initialSchedule(schedule, now);
    const { subscription, created } = store.upsert(
      {
        chatId: target.chatId,
        chatType: target.chatType,
        threadId,
        ...schedule,
        filters: args.filters,
        language: ctx.lang,
        // Only what is published from now on is "new" to this chat; the latest few are shown below instead.
        cursor: deps.entries.seq(),
        ...start,
      },
      new Date(now),
    );
    if (existing) store.update(target.chatId, { schedule: start }, new Date(now));
    // The answer says only what is known: a write the disk refused (full, say) stays in memory and is retried in
    // the background, so the subscription is taken but not yet saved — said as such, not as an error.
    const saved = await store.flush().then(
      () => true,
      (err: unknown) => (
        deps.log.warn(
          { err, event: 'subscribe-not-saved', chatId: target.chatId },
          'subscription taken but not yet written; retried in the background',
        ),
        false
      ),
    );
    const head = (created ? ctx.m.subscribe.confirmed : ctx.m.subscribe.updated)(
      escapeHtml(scheduleText(ctx, subscription)),
      escapeHtml(whenText(ctx, subscription, now)),
    );
    const blocks = [
      `${saved ? '' : `${ctx.m.subscribe.savedLater}\n`}${target.title ? `${escapeHtml(ctx.m.channel.done(target.title))}\n` : ''}${head}\n${filtersText(ctx, subscription.filters)}${nearNote(ctx, args.nearAdded)}`,
    ];
    const warning = noMatchWarning(ctx, subscription, directory);
    if (warning) {
      blocks.push(warning);
      return replyBlocks(
        ctx,
        blocks,
        Markup.inlineKeyboard([[Markup.button.callback(ctx.m.subscribe.buttons.clear, subData(subscription, ctx.chat?.id, 'clear'))]])
          .reply_markup,
      );
    }
    const latest = latestMatching(deps.catalog.newest(), subscription.filters, directory, LATEST_ON_SUBSCRIBE);
    if (latest.length)
      blocks.push(ctx.m.subscribe.latestTitle, ...latest.map((e, i) => renderEntrySummary(e, ctx.m, { n: i + 1, showAgency: true })));
    return replyBlocks(ctx, blocks);
  };

  const unsubscribe = async (ctx: BotContext, payload: string) => {
    const resolved = await commandTarget(ctx, payload, false);
    if ('refusal' in resolved) return replyBlocks(ctx, [resolved.refusal]);
    const removed = store.remove(resolved.target.chatId);
    await store.flush();
    return ctx.reply(removed ? ctx.m.subscribe.unsubscribed : ctx.m.subscribe.notSubscribed);
  };

  const settings = async (ctx: BotContext, payload: string) => {
    const [first = ''] = payload.trim().split(/\s+/);
    let target: Target = { chatId: ctx.chat!.id, chatType: ctx.chat!.type as ChatType };
    if (CHANNEL_REF.test(first)) {
      const resolved = await commandTarget(ctx, payload, false);
      if ('refusal' in resolved) return replyBlocks(ctx, [resolved.refusal]);
      target = resolved.target;
    } else if (ctx.chat?.type === 'channel') {
      // Buttons in a channel would be pressed by readers; channels are managed from private.
      return replyBlocks(ctx, [escapeHtml(ctx.m.channel.privateOnly)]);
    }
    const sub = store.get(target.chatId);
    if (!sub) return ctx.reply(ctx.m.subscribe.notSubscribed);
    const { blocks, keyboard } = settingsView(ctx, sub, deps.now(), target.title);
    return replyBlocks(ctx, blocks, keyboard);
  };

  c.command('subscribe', (ctx) => subscribe(ctx, ctx.payload));
  // Plain messages asking to subscribe or to stop (before search sees them).
  c.use(createSubscribeIntentFeature(deps, defaultTime, subscribe));
  c.command('unsubscribe', (ctx) => unsubscribe(ctx, ctx.payload));
  c.command('settings', (ctx) => settings(ctx, ctx.payload));

  // Commands posted in a channel come as channel_post updates, which telegraf's command() does not see.
  c.on('channel_post', async (ctx, next) => {
    const post = ctx.channelPost;
    const text = 'text' in post ? post.text : '';
    // The words may follow the command without a space (/subscribe每天8点), as in a private chat.
    const m = /^\/(subscribe|unsubscribe|settings)(?![A-Za-z0-9_])(?:@(\w+))?\s*([\s\S]*)$/i.exec(text);
    if (!m || (m[2] && m[2].toLowerCase() !== ctx.me.toLowerCase())) return next();
    const command = m[1]!.toLowerCase();
    const payload = m[3] ?? '';
    if (command === 'subscribe') return subscribe(ctx, payload);
    if (command === 'unsubscribe') return unsubscribe(ctx, payload);
    return settings(ctx, payload);
  });

  c.action('sub-help', async (ctx) => {
    await ctx.answerCbQuery();
    await replyBlocks(ctx, [escapeHtml(ctx.m.subscribe.help)]);
  });

  const ACTION =
    /^sub:(?:(-\d+):)?(view|clear|pause|resume|unsub|unsub:yes|unsub:no|t:(\d{4})|empty:(on|off)|f:(daily|weekly|instant)|wd:([1-7]))$/;
  c.action(ACTION, async (ctx) => {
    const [, targetId, action, hhmm, empty, frequency, weekday] = ctx.match;
    const chatId = targetId !== undefined ? Number(targetId) : ctx.chat?.id;
    const sub = chatId === undefined ? undefined : store.get(chatId);
    if (chatId === undefined || !sub) return ctx.answerCbQuery(ctx.m.subscribe.notSubscribed, { show_alert: action !== 'view' });
    const managed = targetId !== undefined && Number(targetId) !== ctx.chat?.id;
    const title = managed
      ? (((await ctx.telegram.getChat(chatId).catch(() => null)) as { title?: string } | null)?.title ?? String(chatId))
      : undefined;
    if (action === 'view') {
      await ctx.answerCbQuery();
      const { blocks, keyboard } = settingsView(ctx, sub, deps.now(), title);
      return replyBlocks(ctx, blocks, keyboard);
    }
    const allowed = managed
      ? isAdmin((await ctx.telegram.getChatMember(chatId, ctx.from!.id).catch(() => ({ status: 'left' }))).status)
      : await mayManageHere(ctx);
    if (!allowed) return ctx.answerCbQuery(ctx.m.subscribe.adminsOnly, { show_alert: true });
    const at = new Date(deps.now());
    if (action === 'unsub') {
      await ctx.answerCbQuery();
      const keyboard = Markup.inlineKeyboard([
        [
          Markup.button.callback(ctx.m.subscribe.unsubscribeYes, subData(sub, ctx.chat?.id, 'unsub:yes')),
          Markup.button.callback(ctx.m.subscribe.unsubscribeNo, subData(sub, ctx.chat?.id, 'unsub:no')),
        ],
      ]).reply_markup;
      return replyBlocks(ctx, [escapeHtml(ctx.m.subscribe.unsubscribeAsk)], keyboard);
    }
    if (action === 'unsub:yes' || action === 'unsub:no') {
      if (action === 'unsub:yes') {
        store.remove(chatId);
        await store.flush();
      }
      await ctx.answerCbQuery();
      return editOrReply(ctx, [escapeHtml(action === 'unsub:yes' ? ctx.m.subscribe.unsubscribed : ctx.m.subscribe.unsubscribeKept)]);
    }
    const patch: SubscriptionPatch = {};
    if (hhmm) {
      const time = `${hhmm.slice(0, 2)}:${hhmm.slice(2)}`;
      if (!TIME_SHAPE.test(time)) return ctx.answerCbQuery();
      patch.time = time;
    } else if (frequency) {
      patch.frequency = frequency as Frequency;
      patch.weekday = frequency === 'weekly' ? (sub.weekday ?? 1) : sub.weekday;
    } else if (weekday) patch.weekday = Number(weekday);
    if (patch.time !== undefined || patch.frequency !== undefined || patch.weekday !== undefined) {
      patch.schedule = reschedule(sub, { ...sub, ...patch }, deps.now());
      store.update(chatId, patch, at);
    } else if (action === 'clear') store.update(chatId, { filters: { agencies: [], keywords: [] } }, at);
    else if (action === 'pause') store.pause(chatId, 'user', at);
    else if (action === 'resume') store.resume(chatId, {}, at);
    else if (empty) store.update(chatId, { notifyEmpty: empty === 'on' }, at);
    await store.flush();
    await ctx.answerCbQuery(ctx.m.subscribe.changed);
    const { blocks, keyboard } = settingsView(ctx, store.get(chatId)!, deps.now(), title);
    await editOrReply(ctx, blocks, keyboard);
  });

  // The bot removed from a group or channel, or blocked in private: pause (kept for when it comes back).
  c.on('my_chat_member', async (ctx, next) => {
    const update = ctx.myChatMember;
    const chatId = update.chat.id;
    const member = update.new_chat_member;
    const sub = store.get(chatId);
    if (sub) {
      const at = new Date(deps.now());
      const status = member.status;
      // A channel admin that may not post is as good as removed.
      const mute =
        (status === 'restricted' && member.can_send_messages === false) ||
        (status === 'administrator' && update.chat.type === 'channel' && member.can_post_messages === false);
      if (status === 'kicked' || status === 'left' || mute) store.pause(chatId, 'blocked', at);
      else if (status === 'member' || status === 'administrator' || status === 'creator') store.resume(chatId, { onlyIf: 'blocked' }, at);
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

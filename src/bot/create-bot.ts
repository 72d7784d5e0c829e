import { Telegraf } from 'telegraf';
import type { Middleware, MiddlewareFn } from 'telegraf';
import type { Update } from 'telegraf/types';
import { messages, pickLang } from '../i18n/index.ts';
import type { BotConfig, BotContext, BotDeps } from './context.ts';
import { createAdminFeature } from './features/admin.ts';
import { createAgenciesFeature } from './features/agencies.ts';
import { createExportFeature } from './features/export.ts';
import { createFallbackFeature } from './features/fallback.ts';
import { createFullTextLinkFeature } from './features/full-text.ts';
import { createSearchFeature } from './features/search.ts';
import { createStartFeature } from './features/start.ts';
import { createSubscribeFeature } from './features/subscribe.ts';
import { chain } from './lib/chain.ts';
import { gated } from './lib/gate.ts';
import { quoteInGroups } from './lib/quote-in-groups.ts';

export type Bot = Telegraf<BotContext>;

export function createBot(config: BotConfig, deps: BotDeps): Bot {
  const bot = new Telegraf<BotContext>(config.token, {
    telegram: config.apiRoot ? { apiRoot: config.apiRoot } : {},
    handlerTimeout: 30_000,
  });

  const setup: MiddlewareFn<BotContext> = (ctx, next) => {
    // telegraf makes a fresh Telegram client per update; sharing bot.telegram routes every reply through
    // the one client that the rate limiter wraps (and that tests and the console stub).
    (ctx as { telegram: typeof bot.telegram }).telegram = bot.telegram;
    ctx.lang = pickLang(ctx.from?.language_code);
    ctx.m = messages(ctx.lang);
    return next();
  };

  // One chain (see chain) rather than a bot.use per feature. Features with commands and buttons only
  // are gated (see gated): a search or a plain message skips them.
  const features: Middleware<BotContext>[] = [setup, quoteInGroups];
  features.push(gated(createFullTextLinkFeature(deps), { commands: ['start'], callbacks: false }));
  features.push(gated(createStartFeature(), { commands: ['start', 'help'], callbacks: false }));
  features.push(gated(createAgenciesFeature(deps, { timezone: config.timezone }), { commands: ['agencies', 'latest'], callbacks: true }));
  // @feature-wiring (subscribe, admin)
  if (deps.subscriptions) features.push(gated(createSubscribeFeature({ ...deps, subscriptions: deps.subscriptions }, config), { commands: ['subscribe', 'unsubscribe', 'settings'], callbacks: true }));
  features.push(gated(createAdminFeature(deps, { adminIds: config.adminIds }), { commands: ['stats'], callbacks: true }));
  features.push(gated(createExportFeature(deps, { timezone: config.timezone }), { commands: ['export'], callbacks: false }));
  features.push(createSearchFeature(deps, { perMinute: config.searchRatePerMinute, timezone: config.timezone }));
  features.push(createFallbackFeature());
  bot.use(chain(features));

  bot.catch(async (err, ctx) => {
    const update = ctx.update as Update;
    deps.log.error({ err, updateId: update.update_id, updateType: ctx.updateType }, 'update failed');
    try {
      if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.m?.errors.internal ?? messages('zh').errors.internal);
      else if (ctx.chat && ctx.message) await ctx.reply(ctx.m?.errors.internal ?? messages('zh').errors.internal);
    } catch (replyErr) {
      deps.log.warn({ err: replyErr, updateId: update.update_id }, 'could not tell the user about the failure');
    }
  });
  return bot;
}

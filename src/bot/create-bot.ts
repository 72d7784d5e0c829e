import { Telegraf } from 'telegraf';
import type { MiddlewareFn } from 'telegraf';
import type { Update } from 'telegraf/types';
import { createQueryUnderstanding } from '../core/search/understand/index.ts';
import { createCatalogSearch } from '../core/search/understand/service.ts';
import { messages, pickLang } from '../i18n/index.ts';
import { shippedWordTables } from '../store/word-tables.ts';
import type { BotConfig, BotContext, BotDeps } from './context.ts';
import { createAdminFeature } from './features/admin.ts';
import { createAgenciesFeature } from './features/agencies.ts';
import { createExportFeature } from './features/export.ts';
import { createFallbackFeature } from './features/fallback.ts';
import { createFullTextLinkFeature } from './features/full-text.ts';
import { createSearchFeature } from './features/search.ts';
import { createStartFeature } from './features/start.ts';
import { createSubscribeFeature } from './features/subscribe.ts';
import { ownCommands } from './lib/own-commands.ts';
import { quoteInGroups } from './lib/quote-in-groups.ts';

export type Bot = Telegraf<BotContext>;

export function createBot(config: BotConfig, botDeps: BotDeps): Bot {
  const understanding =
    botDeps.understanding ?? createQueryUnderstanding({ tables: shippedWordTables(), warn: (message) => botDeps.log.warn(message) });
  const deps = { ...botDeps, understanding, search: createCatalogSearch(botDeps.catalog, understanding, botDeps.now) };
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

  // Features in the order they get an update; search takes any private text no command took, fallback the rest.
  // One bot.use for all: each call would nest another level that every update goes through.
  bot.use(
    setup,
    ownCommands(),
    quoteInGroups,
    createFullTextLinkFeature(deps),
    createStartFeature(),
    createAgenciesFeature(deps, { timezone: config.timezone }),
    ...(deps.subscriptions ? [createSubscribeFeature({ ...deps, subscriptions: deps.subscriptions }, config)] : []),
    createAdminFeature(deps, { adminIds: config.adminIds }),
    createExportFeature(deps, { timezone: config.timezone }),
    createSearchFeature(deps, { perMinute: config.searchRatePerMinute, timezone: config.timezone }),
    createFallbackFeature(),
  );

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

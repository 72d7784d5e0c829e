import type { PublishLog } from '../admin/publish-log.ts';
import type { Context } from 'telegraf';
import type { Catalog } from '../core/catalog.ts';
import type { QueryUnderstanding } from '../core/search/understand/index.ts';
import type { CatalogSearch } from '../core/search/understand/service.ts';
import type { Lang, Messages } from '../i18n/index.ts';
import type { Log } from '../infra/log.ts';
import type { EntryStore } from '../store/entry-store.ts';
import type { SubscriptionStore } from '../store/subscription-store.ts';

export interface BotContext extends Context {
  lang: Lang;
  m: Messages;
}

export interface BotConfig {
  token: string;
  apiRoot?: string;
  adminIds: number[];
  timezone: string;
  digestTime: string;
  searchRatePerMinute: number;
}

/** Everything a feature needs, passed in so handler tests build a bot over an in-memory store. */
export interface BotDeps {
  entries: EntryStore;
  catalog: Catalog;
  log: Log;
  now: () => number;
  /** Query understanding (segmenter, word tables); made by createBot when not given (tests inject one). */
  understanding?: QueryUnderstanding;
  /** Without it the bot has no /subscribe (console mode, tests of other features). */
  subscriptions?: SubscriptionStore;
  /**
   * Extra figures for the admins' /stats, from parts the chat does not own (subscriptions, the last digest
   * run). Rendered as given: { subscriptions: { active, paused }, lastDigest: { sent, paused, failed, durationMs } }.
   */
  stats?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Where an editor's Publish leaves its trace (start, end), so a publish cut short is known as such. */
  publishLog?: PublishLog;
}

/** What createBot hands its features: the deps, and the one search over the catalog they share (/search, /subscribe's filters, /latest). */
export interface FeatureDeps extends BotDeps {
  search: CatalogSearch;
}

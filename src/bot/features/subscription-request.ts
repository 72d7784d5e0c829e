/**
 * A subscription request as /subscribe and a plain "please subscribe me" message read it: the schedule, the agencies
 * and the topics (core/requests/subscribe.ts), and, for a topic no measure holds as typed (律师, visa), its near
 * words as further keywords (withNearWords), looked up in the catalog the search answers from.
 */
import { parseSubscribeRequest, withNearWords } from '../../core/requests/subscribe.ts';
import type { SubscribeRequest } from '../../core/requests/subscribe.ts';
import type { FeatureDeps } from '../context.ts';

export interface ReadSubscription extends SubscribeRequest {
  /** Topics given their near words: [typed, near words added]. */
  nearAdded: [string, string[]][];
}

/** Whether some measure holds the word, as search finds it (a first search of a long word is estimated: cheap). */
export const measuresHold = (deps: Pick<FeatureDeps, 'catalog'>, word: string): boolean =>
  deps.catalog.search([word], { limit: 1, estimate: true }).total > 0;

export function readSubscription(text: string, deps: Pick<FeatureDeps, 'catalog' | 'search'>): ReadSubscription {
  const args = parseSubscribeRequest(text, (t) => deps.search.filters(t));
  const { keywords, added } = withNearWords(args.filters.keywords, args.exact, {
    holds: (w) => measuresHold(deps, w),
    near: (w) => deps.search.nearWords(w),
  });
  return { ...args, filters: { ...args.filters, keywords }, nearAdded: added };
}

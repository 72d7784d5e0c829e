/**
 * Search as the chat uses it, over the catalog: plan a query, answer it, and keep the understanding
 * taught the catalog's words (agency aliases, quoted terms, the vocabulary) as measures are published.
 */
import type { Catalog } from '../../catalog.ts';
import type { StoredEntry } from '../../model.ts';
import { answerPlan } from './answer.ts';
import type { Answer, AnswerFilter } from './answer.ts';
import type { PlanResult, QueryPlan, QueryUnderstanding, RequestFilters } from './index.ts';
import { nearWordsOf } from './plan.ts';
import { measureSource } from './source.ts';

/** A catalog change is learnt at most this often (learning reads up to LEARN_LIMIT measures). */
const RELEARN_MS = 60_000;

export interface CatalogSearch {
  plan(text: string): PlanResult;
  /** The agencies and topic words a request names (QueryUnderstanding.filters), with the catalog's agencies learnt. */
  filters(text: string): RequestFilters;
  /** `estimate`: totals may be estimated on a long keyword's first search (AnswerOptions.estimate). */
  answer(plan: QueryPlan, page: { limit: number; offset: number; filter?: AnswerFilter; estimate?: boolean }): Answer<StoredEntry>;
  /** The keywords an answer may look up, for catalog.prepare (long ones need their text checked once). */
  keywordsOf(plan: QueryPlan): string[];
  /** A topic word's near words (the understanding's table), which a subscription's keyword matches too. */
  nearWords(word: string): readonly string[];
  /** Known words one character away from a word (did you mean), most frequent first. */
  suggest(word: string): string[];
}

export function createCatalogSearch(
  catalog: Pick<Catalog, 'index' | 'get' | 'directory' | 'newest' | 'version'>,
  understanding: QueryUnderstanding,
  now: () => number = Date.now,
): CatalogSearch {
  const source = measureSource<StoredEntry>({
    index: catalog.index,
    get: (id) => catalog.get(id),
  });
  let learnt = -1;
  let learntAt = -Infinity;
  const learn = () => {
    const v = catalog.version();
    if (v === learnt || (learnt !== -1 && now() - learntAt < RELEARN_MS)) return;
    understanding.learn(catalog.directory(), catalog.newest());
    learnt = v;
    learntAt = now();
  };
  learn();
  const nearWords = nearWordsOf(understanding.tables);
  return {
    nearWords,
    suggest: (word) => {
      learn();
      return understanding.suggest(word);
    },
    plan(text) {
      learn();
      return understanding.plan(text);
    },
    filters(text) {
      learn();
      return understanding.filters(text);
    },
    answer: (plan, page) => answerPlan(plan, source, { ...page, suggest: understanding.suggest }),
    keywordsOf: (plan) => [
      ...new Set([...plan.words.flatMap((w) => [w.text, ...w.near]), ...(plan.agencyTyped ? [plan.agencyTyped] : [])]),
    ],
  };
}

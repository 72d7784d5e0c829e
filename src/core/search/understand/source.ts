/** An AnswerSource over the search index and a way to get measures: what the bot, the bench and tests answer from. */
import type { StoredEntry } from '../../model.ts';
import { normalizeForSearch } from '../normalize.ts';
import type { SearchIndex } from '../index-types.ts';
import type { AnswerSource } from './answer.ts';

type Showable = Pick<StoredEntry, 'id' | 'agency' | 'date' | 'title' | 'body' | 'bullets'>;

export interface MeasureLookup<T extends Showable> {
  index: Pick<SearchIndex, 'search' | 'size'> & Partial<Pick<SearchIndex, 'count'>>;
  get(id: string): T | undefined;
}

// A measure's folded text, kept per entry object (entries are replaced, not changed, on correction).
const folded = new WeakMap<object, { title: string; rest: string; date: string }>();

export function measureSource<T extends Showable>(m: MeasureLookup<T>): AnswerSource<T> {
  return {
    search: (keywords, opts) => m.index.search(keywords, opts),
    ...(m.index.count ? { count: (keywords, opts) => m.index.count!(keywords, opts) } : {}),
    get: m.get,
    textOf(e) {
      let t = folded.get(e);
      if (!t)
        folded.set(
          e,
          (t = { title: normalizeForSearch(e.title), rest: normalizeForSearch([...e.body, ...e.bullets].join('\n')), date: e.date }),
        );
      return t;
    },
    size: () => m.index.size,
  };
}

import { LRUCache } from 'lru-cache';

/**
 * callback_data is limited to 64 bytes, too short for a Chinese query: page buttons carry a short key
 * into this bounded cache of the most recently used queries. After a restart old buttons answer
 * "expired" instead of failing.
 */
export function createQueryCache<T extends NonNullable<unknown>>(max = 5000) {
  const queries = new LRUCache<number, T>({ max });
  let counter = 0;
  // A per-process prefix, so a button from before a restart cannot hit a newer query's key.
  const prefix = Math.floor(Math.random() * 36 ** 2)
    .toString(36)
    .padStart(2, '0');
  return {
    put(value: T): string {
      queries.set(++counter, value);
      return prefix + counter.toString(36);
    },
    get(key: string): T | undefined {
      if (!key.startsWith(prefix) || key.length === prefix.length) return undefined;
      const rest = key.slice(prefix.length);
      const n = parseInt(rest, 36);
      // Only the canonical spelling of a number is a key ("0a" or "A" are not "a").
      return Number.isSafeInteger(n) && n.toString(36) === rest ? queries.get(n) : undefined;
    },
  };
}

/**
 * callback_data is limited to 64 bytes, too short for a Chinese query: page buttons carry a short key
 * into this bounded cache. After a restart old buttons answer "expired" instead of failing.
 */
export function createQueryCache<T>(max = 5000) {
  const map = new Map<string, T>();
  let counter = 0;
  // A per-process prefix, so a button from before a restart cannot hit a newer query's key.
  const prefix = Math.floor(Math.random() * 36 ** 2).toString(36).padStart(2, '0');
  const keyOf = (n: number): string => prefix + n.toString(36);
  return {
    put(value: T): string {
      const key = keyOf(++counter);
      map.set(key, value);
      // Keys are numbered in order, so the oldest is known without iterating the map: asking a Map
      // for its first key walks over every entry deleted before it, thousands once it is full.
      if (counter > max) map.delete(keyOf(counter - max));
      return key;
    },
    get: (key: string): T | undefined => map.get(key),
  };
}

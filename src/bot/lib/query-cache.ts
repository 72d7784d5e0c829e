/**
 * callback_data is limited to 64 bytes, too short for a Chinese query: page buttons carry a short key
 * into this bounded cache. After a restart old buttons answer "expired" instead of failing.
 */
export function createQueryCache<T>(max = 5000) {
  const map = new Map<string, T>();
  let counter = 0;
  // A per-process prefix, so a button from before a restart cannot hit a newer query's key.
  const prefix = Math.floor(Math.random() * 36 ** 2).toString(36).padStart(2, '0');
  return {
    put(value: T): string {
      const key = prefix + (++counter).toString(36);
      map.set(key, value);
      if (map.size > max) map.delete(map.keys().next().value!);
      return key;
    },
    get: (key: string): T | undefined => map.get(key),
  };
}

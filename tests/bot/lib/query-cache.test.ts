import { describe, expect, it } from 'vitest';
import { createQueryCache } from '../../../src/bot/lib/query-cache.ts';

describe('createQueryCache', () => {
  it('keeps the last max entries and forgets older ones', () => {
    const cache = createQueryCache<number>(3);
    const keys = [1, 2, 3, 4, 5].map((v) => cache.put(v));
    expect(new Set(keys).size).toBe(5);
    expect(keys.map((k) => cache.get(k))).toEqual([undefined, undefined, 3, 4, 5]);
  });

  it('keeps a query whose buttons are being used while newer ones come and go', () => {
    const cache = createQueryCache<string>(3);
    const kept = cache.put('paged through');
    for (let i = 0; i < 100; i++) {
      cache.put(`q${i}`);
      expect(cache.get(kept)).toBe('paged through');
    }
  });

  it('makes short keys that fit page buttons', () => {
    const cache = createQueryCache<number>();
    let key = '';
    for (let i = 0; i < 100_000; i++) key = cache.put(i);
    expect(key).toMatch(/^[0-9a-z]{1,16}$/);
    expect(cache.get(key)).toBe(99_999);
  });
});

describe('createQueryCache keys', () => {
  it('answers only the exact keys it handed out', () => {
    const cache = createQueryCache<string>();
    const key = cache.put('x');
    const prefix = key.slice(0, 2);
    for (const other of [prefix, `${prefix}0${key.slice(2)}`, `${prefix}${key.slice(2).toUpperCase()}`, 'zz1', '', `${key}0`]) {
      if (other !== key) expect(cache.get(other), other).toBeUndefined();
    }
    expect(cache.get(key)).toBe('x');
  });
});

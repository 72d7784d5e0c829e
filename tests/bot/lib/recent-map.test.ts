import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../../src/bot/lib/recent-map.ts';

describe('RecentMap', () => {
  it('never holds more than max entries', () => {
    const m = new RecentMap<number, number>(10);
    for (let i = 0; i < 1000; i++) {
      m.set(i, i);
      expect(m.size).toBeLessThanOrEqual(10);
    }
  });

  it('keeps at least the last max / 2 entries set', () => {
    const m = new RecentMap<number, number>(10);
    for (let i = 0; i < 1000; i++) m.set(i, i * 2);
    for (let i = 995; i < 1000; i++) expect(m.get(i)).toBe(i * 2);
  });

  it('keeps an entry that is used while newer ones come and go', () => {
    const m = new RecentMap<string, number>(4);
    m.set('kept', 1);
    for (let i = 0; i < 100; i++) {
      m.set(`x${i}`, i);
      expect(m.get('kept')).toBe(1);
    }
  });

  it('forgets an entry that is not used, and replaces and deletes like a Map', () => {
    const m = new RecentMap<string, number>(4);
    m.set('a', 1);
    m.set('a', 2);
    expect(m.get('a')).toBe(2);
    for (let i = 0; i < 4; i++) m.set(`x${i}`, i);
    expect(m.get('a')).toBeUndefined();
    expect(m.delete('x3')).toBe(true);
    expect(m.get('x3')).toBeUndefined();
    expect(m.delete('x3')).toBe(false);
  });
});

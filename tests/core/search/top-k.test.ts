import { describe, expect, it } from 'vitest';
import { TopK } from '../../../src/core/search/index/top-k.ts';

const held = (t: TopK): [number, number][] => Array.from({ length: t.size }, (_, i) => [t.docs[i]!, t.scores[i]!]);

describe('TopK', () => {
  // [k, offers as [doc, score], expected best first as [doc, score]]
  const cases: [string, number, [number, number][], [number, number][]][] = [
    [
      'keeps everything under k, best first',
      5,
      [
        [3, 1],
        [4, 7],
        [9, 4],
      ],
      [
        [4, 7],
        [9, 4],
        [3, 1],
      ],
    ],
    [
      'keeps the k best',
      2,
      [
        [1, 1],
        [2, 5],
        [3, 3],
        [4, 9],
      ],
      [
        [4, 9],
        [2, 5],
      ],
    ],
    [
      'breaks ties by the lower document in ascending arrival',
      2,
      [
        [1, 4],
        [2, 4],
        [3, 4],
      ],
      [
        [1, 4],
        [2, 4],
      ],
    ],
    [
      'breaks ties by the lower document in any arrival',
      3,
      [
        [8, 4],
        [2, 4],
        [5, 6],
        [1, 4],
      ],
      [
        [5, 6],
        [1, 4],
        [2, 4],
      ],
    ],
    [
      'turns away a tie with a higher document once full',
      1,
      [
        [3, 4],
        [7, 4],
      ],
      [[3, 4]],
    ],
    [
      'lets a tie with a lower document in once full',
      1,
      [
        [7, 4],
        [3, 4],
      ],
      [[3, 4]],
    ],
    ['holds nothing for k = 0', 0, [[1, 9]], []],
  ];
  for (const [name, k, offers, expected] of cases) {
    it(name, () => {
      const t = new TopK(8);
      t.reset(k);
      for (const [d, s] of offers) t.offer(d, s);
      expect(held(t)).toEqual(expected);
    });
  }

  it('reports the bar only when full', () => {
    const t = new TopK(4);
    t.reset(2);
    expect([t.full, t.bar]).toEqual([false, -1]);
    t.offer(1, 3);
    expect([t.full, t.bar]).toEqual([false, -1]);
    t.offer(2, 6);
    expect([t.full, t.bar]).toEqual([true, 3]);
    t.offer(3, 5);
    expect(t.bar).toBe(5);
  });

  it('places candidates by a given order, ties included', () => {
    // Order: higher score first, then the higher document (the reverse of the numbering).
    const before = (a: number, sa: number, b: number, sb: number): boolean => (sa !== sb ? sa > sb : a > b);
    const t = new TopK(4);
    t.reset(3);
    for (const [d, s] of [
      [1, 2],
      [5, 2],
      [3, 7],
      [9, 1],
      [4, 2],
    ] as const)
      t.offerOrdered(d, s, before);
    expect(held(t)).toEqual([
      [3, 7],
      [5, 2],
      [4, 2],
    ]);
  });

  it('starts over on reset and refuses k over its capacity', () => {
    const t = new TopK(2);
    t.reset(2);
    t.offer(1, 1);
    t.reset(1);
    expect(t.size).toBe(0);
    expect(() => t.reset(3)).toThrow(RangeError);
  });
});

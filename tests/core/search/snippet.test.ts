import { describe, expect, it } from 'vitest';
import { foldWithMap, foldsOneToOne, normalizeForSearch } from '../../../src/core/search/normalize.ts';
import { JoinedText } from '../../../src/core/search/snippet-text.ts';
import { createSnippetter, makeSnippet } from '../../../src/core/search/snippet.ts';
import type { Snippet } from '../../../src/core/search/snippet.ts';
import { prng } from '../../helpers/prng.ts';

const marked = (s: { text: string; marks: [number, number][] }): string[] => s.marks.map(([a, b]) => s.text.slice(a, b));

describe('makeSnippet', () => {
  it('returns short text whole, with every match marked', () => {
    const s = makeSnippet('企业复工复产，复工有序', ['复工']);
    expect(s.text).toBe('企业复工复产，复工有序');
    expect(s.marks).toEqual([
      [2, 4],
      [7, 9],
    ]);
  });

  it('cuts a window around the first match with ellipses and keeps within maxChars', () => {
    const text = '甲'.repeat(100) + '云选会' + '乙'.repeat(100);
    const s = makeSnippet(text, ['云选会'], 40);
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(40);
    expect(marked(s)).toEqual(['云选会']);
  });

  it('shows the beginning without a leading ellipsis when the match is early', () => {
    const s = makeSnippet('复工' + '乙'.repeat(200), ['复工'], 30);
    expect(s.text.startsWith('复工')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.length).toBe(30);
    expect(s.marks).toEqual([[0, 2]]);
  });

  it('ends without a trailing ellipsis when the match is at the end', () => {
    const s = makeSnippet('乙'.repeat(200) + '复工', ['复工'], 30);
    expect(s.text.endsWith('复工')).toBe(true);
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.length).toBe(30);
    expect(marked(s)).toEqual(['复工']);
  });

  it('matches across case and width but returns the original characters', () => {
    const s = makeSnippet('使用ＴＥＬＥＧＲＡＭ机器人，汇集６０００余家企业', ['telegram', '6000']);
    expect(s.text).toBe('使用ＴＥＬＥＧＲＡＭ机器人，汇集６０００余家企业');
    expect(marked(s)).toEqual(['ＴＥＬＥＧＲＡＭ', '６０００']);
  });

  it('merges overlapping matches of different keywords', () => {
    const s = makeSnippet('复工复产复市', ['复工复', '复产']);
    expect(marked(s)).toEqual(['复工复产']);
  });

  it('treats regex characters literally', () => {
    const s = makeSnippet('a.b axb a.*(b', ['.*(']);
    expect(marked(s)).toEqual(['.*(']);
  });

  it('without a match returns the start and no marks', () => {
    const s = makeSnippet('甲'.repeat(100), ['云选会'], 20);
    expect(s.text).toBe('甲'.repeat(19) + '…');
    expect(s.marks).toEqual([]);
  });

  it('never splits a surrogate pair', () => {
    const text = '🎉'.repeat(50) + '复工' + '🎉'.repeat(50);
    const s = makeSnippet(text, ['复工'], 21);
    expect(s.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(marked(s)).toEqual(['复工']);
  });
});

function reference(text: string, keywords: string[], maxChars: number): Snippet {
  const needles = [...new Set(keywords.map(normalizeForSearch).filter((k) => k !== ''))];
  const { folded, start, end } = foldWithMap(text);
  const ranges: [number, number][] = [];
  for (const k of needles)
    for (let at = folded.indexOf(k); at !== -1; at = folded.indexOf(k, at + k.length)) ranges.push([start[at]!, end[at + k.length - 1]!]);
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const limit = Math.max(1, Math.floor(maxChars));
  let from = 0;
  let to = text.length;
  const low = (i: number) => text.charCodeAt(i) >= 0xdc00 && text.charCodeAt(i) <= 0xdfff;
  if (text.length > limit) {
    const budget = Math.max(1, limit - 2);
    const first = merged[0];
    if (!first) to = limit - 1;
    else {
      from = Math.max(0, first[0] - Math.floor(Math.max(0, budget - (first[1] - first[0])) / 3));
      to = from + budget;
      if (from === 0) to = limit - 1;
      else if (to >= text.length) [from, to] = [Math.max(0, text.length - (limit - 1)), text.length];
    }
    if (from > 0 && low(from)) from++;
    if (to < text.length && low(to)) to--;
  }
  const prefix = from > 0 ? '…' : '';
  const marks: [number, number][] = [];
  for (const [s, e] of merged)
    if (Math.max(s, from) < Math.min(e, to)) marks.push([Math.max(s, from) - from + prefix.length, Math.min(e, to) - from + prefix.length]);
  return { text: prefix + text.slice(from, to) + (to < text.length ? '…' : ''), marks };
}

describe('createSnippetter equals marking every match of the whole text', () => {
  // The definition: every match (in the folded text, mapped back) merged, the window around the first
  // merged range, marks clipped to it.
  it.each([
    ['复工复产复工', ['复工', '工复'], 4],
    ['复工复产复市，复工复产', ['复工复', '复产', '产复'], 6],
    ['甲乙复工丙丁复工复工戊己', ['复工'], 7],
    ['甲'.repeat(20) + '复工复产' + '乙'.repeat(20), ['复工', '复产'], 10], // touching matches lead the window as one
    ['ＴＥＬＥＧＲＡＭ机器人Telegram', ['telegram'], 9],
    ['㈱复工㈱', ['株'], 3],
    ['甲㈱乙乙乙株丙丙丙丙丙丙', ['株'], 5], // folded, the first match is inside ㈱
    ['甲乙乙乙株丙丙丙丙丙丙㈱', ['株'], 5], // ㈱ past the window: the original text answers
    ['🎉🎉复工🎉🎉', ['复工'], 5],
  ])('%s %j %i', (text, keywords, max) => {
    expect(makeSnippet(text, keywords, max)).toEqual(reference(text, keywords, max));
  });

  it('on random texts, keywords and widths', () => {
    const random = prng(3);
    const alphabet = [...'复工产复市外企云选会不见面株AaＡ１1 ，。', '🎉', '㈱'];
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const text = pick(Math.floor(random() * 60));
      const keywords = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(1 + Math.floor(random() * 3)));
      const max = 1 + Math.floor(random() * 40);
      const snip = createSnippetter(keywords);
      const expected = reference(text, keywords, max);
      expect(snip(text, max), JSON.stringify([text, keywords, max])).toEqual(expected);
      // A caller that knows the text folds one to one skips the check, to the same result.
      if (foldsOneToOne(text)) expect(snip(text, max, true)).toEqual(expected);
    }
  });
});

describe('JoinedText reads parts as the joined string', () => {
  it('length, indexOf, slice and charCodeAt agree with parts.join(sep)', () => {
    const random = prng(21);
    const pieces = ['复工', '产', 'ab', '', '。', '复'];
    for (let i = 0; i < 500; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        pieces[Math.floor(random() * pieces.length)]!.repeat(Math.floor(random() * 3)),
      );
      const sep = random() < 0.5 ? ' ' : ' | ';
      const joined = parts.join(sep);
      const t = new JoinedText(parts, sep);
      expect(t.length).toBe(joined.length);
      expect(String(t)).toBe(joined);
      for (let a = -1; a <= joined.length + 1; a++) {
        expect(t.charCodeAt(a)).toEqual(joined.charCodeAt(a));
        for (const needle of ['复', '复工', '工产', 'b'])
          expect(t.indexOf(needle, a), `${JSON.stringify(parts)} ${needle} ${a}`).toBe(joined.indexOf(needle, a));
        for (let b = Math.max(0, a); b <= joined.length + 1; b++) expect(t.slice(a, b)).toBe(joined.slice(Math.max(0, a), b));
      }
    }
  });
});

describe('Snippetter.ofParts equals the snippet of the joined parts', () => {
  it('on random paragraphs, keywords and widths', () => {
    const random = prng(9);
    const alphabet = [...'复工产复市外企云选会不见面株AaＡ１1 ，。', '🎉', '㈱'];
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(Math.floor(random() * 40)));
      const keywords = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(1 + Math.floor(random() * 3)));
      const max = 1 + Math.floor(random() * 40);
      const sep = random() < 0.8 ? ' ' : '。';
      const snip = createSnippetter(keywords);
      const expected = reference(parts.join(sep), keywords, max);
      expect(snip.ofParts(parts, sep, max), JSON.stringify([parts, sep, keywords, max])).toEqual(expected);
      if (parts.every(foldsOneToOne)) expect(snip.ofParts(parts, sep, max, true)).toEqual(expected);
    }
  });
});

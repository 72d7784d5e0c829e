import { describe, expect, it } from 'vitest';
import { makeSnippet } from '../../../src/core/search/snippet.ts';

const marked = (s: { text: string; marks: [number, number][] }): string[] => s.marks.map(([a, b]) => s.text.slice(a, b));

describe('makeSnippet', () => {
  it('returns short text whole, with every match marked', () => {
    const s = makeSnippet('企业复工复产，复工有序', ['复工']);
    expect(s.text).toBe('企业复工复产，复工有序');
    expect(s.marks).toEqual([[2, 4], [7, 9]]);
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

import { describe, expect, it } from 'vitest';
import { buttonLabel, highlight, renderEntryFull, renderEntrySummary } from '../../../src/core/format/entry.ts';
import { messages } from '../../../src/i18n/index.ts';
import { assertValidTelegramHtml } from '../../helpers/bot-harness.ts';

const e = {
  agency: '上海市公安局',
  date: '2020-02-28',
  title: 'A<B>&C',
  body: ['正文 1 < 2。', '第二段'],
  bullets: ['要点 & 一'],
  source: '上海市公安局',
};

describe('entry formatting', () => {
  it('renders a whole measure, escaped, with its source', () => {
    const html = renderEntryFull(e, messages('zh'));
    expect(html).toBe(
      '<b>A&lt;B&gt;&amp;C</b>\n\n🏛 上海市公安局 · 📅 2020-02-28\n\n正文 1 &lt; 2。\n\n第二段\n\n• 要点 &amp; 一\n\n<i>来源：上海市公安局</i>',
    );
    assertValidTelegramHtml(html);
  });

  it('marks a corrected measure 更正 with its date', () => {
    const html = renderEntryFull({ ...e, revisions: 1, correctedAt: '2020-03-28T01:00:00.000Z' }, messages('zh'));
    expect(html).toContain('<i>[更正]</i>');
    expect(html).toContain('更正于 2020-03-28');
    expect(renderEntrySummary({ ...e, revisions: 2, correctedAt: 'x' }, messages('en'))).toContain('[corrected]');
  });

  it('summarises with a bounded gist', () => {
    const long = { ...e, body: ['字'.repeat(500)] };
    const html = renderEntrySummary(long, messages('zh'), { n: 3, maxChars: 50 });
    expect(html.startsWith('<b>3.</b> <b>A&lt;B&gt;&amp;C</b>\n2020-02-28\n')).toBe(true);
    expect(html.endsWith(`${'字'.repeat(50)}…`)).toBe(true);
  });

  it('highlights marked ranges, escaping around them', () => {
    expect(highlight('a<复工>b', [[2, 4]])).toBe('a&lt;<b>复工</b>&gt;b');
    expect(
      highlight('复工复工', [
        [2, 4],
        [0, 2],
      ]),
    ).toBe('<b>复工</b><b>复工</b>');
  });

  it('keeps button labels short without splitting characters', () => {
    expect(buttonLabel('一二三四五', 4)).toBe('一二三…');
    expect(buttonLabel('😀😀😀😀😀', 3)).toBe('😀😀…');
    expect(buttonLabel('短', 4)).toBe('短');
  });

  // The definition: at most max code points (a lone surrogate counts as one), else max - 1 and '…'.
  const labelByCodePoints = (text: string, max: number): string => {
    const chars = [...text];
    return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
  };
  it.each([
    ['一二三四', 4],
    ['一二三四五', 4],
    ['😀😀😀😀', 4], // 8 units, 4 code points: fits
    ['😀😀😀😀😀', 4],
    ['a😀b😀c', 3],
    ['\uD83Dab', 2], // lone high surrogate
    ['ab\uDE00c', 3], // lone low surrogate
    ['一二😀', 1],
    ['一二', 0],
  ])('labels %j at %i as counting code points would', (text, max) => {
    expect(buttonLabel(text, max)).toBe(labelByCodePoints(text, max));
  });
});

import { describe, expect, it } from 'vitest';
import { TELEGRAM_TEXT_LIMIT, escapeHtml, numberParts, packMessages, visibleLength } from '../../src/core/html.ts';
import { assertValidTelegramHtml } from '../helpers/bot-harness.ts';

describe('escapeHtml', () => {
  it.each([
    ['a < b & c > d', 'a &lt; b &amp; c &gt; d'],
    ['<b>x</b>', '&lt;b&gt;x&lt;/b&gt;'],
    ['&amp;', '&amp;amp;'],
    ['"q"', '&quot;q&quot;'],
    ['复工复产', '复工复产'],
  ])('%s', (input, out) => expect(escapeHtml(input)).toBe(out));
});

describe('visibleLength', () => {
  it('counts text as Telegram does after parsing entities', () => {
    expect(visibleLength('<b>ab</b> &lt;c&gt;')).toBe('ab <c>'.length);
  });
});

describe('packMessages', () => {
  const block = (i: number, n: number) => `<b>${i}</b> ${escapeHtml('复<&>'.repeat(n))}`;

  it('keeps short replies in one message', () => {
    expect(packMessages(['a', 'b'])).toEqual(['a\n\nb']);
  });

  it('splits on block boundaries, every part under the limit and valid HTML', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => block(i, 100));
    const parts = packMessages(blocks);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(visibleLength(p)).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      assertValidTelegramHtml(p);
    }
    // Nothing lost, nothing cut: every block appears whole in exactly one part.
    for (const b of blocks) expect(parts.filter((p) => p.includes(b))).toHaveLength(1);
  });

  it('cuts a single block longer than the limit on line boundaries, then plain text, never inside a tag or entity', () => {
    const huge = `<b>title</b>\n${escapeHtml('正文&'.repeat(3000))}\n<i>${'尾'.repeat(10)}</i>`;
    const parts = packMessages([huge]);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(visibleLength(p)).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      assertValidTelegramHtml(p);
    }
    const text = parts.join('').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&');
    expect(text.split('正文&').length - 1).toBe(3000);
  });

  it('numbers parts only when there are several', () => {
    expect(numberParts(['x'])).toEqual(['x']);
    expect(numberParts(['x', 'y'])).toEqual(['x\n\n<i>(1/2)</i>', 'y\n\n<i>(2/2)</i>']);
  });
});

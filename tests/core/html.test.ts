import { describe, expect, it } from 'vitest';
import { TELEGRAM_TEXT_LIMIT, escapeHtml, numberParts, packMessages, visibleLength } from '../../src/core/html.ts';
import { assertValidTelegramHtml } from '../helpers/bot-harness.ts';
import { prng } from '../helpers/prng.ts';

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
    const text = parts
      .join('')
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&');
    expect(text.split('正文&').length - 1).toBe(3000);
  });

  it('numbers parts only when there are several', () => {
    expect(numberParts(['x'])).toEqual(['x']);
    expect(numberParts(['x', 'y'])).toEqual(['x\n\n<i>(1/2)</i>', 'y\n\n<i>(2/2)</i>']);
  });
});

// The definitions visibleLength and packMessages are measured against: strip tags, count entities as
// one, and re-measure every joined message.
const referenceLength = (html: string): number => html.replace(/<[^>]*>/g, '').replace(/&(lt|gt|amp|quot);/g, '_').length;
function referencePack(blocks: string[], limit: number, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const block of blocks) {
    const next = cur ? cur + sep + block : block;
    if (referenceLength(next) > limit && cur) {
      out.push(cur);
      cur = block;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}
const randomHtml = (random: () => number, pieces: string[], n: number): string =>
  Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join('');
const PIECES = ['<', '>', '&', 'lt;', 'gt', ';', 'amp;', '&quot;', 'q', '复', '<b>', '</b>', '\n', ' ', '&lt;', 'a'];

describe('visibleLength equals stripping tags and reading entities as one', () => {
  it.each([
    ['', 0],
    ['复工', 2],
    ['<b>复工</b>', 2],
    ['a < b', 5],
    ['<b>x</b> &lt;', 3],
    ['&l<b>t;</b>', 1], // the entity forms once the tag is gone
    ['&amp;lt;', 4],
    ['<a href="x&amp;y">z</a>', 1],
    ['<b>unclosed <i', 11],
  ])('%j → %i', (html, n) => {
    expect(visibleLength(html)).toBe(n);
    expect(referenceLength(html)).toBe(n);
  });

  it('on random tag and entity soup', () => {
    const random = prng(11);
    for (let i = 0; i < 3000; i++) {
      const html = randomHtml(random, PIECES, Math.floor(random() * 30));
      expect(visibleLength(html), html).toBe(referenceLength(html));
    }
  });
});

describe('packMessages measures each block once and still packs as re-measuring would', () => {
  it.each([['\n\n'], [''], [';'], ['<'], [' a ']])('separator %j, random blocks', (sep) => {
    const random = prng(sep.length + 5);
    for (let i = 0; i < 300; i++) {
      const blocks = Array.from({ length: 1 + Math.floor(random() * 8) }, () => randomHtml(random, PIECES, 1 + Math.floor(random() * 12)));
      const limit = 10 + Math.floor(random() * 30);
      // Blocks within the limit, so no block is cut and the two must agree exactly.
      const fitting = blocks.filter((b) => referenceLength(b) <= limit);
      expect(packMessages(fitting, { limit, separator: sep }), JSON.stringify(fitting)).toEqual(referencePack(fitting, limit, sep));
    }
  });
});

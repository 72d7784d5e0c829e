import { describe, expect, it } from 'vitest';
import { htmlToText, renderButtons } from '../../src/console/render-text.ts';

describe('console rendering', () => {
  it.each([
    ['<b>标题</b> &lt;x&gt; &amp; y', '标题 <x> & y'],
    ['<i>来源：上海市公安局</i>', '来源：上海市公安局'],
    ['<a href="https://e.x">link</a>', 'link (https://e.x)'],
  ])('%s → plain text', (html, text) => expect(htmlToText(html)).toBe(text));

  it('uses terminal bold in a TTY', () => {
    expect(htmlToText('<b>x</b>', { ansi: true })).toBe('\x1b[1mx\x1b[22m');
  });

  it('numbers buttons from 1', () => {
    expect(
      renderButtons([
        { text: 'A', data: 'a' },
        { text: 'B', data: 'b' },
      ]),
    ).toBe('  [1] A\n  [2] B');
  });
});

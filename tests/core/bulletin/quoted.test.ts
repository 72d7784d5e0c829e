import { describe, expect, it } from 'vitest';
import { unquoted } from '../../../src/core/bulletin/quoted.ts';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import { shippedAgencies } from '../../helpers/seed.ts';

const agencies = shippedAgencies();
const bulletin = ['> 周报（截止至11月5日）', '>', '> 上海市民政局', '>', '> 11月2日', '>', '> 标题甲', '>', '> 11月3日', '>', '> 标题乙'];

describe('unquoted: the quote level with the most date lines is the bulletin', () => {
  it.each([
    ['"> " quoting', bulletin],
    ['">" without a space', bulletin.map((l) => l.replace(/^> /, '>'))],
    ['"> > " nested under a forward', bulletin.map((l) => `> ${l}`)],
  ])('%s', (_, quoted) => {
    const warned: number[] = [];
    const text = ['收到，明天发。', '老周', '2020年11月6日', '', ...quoted].join('\n');
    const out = unquoted(text, (line) => warned.push(line)).split('\n');
    expect(out.length).toBe(text.split('\n').length);
    expect(out.slice(0, 4)).toEqual(['', '', '', '']);
    expect(out.filter(Boolean)).toEqual(bulletin.map((l) => l.replace(/^>\s?/, '')).filter(Boolean));
    expect(warned).toEqual([1]);
  });

  it('keeps the mail header for the year, and warns about an older quoted mail', () => {
    const warned: number[] = [];
    const text = ['发送时间: 2020年11月6日 9:48', ...bulletin, '>> 11月1日那条先不放。', '>> 10月29日的也拿掉。'].join('\n');
    const out = unquoted(text, (line) => warned.push(line)).split('\n');
    expect(out[0]).toBe('发送时间: 2020年11月6日 9:48');
    expect(out.slice(-2)).toEqual(['', '']);
    expect(warned).toEqual([13]);
  });

  it.each([
    ['no quote at all', '11月2日\n标题甲\n11月3日\n标题乙'],
    ['a few quoted lines in a bulletin', '11月2日\n标题甲\n> 引文一\n> 引文二\n11月3日\n标题乙'],
    ['quoted lines without dates', ['11月2日', '标题甲', '11月3日', '标题乙', '> 甲', '> 乙', '> 丙', '> 丁', '> 戊'].join('\n')],
  ])('leaves the text alone: %s', (_, text) => {
    expect(unquoted(text, () => {})).toBe(text);
  });
});

describe('a whole quoted reply', () => {
  it('reads the bulletin, not the reply’s date', () => {
    const text = ['收到。', '老周', '2020年11月6日', '', ...bulletin, '>', '> 来源：上海民政'].join('\n');
    const parsed = parseBulletin(text, { file: 't.txt', agencies, year: 2020 });
    expect(parsed.bulletin.asOf).toBe('2020-11-05');
    expect(parsed.entries.map((e) => [e.agency, e.date, e.title])).toEqual([
      ['上海市民政局', '2020-11-02', '标题甲'],
      ['上海市民政局', '2020-11-03', '标题乙'],
    ]);
  });
});

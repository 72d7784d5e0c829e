import { describe, expect, it } from 'vitest';
import { parseTimeOfDay, smallNumber } from '../../../src/core/schedule/time-of-day.ts';

describe('parseTimeOfDay', () => {
  // Written by hand the way people type times into a chat, broader than the list.
  const valid: [string, string][] = [
    ['9点', '09:00'],
    ['9点半', '09:30'],
    ['早上8点', '08:00'],
    ['上午10点15', '10:15'],
    ['上午10点15分', '10:15'],
    ['下午3点', '15:00'],
    ['晚上9点半', '21:30'],
    ['21点', '21:00'],
    ['21:30', '21:30'],
    ['21：30', '21:30'],
    ['９：００', '09:00'],
    ['8:05', '08:05'],
    ['0:00', '00:00'],
    ['23:59', '23:59'],
    ['中午12点', '12:00'],
    ['中午1点', '13:00'],
    ['凌晨1点', '01:00'],
    ['凌晨12点', '00:00'],
    ['两点', '02:00'],
    ['下午两点半', '14:30'],
    ['十点', '10:00'],
    ['十二点', '12:00'],
    ['二十一点', '21:00'],
    ['九点零五', '09:05'],
    ['九点十五分', '09:15'],
    ['8点一刻', '08:15'],
    ['8点三刻', '08:45'],
    ['7点整', '07:00'],
    ['8点钟', '08:00'],
    ['9時', '09:00'],
    ['9时30分', '09:30'],
    ['傍晚6点', '18:00'],
    ['晚上12点', '00:00'],
    ['晚上11点', '23:00'],
    ['早上7:30', '07:30'],
    ['下午3:45', '15:45'],
    ['晚8点', '20:00'],
    ['早8点', '08:00'],
    ['早上8', '08:00'],
    ['9am', '09:00'],
    ['9pm', '21:00'],
    ['12am', '00:00'],
    ['9:30PM', '21:30'],
    ['１８点', '18:00'],
  ];
  it.each(valid)('%s → %s', (word, time) => {
    expect(parseTimeOfDay(word)).toEqual({ ok: true, time });
  });

  const refused: [string, string][] = [
    ['25点', 'hour'],
    ['24:00', 'hour'],
    ['99:00', 'hour'],
    ['8:5', 'minute'],
    ['9:75', 'minute'],
    ['9点60', 'minute'],
    ['9点60分', 'minute'],
    ['晚上13点', 'period'],
    ['下午15点', 'period'],
    ['下午0点', 'period'],
    ['中午8点', 'period'],
    ['早上3点', 'period'],
    ['凌晨9点', 'period'],
    ['13pm', 'hour'],
    ['100:00', 'hour'],
  ];
  it.each(refused)('%s is time-like but refused (%s)', (word, reason) => {
    expect(parseTimeOfDay(word)).toEqual({ ok: false, reason });
  });

  // Not time-like at all: these stay keywords.
  it.each(['3.15', '复工', '重点', '一点点', '公安', '12.30', '3月', '2020', '9', '点', '早上好', '晚上'])('%s is not a time', (word) => {
    expect(parseTimeOfDay(word)).toBeNull();
  });
});

describe('smallNumber', () => {
  it.each([
    ['0', 0],
    ['05', 5],
    ['十', 10],
    ['十五', 15],
    ['二十', 20],
    ['二十三', 23],
    ['两', 2],
    ['零五', 5],
  ] as [string, number][])('%s = %d', (s, n) => expect(smallNumber(s)).toBe(n));
  it.each(['十十', '一二三', '五十五十', 'x'])('%s is no number', (s) => expect(smallNumber(s)).toBeNaN());
});

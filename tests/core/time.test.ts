import { describe, expect, it } from 'vitest';
import { TIME_SHAPE, isValidTimeZone } from '../../src/core/time.ts';

describe('isValidTimeZone', () => {
  it.each([
    ['Asia/Shanghai', true],
    ['UTC', true],
    ['Europe/Paris', true],
    ['America/Argentina/Buenos_Aires', true],
    ['Mars/Olympus', false],
    ['', false],
    ['Asia/Shanghai ', false],
  ])('%j -> %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
    // A second look (answered from what the first learnt) says the same.
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

describe('TIME_SHAPE', () => {
  it.each(['00:00', '09:05', '23:59'])('accepts %s', (t) => expect(TIME_SHAPE.test(t)).toBe(true));
  it.each(['9:00', '24:00', '12:60', '12:5', ' 12:00', '12:00:00'])('refuses %j', (t) => expect(TIME_SHAPE.test(t)).toBe(false));
});

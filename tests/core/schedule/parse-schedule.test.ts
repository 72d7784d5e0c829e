import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../src/core/schedule/parse-schedule.ts';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('parseSchedule', () => {
  const table: [string, { time?: string | null; frequency?: string | null; weekday?: number | null; rest?: string[]; bad?: string }][] = [
    ['9点 公安', { time: '09:00', frequency: null, rest: ['公安'] }],
    ['早上 8点 复工', { time: '08:00', rest: ['复工'] }],
    ['晚上 9点半', { time: '21:30', rest: [] }],
    ['每周一 09:00', { time: '09:00', frequency: 'weekly', weekday: 1 }],
    ['每周五9点 科委', { time: '09:00', frequency: 'weekly', weekday: 5, rest: ['科委'] }],
    ['周日 晚上8点', { time: '20:00', frequency: 'weekly', weekday: 7 }],
    ['星期三', { time: null, frequency: 'weekly', weekday: 3 }],
    ['礼拜天 10:00', { frequency: 'weekly', weekday: 7, time: '10:00' }],
    ['weekly mon 09:00', { time: '09:00', frequency: 'weekly', weekday: 1 }],
    ['Friday 6pm', { time: '18:00', frequency: 'weekly', weekday: 5 }],
    ['每周', { frequency: 'weekly', weekday: null }],
    ['即时', { frequency: 'instant', time: null }],
    ['实时 公安', { frequency: 'instant', rest: ['公安'] }],
    ['instant 复工', { frequency: 'instant', rest: ['复工'] }],
    ['每天 21:30', { frequency: 'daily', time: '21:30' }],
    ['每天早上8点', { frequency: 'daily', time: '08:00' }],
    ['每晚9点', { frequency: 'daily', time: '21:00' }],
    ['daily 7am', { frequency: 'daily', time: '07:00' }],
    ['周边 复工', { frequency: null, rest: ['周边', '复工'] }],
    ['25点 公安', { bad: '25点', rest: ['公安'] }],
    ['8:5', { bad: '8:5' }],
    ['晚上 13点', { bad: '晚上 13点' }],
    ['每周一25点', { bad: '每周一25点', frequency: 'weekly' }],
    ['3.15 复工', { time: null, rest: ['3.15', '复工'] }],
    ['9 am police', { time: '09:00', rest: ['police'] }],
    ['9:30 PM', { time: '21:30', rest: [] }],
    ['13 pm', { bad: '13 pm' }],
    ['下午三点半 每周五', { time: '15:30', frequency: 'weekly', weekday: 5 }],
    ['晚上十点', { time: '22:00' }],
    ['21时30分 即时', { time: '21:30', frequency: 'instant' }],
    // Run together with the rest of a request, which comes back as separate words.
    ['每天早上8点推送公安的复工消息', { time: '08:00', frequency: 'daily', rest: ['推送公安的复工消息'] }],
    ['请每周四晚上七点一刻发', { time: '19:15', frequency: 'weekly', weekday: 4, rest: ['请', '发'] }],
    ['有新的马上发 公安', { frequency: 'instant', rest: ['有新的', '发', '公安'] }],
    ['明早7点', { time: '07:00', rest: [] }],
    ['三点建议', { time: null, rest: ['三点建议'] }],
    ['每周推送一次', { frequency: 'weekly', weekday: null }],
    // A period alone stands for its usual hour, unless a time is said; greetings are no period.
    ['每天中午', { time: '12:00', frequency: 'daily' }],
    ['傍晚 科委', { time: '18:00', rest: ['科委'] }],
    ['早上好', { time: null, rest: ['早上好'] }],
    // In pieces, in English, in Cantonese, in pinyin.
    ['早上 8 点 半', { time: '08:30' }],
    ['every friday 7pm', { time: '19:00', frequency: 'weekly', weekday: 5 }],
    ['Tuesdays 6.30pm', { time: '18:30', frequency: 'weekly', weekday: 2 }],
    ['as soon as possible', { frequency: 'instant' }],
    ['逢禮拜三下晝兩點', { time: '14:00', frequency: 'weekly', weekday: 3 }],
    ['朝早9点', { time: '09:00' }],
    ['meitian wanshang jiu dian ban', { time: '21:30', frequency: 'daily', rest: [] }],
    ['zhousi xiawu 4 dian', { time: '16:00', frequency: 'weekly', weekday: 4 }],
    ['每天晚上13点推送', { bad: '晚上13点', frequency: 'daily' }],
    // A weekday that is none is refused, never read as 每周 and a stray character.
    ['每周八', { bad: '每周八' }],
    ['星期零 公安', { bad: '星期零', rest: ['公安'] }],
    ['每周8点', { time: '08:00', frequency: 'weekly' }],
    // Monthly, which the bot does not offer: refused, never a keyword (每月初 was saved as one).
    ['请每月初推送司法局的', { bad: '每月初' }],
    ['每个月月底发我', { bad: '每个月' }],
    ['monthly 复工', { bad: 'monthly', rest: ['复工'] }],
    ['every month at 9am', { bad: 'every month', time: '09:00' }],
    // A month in a date is no frequency.
    ['3月份 复工', { rest: ['3月份', '复工'] }],
    // "as soon as X": 一X就.
    ['一出新政策就推给我', { frequency: 'instant', rest: ['推给我'] }],
    ['一发布就发', { frequency: 'instant', rest: ['发'] }],
  ];
  it.each(table)('%s', (input, want) => {
    const got = parseSchedule(words(input));
    if (want.time !== undefined) expect(got.time).toBe(want.time);
    if (want.frequency !== undefined) expect(got.frequency).toBe(want.frequency);
    if (want.weekday !== undefined) expect(got.weekday).toBe(want.weekday);
    if (want.rest !== undefined) expect(got.rest).toEqual(want.rest);
    if (want.bad !== undefined) expect(got.badTime?.word).toBe(want.bad);
    else expect(got.badTime).toBeNull();
  });
});

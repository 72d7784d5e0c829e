import { describe, expect, it } from 'vitest';
import { extractDateWords, rangeLabel } from '../../../src/core/dates/date-words.ts';

// "Now" is injected: Wednesday 2026-12-02.
const TODAY = '2026-12-02';

describe('extractDateWords', () => {
  const table: [string, string | null, string | null, string][] = [
    // query, from, to, what is left for the keyword search
    ['本周', '2026-11-30', '2026-12-06', ''],
    ['本周 公安', '2026-11-30', '2026-12-06', '公安'],
    ['这周复工', '2026-11-30', '2026-12-06', '复工'],
    ['上周', '2026-11-23', '2026-11-29', ''],
    ['上星期的公安措施', '2026-11-23', '2026-11-29', '的公安措施'],
    ['本月', '2026-12-01', '2026-12-31', ''],
    ['这个月 科委', '2026-12-01', '2026-12-31', '科委'],
    ['上月', '2026-11-01', '2026-11-30', ''],
    ['上个月 复工', '2026-11-01', '2026-11-30', '复工'],
    ['今年', '2026-01-01', '2026-12-31', ''],
    ['去年 复工', '2025-01-01', '2025-12-31', '复工'],
    ['今天', '2026-12-02', '2026-12-02', ''],
    ['昨天', '2026-12-01', '2026-12-01', ''],
    ['3月', '2026-03-01', '2026-03-31', ''],
    ['3月份 复工', '2026-03-01', '2026-03-31', '复工'],
    ['三月复工', '2026-03-01', '2026-03-31', '复工'],
    ['十二月', '2026-12-01', '2026-12-31', ''],
    ['十一月份', '2026-11-01', '2026-11-30', ''],
    ['2020年3月', '2020-03-01', '2020-03-31', ''],
    ['2020年3月 公安', '2020-03-01', '2020-03-31', '公安'],
    ['2020年', '2020-01-01', '2020-12-31', ''],
    ['2020-03', '2020-03-01', '2020-03-31', ''],
    ['最近7天', '2026-11-26', '2026-12-02', ''],
    ['近7天复工', '2026-11-26', '2026-12-02', '复工'],
    ['最近两周', '2026-11-19', '2026-12-02', ''],
    ['过去一个月', '2026-11-02', '2026-12-02', ''],
    ['最近三个月', '2026-09-02', '2026-12-02', ''],
    ['最近一周', '2026-11-26', '2026-12-02', ''],
    ['last 30 days', '2026-11-03', '2026-12-02', ''],
    ['3月1日以后', '2026-03-01', null, ''],
    // Compared with a day: strictly after or before it.
    ['司法局有没有比2月12号那个更新的', '2026-02-13', null, '司法局有没有 的'],
    ['比3月1日早的公安措施', null, '2026-02-28', '的公安措施'],
    ['3月1日之后 公安', '2026-03-01', null, '公安'],
    ['3月10日前', null, '2026-03-10', ''],
    ['截至3月26日', null, '2026-03-26', ''],
    ['2020年3月1日至3月15日', '2020-03-01', '2020-03-15', ''],
    ['3月1日到15日 复工', '2026-03-01', '2026-03-15', '复工'],
    ['3月16日', '2026-03-16', '2026-03-16', ''],
    ['3月16号', '2026-03-16', '2026-03-16', ''],
    ['2020-03-16', '2020-03-16', '2020-03-16', ''],
    ['2020/3/16 公安', '2020-03-16', '2020-03-16', '公安'],
    ['3月上旬', '2026-03-01', '2026-03-10', ''],
    ['2020年3月下旬', '2020-03-21', '2020-03-31', ''],
    ['一季度', '2026-01-01', '2026-03-31', ''],
    ['2020年第一季度', '2020-01-01', '2020-03-31', ''],
    ['2020年 3月以后', '2020-03-01', null, ''],
    ['4月以前 复工', null, '2026-04-30', '复工'],
    ['复工', null, null, '复工'],
    ['3.15 消费', null, null, '3.15 消费'],
    ['十三月', null, null, '十三月'],
    ['2月30日', null, null, '2月30日'],
  ];
  it.each(table)('%s → %s … %s, rest %j', (query, from, to, rest) => {
    const got = extractDateWords(query, TODAY);
    if (from === null && to === null) expect(got.range).toBeNull();
    else expect(got.range).toEqual({ from, to });
    expect(got.rest).toBe(rest);
  });

  it('a month without a year means the latest one not after today, from the data year when given', () => {
    expect(extractDateWords('3月', TODAY, { yearHint: 2020 }).range).toEqual({ from: '2020-03-01', to: '2020-03-31' });
    expect(extractDateWords('3月1日以后', TODAY, { yearHint: 2020 }).range).toEqual({ from: '2020-03-01', to: null });
    expect(extractDateWords('12月', TODAY, { yearHint: 2026 }).range).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(extractDateWords('12月5日', TODAY).range).toEqual({ from: '2025-12-05', to: '2025-12-05' });
    // Relative words stay relative to today.
    expect(extractDateWords('本周', TODAY, { yearHint: 2020 }).range).toEqual({ from: '2026-11-30', to: '2026-12-06' });
  });

  it('最新 / 按时间 ask for newest first and are cut out', () => {
    expect(extractDateWords('复工 最新', TODAY)).toMatchObject({ newest: true, rest: '复工', range: null });
    expect(extractDateWords('最新复工措施', TODAY)).toMatchObject({ newest: true, rest: '复工措施' });
    expect(extractDateWords('复工', TODAY).newest).toBe(false);
  });

  it('lists the words it understood', () => {
    expect(extractDateWords('2020年3月 公安 最新', TODAY).found).toEqual(['2020年3月']);
  });
});

describe('rangeLabel', () => {
  it.each([
    [{ from: '2020-03-01', to: '2020-03-31' }, '2020-03-01 – 2020-03-31'],
    [{ from: '2020-03-01', to: '2020-03-01' }, '2020-03-01'],
    [{ from: '2020-03-01', to: null }, '2020-03-01 起'],
    [{ from: null, to: '2020-03-10' }, '至 2020-03-10'],
  ] as const)('%j → %s', (r, label) => expect(rangeLabel(r, 'zh')).toBe(label));
});

/**
 * Schedule phrases typed run together with other words, as people write a whole request without spaces:
 * "每天早上8点推送公安的复工消息", "请每周五下午三点发科委的", "有新的马上发", "明早7点半".
 *
 * The rule: a phrase is taken only where it cannot be read as anything else — a number needs 点/时/a colon/am-pm
 * after it (三点建议 and 一点点 are not times), a weekday needs 周/星期/礼拜 before it, a period of the day stands
 * for its usual hour only when no time is said. Times found here go through parseTimeOfDay like any other, so
 * a time-like phrase that is no time (晚上13点) is refused, never kept as a keyword. What is left between the
 * phrases comes back as separate words, for the filters.
 */
import type { Frequency } from './parse-schedule.ts';
import { PERIODS } from './time-of-day.ts';

export interface ScheduleInside {
  /** Some schedule phrase was found. */
  found: boolean;
  /** Time phrases as written (for parseTimeOfDay), in order. */
  times: string[];
  frequency: Frequency | null;
  weekday: number | null;
  /** A period of the day said without a time (早上): its usual hour. */
  periodTime: string | null;
  /** The text between the phrases, each stretch a word. */
  rest: string[];
  /** A weekday that is none (每周八), as written. */
  badWeekday: string | null;
  /** A monthly frequency (每月初, 每个月), which the bot does not offer, as written. */
  monthly: string | null;
}

const PERIOD = PERIODS.join('|');
const NUM = '(?:\\d{1,3}|[〇零一二两兩三四五六七八九十]{1,3})';
/** Words that make "N点" a count of points, not a time (三点建议, 五点要求). */
const POINTS_OF = '建议|意见|措施|举措|要求|内容|做法|经验|任务|原则|共识|说明|变化|考虑';
// 明早/明天/今晚 only say when the first digest comes; 每 before 晚/早 says daily (每晚9点).
const DAY_PREFIX = '(?:明天|明日|今天|明|今)?';

const TIME = new RegExp(
  [
    `${DAY_PREFIX}(?:${PERIOD})?${NUM}[点點时時](?:钟|鐘)?(?:半|一刻|三刻|整|${NUM}分?)?(?![点點]|${POINTS_OF})`,
    `${DAY_PREFIX}(?:${PERIOD})?\\d{1,3}:\\d{1,3}`,
    `\\d{1,2}(?::\\d{2})?(?:am|pm|a\\.m\\.|p\\.m\\.)`,
  ].join('|'),
  'gu',
);
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const BAD_WEEKDAY = /(?:每个?)?(?:周|週|星期|礼拜|禮拜)(?:[零〇八九十]|[089])(?![\d点點时時:])/u;
/** Every month, at its start, middle or end: said, so refused (每月 is not 每 + 月份 keyword). */
const MONTHLY = /(?:每个?|每一个?)月(?:初|中|底|末|份)?|月月|月报|月報/u;
/** Phrases of frequency, longest first where they overlap. */
const FREQUENCY = new RegExp(
  [
    '(?<weeklyOnce>(?:每个?|一)(?:周|週|星期|礼拜|禮拜)(?:推送|发|發|汇总|匯總)?一次)',
    '(?<weekday>(?:每个?)?(?:周|週|星期|礼拜|禮拜)(?<day>[一二三四五六日天1-7]))',
    '(?<weekly>每个?(?:周|週|星期|礼拜|禮拜)|周报|週報)',
    '(?<daily>每天|每日|天天|日日|每个?工作日|工作日|日报|日報|每(?=[早晚夜]))',
    // "as soon as X, …": 一有更新就, 一发布就, 一出新政策就; 有新的就.
    '(?<instant>即时|實時|实时|即時|立即|立刻|马上|馬上|随时|隨時|即刻|第一时间|第一時間|一(?:有|发布|發佈|出|更新)[\\u4e00-\\u9fff]{0,4}?就|一有(?:新的?|更新|新措施|新消息|消息)?|有(?:新的?|更新|新措施|新消息)?就(?=推|發|发|通知|告诉))',
  ].join('|'),
  'gu',
);
/** The hour a period of the day stands for when no time is given ("每天早上" → 08:00); the reply says it back. */
export const PERIOD_HOUR: Record<string, string> = {
  清晨: '07:00',
  早上: '08:00',
  早晨: '08:00',
  一早: '08:00',
  朝早: '08:00',
  上午: '09:00',
  中午: '12:00',
  正午: '12:00',
  午间: '12:00',
  晏昼: '12:00',
  晏晝: '12:00',
  下午: '15:00',
  下昼: '15:00',
  下晝: '15:00',
  傍晚: '18:00',
  晚上: '20:00',
  晚间: '20:00',
  今晚: '20:00',
  夜里: '21:00',
  晚黑: '20:00',
};
// A period standing for its hour, not a greeting (早上好, 晚上好).
const BARE_PERIOD = new RegExp(`(?:明天|明|今)?(${Object.keys(PERIOD_HOUR).join('|')})(?!好)`, 'gu');

/** Schedule phrases inside one word (folded: NFKC, lower case), and the words left between them. */
export function scheduleInside(word: string): ScheduleInside {
  const out: ScheduleInside = {
    found: false,
    times: [],
    frequency: null,
    weekday: null,
    periodTime: null,
    rest: [],
    badWeekday: null,
    monthly: null,
  };
  // 每周八, 星期零: shaped like a weekday, none; refused rather than read as 每周 and a stray character.
  const bad = BAD_WEEKDAY.exec(word);
  if (bad) {
    out.found = true;
    out.badWeekday = bad[0];
    return out;
  }
  const monthly = MONTHLY.exec(word);
  if (monthly) {
    out.found = true;
    out.monthly = monthly[0];
    return out;
  }
  // Frequencies first: 每晚9点 leaves 晚9点 for the time, 每周一9点 leaves 9点.
  let text = word.replace(FREQUENCY, (...args) => {
    const g = args[args.length - 1] as Record<string, string | undefined>;
    out.found = true;
    if (g.weeklyOnce || g.weekly) {
      out.frequency = 'weekly';
    } else if (g.weekday) {
      out.frequency = 'weekly';
      out.weekday = WEEKDAYS[g.day!] ?? Number(g.day);
    } else if (g.daily) out.frequency = 'daily';
    else out.frequency ??= 'instant';
    return ' ';
  });
  text = text.replace(TIME, (m) => {
    out.found = true;
    out.times.push(m.replace(/^(?:明天|明日|今天|明|今)(?=[早晚上下中凌傍夜一清午正\d〇零一二两兩三四五六七八九十])/u, ''));
    return ' ';
  });
  text = text.replace(BARE_PERIOD, (_m, period: string) => {
    out.found = true;
    out.periodTime ??= PERIOD_HOUR[period] ?? null;
    return ' ';
  });
  out.rest = text.split(' ').filter((w) => w.length > 0);
  return out;
}

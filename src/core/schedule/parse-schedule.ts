/**
 * The schedule part of "/subscribe …": how often (每天 / 每周一 / weekly mon / 即时) and at what time
 * ("早上8点", "21:30"), picked out of the words wherever they stand; the words left over are filters.
 *
 * Weekdays are ISO numbers: 1 = Monday … 7 = Sunday.
 */
import { parseTimeOfDay, timeForm } from './time-of-day.ts';
import { PERIOD_HOUR, scheduleInside } from './run-together.ts';
import type { TimeRefusal } from './time-of-day.ts';

export type Frequency = 'daily' | 'weekly' | 'instant';
export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly', 'instant'];

export interface ParsedSchedule {
  time: string | null;
  /** The first time-like word that is not a valid time, as written, and why. */
  badTime: { word: string; reason: TimeRefusal } | null;
  frequency: Frequency | null;
  /** With weekly: the day named, if any. */
  weekday: number | null;
  /** Every other word, in order. */
  rest: string[];
}

const CN_DAYS: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 7,
  天: 7,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 7,
};
const EN_DAYS: Record<string, number> = {
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
  sun: 7,
  sunday: 7,
};
const INSTANT = new Set([
  '即时',
  '實時',
  '实时',
  '即時',
  '立即',
  '立刻',
  '马上',
  '馬上',
  '随时',
  '即刻',
  '有新就发',
  'instant',
  'instantly',
  'immediately',
  'immediate',
  'realtime',
  'asap',
]);
const DAILY = new Set(['每天', '每日', '天天', '每晚', '每早', 'daily', 'everyday']);
const WEEKLY = new Set(['每周', '每週', '每星期', '每礼拜', '每禮拜', 'weekly']);
// "每周一", "周一", "星期天", "礼拜五", "週三"; optionally glued to a time ("每周一9点").
const CN_WEEKDAY = /^(?:每)?(?:周|週|星期|礼拜|禮拜)([一二三四五六日天1-7])(.*)$/;
// "每天9点", "每晚9点" (每 + 晚9点), "每天早上8点".
const GLUED_DAILY = /^(每天|每日|天天|每)(.+)$/;
const GLUED_INSTANT = /^(即时|实时)(.*)$/;

export function weekdayName(day: number, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? `周${'一二三四五六日'[day - 1] ?? '?'}` : (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day - 1] ?? '?');
}

/** Picks the schedule words out of `words` (already split on spaces and commas). */
export function parseSchedule(typed: readonly string[]): ParsedSchedule {
  const words = fromPinyin(typed);
  const out: ParsedSchedule & { periodTime?: string } = { time: null, badTime: null, frequency: null, weekday: null, rest: [] };
  const takeTime = (word: string, written = word): boolean => {
    const t = parseTimeOfDay(word);
    if (t === null) return false;
    if (t.ok) out.time = t.time;
    else out.badTime ??= { word: written, reason: t.reason };
    return true;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const folded = word.normalize('NFKC').toLowerCase();
    // A time written in pieces ("早上 8 点", "8 点半"): short words that together are time-like.
    const pieces = timeInPieces(words, i);
    if (pieces > 1) {
      takeTime(words.slice(i, i + pieces).join(''), words.slice(i, i + pieces).join(' '));
      i += pieces - 1;
      continue;
    }
    // "as soon as (possible)", "right away": instant.
    if (folded === 'as' && timeForm(words[i + 1] ?? '') === 'soon' && timeForm(words[i + 2] ?? '') === 'as') {
      out.frequency = 'instant';
      i += 2;
      continue;
    }
    if (takeTime(word)) continue;
    if (INSTANT.has(folded)) {
      out.frequency = 'instant';
      continue;
    }
    if (DAILY.has(folded)) {
      out.frequency = 'daily';
      continue;
    }
    if (WEEKLY.has(folded)) {
      out.frequency = 'weekly';
      continue;
    }
    // "monday", "mondays": weekly on that day.
    const day = EN_DAYS[folded] ?? (folded.endsWith('s') ? EN_DAYS[folded.slice(0, -1)] : undefined);
    if (day !== undefined) {
      out.frequency = 'weekly';
      out.weekday = day;
      continue;
    }
    const cn = CN_WEEKDAY.exec(folded);
    if (cn && (cn[2] === '' || parseTimeOfDay(cn[2]!) !== null)) {
      out.frequency = 'weekly';
      out.weekday = CN_DAYS[cn[1]!]!;
      if (cn[2]) takeTime(cn[2], word);
      continue;
    }
    const glued = GLUED_DAILY.exec(folded) ?? GLUED_INSTANT.exec(folded);
    if (glued && (glued[2] === '' || parseTimeOfDay(glued[2]!) !== null)) {
      out.frequency = glued[1]!.startsWith('每') || glued[1] === '天天' ? 'daily' : 'instant';
      if (glued[2]) takeTime(glued[2], word);
      continue;
    }
    // "every day", "every Monday", "each morning": English written apart.
    const after = words[i + 1] === undefined ? undefined : timeForm(words[i + 1]!);
    // Monthly, which the bot does not offer: refused with the frequencies it does.
    if (folded === 'monthly' || ((folded === 'every' || folded === 'each') && after === 'month')) {
      out.badTime ??= { word: folded === 'monthly' ? word : `${word} ${words[i + 1]!}`, reason: 'monthly' };
      if (folded !== 'monthly') i++;
      continue;
    }
    if ((folded === 'every' || folded === 'each') && after !== undefined && EVERY[after] !== undefined) {
      applyEvery(out, EVERY[after]!);
      i++;
      continue;
    }
    if (EN_REST[folded] !== undefined) {
      applyEvery(out, EN_REST[folded]!);
      continue;
    }
    // A period of the day alone (早上, 傍晚): its usual hour, unless a time is said elsewhere.
    if (PERIOD_HOUR[folded] !== undefined) {
      out.periodTime ??= PERIOD_HOUR[folded]!;
      continue;
    }
    // Run together with other words ("每天早上8点推送公安的复工消息"): the schedule phrases inside it, the rest split off.
    const inside = scheduleInside(folded);
    if (inside.found) {
      // A refused phrase is named as found in the word (晚上13点), not with the words run on after it.
      for (const t of inside.times) takeTime(t);
      if (inside.badWeekday) out.badTime ??= { word: inside.badWeekday, reason: 'weekday' };
      if (inside.monthly) out.badTime ??= { word: inside.monthly, reason: 'monthly' };
      if (inside.frequency) out.frequency = inside.frequency;
      if (inside.weekday !== null) out.weekday = inside.weekday;
      if (inside.periodTime) out.periodTime ??= inside.periodTime;
      out.rest.push(...inside.rest);
      continue;
    }
    out.rest.push(word);
  }
  if (out.time === null && out.badTime === null && out.periodTime) out.time = out.periodTime;
  delete out.periodTime;
  return out;
}

/** How many words from `i` (2 to 4, each short) make one time-like word together; 0 when none. */
function timeInPieces(words: readonly string[], i: number): number {
  for (let n = 4; n >= 2; n--) {
    if (i + n > words.length) continue;
    const part = words.slice(i, i + n);
    if (part.some((w) => [...w].length > 6)) continue;
    if (parseTimeOfDay(part.join('')) !== null) return n;
  }
  return 0;
}

type Every = { frequency: Frequency; weekday?: number; time?: string };
/** After "every"/"each". */
const EVERY: Record<string, Every> = {
  day: { frequency: 'daily' },
  morning: { frequency: 'daily', time: '08:00' },
  evening: { frequency: 'daily', time: '20:00' },
  night: { frequency: 'daily', time: '20:00' },
  week: { frequency: 'weekly' },
  weekday: { frequency: 'daily' },
  ...Object.fromEntries(Object.entries(EN_DAYS).map(([k, d]) => [k, { frequency: 'weekly' as const, weekday: d }])),
};
/** English words that say a schedule on their own. */
const EN_REST: Record<string, Every> = {
  weekdays: { frequency: 'daily' },
  morning: { frequency: 'daily', time: '08:00' },
  evening: { frequency: 'daily', time: '20:00' },
  noon: { frequency: 'daily', time: '12:00' },
  'real-time': { frequency: 'instant' },
};

function applyEvery(out: ParsedSchedule & { periodTime?: string }, e: Every): void {
  if (e.frequency !== 'daily' || out.frequency === null) out.frequency = e.frequency;
  if (e.weekday !== undefined) out.weekday = e.weekday;
  if (e.time) out.periodTime ??= e.time;
}

const PINYIN_DAYS: Record<string, string> = { yi: '一', er: '二', san: '三', si: '四', wu: '五', liu: '六', ri: '日', tian: '天' };
const PINYIN_NUMBERS: Record<string, string> = {
  ...PINYIN_DAYS,
  liang: '两',
  qi: '七',
  ba: '八',
  jiu: '九',
  shi: '十',
  shiyi: '十一',
  shier: '十二',
};
/** Schedule words typed in pinyin (meitian, xingqisan xiawu 3 dian): the characters they spell. */
const PINYIN_WORDS: Record<string, string> = {
  meitian: '每天',
  meiri: '每日',
  tiantian: '天天',
  meizhou: '每周',
  meixingqi: '每星期',
  zaoshang: '早上',
  shangwu: '上午',
  zhongwu: '中午',
  xiawu: '下午',
  bangwan: '傍晚',
  wanshang: '晚上',
  jishi: '即时',
  shishi: '实时',
  mashang: '马上',
  ...Object.fromEntries(
    Object.entries(PINYIN_DAYS).flatMap(([p, d]) => [
      [`xingqi${p}`, `星期${d}`],
      [`zhou${p}`, `周${d}`],
      [`libai${p}`, `礼拜${d}`],
      [`meizhou${p}`, `每周${d}`],
    ]),
  ),
};

/** Words of a schedule typed in pinyin put in characters; a number in pinyin only before dian (san dian → 三点). */
function fromPinyin(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = timeForm(words[i]!);
    const next = timeForm(words[i + 1] ?? '');
    if (PINYIN_WORDS[w]) out.push(PINYIN_WORDS[w]!);
    else if (w === 'dian' && /^\d{1,2}$|[〇零一二两三四五六七八九十]$/.test(out[out.length - 1] ?? '')) out.push('点');
    else if (PINYIN_NUMBERS[w] && next === 'dian') out.push(PINYIN_NUMBERS[w]!);
    else if ((w === 'ban' || w === 'yike') && out[out.length - 1] === '点') out.push(w === 'ban' ? '半' : '一刻');
    else out.push(words[i]!);
  }
  return out;
}

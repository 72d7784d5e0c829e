/**
 * "/subscribe …" as people write it: the schedule (time, 每天/每周一/即时) anywhere, spaced or run together with
 * the rest ("每天早上8点推送公安和民政的复工消息"); then every agency named and the topic words, read by the
 * same understanding as search (`readFilters`, injected: core/search/understand's requestFilters in the bot).
 *
 * Nothing typed is lost silently: a time-like word that is no time is refused (badTime), and whatever is not
 * schedule, agency or a word that only asks (请, 推送, 消息) is kept as a keyword.
 */
import { parseSchedule } from '../schedule/parse-schedule.ts';
import type { Frequency } from '../schedule/parse-schedule.ts';
import type { TimeRefusal } from '../schedule/time-of-day.ts';

export interface SubscribeRequest {
  time: string | null;
  /** A word shaped like a time that is not one ("25点", "8:5"), and why. */
  badTime: { word: string; reason: TimeRefusal } | null;
  frequency: Frequency | null;
  weekday: number | null;
  filters: { agencies: string[]; keywords: string[] };
  /** Keywords typed in quotes: as typed only, never given near words (withNearWords). */
  exact: string[];
}

/** The agencies (canonical names) and topic words of a text. */
export type ReadFilters = (text: string) => { agencies: string[]; keywords: string[] };

export const MAX_FILTER_WORDS = 10;
/**
 * A topic in quotes ("人才", “人才”, ‘人才’, 「人才」), standing apart (spaces or punctuation around it), is a keyword
 * as typed: it never gets near words (withNearWords). Quotes inside a sentence (关于“不见面”审批的消息) only mark a
 * term, read as before; so are a quoted agency name, quoted words that only ask (“消息”) and a quoted time (“每天8点”).
 */
const QUOTED = /(?<=^|[\s\p{P}])["“”‘’「『]([^"“”‘’「」『』]{1,50})["“”‘’」』](?=$|[\s\p{P}])/gu;
// After NFKC the full-width ，；。！？ are ASCII; a colon stays inside its word (7：30 is a time, 关键词：复工 is read by readFilters).
const WORD_BREAK = /[\s,、;。!?]+/u;

const exactTopic = (text: string, readFilters: ReadFilters): string | null => {
  const s = parseSchedule(text.split(WORD_BREAK).filter(Boolean));
  if (s.time !== null || s.frequency !== null || s.badTime !== null) return null;
  const read = readFilters(text);
  if (read.agencies.length > 0 || read.keywords.length === 0) return null;
  const word = text.trim().toLowerCase().replace(/\s+/g, ' ');
  return word || null;
};

export function parseSubscribeRequest(payload: string, readFilters: ReadFilters): SubscribeRequest {
  const exact: string[] = [];
  const unquoted = payload.normalize('NFKC').replace(QUOTED, (all, inner: string) => {
    const topic = exactTopic(inner, readFilters);
    if (!topic) return all;
    if (!exact.includes(topic)) exact.push(topic);
    return ' ';
  });
  const words = unquoted
    .split(WORD_BREAK)
    .filter(Boolean)
    .slice(0, MAX_FILTER_WORDS * 4);
  const schedule = parseSchedule(words);
  const { agencies, keywords } = schedule.rest.length > 0 ? readFilters(schedule.rest.join(' ')) : { agencies: [], keywords: [] };
  const { time, badTime, frequency, weekday } = schedule;
  const kept = [...exact, ...keywords.filter((k) => !exact.includes(k))].filter((k) => [...k].length <= 50).slice(0, MAX_FILTER_WORDS);
  return {
    time,
    badTime,
    frequency,
    weekday,
    filters: { agencies: agencies.slice(0, MAX_FILTER_WORDS), keywords: kept },
    exact: exact.filter((k) => kept.includes(k)),
  };
}

/** Near words per word, at most this many, for a topic that no measure holds as typed. */
const MAX_NEAR_PER_TOPIC = 6;

export interface NearWordSource {
  /** Whether some measure holds the word (as search finds it: folded). */
  holds(word: string): boolean;
  /** The word's near words (data/near-words.json, as search reads them). */
  near(word: string): readonly string[];
}

/**
 * A topic no measure holds as typed (律师, visa, 招人) also subscribes to its near words (法律服务; 签证; 招聘,
 * 岗位), as search turns to them when the word as typed finds nothing: they are stored as further keywords, so
 * the reply and /settings show exactly what a digest matches, and a digest matches keywords as typed. A topic
 * the measures hold (人才, 复工) stays as typed: its near words (人员, 开工) are often broader, and a digest,
 * unlike a page of results, has no ranking to put them last. In a topic of several words (外籍 员工), each word no
 * measure holds is replaced by its near words in turn. Quoted keywords (`exact`) are never expanded.
 */
export function withNearWords(
  keywords: readonly string[],
  exact: readonly string[],
  words: NearWordSource,
): { keywords: string[]; added: [string, string[]][] } {
  const out: string[] = [];
  const added: [string, string[]][] = [];
  const push = (k: string) => {
    if (!out.includes(k)) out.push(k);
  };
  for (const k of keywords) {
    push(k);
    if (exact.includes(k)) continue;
    const parts = k.split(' ');
    const variants: string[] = [];
    parts.forEach((part, i) => {
      if (words.holds(part)) return;
      for (const n of words.near(part)) variants.push([...parts.slice(0, i), n, ...parts.slice(i + 1)].join(' '));
    });
    const fresh = [...new Set(variants)].filter((v) => v !== k && !keywords.includes(v)).slice(0, MAX_NEAR_PER_TOPIC);
    if (fresh.length === 0) continue;
    fresh.forEach(push);
    added.push([k, fresh]);
  }
  return { keywords: out, added };
}

/**
 * What a plain message in a private chat asks for, when it is not a search: to subscribe ("每天早上8点把公安的
 * 消息推送给我", "订阅复工"), or to stop ("退订", "别再推送了"). Conservative: a subscription needs the word
 * 订阅/subscribe, or a sending verb (推送, 提醒我, 发给我) together with a schedule; a question about it (怎么订阅)
 * is a request for help. Anything else is a search.
 */
export type SubscribeIntent = 'subscribe' | 'unsubscribe' | 'help' | null;

const UNSUBSCRIBE = /退订|退訂|取消订阅|取消訂閱|不要再?(推送|发|發)|别再?(推送|发)|unsubscribe|stop (sending|the digest)/iu;
const SUBSCRIBE_WORD = /订阅|訂閱|subscribe|订一?下|訂一?下/iu;
const SENDING = /推送|提醒我|通知我|发给我|發給我|发我|给我发|給我發|notify me|send me|remind me/iu;
const HOW = /怎么|怎样|如何|咋|怎麼|how (do|can|to)|\?$|？$/iu;

export function subscribeIntent(text: string): SubscribeIntent {
  const t = text.normalize('NFKC').trim();
  if (t === '' || t.startsWith('/') || [...t].length > 200) return null;
  if (UNSUBSCRIBE.test(t)) return 'unsubscribe';
  const asks = SUBSCRIBE_WORD.test(t);
  if (asks && HOW.test(t)) return 'help';
  if (asks) return 'subscribe';
  if (!SENDING.test(t)) return null;
  const schedule = parseSchedule(t.split(WORD_BREAK).filter(Boolean));
  return schedule.time !== null || schedule.frequency !== null || schedule.badTime !== null ? 'subscribe' : null;
}

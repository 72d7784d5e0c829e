/**
 * The filters a request names, as a subscription or /latest reads them: every agency named (by any alias,
 * run together or not: 公安司法民政 is three), and the topic words left once the words that only ask for
 * something (请, 帮我订阅, 推送, 消息, 的, 和) are dropped. The same segmenter, tables and whole-word agency
 * matching as search (planQuery), so a word means the same in /subscribe as in /search.
 *
 * Unlike a query, a request keeps every agency (a query filters by one) and does not cap its words.
 */
import { normalizeForSearch } from '../normalize.ts';
import { agencyMentions } from './agency-intent.ts';
import { MENTION_OR_LINK, contentWords, dropPhrases, segmentsOf } from './plan.ts';
import type { PlanContext } from './plan.ts';

export interface RequestFilters {
  /** Canonical agency names, in the order named, each once. */
  agencies: string[];
  /** Topics (folded), in the order typed, each once, none inside another: the words of one topic joined by a space (a measure must hold them all). */
  keywords: string[];
}

const HAN_CHAR = /^[\u3400-\u9fff]$/u;
/** "所有部门", "不限部门", "全部": every agency, said in words. */
const ALL_AGENCIES = /^(所有|全部|不限|任何|各)(部门|单位|机构)?$/;

/** Quotes and title marks glued to words on both sides mark a term inside a phrase (关于“不见面”审批): not a break between topics. */
const TERM_MARK = /(?<=[\p{L}\p{N}])["“”‘’「」『』《》〈〉]+(?=[\p{L}\p{N}])/gu;

/** Introducing oneself (我是商会的, 我们是外贸公司): who asks, not what about. */
const SELF_INTRODUCTION = /(?:^|[\s,.;!?])(?:我|我们)是[^\s,.;!?]*/gu;

export function requestFilters(input: string, ctx: PlanContext): RequestFilters {
  const agencies: string[] = [];
  let folded = normalizeForSearch(input).replace(MENTION_OR_LINK, ' ').replace(SELF_INTRODUCTION, ' ').replace(TERM_MARK, '');
  // English names of several words (public security bureau, justice bureau): the segments of a Latin text are
  // its words, each a chunk of its own, so these are looked for in the text first, longest first.
  if (/[a-z] [a-z]/.test(folded))
    for (const { alias, at } of latinNames(ctx.aliases)) {
      if (!folded.includes(alias) || !at.test(folded)) continue;
      const agency = ctx.aliases.get(alias)!;
      if (!agencies.includes(agency)) agencies.push(agency);
      folded = folded.replace(at, ' ');
    }
  const segments = segmentsOf(folded, ctx);
  const taken = new Uint8Array(segments.length);
  for (const m of agencyMentions(segments, ctx.aliases)) {
    taken.fill(1, m.from, m.to);
    if (!agencies.includes(m.agency)) agencies.push(m.agency);
  }
  const { tables } = ctx;
  dropPhrases(segments, taken, (phrase) =>
    tables.stop.has(phrase) ||
    tables.generic.has(phrase) ||
    tables.latest.has(phrase) ||
    tables.request.has(phrase) ||
    ALL_AGENCIES.test(phrase)
      ? 'stop'
      : null,
  );
  const { raw, groups } = contentWords(segments, taken, ctx);
  // Words typed together are one topic, all of whose words a measure must hold (社会组织 → "社会 组织"); separate
  // topics are alternatives. A lone character left between dropped words (群 + 里) is no topic, unless the
  // measures' titles use it as a word.
  const topics: string[][] = [];
  raw.forEach((w, i) => {
    if (HAN_CHAR.test(w) && !ctx.measuresUse?.(w)) return;
    (topics[groups[i]!] ??= []).push(w);
  });
  const unique = [...new Set(topics.filter(Boolean).map((t) => t.join(' ')))];
  return { agencies, keywords: unique.filter((w) => !unique.some((o) => o !== w && o.includes(w))) };
}

const latinCache = new WeakMap<PlanContext['aliases'], { alias: string; at: RegExp }[]>();
/** The aliases of more than one Latin word, longest first, each with the pattern that finds it as whole words. */
function latinNames(aliases: PlanContext['aliases']): { alias: string; at: RegExp }[] {
  let names = latinCache.get(aliases);
  if (!names) {
    names = [...aliases.keys()]
      .filter((k) => /^[a-z][a-z .&'-]* [a-z .&'-]*[a-z]$/.test(k))
      .sort((a, b) => b.length - a.length)
      .map((alias) => ({ alias, at: new RegExp(`(?<![a-z])${alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z])`, 'u') }));
    latinCache.set(aliases, names);
  }
  return names;
}

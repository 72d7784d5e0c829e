import { z } from 'zod';
import { simplify } from './search/normalize.ts';
import { foldKey } from './text.ts';

/** An agency name's key: foldKey, with traditional characters read as simplified (上海市經濟和信息化委員會). */
const nameKey = (text: string): string => foldKey(simplify(text));

/**
 * The agency directory: canonical names, short names, English names and aliases (data/agencies.json).
 *
 * Rules a reader can find here:
 * - An alias matches a whole name, never the inside of a longer agency name: 出入境检验检疫局 is not
 *   公安局 for containing 出入境, "Shanghai Law Society" is not 司法局 for containing "law".
 * - A longer mention still resolves when the alias is itself an agency name (ends in 局, 委, 办…) or the
 *   rest is a sub-unit (上海市公安局金山分局, 静安公安分局, 浦东警方).
 * - "Did you mean" ranks by edit distance to any alias (公按 → 上海市公安局 first).
 */
export const agencyConfigSchema = z.object({
  agencies: z.array(
    z.object({
      name: z.string().min(1),
      short: z.string().min(1).optional(),
      en: z.string().min(1).optional(),
      aliases: z.array(z.string().min(1)).default([]),
    }),
  ),
  /** News outlets and accounts a 来源 may name instead of an agency (data/outlets.json): 上海发布, 警民直通车-上海. */
  outlets: z.array(z.string().min(1)).default([]),
});
export type AgencyConfig = z.infer<typeof agencyConfigSchema>;
export type AgencyInfo = AgencyConfig['agencies'][number];

/** One agency named inside a longer text (a query, a 来源 line), by a whole-word alias. */
export interface AgencyMention {
  agency: string;
  /** The alias as configured. */
  alias: string;
  /** Where it starts in the text as normalised by normalizeForMentions(). */
  index: number;
}

export interface AgencyDirectory {
  /** Canonical name for a name, alias or loose mention ("警方", "上海市公安局交通警察总队"), or null. */
  resolve(input: string): string | null;
  /** Canonical name only when the whole input is a name or alias (no containment, no fragments). */
  resolveExact(input: string): string | null;
  /** Agencies named in a longer text by whole-word aliases, longest match first at each place, in text order. */
  mentions(text: string): AgencyMention[];
  /** Whether a 来源 names a news outlet or account rather than an agency ("上海发布", "警民直通车-上海", "澎湃新闻"). */
  isOutlet(source: string): boolean;
  /** Whether the canonical name is one the configuration knows (else it came from a bulletin's 来源). */
  isKnown(name: string): boolean;
  /** Closest canonical names to an unknown input, best first. */
  suggest(input: string, limit?: number): string[];
  info(name: string): AgencyInfo | undefined;
  names(): string[];
  /** Returns a directory that also knows these names (agencies met only in bulletins). */
  withExtra(names: Iterable<string>): AgencyDirectory;
}

/** An alias ending like this is an agency's own name, so a longer text starting with it is that agency or a unit of it. */
const AGENCY_SUFFIX = /(?:局|委|委员会|厅|办|办公室|署|总部|中心|院|会|部|队|站|关|所|处|司|联|室|分局|分行|政府)$/u;
/** After an alias that is not itself a full name, these make the whole a unit of that agency (静安公安分局). */
const SUB_UNIT = /^(?:分局|局|总队|支队|大队|派出所|交警|部门|分院|系统|机关|窗口|干警|民警)/u;
/** After any alias, these start a different organisation (上海海关学院, 上海市科委研究会). */
const OTHER_BODY = /^(?:学院|大学|学校|学会|协会|研究会|研究院|研究所|集团|公司|报社|报|杂志|医院|基金会)/u;
/** English words that may surround an alias without naming a different body. */
const LATIN_FILLER = new Set(['shanghai', 'municipal', 'municipality', 'city', 'the', 'of', 'government', 'people', 'peoples', 's', 'sh']);

const latinWords = (text: string): string[] =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
const hasLatin = (text: string) => /[a-z]/i.test(text.normalize('NFKC'));
const isCjk = (key: string) => /\p{Script=Han}/u.test(key);

/** The form mentions() matches and reports indexes in: NFKC, lower case, spacing and punctuation removed. */
export const normalizeForMentions = nameKey;

/**
 * Whether `alias` (folded) found at `at` in `key` (folded) is a whole word there. Exported for callers
 * that hold their own alias lists (query understanding).
 */
export function isWholeWordAt(key: string, alias: string, at: number): boolean {
  if (key.slice(at, at + alias.length) !== alias) return false;
  const rest = key.slice(at + alias.length);
  if (rest === '') return true;
  if (OTHER_BODY.test(rest)) return false;
  return AGENCY_SUFFIX.test(alias) || SUB_UNIT.test(rest);
}

/** Latin aliases: the alias's words appear in order and every other word is filler ("Shanghai police"). */
function latinWholeWord(input: string, alias: string): boolean {
  const words = latinWords(input);
  const want = latinWords(alias);
  if (want.length === 0 || words.length < want.length) return false;
  for (let i = 0; i + want.length <= words.length; i++) {
    if (want.every((w, k) => words[i + k] === w)) {
      const others = [...words.slice(0, i), ...words.slice(i + want.length)];
      if (others.every((w) => LATIN_FILLER.has(w))) return true;
    }
  }
  return false;
}

/** Edit distance over code points (short strings: names and queries). */
function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

export function createAgencyDirectory(config: AgencyConfig, extra: Iterable<string> = []): AgencyDirectory {
  const infos = new Map<string, AgencyInfo>();
  for (const a of config.agencies) infos.set(a.name, a);
  for (const name of extra) if (!infos.has(name)) infos.set(name, { name, aliases: [] });
  const known = new Set(config.agencies.map((a) => a.name));

  // key → canonical, and the alias as written; longest keys first for containment so "公安交警" beats "公安".
  const exact = new Map<string, { name: string; alias: string }>();
  for (const a of infos.values()) {
    for (const alias of [a.name, a.short, a.en, ...a.aliases]) {
      if (!alias) continue;
      const key = nameKey(alias);
      if (key && !exact.has(key)) exact.set(key, { name: a.name, alias });
    }
  }
  const byLength = [...exact.entries()].sort((x, y) => y[0].length - x[0].length);
  const latinAliases = byLength.filter(([, v]) => hasLatin(v.alias));

  // "上海发布微信公众号", "澎湃新闻客户端": an outlet with the kind of channel after it is the outlet.
  const outletKeys = new Set((config.outlets ?? []).map((o) => nameKey(o)));
  const CHANNEL = /(?:官方)?(?:微信公众号|公众号|微信|官微|微博|客户端|app|网站|网|头条号|视频号)$/u;
  const isOutlet = (source: string): boolean => {
    const key = nameKey(source);
    if (key === '' || outletKeys.has(key) || outletKeys.has(key.replace(CHANNEL, ''))) return key !== '';
    // "新民晚报记者 张三", "澎湃新闻 记者 李四": an outlet's name followed by a byline.
    for (const k of outletKeys)
      if ([...k].length >= 3 && key.startsWith(k) && /^(?:记者|通讯员|编辑|作者|报道|讯)/u.test(key.slice(k.length))) return true;
    return false;
  };

  const resolveExact = (input: string): string | null => exact.get(nameKey(input))?.name ?? null;

  const mentions = (text: string): AgencyMention[] => {
    const key = nameKey(text);
    // Where the words the user typed apart end ("公安 复工": after 公安): an alias ending there is a whole word.
    const ends = new Set<number>();
    let at0 = 0;
    for (const token of text.split(/[\s\p{P}\p{S}]+/u)) {
      at0 += nameKey(token).length;
      ends.add(at0);
    }
    const out: AgencyMention[] = [];
    const taken = new Uint8Array(key.length);
    for (const [alias, { name, alias: written }] of byLength) {
      // One Latin letter or one CJK character is too weak to count as a mention.
      if ([...alias].length < 2 || !isCjk(alias)) continue;
      for (let at = key.indexOf(alias); at !== -1; at = key.indexOf(alias, at + 1)) {
        if (taken.subarray(at, at + alias.length).some((t) => t === 1) || !(ends.has(at + alias.length) || isWholeWordAt(key, alias, at)))
          continue;
        taken.fill(1, at, at + alias.length);
        out.push({ agency: name, alias: written, index: at });
      }
    }
    if (hasLatin(text)) {
      for (const [, { name, alias }] of latinAliases) {
        if (latinWholeWord(text, alias) && !out.some((m) => m.agency === name))
          out.push({ agency: name, alias, index: key.indexOf(nameKey(alias)) });
      }
    }
    return out.sort((a, b) => a.index - b.index);
  };

  const resolve = (input: string): string | null => {
    const key = nameKey(input);
    if (!key) return null;
    const hit = exact.get(key);
    if (hit) return hit.name;
    // A longer mention that starts with or holds a whole agency name: "上海市公安局金山分局" → 上海市公安局.
    const found = mentions(input);
    if (found.length > 0 && found.every((m) => m.agency === found[0]!.agency)) return found[0]!.agency;
    // A fragment of exactly one canonical name: "科学技术" → 上海市科学技术委员会.
    if ([...key].length >= 2 && isCjk(key)) {
      const names = [...infos.keys()].filter((n) => nameKey(n).includes(key));
      if (names.length === 1) return names[0]!;
    }
    return null;
  };

  const suggest = (input: string, limit = 3): string[] => {
    const key = nameKey(input);
    if (!key) return [];
    const len = [...key].length;
    const best = new Map<string, number>();
    for (const [alias, { name }] of exact) {
      const distance = levenshtein(key, alias);
      // At most half the typed characters wrong or missing: "公按" → 公安, "polise" → police; "xyz" → nothing.
      if (distance > Math.max(1, Math.floor(len / 2))) continue;
      const score = 1 - distance / Math.max(len, [...alias].length);
      if (score >= 0.5 && score > (best.get(name) ?? 0)) best.set(name, score);
    }
    return [...best.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].length - b[0].length)
      .slice(0, limit)
      .map(([n]) => n);
  };

  return {
    resolve,
    resolveExact,
    mentions,
    isOutlet,
    isKnown: (name) => known.has(name),
    suggest,
    info: (name) => infos.get(name),
    names: () => [...infos.keys()],
    withExtra: (names) =>
      createAgencyDirectory(
        config,
        [...infos.keys(), ...names].filter((n) => !known.has(n)),
      ),
  };
}

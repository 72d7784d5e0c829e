/**
 * Agency intent: an agency's name or alias typed anywhere in a query, run together with other words
 * or not, becomes an agency filter. Matching is by whole words of the segmented query: an alias must
 * cover whole segments, and an alias followed by the rest of another organisation's name
 * (出入境 + 检验检疫局) names that organisation, not the agency.
 */
import type { AgencyDirectory } from '../../agencies.ts';
import { normalizeForSearch } from '../normalize.ts';

/** A few characters then an organisation's ending: an alias followed by this is part of a longer name (出入境 + 检验检疫局). */
const ORGANISATION_REST = /^[\u3400-\u9fff]{0,6}?(局|委员会|委|办公室|厅|署|院|中心|总队|支队|大队|检查站)/;
/** Words that name a part of the same agency (上海公安 + 分局): they do not make it another organisation. */
const SUBDIVISION = /^(分局|总队|支队|大队|派出所|警署|处|科|办|办公室)$/;
/** Words joining names in a list. */
const AND = new Set(['和', '及', '跟', '与', '以及', '或', '或者', '同', '还有', '并']);
/** Longest alias, in segments, looked for. */
const MAX_SPAN = 5;

export interface AgencyAliases {
  /** Canonical name for a folded name or alias, or undefined. */
  get(folded: string): string | undefined;
  /** Every folded alias (for the segmenter's user dictionary). */
  keys(): Iterable<string>;
}

/** The directory's names, short names, English names and aliases, folded as search folds. */
export function agencyAliases(directory: Pick<AgencyDirectory, 'names' | 'info'>): AgencyAliases {
  const map = new Map<string, string>();
  for (const name of directory.names()) {
    const info = directory.info(name);
    for (const alias of [name, info?.short, info?.en, ...(info?.aliases ?? [])]) {
      if (!alias) continue;
      const key = normalizeForSearch(alias).trim();
      if (key && !map.has(key)) map.set(key, name);
    }
  }
  return { get: (k) => map.get(k), keys: () => map.keys() };
}

export interface AgencyMention {
  /** Canonical agency name. */
  agency: string;
  /** Read from pinyin (pudong): a name typed as such (police) is preferred. */
  fromPinyin?: boolean;
  /** Segments [from, to) of the query that name it. */
  from: number;
  to: number;
  /** The words as typed (folded). */
  typed: string;
}

/**
 * The agency a segmented query names (segments with the chunk they were typed in; spans never
 * cross a separator): its mention first, then the other spans naming the same agency (公安 … 交警).
 */
export function findAgency(
  segments: readonly { text: string; chunk: number; fromPinyin?: boolean }[],
  aliases: AgencyAliases,
): AgencyMention[] {
  const all = agencyMentions(segments, aliases);
  // A name typed as such (police) before one read from pinyin (Pudong police: the police, 浦东 a word).
  const typed = all.filter((m) => !m.fromPinyin);
  return chooseAgency(typed.length > 0 ? typed : all, segments);
}

/** Every agency a segmented text names, in order, by whole-word aliases (longest first at each place). */
export function agencyMentions(
  segments: readonly { text: string; chunk: number; fromPinyin?: boolean }[],
  aliases: AgencyAliases,
): AgencyMention[] {
  const found: AgencyMention[] = [];
  for (let i = 0; i < segments.length; i++) {
    let hit: AgencyMention | null = null;
    let joined = '';
    const spans: [number, string][] = [];
    for (let j = i; j < segments.length && j - i < MAX_SPAN && segments[j]!.chunk === segments[i]!.chunk; j++) {
      joined += segments[j]!.text;
      spans.push([j + 1, joined]);
    }
    for (let s = spans.length - 1; s >= 0 && !hit; s--) {
      const [to, text] = spans[s]!;
      const agency = aliases.get(text);
      if (agency && !partOfAnotherName(segments, to, agency, aliases))
        hit = { agency, from: i, to, typed: text, ...(segments.slice(i, to).some((x) => x.fromPinyin) ? { fromPinyin: true } : {}) };
    }
    if (!hit) continue;
    found.push(hit);
    i = hit.to - 1;
  }
  return found;
}

/**
 * One agency filters a query. Of names typed run together, the last is the head (浦东 + 警方: the
 * Pudong police, so 公安局, with 浦东 left as a word); of separate ones, the first. Mentions of other
 * agencies are left as words; every mention of the chosen one is taken out.
 */
function chooseAgency(found: AgencyMention[], segments: readonly { chunk: number }[]): AgencyMention[] {
  if (found.length <= 1) return found;
  let head = 0;
  while (
    head + 1 < found.length &&
    found[head + 1]!.from === found[head]!.to &&
    segments[found[head + 1]!.from]!.chunk === segments[found[head]!.from]!.chunk
  )
    head++;
  const agency = found[head]!.agency;
  return [found[head]!, ...found.filter((m, i) => i !== head && m.agency === agency)];
}

/** Whether the segments after `to` (same chunk) finish another organisation's name. */
function partOfAnotherName(
  segments: readonly { text: string; chunk: number }[],
  to: number,
  agency: string,
  aliases: AgencyAliases,
): boolean {
  const chunk = segments[to - 1]!.chunk;
  // A list goes on (公安和司法局, 科委及人社局): the next name is another agency, not the rest of this one's.
  // The next words name an agency themselves (科委人社局): another agency follows, this one's name is whole.
  if (to < segments.length && segments[to]!.chunk === chunk && (AND.has(segments[to]!.text) || aliases.get(segments[to]!.text)))
    return false;
  let rest = '';
  for (let k = to; k < segments.length && k < to + 3 && segments[k]!.chunk === chunk; k++) {
    const w = segments[k]!.text;
    // The same agency again (公安 + 交警) or a part of it (公安 + 分局) keeps the mention.
    if (aliases.get(w) === agency || SUBDIVISION.test(w)) return false;
    rest += w;
  }
  return ORGANISATION_REST.test(rest);
}

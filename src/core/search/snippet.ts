import { foldPart, foldWithMap, foldsOneToOne, matchesUnfolded } from './normalize.ts';
import { normalizeKeyword } from './query.ts';
import { JoinedText, foldedHay, foldsOneToOneUpTo } from './snippet-text.ts';
import type { Hay, SnippetText } from './snippet-text.ts';

export interface Snippet {
  /** A slice of the original text (never normalised), with '…' where it was cut. */
  text: string;
  /** Sorted, non-overlapping [start, end) ranges of `text` to highlight; the caller escapes HTML. */
  marks: [start: number, end: number][];
}

const ELLIPSIS = '…';

/** Share of the window shown before the first match: enough to read into it, most of it after. */
const LEAD_SHARE = 1 / 3;

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * A window of at most maxChars UTF-16 units (ellipses included) around the first keyword match,
 * with every keyword match inside it marked. Without a match it is the beginning of the text.
 */
export function makeSnippet(text: string, keywords: readonly string[], maxChars = 80): Snippet {
  return createSnippetter(keywords)(text, maxChars);
}

/** makeSnippet for one query's keywords (see createSnippetter). */
export interface Snippetter {
  /** oneToOne: the caller knows every unit of text folds to one unit, so it need not be checked. */
  (text: string, maxChars?: number, oneToOne?: boolean): Snippet;
  /** The snippet of parts.join(sep), reading the parts in place instead of joining them. */
  ofParts(parts: readonly string[], sep: string, maxChars?: number, oneToOne?: boolean): Snippet;
}

/**
 * makeSnippet for one query's keywords, normalised once for every text of a result page. Only the
 * matches before the window's end are collected. Keywords are looked for in the text as it is (CJK)
 * or folded unit by unit as it is read (Latin, digits), which is exact as far as every unit folds to
 * one unit (nearly all bulletin text): that is checked only as far as the matches used reach, not
 * through a long body; other text takes the exact, slower way.
 */
export function createSnippetter(keywords: readonly string[]): Snippetter {
  const needles = [...new Set(keywords.map(normalizeKeyword).filter((k) => k !== ''))];
  // Keywords made of units only themselves fold to (CJK) match the original text where they match the folded one.
  const unfolded = needles.every(matchesUnfolded);
  const longest = needles.reduce((n, k) => Math.max(n, k.length), 0);
  const cursor = new Int32Array(needles.length);
  // How far into the text the last windowed() call looked: matches starting before it decided the snippet.
  let reach = 0;

  /** The snippet from matches in hay, a text of the same length whose positions are the text's. */
  const windowed = (hay: Hay, text: SnippetText, limit: number): Snippet => {
    // Match ranges as pairs [start, end, start, end, ...]: a page builds ten snippets, better without a tuple per match.
    const ranges: number[] = [];
    let first = -1;
    for (let k = 0; k < needles.length; k++) {
      const at = hay.indexOf(needles[k]!);
      cursor[k] = at;
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    if (first === -1 || text.length <= limit) {
      // No match, or the whole text is shown: every match (there are few in a short text).
      if (first !== -1) for (let k = 0; k < needles.length; k++) collect(hay, needles[k]!, cursor[k]!, text.length, ranges);
      reach = text.length;
      return snippetOfRanges(text, limit, ranges);
    }
    // The first merged range: matches chained by overlap or contact from the first one, as merging them would.
    let end = first;
    for (let grew = true; grew;) {
      grew = false;
      for (let k = 0; k < needles.length; k++) {
        const n = needles[k]!;
        for (let at = cursor[k]!; at !== -1 && at <= end; at = cursor[k] = hay.indexOf(n, at + n.length)) {
          ranges.push(at, at + n.length);
          if (at + n.length > end) {
            end = at + n.length;
            grew = true;
          }
        }
      }
    }
    windowOf(text, limit, first, end - first);
    const to = windowTo;
    for (let k = 0; k < needles.length; k++) collect(hay, needles[k]!, cursor[k]!, to, ranges);
    // Any match starting at or before max(end, to) lies within this much of the text.
    reach = Math.min(text.length, Math.max(end, to) + longest);
    return snippetOfRanges(text, limit, ranges);
  };

  const snip = (text: SnippetText, limit: number, oneToOne: boolean): Snippet => {
    // Where units fold one to one, positions in the folded text are positions in the text.
    const snippet = windowed(unfolded ? text : foldedHay(text), text, limit);
    if (oneToOne || foldsOneToOneUpTo(text, reach)) return snippet;
    const whole = text.toString();
    return snippetOfRanges(whole, limit, mappedRanges(whole, needles));
  };

  // Parts are read in place when no match can span a separator: it is not empty, folds to itself
  // and holds no character of any keyword.
  const inPlace = new Map<string, boolean>();
  const joinsInPlace = (sep: string): boolean => {
    let ok = inPlace.get(sep);
    if (ok === undefined) {
      ok = sep !== '' && foldsOneToOne(sep) && foldPart(sep) === sep && !needles.some((k) => [...sep].some((c) => k.includes(c)));
      inPlace.set(sep, ok);
    }
    return ok;
  };

  const snippetter = (text: string, maxChars = 80, oneToOne = false): Snippet => snip(text, Math.max(1, Math.floor(maxChars)), oneToOne);
  snippetter.ofParts = (parts: readonly string[], sep: string, maxChars = 80, oneToOne = false): Snippet => {
    const limit = Math.max(1, Math.floor(maxChars));
    if (parts.length === 1) return snip(parts[0]!, limit, oneToOne);
    return snip(joinsInPlace(sep) ? new JoinedText(parts, sep) : parts.join(sep), limit, oneToOne && foldsOneToOne(sep));
  };
  return snippetter;
}

/** Matches of needle from `at` (its next match, or -1) that start before `before`, as range pairs. */
function collect(hay: Hay, needle: string, at: number, before: number, out: number[]): void {
  for (; at !== -1 && at < before; at = hay.indexOf(needle, at + needle.length)) out.push(at, at + needle.length);
}

/** Every match as an original-text range pair, through the position map of a text that does not fold unit by unit. */
function mappedRanges(text: string, needles: readonly string[]): number[] {
  const { folded, start, end } = foldWithMap(text);
  const ranges: number[] = [];
  for (const k of needles) {
    for (let at = folded.indexOf(k); at !== -1; at = folded.indexOf(k, at + k.length)) ranges.push(start[at]!, end[at + k.length - 1]!);
  }
  return ranges;
}

// What windowOf found: the window [windowFrom, windowTo).
let windowFrom = 0;
let windowTo = 0;

/** The window of a text longer than limit, for a first match at `first` of length matchLen, into windowFrom/windowTo. */
function windowOf(text: SnippetText, limit: number, first: number, matchLen: number): void {
  // Room for both ellipses; one of them is given back when the window touches an end.
  const budget = Math.max(1, limit - 2);
  let from = Math.max(0, first - Math.floor(Math.max(0, budget - matchLen) * LEAD_SHARE));
  let to = from + budget;
  if (from === 0) to = limit - 1;
  else if (to >= text.length) {
    to = text.length;
    from = Math.max(0, text.length - (limit - 1));
  }
  // Never split a surrogate pair: a lone half would render as garbage.
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from++;
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to--;
  windowFrom = from;
  windowTo = to;
}

/**
 * Sorts range pairs by start, the longer first among equal starts, in place: an insertion sort, as
 * there are a handful and Array.prototype.sort would allocate for them.
 */
function sortRanges(r: number[]): void {
  for (let i = 2; i < r.length; i += 2) {
    const s = r[i]!;
    const e = r[i + 1]!;
    let j = i - 2;
    while (j >= 0 && (r[j]! > s || (r[j] === s && r[j + 1]! < e))) {
      r[j + 2] = r[j]!;
      r[j + 3] = r[j + 1]!;
      j -= 2;
    }
    r[j + 2] = s;
    r[j + 3] = e;
  }
}

/** The snippet of text for its match range pairs (any order; those past the window may be missing). */
function snippetOfRanges(text: SnippetText, limit: number, ranges: number[]): Snippet {
  sortRanges(ranges);
  // Merged in place: overlapping or touching ranges become one.
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (n > 0 && ranges[i]! <= ranges[n - 1]!) ranges[n - 1] = Math.max(ranges[n - 1]!, ranges[i + 1]!);
    else {
      ranges[n++] = ranges[i]!;
      ranges[n++] = ranges[i + 1]!;
    }
  }

  let from = 0;
  let to = text.length;
  if (text.length > limit) {
    if (n === 0) {
      to = limit - 1;
      if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to--;
    } else {
      windowOf(text, limit, ranges[0]!, ranges[1]! - ranges[0]!);
      from = windowFrom;
      to = windowTo;
    }
  }

  const prefix = from > 0 ? ELLIPSIS : '';
  const suffix = to < text.length ? ELLIPSIS : '';
  const shift = prefix.length - from;
  const marks: [number, number][] = [];
  for (let i = 0; i < n; i += 2) {
    const cs = Math.max(ranges[i]!, from);
    const ce = Math.min(ranges[i + 1]!, to);
    if (cs < ce) marks.push([cs + shift, ce + shift]);
  }
  return { text: prefix + text.slice(from, to) + suffix, marks };
}

import { foldPart, foldWithMap, foldsOneToOne, normalizeForSearch } from './normalize.ts';

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
  const needles = [...new Set(keywords.map(normalizeForSearch).filter((k) => k !== ''))];

  // Matches as original-text ranges; indexOf takes the needle literally, whatever characters it holds.
  const ranges: [number, number][] = [];
  if (foldsOneToOne(text)) {
    // Nearly all bulletin text: one unit folds to one unit, so folded positions are original positions.
    const folded = foldPart(text);
    for (const k of needles) {
      for (let at = folded.indexOf(k); at !== -1; at = folded.indexOf(k, at + k.length)) ranges.push([at, at + k.length]);
    }
  } else {
    const { folded, start, end } = foldWithMap(text);
    for (const k of needles) {
      for (let at = folded.indexOf(k); at !== -1; at = folded.indexOf(k, at + k.length)) {
        ranges.push([start[at]!, end[at + k.length - 1]!]);
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }

  const limit = Math.max(1, Math.floor(maxChars));
  let from = 0;
  let to = text.length;
  if (text.length > limit) {
    const first = merged[0];
    // Room for both ellipses; one of them is given back when the window touches an end.
    const budget = Math.max(1, limit - 2);
    if (!first) {
      to = limit - 1;
    } else {
      const matchLen = first[1] - first[0];
      from = Math.max(0, first[0] - Math.floor(Math.max(0, budget - matchLen) * LEAD_SHARE));
      to = from + budget;
      if (from === 0) to = limit - 1;
      else if (to >= text.length) {
        to = text.length;
        from = Math.max(0, text.length - (limit - 1));
      }
    }
    // Never split a surrogate pair: a lone half would render as garbage.
    if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from++;
    if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to--;
  }

  const prefix = from > 0 ? ELLIPSIS : '';
  const suffix = to < text.length ? ELLIPSIS : '';
  const shift = prefix.length - from;
  const marks: [number, number][] = [];
  for (const [s, e] of merged) {
    const cs = Math.max(s, from);
    const ce = Math.min(e, to);
    if (cs < ce) marks.push([cs + shift, ce + shift]);
  }
  return { text: prefix + text.slice(from, to) + suffix, marks };
}

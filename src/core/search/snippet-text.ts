import { foldUnit, foldsOneToOne, matchesUnfolded } from './normalize.ts';

/** Where a snippet looks for its keywords. */
export interface Hay {
  indexOf(needle: string, from?: number): number;
}

/** What a snippet reads of its text: a string does, and so do parts joined in place (JoinedText). */
export interface SnippetText extends Hay {
  readonly length: number;
  slice(start: number, end: number): string;
  charCodeAt(at: number): number;
}

/**
 * parts.join(sep) read where the parts are, so a measure's body paragraphs need not be copied into
 * one string to cut a snippet from its first lines. indexOf only finds a needle inside one part:
 * the caller makes sure no needle holds a character of sep, so none can span a separator.
 */
export class JoinedText implements SnippetText {
  readonly length: number;
  /** Where each part starts in the joined text. */
  private readonly starts: number[];

  constructor(
    readonly parts: readonly string[],
    readonly sep: string,
  ) {
    this.starts = [];
    let at = 0;
    for (const p of parts) {
      this.starts.push(at);
      at += p.length + sep.length;
    }
    this.length = parts.length === 0 ? 0 : at - sep.length;
  }

  /** The part holding position at, or the separator right after it. */
  private partAt(at: number): number {
    const s = this.starts;
    let p = 0;
    while (p + 1 < s.length && s[p + 1]! <= at) p++;
    return p;
  }

  indexOf(needle: string, from = 0): number {
    return this.indexOfBy(needle, from, (part, k, at) => part.indexOf(k, at));
  }

  /** indexOf with find(part, needle, from) looking inside each part. */
  indexOfBy(needle: string, from: number, find: (part: string, needle: string, from: number) => number): number {
    for (let p = this.partAt(Math.max(0, from)); p < this.parts.length; p++) {
      const at = find(this.parts[p]!, needle, Math.max(0, from - this.starts[p]!));
      if (at !== -1) return this.starts[p]! + at;
    }
    return -1;
  }

  slice(start: number, end: number): string {
    start = Math.max(0, start);
    end = Math.min(this.length, end);
    let out = '';
    for (let p = this.partAt(start); p < this.parts.length && this.starts[p]! < end; p++) {
      const s = this.starts[p]!;
      const part = this.parts[p]!;
      out += part.slice(Math.max(0, start - s), Math.max(0, end - s));
      const sepAt = s + part.length;
      if (p + 1 < this.parts.length && sepAt < end) out += this.sep.slice(Math.max(0, start - sepAt), end - sepAt);
    }
    return out;
  }

  charCodeAt(at: number): number {
    if (at < 0 || at >= this.length) return NaN;
    const p = this.partAt(at);
    const local = at - this.starts[p]!;
    const part = this.parts[p]!;
    return local < part.length ? part.charCodeAt(local) : this.sep.charCodeAt(local - part.length);
  }

  toString(): string {
    return this.parts.join(this.sep);
  }
}

/**
 * Whether every unit of text up to `reach` folds to one unit (positions in the folded text are then
 * positions in the text). Joined parts are judged whole, which may only say no more often.
 */
export function foldsOneToOneUpTo(text: SnippetText, reach: number): boolean {
  if (typeof text === 'string') return foldsOneToOne(reach >= text.length ? text : text.slice(0, reach));
  const joined = text as JoinedText;
  if (joined.parts.length > 1 && !foldsOneToOne(joined.sep)) return false;
  let at = 0;
  for (const p of joined.parts) {
    if (at >= reach && at > 0) break;
    if (!foldsOneToOne(p)) return false;
    at += p.length + joined.sep.length;
  }
  return true;
}

/**
 * The text folded unit by unit as it is searched, without a folded copy: for keywords with Latin
 * letters or digits, which the text may hold in another case or width. A keyword's first unit that
 * only itself folds to (one of its CJK characters) lets the engine's indexOf find the candidates.
 */
export function foldedHay(text: SnippetText): Hay {
  const find = (t: string, k: string, from: number): number => indexOfFolded(t, k, from);
  return typeof text === 'string'
    ? { indexOf: (k, from = 0) => indexOfFolded(text, k, from) }
    : { indexOf: (k, from = 0) => (text as JoinedText).indexOfBy(k, from, find) };
}

const anchors = new Map<string, number>();
const anchorOf = (k: string): number => {
  let a = anchors.get(k);
  if (a === undefined) {
    a = -1;
    for (let j = 0; j < k.length && a === -1; j++) if (matchesUnfolded(k[j]!)) a = j;
    if (anchors.size > 256) anchors.clear();
    anchors.set(k, a);
  }
  return a;
};

const matchAt = (t: string, at: number, k: string): boolean => {
  for (let j = 0; j < k.length; j++) if (foldUnit(t.charCodeAt(at + j)) !== k.charCodeAt(j)) return false;
  return true;
};

/** indexOf of a normalised keyword k in t as folded unit by unit. */
export function indexOfFolded(t: string, k: string, from = 0): number {
  const last = t.length - k.length;
  const anchor = anchorOf(k);
  if (anchor !== -1) {
    const ch = k[anchor]!;
    for (let p = t.indexOf(ch, from + anchor); p !== -1 && p - anchor <= last; p = t.indexOf(ch, p + 1))
      if (matchAt(t, p - anchor, k)) return p - anchor;
    return -1;
  }
  const k0 = k.charCodeAt(0);
  for (let at = Math.max(0, from); at <= last; at++) if (foldUnit(t.charCodeAt(at)) === k0 && matchAt(t, at, k)) return at;
  return -1;
}

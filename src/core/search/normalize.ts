/**
 * Search normalisation: the one definition of "the same characters" shared by the query parser,
 * the index and the snippet highlighter, so a keyword that parses also matches and highlights.
 * Folds: NFKC (full-width → half-width, compatibility forms), lower case, invisible characters
 * dropped, and traditional / variant characters to simplified one to one (復 → 复, see VARIANT).
 */
import { VARIANT } from './understand/variants.ts';

/** Invisible characters that users paste along with copied text; they must never decide a match. */
export const ZERO_WIDTH = /[\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\u00AD]/g;

/**
 * NFKC folds full-width Latin/digits ("１０万", "ＴＥＬＥＧＲＡＭ") so they meet their ASCII spelling.
 * (A table-driven fast path was measured on bulletin text: no faster than ICU's NFKC, so it is not used here.)
 */
export function normalizeForSearch(text: string): string {
  return simplify(text.normalize('NFKC').toLowerCase().replace(ZERO_WIDTH, ''));
}

/** Traditional and variant characters replaced by their simplified form (unit for unit, so lengths stay). */
export function simplify(text: string): string {
  let i = 0;
  for (; i < text.length; i++) if (VARIANT[text.charCodeAt(i)] !== 0) break;
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = VARIANT[c]!;
    out += String.fromCharCode(v !== 0 ? v : c);
  }
  return out;
}

/**
 * What one UTF-16 unit folds to when NFKC + lower-casing of it alone is known without context:
 * the unit itself, another single unit, or -1 when the slow path must decide. Covers what bulletins
 * are made of: ASCII, CJK ideographs, CJK punctuation that NFKC keeps, full-width forms it maps to ASCII.
 */
const FOLD = new Int32Array(65536).fill(-1);
{
  for (let c = 0x0a; c <= 0x0d; c++) FOLD[c] = c;
  for (let c = 0x20; c <= 0x7e; c++) FOLD[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
  for (let c = 0x4e00; c <= 0x9fff; c++) FOLD[c] = c; // CJK Unified Ideographs: NFKC leaves them alone.
  for (let c = 0x3400; c <= 0x4dbf; c++) FOLD[c] = c; // Extension A.
  for (const c of [0x3001, 0x3002, 0x3003, 0x3005, 0x3006, 0x3007, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x00b7, 0x2022, 0x25cf, 0x25c6])
    FOLD[c] = c;
  for (let c = 0x3008; c <= 0x3011; c++) FOLD[c] = c; // 〈〉《》「」『』【】
  // Full-width ASCII variants: NFKC maps each to its ASCII character.
  for (let c = 0xff01; c <= 0xff5e; c++) {
    const a = c - 0xfee0;
    FOLD[c] = a >= 0x41 && a <= 0x5a ? a + 32 : a;
  }
  FOLD[0x3000] = 0x20; // ideographic space
  // Traditional and variant characters take the exact path: text holding them is kept normalised by
  // the index (foldOneToOneOrCopy), so a simplified keyword still needs no folding of the rest (SOLE).
  for (let c = 0; c < 65536; c++) if (VARIANT[c] !== 0) FOLD[c] = -1;
  // Letters NFKC could combine with a following mark are still safe: a mark has no entry, so such text takes the slow path.
  // Ideographs have no compatibility decomposition by definition; check the rest against ICU once.
  for (let c = 0; c < 65536; c++) {
    if (FOLD[c] === -1 || (c >= 0x3400 && c <= 0x9fff)) continue;
    const ch = String.fromCharCode(c);
    if (normalizeForSearch(ch) !== String.fromCharCode(FOLD[c]!)) throw new Error(`fold table wrong for U+${c.toString(16)}`);
  }
}

/** Whether every unit of text has a context-free, one-unit fold (then folding unit by unit equals folding the whole). */
export const foldsOneToOne = (text: string): boolean => foldsFast(text);

function foldsFast(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (FOLD[text.charCodeAt(i)] === -1) return false;
  return true;
}

let foldBuf = new Uint16Array(4096);
const utf16 = new TextDecoder('utf-16le');
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The parts normalised (normalizeForSearch) and joined by '\n' — what the index stores per entry.
 * When every unit has a table fold (nearly all bulletin text), folds into one buffer and decodes it
 * once: several times faster than String.normalize, and the result is a flat string. Anything else
 * takes the exact slow path.
 */
export function normalizeAndJoin(parts: readonly string[]): string {
  let len = parts.length;
  for (const p of parts) len += p.length;
  if (foldBuf.length < len) foldBuf = new Uint16Array(len * 2);
  const buf = foldBuf;
  let k = 0;
  for (let pi = 0; pi < parts.length && LITTLE_ENDIAN; pi++) {
    if (pi > 0) buf[k++] = 10;
    const p = parts[pi]!;
    for (let i = 0; i < p.length; i++) {
      const f = FOLD[p.charCodeAt(i)]!;
      if (f === -1) return parts.map(normalizeForSearch).join('\n');
      buf[k++] = f;
    }
  }
  if (!LITTLE_ENDIAN) return parts.map(normalizeForSearch).join('\n');
  return utf16.decode(buf.subarray(0, k));
}

export interface FoldedText {
  /** Normalised text, as normalizeForSearch would give for almost all input. */
  folded: string;
  /** For each folded code unit, the original index where its source character starts. */
  start: Int32Array;
  /** For each folded code unit, the original index just after its source character. */
  end: Int32Array;
}

/**
 * Normalises character by character so every folded position maps back to the original text.
 * Differs from normalizeForSearch only for sequences NFKC composes across characters
 * (a letter followed by a combining accent), which bulletins do not contain.
 */
export function foldWithMap(text: string): FoldedText {
  if (foldsFast(text)) {
    // One unit in, one unit out: the map is the identity.
    const n = text.length;
    const start = new Int32Array(n);
    const end = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      start[i] = i;
      end[i] = i + 1;
    }
    return { folded: normalizeForSearch(text), start, end };
  }
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = normalizeForSearch(ch);
    out += f;
    for (let k = 0; k < f.length; k++) {
      start.push(i);
      end.push(i + ch.length);
    }
    i += ch.length;
  }
  return { folded: out, start: Int32Array.from(start), end: Int32Array.from(end) };
}

/**
 * One part normalised (normalizeForSearch), returning the very same string when folding leaves it
 * unchanged (CJK text, lower-case ASCII): the index then keeps a reference to the entry's own
 * string instead of a second copy.
 */
export function foldPart(part: string): string {
  const n = part.length;
  let i = 0;
  for (; i < n; i++) {
    const c = part.charCodeAt(i);
    if (FOLD[c] !== c) break;
  }
  if (i === n) return part;
  if (!LITTLE_ENDIAN || !foldsFast(part)) return normalizeForSearch(part);
  if (foldBuf.length < n) foldBuf = new Uint16Array(n * 2);
  for (let j = 0; j < n; j++) foldBuf[j] = FOLD[part.charCodeAt(j)]!;
  return utf16.decode(foldBuf.subarray(0, n));
}

/**
 * The fold of one UTF-16 unit when it is context-free (see FOLD), else the unit itself. The index
 * reads entry text through it, so it needs no folded copy of text that folds one unit to one unit.
 */
export const foldUnit = (c: number): number => {
  const f = FOLD[c]!;
  return f === -1 ? c : f;
};

/**
 * Units that only themselves fold to (no upper-case, full-width or other variant does): a keyword
 * made of them matches the original text exactly where it matches the folded text, so it can be
 * checked without folding (CJK ideographs, most CJK punctuation). Latin letters and digits are not.
 */
const SOLE = new Uint8Array(65536);
{
  const preimages = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) if (FOLD[c] !== -1) preimages[FOLD[c]!]!++;
  for (let c = 0; c < 65536; c++) if (FOLD[c] === c && preimages[c] === 1) SOLE[c] = 1;
}

/** Whether every unit of a normalised keyword is one only itself folds to (then no folding is needed to find it). */
export function matchesUnfolded(keyword: string): boolean {
  for (let i = 0; i < keyword.length; i++) if (!SOLE[keyword.charCodeAt(i)]) return false;
  return true;
}

/** The part itself when it folds one unit to one unit (the index folds it as it reads), else its normalised copy. */
export function foldOneToOneOrCopy(part: string): string {
  return foldsFast(part) ? part : normalizeForSearch(part);
}

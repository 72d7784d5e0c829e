/**
 * Traditional and variant characters folded to their simplified form, one character to one, so
 * 復產 / 複工 / 裡 meet 复产 / 复工 / 里 in documents and queries alike. Built from opencc-js's t2cn
 * tables (OpenCC's TSCharacters, with the Taiwan and Hong Kong variant tables applied first), taking
 * only entries that map one BMP character to one BMP character: a fold that changed the text's length
 * would break the index's position arithmetic. Phrase-level conversion (乾 as 干 or 乾) is not
 * attempted: a fold only has to be the same on both sides, not linguistically right.
 */
import { from, to } from 'opencc-js/preset/t2cn';

/** For each UTF-16 unit the simplified unit it folds to, or 0 when it folds to itself. */
export const VARIANT = new Uint16Array(65536);

/** Entries of an OpenCC dictionary string ("src dst|src dst1 dst2|…") that map one BMP unit to one (the first choice). */
function pairsOf(dict: unknown): [number, number][] {
  const out: [number, number][] = [];
  const entries =
    typeof dict === 'string'
      ? dict.split('|').map((e) => e.split(' '))
      : Array.isArray(dict)
        ? (dict as [string, string][]).map(([s, d]) => [s, ...d.split(' ')])
        : [];
  for (const [src, dst] of entries) {
    if (src === undefined || dst === undefined || src.length !== 1 || dst.length !== 1) continue;
    out.push([src.charCodeAt(0), dst.charCodeAt(0)]);
  }
  return out;
}

/** Characters (not phrases) of a preset's dictionary groups: the last dictionary of each group is its character table. */
const characterTables = (groups: readonly (readonly unknown[])[] | undefined): unknown[] => (groups ?? []).map((g) => g[g.length - 1]);

{
  const variantsFirst = [...characterTables(from.tw), ...characterTables(from.hk)];
  const simplify = characterTables(to.cn);
  const ts = new Map<number, number>();
  for (const table of simplify) for (const [s, d] of pairsOf(table)) if (!ts.has(s)) ts.set(s, d);
  const variant = new Map<number, number>();
  for (const table of variantsFirst) for (const [s, d] of pairsOf(table)) if (!variant.has(s)) variant.set(s, d);
  // A simplified character (a target of the t2cn table) stays itself: Taiwan's table would turn 么 into 幺.
  const simplified = new Set(ts.values());
  for (const c of new Set([...ts.keys(), ...variant.keys()])) {
    if (simplified.has(c)) continue;
    const v = variant.get(c) ?? c;
    const d = ts.get(v) ?? v;
    if (d !== c) VARIANT[c] = d;
  }
  // A target that itself folds would make folding not idempotent: fold targets are left as they are.
  for (let c = 0; c < 65536; c++) if (VARIANT[c] !== 0 && VARIANT[VARIANT[c]!] !== 0) VARIANT[VARIANT[c]!] = 0;
}

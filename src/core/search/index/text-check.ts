/**
 * Checking a keyword against documents' text: whether it occurs, how often (up to a cap) and whether
 * in the title. Grams only narrow a keyword of three or more units to candidates; the text decides.
 *
 * A check's answer ("found") is -1 when the keyword does not occur, else occurrences * 2 + 1 when
 * the first lies in the title (+ 0 otherwise) — what the store's countMany gives too.
 */
import { foldUnit, matchesUnfolded } from '../normalize.ts';
import { W_TITLE } from './weights.ts';
import type { Documents } from './documents.ts';

/** From this many documents to check, text the store gives is read in bulk (DocumentText.fieldsOfMany). */
const BULK_MIN_DOCS = 64;

/** A found value as a posting weight byte (title flag, occurrences), -1 when not found. */
export const weightOf = (found: number): number => (found === -1 ? -1 : (found & 1 ? W_TITLE : 0) | (found >>> 1));

/** How a keyword is looked for in fields, worked out once per keyword. */
interface Needle {
  text: string;
  /** Its units fold only from themselves (CJK): indexOf on the fields as they are finds it. */
  plain: boolean;
  /** A unit of it that folds only from itself, to find candidates positions with indexOf; -1 when none. */
  anchor: number;
}

const needleOf = (k: string): Needle => {
  let anchor = -1;
  for (let j = 0; j < k.length && anchor === -1; j++) if (matchesUnfolded(k[j]!)) anchor = j;
  // A keyword with a newline (only ever passed to the index directly) may span fields: checked folded on the joined text.
  return { text: k, plain: matchesUnfolded(k) && !k.includes('\n'), anchor };
};

export class TextCheck {
  private needle: Needle = needleOf('');

  constructor(private readonly documents: Documents) {}

  private needleFor(k: string): Needle {
    if (this.needle.text !== k) this.needle = needleOf(k);
    return this.needle;
  }

  /** Whether k occurs in document d and how often, up to max (see the header). */
  find(d: number, k: string, max: number): number {
    return this.findIn(this.documents.fieldsOf(d), k, max);
  }

  findIn(fields: readonly string[], k: string, max: number): number {
    if (fields.length === 0) return -1;
    const needle = this.needleFor(k);
    const parts = k.includes('\n') ? [fields.join('\n')] : fields;
    const titleEnd = fields[0]!.length;
    let count = 0;
    let inTitle = 0;
    for (let f = 0; f < parts.length && count < max; f++) {
      const t = parts[f]!;
      let at = needle.plain ? t.indexOf(k) : indexOfFolded(t, needle, 0);
      if (at !== -1 && count === 0 && f === 0 && at + k.length <= titleEnd) inTitle = 1;
      while (at !== -1 && ++count < max) at = needle.plain ? t.indexOf(k, at + 1) : indexOfFolded(t, needle, at + 1);
    }
    return count === 0 ? -1 : count * 2 + inTitle;
  }

  /**
   * find(d, k, max) for documents list[0, n), handed to each(i, found) in any order (-1 for
   * tombstones). With many, text the store gives is read at once in its file order; a keyword that
   * needs no folding the store counts itself (one pass over each read instead of one per field).
   */
  eachFound(list: Int32Array, n: number, k: string, max: number, each: (i: number, found: number) => void): void {
    const docs = this.documents;
    const store = docs.store;
    const count = this.needleFor(k).plain ? store?.countMany : undefined;
    const read = store?.fieldsOfMany;
    if (!store || n < BULK_MIN_DOCS || (!count && !read)) {
      for (let i = 0; i < n; i++) each(i, this.find(list[i]!, k, max));
      return;
    }
    const at: number[] = [];
    const keys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const d = list[i]!;
      if (docs.textInStore(d)) {
        keys[at.length] = docs.textKey[d]!;
        at.push(i);
      } else each(i, docs.alive[d] ? this.find(d, k, max) : -1);
    }
    if (at.length === 0) return;
    const inStore = keys.subarray(0, at.length);
    if (count) count.call(store, inStore, k, max, (j, found) => each(at[j]!, found));
    else read!.call(store, inStore, (j, fields) => each(at[j]!, this.findIn(fields, k, max)));
  }
}

/** indexOf of a keyword in t folded unit by unit, without building the folded string. */
function indexOfFolded(t: string, needle: Needle, from: number): number {
  const k = needle.text;
  const last = t.length - k.length;
  const matchAt = (at: number): boolean => {
    for (let j = 0; j < k.length; j++) if (foldUnit(t.charCodeAt(at + j)) !== k.charCodeAt(j)) return false;
    return true;
  };
  if (needle.anchor !== -1) {
    const a = needle.anchor;
    for (let p = t.indexOf(k[a]!, from + a); p !== -1 && p - a <= last; p = t.indexOf(k[a]!, p + 1)) if (matchAt(p - a)) return p - a;
    return -1;
  }
  const k0 = k.charCodeAt(0);
  for (let at = from; at <= last; at++) if (foldUnit(t.charCodeAt(at)) === k0 && matchAt(at)) return at;
  return -1;
}

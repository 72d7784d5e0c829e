/**
 * Grams: every single UTF-16 unit and every pair of neighbouring units of a document's folded text,
 * one numbering for both. A keyword of one or two units is found exactly by its gram; a longer one
 * must contain all its bigrams, which narrows the documents whose text is then checked.
 *
 * Per document and gram the index keeps a weight byte: whether the gram occurs in the title
 * (W_TITLE) and how often (W_COUNT, saturating).
 */
import { foldUnit } from '../normalize.ts';
import { BigramTable, bigramKey, growInt32, isSkipped } from './primitives.ts';
import { W_COUNT, W_TITLE } from './weights.ts';

export class Grams {
  /** Gram number per UTF-16 unit, -1 when it never occurred. */
  unigrams = new Int32Array(65536).fill(-1);
  bigrams = new BigramTable();
  count = 0;

  // While one document is collected: per gram the last document it was seen in and its weight there.
  private lastDoc = new Int32Array(1024).fill(-1);
  /** Per gram its weight in the document last collected (valid for the grams in `found`). */
  weight = new Int32Array(1024);
  /** The distinct grams of the document last collected: found[0, foundCount). */
  found = new Int32Array(1024);
  foundCount = 0;

  /** Forgets every gram (before a build numbers them again). */
  reset(): void {
    this.unigrams = new Int32Array(65536).fill(-1);
    this.bigrams = new BigramTable();
    this.count = 0;
    this.lastDoc.fill(-1);
  }

  /** Takes grams as a snapshot kept them. */
  restore(unigrams: Int32Array<ArrayBuffer>, bigrams: BigramTable, count: number): void {
    this.unigrams = unigrams;
    this.bigrams = bigrams;
    this.count = count;
    this.lastDoc = new Int32Array(Math.max(1024, count)).fill(-1);
    this.weight = new Int32Array(this.lastDoc.length);
  }

  /** The gram of a keyword of one or two indexable units, -1 when it occurs nowhere. */
  gramOf(text: string): number {
    return text.length === 1 ? this.unigrams[text.charCodeAt(0)]! : this.bigrams.get(bigramKey(text.charCodeAt(0), text.charCodeAt(1)));
  }

  /**
   * Collects document d's distinct grams into found (their weights in weight). Fields are folded
   * unit by unit as they are read and stay apart: no gram spans two of them. Whitespace and control
   * characters are not indexed (see isSkipped).
   */
  collect(fields: readonly string[], d: number): void {
    let len = 0;
    for (const f of fields) len += f.length;
    if (this.found.length < 2 * len) this.found = new Int32Array(Math.max(2 * len, this.found.length * 2));
    this.foundCount = 0;
    for (let f = 0; f < fields.length; f++) {
      const t = fields[f]!;
      const title = f === 0 ? W_TITLE : 0;
      let c = t.length > 0 ? foldUnit(t.charCodeAt(0)) : 0;
      for (let i = 0; i < t.length; i++) {
        const next = i + 1 < t.length ? foldUnit(t.charCodeAt(i + 1)) : 32;
        if (!isSkipped(c)) {
          let g = this.unigrams[c]!;
          if (g === -1) g = this.unigrams[c] = this.newGram();
          this.note(g, d, title);
          if (!isSkipped(next)) {
            g = this.bigrams.getOrAdd(bigramKey(c, next), this.count);
            if (g === this.count) this.newGram();
            this.note(g, d, title);
          }
        }
        c = next;
      }
    }
  }

  private note(g: number, d: number, title: number): void {
    if (this.lastDoc[g] !== d) {
      this.lastDoc[g] = d;
      this.weight[g] = 1 | title;
      this.found[this.foundCount++] = g;
    } else {
      const w = this.weight[g]!;
      this.weight[g] = ((w & W_COUNT) < W_COUNT ? w + 1 : w) | title;
    }
  }

  private newGram(): number {
    const g = this.count++;
    if (g >= this.lastDoc.length) {
      this.lastDoc = growInt32(this.lastDoc, g + 1, -1);
      this.weight = growInt32(this.weight, g + 1, 0);
    }
    return g;
  }
}

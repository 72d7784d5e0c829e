/**
 * The measures' own words with how many measures hold each, for "did you mean": a word of a query
 * that no measure contains is compared with words of the same length that differ in one character
 * (复公 → 复工, the commonest typing slip with a pinyin keyboard picking the wrong homophone).
 */
export class Vocabulary {
  private readonly df = new Map<string, number>();
  /** Per word with one character replaced by '\u0000', the words that give it. */
  private readonly neighbours = new Map<string, string[]>();

  /** Adds one measure's words (each counted once per measure). */
  addDocument(words: Iterable<string>): void {
    for (const w of new Set(words)) {
      if (w.length < 2 || w.length > 8 || !/^[\u3400-\u9fff]+$/.test(w)) continue;
      const n = this.df.get(w);
      this.df.set(w, (n ?? 0) + 1);
      if (n !== undefined) continue;
      for (let i = 0; i < w.length; i++) {
        const key = w.slice(0, i) + '\u0000' + w.slice(i + 1);
        const list = this.neighbours.get(key);
        if (list) list.push(w);
        else this.neighbours.set(key, [w]);
      }
    }
  }

  get size(): number {
    return this.df.size;
  }

  /** Every word with how many measures hold it. */
  entries(): Iterable<[string, number]> {
    return this.df.entries();
  }

  /** How many measures (of those added) hold the word. */
  frequency(word: string): number {
    return this.df.get(word) ?? 0;
  }

  /** Known words one character away from `word`, most frequent first (among the measures learnt from). */
  suggest(word: string, limit = 8): string[] {
    if (word.length < 2) return [];
    const found = new Set<string>();
    for (let i = 0; i < word.length; i++)
      for (const w of this.neighbours.get(word.slice(0, i) + '\u0000' + word.slice(i + 1)) ?? []) if (w !== word) found.add(w);
    return [...found].sort((a, b) => this.frequency(b) - this.frequency(a) || (a < b ? -1 : 1)).slice(0, limit);
  }
}

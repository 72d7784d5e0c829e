/**
 * The k best of a stream of scored documents, best first, without collecting the stream: a page of
 * search results needs 5 of maybe 30,000 matches. Candidates usually arrive in rank order among equal
 * scores (the index numbers its documents best-first), so a newcomer must score strictly higher than
 * the k-th to get in; documents out of that numbering (added since the build) pass their own order.
 */
export class TopK {
  docs: Int32Array;
  scores: Int32Array;
  size = 0;
  private k = 0;

  constructor(capacity: number) {
    this.docs = new Int32Array(capacity);
    this.scores = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.docs.length;
  }

  /** Empties it for a new stream; k must not exceed the capacity. */
  reset(k: number): void {
    if (k > this.docs.length) throw new RangeError(`TopK: k ${k} over capacity ${this.docs.length}`);
    this.k = k;
    this.size = 0;
  }

  get full(): boolean {
    return this.size >= this.k;
  }

  /** The k-th best score, which a candidate arriving in ascending order must beat; -1 while not full. */
  get bar(): number {
    return this.size >= this.k && this.k > 0 ? this.scores[this.k - 1]! : -1;
  }

  /**
   * A candidate ranked by score, then by the lower document number (the index numbers its base
   * documents best-first). Arriving in ascending order, one that does not beat the bar is turned away.
   */
  offer(doc: number, score: number): void {
    const k = this.k;
    const docs = this.docs;
    const scores = this.scores;
    if (k === 0 || (this.size >= k && (score < scores[k - 1]! || (score === scores[k - 1]! && doc > docs[k - 1]!)))) return;
    let i = this.size < k ? this.size++ : k - 1;
    while (i > 0 && (scores[i - 1]! < score || (scores[i - 1]! === score && docs[i - 1]! > doc))) {
      docs[i] = docs[i - 1]!;
      scores[i] = scores[i - 1]!;
      i--;
    }
    docs[i] = doc;
    scores[i] = score;
  }

  /** A candidate placed by before(a, scoreA, b, scoreB): whether a ranks before b. */
  offerOrdered(doc: number, score: number, before: (a: number, sa: number, b: number, sb: number) => boolean): void {
    const k = this.k;
    if (k === 0) return;
    const docs = this.docs;
    const scores = this.scores;
    if (this.size >= k && !before(doc, score, docs[k - 1]!, scores[k - 1]!)) return;
    let i = this.size < k ? this.size++ : k - 1;
    while (i > 0 && before(doc, score, docs[i - 1]!, scores[i - 1]!)) {
      docs[i] = docs[i - 1]!;
      scores[i] = scores[i - 1]!;
      i--;
    }
    docs[i] = doc;
    scores[i] = score;
  }
}

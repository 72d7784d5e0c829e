import type { StoredEntry } from '../model.ts';
import { normalizeForSearch } from './normalize.ts';

export type IndexableEntry = Pick<StoredEntry, 'id' | 'agency' | 'date' | 'title' | 'body' | 'bullets' | 'seq'>;

export interface SearchOptions {
  /** Canonical agency name (as stored on entries); only its measures are searched. */
  agency?: string;
  /** Hits per page; default DEFAULT_LIMIT. */
  limit?: number;
  /** Hits to skip, for paging; `total` is unaffected. */
  offset?: number;
}

export interface SearchHit {
  id: string;
  score: number;
}

export interface SearchResult {
  /** All entries matching every keyword (and the agency), not just this page. */
  total: number;
  hits: SearchHit[];
}

export interface SearchIndex {
  /** Adds an entry, or replaces the entry with the same id (a correction). */
  upsert(entry: IndexableEntry): void;
  /** Returns whether the id was present. */
  remove(id: string): boolean;
  has(id: string): boolean;
  readonly size: number;
  /**
   * Entries whose title, body, bullets or agency contain every keyword as a substring after
   * normalisation. Best first: title matches over body matches, then more occurrences, then newer
   * date, then higher seq. No keywords means every entry, newest first.
   */
  search(keywords: readonly string[], opts?: SearchOptions): SearchResult;
}

export const DEFAULT_LIMIT = 10;

/** Per keyword: a title hit outranks any number of body-only occurrences (OCCURRENCE_CAP < TITLE_WEIGHT). */
const TITLE_WEIGHT = 10;
const OCCURRENCE_CAP = 5;

// Posting weights: one byte per (gram, doc): whether the gram occurs inside the title, and how often.
const W_TITLE = 0x80;
const W_COUNT = 0x7f;

/**
 * Whitespace and control characters separate fields and keywords, so no keyword from parseQuery
 * contains them; not indexing grams with them saves space. A keyword that does contain one is
 * still answered exactly, by verification.
 */
const isSkipped = (c: number): boolean => c <= 32;

/** Open-addressing map from a bigram (two UTF-16 units packed in 32 bits) to a gram number. */
class BigramTable {
  private bits = 16;
  private keys = new Int32Array(1 << 16);
  private vals = new Int32Array(1 << 16).fill(-1);
  private count = 0;

  private slot(key: number): number {
    const mask = (1 << this.bits) - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
    while (this.vals[i] !== -1 && this.keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  get(key: number): number {
    return this.vals[this.slot(key)]!;
  }

  /** Returns the gram number for key, taking `next` if the key is new. */
  getOrAdd(key: number, next: number): number {
    let i = this.slot(key);
    const v = this.vals[i]!;
    if (v !== -1) return v;
    if ((this.count + 1) * 2 > 1 << this.bits) {
      this.grow();
      i = this.slot(key);
    }
    this.keys[i] = key;
    this.vals[i] = next;
    this.count++;
    return next;
  }

  private grow(): void {
    const { keys, vals } = this;
    this.bits++;
    this.keys = new Int32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits).fill(-1);
    for (let i = 0; i < keys.length; i++) {
      const v = vals[i]!;
      if (v === -1) continue;
      const s = this.slot(keys[i]!);
      this.keys[s] = keys[i]!;
      this.vals[s] = v;
    }
  }
}

const bigramKey = (a: number, b: number): number => (a << 16) | b;

function growInt32(arr: Int32Array<ArrayBuffer>, min: number, fill: number): Int32Array<ArrayBuffer> {
  if (arr.length >= min) return arr;
  const out = new Int32Array(Math.max(min, arr.length * 2)).fill(fill);
  out.set(arr);
  return out;
}

/** First index in [lo, hi) with arr[i] >= target; galloping because candidate lists are usually far shorter. */
function gallop(arr: Int32Array, lo: number, hi: number, target: number): number {
  let step = 1;
  let probe = lo;
  while (probe < hi && arr[probe]! < target) {
    lo = probe + 1;
    probe = lo + step;
    step *= 2;
  }
  if (probe > hi) probe = hi;
  while (lo < probe) {
    const mid = (lo + probe) >>> 1;
    if (arr[mid]! < target) lo = mid + 1;
    else probe = mid;
  }
  return lo;
}

/** Same as gallop over packed delta postings (doc * 256 + weight). */
function gallopPacked(arr: readonly number[], lo: number, target: number): number {
  const hi = arr.length;
  let step = 1;
  let probe = lo;
  while (probe < hi && arr[probe]! < target) {
    lo = probe + 1;
    probe = lo + step;
    step *= 2;
  }
  if (probe > hi) probe = hi;
  while (lo < probe) {
    const mid = (lo + probe) >>> 1;
    if (arr[mid]! < target) lo = mid + 1;
    else probe = mid;
  }
  return lo;
}

interface KeywordPlan {
  text: string;
  /** Gram whose posting list is exactly this keyword's matches (1–2 unit keywords), else -1. */
  exact: number;
}

/**
 * The k-th largest of the first n scores (small non-negative integers), or -1 when there are fewer:
 * anything whose best possible score is below it cannot reach the first k.
 */
function kthLargest(scores: Int32Array, n: number, k: number): number {
  if (k <= 0 || n < k) return -1;
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i]! > max) max = scores[i]!;
  const histogram = new Int32Array(max + 1);
  for (let i = 0; i < n; i++) histogram[scores[i]!]!++;
  let seen = 0;
  for (let s = max; s >= 0; s--) {
    seen += histogram[s]!;
    if (seen >= k) return s;
  }
  return -1;
}

function dateNumber(date: string): number {
  const n = Number(date.replace(/-/g, ''));
  return Number.isFinite(n) ? n : 0;
}

function toCount(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) || value < 0 ? fallback : Math.floor(value);
}

export function createSearchIndex(entries: Iterable<IndexableEntry> = []): SearchIndex {
  // Documents, by internal number. Removed or replaced documents stay as tombstones until a rebuild.
  let ids: string[] = [];
  let texts: string[] = [];
  let titleLens: number[] = [];
  let agencyOf: number[] = [];
  let dates: number[] = [];
  let seqs: number[] = [];
  let alive = new Uint8Array(0);
  let docCount = 0;
  let live = 0;
  const docById = new Map<string, number>();
  const agencyIds = new Map<string, number>();

  // Grams: single units and bigrams share one numbering.
  let unigrams = new Int32Array(65536).fill(-1);
  let bigrams = new BigramTable();
  let gramCount = 0;

  // Base postings, built in bulk (CSR): docs of gram g are baseDocs[baseOff[g] .. baseOff[g+1]).
  let baseGramCount = 0;
  let baseDocCount = 0;
  let baseOff = new Int32Array(1);
  let baseDocs = new Int32Array(0);
  let baseW = new Uint8Array(0);
  // Postings of documents added since the last build: doc * 256 + weight, ascending.
  let delta = new Map<number, number[]>();
  let deltaPostings = 0;

  // Scratch for one document's gram occurrences, reused so indexing allocates nothing per document.
  let scratchGrams = new Int32Array(1024);
  let scratchTitle = new Uint8Array(1024);

  /** Fills the scratch with doc's indexed gram occurrences (and whether each lies in the title); returns their count. */
  const collectGrams = (doc: number): number => {
    const t = texts[doc]!;
    const titleLen = titleLens[doc]!;
    const n = t.length;
    if (scratchGrams.length < 2 * n) {
      scratchGrams = new Int32Array(4 * n);
      scratchTitle = new Uint8Array(4 * n);
    }
    const grams = scratchGrams;
    const inTitle = scratchTitle;
    let k = 0;
    let c = n > 0 ? t.charCodeAt(0) : 0;
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? t.charCodeAt(i + 1) : 32;
      if (!isSkipped(c)) {
        let g = unigrams[c]!;
        if (g === -1) g = unigrams[c] = gramCount++;
        grams[k] = g;
        inTitle[k++] = i < titleLen ? W_TITLE : 0;
        if (!isSkipped(next)) {
          g = bigrams.getOrAdd(bigramKey(c, next), gramCount);
          if (g === gramCount) gramCount++;
          grams[k] = g;
          inTitle[k++] = i + 1 < titleLen ? W_TITLE : 0;
        }
      }
      c = next;
    }
    return k;
  };

  const addWeight = (w: number, inTitle: number): number => (((w & W_COUNT) < W_COUNT ? w + 1 : w) | inTitle);

  /** Rebuilds every posting list from the live documents, renumbering them densely. */
  const rebuild = (): void => {
    if (docCount !== live) {
      const keep: number[] = [];
      for (let d = 0; d < docCount; d++) if (alive[d]) keep.push(d);
      ids = keep.map((d) => ids[d]!);
      texts = keep.map((d) => texts[d]!);
      titleLens = keep.map((d) => titleLens[d]!);
      agencyOf = keep.map((d) => agencyOf[d]!);
      dates = keep.map((d) => dates[d]!);
      seqs = keep.map((d) => seqs[d]!);
      docCount = keep.length;
      alive = new Uint8Array(Math.max(16, docCount * 2));
      alive.fill(1, 0, docCount);
      docById.clear();
      ids.forEach((id, d) => docById.set(id, d));
    }
    unigrams = new Int32Array(65536).fill(-1);
    bigrams = new BigramTable();
    gramCount = 0;

    // Pass 1: document frequency per gram, to size each list exactly.
    let df = new Int32Array(1 << 16);
    let last = new Int32Array(1 << 16).fill(-1);
    for (let d = 0; d < docCount; d++) {
      const k = collectGrams(d);
      if (gramCount > df.length) {
        df = growInt32(df, gramCount, 0);
        last = growInt32(last, gramCount, -1);
      }
      const grams = scratchGrams;
      for (let i = 0; i < k; i++) {
        const g = grams[i]!;
        if (last[g] !== d) {
          last[g] = d;
          df[g]!++;
        }
      }
    }
    const off = new Int32Array(gramCount + 1);
    for (let g = 0; g < gramCount; g++) off[g + 1] = off[g]! + df[g]!;
    const total = off[gramCount]!;
    const docsOut = new Int32Array(total);
    const wOut = new Uint8Array(total);
    const cursor = off.slice(0, gramCount);
    last.fill(-1);

    // Pass 2: fill; documents are visited in order, so every list comes out sorted.
    for (let d = 0; d < docCount; d++) {
      const k = collectGrams(d);
      const grams = scratchGrams;
      const inTitle = scratchTitle;
      for (let i = 0; i < k; i++) {
        const g = grams[i]!;
        if (last[g] !== d) {
          last[g] = d;
          const p = cursor[g]!++;
          docsOut[p] = d;
          wOut[p] = 1 | inTitle[i]!;
        } else {
          const p = cursor[g]! - 1;
          wOut[p] = addWeight(wOut[p]!, inTitle[i]!);
        }
      }
    }
    baseGramCount = gramCount;
    baseDocCount = docCount;
    baseOff = off;
    baseDocs = docsOut;
    baseW = wOut;
    delta = new Map();
    deltaPostings = 0;
  };

  const addDocument = (entry: IndexableEntry): number => {
    const title = normalizeForSearch(entry.title);
    // Newlines keep fields apart, so a keyword never matches across the end of one field and the start of the next.
    const text = [title, ...entry.body.map(normalizeForSearch), ...entry.bullets.map(normalizeForSearch), normalizeForSearch(entry.agency)].join('\n');
    const d = docCount++;
    if (alive.length <= d) {
      const grown = new Uint8Array(Math.max(16, alive.length * 2));
      grown.set(alive);
      alive = grown;
    }
    ids[d] = entry.id;
    texts[d] = text;
    titleLens[d] = title.length;
    let agency = agencyIds.get(entry.agency);
    if (agency === undefined) agencyIds.set(entry.agency, (agency = agencyIds.size));
    agencyOf[d] = agency;
    dates[d] = dateNumber(entry.date);
    seqs[d] = entry.seq;
    alive[d] = 1;
    docById.set(entry.id, d);
    live++;
    return d;
  };

  const removeDocument = (id: string): boolean => {
    const d = docById.get(id);
    if (d === undefined) return false;
    alive[d] = 0;
    docById.delete(id);
    live--;
    return true;
  };

  const indexIncrementally = (d: number): void => {
    const weights = new Map<number, number>();
    const k = collectGrams(d);
    for (let i = 0; i < k; i++) {
      const g = scratchGrams[i]!;
      const w = weights.get(g);
      weights.set(g, w === undefined ? 1 | scratchTitle[i]! : addWeight(w, scratchTitle[i]!));
    }
    for (const [g, w] of weights) {
      let list = delta.get(g);
      if (!list) delta.set(g, (list = []));
      list.push(d * 256 + w);
    }
    deltaPostings += weights.size;
  };

  // A rebuild costs about as much as everything indexed so far, so it waits until the delta (or the
  // tombstones) are as large as the base: one-by-one upserts then cost amortised O(1) rebuilds each.
  const maybeRebuild = (): void => {
    const dead = docCount - live;
    if (deltaPostings > Math.max(100_000, baseDocs.length) || dead > Math.max(1_000, live)) rebuild();
  };

  for (const entry of entries) {
    removeDocument(entry.id);
    addDocument(entry);
  }
  rebuild();

  const postingLength = (g: number): number =>
    (g < baseGramCount ? baseOff[g + 1]! - baseOff[g]! : 0) + (delta.get(g)?.length ?? 0);

  /** The documents of gram g, ascending. */
  const postingDocs = (g: number): Int32Array => {
    const extra = delta.get(g) ?? [];
    const lo = g < baseGramCount ? baseOff[g]! : 0;
    const hi = g < baseGramCount ? baseOff[g + 1]! : 0;
    const out = new Int32Array(hi - lo + extra.length);
    out.set(baseDocs.subarray(lo, hi));
    for (let i = 0; i < extra.length; i++) out[hi - lo + i] = Math.floor(extra[i]! / 256);
    return out;
  };

  /** Keeps the candidates that are also in gram g's list. */
  const intersect = (cands: Int32Array, n: number, g: number): number => {
    const extra = delta.get(g);
    let lo = g < baseGramCount ? baseOff[g]! : 0;
    const hi = g < baseGramCount ? baseOff[g + 1]! : 0;
    let j = 0;
    let out = 0;
    for (let i = 0; i < n; i++) {
      const d = cands[i]!;
      if (d < baseDocCount) {
        lo = gallop(baseDocs, lo, hi, d);
        if (lo < hi && baseDocs[lo] === d) cands[out++] = d;
      } else if (extra) {
        j = gallopPacked(extra, j, d * 256);
        if (j < extra.length && extra[j]! < (d + 1) * 256) cands[out++] = d;
      }
    }
    return out;
  };

  /** Weights of gram g for the given ascending documents (all of which are in its list). */
  const weightsFor = (cands: Int32Array, n: number, g: number): Uint8Array => {
    const out = new Uint8Array(n);
    const extra = delta.get(g);
    let lo = g < baseGramCount ? baseOff[g]! : 0;
    const hi = g < baseGramCount ? baseOff[g + 1]! : 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const d = cands[i]!;
      if (d < baseDocCount) {
        lo = gallop(baseDocs, lo, hi, d);
        out[i] = baseW[lo]!;
      } else if (extra) {
        j = gallopPacked(extra, j, d * 256);
        out[i] = extra[j]! % 256;
      }
    }
    return out;
  };

  /** Plans the keywords; null when some indexed gram of a keyword occurs nowhere, so nothing can match. */
  const plan = (keywords: readonly string[]): { plans: KeywordPlan[]; grams: number[] } | null => {
    const plans: KeywordPlan[] = [];
    const grams = new Set<number>();
    for (const raw of keywords) {
      const text = normalizeForSearch(raw);
      if (text === '' || plans.some((p) => p.text === text)) continue;
      let exact = -1;
      if (text.length === 1) {
        const c = text.charCodeAt(0);
        if (!isSkipped(c)) {
          exact = unigrams[c]!;
          if (exact === -1) return null;
          grams.add(exact);
        }
      } else {
        for (let i = 0; i + 1 < text.length; i++) {
          const a = text.charCodeAt(i);
          const b = text.charCodeAt(i + 1);
          if (isSkipped(a) || isSkipped(b)) continue;
          const g = bigrams.get(bigramKey(a, b));
          if (g === -1) return null;
          grams.add(g);
          if (text.length === 2) exact = g;
        }
      }
      plans.push({ text, exact });
    }
    return { plans, grams: [...grams] };
  };

  const search = (keywords: readonly string[], opts: SearchOptions = {}): SearchResult => {
    const limit = toCount(opts.limit, DEFAULT_LIMIT);
    const offset = toCount(opts.offset, 0);
    const empty: SearchResult = { total: 0, hits: [] };
    let agency = -1;
    if (opts.agency !== undefined) {
      const a = agencyIds.get(opts.agency);
      if (a === undefined) return empty;
      agency = a;
    }
    const planned = plan(keywords);
    if (!planned) return empty;
    const { plans, grams } = planned;

    // Candidates: intersection of the gram lists, rarest first so the working set shrinks fastest.
    let cands: Int32Array;
    let n: number;
    if (grams.length === 0) {
      cands = new Int32Array(docCount);
      for (let d = 0; d < docCount; d++) cands[d] = d;
      n = docCount;
    } else {
      grams.sort((a, b) => postingLength(a) - postingLength(b));
      cands = postingDocs(grams[0]!);
      n = cands.length;
      for (let i = 1; i < grams.length && n > 0; i++) n = intersect(cands, n, grams[i]!);
    }

    // Drop tombstones and other agencies before the costlier verification.
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const d = cands[i]!;
      if (alive[d] && (agency === -1 || agencyOf[d] === agency)) cands[kept++] = d;
    }
    n = kept;

    const scores = new Int32Array(n);
    for (const p of plans) {
      if (p.exact === -1) continue;
      const w = weightsFor(cands, n, p.exact);
      for (let i = 0; i < n; i++) {
        const wi = w[i]!;
        scores[i]! += (wi & W_TITLE ? TITLE_WEIGHT : 0) + Math.min(wi & W_COUNT, OCCURRENCE_CAP);
      }
    }
    const verify = plans.filter((p) => p.exact === -1).map((p) => p.text);
    if (verify.length > 0) {
      // First the match itself and a lower bound of the score (one occurrence each); counting the
      // further occurrences scans the rest of the text, so it is left to the few that can still rank.
      let out = 0;
      outer: for (let i = 0; i < n; i++) {
        const d = cands[i]!;
        const t = texts[d]!;
        let score = scores[i]!;
        for (const k of verify) {
          const at = t.indexOf(k);
          if (at === -1) continue outer;
          // The title is the text's prefix, so if any occurrence lies inside it, the first one does.
          if (at + k.length <= titleLens[d]!) score += TITLE_WEIGHT;
          score += 1;
        }
        cands[out] = d;
        scores[out++] = score;
      }
      n = out;

      const slack = verify.length * (OCCURRENCE_CAP - 1);
      const threshold = kthLargest(scores, n, offset + limit);
      for (let i = 0; i < n; i++) {
        if (scores[i]! + slack < threshold) continue;
        const t = texts[cands[i]!]!;
        let extra = 0;
        for (const k of verify) {
          let at = t.indexOf(k);
          for (let count = 1; count < OCCURRENCE_CAP && (at = t.indexOf(k, at + 1)) !== -1; count++) extra++;
        }
        scores[i]! += extra;
      }
    }

    const hits = topHits(cands, scores, n, offset, limit);
    return { total: n, hits };
  };

  /** Better-first order: score, then newer date, then higher seq, then id for a stable order. */
  const better = (a: number, sa: number, b: number, sb: number): boolean => {
    if (sa !== sb) return sa > sb;
    if (dates[a] !== dates[b]) return dates[a]! > dates[b]!;
    if (seqs[a] !== seqs[b]) return seqs[a]! > seqs[b]!;
    return ids[a]! < ids[b]!;
  };

  /** The page [offset, offset + limit) of the ranking, with a bounded heap instead of sorting every match. */
  const topHits = (docs: Int32Array, scores: Int32Array, n: number, offset: number, limit: number): SearchHit[] => {
    const k = Math.min(n, offset + limit);
    if (k <= offset) return [];
    // Min-heap (worst on top) of match indices.
    const heap: number[] = [];
    const worse = (x: number, y: number): boolean => better(docs[y]!, scores[y]!, docs[x]!, scores[x]!);
    const siftDown = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    };
    for (let i = 0; i < n; i++) {
      if (heap.length < k) {
        heap.push(i);
        let c = heap.length - 1;
        while (c > 0) {
          const parent = (c - 1) >> 1;
          if (!worse(heap[c]!, heap[parent]!)) break;
          [heap[c], heap[parent]] = [heap[parent]!, heap[c]!];
          c = parent;
        }
      } else if (worse(heap[0]!, i)) {
        heap[0] = i;
        siftDown(0);
      }
    }
    heap.sort((x, y) => (worse(x, y) ? 1 : worse(y, x) ? -1 : 0));
    return heap.slice(offset).map((i) => ({ id: ids[docs[i]!]!, score: scores[i]! }));
  };

  return {
    upsert(entry) {
      removeDocument(entry.id);
      indexIncrementally(addDocument(entry));
      maybeRebuild();
    },
    remove(id) {
      const removed = removeDocument(id);
      if (removed) maybeRebuild();
      return removed;
    },
    has: (id) => docById.has(id),
    get size() {
      return live;
    },
    search,
  };
}

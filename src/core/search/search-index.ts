/**
 * The search index: one closure over shared typed arrays that builds, adds to, queries, exports and
 * restores them (a closure, so the hot loops read locals). Its types are in index-types.ts, posting
 * weights and score tables in weights.ts, stateless parts in index-primitives.ts, documents' fields
 * in doc-fields.ts.
 */
import { foldUnit, matchesUnfolded } from './normalize.ts';
import { normalizeKeyword } from './query.ts';
import { TopK } from './top-k.ts';
import { DEFAULT_LIMIT } from './index-types.ts';
import type { IndexableEntry, IndexState, SearchHit, SearchIndex, SearchIndexOptions, SearchOptions, SearchResult } from './index-types.ts';
import { TITLE_WEIGHT, OCCURRENCE_CAP, W_TITLE, W_COUNT, SCORE, NIBBLE_TO_W, NIBBLE_SCORE, BYTE_BEST, TITLE_FLAGS16, W_TO_NIBBLE } from './weights.ts';
import { isSkipped, BigramTable, bigramKey, growInt32, gallop, popcount, gallopPacked, EMPTY_I32, EMPTY_U8, EMPTY_U32, dateNumber, dayNumber, toCount } from './index-primitives.ts';
import { NO_FIELDS, fieldsOf, normalisedFields, foldFields, FROM_STORE, plainFieldsOf } from './doc-fields.ts';

export { DEFAULT_LIMIT } from './index-types.ts';
export type { IndexableEntry, IndexState, RememberedState, SearchHit, SearchIndex, SearchIndexOptions, SearchOptions, SearchResult } from './index-types.ts';

/**
 * A gram in at least 1/DENSE_SHARE of the documents is stored as a bitset (N/8 bytes) plus a nibble
 * of weight per document (N/2 bytes) instead of a list (5 bytes per document): smaller from N/8 on,
 * and intersecting such grams is a word-wise AND with an O(1) weight look-up.
 */
const DENSE_SHARE = 8;
const DENSE_MIN_DOCS = 64;

/** Below this many candidates checking the text directly is cheap; above it a long keyword's matches are cached. */
const CACHE_MIN_CANDIDATES = 512;
const CACHE_MAX_KEYWORDS = 256;
const FOLDED_CACHE_MIN_CANDIDATES = 32;
/** Candidates checked per turn of the event loop by prepare(): ~10 ms at 100k entries. */
const PREPARE_SLICE = 8_192;
/** From this many documents to check, text the store gives is read in bulk (SearchIndexOptions.text.fieldsOfMany). */
const BULK_MIN_DOCS = 64;

/** A sorted list of documents with one weight byte each: base part [lo, hi) of docs/w, then packed delta postings. */
interface Source {
  docs: Int32Array;
  w: Uint8Array;
  lo: number;
  hi: number;
  /** doc * 256 + weight, ascending, all docs above the base ones; null when none. */
  extra: number[] | null;
  length: number;
  /** Whether its weights count towards the score (false for bigrams that only narrow a long keyword). */
  scored: boolean;
  /**
   * Base part as a bitset instead: its number among dense grams, -2 for remembered matches kept as a
   * bitset, or -1 (then docs/w/lo/hi hold the base part). A bitset's words are bits[bitsAt ...] and
   * its weight nibbles nib[nibAt ...].
   */
  dense: number;
  bits: Uint32Array;
  bitsAt: number;
  nib: Uint8Array;
  nibAt: number;
  /** Remembered matches this source reads, if any (their title bitset is kept there). */
  cached: CachedMatches | null;
}

interface KeywordPlan {
  text: string;
  /** Where its matches are known without checking text: its own gram (1–2 units) or the cache. */
  exact: Source | null;
  /** Grams every match must contain, when not exact. */
  filters: number[];
}

/**
 * Remembered matches of a long keyword: a list (docs, w), or, when they are many, a bitset over the
 * base documents with weight nibbles (like a dense gram; N/8 + N/2 bytes instead of 5 per match) and
 * the delta documents in extra (doc * 256 + weight).
 */
interface CachedMatches {
  docs: Int32Array;
  w: Uint8Array;
  bits: Uint32Array | null;
  nib: Uint8Array | null;
  count: number;
  extra: number[] | null;
  titles: Uint32Array | null;
}

export function createSearchIndex(entries: Iterable<IndexableEntry> = [], options: SearchIndexOptions = {}): SearchIndex {
  const cacheBudget = options.cacheBytes ?? 32 * 2 ** 20;
  const cacheMin = options.cacheMinCandidates ?? CACHE_MIN_CANDIDATES;
  const prepareSlice = Math.max(1, options.prepareSlice ?? PREPARE_SLICE);
  const store = options.text ?? null;
  // Per document the store's key for its text (SearchIndexOptions.text.keyOf), when the store gives it.
  let docKey = new Int32Array(0);

  // Documents, by internal number. A rebuild numbers the live ones best-first (newer date, then higher
  // seq, then id), so among equal scores the lower number ranks first. Documents added since keep
  // numbers above the base ones. Removed or replaced documents stay as tombstones until a rebuild.
  let ids: string[] = [];
  // Per document its fields (title first, then body, bullets, agency) normalised: the entry's own
  // strings whenever normalising leaves them unchanged, so the index keeps no second copy of the text.
  let fields: string[][] = [];
  /** Document d's fields: its own list, or (FROM_STORE) read from the store; none for a tombstone. */
  const fieldsAt = (d: number): string[] => {
    const fs = fields[d]!;
    if (fs !== FROM_STORE) return fs;
    return store && alive[d] ? store.fields(docKey[d]!) : NO_FIELDS;
  };
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
  // Dense grams (see DENSE_SHARE): denseOf[g] is the gram's dense number or -1; dense number j owns
  // words [j * words, (j + 1) * words) of denseBits and bytes [j * nibbleBytes, ...) of denseNibbles.
  let denseOf = new Int32Array(0);
  let denseBits = new Uint32Array(0);
  let denseNibbles = new Uint8Array(0);
  let words = 0;
  let nibbleBytes = 0;
  let denseCount = new Int32Array(0);
  // Per dense gram, the base documents where it occurs in the title: derived from the nibbles the
  // first time a search needs it (N/8 bytes each), kept until the next rebuild.
  const titleBits = new Map<number, Uint32Array>();
  // The live base documents as a bitset, derived when a search meets tombstones; null after any removal.
  let aliveBase: Uint32Array | null = null;
  let deadBase: number[] = [];
  const aliveBaseBits = (): Uint32Array => {
    if (aliveBase) return aliveBase;
    const b = new Uint32Array(words);
    deadBase = [];
    for (let d = 0; d < baseDocCount; d++) {
      if (alive[d]) b[d >>> 5]! |= 1 << (d & 31);
      else deadBase.push(d);
    }
    return (aliveBase = b);
  };
  /** The removed base documents, ascending. */
  const deadBaseDocs = (): number[] => {
    aliveBaseBits();
    return deadBase;
  };
  // Postings of documents indexed one by one since the last build: doc * 256 + weight, ascending.
  let delta = new Map<number, number[]>();
  let deltaDocs = 0;
  // Documents added but not indexed yet: a burst of upserts (loading a store) is indexed in one build.
  let pending: number[] = [];
  let flushScheduled = false;

  // Remembered matches of long keywords, valid until the next change; Map order doubles as LRU order.
  const cache = new Map<string, CachedMatches>();
  let cacheBytes = 0;
  /** Memory a remembered entry holds (a bitset's title bitset counted ahead, as a search derives it). */
  const cachedBytes = (c: CachedMatches): number => (c.bits ? words * 8 + nibbleBytes : c.docs.length * 5) + (c.extra?.length ?? 0) * 8 + 64;
  const clearCache = (): void => {
    cache.clear();
    cacheBytes = 0;
  };

  // Per gram, while indexing one document: the last document it was seen in, and its weight there.
  let lastDoc = new Int32Array(1024).fill(-1);
  let weightAcc = new Int32Array(1024);
  // The current document's distinct grams.
  let docGrams = new Int32Array(1024);
  let docGramCount = 0;
  // Scratch for queries: candidates and their scores, grown to the document count and reused.
  let cands = new Int32Array(0);
  let scores = new Int32Array(0);
  let cands2 = new Int32Array(0);
  let w2 = new Uint8Array(0);
  let andBits = new Uint32Array(0);
  let titleAny = new Uint32Array(0);
  const ensureScratch = (): void => {
    if (andBits.length < words) andBits = new Uint32Array(words);
    if (titleAny.length < words) titleAny = new Uint32Array(words);
    if (cands.length >= docCount) return;
    const n = Math.max(1024, docCount + (docCount >> 2));
    cands = new Int32Array(n);
    scores = new Int32Array(n);
    cands2 = new Int32Array(n);
    w2 = new Uint8Array(n);
  };

  const newGram = (): number => {
    const g = gramCount++;
    if (g >= lastDoc.length) {
      lastDoc = growInt32(lastDoc, g + 1, -1);
      weightAcc = growInt32(weightAcc, g + 1, 0);
    }
    return g;
  };

  /** Grows the per-document scratch so a document of n more gram occurrences fits. */
  const roomFor = (n: number): void => {
    if (docGrams.length < n) {
      const grown = new Int32Array(Math.max(n, docGrams.length * 2));
      grown.set(docGrams);
      docGrams = grown;
    }
  };

  /**
   * Collects document d's distinct indexed grams into docGrams (their weights in weightAcc). Fields
   * are separate: no gram spans two of them, as if they were joined by a newline. The hot loop of a
   * build: everything it touches is in locals.
   */
  const collectGrams = (d: number): void => {
    const fs = fieldsAt(d);
    let len = 0;
    for (let f = 0; f < fs.length; f++) len += fs[f]!.length;
    roomFor(2 * len);
    const uni = unigrams;
    const dg = docGrams;
    let last = lastDoc;
    let acc = weightAcc;
    let bkeys = bigrams.keys;
    let bvals = bigrams.vals;
    let shift = 32 - bigrams.bits;
    let mask = (1 << bigrams.bits) - 1;
    let k = 0;
    for (let f = 0; f < fs.length; f++) {
      const t = fs[f]!;
      const title = f === 0 ? W_TITLE : 0;
      const n = t.length;
      let c = n > 0 ? foldUnit(t.charCodeAt(0)) : 0;
      for (let i = 0; i < n; i++) {
        const next = i + 1 < n ? foldUnit(t.charCodeAt(i + 1)) : 32;
        if (c > 32) {
          let g = uni[c]!;
          if (g === -1) {
            g = uni[c] = newGram();
            last = lastDoc;
            acc = weightAcc;
          }
          if (last[g] !== d) {
            last[g] = d;
            acc[g] = 1 | title;
            dg[k++] = g;
          } else {
            const w = acc[g]!;
            acc[g] = ((w & W_COUNT) < W_COUNT ? w + 1 : w) | title;
          }
          if (next > 32) {
            const key = bigramKey(c, next);
            let slot = Math.imul(key, 0x9e3779b1) >>> shift;
            while ((g = bvals[slot]!) !== -1 && bkeys[slot] !== key) slot = (slot + 1) & mask;
            if (g === -1) {
              g = bigrams.getOrAdd(key, gramCount);
              newGram();
              last = lastDoc;
              acc = weightAcc;
              bkeys = bigrams.keys;
              bvals = bigrams.vals;
              shift = 32 - bigrams.bits;
              mask = (1 << bigrams.bits) - 1;
            }
            if (last[g] !== d) {
              last[g] = d;
              acc[g] = 1 | title;
              dg[k++] = g;
            } else {
              const w = acc[g]!;
              acc[g] = ((w & W_COUNT) < W_COUNT ? w + 1 : w) | title;
            }
          }
        }
        c = next;
      }
    }
    docGramCount = k;
  };

  /** Rebuilds every posting list from the live documents, renumbering them best-first. */
  const rebuild = (): void => {
    const keep: number[] = [];
    for (let d = 0; d < docCount; d++) if (alive[d]) keep.push(d);
    keep.sort((a, b) => dates[b]! - dates[a]! || seqs[b]! - seqs[a]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    ids = keep.map((d) => ids[d]!);
    if (store) docKey = Int32Array.from({ length: Math.max(16, keep.length + (keep.length >> 1)) }, (_, i) => (i < keep.length ? docKey[keep[i]!]! : 0));
    fields = keep.map((d) => fields[d]!);
    agencyOf = keep.map((d) => agencyOf[d]!);
    dates = keep.map((d) => dates[d]!);
    seqs = keep.map((d) => seqs[d]!);
    docCount = keep.length;
    live = docCount;
    alive = new Uint8Array(Math.max(16, docCount + (docCount >> 1)));
    alive.fill(1, 0, docCount);
    docById.clear();
    for (let d = 0; d < docCount; d++) docById.set(ids[d]!, d);
    unigrams = new Int32Array(65536).fill(-1);
    bigrams = new BigramTable();
    gramCount = 0;
    lastDoc.fill(-1);

    // Pass 1: every document's distinct grams and weights, packed (gram << 8 | weight) into one
    // transient array, and the document frequency per gram, to size each list exactly and pick the
    // dense grams. Pass 2 then reads the pairs instead of hashing every bigram again.
    let df = new Int32Array(1 << 12);
    // Sized by a guess when the text is the store's (counting it would read it all once more); it grows.
    let chars = 0;
    if (store) chars = docCount * 256;
    else for (let d = 0; d < docCount; d++) for (const f of fields[d]!) chars += f.length;
    let pairs: Uint32Array | null = new Uint32Array(Math.max(1024, chars + (chars >> 2)));
    let pairCount = 0;
    const docEnd = new Int32Array(docCount);
    for (let d = 0; d < docCount; d++) {
      collectGrams(d);
      if (gramCount > df.length) df = growInt32(df, gramCount, 0);
      if (pairs && gramCount >= 1 << 24) pairs = null; // gram numbers no longer fit: pass 2 collects again
      if (pairs && pairCount + docGramCount > pairs.length) {
        const grown: Uint32Array = new Uint32Array(Math.max(pairCount + docGramCount, pairs.length + (pairs.length >> 1)));
        grown.set(pairs.subarray(0, pairCount));
        pairs = grown;
      }
      const dg = docGrams;
      const acc = weightAcc;
      const dfs = df;
      const k = docGramCount;
      if (pairs) {
        const out = pairs;
        let at = pairCount;
        for (let i = 0; i < k; i++) {
          const g = dg[i]!;
          dfs[g]!++;
          out[at++] = (g << 8) | acc[g]!;
        }
        pairCount = at;
      } else {
        for (let i = 0; i < k; i++) dfs[dg[i]!]!++;
      }
      docEnd[d] = pairCount;
    }
    const N = docCount;
    words = (N + 31) >>> 5;
    nibbleBytes = (N + 1) >>> 1;
    denseOf = new Int32Array(gramCount).fill(-1);
    let dense = 0;
    const off = new Int32Array(gramCount + 1);
    for (let g = 0; g < gramCount; g++) {
      const isDense = N >= DENSE_MIN_DOCS && df[g]! * DENSE_SHARE >= N;
      if (isDense) denseOf[g] = dense++;
      off[g + 1] = off[g]! + (isDense ? 0 : df[g]!);
    }
    denseCount = new Int32Array(dense);
    for (let g = 0; g < gramCount; g++) if (denseOf[g]! !== -1) denseCount[denseOf[g]!] = df[g]!;
    const total = off[gramCount]!;
    const docsOut = new Int32Array(total);
    const wOut = new Uint8Array(total);
    const bits = new Uint32Array(dense * words);
    const nibbles = new Uint8Array(dense * nibbleBytes);
    const cursor = off.slice(0, gramCount);
    if (!pairs) lastDoc.fill(-1);

    // Pass 2: fill; documents are visited in order, so every list comes out sorted.
    let p = 0;
    const W = words;
    const NB = nibbleBytes;
    const dense_ = denseOf;
    const toNibble = W_TO_NIBBLE;
    const place = (d: number, g: number, w: number): void => {
      const j = dense_[g]!;
      if (j === -1) {
        const at = cursor[g]!++;
        docsOut[at] = d;
        wOut[at] = w;
      } else {
        bits[j * W + (d >>> 5)]! |= 1 << (d & 31);
        nibbles[j * NB + (d >>> 1)]! |= toNibble[w]! << ((d & 1) << 2);
      }
    };
    if (pairs) {
      const all = pairs;
      for (let d = 0; d < docCount; d++) {
        const end = docEnd[d]!;
        for (; p < end; p++) {
          const pair = all[p]!;
          place(d, pair >>> 8, pair & 255);
        }
      }
    } else {
      for (let d = 0; d < docCount; d++) {
        collectGrams(d);
        for (let i = 0; i < docGramCount; i++) place(d, docGrams[i]!, weightAcc[docGrams[i]!]!);
      }
    }
    baseGramCount = gramCount;
    baseDocCount = docCount;
    baseOff = off;
    baseDocs = docsOut;
    baseW = wOut;
    denseBits = bits;
    denseNibbles = nibbles;
    titleBits.clear();
    aliveBase = null;
    delta = new Map();
    deltaDocs = 0;
    pending = [];
    clearCache();
  };

  const indexIncrementally = (d: number): void => {
    collectGrams(d);
    for (let i = 0; i < docGramCount; i++) {
      const g = docGrams[i]!;
      let list = delta.get(g);
      if (!list) delta.set(g, (list = []));
      list.push(d * 256 + weightAcc[g]!);
    }
    deltaDocs++;
  };

  /**
   * Indexes pending documents. Many at once (loading, a large import) or many tombstones: one bulk
   * build, best-first numbering. A few (a bulletin's new measures): appended to the delta lists.
   */
  const flush = (): void => {
    flushScheduled = false;
    const dead = docCount - live;
    const unindexed = pending.length + deltaDocs;
    if (unindexed > Math.max(1_000, baseDocCount >> 2) || dead > Math.max(1_000, live >> 1)) {
      rebuild();
      return;
    }
    if (pending.length === 0) return;
    const added: number[] = [];
    for (const d of pending) {
      if (!alive[d]) continue;
      indexIncrementally(d);
      added.push(d);
    }
    pending = [];
    // Remembered matches stay valid: new documents are numbered above every remembered one, so
    // their matches are appended in order; removed and replaced ones are tombstones, which every
    // search filters out before it meets the remembered lists.
    for (const [key, c] of cache) {
      const docs: number[] = [];
      const ws: number[] = [];
      for (const d of added) {
        const w = weightIn(d, key);
        if (w === -1) continue;
        docs.push(d);
        ws.push(w);
      }
      if (docs.length === 0) continue;
      if (c.bits) {
        // Added documents are numbered above the base ones: they go after the bitset, in order.
        c.extra = [...(c.extra ?? []), ...docs.map((d, i) => d * 256 + ws[i]!)];
        cacheBytes += docs.length * 8;
        continue;
      }
      const grownDocs = new Int32Array(c.docs.length + docs.length);
      grownDocs.set(c.docs);
      grownDocs.set(docs, c.docs.length);
      const grownW = new Uint8Array(c.w.length + ws.length);
      grownW.set(c.w);
      grownW.set(ws, c.w.length);
      cache.set(key, { ...c, docs: grownDocs, w: grownW });
      cacheBytes += docs.length * 5;
    }
  };

  const addDocument = (entry: IndexableEntry): number => {
    // Fields stay apart, so a keyword never matches across the end of one field and the start of the next.
    // A field that folds one unit to one unit (nearly all) is kept as the entry's own string and
    // folded as it is read; only the rest are kept normalised.
    const fs = fieldsOf(entry);
    const d = docCount++;
    if (alive.length <= d) {
      const grown = new Uint8Array(Math.max(16, alive.length * 2));
      grown.set(alive);
      alive = grown;
    }
    ids[d] = entry.id;
    fields[d] = store && !normalisedFields.has(fs) ? FROM_STORE : fs;
    if (store) {
      const key = store.keyOf(entry.id);
      if (key === undefined) throw new Error(`search index: entry ${entry.id} is not in the store that gives its text`);
      docKey = growInt32(docKey, d + 1, 0);
      docKey[d] = key;
    }
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
    aliveBase = null;
    docById.delete(id);
    live--;
    return true;
  };

  const restore = (state: IndexState, entryOf: ((id: string) => IndexableEntry | undefined) | undefined): void => {
    if (!entryOf && !store) throw new Error('index state: restoring needs the entries or their text');
    const n = state.docCount;
    if (state.ids.length !== n || state.folded.length !== n || state.agencyOf.length !== n || state.dates.length !== n || state.seqs.length !== n) throw new Error('index state: per-document arrays disagree with the document count');
    if (state.baseOff.length !== state.baseGramCount + 1 || state.denseOf.length !== state.baseGramCount || state.unigrams.length !== 65536) throw new Error('index state: gram arrays disagree with the gram count');
    if (state.denseBits.length !== state.denseCount.length * state.words || state.denseNibbles.length !== state.denseCount.length * state.nibbleBytes) throw new Error('index state: dense arrays disagree with their sizes');
    ids = new Array<string>(n);
    if (store) docKey = new Int32Array(Math.max(16, n + (n >> 1)));
    fields = new Array<string[]>(n);
    alive = new Uint8Array(Math.max(16, n + (n >> 1)));
    live = 0;
    for (let d = 0; d < n; d++) {
      const id = state.ids[d];
      if (id === null || id === undefined) {
        ids[d] = '';
        fields[d] = NO_FIELDS;
        continue;
      }
      ids[d] = id;
      if (store) {
        const key = store.keyOf(id);
        if (key === undefined) throw new Error(`index state: document ${d} is entry ${id}, which the store does not have`);
        docKey[d] = key;
        // Read now only where the index keeps a normalised copy (rare); the rest stays in the store.
        fields[d] = state.folded[d] ? foldFields(store.fields(key)) : FROM_STORE;
      } else {
        const entry = entryOf!(id);
        if (!entry) throw new Error(`index state: document ${d} is entry ${id}, which the store does not have`);
        fields[d] = state.folded[d] ? fieldsOf(entry) : plainFieldsOf(entry);
      }
      alive[d] = 1;
      docById.set(id, d);
      live++;
    }
    if (live !== state.live || docById.size !== live) throw new Error('index state: live documents disagree');
    docCount = n;
    state.agencies.forEach((name, i) => agencyIds.set(name, i));
    agencyOf = Array.from(state.agencyOf);
    dates = Array.from(state.dates);
    seqs = Array.from(state.seqs);
    unigrams = state.unigrams;
    bigrams = BigramTable.restore(state.bigramBits, state.bigramKeys, state.bigramVals, state.bigramCount);
    gramCount = state.gramCount;
    baseGramCount = state.baseGramCount;
    baseDocCount = state.baseDocCount;
    baseOff = state.baseOff;
    baseDocs = state.baseDocs;
    baseW = state.baseW;
    denseOf = state.denseOf;
    denseBits = state.denseBits;
    denseNibbles = state.denseNibbles;
    denseCount = state.denseCount;
    words = state.words;
    nibbleBytes = state.nibbleBytes;
    delta = new Map();
    const dl = state.delta;
    for (let i = 0; i < dl.length; ) {
      const g = dl[i++]!;
      const count = dl[i++]!;
      if (!(g >= 0 && g < gramCount && count >= 0 && i + count <= dl.length)) throw new Error('index state: delta postings are malformed');
      delta.set(g, Array.from(dl.subarray(i, i + count)));
      i += count;
    }
    deltaDocs = state.deltaDocs;
    for (const r of state.remembered) {
      const asBits = r.bits !== null && r.nib !== null;
      const ok = asBits
        ? r.bits!.length === words && r.nib!.length === nibbleBytes && (r.extra ?? []).every((p) => p >= 0 && p / 256 < docCount)
        : r.docs.length === r.w.length && r.docs.length === r.count && r.docs.every((d) => d >= 0 && d < docCount);
      if (!ok) throw new Error(`index state: remembered matches of ${JSON.stringify(r.key)} do not fit the index`);
      const c: CachedMatches = { docs: asBits ? EMPTY_I32 : r.docs, w: asBits ? EMPTY_U8 : r.w, bits: asBits ? r.bits : null, nib: asBits ? r.nib : null, count: r.count, extra: r.extra ? Array.from(r.extra) : null, titles: null };
      cache.set(r.key, c);
      cacheBytes += cachedBytes(c);
    }
    lastDoc = new Int32Array(Math.max(1024, gramCount)).fill(-1);
    weightAcc = new Int32Array(lastDoc.length);
  };

  if (options.restore) restore(options.restore.state, options.restore.entryOf);
  else {
    for (const entry of entries) {
      removeDocument(entry.id);
      addDocument(entry);
    }
    rebuild();
  }

  const exportState = (): IndexState => {
    if (pending.length > 0) flush();
    let deltaLength = 0;
    for (const list of delta.values()) deltaLength += 2 + list.length;
    const dl = new Float64Array(deltaLength);
    let at = 0;
    for (const [g, list] of delta) {
      dl[at++] = g;
      dl[at++] = list.length;
      for (const p of list) dl[at++] = p;
    }
    return {
      docCount,
      live,
      ids: ids.slice(0, docCount).map((id, d) => (alive[d] ? id : null)),
      agencies: [...agencyIds.keys()],
      folded: Uint8Array.from(fields.slice(0, docCount), (fs) => (normalisedFields.has(fs) ? 1 : 0)),
      agencyOf: Int32Array.from(agencyOf.slice(0, docCount)),
      dates: Int32Array.from(dates.slice(0, docCount)),
      seqs: Float64Array.from(seqs.slice(0, docCount)),
      // Written into by later additions: copies. The rest a build replaces, never modifies.
      unigrams: unigrams.slice(),
      bigramBits: bigrams.bits,
      bigramKeys: bigrams.keys.slice(),
      bigramVals: bigrams.vals.slice(),
      bigramCount: bigrams.count,
      gramCount,
      baseGramCount,
      baseDocCount,
      baseOff,
      baseDocs,
      baseW,
      denseOf,
      denseBits,
      denseNibbles,
      denseCount,
      words,
      nibbleBytes,
      delta: dl,
      deltaDocs,
      // Never modified in place (a change appends by replacing), so they can be written as they are.
      remembered: [...cache].map(([key, c]) => ({ key, count: c.count, docs: c.docs as Int32Array<ArrayBuffer>, w: c.w as Uint8Array<ArrayBuffer>, bits: c.bits as Uint32Array<ArrayBuffer> | null, nib: c.nib as Uint8Array<ArrayBuffer> | null, extra: c.extra ? Float64Array.from(c.extra) : null })),
    };
  };

  const sourceOf = (g: number, scored: boolean): Source => {
    const base = g < baseGramCount;
    const dense = base ? denseOf[g]! : -1;
    const lo = base && dense === -1 ? baseOff[g]! : 0;
    const hi = base && dense === -1 ? baseOff[g + 1]! : 0;
    const extra = delta.get(g) ?? null;
    const baseLength = dense === -1 ? hi - lo : denseCount[dense]!;
    return { docs: baseDocs, w: baseW, lo, hi, extra, length: baseLength + (extra?.length ?? 0), scored, dense, bits: denseBits, bitsAt: dense === -1 ? 0 : dense * words, nib: denseNibbles, nibAt: dense === -1 ? 0 : dense * nibbleBytes, cached: null };
  };
  const cachedSource = (c: CachedMatches): Source =>
    c.bits
      ? { docs: EMPTY_I32, w: EMPTY_U8, lo: 0, hi: 0, extra: c.extra, length: c.count + (c.extra?.length ?? 0), scored: true, dense: -2, bits: c.bits, bitsAt: 0, nib: c.nib!, nibAt: 0, cached: c }
      : { docs: c.docs, w: c.w, lo: 0, hi: c.docs.length, extra: null, length: c.docs.length, scored: true, dense: -1, bits: EMPTY_U32, bitsAt: 0, nib: EMPTY_U8, nibAt: 0, cached: c };

  const titleBitsOf = (s: Source): Uint32Array => {
    if (s.cached) return s.cached.titles ?? summarize(s).titles;
    return titleBits.get(s.dense) ?? summarize(s).titles;
  };

  /** Weight of a base document in a dense gram, as a posting weight byte (0 when absent). */
  const denseWeight = (s: Source, d: number): number => NIBBLE_TO_W[(s.nib[s.nibAt + (d >>> 1)]! >>> ((d & 1) << 2)) & 15]!;
  const inDense = (s: Source, d: number): boolean => (s.bits[s.bitsAt + (d >>> 5)]! & (1 << (d & 31))) !== 0;

  /** Copies the source into out/outW (weights) and returns its length. */
  const materialize = (s: Source, out: Int32Array, outW: Uint8Array | null): number => {
    let k = 0;
    if (s.dense !== -1) {
      const at = s.bitsAt;
      const bits = s.bits;
      for (let wi = 0; wi < words; wi++) {
        let word = bits[at + wi]!;
        while (word !== 0) {
          const low = word & -word;
          const d = (wi << 5) | (31 - Math.clz32(low));
          word ^= low;
          out[k] = d;
          if (outW) outW[k] = denseWeight(s, d);
          k++;
        }
      }
    } else {
      k = s.hi - s.lo;
      out.set(s.docs.subarray(s.lo, s.hi));
      if (outW) outW.set(s.w.subarray(s.lo, s.hi));
    }
    if (s.extra) {
      for (const p of s.extra) {
        out[k] = Math.floor(p / 256);
        if (outW) outW[k] = p % 256;
        k++;
      }
    }
    return k;
  };

  /**
   * Keeps the first n documents of list (ascending) that are in the source; with sc, adds the
   * source's score to sc (kept in step with list) when the source is scored. Returns the new count.
   */
  const filterBy = (list: Int32Array, n: number, s: Source, sc: Int32Array | null): number => {
    const { docs, w, hi, extra, dense } = s;
    const scored = s.scored && sc !== null;
    let lo = s.lo;
    let j = 0;
    let out = 0;
    const firstDelta = s.docs === baseDocs || dense !== -1 ? baseDocCount : 0x7fffffff;
    for (let i = 0; i < n; i++) {
      const d = list[i]!;
      let weight = -1;
      if (d < firstDelta) {
        if (dense !== -1) {
          if (inDense(s, d)) weight = denseWeight(s, d);
        } else {
          if (lo < hi && docs[lo]! < d) lo = gallop(docs, lo + 1, hi, d);
          if (lo < hi && docs[lo] === d) weight = w[lo]!;
        }
      } else if (extra) {
        j = gallopPacked(extra, j, d * 256);
        if (j < extra.length && extra[j]! < (d + 1) * 256) weight = extra[j]! % 256;
      }
      if (weight !== -1) {
        list[out] = d;
        if (sc) sc[out] = scored ? sc[i]! + SCORE[weight]! : sc[i]!;
        out++;
      }
      if (dense === -1 && lo >= hi && (!extra || j >= extra.length)) break;
    }
    return out;
  };

  /** Keeps the first n candidates that are in the source, adding its score when scored. */
  const intersect = (n: number, s: Source): number => filterBy(cands, n, s, scores);

  // Whether a keyword can be looked for in the fields as they are (see matchesUnfolded), and its first
  // unit that only itself folds to (an anchor for indexOf), remembered for the last keyword.
  let unfoldedKey = '';
  let unfoldedVal = true;
  let anchorAt = -1;
  const unfoldedOk = (k: string): boolean => {
    if (k !== unfoldedKey) {
      unfoldedKey = k;
      unfoldedVal = matchesUnfolded(k);
      anchorAt = -1;
      for (let j = 0; j < k.length && anchorAt === -1; j++) if (matchesUnfolded(k[j]!)) anchorAt = j;
    }
    return unfoldedVal;
  };
  const matchAt = (t: string, at: number, k: string): boolean => {
    for (let j = 0; j < k.length; j++) if (foldUnit(t.charCodeAt(at + j)) !== k.charCodeAt(j)) return false;
    return true;
  };
  /** indexOf of k in t as folded unit by unit, without building the folded string (k as in unfoldedOk). */
  const indexOfFolded = (t: string, k: string, from: number): number => {
    const last = t.length - k.length;
    if (anchorAt !== -1) {
      const ch = k[anchorAt]!;
      for (let p = t.indexOf(ch, from + anchorAt); p !== -1 && p - anchorAt <= last; p = t.indexOf(ch, p + 1)) {
        if (matchAt(t, p - anchorAt, k)) return p - anchorAt;
      }
      return -1;
    }
    const k0 = k.charCodeAt(0);
    for (let at = from; at <= last; at++) if (foldUnit(t.charCodeAt(at)) === k0 && matchAt(t, at, k)) return at;
    return -1;
  };

  /**
   * Whether k occurs in document d, and how often (up to max): -1 when it does not, else
   * occurrences * 2 + (1 when the first occurrence lies in the title). A keyword with a newline
   * (only ever passed to the index directly) may span fields: it is checked on the joined text.
   */
  const find = (d: number, k: string, max: number): number => findIn(fieldsAt(d), k, max);

  /** find() on a document's fields as given. */
  const findIn = (fs: readonly string[], k: string, max: number): number => (unfoldedOk(k) && k.indexOf('\n') === -1 ? findPlain(fs, k, max) : findFolded(fs, k, max));

  /** find() for a keyword without a newline whose units only themselves fold to: indexOf on the fields as they are. */
  const findPlain = (fs: readonly string[], k: string, max: number): number => {
    if (fs.length === 0) return -1;
    const t0 = fs[0]!;
    let at = t0.indexOf(k);
    let count = 0;
    let inTitle = 0;
    if (at !== -1) {
      inTitle = 1;
      count = 1;
      while (count < max && (at = t0.indexOf(k, at + 1)) !== -1) count++;
    }
    for (let f = 1; f < fs.length && count < max; f++) {
      const t = fs[f]!;
      at = t.indexOf(k);
      while (at !== -1) {
        count++;
        if (count >= max) break;
        at = t.indexOf(k, at + 1);
      }
    }
    return count === 0 ? -1 : count * 2 + inTitle;
  };

  /** find() for any other keyword: fields folded unit by unit as they are read (a newline: on the joined fields). */
  const findFolded = (fs: readonly string[], k: string, max: number): number => {
    if (fs.length === 0) return -1;
    const parts = k.indexOf('\n') === -1 ? fs : [fs.join('\n')];
    const titleEnd = fs[0]!.length;
    let count = 0;
    let inTitle = 0;
    for (let f = 0; f < parts.length && count < max; f++) {
      const t = parts[f]!;
      let at = indexOfFolded(t, k, 0);
      if (at !== -1 && count === 0 && f === 0 && at + k.length <= titleEnd) inTitle = 1;
      while (at !== -1) {
        count++;
        if (count >= max) break;
        at = indexOfFolded(t, k, at + 1);
      }
    }
    return count === 0 ? -1 : count * 2 + inTitle;
  };

  /** Weight of keyword k in document d (title flag, occurrences up to the cap), or -1 when it does not occur. */
  const weightIn = (d: number, k: string): number => weightOf(find(d, k, OCCURRENCE_CAP));
  const weightOf = (f: number): number => (f === -1 ? -1 : (f & 1 ? W_TITLE : 0) | (f >>> 1));

  /**
   * Splits documents list[0, n) into those whose text the store gives (their positions in list, and
   * their keys, to be read in bulk) and the rest, handed to own(i, d) (tombstones included).
   */
  const byStore = (list: Int32Array, n: number, own: (i: number, d: number) => void): { at: number[]; keys: Int32Array } => {
    const at: number[] = [];
    const keys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const d = list[i]!;
      if (alive[d] && fields[d] === FROM_STORE) {
        keys[at.length] = docKey[d]!;
        at.push(i);
      } else own(i, d);
    }
    return { at, keys: keys.subarray(0, at.length) };
  };

  /**
   * Calls fn with the fields of documents list[0, n) (NO_FIELDS for tombstones), in any order. With
   * many, those whose text the store gives are read at once, in the store's file order: one read per
   * ~1 MB of text instead of one per document (a dense long keyword's first search reads most of it).
   */
  const eachFields = (list: Int32Array, n: number, fn: (i: number, fs: readonly string[]) => void): void => {
    const many = store?.fieldsOfMany;
    const own = (i: number, d: number) => fn(i, alive[d] ? fieldsAt(d) : NO_FIELDS);
    if (!many || n < BULK_MIN_DOCS) {
      for (let i = 0; i < n; i++) own(i, list[i]!);
      return;
    }
    const { at, keys } = byStore(list, n, own);
    if (at.length > 0) many(keys, (j, fs) => fn(at[j]!, fs));
  };

  /**
   * find(d, k, OCCURRENCE_CAP) for documents list[0, n) (-1 for tombstones), in any order. The store
   * counts a keyword that needs no folding itself, one pass over each read instead of one per field.
   */
  const eachFound = (list: Int32Array, n: number, k: string, fn: (i: number, found: number) => void): void => {
    const count = store?.countMany;
    if (!count || n < BULK_MIN_DOCS || !unfoldedOk(k) || k.indexOf('\n') !== -1) {
      eachFields(list, n, (i, fs) => fn(i, findIn(fs, k, OCCURRENCE_CAP)));
      return;
    }
    const { at, keys } = byStore(list, n, (i, d) => fn(i, alive[d] ? find(d, k, OCCURRENCE_CAP) : -1));
    if (at.length > 0) count(keys, k, OCCURRENCE_CAP, (j, found) => fn(at[j]!, found));
  };

  /** Every live document containing long keyword k, with its weights: the gram filters narrow, the text decides. */
  const matchesOf = (p: KeywordPlan): CachedMatches => {
    const hit = cache.get(p.text);
    if (hit) {
      cache.delete(p.text);
      cache.set(p.text, hit);
      return hit;
    }
    const sources = p.filters.map((g) => sourceOf(g, false)).sort((a, b) => a.length - b.length);
    // Uses cands2/w2 as its own scratch: the caller's candidates stay in cands.
    let n = 0;
    if (sources.length === 0) {
      for (let d = 0; d < docCount; d++) cands2[n++] = d;
    } else {
      n = gather(sources, cands2, null);
    }
    const ws = new Int16Array(n);
    eachFound(cands2, n, p.text, (i, found) => void (ws[i] = weightOf(found)));
    let out = 0;
    for (let i = 0; i < n; i++) {
      const w = ws[i]!;
      if (w === -1) continue;
      cands2[out] = cands2[i]!;
      w2[out++] = w;
    }
    return remember(p.text, remembered(out));
  };

  /** Keeps a keyword's matches (unless too large for the budget), forgetting the least recently used beyond it. */
  const remember = (k: string, found: CachedMatches): CachedMatches => {
    const bytes = cachedBytes(found);
    if (bytes > cacheBudget / 4) return found;
    cache.set(k, found);
    cacheBytes += bytes;
    for (const [key, old] of cache) {
      if (cacheBytes <= cacheBudget && cache.size <= CACHE_MAX_KEYWORDS) break;
      cache.delete(key);
      cacheBytes -= cachedBytes(old);
    }
    return found;
  };

  // Changes with every upsert and removal: matches worked out over several turns of the event loop
  // are dropped when the documents changed meanwhile.
  let epoch = 0;
  const preparing = new Map<string, Promise<void>>();

  /**
   * matchesOf() a slice of candidates per turn of the event loop, remembered at the end: a long
   * keyword whose first search would check tens of thousands of texts in one go (~100 ms at 100k
   * entries) holds no other chat up. Several searches for the same keyword share one run.
   */
  const prepare = async (keywords: readonly string[]): Promise<void> => {
    if (cacheBudget === 0) return;
    if (pending.length > 0) flush();
    const plans = plan(keywords);
    if (!plans) return;
    for (const p of plans) {
      if (p.exact || cache.has(p.text)) continue;
      let job = preparing.get(p.text);
      if (!job) {
        job = matchesSliced(p).finally(() => preparing.delete(p.text));
        preparing.set(p.text, job);
      }
      await job;
    }
  };

  const matchesSliced = async (p: KeywordPlan): Promise<void> => {
    const at = epoch;
    ensureScratch();
    const sources = p.filters.map((g) => sourceOf(g, false)).sort((a, b) => a.length - b.length);
    let n = 0;
    if (sources.length === 0) for (let d = 0; d < docCount; d++) cands2[n++] = d;
    else n = gather(sources, cands2, null);
    // Few candidates: a search checks them itself as cheaply as remembering them would cost.
    if (n < cacheMin) return;
    // Copied (between slices other searches use the scratch arrays), and in the store's order when it
    // gives the text: its rows lie in the file in that order, so each slice is one stretch of the file.
    let list = cands2.slice(0, n);
    if (store) {
      const order = new Float64Array(n);
      for (let i = 0; i < n; i++) order[i] = docKey[list[i]!]! * 2 ** 24 + list[i]!;
      order.sort();
      list = Int32Array.from(order, (x) => x % 2 ** 24);
    }
    const ws = new Int16Array(n);
    for (let from = 0; from < n; from += prepareSlice) {
      const to = Math.min(n, from + prepareSlice);
      eachFound(list.subarray(from, to), to - from, p.text, (i, found) => void (ws[from + i] = weightOf(found)));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (epoch !== at) return;
    }
    if (cache.has(p.text)) return;
    // Back in document order, as remembered matches are kept.
    const found: number[] = [];
    for (let i = 0; i < n; i++) if (ws[i]! !== -1) found.push(list[i]! * 256 + ws[i]!);
    const sorted = Float64Array.from(found).sort();
    ensureScratch();
    for (let i = 0; i < sorted.length; i++) {
      cands2[i] = Math.floor(sorted[i]! / 256);
      w2[i] = sorted[i]! % 256;
    }
    remember(p.text, remembered(sorted.length));
  };

  /**
   * The first n documents of cands2 and their weights in w2, as remembered matches: a bitset with
   * nibbles when that is smaller than a list (matches in more than ~1/9 of the documents).
   */
  const remembered = (n: number): CachedMatches => {
    if (n * 5 <= words * 8 + nibbleBytes) return { docs: cands2.slice(0, n), w: w2.slice(0, n), bits: null, nib: null, count: n, extra: null, titles: null };
    const bits = new Uint32Array(words);
    const nib = new Uint8Array(nibbleBytes);
    let extra: number[] | null = null;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const d = cands2[i]!;
      const w = w2[i]!;
      if (d >= baseDocCount) {
        (extra ??= []).push(d * 256 + w);
        continue;
      }
      bits[d >>> 5]! |= 1 << (d & 31);
      nib[d >>> 1]! |= W_TO_NIBBLE[w]! << ((d & 1) << 2);
      count++;
    }
    return { docs: EMPTY_I32, w: EMPTY_U8, bits, nib, count, extra, titles: null };
  };

  /**
   * The documents in every source (sorted by length, at least one), into out (and their summed
   * scores into sc when given). When the shortest sources are dense and no delta documents are
   * involved, they are ANDed word by word first; the rest filter what remains.
   */
  const gather = (sources: Source[], out: Int32Array, sc: Int32Array | null): number => {
    let n: number;
    let next = 1;
    const first = sources[0]!;
    let denseRun = 0;
    while (denseRun < sources.length && sources[denseRun]!.dense !== -1 && !sources[denseRun]!.extra) denseRun++;
    if (denseRun >= 2) {
      // Word-wise AND of the dense bitsets, then the scored ones' nibbles for the few survivors.
      const acc = andBits;
      acc.set(first.bits.subarray(first.bitsAt, first.bitsAt + words));
      for (let si = 1; si < denseRun; si++) {
        const { bits, bitsAt: at } = sources[si]!;
        for (let wi = 0; wi < words; wi++) acc[wi]! &= bits[at + wi]!;
      }
      const scored: Source[] = [];
      if (sc) for (let si = 0; si < denseRun; si++) if (sources[si]!.scored) scored.push(sources[si]!);
      const ns = scored.length;
      n = 0;
      for (let wi = 0; wi < words; wi++) {
        let word = acc[wi]!;
        while (word !== 0) {
          const low = word & -word;
          const d = (wi << 5) | (31 - Math.clz32(low));
          word ^= low;
          out[n] = d;
          if (sc) {
            let score = 0;
            const byte = d >>> 1;
            const sh = (d & 1) << 2;
            for (let k = 0; k < ns; k++) score += NIBBLE_SCORE[(scored[k]!.nib[scored[k]!.nibAt + byte]! >>> sh) & 15]!;
            sc[n] = score;
          }
          n++;
        }
      }
      next = denseRun;
    } else if (first.dense !== -1 && !first.extra) {
      // One dense gram: its nibbles say both which documents and with what weight, two per byte.
      const at = first.nibAt;
      const nib = first.nib;
      const scored = first.scored && sc !== null;
      n = 0;
      for (let i = 0; i < nibbleBytes; i++) {
        const b = nib[at + i]!;
        if (b === 0) continue;
        if (b & 15) {
          out[n] = i << 1;
          if (sc) sc[n] = scored ? NIBBLE_SCORE[b & 15]! : 0;
          n++;
        }
        if (b >>> 4) {
          out[n] = (i << 1) | 1;
          if (sc) sc[n] = scored ? NIBBLE_SCORE[b >>> 4]! : 0;
          n++;
        }
      }
    } else {
      n = materialize(first, out, sc ? w2 : null);
      if (sc) for (let i = 0; i < n; i++) sc[i] = first.scored ? SCORE[w2[i]!]! : 0;
    }
    for (let si = next; si < sources.length && n > 0; si++) n = filterBy(out, n, sources[si]!, sc);
    return n;
  };

  /** Plans the keywords; null when some gram of a keyword occurs nowhere, so nothing can match. */
  const plan = (keywords: readonly string[]): KeywordPlan[] | null => {
    const plans: KeywordPlan[] = [];
    for (const raw of keywords) {
      const text = normalizeKeyword(raw);
      if (text === '' || plans.some((p) => p.text === text)) continue;
      let exact: Source | null = null;
      const filters: number[] = [];
      if (text.length <= 2 && !isSkipped(text.charCodeAt(0)) && (text.length === 1 || !isSkipped(text.charCodeAt(1)))) {
        const g = text.length === 1 ? unigrams[text.charCodeAt(0)]! : bigrams.get(bigramKey(text.charCodeAt(0), text.charCodeAt(1)));
        if (g === -1) return null;
        exact = sourceOf(g, true);
      } else {
        const cached = cache.get(text);
        if (cached) {
          exact = cachedSource(cached);
        } else {
          for (let i = 0; i + 1 < text.length; i++) {
            const a = text.charCodeAt(i);
            const b = text.charCodeAt(i + 1);
            if (isSkipped(a) || isSkipped(b)) continue;
            const g = bigrams.get(bigramKey(a, b));
            if (g === -1) return null;
            if (!filters.includes(g)) filters.push(g);
          }
          if (filters.length === 0) {
            // No two indexed units side by side (e.g. "a b"): every indexed unit must still occur.
            for (let i = 0; i < text.length; i++) {
              const c = text.charCodeAt(i);
              if (isSkipped(c)) continue;
              const g = unigrams[c]!;
              if (g === -1) return null;
              if (!filters.includes(g)) filters.push(g);
            }
          }
        }
      }
      plans.push({ text, exact, filters });
    }
    return plans;
  };

  const search = (keywords: readonly string[], opts: SearchOptions = {}): SearchResult => {
    if (pending.length > 0) flush();
    const limit = toCount(opts.limit, DEFAULT_LIMIT);
    const offset = toCount(opts.offset, 0);
    let agency = -1;
    if (opts.agency !== undefined) {
      const a = agencyIds.get(opts.agency);
      if (a === undefined) return { total: 0, hits: [] };
      agency = a;
    }
    const dateFrom = dayNumber(opts.dateFrom, -Infinity, 'dateFrom');
    const dateTo = dayNumber(opts.dateTo, Infinity, 'dateTo');
    const newest = opts.order === 'newest';
    // A date range or the newest-first order take the general path: every match collected, then filtered and ordered.
    const general = newest || dateFrom !== -Infinity || dateTo !== Infinity;
    if (dateFrom > dateTo) return { total: 0, hits: [] };
    const plans = plan(keywords);
    if (!plans) return { total: 0, hits: [] };
    ensureScratch();

    // Candidates: intersection of every known list, shortest first so the working set shrinks fastest.
    const sources: Source[] = [];
    for (const p of plans) {
      if (p.exact) sources.push(p.exact);
      else for (const g of p.filters) sources.push(sourceOf(g, false));
    }
    sortByLength(sources);
    if (!general && sources.length > 0 && plans.every((p) => p.exact)) {
      const r =
        agency === -1 && sources.every((s) => s.dense !== -1)
          ? offset + limit <= TOP_K_MAX
            ? pagedDenseTop(sources, offset, limit)
            : denseTop(sources, offset, limit)
          : streamTop(sources, agency, offset, limit);
      if (r) return r;
    }
    let n: number;
    if (sources.length === 0) {
      for (let d = 0; d < docCount; d++) {
        cands[d] = d;
        scores[d] = 0;
      }
      n = docCount;
    } else {
      n = gather(sources, cands, scores);
    }

    // Tombstones and other agencies go before the costlier text checks (a pass only when there are any).
    let kept = 0;
    if (agency === -1 && live === docCount && !general) kept = n;
    else for (let i = 0; i < n; i++) {
      const d = cands[i]!;
      if (alive[d] && (agency === -1 || agencyOf[d] === agency) && dates[d]! >= dateFrom && dates[d]! <= dateTo) {
        cands[kept] = d;
        scores[kept++] = scores[i]!;
      }
    }
    n = kept;

    // Long keywords: with many candidates, all their matches (remembered for the next search); with few, check the few.
    const verify: string[] = [];
    for (const p of plans) {
      if (p.exact || n === 0) continue;
      // A keyword that must be folded as it is checked (Latin, digits) is worth remembering sooner; one
      // already remembered is used whatever the candidates (its text is read from the store's file otherwise).
      if (cacheBudget > 0 && (cache.has(p.text) || n >= (matchesUnfolded(p.text) ? cacheMin : Math.min(cacheMin, FOLDED_CACHE_MIN_CANDIDATES)))) n = intersect(n, cachedSource(matchesOf(p)));
      else verify.push(p.text);
    }
    if (verify.length > 0 && store?.fieldsOfMany && n >= BULK_MIN_DOCS) {
      // The store's text read many at once, a keyword at a time: the whole score while the text is at hand.
      const found = new Int32Array(n);
      for (const k of verify) {
        eachFound(cands, n, k, (i, f) => void (found[i] = f));
        let out = 0;
        for (let i = 0; i < n; i++) {
          const f = found[i]!;
          if (f === -1) continue;
          cands[out] = cands[i]!;
          scores[out++] = scores[i]! + (f & 1 ? TITLE_WEIGHT : 0) + (f >>> 1);
        }
        n = out;
        if (n === 0) break;
      }
    } else if (verify.length > 0) {
      // First the match itself and a lower bound of the score (one occurrence each); counting the
      // further occurrences scans the rest of the text, so it is left to the few that can still rank.
      let out = 0;
      outer: for (let i = 0; i < n; i++) {
        const d = cands[i]!;
        let score = scores[i]!;
        for (const k of verify) {
          const f = find(d, k, 1);
          if (f === -1) continue outer;
          if (f & 1) score += TITLE_WEIGHT;
          score += 1;
        }
        cands[out] = d;
        scores[out++] = score;
      }
      n = out;
      const slack = verify.length * (OCCURRENCE_CAP - 1);
      // Newest first: the page is not decided by score, so every match gets its full score.
      const threshold = newest ? -1 : kthLargest(n, offset + limit);
      for (let i = 0; i < n; i++) {
        if (scores[i]! + slack < threshold) continue;
        let extra = 0;
        for (const k of verify) {
          extra += (find(cands[i]!, k, OCCURRENCE_CAP) >>> 1) - 1;
        }
        scores[i]! += extra;
      }
    }
    return { total: n, hits: newest ? newestHits(n, offset, limit) : topHits(n, offset, limit) };
  };

  /**
   * The page [offset, offset + limit) of candidates cands[0, n) (ascending) newest first. Base
   * documents are numbered newest first already (see rebuild); the few added since are sorted and
   * merged in.
   */
  const newestHits = (n: number, offset: number, limit: number): SearchHit[] => {
    const k = Math.min(n, offset + limit);
    if (k <= offset) return [];
    let split = 0;
    while (split < n && cands[split]! < baseDocCount) split++;
    const added: number[] = [];
    for (let i = split; i < n; i++) added.push(i);
    added.sort((x, y) => (newer(cands[x]!, cands[y]!) ? -1 : 1));
    const hits: SearchHit[] = [];
    let b = 0;
    let a = 0;
    while (hits.length < k) {
      const i = a < added.length && (b >= split || newer(cands[added[a]!]!, cands[b]!)) ? added[a++]! : b++;
      hits.push({ id: ids[cands[i]!]!, score: scores[i]! });
    }
    return hits.slice(offset);
  };

  /** Newest-first order: newer date, then higher seq, then id. */
  const newer = (a: number, b: number): boolean => {
    if (dates[a] !== dates[b]) return dates[a]! > dates[b]!;
    if (seqs[a] !== seqs[b]) return seqs[a]! > seqs[b]!;
    return ids[a]! < ids[b]!;
  };

  /**
   * Keywords that are all dense grams (1–2 units, no delta documents, no tombstones, no agency): the
   * total is the popcount of the ANDed bitsets, and the page is looked for among the matches with a
   * title hit only. That is exact when the k-th best score among them exceeds what a match without
   * any title hit can score (OCCURRENCE_CAP per keyword): every such match ranks below the page.
   * Returns null when it cannot tell (the caller then scores every match).
   */
  const denseTop = (sources: Source[], offset: number, limit: number): SearchResult | null => {
    const m = sources.length;
    const K = offset + limit;
    const W = words;
    const dead = live !== docCount;
    // Base documents: the ANDed bitsets (and the live ones, when there are tombstones).
    let A = sources[0]!.bits;
    let aAt = sources[0]!.bitsAt;
    let baseTotal = 0;
    if (m === 1) {
      const src = sources[0]!;
      baseTotal = src.length - (src.extra?.length ?? 0);
      if (dead) for (const d of deadBaseDocs()) if (inDense(src, d)) baseTotal--;
    } else {
      const acc = andBits;
      acc.set(A.subarray(aAt, aAt + W));
      for (let si = 1; si < m; si++) {
        const { bits, bitsAt: at } = sources[si]!;
        for (let wi = 0; wi < W; wi++) acc[wi]! &= bits[at + wi]!;
      }
      if (dead) {
        const al = aliveBaseBits();
        for (let wi = 0; wi < W; wi++) acc[wi]! &= al[wi]!;
      }
      for (let wi = 0; wi < W; wi++) baseTotal += popcount(acc[wi]!);
      A = acc;
      aAt = 0;
    }
    // Documents added since the build (numbered above the base ones) match only through every
    // source's delta postings: few, scored one by one, merged with the base page below.
    const added = sources.every((s) => s.extra) ? deltaMatches(sources) : null;
    const total = baseTotal + (added ? added.length >>> 1 : 0);
    if (total <= offset || limit === 0) return { total, hits: [] };
    const from = added ? 0 : offset;
    const base =
      m === 1
        ? singleDenseTop(sources[0]!, baseTotal, from, K - from)
        : baseTotal === 0
          ? { total: 0, hits: [] }
          : // First the matches with every keyword in the title (they outrank the rest unless the rest
            // can make up the difference with occurrences), then those with any.
            (titleTierTop(sources, A, aAt, baseTotal, from, K - from, true) ?? (m > 1 ? titleTierTop(sources, A, aAt, baseTotal, from, K - from, false) : null));
    if (!base) return null;
    if (!added) return { total, hits: base.hits };
    const merged = base.hits.map((h) => [docById.get(h.id)!, h.score] as const);
    for (let i = 0; i < added.length; i += 2) merged.push([added[i]!, added[i + 1]!]);
    merged.sort((x, y) => (better(x[0], x[1], y[0], y[1]) ? -1 : better(y[0], y[1], x[0], x[1]) ? 1 : 0));
    return { total, hits: merged.slice(offset, K).map(([d, score]) => ({ id: ids[d]!, score })) };
  };

  /** Live delta documents in every source's delta postings, as [doc, score, doc, score, ...]. */
  const deltaMatches = (sources: Source[]): number[] => {
    const lists = sources.map((s) => s.extra!).sort((a, b) => a.length - b.length);
    const at = lists.map(() => 0);
    const out: number[] = [];
    outer: for (const p of lists[0]!) {
      const d = Math.floor(p / 256);
      if (!alive[d]) continue;
      let score = SCORE[p % 256]!;
      for (let li = 1; li < lists.length; li++) {
        const list = lists[li]!;
        const j = (at[li] = gallopPacked(list, at[li]!, d * 256));
        if (j >= list.length || list[j]! >= (d + 1) * 256) continue outer;
        score += SCORE[list[j]! % 256]!;
      }
      out.push(d, score);
    }
    return out;
  };

  /** Scores the matches (A from aAt) with every (all) or some keyword in the title; null when the page may hold others. */
  const titleTierTop = (sources: Source[], A: Uint32Array, aAt: number, total: number, offset: number, limit: number, all: boolean): SearchResult | null => {
    const m = sources.length;
    const K = offset + limit;
    const W = words;
    const u = titleAny;
    let uCount = 0;
    const t0 = titleBitsOf(sources[0]!);
    for (let wi = 0; wi < W; wi++) u[wi] = t0[wi]!;
    for (let si = 1; si < m; si++) {
      const t = titleBitsOf(sources[si]!);
      if (all) for (let wi = 0; wi < W; wi++) u[wi]! &= t[wi]!;
      else for (let wi = 0; wi < W; wi++) u[wi]! |= t[wi]!;
    }
    for (let wi = 0; wi < W; wi++) uCount += popcount((u[wi]! &= A[aAt + wi]!));
    if (uCount < K) return null;
    const nibs = sources.map((s) => s.nib);
    const offs: number[] = sources.map((s) => s.nibAt);
    let n = 0;
    for (let wi = 0; wi < W; wi++) {
      let word = u[wi]!;
      while (word !== 0) {
        const low = word & -word;
        const d = (wi << 5) | (31 - Math.clz32(low));
        word ^= low;
        const byte = d >>> 1;
        const sh = (d & 1) << 2;
        let score = 0;
        for (let k = 0; k < m; k++) score += NIBBLE_SCORE[(nibs[k]![offs[k]! + byte]! >>> sh) & 15]!;
        cands[n] = d;
        scores[n++] = score;
      }
    }
    // The best any other match can score: fewer title hits (at most m - 1, or none), every keyword at the cap.
    const otherMax = (all ? TITLE_WEIGHT * (m - 1) : 0) + OCCURRENCE_CAP * m;
    if (kthLargest(n, K) <= otherMax) return null;
    return { total, hits: topHits(n, offset, limit) };
  };

  /**
   * One dense keyword: a histogram of its nibbles (a byte holds two documents) gives the k-th best
   * score; one more pass over the nibbles, in rank order among equal scores, collects the page.
   */
  const byteHist = new Int32Array(256);
  const singleDenseTop = (src: Source, total: number, offset: number, limit: number): SearchResult => {
    const K = offset + limit;
    const nib = src.nib;
    const at = src.nibAt;
    const end = at + nibbleBytes;
    const bh = byteHist;
    bh.fill(0);
    for (let i = at; i < end; i++) bh[nib[i]!]!++;
    histogram.fill(0);
    for (let b = 1; b < 256; b++) {
      const c = bh[b]!;
      if (c === 0) continue;
      if (b & 15) histogram[NIBBLE_SCORE[b & 15]!]! += c;
      if (b >>> 4) histogram[NIBBLE_SCORE[b >>> 4]!]! += c;
    }
    // Removed documents (tombstones) are still in the nibbles: taken out of the counts, skipped below.
    const dead = live !== docCount;
    if (dead) {
      for (const d of deadBaseDocs()) {
        const x = (nib[at + (d >>> 1)]! >>> ((d & 1) << 2)) & 15;
        if (x !== 0) histogram[NIBBLE_SCORE[x]!]!--;
      }
    }
    const threshold = total < K ? 0 : kthFromHistogram(K);
    let aboveLeft = 0;
    for (let s = threshold + 1; s < 256; s++) aboveLeft += histogram[s]!;
    let tiesWanted = total < K ? 0 : K - aboveLeft;
    const best = BYTE_BEST;
    let n = 0;
    for (let i = at; i < end && (aboveLeft > 0 || tiesWanted > 0); i++) {
      const b = nib[i]!;
      if (best[b]! < threshold) continue;
      const d = (i - at) << 1;
      for (let h = 0; h < 2; h++) {
        const x = h === 0 ? b & 15 : b >>> 4;
        if (x === 0 || (dead && !alive[d + h])) continue;
        const s = NIBBLE_SCORE[x]!;
        if (s > threshold) aboveLeft--;
        else if (s === threshold && tiesWanted > 0) tiesWanted--;
        else continue;
        cands[n] = d + h;
        scores[n++] = s;
      }
    }
    const picked = Array.from({ length: n }, (_, i) => i);
    picked.sort((x, y) => scores[y]! - scores[x]! || cands[x]! - cands[y]!);
    return { total, hits: picked.slice(offset, K).map((i) => ({ id: ids[cands[i]!]!, score: scores[i]! })) };
  };

  /** Scores are small (at most 15 per keyword, 8 keywords): a histogram ranks them in one pass. */
  const histogram = new Int32Array(256);
  const fillHistogram = (n: number): void => {
    histogram.fill(0);
    for (let i = 0; i < n; i++) histogram[scores[i]!]!++;
  };
  /** The k-th largest score in the histogram, or -1 when it counts fewer than k. */
  const kthFromHistogram = (k: number): number => {
    let seen = 0;
    for (let s = 255; s >= 0; s--) {
      seen += histogram[s]!;
      if (seen >= k) return s;
    }
    return -1;
  };
  const kthLargest = (n: number, k: number): number => {
    if (k <= 0 || n < k) return -1;
    fillHistogram(n);
    return kthFromHistogram(k);
  };

  /** Better-first order: score, then newer date, then higher seq, then id for a stable order. */
  const better = (a: number, sa: number, b: number, sb: number): boolean => {
    if (sa !== sb) return sa > sb;
    if (dates[a] !== dates[b]) return dates[a]! > dates[b]!;
    if (seqs[a] !== seqs[b]) return seqs[a]! > seqs[b]!;
    return ids[a]! < ids[b]!;
  };

  /**
   * The page [offset, offset + limit) of the ranking. Base documents are numbered best-first, so
   * among equal scores the candidates (ascending) are already in rank order: a histogram finds the
   * k-th best score, and only documents at or above it are collected and sorted.
   */
  const topHits = (n: number, offset: number, limit: number): SearchHit[] => {
    const k = Math.min(n, offset + limit);
    if (k <= offset) return [];
    fillHistogram(n);
    const threshold = n < k ? -1 : kthFromHistogram(k);
    let aboveLeft = 0;
    for (let s = threshold + 1; s < 256; s++) aboveLeft += histogram[s]!;
    let tiesWanted = k - aboveLeft;
    const picked: number[] = [];
    for (let i = 0; i < n; i++) {
      if (aboveLeft === 0 && tiesWanted <= 0) {
        // Everything else ranks below, except that delta documents (numbered last, not in rank order) may tie.
        if (deltaDocs === 0) break;
        let lo = i;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cands[mid]! < baseDocCount) lo = mid + 1;
          else hi = mid;
        }
        for (let j = lo; j < n; j++) if (scores[j] === threshold) picked.push(j);
        break;
      }
      const s = scores[i]!;
      if (s > threshold) {
        picked.push(i);
        aboveLeft--;
      } else if (s === threshold) {
        // Delta documents are not in rank order: keep them all, the sort below places them.
        if (cands[i]! >= baseDocCount) picked.push(i);
        else if (tiesWanted > 0) {
          picked.push(i);
          tiesWanted--;
        }
      }
    }
    picked.sort((x, y) => (better(cands[x]!, scores[x]!, cands[y]!, scores[y]!) ? -1 : better(cands[y]!, scores[y]!, cands[x]!, scores[x]!) ? 1 : 0));
    return picked.slice(offset, k).map((i) => ({ id: ids[cands[i]!]!, score: scores[i]! }));
  };

  // ---- Pages of exact keywords without collecting every match ----------------------------------
  // A page needs the k best of often tens of thousands of matches. These stream the matches once,
  // keep only the k best (TopK), and skip what cannot beat the k-th: per 32-document word, an upper
  // bound of the score from each keyword's best score in that word.

  /** Deeper pages (offset + limit above this) are ranked by collecting and sorting (TopK inserts in O(k)). */
  const TOP_K_MAX = 128;
  const top = new TopK(TOP_K_MAX);
  // Per dense gram (and per remembered bitset), the best nibble score in each word of base documents:
  // N/32 bytes each, derived on first use. They belong to the nibbles they were derived from, so a
  // rebuild (new nibbles) drops them.
  let boundsNibbles: Uint8Array | null = null;
  const boundsByDense = new Map<number, Uint8Array>();
  const boundsByCached = new WeakMap<CachedMatches, Uint8Array>();
  const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

  const wordBoundsOf = (s: Source): Uint8Array => {
    if (s.cached) return boundsByCached.get(s.cached) ?? summarize(s).bounds;
    if (boundsNibbles !== denseNibbles) {
      boundsByDense.clear();
      boundsNibbles = denseNibbles;
    }
    return boundsByDense.get(s.dense) ?? summarize(s).bounds;
  };

  /** Derives a bitset source's title bits and word bounds together, and keeps them (see titleBitsOf, wordBoundsOf). */
  const summarize = (s: Source): { titles: Uint32Array; bounds: Uint8Array } => {
    const r = deriveSummaries(s.nib, s.nibAt);
    if (s.cached) {
      s.cached.titles = r.titles;
      boundsByCached.set(s.cached, r.bounds);
    } else {
      titleBits.set(s.dense, r.titles);
      if (boundsNibbles !== denseNibbles) {
        boundsByDense.clear();
        boundsNibbles = denseNibbles;
      }
      boundsByDense.set(s.dense, r.bounds);
    }
    return r;
  };

  /**
   * One pass over a bitset source's weight nibbles: the documents with a title hit (a bitset) and,
   * per word of 32 documents, a bound of their best score. Every new keyword of a query derives them
   * once, so they are read 8 documents at a time: the title flags looked up 4 documents at a time
   * (TITLE_FLAGS16), the bound from the OR of the nibbles (an OR of counts is at least their maximum,
   * so the bound still holds).
   */
  const deriveSummaries = (nib: Uint8Array, at: number): { titles: Uint32Array; bounds: Uint8Array } => {
    const titles = new Uint32Array(words);
    const bounds = new Uint8Array(words);
    let wi = 0;
    if (LITTLE_ENDIAN && (nib.byteOffset + at) % 4 === 0) {
      const n32 = new Uint32Array(nib.buffer, nib.byteOffset + at, nibbleBytes >>> 2);
      const T = TITLE_FLAGS16;
      // Element e of word wi holds documents 32 wi + 8 e .. + 7, nibble k being document 8 e + k.
      for (const full = n32.length >>> 2; wi < full; wi++) {
        const e = wi << 2;
        const x0 = n32[e]!;
        const x1 = n32[e + 1]!;
        const x2 = n32[e + 2]!;
        const x3 = n32[e + 3]!;
        titles[wi] = T[x0 & 0xffff]! | (T[x0 >>> 16]! << 4) | (T[x1 & 0xffff]! << 8) | (T[x1 >>> 16]! << 12) | (T[x2 & 0xffff]! << 16) | (T[x2 >>> 16]! << 20) | (T[x3 & 0xffff]! << 24) | (T[x3 >>> 16]! << 28);
        let or = x0 | x1 | x2 | x3;
        or |= or >>> 16;
        or |= or >>> 8;
        or |= or >>> 4;
        bounds[wi] = NIBBLE_SCORE[or & 15]!;
      }
    }
    for (; wi < words; wi++) {
      // The rest byte by byte: documents 2 i (low nibble) and 2 i + 1 (high nibble) of byte i.
      let t = 0;
      let best = 0;
      for (let i = wi << 4, end = Math.min(nibbleBytes, (wi + 1) << 4); i < end; i++) {
        const b = nib[at + i]!;
        if (BYTE_BEST[b]! > best) best = BYTE_BEST[b]!;
        t |= (((b >>> 3) & 1) | ((b >>> 6) & 2)) << ((i << 1) & 31);
      }
      titles[wi] = t;
      bounds[wi] = best;
    }
    return { titles, bounds };
  };

  /** The hits [offset, k) of what top holds. */
  const topPage = (offset: number): SearchHit[] => {
    const hits: SearchHit[] = [];
    for (let i = offset; i < top.size; i++) hits.push({ id: ids[top.docs[i]!]!, score: top.scores[i]! });
    return hits;
  };

  /**
   * The k best base documents among the matches A (words from aAt) of dense sources, into top.
   * Words are visited in rank order; once top is full, a word whose bound does not beat the k-th
   * score is skipped whole (its documents rank after the k-th at best).
   */
  /** Title hits a document needs among m keywords to score above bar: each keyword gives at most OCCURRENCE_CAP without one, TITLE_WEIGHT more with. */
  const titlesNeeded = (bar: number, m: number): number => (bar < OCCURRENCE_CAP * m ? 0 : Math.floor((bar - OCCURRENCE_CAP * m) / TITLE_WEIGHT) + 1);

  /**
   * denseTop for a page within TOP_K_MAX: the matches' count and the page's documents in one pass
   * over the words of the bitsets (see scanDense), then documents added since the build merged in.
   */
  const pagedDenseTop = (sources: Source[], offset: number, limit: number): SearchResult => {
    const K = offset + limit;
    const added = sources.every((s) => s.extra) ? deltaMatches(sources) : null;
    top.reset(K);
    const total = scanDense(sources) + (added ? added.length >>> 1 : 0);
    if (total <= offset || limit === 0) return { total, hits: [] };
    if (!added) return { total, hits: topPage(offset) };
    for (let i = 0; i < added.length; i += 2) top.offerOrdered(added[i]!, added[i + 1]!, better);
    return { total, hits: topPage(offset) };
  };

  /**
   * The live base documents in every dense source: returns their count and offers them to top,
   * visiting only what can beat its k-th. Words (32 documents) come in rank order; once top is full a
   * word is skipped when the sum of the keywords' best scores in it does not beat the k-th, and
   * inside a word only documents with enough title hits are scored (titlesNeeded). One and two
   * keywords (nearly every query) are written out with their arrays in locals.
   */
  // Stand-ins for the missing fourth keyword of a three-keyword scan: in every document, scoring nothing.
  let noneBits = new Uint32Array(0);
  let noneBounds = new Uint8Array(0);
  let noneTitles = new Uint32Array(0);
  let noneNibbles = new Uint8Array(0);
  const noneSource = (): Source => {
    if (noneBits.length !== words) {
      noneBits = new Uint32Array(words).fill(0xffffffff);
      noneBounds = new Uint8Array(words);
      noneTitles = new Uint32Array(words);
    }
    if (noneNibbles.length !== nibbleBytes) noneNibbles = new Uint8Array(nibbleBytes);
    return { docs: EMPTY_I32, w: EMPTY_U8, lo: 0, hi: 0, extra: null, length: docCount, scored: true, dense: -3, bits: noneBits, bitsAt: 0, nib: noneNibbles, nibAt: 0, cached: null };
  };

  /**
   * scanDense for three or four keywords in one pass with every array in a local (a three-keyword
   * query gets a stand-in fourth that is in every document and scores nothing): per word the AND,
   * its count, the bound, then title hits counted bitwise against `need`.
   */
  const scanDense4 = (sources: Source[], al: Uint32Array | null): number => {
    const m = sources.length;
    const W = words;
    const S = NIBBLE_SCORE;
    const x0 = sources[0]!;
    const x1 = sources[1]!;
    const x2 = sources[2]!;
    const x3 = m === 4 ? sources[3]! : noneSource();
    const [B0, B1, B2, B3] = [x0.bits, x1.bits, x2.bits, x3.bits];
    const [a0, a1, a2, a3] = [x0.bitsAt, x1.bitsAt, x2.bitsAt, x3.bitsAt];
    const [N0, N1, N2, N3] = [x0.nib, x1.nib, x2.nib, x3.nib];
    const [o0, o1, o2, o3] = [x0.nibAt, x1.nibAt, x2.nibAt, x3.nibAt];
    const U0 = wordBoundsOf(x0);
    const U1 = wordBoundsOf(x1);
    const U2 = wordBoundsOf(x2);
    const U3 = m === 4 ? wordBoundsOf(x3) : noneBounds;
    let T0: Uint32Array = noneTitles;
    let T1: Uint32Array = noneTitles;
    let T2: Uint32Array = noneTitles;
    let T3: Uint32Array = noneTitles;
    let titled = false;
    let total = 0;
    let bar = -1;
    let need = 0;
    let done = false;
    for (let wi = 0; wi < W; wi++) {
      let word = B0[a0 + wi]! & B1[a1 + wi]! & B2[a2 + wi]! & B3[a3 + wi]!;
      if (al) word &= al[wi]!;
      if (word === 0) continue;
      total += popcount(word);
      if (done || U0[wi]! + U1[wi]! + U2[wi]! + U3[wi]! <= bar) continue;
      if (need > 0) {
        if (!titled) {
          titled = true;
          T0 = titleBitsOf(x0);
          T1 = titleBitsOf(x1);
          T2 = titleBitsOf(x2);
          if (m === 4) T3 = titleBitsOf(x3);
        }
        // Documents with at least `need` title hits, counted bitwise: c[k] = at least k so far.
        const t0 = T0[wi]!;
        const t1 = T1[wi]!;
        const t2 = T2[wi]!;
        const t3 = T3[wi]!;
        const c2 = (t0 & t1) | ((t0 | t1) & t2);
        const c3 = t0 & t1 & t2;
        const c1 = t0 | t1 | t2;
        word &= need === 1 ? c1 | t3 : need === 2 ? c2 | (c1 & t3) : need === 3 ? c3 | (c2 & t3) : c3 & t3;
      }
      while (word !== 0) {
        const low = word & -word;
        const d = (wi << 5) | (31 - Math.clz32(low));
        word ^= low;
        const byte = d >>> 1;
        const sh = (d & 1) << 2;
        const s = S[(N0[o0 + byte]! >>> sh) & 15]! + S[(N1[o1 + byte]! >>> sh) & 15]! + S[(N2[o2 + byte]! >>> sh) & 15]! + S[(N3[o3 + byte]! >>> sh) & 15]!;
        if (s > bar) {
          top.offer(d, s);
          bar = top.bar;
          if (bar >= 0) need = titlesNeeded(bar, m);
        }
      }
      done = need > m;
    }
    return total;
  };

  let manyBounds = new Uint8Array(0);
  let manyTitles = new Uint32Array(0);
  const scanDense = (sources: Source[]): number => {
    const m = sources.length;
    const W = words;
    const S = NIBBLE_SCORE;
    const al = live !== docCount ? aliveBaseBits() : null;
    const s0 = sources[0]!;
    const bits0 = s0.bits;
    const at0 = s0.bitsAt;
    const nib0 = s0.nib;
    const nat0 = s0.nibAt;
    const b0 = wordBoundsOf(s0);
    let bar = -1;
    let need = 0;
    let total = 0;
    if (m === 1) {
      total = s0.length - (s0.extra?.length ?? 0);
      if (al) for (const d of deadBaseDocs()) if (inDense(s0, d)) total--;
      let t0: Uint32Array | null = null;
      for (let wi = 0; wi < W; wi++) {
        if (b0[wi]! <= bar) continue;
        let word = bits0[at0 + wi]!;
        if (al) word &= al[wi]!;
        if (need > 0) word &= (t0 ??= titleBitsOf(s0))[wi]!;
        while (word !== 0) {
          const low = word & -word;
          const d = (wi << 5) | (31 - Math.clz32(low));
          word ^= low;
          const s = S[(nib0[nat0 + (d >>> 1)]! >>> ((d & 1) << 2)) & 15]!;
          if (s > bar) {
            top.offer(d, s);
            bar = top.bar;
            if (bar >= 0) need = titlesNeeded(bar, 1);
          }
        }
        if (need > 1) break;
      }
      return total;
    }
    if (m === 2) {
      const s1 = sources[1]!;
      const bits1 = s1.bits;
      const at1 = s1.bitsAt;
      const nib1 = s1.nib;
      const nat1 = s1.nibAt;
      const b1 = wordBoundsOf(s1);
      let t0: Uint32Array | null = null;
      let t1: Uint32Array | null = null;
      let done = false;
      for (let wi = 0; wi < W; wi++) {
        let word = bits0[at0 + wi]! & bits1[at1 + wi]!;
        if (al) word &= al[wi]!;
        if (word === 0) continue;
        total += popcount(word);
        if (done || b0[wi]! + b1[wi]! <= bar) continue;
        if (need > 0) {
          t0 ??= titleBitsOf(s0);
          t1 ??= titleBitsOf(s1);
          word &= need === 1 ? t0[wi]! | t1[wi]! : t0[wi]! & t1[wi]!;
        }
        while (word !== 0) {
          const low = word & -word;
          const d = (wi << 5) | (31 - Math.clz32(low));
          word ^= low;
          const byte = d >>> 1;
          const sh = (d & 1) << 2;
          const s = S[(nib0[nat0 + byte]! >>> sh) & 15]! + S[(nib1[nat1 + byte]! >>> sh) & 15]!;
          if (s > bar) {
            top.offer(d, s);
            bar = top.bar;
            if (bar >= 0) need = titlesNeeded(bar, 2);
          }
        }
        done = need > 2;
      }
      return total;
    }
    if (m <= 4) return scanDense4(sources, al);
    // Three or more: AND the bitsets first (a monomorphic loop per source), then scan with each
    // keyword's word bounds and title bits copied side by side (typed arrays in locals, not arrays of them).
    const acc = andBits;
    acc.set(bits0.subarray(at0, at0 + W));
    for (let j = 1; j < m; j++) {
      const { bits, bitsAt } = sources[j]!;
      for (let wi = 0; wi < W; wi++) acc[wi]! &= bits[bitsAt + wi]!;
    }
    if (al) for (let wi = 0; wi < W; wi++) acc[wi]! &= al[wi]!;
    if (manyBounds.length < m * W) manyBounds = new Uint8Array(m * W);
    if (manyTitles.length < m * W) manyTitles = new Uint32Array(m * W);
    const bq = manyBounds;
    const tq = manyTitles;
    for (let j = 0; j < m; j++) {
      bq.set(wordBoundsOf(sources[j]!).subarray(0, W), j * W);
      tq.set(titleBitsOf(sources[j]!).subarray(0, W), j * W);
    }
    const nibs = sources.map((s) => s.nib);
    const offs = Int32Array.from(sources, (s) => s.nibAt);
    const atLeast = new Int32Array(m + 1);
    let done = false;
    for (let wi = 0; wi < W; wi++) {
      let word = acc[wi]!;
      if (word === 0) continue;
      total += popcount(word);
      if (done) continue;
      if (bar >= 0) {
        let ub = 0;
        for (let o = wi; o < m * W; o += W) ub += bq[o]!;
        if (ub <= bar) continue;
      }
      if (need > 0) {
        // Documents with at least `need` title hits, counted bitwise.
        if (need <= 3) {
          let c1 = 0;
          let c2 = 0;
          let c3 = 0;
          for (let o = wi; o < m * W; o += W) {
            const t = tq[o]!;
            c3 |= c2 & t;
            c2 |= c1 & t;
            c1 |= t;
          }
          word &= need === 1 ? c1 : need === 2 ? c2 : c3;
        } else {
          atLeast.fill(0);
          for (let o = wi; o < m * W; o += W) {
            const t = tq[o]!;
            for (let c = need; c > 1; c--) atLeast[c]! |= atLeast[c - 1]! & t;
            atLeast[1]! |= t;
          }
          word &= atLeast[need]!;
        }
      }
      while (word !== 0) {
        const low = word & -word;
        const d = (wi << 5) | (31 - Math.clz32(low));
        word ^= low;
        const byte = d >>> 1;
        const sh = (d & 1) << 2;
        let s = 0;
        for (let j = 0; j < m; j++) s += S[(nibs[j]![offs[j]! + byte]! >>> sh) & 15]!;
        if (s > bar) {
          top.offer(d, s);
          bar = top.bar;
          if (bar >= 0) need = titlesNeeded(bar, m);
        }
      }
      done = need > m;
    }
    return total;
  };

  /**
   * streamTop's common case written out (a keyword's list against dense ones, no tombstones, no
   * delta documents): a bit test per document, and its nibbles only when it could still make the page.
   */
  const streamListOverDense = (first: Source, others: Source[], agency: number): number => {
    const docs = first.docs;
    const w = first.w;
    const m = others.length;
    const bits0 = others[0]!.bits;
    const bAt0 = others[0]!.bitsAt;
    const nib0 = others[0]!.nib;
    const nAt0 = others[0]!.nibAt;
    const S = NIBBLE_SCORE;
    const headroom = NIBBLE_SCORE[15]! * m;
    let total = 0;
    let bar = -1;
    outer: for (let i = first.lo; i < first.hi; i++) {
      const d = docs[i]!;
      if ((bits0[bAt0 + (d >>> 5)]! & (1 << (d & 31))) === 0) continue;
      for (let j = 1; j < m; j++) if (!inDense(others[j]!, d)) continue outer;
      if (agency !== -1 && agencyOf[d] !== agency) continue;
      total++;
      let s = SCORE[w[i]!]!;
      // Documents come in rank order: one that cannot beat the k-th even at best is only counted.
      if (s + headroom <= bar) continue;
      const byte = d >>> 1;
      const sh = (d & 1) << 2;
      s += S[(nib0[nAt0 + byte]! >>> sh) & 15]!;
      for (let j = 1; j < m; j++) s += S[(others[j]!.nib[others[j]!.nibAt + byte]! >>> sh) & 15]!;
      if (s > bar) {
        top.offer(d, s);
        bar = top.bar;
      }
    }
    return total;
  };

  /**
   * streamTop's other common case written out: two keywords' lists (no tombstones, no delta
   * documents), the shorter walked, the other galloped through.
   */
  const streamListOverList = (first: Source, second: Source, agency: number): number => {
    const docs = first.docs;
    const w = first.w;
    const docs2 = second.docs;
    const w2 = second.w;
    const hi2 = second.hi;
    let j = second.lo;
    let total = 0;
    let bar = -1;
    for (let i = first.lo; i < first.hi && j < hi2; i++) {
      const d = docs[i]!;
      if (docs2[j]! < d) j = gallop(docs2, j + 1, hi2, d);
      if (j >= hi2 || docs2[j] !== d) continue;
      if (agency !== -1 && agencyOf[d] !== agency) continue;
      total++;
      const s = SCORE[w[i]!]! + SCORE[w2[j]!]!;
      if (s > bar) {
        top.offer(d, s);
        bar = top.bar;
      }
    }
    return total;
  };

  /**
   * Every match of exact sources (sorted by length) counted, and the page [offset, offset + limit)
   * of them ranked, in one pass over the shortest source: no candidate list, no histogram, no sort.
   * Handles tombstones, an agency and delta documents. Null when the page is too deep for TopK.
   */
  const streamTop = (sources: Source[], agency: number, offset: number, limit: number): SearchResult | null => {
    const k = offset + limit;
    if (k > TOP_K_MAX) return null;
    top.reset(k);
    const m = sources.length;
    const dead = live !== docCount;
    const first = sources[0]!;
    // Per other source: cursors into its list part and its delta postings (both ascending, like the stream).
    const lo = new Int32Array(m);
    const at = new Int32Array(m);
    for (let j = 0; j < m; j++) lo[j] = sources[j]!.lo;
    let total = 0;
    /** Score of d across the other sources, or -1 when one lacks it. */
    const rest = (d: number): number => {
      let s = 0;
      for (let j = 1; j < m; j++) {
        const src = sources[j]!;
        let w = -1;
        if (src.dense !== -1 || src.docs === baseDocs ? d < baseDocCount : true) {
          if (src.dense !== -1) {
            if (inDense(src, d)) w = denseWeight(src, d);
          } else {
            const docs = src.docs;
            let p = lo[j]!;
            if (p < src.hi && docs[p]! < d) lo[j] = p = gallop(docs, p + 1, src.hi, d);
            if (p < src.hi && docs[p] === d) w = src.w[p]!;
          }
        }
        if (w === -1 && src.extra && d >= baseDocCount) {
          const extra = src.extra;
          const p = (at[j] = gallopPacked(extra, at[j]!, d * 256));
          if (p < extra.length && extra[p]! < (d + 1) * 256) w = extra[p]! % 256;
        }
        if (w === -1) return -1;
        if (src.scored) s += SCORE[w]!;
      }
      return s;
    };
    if (m > 1 && live === docCount && docCount === baseDocCount && first.dense === -1 && sources.every((s) => s.scored)) {
      if (sources.every((s, j) => j === 0 || s.dense !== -1)) return { total: streamListOverDense(first, sources.slice(1), agency), hits: topPage(offset) };
      if (m === 2) return { total: streamListOverList(first, sources[1]!, agency), hits: topPage(offset) };
    }
    const visit = (d: number, w: number): void => {
      if (dead && !alive[d]) return;
      if (agency !== -1 && agencyOf[d] !== agency) return;
      const r = m > 1 ? rest(d) : 0;
      if (r === -1) return;
      total++;
      const s = (first.scored ? SCORE[w]! : 0) + r;
      // Base documents come in rank order; delta ones (numbered above them) do not.
      if (d < baseDocCount) top.offer(d, s);
      else top.offerOrdered(d, s, better);
    };
    if (first.dense !== -1) {
      const { bits, bitsAt, nib, nibAt } = first;
      for (let wi = 0; wi < words; wi++) {
        let word = bits[bitsAt + wi]!;
        while (word !== 0) {
          const low = word & -word;
          const d = (wi << 5) | (31 - Math.clz32(low));
          word ^= low;
          visit(d, NIBBLE_TO_W[(nib[nibAt + (d >>> 1)]! >>> ((d & 1) << 2)) & 15]!);
        }
      }
    } else {
      for (let i = first.lo; i < first.hi; i++) visit(first.docs[i]!, first.w[i]!);
    }
    if (first.extra) for (const p of first.extra) visit(Math.floor(p / 256), p % 256);
    return { total, hits: topPage(offset) };
  };

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    // After the current synchronous batch of upserts (a store load, one bulletin), index them together.
    queueMicrotask(() => {
      if (flushScheduled) flush();
    });
  };

  return {
    upsert(entry) {
      epoch++;
      removeDocument(entry.id);
      pending.push(addDocument(entry));
      scheduleFlush();
    },
    remove(id) {
      epoch++;
      const removed = removeDocument(id);
      if (removed) scheduleFlush();
      return removed;
    },
    has: (id) => docById.has(id),
    get size() {
      return live;
    },
    search,
    prepare,
    exportState,
  };
}

/** Sources shortest first, stable; an insertion sort, as a query has a handful and Array.prototype.sort allocates. */
function sortByLength(sources: { length: number }[]): void {
  for (let i = 1; i < sources.length; i++) {
    const s = sources[i]!;
    let j = i - 1;
    for (; j >= 0 && sources[j]!.length > s.length; j--) sources[j + 1] = sources[j]!;
    sources[j + 1] = s;
  }
}

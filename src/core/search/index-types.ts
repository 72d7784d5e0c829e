/** The search index's public types: what it answers, and the state a snapshot keeps of it. */
import type { StoredEntry } from '../model.ts';

export type IndexableEntry = Pick<StoredEntry, 'id' | 'agency' | 'date' | 'title' | 'body' | 'bullets' | 'seq'>;

export interface SearchOptions {
  /** Canonical agency name (as stored on entries); only its measures are searched. */
  agency?: string;
  /** Hits per page; default DEFAULT_LIMIT. */
  limit?: number;
  /** Hits to skip, for paging; `total` is unaffected. */
  offset?: number;
  /** Only measures dated on or after this day ('YYYY-MM-DD', inclusive); `total` counts only those. */
  dateFrom?: string;
  /** Only measures dated on or before this day ('YYYY-MM-DD', inclusive); `total` counts only those. */
  dateTo?: string;
  /**
   * 'relevance' (default): best score first, ties newest first. 'newest': newest date first, then
   * higher seq, then id, whatever the score (each hit still carries its score).
   */
  order?: 'relevance' | 'newest';
  /**
   * Allows an estimated total: a long keyword (three or more units) whose matches are not worked out
   * yet and that has many candidates is checked only as far as the page needs (the hits are exact),
   * and `total` is estimated from a sample (the result says `estimated`). prepare() then works its
   * matches out. Default false: every total exact.
   */
  estimate?: boolean;
}

export interface SearchHit {
  id: string;
  score: number;
}

export interface SearchResult {
  /** All entries matching every keyword (and the agency and date range), not just this page. */
  total: number;
  hits: SearchHit[];
  /** `total` is an estimate (only with SearchOptions.estimate); the hits are exact all the same. */
  estimated?: boolean;
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
  /**
   * How many entries search() would count, without a page: a gram's own list length when nothing
   * filters it (a word's document frequency for free), else a search of no hits.
   */
  count(keywords: readonly string[], opts?: Omit<SearchOptions, 'limit' | 'offset' | 'order'>): { total: number; estimated?: boolean };
  /**
   * Works out, a slice at a time between turns of the event loop, the matches of the long keywords
   * that search() would otherwise check against the text in one go, and remembers them: awaited
   * before a search, it keeps a keyword's first search from holding the event loop (results are the
   * same either way).
   */
  prepare(keywords: readonly string[]): Promise<void>;
  /**
   * Everything a restart needs to answer searches without indexing the text again (see
   * SearchIndexOptions.restore). The large arrays are shared, not copied: a build replaces them
   * rather than writing into them, so they stay valid while a snapshot of them is being written.
   */
  exportState(): IndexState;
}

/** The index as data: typed arrays and a few numbers, written to disk beside the store (src/store/snapshot-file.ts). */
export interface IndexState {
  docCount: number;
  live: number;
  /** Per internal document number its entry id; null for a tombstone (removed or replaced). */
  ids: (string | null)[];
  /** Agency names by internal agency number. */
  agencies: string[];
  /** Per document 1 when some field of it is kept normalised (see fieldsOf), else 0. */
  folded: Uint8Array<ArrayBuffer>;
  agencyOf: Int32Array<ArrayBuffer>;
  dates: Int32Array<ArrayBuffer>;
  seqs: Float64Array<ArrayBuffer>;
  unigrams: Int32Array<ArrayBuffer>;
  bigramBits: number;
  bigramKeys: Int32Array<ArrayBuffer>;
  bigramVals: Int32Array<ArrayBuffer>;
  bigramCount: number;
  gramCount: number;
  baseGramCount: number;
  baseDocCount: number;
  baseOff: Int32Array<ArrayBuffer>;
  baseDocs: Int32Array<ArrayBuffer>;
  baseW: Uint8Array<ArrayBuffer>;
  denseOf: Int32Array<ArrayBuffer>;
  denseBits: Uint32Array<ArrayBuffer>;
  denseNibbles: Uint8Array<ArrayBuffer>;
  denseCount: Int32Array<ArrayBuffer>;
  words: number;
  nibbleBytes: number;
  /** Postings added since the build: gram, count, then count × (doc * 256 + weight), repeated. */
  delta: Float64Array<ArrayBuffer>;
  deltaDocs: number;
  /** Remembered matches of long keywords (index/long-keywords.ts), least recently used first: a restart starts warm. */
  remembered: RememberedState[];
}

export interface RememberedState {
  key: string;
  /** The keyword's matches, ascending, with their weight bytes (title flag, occurrences). */
  docs: Int32Array<ArrayBuffer>;
  w: Uint8Array<ArrayBuffer>;
}

export const DEFAULT_LIMIT = 10;

export interface SearchIndexOptions {
  /**
   * Memory for remembered matches of long keywords (3+ characters, which need their text checked):
   * a popular keyword such as 复工复产 is then checked once per index change, not once per search.
   * 0 turns the cache off. Default 32 MB.
   */
  cacheBytes?: number;
  /** Candidates from which a long keyword's matches are worth caching (default 512; tests lower it). */
  cacheMinCandidates?: number;
  /**
   * false answers every query by the general path, without the special paths for a page of exact
   * keywords (index/top-page.ts): the same answers, slower; for the bench and tests to compare. Default true.
   */
  specialPaths?: boolean;
  /** Candidates prepare() checks per turn of the event loop (default 8,192; tests lower it). */
  prepareSlice?: number;
  /**
   * Start from an exported state instead of indexing `entries` (which are then ignored): a restart
   * at 100k entries takes milliseconds instead of seconds. `entryOf` gives each live document's entry
   * (its text is not in the state); a state that names an id it cannot resolve is refused (throws).
   */
  restore?: { state: IndexState; entryOf?: (id: string) => IndexableEntry | undefined };
  /**
   * Where documents' text is read from, instead of the index holding each document's fields: the
   * store's rows (their text may live in a file). The index asks each entry's key once (when it
   * is added or restored) and reads its text by key. Only fields that normalising changes (rare)
   * are then kept by the index.
   */
  text?: DocumentText;
}

/** How the index reads documents' text from where it is kept (core defines it; the store provides it). */
export interface DocumentText {
  /** The store's key for an entry's text (stable while the entry is unchanged); undefined when it has none. */
  keyOf(id: string): number | undefined;
  /** [title, ...body, ...bullets, agency] of the entry with this key. */
  fields(key: number): string[];
  /** fields() of many entries, handed to `each` in any order with their index in `keys`. */
  fieldsOfMany?(keys: Int32Array, each: (i: number, fields: string[]) => void): void;
  /**
   * For many entries, how often k occurs as it is inside one of their fields, up to max, in any
   * order: each(i, found), found -1 or count * 2 + (1 if one is in the title) — what the index's
   * own check gives for a keyword that needs no folding, without handing out the fields.
   */
  countMany?(keys: Int32Array, k: string, max: number, each: (i: number, found: number) => void): void;
}

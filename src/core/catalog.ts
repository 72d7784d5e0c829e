import type { AgencyDirectory } from './agencies.ts';
import type { StoredEntry } from './model.ts';
import type { EntryRows as EntryTable } from './entry-rows.ts';
import { createSearchIndex } from './search/search-index.ts';
import type { IndexState, SearchIndex, SearchIndexOptions, SearchOptions } from './search/search-index.ts';

/** What the chat answers from: entries by id and by agency, and the search index, kept in step with the store. */
export interface Catalog {
  get(id: string): StoredEntry | undefined;
  size(): number;
  /** Newest first (by the measure's date, then by ingestion). */
  latest(agency: string, n: number): StoredEntry[];
  agencyStats(): { name: string; count: number; latestDate: string }[];
  /** The newest measure's date ('' when there is none): what every search reads month words against. */
  newestDate(): string;
  /** Every entry, newest first (as latest() orders them), made one at a time as the caller goes on (not kept in the store's cache of recent entries). */
  newest(): Iterable<StoredEntry>;
  /** The shipped agency list plus agencies met only in bulletins. */
  directory(): AgencyDirectory;
  search(keywords: string[], opts?: SearchOptions): { total: number; hits: StoredEntry[] };
  /** See SearchIndex.prepare: awaited before search() so a long keyword's first search holds no other chat up. */
  prepare(keywords: readonly string[]): Promise<void>;
  readonly index: SearchIndex;
  /** Changes with every change of the entries: what was rendered from an older version is stale. */
  version(): number;
}

/** The store as the catalog reads it: entries by id, and the rows behind them (see src/store/entry-table.ts). */
export interface CatalogSource {
  get(id: string): StoredEntry | undefined;
  count(): number;
  rowOf(id: string): number | undefined;
  liveRows(): Int32Array;
  readonly table: Pick<EntryTable, 'id' | 'agency' | 'date' | 'seq' | 'read' | 'fields' | 'fieldsOfMany' | 'countMany'>;
  onChange(listener: (changed: readonly StoredEntry[]) => void): () => void;
}

/** How a search index reads a store's text (SearchIndexOptions.text): by row, from the store's table. */
export function storeText(source: Pick<CatalogSource, 'rowOf' | 'table'>): NonNullable<SearchIndexOptions['text']> {
  const { table } = source;
  return {
    keyOf: (id) => source.rowOf(id),
    fields: (row) => table.fields(row),
    fieldsOfMany: (rows, each) => table.fieldsOfMany(rows, each),
    countMany: (rows, k, max, each) => table.countMany(rows, k, max, each),
  };
}

/** The store's live entries, made one at a time from their rows, as an index build reads them. */
export function* storeEntries(source: Pick<CatalogSource, 'liveRows' | 'table'>): Generator<StoredEntry> {
  for (const row of source.liveRows()) yield source.table.read(row);
}

/** What ordering needs of a row: its measure's date and its place in ingestion. */
type RowOrder = Pick<EntryTable, 'date' | 'seq'>;

/** Newest first: by the measure's date, then by ingestion (seq). */
const newestFirst = (t: RowOrder, a: number, b: number): number => {
  const da = t.date(a);
  const db = t.date(b);
  return da === db ? t.seq(b) - t.seq(a) : da < db ? 1 : -1;
};

/**
 * Sorts rows newest first. Long lists (a store being loaded: 100k entries over ~1,500 dates) go by date
 * buckets, since a comparator sort over 100k rows costs a sizeable part of start-up.
 */
function sortNewestFirst(list: number[], t: RowOrder): void {
  if (list.length < 256) {
    list.sort((a, b) => newestFirst(t, a, b));
    return;
  }
  const byDate = new Map<string, number[]>();
  for (const row of list) {
    const date = t.date(row);
    const bucket = byDate.get(date);
    if (bucket) bucket.push(row);
    else byDate.set(date, [row]);
  }
  const dates = [...byDate.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  let at = 0;
  for (const date of dates) {
    const bucket = byDate.get(date)!;
    // Nearly always already ascending by seq (the store's order): then reversing is the sort.
    if (!isAscendingBySeq(bucket, t)) bucket.sort((a, b) => t.seq(a) - t.seq(b));
    for (let i = bucket.length - 1; i >= 0; i--) list[at++] = bucket[i]!;
  }
}

const isAscendingBySeq = (list: readonly number[], t: RowOrder): boolean => {
  for (let i = 1; i < list.length; i++) if (t.seq(list[i - 1]!) > t.seq(list[i]!)) return false;
  return true;
};

export interface CatalogOptions {
  /** The search index as exported for exactly these entries (a snapshot): restored instead of built. */
  indexState?: IndexState;
}

export function createCatalog(source: CatalogSource, agencies: AgencyDirectory, opts: CatalogOptions = {}): Catalog {
  const { table } = source;
  // Per agency, the rows of its entries, newest first. Row numbers, not {id, date, seq} objects: rows are
  // append-only (a correction gets a new row), so a row's id, date and seq never change, and 100k such
  // objects were ~6 MB of the heap at start-up (BENCHMARKS.md, round 8).
  const byAgency = new Map<string, number[]>();
  let directory = agencies;
  const dirtyAgencies = new Set<string>();

  const add = (agency: string, row: number) => {
    const list = byAgency.get(agency);
    if (list) list.push(row);
    else byAgency.set(agency, [row]);
    dirtyAgencies.add(agency);
  };
  const settle = () => {
    for (const a of dirtyAgencies) {
      const list = byAgency.get(a) ?? [];
      if (list.length === 0) byAgency.delete(a);
      else sortNewestFirst(list, table);
    }
    dirtyAgencies.clear();
    const extra = [...byAgency.keys()].filter((n) => !agencies.isKnown(n));
    directory = extra.length ? agencies.withExtra(extra) : agencies;
  };

  for (const row of source.liveRows()) add(table.agency(row), row);
  settle();
  // The index reads documents' text from the store's rows instead of keeping its own copy.
  const text = storeText(source);
  let index: SearchIndex;
  if (opts.indexState) {
    index = createSearchIndex([], { text, restore: { state: opts.indexState } });
    if (index.size !== source.count()) throw new Error(`index state holds ${index.size} entries, the store ${source.count()}`);
  } else {
    index = createSearchIndex(storeEntries(source), { text });
  }
  const searchIndex = index;
  let version = 0;
  source.onChange((changed) => {
    version++;
    // A correction's earlier copy may sit under another agency: drop every changed id first (one pass per list).
    const ids = new Set(changed.map((e) => e.id));
    if (changed.some((e) => e.revisions > 0)) {
      for (const [agency, list] of byAgency) {
        const kept = list.filter((row) => !ids.has(table.id(row)));
        if (kept.length !== list.length) {
          byAgency.set(agency, kept);
          dirtyAgencies.add(agency);
        }
      }
    }
    for (const e of changed) {
      const row = source.rowOf(e.id);
      if (row !== undefined) add(e.agency, row);
      searchIndex.upsert(e);
    }
    settle();
  });

  const entryOf = (row: number): StoredEntry | undefined => source.get(table.id(row));
  const order = new Map(agencies.names().map((n, i) => [n, i]));
  return {
    index: searchIndex,
    version: () => version,
    get: (id) => source.get(id),
    size: () => source.count(),
    latest: (agency, n) =>
      (byAgency.get(agency) ?? [])
        .slice(0, Math.max(0, n))
        .map(entryOf)
        .filter((e): e is StoredEntry => !!e),
    agencyStats: () =>
      [...byAgency.entries()]
        .map(([name, list]) => ({ name, count: list.length, latestDate: table.date(list[0]!) }))
        .sort((a, b) => (order.get(a.name) ?? 1e9) - (order.get(b.name) ?? 1e9) || a.name.localeCompare(b.name)),
    newestDate() {
      // Each agency's list is newest first: the newest of their heads.
      let newest = '';
      for (const list of byAgency.values()) if (table.date(list[0]!) > newest) newest = table.date(list[0]!);
      return newest;
    },
    directory: () => directory,
    *newest() {
      // A merge of the agencies' lists, which are each newest first.
      const lists = [...byAgency.values()].map((list) => list.slice());
      const at = lists.map(() => 0);
      for (;;) {
        let best = -1;
        for (let i = 0; i < lists.length; i++) {
          const k = lists[i]![at[i]!];
          if (k !== undefined && (best === -1 || newestFirst(table, k, lists[best]![at[best]!]!) < 0)) best = i;
        }
        if (best === -1) return;
        const row = lists[best]![at[best]!++]!;
        // read(), not the store's get(): a pass over thousands of rows (learning titles at start-up, a
        // subscription's latest matches) must not fill the store's cache of recently shown entries.
        if (source.rowOf(table.id(row)) === row) yield table.read(row);
      }
    },
    prepare: (keywords) => searchIndex.prepare(keywords),
    search(keywords, opts = {}) {
      const r = searchIndex.search(keywords, opts);
      return { total: r.total, hits: r.hits.map((h) => source.get(h.id)).filter((e): e is StoredEntry => !!e) };
    },
  };
}

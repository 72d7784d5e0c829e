import type { AgencyDirectory } from './agencies.ts';
import type { StoredEntry } from './model.ts';
import { createSearchIndex } from './search/search-index.ts';
import type { IndexState, SearchIndex } from './search/search-index.ts';

/** What the chat answers from: entries by id and by agency, and the search index, kept in step with the store. */
export interface Catalog {
  get(id: string): StoredEntry | undefined;
  size(): number;
  /** Newest first (by the measure's date, then by ingestion). */
  latest(agency: string, n: number): StoredEntry[];
  agencyStats(): { name: string; count: number; latestDate: string }[];
  /** The shipped agency list plus agencies met only in bulletins. */
  directory(): AgencyDirectory;
  search(keywords: string[], opts?: { agency?: string; limit?: number; offset?: number }): { total: number; hits: StoredEntry[] };
  readonly index: SearchIndex;
  /** Changes with every change of the entries: what was rendered from an older version is stale. */
  version(): number;
}

export interface CatalogSource {
  all(): readonly StoredEntry[];
  onChange(listener: (changed: readonly StoredEntry[]) => void): () => void;
}

const newestFirst = (a: StoredEntry, b: StoredEntry) => (a.date === b.date ? b.seq - a.seq : a.date < b.date ? 1 : -1);

/**
 * Sorts newest first. Long lists (a store being loaded: 100k entries over ~1,500 dates) go by date
 * buckets, since a comparator sort over 100k objects costs a sizeable part of start-up.
 */
function sortNewestFirst(list: StoredEntry[]): void {
  if (list.length < 256) {
    list.sort(newestFirst);
    return;
  }
  const byDate = new Map<string, StoredEntry[]>();
  for (const e of list) {
    const bucket = byDate.get(e.date);
    if (bucket) bucket.push(e);
    else byDate.set(e.date, [e]);
  }
  const dates = [...byDate.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  let at = 0;
  for (const date of dates) {
    const bucket = byDate.get(date)!;
    // Nearly always already ascending by seq (the store's order): then reversing is the sort.
    if (!isAscendingBySeq(bucket)) bucket.sort((a, b) => a.seq - b.seq);
    for (let i = bucket.length - 1; i >= 0; i--) list[at++] = bucket[i]!;
  }
}

const isAscendingBySeq = (list: readonly StoredEntry[]): boolean => {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.seq > list[i]!.seq) return false;
  return true;
};

export interface CatalogOptions {
  /** The search index as exported for exactly these entries (a snapshot): restored instead of built. */
  indexState?: IndexState;
}

export function createCatalog(source: CatalogSource, agencies: AgencyDirectory, opts: CatalogOptions = {}): Catalog {
  const byId = new Map<string, StoredEntry>();
  const byAgency = new Map<string, StoredEntry[]>();
  let index: SearchIndex | null = null;
  let directory = agencies;
  const dirtyAgencies = new Set<string>();

  const put = (e: StoredEntry) => {
    const old = byId.get(e.id);
    if (old && old.agency !== e.agency) {
      byAgency.set(old.agency, (byAgency.get(old.agency) ?? []).filter((x) => x.id !== e.id));
      dirtyAgencies.add(old.agency);
    }
    byId.set(e.id, e);
    let list = byAgency.get(e.agency) ?? [];
    // Only a correction replaces a copy; filtering on every insert would make loading quadratic.
    if (old) list = list.filter((x) => x.id !== e.id);
    list.push(e);
    byAgency.set(e.agency, list);
    dirtyAgencies.add(e.agency);
    index?.upsert(e);
  };
  const settle = () => {
    for (const a of dirtyAgencies) {
      const list = byAgency.get(a) ?? [];
      if (list.length === 0) byAgency.delete(a);
      else sortNewestFirst(list);
    }
    dirtyAgencies.clear();
    const extra = [...byAgency.keys()].filter((n) => !agencies.isKnown(n));
    directory = extra.length ? agencies.withExtra(extra) : agencies;
  };

  for (const e of source.all()) put(e);
  settle();
  if (opts.indexState) {
    index = createSearchIndex([], { restore: { state: opts.indexState, entryOf: (id) => byId.get(id) } });
    if (index.size !== byId.size) throw new Error(`index state holds ${index.size} entries, the store ${byId.size}`);
  } else index = createSearchIndex(byId.values());
  const searchIndex = index;
  let version = 0;
  source.onChange((changed) => {
    version++;
    for (const e of changed) put(e);
    settle();
  });

  const order = new Map(agencies.names().map((n, i) => [n, i]));
  return {
    index: searchIndex,
    version: () => version,
    get: (id) => byId.get(id),
    size: () => byId.size,
    latest: (agency, n) => (byAgency.get(agency) ?? []).slice(0, Math.max(0, n)),
    agencyStats: () =>
      [...byAgency.entries()]
        .map(([name, list]) => ({ name, count: list.length, latestDate: list[0]!.date }))
        .sort((a, b) => (order.get(a.name) ?? 1e9) - (order.get(b.name) ?? 1e9) || a.name.localeCompare(b.name)),
    directory: () => directory,
    search(keywords, opts = {}) {
      const r = searchIndex.search(keywords, opts);
      return { total: r.total, hits: r.hits.map((h) => byId.get(h.id)).filter((e): e is StoredEntry => !!e) };
    },
  };
}

import type { AgencyDirectory } from './agencies.ts';
import type { StoredEntry } from './model.ts';
import { createSearchIndex } from './search/search-index.ts';
import type { SearchIndex } from './search/search-index.ts';

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

export function createCatalog(source: CatalogSource, agencies: AgencyDirectory): Catalog {
  const byId = new Map<string, StoredEntry>();
  const byAgency = new Map<string, StoredEntry[]>();
  const index = createSearchIndex();
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
    index.upsert(e);
  };
  const settle = () => {
    for (const a of dirtyAgencies) {
      const list = byAgency.get(a) ?? [];
      if (list.length === 0) byAgency.delete(a);
      else list.sort(newestFirst);
    }
    dirtyAgencies.clear();
    const extra = [...byAgency.keys()].filter((n) => !agencies.isKnown(n));
    directory = extra.length ? agencies.withExtra(extra) : agencies;
  };

  for (const e of source.all()) put(e);
  settle();
  let version = 0;
  source.onChange((changed) => {
    version++;
    for (const e of changed) put(e);
    settle();
  });

  const order = new Map(agencies.names().map((n, i) => [n, i]));
  return {
    index,
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
      const r = index.search(keywords, opts);
      return { total: r.total, hits: r.hits.map((h) => byId.get(h.id)).filter((e): e is StoredEntry => !!e) };
    },
  };
}

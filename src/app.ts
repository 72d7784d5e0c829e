import type { Log } from './bot/context.ts';
import type { AgencyDirectory } from './core/agencies.ts';
import { createCatalog } from './core/catalog.ts';
import type { Catalog } from './core/catalog.ts';
import { SHIPPED_AGENCIES_FILE, SHIPPED_BULLETINS_DIR, storeFiles } from './paths.ts';
import { loadAgencies, seedIfEmpty } from './store/bulletin-files.ts';
import { openEntryStore } from './store/entry-store.ts';
import type { EntryStore } from './store/entry-store.ts';

export interface App {
  agencies: AgencyDirectory;
  entries: EntryStore;
  catalog: Catalog;
}

/** Opens the store (seeding an empty one from the shipped bulletins) and builds what the chat answers from. */
export async function openApp(opts: { dataDir: string; log: Log; bulletinsDir?: string }): Promise<App> {
  const agencies = await loadAgencies(SHIPPED_AGENCIES_FILE);
  const entries = await openEntryStore(storeFiles(opts.dataDir).entries);
  const seeded = await seedIfEmpty(entries, opts.bulletinsDir ?? SHIPPED_BULLETINS_DIR, agencies);
  if (seeded.length) opts.log.info({ bulletins: seeded.length, added: seeded.reduce((n, r) => n + r.added, 0) }, 'empty store: seeded from the shipped bulletins');
  const catalog = createCatalog(entries, agencies);
  return { agencies, entries, catalog };
}

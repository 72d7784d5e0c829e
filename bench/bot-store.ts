/**
 * The entry store as the running bot has it: entries.json opened, the snapshot written, and the
 * entries' text then read from the snapshot file (not held in memory). Benchmarks of search and of
 * the whole bot run against this, so that reading an entry's text costs what it costs in production.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from '../src/app.ts';
import type { App } from '../src/app.ts';
import { silentLog } from '../src/infra/log.ts';
import { storeEntries, storeText } from '../src/core/catalog.ts';
import type { StoredEntry } from '../src/core/model.ts';
import type { IndexableEntry, SearchIndexOptions } from '../src/core/search/search-index.ts';
import type { EntriesFile } from '../src/store/entry-store.ts';

export interface BotStore {
  app: App;
  /** The store's entries, one at a time, as a build of an index reads them. */
  entries(): Iterable<IndexableEntry>;
  /** The text provider the catalog gives its index (SearchIndexOptions.text). */
  text: NonNullable<SearchIndexOptions['text']>;
  close(): void;
}

export async function openBotStore(entries: readonly StoredEntry[]): Promise<BotStore> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  try {
    writeFileSync(
      join(dir, 'entries.json'),
      JSON.stringify({ version: 1, seq: entries.length, bulletins: [], entries: [...entries] } satisfies EntriesFile),
    );
    const app = await openApp({ dataDir: dir, log: silentLog });
    if ((await app.snapshots.save()) !== 'written') throw new Error('bench store: snapshot not written');
    if (app.entries.table.inMemory() !== 0) throw new Error('bench store: entries text still in memory after the snapshot');
    const { entries: store } = app;
    return {
      app,
      entries: () => storeEntries(store),
      text: storeText(store),
      close() {
        app.snapshots.stop();
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

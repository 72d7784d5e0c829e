import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository's own data (shipped bulletins, agency list), independent of the runtime DATA_DIR. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SHIPPED_AGENCIES_FILE = join(PROJECT_ROOT, 'data', 'agencies.json');
export const SHIPPED_BULLETINS_DIR = join(PROJECT_ROOT, 'data', 'bulletins');

export const storeFiles = (dataDir: string) => ({
  entries: join(dataDir, 'entries.json'),
  /** A binary copy of entries.json and its search index, for fast restarts (src/store/snapshot-file.ts). */
  snapshot: join(dataDir, 'entries.snapshot'),
  subscriptions: join(dataDir, 'subscriptions.json'),
  inbox: join(dataDir, 'inbox'),
  /** Editors' Publish presses, start and end (src/admin/publish-log.ts). */
  publishLog: join(dataDir, 'publish.log'),
});

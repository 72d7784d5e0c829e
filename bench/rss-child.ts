/**
 * RSS with subscriptions loaded on top of entries, in a fresh process (bundled and run with
 * --expose-gc, as `npm start` runs the bot): open the entries as the bot does (openApp, from the
 * snapshot beside entries.json), one search; then open the subscription store.
 * argv: dataDir subscriptions.json [--prepare]  (--prepare: only write the entry snapshot, measure nothing)
 */
import { silentLog } from '../src/infra/log.ts';
import { openApp } from '../src/app.ts';
import { createQueryUnderstanding } from '../src/core/search/understand/index.ts';
import { createCatalogSearch } from '../src/core/search/understand/service.ts';
import { openSubscriptionStore } from '../src/store/subscription-store.ts';
import { hasGc, memoryNow } from './memory.ts';
import { shippedWordTables } from '../src/store/word-tables.ts';

const [dataDir, subscriptionsFile, flag] = process.argv.slice(2) as [string, string, string?];
if (flag === '--prepare') {
  const app = await openApp({ dataDir, log: silentLog });
  if ((await app.snapshots.save()) === 'failed') throw new Error('entry snapshot not written');
  process.stdout.write(JSON.stringify({ prepared: true }) + '\n');
} else {
  const mem = memoryNow;
  const before = mem();
  const app = await openApp({ dataDir, log: silentLog });
  if (!app.loadedFrom.snapshot) throw new Error(`entry snapshot not used: ${app.loadedFrom.reason}`);
  // The chat's search as the bot makes it (segmenter loaded and taught), one natural query.
  const search = createCatalogSearch(app.catalog, createQueryUnderstanding({ tables: shippedWordTables() }));
  const planned = search.plan('浦东警方复产');
  if (planned.ok) search.answer(planned.plan, { limit: 5, offset: 0 });
  // Start-up buffers are freed on a later tick after the gc that finds them dead (see startup-child.ts).
  mem();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const afterEntries = mem();
  const t0 = performance.now();
  const subscriptions = await openSubscriptionStore(subscriptionsFile);
  const openSubscriptionsMs = performance.now() - t0;
  mem();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = mem();
  process.stdout.write(
    JSON.stringify({
      entries: app.catalog.size(),
      subscriptions: subscriptions.count(),
      openSubscriptionsMs,
      before,
      afterEntries,
      after,
      gc: hasGc(),
    }) + '\n',
  );
}

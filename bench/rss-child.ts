/**
 * RSS with subscriptions loaded on top of entries, in a fresh process (run with --expose-gc): open the
 * entry store, build the catalog (and its index), one search; then open the subscription store.
 * argv: entries.json subscriptions.json
 */
import { createCatalog } from '../src/core/catalog.ts';
import { openEntryStore } from '../src/store/entry-store.ts';
import { openSubscriptionStore } from '../src/store/subscription-store.ts';
import { shippedAgencies } from '../tests/helpers/seed.ts';
import { hasGc, memoryNow } from './memory.ts';

const [entriesFile, subscriptionsFile] = process.argv.slice(2) as [string, string];
const mem = memoryNow;
const before = mem();
const entries = await openEntryStore(entriesFile, { readOnly: true });
const catalog = createCatalog(entries, shippedAgencies());
catalog.search(['复工']);
const afterEntries = mem();
const t0 = performance.now();
const subscriptions = await openSubscriptionStore(subscriptionsFile);
const openSubscriptionsMs = performance.now() - t0;
const after = mem();
process.stdout.write(JSON.stringify({ entries: catalog.size(), subscriptions: subscriptions.count(), openSubscriptionsMs, before, afterEntries, after, gc: hasGc() }) + '\n');

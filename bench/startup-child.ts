/**
 * Start-up and memory, measured in a fresh process so neither JIT warm-up nor the parent's heap
 * colours the figures: open the entry store file, build the catalog (and its search index),
 * then report times and memory (after a full gc when run with --expose-gc).
 */
import { createCatalog } from '../src/core/catalog.ts';
import { openEntryStore } from '../src/store/entry-store.ts';
import { shippedAgencies } from '../tests/helpers/seed.ts';
import { hasGc, memoryNow } from './memory.ts';

const file = process.argv[2]!;
const mem = memoryNow;
const agencies = shippedAgencies();
const before = mem();
const t0 = performance.now();
const store = await openEntryStore(file);
const t1 = performance.now();
const catalog = createCatalog(store, agencies);
const t2 = performance.now();
// One search, so lazily built structures (if any) are counted too.
const total = catalog.search(['复工']).total;
const t3 = performance.now();
const after = mem();
process.stdout.write(
  JSON.stringify({ entries: catalog.size(), openMs: t1 - t0, catalogMs: t2 - t1, firstSearchMs: t3 - t2, startupMs: t3 - t0, total, before, after, gc: hasGc() }) + '\n',
);

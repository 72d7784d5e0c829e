/**
 * Start-up and memory, measured in a fresh process so neither JIT warm-up nor the parent's heap
 * colours the figures: the bot's own start path (openApp: store, catalog, search index) over a data
 * directory, then one search; memory after a full gc when run with --expose-gc.
 * argv: dataDir json|snapshot — `json` removes the snapshot first (a first start, or a store changed
 * behind the bot's back) and writes one afterwards, as the bot does; `snapshot` expects to use it.
 */
import { rmSync, statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLog } from '../src/infra/log.ts';
import { openApp } from '../src/app.ts';
import { createQueryUnderstanding } from '../src/core/search/understand/index.ts';
import { createCatalogSearch } from '../src/core/search/understand/service.ts';
import { storeFiles } from '../src/paths.ts';
import { hasGc, memoryNow } from './memory.ts';
import { shippedWordTables } from '../src/store/word-tables.ts';

const [dataDir, mode] = process.argv.slice(2) as [string, 'json' | 'snapshot'];
const snapshotFile = storeFiles(dataDir).snapshot;
if (mode === 'json') rmSync(snapshotFile, { force: true });
const before = memoryNow();
const t0 = performance.now();
const app = await openApp({ dataDir, log: silentLog });
const t1 = performance.now();
// One search, so lazily built structures (if any) are counted too.
// The chat's search as the bot makes it: the segmenter loaded and taught the store's words (counted in start-up and memory), one natural query.
const search = createCatalogSearch(app.catalog, createQueryUnderstanding({ tables: shippedWordTables() }));
const planned = search.plan('浦东警方复产');
const total = planned.ok ? search.answer(planned.plan, { limit: 5, offset: 0 }).total : -1;
const entries = app.catalog.size();
const t2 = performance.now();
// Buffers read at start-up are freed on a later tick after the gc that finds them dead: measure the
// process as it settles (gc, a pause, gc again), not in the middle of that.
memoryNow();
await new Promise((resolve) => setTimeout(resolve, 200));
const after = memoryNow();
if (mode === 'snapshot' && !app.loadedFrom.snapshot) throw new Error(`snapshot not used: ${app.loadedFrom.reason}`);
let snapshot: { saveMs: number; bytes: number } | null = null;
if (mode === 'json') {
  const s = performance.now();
  const outcome = await app.snapshots.save();
  if (outcome !== 'written') throw new Error(`snapshot not written: ${outcome}`);
  snapshot = { saveMs: performance.now() - s, bytes: statSync(snapshotFile).size };
}
// A publish on the loaded store (5 new measures): the JSON rewrite and the snapshot after it run
// while the bot keeps serving, so what matters is the longest event-loop block, not their duration.
let publish: { flushMs: number; snapshotMs: number; maxBlockMs: number } | null = null;
if (mode === 'snapshot') {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const p0 = performance.now();
  const stamp = Date.now();
  app.entries.apply({
    bulletin: { id: `bench-${stamp}`, title: 'bench', series: null, asOf: null, publisher: null, file: 'bench.txt' },
    entries: Array.from({ length: 5 }, (_, i) => ({
      id: `bench-${stamp}-${i}`,
      agency: '上海市公安局',
      date: '2024-06-01',
      title: `基准测试发布的措施 ${i}`,
      body: ['正文。'],
      bullets: [],
      source: '上海市公安局',
      bulletin: `bench-${stamp}`,
      line: i + 1,
    })),
    warnings: [],
  });
  await app.entries.flush();
  const p1 = performance.now();
  await app.snapshots.save();
  const p2 = performance.now();
  h.disable();
  publish = { flushMs: p1 - p0, snapshotMs: p2 - p1, maxBlockMs: h.max / 1e6 };
}
process.stdout.write(
  JSON.stringify({
    mode,
    fromSnapshot: app.loadedFrom.snapshot,
    entries,
    openMs: t1 - t0,
    firstSearchMs: t2 - t1,
    startupMs: t2 - t0,
    // performance.now() counts from the process's start: node's own boot and loading the bot's code (the
    // module graph, evaluated before this file's body runs), then the above.
    loadMs: t0,
    processMs: t2,
    total,
    before,
    after,
    snapshot,
    publish,
    gc: hasGc(),
  }) + '\n',
);

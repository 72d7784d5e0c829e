/**
 * One segmenter's cost in a fresh process (bundled, --expose-gc): load time, RSS added after a gc, and
 * microseconds per query over the labelled set's queries after loading.
 * argv: node-rs | node-rs-full | node-rs-min=N (dictionary trimmed at frequency N) | wasm | icu
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadNodeJieba, readJiebaDictionary, trimDictionary } from '../src/core/search/understand/segment.ts';
import { memoryNow } from './memory.ts';

const kind = process.argv[2];
const queries = (JSON.parse(readFileSync('tests/fixtures/search-queries.json', 'utf8')) as { queries: { q: string }[] }).queries.map(
  (x) => x.q,
);
const before = memoryNow();
const t0 = performance.now();
let cut: (s: string) => string[];
let name: string;
if (kind?.startsWith('node-rs')) {
  if (kind.startsWith('node-rs-min=')) {
    const min = Number(kind.slice('node-rs-min='.length));
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): { cut(s: string, hmm: boolean): string[] } } };
    const j = Jieba.withDict(trimDictionary(readJiebaDictionary(), min));
    cut = (s) => j.cut(s, false);
    name = `@node-rs/jieba, dictionary trimmed at frequency ${min}`;
  } else if (kind === 'node-rs') {
    const j = loadNodeJieba();
    cut = (s) => j.cut(s, false);
    name = '@node-rs/jieba, dictionary trimmed (shipped)';
  } else {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): { cut(s: string, hmm: boolean): string[] } } };
    const j = Jieba.withDict(readJiebaDictionary());
    cut = (s) => j.cut(s, false);
    name = '@node-rs/jieba, full dictionary';
  }
} else if (kind === 'wasm') {
  const w = await import('jieba-wasm');
  cut = (s) => w.cut(s, false);
  name = 'jieba-wasm';
} else {
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  cut = (s) => [...seg.segment(s)].map((x) => x.segment);
  name = 'Intl.Segmenter';
}
// The first cut finishes any lazy loading (jieba-wasm builds its dictionary then).
cut('复工复产');
const loadMs = performance.now() - t0;
const after = memoryNow();
const t1 = performance.now();
let n = 0;
for (let r = 0; r < 50; r++) for (const q of queries) n += cut(q).length;
const usPerQuery = ((performance.now() - t1) * 1000) / (50 * queries.length);
process.stdout.write(JSON.stringify({ name, loadMs, rssMB: after.rssMB - before.rssMB, usPerQuery, words: n }) + '\n');

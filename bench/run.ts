/**
 * npm run bench [-- --quick] [-- --sizes=1000,10000] [-- --reps=N] [-- --only=search,throughput,store,quality]
 *
 * Prints a markdown report and writes bench/results/latest.json. Timings are wall-clock on whatever
 * machine runs it; quote medians and p99 over repetitions, and compare engines only within one run
 * (the rounds interleave the engines, so machine noise hits them alike).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Telegraf } from 'telegraf';
import { message } from 'telegraf/filters';
import type { Update } from 'telegraf/types';
import { createBot } from '../src/bot/create-bot.ts';
import type { Catalog } from '../src/core/catalog.ts';
import type { StoredEntry } from '../src/core/model.ts';
import { parseQuery } from '../src/core/search/query.ts';
import { storeFiles } from '../src/paths.ts';
import type { EntriesFile, EntryStore } from '../src/store/entry-store.ts';
import { benchParseAccuracy, renderParseAccuracy } from './parse-accuracy.ts';
import type { ParseAccuracyResult } from './parse-accuracy.ts';
import { TEST_BOT } from '../tests/helpers/bot-harness.ts';
import { openBotStore } from './bot-store.ts';
import type { BotStore } from './bot-store.ts';
import { runChild } from './child-process.ts';
import { benchCommandQuality, renderCommandQuality } from './commands.ts';
import type { CommandQuality } from './commands.ts';
import { benchSubscriptionQuality, renderSubscriptionQuality } from './subscriptions.ts';
import type { SubscriptionQuality } from './subscriptions.ts';
import { makeCorpus } from './corpus.ts';
import { flexSearchEngines, miniSearchEngine, ourEngine, scanEngine } from './engines.ts';
import type { Engine } from './engines.ts';
import { benchPush, benchSubscriptionMemory, renderPush, renderSubscriptionMemory } from './fanout.ts';
import {
  benchChatQuality,
  benchPipelineLatency,
  benchQuality,
  benchSegmenterCost,
  labelledQueries,
  prepareSegmenters,
  renderQuality,
} from './quality.ts';
import type { PipelineLatency, QualityRow, SegmenterCost } from './quality.ts';
import type { PushResult, SubscriptionMemoryResult } from './fanout.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The fixed query set: what users type, from common to rare, CJK and Latin/digit, one and several keywords. */
export const QUERIES = ['复工', '外企', '不见面', '行政复议', '复工复产', '警方 复工', '疫情 防控 企业', '6000余家', 'telegram', '复'];

export interface BenchOptions {
  quick?: boolean;
  sizes?: number[];
  reps?: number;
  /** Sections to run: search, throughput, push (digest fan-out, subscription store), store (store includes memory). */
  only?: string[];
  /** Engines besides ours in the search section. */
  engines?: string[];
  throughputSize?: number;
  storeSize?: number;
  log?: (line: string) => void;
  write?: boolean;
}

export interface Stats {
  n: number;
  median: number;
  p99: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, median: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

const keywordsOf = (q: string): string[] => {
  const p = parseQuery(q);
  if (!p.ok) throw new Error(`bench query ${q} refused: ${p.reason}`);
  return p.keywords;
};

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

// ---------------------------------------------------------------------------------------------
// (1) Search latency, recall, build time
// ---------------------------------------------------------------------------------------------

export interface QueryResult {
  query: string;
  matches: number;
  engines: Record<string, { latency: Stats; recall: number; precision: number; total: number }>;
}

export interface SizeResult {
  size: number;
  buildMs: Record<string, number>;
  queries: QueryResult[];
  pooled: Record<string, Stats>;
}

const ENGINE_MAKERS: Record<string, (entries: readonly StoredEntry[], store: BotStore) => Engine | Engine[]> = {
  ours: (entries, store) => ourEngine(entries, { store }),
  // Every search pays for checking long keywords' text: the cold cost, or a query seen for the first time.
  'ours-nocache': (entries, store) => ourEngine(entries, { cache: false, store }),
  // Without the special paths for a page of exact keywords (src/core/search/index/top-page.ts): what they save.
  'ours-general': (entries, store) => ourEngine(entries, { generalPath: true, store }),
  MiniSearch: miniSearchEngine,
  FlexSearch: flexSearchEngines,
  scan: scanEngine,
};

const SECTIONS = ['search', 'throughput', 'push', 'store', 'parse', 'quality'];

/** The engine or section names as the bench knows them (any case), or an error that lists the known ones. */
export function knownNames(kind: 'engine' | 'section', given: string[], known: string[]): string[] {
  return given.map((g) => {
    const name = known.find((k) => k.toLowerCase() === g.toLowerCase());
    if (name === undefined) throw new Error(`unknown ${kind} "${g}": the bench knows ${known.join(', ')}`);
    return name;
  });
}

export async function benchSearch(size: number, reps: number, engineNames: string[], log: (s: string) => void): Promise<SizeResult> {
  const entries = makeCorpus(size);
  // Ours reads documents' text as the bot does: from the snapshot file, through the store's rows.
  const store = await openBotStore(entries);
  try {
    return searchWith(size, entries, store, reps, engineNames, log);
  } finally {
    store.close();
  }
}

function searchWith(
  size: number,
  entries: StoredEntry[],
  store: BotStore,
  reps: number,
  engineNames: string[],
  log: (s: string) => void,
): SizeResult {
  const engines: Engine[] = [];
  const buildMs: Record<string, number> = {};
  for (const name of ['ours', ...engineNames.filter((n) => n !== 'ours')]) {
    const t0 = performance.now();
    const made = ENGINE_MAKERS[name]!(entries, store);
    const ms = performance.now() - t0;
    for (const e of Array.isArray(made) ? made : [made]) {
      engines.push(e);
      buildMs[e.name] = ms;
    }
    log(`  ${size}: built ${name} in ${fmt(ms)} ms`);
  }
  const queries = QUERIES.map(keywordsOf);
  const scan = scanEngine(entries);

  // Correctness first: every engine's full answer against the scan.
  const results: QueryResult[] = QUERIES.map((query, qi) => {
    const truth = new Set(scan.all(queries[qi]!));
    const r: QueryResult = { query, matches: truth.size, engines: {} };
    for (const e of engines) {
      const got = e.all(queries[qi]!);
      const found = got.filter((id) => truth.has(id)).length;
      r.engines[e.name] = {
        latency: { n: 0, median: NaN, p99: NaN, max: NaN },
        recall: truth.size === 0 ? 1 : found / truth.size,
        precision: got.length === 0 ? 1 : found / new Set(got).size,
        total: e.search(queries[qi]!, 10).total,
      };
      if (e.name === 'ours' && r.engines.ours!.total !== truth.size)
        throw new Error(`ours: total ${r.engines.ours!.total} ≠ scan ${truth.size} for ${query}`);
    }
    return r;
  });

  // Latency: rounds interleave engines and queries; a few warm-up rounds are discarded.
  const samples = engines.map(() => queries.map(() => [] as number[]));
  const warm = Math.min(3, Math.max(1, Math.floor(reps / 10)));
  for (let round = 0; round < warm + reps; round++) {
    for (let ei = 0; ei < engines.length; ei++) {
      const e = engines[ei]!;
      for (let qi = 0; qi < queries.length; qi++) {
        const t0 = performance.now();
        e.search(queries[qi]!, 10);
        const dt = performance.now() - t0;
        if (round >= warm) samples[ei]![qi]!.push(dt);
      }
    }
  }
  const pooled: Record<string, Stats> = {};
  engines.forEach((e, ei) => {
    results.forEach((r, qi) => (r.engines[e.name]!.latency = stats(samples[ei]![qi]!)));
    pooled[e.name] = stats(samples[ei]!.flat());
  });
  return { size, buildMs, queries: results, pooled };
}

// ---------------------------------------------------------------------------------------------
// (2) Throughput through bot.handleUpdate, Bot API stubbed
// ---------------------------------------------------------------------------------------------

export interface ThroughputResult {
  size: number;
  kind: string;
  updates: number;
  perSecond: number;
  perUpdate: Stats;
  apiCalls: number;
}

/**
 * The real bot (as tests/helpers/bot-harness.ts builds it) over the store as the bot runs it (text in
 * the snapshot file), with a Bot API stub that answers at once and records nothing.
 */
function benchBot(store: EntryStore, catalog: Catalog) {
  const log = { debug() {}, info() {}, warn() {}, error: (o: unknown) => errors.push(o) };
  const errors: unknown[] = [];
  const bot = createBot(
    { token: '123:test', adminIds: [], timezone: 'Asia/Shanghai', digestTime: '09:00', searchRatePerMinute: 1e9 },
    { entries: store, catalog, log, now: () => Date.now() },
  );
  // The yardstick: the smallest useful bot through the same telegraf, stub and updates (it sends the text back
  // through the stubbed client: ctx.reply would use the fresh client telegraf makes per update).
  const echo = new Telegraf('123:test');
  echo.on(message('text'), (ctx) => echo.telegram.sendMessage(ctx.chat.id, ctx.message.text));
  echo.catch((err) => {
    errors.push(err);
  });
  let calls = 0;
  let messageId = 100;
  for (const b of [bot, echo] as Telegraf[]) {
    b.botInfo = TEST_BOT;
    b.telegram.callApi = (async (method: string, payload: Record<string, unknown>) => {
      calls++;
      if (method === 'sendMessage' || method === 'editMessageText')
        return { message_id: ++messageId, date: 0, chat: { id: payload.chat_id, type: 'private' }, text: payload.text };
      return true;
    }) as unknown as typeof b.telegram.callApi;
  }
  return { bot, echo, errors, calls: () => calls };
}

/** Turns of the event loop until 20 in a row take under a millisecond: the background work pending then has run. */
async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 20;) {
    const t = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    quiet = performance.now() - t < 1 ? quiet + 1 : 0;
  }
}

export async function benchThroughput(size: number, updates: number, log: (s: string) => void): Promise<ThroughputResult[]> {
  const entries = makeCorpus(size);
  const botStore = await openBotStore(entries);
  try {
    return await throughputWith(size, entries, botStore, updates, log);
  } finally {
    botStore.close();
  }
}

async function throughputWith(
  size: number,
  entries: StoredEntry[],
  botStore: BotStore,
  updates: number,
  log: (s: string) => void,
): Promise<ThroughputResult[]> {
  const { bot, echo, errors, calls } = benchBot(botStore.app.entries, botStore.app.catalog);
  const out: ThroughputResult[] = [];
  const agencies = ['公安', '上海市民政局', '科委', '司法局'];
  // Distinct CJK characters of the corpus: '/search, distinct' adds one to a bench query, so no two
  // updates ask the same thing and no rendered page can be reused (the cost of a query never seen).
  const chars = [
    ...new Set(
      entries
        .slice(0, 2000)
        .flatMap((e) => [...e.body.join('')])
        .filter((c) => c >= '\u4e00' && c <= '\u9fff'),
    ),
  ];
  let distinct = 0;
  // The labelled natural queries (bench/quality.ts), each asked once after the rows above warmed the
  // code up: never seen, their long keywords mostly not worked out yet (totals estimated, as the bot
  // answers a keyword's first search).
  const natural = labelledQueries().map((x) => x.q);
  const kinds: [string, (i: number) => string, Pick<Telegraf, 'handleUpdate'>?, number?][] = [
    ['/search', (i) => `/search ${QUERIES[i % QUERIES.length]}`],
    [
      '/search, distinct',
      () => `/search ${QUERIES[distinct % QUERIES.length]} ${chars[Math.floor(distinct++ / QUERIES.length) % chars.length]}`,
    ],
    ['/search, natural never-seen (labelled set, once each)', (i) => `/search ${natural[i]!}`, bot, natural.length],
    ['/latest', (i) => `/latest ${agencies[i % agencies.length]} 5`],
    // Passes every feature to the fallback's one-line reply: the dispatch's own cost.
    ['/nonsense (unknown command)', () => '/nonsense'],
    ['echo bot (yardstick)', (i) => `/search ${QUERIES[i % QUERIES.length]}`, echo],
  ];
  let updateId = 0;
  for (const [kind, text, target = bot as Pick<Telegraf, 'handleUpdate'>, once] of kinds) {
    const run = async (n: number) => {
      const per: number[] = [];
      const before = calls();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const t = text(i);
        const cmd = /^\/\S+/.exec(t)![0];
        const userId = 1000 + (i % 997);
        const u = {
          update_id: ++updateId,
          message: {
            message_id: updateId,
            date: 0,
            chat: { id: userId, type: 'private', first_name: 'U' },
            from: { id: userId, is_bot: false, first_name: 'U', language_code: 'zh-hans' },
            text: t,
            entities: [{ type: 'bot_command', offset: 0, length: cmd.length }],
          },
        } as unknown as Update;
        const s = performance.now();
        await target.handleUpdate(u);
        per.push(performance.now() - s);
        // A running bot's event loop turns between updates (each arrives by network I/O), which is when its
        // background work runs (a long keyword's matches, see src/bot/features/search.ts); counted in the rate.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return { seconds: (performance.now() - t0) / 1000, per, apiCalls: calls() - before };
    };
    // A set asked once is its own run (a warm-up would make it seen); the others are warmed up first.
    if (once === undefined) await run(Math.min(200, updates));
    const n = once ?? updates;
    const r = await run(n);
    // Background work the row started (long words being worked out) ends before the next row is timed.
    await settle();
    out.push({ size, kind, updates: n, perSecond: n / r.seconds, perUpdate: stats(r.per), apiCalls: r.apiCalls });
    log(`  ${kind}: ${(n / r.seconds).toFixed(0)} updates/s`);
  }
  if (errors.length) throw new Error(`bot errors during the throughput run: ${String(errors[0])}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// (4) Store start-up and (5) memory, in a fresh process
// ---------------------------------------------------------------------------------------------

export interface StartupRun {
  mode: 'json' | 'snapshot';
  fromSnapshot: boolean;
  openMs: number;
  firstSearchMs: number;
  startupMs: number;
  /** From the process's start to openApp: node's boot and loading the code. */
  loadMs: number;
  /** From the process's start to the first answer (loadMs + startupMs). */
  processMs: number;
  total: number;
  before: { rssMB: number };
  after: { rssMB: number; heapUsedMB: number; externalMB: number };
  snapshot: { saveMs: number; bytes: number } | null;
  /** A publish of 5 measures on the loaded store: JSON rewrite, snapshot, longest event-loop block meanwhile. */
  publish: { flushMs: number; snapshotMs: number; maxBlockMs: number } | null;
  gc: boolean;
}

export interface StoreResult {
  size: number;
  fileMB: number;
  snapshotMB: number;
  /** A start from entries.json alone (first start, or after the file changed behind the bot's back), then one from the snapshot it wrote. */
  json: StartupRun[];
  snapshot: StartupRun[];
  startupMs: { json: Stats; snapshot: Stats };
  rssMB: { json: Stats; snapshot: Stats };
}

/** (4, 5) The bot's start path (openApp) in a fresh process: from entries.json, then from the snapshot it leaves. */
export function benchStore(size: number, runs: number, log: (s: string) => void): StoreResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  try {
    const file = storeFiles(dir).entries;
    const entries = makeCorpus(size);
    const data: EntriesFile = { version: 1, seq: entries.length, bulletins: [], entries };
    // What openJsonFile writes: compact JSON.
    const json = JSON.stringify(data);
    const fileMB = Buffer.byteLength(json) / 2 ** 20;
    const child = (mode: 'json' | 'snapshot'): StartupRun => {
      const out = runChild('startup-child', [dir, mode]);
      const r = JSON.parse(out.trim().split('\n').pop()!) as StartupRun & { entries: number };
      if (r.entries !== size) throw new Error(`start-up child loaded ${r.entries} entries, expected ${size}`);
      log(`  start-up ${size} from ${mode}: ${fmt(r.startupMs)} ms, RSS ${r.after.rssMB.toFixed(0)} MB`);
      return r;
    };
    const fromJson: StartupRun[] = [];
    const fromSnapshot: StartupRun[] = [];
    for (let i = 0; i < runs; i++) {
      // The snapshot run publishes: every round starts again from the same file.
      writeFileSync(file, json);
      fromJson.push(child('json'));
      fromSnapshot.push(child('snapshot'));
    }
    const snapshotMB = statSync(storeFiles(dir).snapshot).size / 2 ** 20;
    const of = (list: StartupRun[], f: (r: StartupRun) => number) => stats(list.map(f));
    return {
      size,
      fileMB,
      snapshotMB,
      json: fromJson,
      snapshot: fromSnapshot,
      startupMs: { json: of(fromJson, (r) => r.startupMs), snapshot: of(fromSnapshot, (r) => r.startupMs) },
      rssMB: { json: of(fromJson, (r) => r.after.rssMB), snapshot: of(fromSnapshot, (r) => r.after.rssMB) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

export interface BenchReport {
  date: string;
  machine: { nproc: number; cpu: string; node: string; platform: string };
  mode: 'quick' | 'full';
  search: SizeResult[];
  throughput: ThroughputResult[];
  store: StoreResult[];
  /** (3) digest fan-out, subscription durability, event-loop blocks (bench/fanout.ts). */
  push: PushResult | null;
  /** (5b) RSS with subscriptions on top of entries. */
  subscriptionMemory: SubscriptionMemoryResult | null;
  /** (6) parse accuracy on the labelled bulletin corpus (bench/parse-accuracy.ts). */
  parse?: ParseAccuracyResult;
  /** (7) Search quality on the labelled set, segmenters, the query pipeline's latency (bench/quality.ts). */
  quality: {
    engines: QualityRow[];
    segmenters: QualityRow[];
    heldOut: QualityRow[];
    chat: Awaited<ReturnType<typeof benchChatQuality>>;
    /** /subscribe and /latest on their labelled set (bench/commands.ts). */
    commands: CommandQuality;
    /** Subscription filters against the measures a digest should carry (bench/subscriptions.ts). */
    subscriptions: SubscriptionQuality;
    segmenterCost: SegmenterCost[];
    pipeline: PipelineLatency[];
  } | null;
  todo: string[];
}

const TODO: string[] = [];

export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(
    `# Bench ${r.mode} — ${r.date}`,
    '',
    `Machine: ${r.machine.nproc} × ${r.machine.cpu}, Node ${r.machine.node}, ${r.machine.platform}`,
    '',
  );
  for (const s of r.search) {
    const names = Object.keys(s.buildMs);
    lines.push(`## (1) Search, ${s.size.toLocaleString('en')} entries — latency ms (median / p99), top 10 + total`, '');
    lines.push(`| query | matches | ${names.join(' | ')} |`, `|---|---:|${names.map(() => '---:|').join('')}`);
    for (const q of s.queries) {
      lines.push(
        `| ${q.query} | ${q.matches} | ${names.map((n) => `${fmt(q.engines[n]!.latency.median)} / ${fmt(q.engines[n]!.latency.p99)}`).join(' | ')} |`,
      );
    }
    lines.push(`| **all queries** | | ${names.map((n) => `**${fmt(s.pooled[n]!.median)} / ${fmt(s.pooled[n]!.p99)}**`).join(' | ')} |`);
    const ours = s.pooled.ours!;
    lines.push(`| p99 ratio vs ours | | ${names.map((n) => `${(s.pooled[n]!.p99 / ours.p99).toFixed(1)}×`).join(' | ')} |`);
    lines.push(`| build ms | | ${names.map((n) => fmt(s.buildMs[n]!)).join(' | ')} |`);
    const minOf = (n: string, f: 'recall' | 'precision') => Math.min(...s.queries.map((q) => q.engines[n]![f]));
    lines.push(`| min recall | | ${names.map((n) => minOf(n, 'recall').toFixed(3)).join(' | ')} |`);
    lines.push(`| min precision | | ${names.map((n) => minOf(n, 'precision').toFixed(3)).join(' | ')} |`);
    lines.push('');
    const bad = s.queries.filter((q) => Object.values(q.engines).some((e) => e.recall < 1 || e.precision < 1));
    for (const q of bad)
      lines.push(
        `- ${q.query}: ${names.map((n) => `${n} recall ${q.engines[n]!.recall.toFixed(3)} precision ${q.engines[n]!.precision.toFixed(3)}`).join('; ')}`,
      );
    if (bad.length) lines.push('');
  }
  if (r.throughput.length) {
    lines.push('## (2) Throughput through bot.handleUpdate (Bot API stubbed, one update at a time)', '');
    lines.push(
      '| entries | update | updates | updates/s | per update ms (median / p99 / max) | API calls |',
      '|---:|---|---:|---:|---|---:|',
    );
    for (const t of r.throughput)
      lines.push(
        `| ${t.size.toLocaleString('en')} | ${t.kind} | ${t.updates} | ${t.perSecond.toFixed(0)} | ${fmt(t.perUpdate.median)} / ${fmt(t.perUpdate.p99)} / ${fmt(t.perUpdate.max)} | ${t.apiCalls} |`,
      );
    const echo = r.throughput.find((t) => t.kind.startsWith('echo'));
    if (echo)
      lines.push(
        '',
        `Per-update time (median) against the echo bot: ${r.throughput
          .filter((t) => t !== echo)
          .map((t) => `${t.kind} ${(t.perUpdate.median / echo.perUpdate.median).toFixed(1)}×`)
          .join(', ')}.`,
      );
    lines.push('');
  }
  if (r.push) lines.push('## (3) Digest fan-out and subscription durability', '', ...renderPush(r.push));
  if (r.store.length) {
    lines.push("## (4) Store start-up and (5) memory (fresh process per run, the bot's openApp)", '');
    lines.push(
      '| entries | start from | file MB | open ms | first search ms | start-up ms (median / max) | process start to first answer ms (code loaded ms) | RSS MB after load (median / max) | heap MB | snapshot written ms |',
      '|---:|---|---:|---:|---:|---|---|---|---:|---:|',
    );
    for (const s of r.store) {
      for (const mode of ['json', 'snapshot'] as const) {
        const runs = s[mode];
        const med = (f: (x: StartupRun) => number) => stats(runs.map(f)).median;
        const saved = runs.filter((x) => x.snapshot).map((x) => x.snapshot!.saveMs);
        lines.push(
          `| ${s.size.toLocaleString('en')} | ${mode === 'json' ? 'entries.json' : 'snapshot'} | ${(mode === 'json' ? s.fileMB : s.snapshotMB).toFixed(1)} | ${fmt(med((x) => x.openMs))} | ${fmt(med((x) => x.firstSearchMs))} | ${fmt(s.startupMs[mode].median)} / ${fmt(s.startupMs[mode].max)} | ${fmt(med((x) => x.processMs))} (${fmt(med((x) => x.loadMs))}) | ${s.rssMB[mode].median.toFixed(0)} / ${s.rssMB[mode].max.toFixed(0)} | ${med((x) => x.after.heapUsedMB).toFixed(0)} | ${saved.length ? fmt(stats(saved).median) : '—'} |`,
        );
      }
    }
    const published = r.store.flatMap((s) => s.snapshot.filter((x) => x.publish).map((x) => ({ size: s.size, ...x.publish! })));
    if (published.length) {
      lines.push('', 'A publish of 5 measures on the loaded store (JSON rewritten in slices, then the snapshot), while serving:', '');
      lines.push('| entries | JSON write ms | snapshot ms | longest event-loop block ms |', '|---:|---:|---:|---:|');
      for (const p of published)
        lines.push(`| ${p.size.toLocaleString('en')} | ${fmt(p.flushMs)} | ${fmt(p.snapshotMs)} | ${fmt(p.maxBlockMs)} |`);
    }
    lines.push('');
  }
  if (r.subscriptionMemory)
    lines.push('## (5b) Memory with subscriptions (fresh process per run)', '', ...renderSubscriptionMemory(r.subscriptionMemory), '');
  if (r.parse) lines.push('## (6) Parse accuracy on the labelled bulletin corpus', '', ...renderParseAccuracy(r.parse), '');
  if (r.quality)
    lines.push(
      '## (7) Search quality (labelled queries) and query understanding',
      '',
      ...renderQuality(r.quality, r.quality.segmenterCost, r.quality.pipeline),
      ...renderCommandQuality(r.quality.commands),
      ...renderSubscriptionQuality(r.quality.subscriptions),
    );
  return lines.join('\n');
}

export async function main(opts: BenchOptions = {}): Promise<BenchReport> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const quick = !!opts.quick;
  const sizes = opts.sizes ?? (quick ? [1_000] : [1_000, 10_000, 100_000]);
  const only = new Set(knownNames('section', opts.only ?? SECTIONS, SECTIONS));
  const engines = knownNames('engine', opts.engines ?? ['ours-nocache', 'MiniSearch', 'FlexSearch', 'scan'], Object.keys(ENGINE_MAKERS));
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    mode: quick ? 'quick' : 'full',
    search: [],
    throughput: [],
    store: [],
    push: null,
    subscriptionMemory: null,
    quality: null,
    todo: TODO,
  };
  if (only.has('search')) {
    for (const size of sizes) {
      const reps = opts.reps ?? (quick ? 10 : size >= 100_000 ? 15 : size >= 10_000 ? 60 : 200);
      log(`search ${size} × ${reps} rounds`);
      report.search.push(await benchSearch(size, reps, engines, log));
    }
  }
  if (only.has('throughput')) {
    const size = opts.throughputSize ?? (quick ? 1_000 : 100_000);
    log(`throughput at ${size}`);
    report.throughput.push(...(await benchThroughput(size, quick ? 300 : 5_000, log)));
  }
  if (only.has('push')) {
    log('push: digest fan-out, subscription store');
    report.push = await benchPush(quick, log);
  }
  if (only.has('store')) {
    const size = opts.storeSize ?? (quick ? 1_000 : 100_000);
    log(`store at ${size}`);
    report.store.push(benchStore(size, quick ? 1 : 3, log));
    report.subscriptionMemory = benchSubscriptionMemory({ entries: size, subscriptions: size, runs: quick ? 1 : 3, log });
  }
  if (only.has('parse')) {
    log('parse accuracy on tests/fixtures/bulletins');
    report.parse = await benchParseAccuracy(quick ? 3 : 20);
  }
  if (only.has('quality')) {
    log('quality: labelled queries, segmenters, pipeline latency');
    await prepareSegmenters();
    const q = await benchQuality(log);
    const size = opts.storeSize ?? (quick ? 1_000 : 100_000);
    const chat = await benchChatQuality();
    log(`  quality through the bot, chat set: success@5 ${chat.successAt5.toFixed(3)}`);
    const commands = await benchCommandQuality();
    log(`  commands through the bot: ${commands.correct}/${commands.items} understood`);
    const subscriptions = await benchSubscriptionQuality();
    log(
      `  subscriptions: ${subscriptions.exact}/${subscriptions.items} exact, precision ${subscriptions.precision.toFixed(3)}, recall ${subscriptions.recall.toFixed(3)}`,
    );
    report.quality = {
      ...q,
      chat,
      commands,
      subscriptions,
      segmenterCost: quick ? [] : benchSegmenterCost(log),
      pipeline: [await benchPipelineLatency(size, quick ? 1 : 5, log)],
    };
  }
  if (opts.write !== false) {
    const dir = join(here, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2));
  }
  return report;
}

function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = {};
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'quick') o.quick = true;
    else if (k === 'sizes') o.sizes = v!.split(',').map(Number);
    else if (k === 'reps') o.reps = Number(v);
    else if (k === 'only') o.only = v!.split(',');
    else if (k === 'engines') o.engines = v!.split(',').filter(Boolean);
    else if (k === 'throughput-size') o.throughputSize = Number(v);
    else if (k === 'store-size') o.storeSize = Number(v);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts: BenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
    knownNames('engine', opts.engines ?? [], Object.keys(ENGINE_MAKERS));
    knownNames('section', opts.only ?? [], SECTIONS);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const report = await main(opts);
  process.stdout.write(renderMarkdown(report) + '\n');
}

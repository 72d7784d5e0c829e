/**
 * The push side: (3) digest fan-out through the real runner + deliverer + limiter against the local Bot API
 * emulator, (3b) subscription durability and event-loop blocks at 100k subscriptions, (5b) RSS with 100k
 * subscriptions on top of 100k entries (fresh process, bench/rss-child.ts).
 *
 * Correctness outputs (lost / duplicated digests) are exact counts from what the emulator accepted per chat;
 * timings are wall-clock on whatever machine runs it.
 *
 * `tsx bench/fanout.ts eventloop [subscriptions] [due]` runs only the event-loop part (for `node --cpu-prof`);
 * `durability [subscriptions]` and `compaction [subscriptions]` (a background journal compaction) the store parts;
 * `tsx bench/fanout.ts variant <subscriptions> <newEntries> <rttMs> <L> <limiter>` one fan-out run, e.g. with a
 * network round trip (rttMs) or multi-part digests (many new entries).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Low, Memory } from 'lowdb';
import { Telegram } from 'telegraf';
import type { StoredEntry } from '../src/core/model.ts';
import { createRateLimiter } from '../src/delivery/rate-limiter.ts';
import { createDeliverer } from '../src/delivery/send-with-retry.ts';
import { digestButtons, htmlSender } from '../src/digest/digest-service.ts';
import { silentLog } from '../src/infra/log.ts';
import { createDigestRunner } from '../src/digest/run-digest.ts';
import type { Deliver, SendHtml } from '../src/digest/run-digest.ts';
import { createEntryStore } from '../src/store/entry-store.ts';
import type { EntriesFile } from '../src/store/entry-store.ts';
import { createMemorySubscriptionStore, journalPathFor, openSubscriptionStore } from '../src/store/subscription-store.ts';
import type { Subscription, SubscriptionsFile } from '../src/store/subscription-store.ts';
import { startBotApiEmulator } from '../tests/helpers/bot-api-emulator.ts';
import { shippedAgencies } from '../tests/helpers/seed.ts';
import { runChild } from './child-process.ts';
import { makeCorpus } from './corpus.ts';

interface Stats {
  n: number;
  median: number;
  p99: number;
  max: number;
}
function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, median: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

/** The runner's clock: 12:00 in Shanghai on a fixed day, advancing in real time (so flushIntervalMs works). */
const BASE = Date.parse('2026-11-28T04:00:00Z');
const TODAY = '2026-11-28';
const YESTERDAY = '2026-11-27';
const runnerClock = () => {
  const t0 = Date.now();
  return () => BASE + (Date.now() - t0);
};

const entryStoreOf = (entries: StoredEntry[]) =>
  createEntryStore(new Low<EntriesFile>(new Memory<EntriesFile>(), { version: 1, seq: entries.length, bulletins: [], entries }), null);

/** A subscription as the store keeps it: private chat, digest at 09:00 Shanghai, no filters. */
function subscription(chatId: number, cursor: number, lastDigestDate: string | null, i: number): Subscription {
  const at = '2026-11-01T00:00:00.000Z';
  return {
    chatId,
    chatType: 'private',
    threadId: null,
    time: '09:00',
    timezone: 'Asia/Shanghai',
    filters: { agencies: [], keywords: [] },
    cursor,
    lastDigestDate,
    state: 'active',
    pausedReason: null,
    language: i % 5 === 0 ? 'en' : 'zh',
    notifyEmpty: false,
    frequency: 'daily',
    weekday: null,
    skippedDate: null,
    failures: null,
    partial: null,
    createdAt: at,
    updatedAt: at,
  };
}

// ---------------------------------------------------------------------------------------------
// (3) Fan-out against the emulator
// ---------------------------------------------------------------------------------------------

export interface FanoutRun {
  subscriptions: number;
  newEntries: number;
  emulatorPerSecond: number;
  limiterPerSecond: number;
  /** Messages the runner had to deliver (dry-run previews), and messages the emulator accepted (HTTP 200). */
  expected: number;
  accepted: number;
  /** sendMessage calls the emulator answered with 429. */
  http429: number;
  /** runDue wall time. */
  seconds: number;
  /** accepted / seconds. */
  wallPerSecond: number;
  /** Mean, from one second after the first send to the last, of messages accepted in the trailing second: the sustained rate. */
  sustainedPerSecond: number;
  /** Most messages the emulator accepted in any rolling second. */
  maxInAnySecond: number;
  /** Due subscriptions with at least one part never accepted, or not advanced in the store. */
  lost: number;
  /** Chats that were sent some part more than once (accepted twice). */
  duplicated: number;
  /** A second pass right after: messages it sent (must be 0). */
  secondPassSent: number;
  summary: { sent: number; empty: number; failed: number; paused: number };
}

export interface FanoutVariant {
  label: string;
  emulatorPerSecond: number;
  limiterPerSecond: number;
  runs: FanoutRun[];
  sustainedPerSecond: number;
  wallPerSecond: number;
  ratio: number;
  http429: number;
  maxInAnySecond: number;
  lost: number;
  duplicated: number;
}

export interface FanoutResult {
  subscriptions: number;
  newEntries: number;
  messagesPerDigest: number;
  variants: FanoutVariant[];
}

const withLatency = (send: SendHtml, ms: number): SendHtml =>
  ms <= 0 ? send : async (chatId, html, opts) => (await sleep(ms), send(chatId, html, opts));

function rollingCounts(times: number[]): { sustained: number; max: number } {
  if (times.length === 0) return { sustained: 0, max: 0 };
  const t = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j]! <= t[i]! - 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  // Trailing-second counts sampled every 50 ms from one second after the first send to the last send (the first
  // second is a free burst of L, so messages / wall time overstates the rate of a short run).
  const samples: number[] = [];
  for (let at = t[0]! + 1000; at <= t[t.length - 1]!; at += 50) {
    let n = 0;
    for (const x of t) if (x > at - 1000 && x <= at) n++;
    samples.push(n);
  }
  return { sustained: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : t.length, max };
}

/**
 * With `mix`, a third of the chats are channels (ids -100…, the group limit of 20/min each, link buttons) and a
 * third instant subscriptions (due because entries were published past their cursor), the rest daily private
 * chats; every digest carries its keyboard, as in production.
 */
function mixed(sub: Subscription, i: number): Subscription {
  if (i % 3 === 1) return { ...sub, chatId: -1_000_000_000_000 - i, chatType: 'channel' };
  if (i % 3 === 2) return { ...sub, frequency: 'instant', lastDigestDate: TODAY };
  return sub;
}

export async function fanoutRun(o: {
  subscriptions: number;
  newEntries: number;
  emulatorPerSecond: number;
  limiterPerSecond: number;
  entries: StoredEntry[];
  /** Extra latency before each call reaches the emulator (a real network). */ rttMs?: number;
  /** Runner's chats in flight (its default when absent). */ concurrency?: number;
  /** Channels and instant subscriptions mixed in (see mixed). */ mix?: boolean;
  /** The subscription store on disk, progress fsynced per chat (default true); false: in memory. */ durable?: boolean;
}): Promise<FanoutRun> {
  const emulator = await startBotApiEmulator({ rateLimit: { perSecond: o.emulatorPerSecond } });
  let cleanup = (): unknown => undefined;
  try {
    const entries = entryStoreOf(o.entries);
    const cursor = entries.seq() - o.newEntries;
    const initial: SubscriptionsFile = {
      version: 1,
      runs: [],
      subscriptions: Array.from({ length: o.subscriptions }, (_, i) =>
        o.mix ? mixed(subscription(7_000_000 + i, cursor, YESTERDAY, i), i) : subscription(7_000_000 + i, cursor, YESTERDAY, i),
      ),
    };
    // As in production: the store on disk, progress appended to its journal and fsynced after every chat.
    let dir: string | null = null;
    let subs;
    if (o.durable === false) subs = createMemorySubscriptionStore(initial);
    else {
      dir = mkdtempSync(join(tmpdir(), 'fanout-'));
      writeFileSync(join(dir, 'subscriptions.json'), JSON.stringify(initial));
      subs = await openSubscriptionStore(join(dir, 'subscriptions.json'));
    }
    cleanup = () => dir && rmSync(dir, { recursive: true, force: true });
    const limiter = createRateLimiter({ globalPerSecond: o.limiterPerSecond, now: Date.now, sleep: (ms) => sleep(ms) });
    const deliverer = createDeliverer({ limiter, now: Date.now, sleep: (ms) => sleep(ms), baseBackoffMs: 50 });
    const agencies = shippedAgencies();
    const runner = createDigestRunner({
      subscriptions: subs,
      entries,
      agencies: () => agencies,
      deliver: deliverer.deliver,
      send: withLatency(htmlSender(new Telegram(emulator.token, { apiRoot: emulator.apiRoot })), o.rttMs ?? 0),
      now: runnerClock(),
      log: silentLog,
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      ...(o.mix ? { keyboard: digestButtons(() => 'BulletinBot') } : {}),
    });
    // What each chat must receive, exactly once.
    const preview = await runner.runDue({ dryRun: true });
    if (preview.due !== o.subscriptions) throw new Error(`fan-out: ${preview.due} due, expected ${o.subscriptions}`);
    const want = new Map(preview.previews.map((p) => [p.chatId, p.messages]));
    const t0 = performance.now();
    const summary = await runner.runDue();
    const seconds = (performance.now() - t0) / 1000;
    const before = emulator.calls.length;
    const second = await runner.runDue();
    const secondPassSent = emulator.calls.length - before;

    const sends = emulator.calls.filter((c) => c.method === 'sendMessage');
    const ok = sends.filter((c) => c.status === 200);
    const got = new Map<number, string[]>();
    for (const c of ok) {
      const id = Number(c.payload.chat_id);
      const list = got.get(id) ?? [];
      list.push(String(c.payload.text));
      got.set(id, list);
    }
    let lost = 0;
    let duplicated = 0;
    for (const [chatId, messages] of want) {
      const received = got.get(chatId) ?? [];
      const s = subs.get(chatId);
      if (messages.some((m) => !received.includes(m)) || s?.lastDigestDate !== TODAY || s.cursor !== entries.seq()) lost++;
      if (received.length > messages.length || new Set(received).size < received.length) duplicated++;
    }
    for (const chatId of got.keys()) if (!want.has(chatId)) duplicated++; // a message to a chat that was not due
    const { sustained, max } = rollingCounts(ok.map((c) => c.time));
    return {
      subscriptions: o.subscriptions,
      newEntries: o.newEntries,
      emulatorPerSecond: o.emulatorPerSecond,
      limiterPerSecond: o.limiterPerSecond,
      expected: [...want.values()].reduce((n, m) => n + m.length, 0),
      accepted: ok.length,
      http429: sends.filter((c) => c.status === 429).length,
      seconds,
      wallPerSecond: ok.length / seconds,
      sustainedPerSecond: sustained,
      maxInAnySecond: max,
      lost,
      duplicated,
      secondPassSent: secondPassSent + second.sent,
      summary: { sent: summary.sent, empty: summary.empty, failed: summary.failed, paused: summary.paused },
    };
  } finally {
    await emulator.close();
    cleanup();
  }
}

export async function benchFanout(o: {
  subscriptions: number;
  newEntries: number;
  limits: number[];
  runs: number;
  overRuns: number;
  log: (s: string) => void;
}): Promise<FanoutResult> {
  const entries = makeCorpus(Math.max(200, o.newEntries * 4));
  const variants: FanoutVariant[] = [];
  const plan: { label: string; emulatorPerSecond: number; limiterPerSecond: number; runs: number; mix?: boolean }[] = [
    ...o.limits.map((L) => ({ label: `limiter = L`, emulatorPerSecond: L, limiterPerSecond: L, runs: o.runs })),
    // A 10% margin: the limiter stamps a send when it starts, the Bot API counts it when it arrives, so latency jitter
    // at the window's edge alone can produce 429s at exactly L.
    { label: 'limiter = 0.9L', emulatorPerSecond: o.limits[0]!, limiterPerSecond: Math.floor(0.9 * o.limits[0]!), runs: o.overRuns },
    { label: 'limiter = 2L (429s)', emulatorPerSecond: o.limits[0]!, limiterPerSecond: 2 * o.limits[0]!, runs: o.overRuns },
    // Channels (group limit per chat) and instant pushes mixed in with daily private chats, keyboards on.
    {
      label: 'mixed: ⅓ channels, ⅓ instant, limiter = L',
      emulatorPerSecond: o.limits[0]!,
      limiterPerSecond: o.limits[0]!,
      runs: o.runs,
      mix: true,
    },
  ];
  let messagesPerDigest = 0;
  for (const p of plan) {
    const runs: FanoutRun[] = [];
    for (let i = 0; i < p.runs; i++) {
      const r = await fanoutRun({
        subscriptions: o.subscriptions,
        newEntries: o.newEntries,
        emulatorPerSecond: p.emulatorPerSecond,
        limiterPerSecond: p.limiterPerSecond,
        entries,
        ...(p.mix ? { mix: true } : {}),
      });
      messagesPerDigest = r.expected / r.subscriptions;
      runs.push(r);
      o.log(
        `  fan-out ${p.mix ? 'mixed ' : ''}L=${p.emulatorPerSecond} limiter=${p.limiterPerSecond}: ${r.accepted} msgs in ${r.seconds.toFixed(1)} s, sustained ${r.sustainedPerSecond.toFixed(1)}/s, ${r.http429}×429, lost ${r.lost}, dup ${r.duplicated}`,
      );
    }
    const sustained = stats(runs.map((r) => r.sustainedPerSecond)).median;
    variants.push({
      label: p.label,
      emulatorPerSecond: p.emulatorPerSecond,
      limiterPerSecond: p.limiterPerSecond,
      runs,
      sustainedPerSecond: sustained,
      wallPerSecond: stats(runs.map((r) => r.wallPerSecond)).median,
      ratio: sustained / p.emulatorPerSecond,
      http429: runs.reduce((n, r) => n + r.http429, 0),
      maxInAnySecond: Math.max(...runs.map((r) => r.maxInAnySecond)),
      lost: runs.reduce((n, r) => n + r.lost, 0),
      duplicated: runs.reduce((n, r) => n + r.duplicated, 0),
    });
  }
  return { subscriptions: o.subscriptions, newEntries: o.newEntries, messagesPerDigest, variants };
}

// ---------------------------------------------------------------------------------------------
// (3b) Durability of a change and event-loop blocks at 100k subscriptions
// ---------------------------------------------------------------------------------------------

/** `total` subscriptions, the first `due` of them due today (the rest already served today), in lowdb's format. */
function subscriptionsFile(total: number, due: number, cursor: number): SubscriptionsFile {
  return {
    version: 1,
    runs: [],
    subscriptions: Array.from({ length: total }, (_, i) => subscription(1_000_000 + i, cursor, i < due ? YESTERDAY : TODAY, i)),
  };
}

export interface DurabilityResult {
  subscriptions: number;
  fileMB: number;
  openMs: number;
  /** upsert + flush until the file is replaced (steno: write temp file + rename; no fsync). */
  changeMs: Stats;
  changes: number;
}

export interface EventLoopResult {
  subscriptions: number;
  due: number;
  entries: number;
  sent: number;
  runMs: number;
  /** Longest and p99 event-loop delay while the run went (monitorEventLoopDelay, resolution 10 ms). */
  maxBlockMs: number;
  p99BlockMs: number;
  /** Parts of the run timed alone on the same store. */
  queryMs: number;
  flushMs: Stats;
  flushes: number;
}

export async function benchDurability(o: { subscriptions: number; changes: number; log: (s: string) => void }): Promise<DurabilityResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-subs-'));
  try {
    const file = join(dir, 'subscriptions.json');
    writeFileSync(file, JSON.stringify(subscriptionsFile(o.subscriptions, 0, 0), null, 2));
    const t0 = performance.now();
    const store = await openSubscriptionStore(file);
    const openMs = performance.now() - t0;
    const samples: number[] = [];
    for (let i = 0; i < o.changes; i++) {
      // Alternate a settings change of an existing chat and a new subscription.
      const chatId = i % 2 === 0 ? 1_000_000 + ((i * 7919) % o.subscriptions) : 90_000_000 + i;
      const s = performance.now();
      store.upsert({
        chatId,
        chatType: 'private',
        time: `0${i % 10}:30`,
        timezone: 'Asia/Shanghai',
        filters: { agencies: [], keywords: ['复工'] },
        language: 'zh',
        cursor: 0,
      });
      await store.flush();
      samples.push(performance.now() - s);
    }
    const fileMB = statSync(file).size / 2 ** 20;
    o.log(`  durability ${o.subscriptions}: change durable in ${stats(samples).median.toFixed(0)} ms median, file ${fileMB.toFixed(1)} MB`);
    return { subscriptions: o.subscriptions, fileMB, openMs, changeMs: stats(samples), changes: o.changes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the digest over `due` of `subscriptions` (file-backed store) with an instant sender; measures event-loop delay. */
export async function benchEventLoop(o: {
  subscriptions: number;
  due: number;
  entries: number;
  log: (s: string) => void;
}): Promise<EventLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-loop-'));
  try {
    const entries = entryStoreOf(makeCorpus(o.entries));
    const cursor = entries.seq() - 5;
    const file = join(dir, 'subscriptions.json');
    writeFileSync(file, JSON.stringify(subscriptionsFile(o.subscriptions, o.due, cursor), null, 2));
    const store = await openSubscriptionStore(file);
    const agencies = shippedAgencies();
    let sent = 0;
    // No network, no limiter: Telegram accepts at once (the deliverer's contract, minus pacing).
    const deliver: Deliver = async (chatId, send) => ({ ok: true, value: await send(chatId), chatId });
    const runner = createDigestRunner({
      subscriptions: store,
      entries,
      agencies: () => agencies,
      deliver,
      send: async () => ({ message_id: ++sent }),
      now: runnerClock(),
      log: silentLog,
    });
    // The pieces alone, on the same store: the due scan and one flush of the whole file.
    const q0 = performance.now();
    const dueNow = store.query((s) => s.lastDigestDate !== TODAY).length;
    const queryMs = performance.now() - q0;
    if (dueNow !== o.due) throw new Error(`event-loop bench: ${dueNow} due, expected ${o.due}`);
    const flushSamples: number[] = [];
    const origFlush = store.flush.bind(store);
    store.flush = async () => {
      const s = performance.now();
      await origFlush();
      flushSamples.push(performance.now() - s);
    };

    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t0 = performance.now();
    const summary = await runner.runDue();
    const runMs = performance.now() - t0;
    h.disable();
    if (summary.sent !== o.due) throw new Error(`event-loop bench: sent ${summary.sent}, expected ${o.due}`);
    const r: EventLoopResult = {
      subscriptions: o.subscriptions,
      due: o.due,
      entries: o.entries,
      sent: summary.sent,
      runMs,
      // The histogram holds delay beyond the resolution; a block of B ms shows as ≈ B.
      maxBlockMs: h.max / 1e6,
      p99BlockMs: h.percentile(99) / 1e6,
      queryMs,
      flushMs: stats(flushSamples),
      flushes: flushSamples.length,
    };
    o.log(
      `  event loop ${o.subscriptions} subs / ${o.due} due: run ${(runMs / 1000).toFixed(1)} s, max block ${r.maxBlockMs.toFixed(0)} ms, ${r.flushes} flushes of ${r.flushMs.median.toFixed(0)} ms`,
    );
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CompactionResult {
  subscriptions: number;
  /** Open of a pretty-printed 100k file with no journal: read + zod + compaction (compact snapshot written, fsynced). */
  openMs: number;
  snapshotMB: number;
  /** A background compaction (journal past its limit) from the flush that triggers it until the journal is swapped. */
  compactionMs: number;
  /** Longest event-loop block while it ran (monitorEventLoopDelay, resolution 10 ms). */
  maxBlockMs: number;
}

/** Forces a background compaction of a 100k store (limit: 1 line) and measures the event loop while it runs. */
export async function benchCompaction(o: { subscriptions: number; log: (s: string) => void }): Promise<CompactionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-compact-'));
  try {
    const file = join(dir, 'subscriptions.json');
    writeFileSync(file, JSON.stringify(subscriptionsFile(o.subscriptions, 0, 0), null, 2));
    const t0 = performance.now();
    const store = await openSubscriptionStore(file, { compactAt: { lines: 1 } });
    const openMs = performance.now() - t0;
    const journal = journalPathFor(file);
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const c0 = performance.now();
    store.advance(1_000_000, 5, TODAY);
    store.advance(1_000_001, 5, TODAY);
    await store.flush(); // 2 lines > 1: the compaction starts behind this flush
    while (statSync(journal).size > 0) await sleep(5);
    const compactionMs = performance.now() - c0;
    h.disable();
    const r = { subscriptions: o.subscriptions, openMs, snapshotMB: statSync(file).size / 2 ** 20, compactionMs, maxBlockMs: h.max / 1e6 };
    o.log(
      `  compaction ${o.subscriptions}: open ${openMs.toFixed(0)} ms, background compaction ${compactionMs.toFixed(0)} ms, max block ${r.maxBlockMs.toFixed(0)} ms`,
    );
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// (5b) RSS with subscriptions on top of entries, fresh process
// ---------------------------------------------------------------------------------------------

interface MemoryRun {
  rssEntriesMB: number;
  rssMB: number;
  heapEntriesMB: number;
  heapUsedMB: number;
  openSubscriptionsMs: number;
}

interface MemoryFigures {
  runs: MemoryRun[];
  rssMB: Stats;
  /** RSS added by the subscriptions (after gc). */
  deltaMB: Stats;
  /** Heap added by the subscriptions (after gc). */
  heapDeltaMB: Stats;
  openMs: Stats;
}

export interface SubscriptionMemoryResult extends MemoryFigures {
  entries: number;
  subscriptions: number;
  entriesFileMB: number;
  subscriptionsFileMB: number;
  /** A restart after a day's digest run: compact snapshot plus one journal line per chat (replayed, then folded in). */
  afterRun: MemoryFigures & { journalLines: number; journalMB: number };
}

/** `runs` fresh rss-child processes over the files, `prepare` called before each (the open may rewrite them). */
function memoryRuns(
  o: {
    entriesFile: string;
    subsFile: string;
    entries: number;
    subscriptions: number;
    runs: number;
    label: string;
    log: (s: string) => void;
  },
  prepare: () => void = () => {},
): MemoryFigures {
  const runs: MemoryRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    prepare();
    const out = runChild('rss-child', [dirname(o.entriesFile), o.subsFile]);
    const r = JSON.parse(out.trim().split('\n').pop()!);
    if (r.entries !== o.entries || r.subscriptions !== o.subscriptions)
      throw new Error(`rss child loaded ${r.entries} entries / ${r.subscriptions} subscriptions`);
    runs.push({
      rssEntriesMB: r.afterEntries.rssMB,
      rssMB: r.after.rssMB,
      heapEntriesMB: r.afterEntries.heapUsedMB,
      heapUsedMB: r.after.heapUsedMB,
      openSubscriptionsMs: r.openSubscriptionsMs,
    });
    o.log(
      `  RSS ${o.entries} entries + ${o.subscriptions} subscriptions${o.label}: ${r.after.rssMB.toFixed(0)} MB (entries alone ${r.afterEntries.rssMB.toFixed(0)} MB), open ${r.openSubscriptionsMs.toFixed(0)} ms`,
    );
  }
  return {
    runs,
    rssMB: stats(runs.map((r) => r.rssMB)),
    deltaMB: stats(runs.map((r) => r.rssMB - r.rssEntriesMB)),
    heapDeltaMB: stats(runs.map((r) => r.heapUsedMB - r.heapEntriesMB)),
    openMs: stats(runs.map((r) => r.openSubscriptionsMs)),
  };
}

export function benchSubscriptionMemory(o: {
  entries: number;
  subscriptions: number;
  runs: number;
  log: (s: string) => void;
}): SubscriptionMemoryResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  try {
    const entriesFile = join(dir, 'entries.json');
    const corpus = makeCorpus(o.entries);
    writeFileSync(
      entriesFile,
      JSON.stringify({ version: 1, seq: corpus.length, bulletins: [], entries: corpus } satisfies EntriesFile, null, 2),
    );
    const subsFile = join(dir, 'subscriptions.json');
    const file = subscriptionsFile(o.subscriptions, 0, corpus.length);
    // As before: written pretty once; the first open rewrites it compact, the later ones find it so.
    writeFileSync(subsFile, JSON.stringify(file, null, 2));
    const common = { entriesFile, subsFile, entries: o.entries, subscriptions: o.subscriptions, runs: o.runs, log: o.log };
    // The bot runs from the snapshot beside entries.json after its first start: so do the measured runs.
    runChild('rss-child', [dir, subsFile, '--prepare']);
    const snapshot = memoryRuns({ ...common, label: '' });
    const subscriptionsFileMB = statSync(subsFile).size / 2 ** 20;

    // Every chat served once since the snapshot: the record the runner's advance() leaves, one line each.
    const at = '2026-11-28T01:00:00.000Z';
    const journal =
      file.subscriptions
        .map((s) => JSON.stringify({ s: { ...s, cursor: corpus.length, lastDigestDate: TODAY, updatedAt: at } }))
        .join('\n') + '\n';
    const compact = JSON.stringify(file);
    const afterRun = memoryRuns({ ...common, label: ` + a day's journal` }, () => {
      writeFileSync(subsFile, compact);
      writeFileSync(journalPathFor(subsFile), journal);
    });
    return {
      entries: o.entries,
      subscriptions: o.subscriptions,
      entriesFileMB: statSync(entriesFile).size / 2 ** 20,
      subscriptionsFileMB,
      ...snapshot,
      afterRun: { ...afterRun, journalLines: file.subscriptions.length, journalMB: Buffer.byteLength(journal) / 2 ** 20 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Sections as bench/run.ts calls them, and their markdown
// ---------------------------------------------------------------------------------------------

export interface PushResult {
  fanout: FanoutResult;
  durability: DurabilityResult;
  eventLoop: EventLoopResult;
}

export async function benchPush(quick: boolean, log: (s: string) => void): Promise<PushResult> {
  const fanout = await benchFanout(
    quick
      ? { subscriptions: 60, newEntries: 5, limits: [30, 100], runs: 1, overRuns: 1, log }
      : { subscriptions: 240, newEntries: 5, limits: [30, 100], runs: 3, overRuns: 1, log },
  );
  const durability = await benchDurability({ subscriptions: quick ? 2_000 : 100_000, changes: 10, log });
  const eventLoop = await benchEventLoop({ subscriptions: quick ? 2_000 : 100_000, due: quick ? 200 : 5_000, entries: 1_000, log });
  return { fanout, durability, eventLoop };
}

const f = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

export function renderPush(p: PushResult): string[] {
  const { fanout: fo, durability: d, eventLoop: e } = p;
  const lines: string[] = [];
  lines.push(
    `### Fan-out: ${fo.subscriptions} due subscriptions × ${fo.newEntries} new entries (${fo.messagesPerDigest} message per digest), real runner + deliverer + limiter → emulator`,
    '',
    '| variant | emulator L (429 above) | limiter globalPerSecond | runs | sustained msgs/s (median of runs) | ratio to L | wall msgs/s | max in any 1 s | 429s | lost | duplicated |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const v of fo.variants) {
    lines.push(
      `| ${v.label} | ${v.emulatorPerSecond} | ${v.limiterPerSecond} | ${v.runs.length} | ${v.sustainedPerSecond.toFixed(1)} | ${v.ratio.toFixed(2)} | ${v.wallPerSecond.toFixed(1)} | ${v.maxInAnySecond} | ${v.http429} | ${v.lost} | ${v.duplicated} |`,
    );
  }
  lines.push(
    '',
    `### Subscription store at ${d.subscriptions.toLocaleString('en')} subscriptions`,
    '',
    '| figure | value |',
    '|---|---:|',
    `| file MB | ${d.fileMB.toFixed(1)} |`,
    `| open (read + zod) ms | ${f(d.openMs)} |`,
    `| change durable (upsert + flush) ms, median / p99 over ${d.changes} | ${f(d.changeMs.median)} / ${f(d.changeMs.p99)} |`,
    `| digest run: ${e.due.toLocaleString('en')} due of ${e.subscriptions.toLocaleString('en')}, instant sender, ms | ${f(e.runMs)} |`,
    `| longest event-loop block during the run ms (max / p99) | ${f(e.maxBlockMs)} / ${f(e.p99BlockMs)} |`,
    `| due scan (store.query over all) ms | ${f(e.queryMs)} |`,
    `| store.flush during the run ms, median / max (${e.flushes} flushes) | ${f(e.flushMs.median)} / ${f(e.flushMs.max)} |`,
    '',
  );
  return lines;
}

export function renderSubscriptionMemory(m: SubscriptionMemoryResult): string[] {
  const row = (subs: string, fileMB: string, x: MemoryFigures) =>
    `| ${m.entries.toLocaleString('en')} | ${subs} | ${m.entriesFileMB.toFixed(1)} | ${fileMB} | ${x.rssMB.median.toFixed(0)} / ${x.rssMB.max.toFixed(0)} | ${x.deltaMB.median.toFixed(0)} | ${x.heapDeltaMB.median.toFixed(0)} | ${((x.heapDeltaMB.median * 2 ** 20) / m.subscriptions).toFixed(0)} | ${f(x.openMs.median)} |`;
  return [
    '| entries | subscriptions | entries file MB | subscriptions file MB | RSS MB after load (median / max) | RSS added by subscriptions MB | heap added by subscriptions MB | heap per subscription B | open subscriptions ms |',
    '|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    row(m.subscriptions.toLocaleString('en'), m.subscriptionsFileMB.toFixed(1), m),
    row(
      `${m.subscriptions.toLocaleString('en')} + journal of ${m.afterRun.journalLines.toLocaleString('en')} lines (a day's run)`,
      `${m.subscriptionsFileMB.toFixed(1)} + ${m.afterRun.journalMB.toFixed(1)}`,
      m.afterRun,
    ),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [what = 'eventloop', subs = '100000', due = '5000'] = process.argv.slice(2);
  const log = (s: string) => process.stderr.write(s + '\n');
  if (what === 'eventloop')
    console.log(JSON.stringify(await benchEventLoop({ subscriptions: Number(subs), due: Number(due), entries: 1_000, log })));
  else if (what === 'compaction') console.log(JSON.stringify(await benchCompaction({ subscriptions: Number(subs), log })));
  else if (what === 'durability') console.log(JSON.stringify(await benchDurability({ subscriptions: Number(subs), changes: 10, log })));
  else if (what === 'mixed') {
    // tsx bench/fanout.ts mixed <subscriptions> <L> <runs>: channels and instant pushes mixed in, limiter = L.
    const [, n = '240', L = '30', runs = '3'] = process.argv.slice(2);
    const entries = makeCorpus(200);
    for (let i = 0; i < Number(runs); i++) {
      const r = await fanoutRun({
        subscriptions: Number(n),
        newEntries: 5,
        emulatorPerSecond: Number(L),
        limiterPerSecond: Number(L),
        entries,
        mix: true,
      });
      console.log(
        JSON.stringify({
          run: i + 1,
          sustainedPerSecond: r.sustainedPerSecond,
          ratio: r.sustainedPerSecond / Number(L),
          wallPerSecond: r.wallPerSecond,
          accepted: r.accepted,
          expected: r.expected,
          http429: r.http429,
          lost: r.lost,
          duplicated: r.duplicated,
          secondPassSent: r.secondPassSent,
          summary: r.summary,
        }),
      );
    }
  } else if (what === 'fanout')
    console.log(
      JSON.stringify(
        await benchFanout({ subscriptions: Number(subs), newEntries: 5, limits: [30, 100], runs: 1, overRuns: 1, log }),
        (k, v) => (k === 'runs' ? undefined : v),
      ),
    );
  else if (what === 'variant') {
    // tsx bench/fanout.ts variant <subscriptions> <newEntries> <rttMs> <L> <limiterPerSecond> [concurrency]
    const [, n = '60', k = '5', rtt = '0', L = '30', lim = '27', conc = ''] = process.argv.slice(2);
    const r = await fanoutRun({
      subscriptions: Number(n),
      newEntries: Number(k),
      emulatorPerSecond: Number(L),
      limiterPerSecond: Number(lim),
      entries: makeCorpus(Math.max(200, Number(k) * 4)),
      rttMs: Number(rtt),
      ...(conc ? { concurrency: Number(conc) } : {}),
    });
    console.log(
      JSON.stringify({
        ...r,
        concurrency: conc || 'default',
        messagesPerDigest: r.expected / r.subscriptions,
        chatsPerSecond: r.subscriptions / r.seconds,
      }),
    );
  } else throw new Error(`unknown part ${what}`);
}

/**
 * Search quality on the labelled query set (tests/fixtures/search-queries.json) over the shipped
 * bulletin, and the cost of understanding queries at scale:
 * - quality: success@5, MRR, the share of answerable queries answered "nothing", full answers given
 *   to unanswerable ones, precision of full matches — for ours, MiniSearch and FlexSearch behind the
 *   same query pipeline (plan + answer), and for the search as it was (space-split keywords, AND);
 * - segmenters: the same set with @node-rs/jieba, jieba-wasm, Intl.Segmenter and no segmenter,
 *   with each one's load time, memory and speed measured in a fresh process (bench/segmenter-child.ts);
 * - latency: plan + answer for every query of the set at `size` measures over the catalog as the bot
 *   has it, each query's first run (no rendered-page cache; a long keyword's total estimated, as the
 *   bot answers), then the background work that makes later runs exact (prepare) timed apart.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredEntry } from '../src/core/model.ts';
import { normalizeForSearch } from '../src/core/search/normalize.ts';
import { parseQuery } from '../src/core/search/query.ts';
import { createSearchIndex } from '../src/core/search/search-index.ts';
import { answerPlan } from '../src/core/search/understand/answer.ts';
import type { Answer, AnswerSource } from '../src/core/search/understand/answer.ts';
import { createQueryUnderstanding } from '../src/core/search/understand/index.ts';
import type { QueryUnderstanding } from '../src/core/search/understand/index.ts';
import type { JiebaLike, JiebaLoader } from '../src/core/search/understand/segment.ts';
import { measureSource } from '../src/core/search/understand/source.ts';
import { createCatalogSearch } from '../src/core/search/understand/service.ts';
import { buttons, createTestBot, texts } from '../tests/helpers/bot-harness.ts';
import { parseSeed, shippedAgencies } from '../tests/helpers/seed.ts';
import { openBotStore } from './bot-store.ts';
import { runChild } from './child-process.ts';
import { makeCorpus } from './corpus.ts';
import { flexSearchEngines, miniSearchEngine } from './engines.ts';
import type { Engine } from './engines.ts';
import { shippedWordTables } from '../src/store/word-tables.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface LabelledQuery {
  q: string;
  relevant: string[];
  style: string;
}

/**
 * A labelled set with labels and set names expanded to entry ids: the tuning set (search-queries.json), or
 * the held-out one (search-queries-heldout.json, written without seeing the pipeline or the tuning set).
 */
export function labelledQueries(
  file: 'search-queries.json' | 'search-queries-heldout.json' | 'search-queries-chat.json' = 'search-queries.json',
): LabelledQuery[] {
  const raw = JSON.parse(readFileSync(join(here, '../tests/fixtures', file), 'utf8')) as {
    measures: Record<string, string>;
    sets?: Record<string, string[]>;
    queries: LabelledQuery[];
  };
  const ids = (label: string): string[] =>
    raw.sets?.[label] ? raw.sets[label]!.flatMap(ids) : [raw.measures[label] ?? `unknown label ${label}`];
  return raw.queries.map((x) => ({ ...x, relevant: [...new Set(x.relevant.flatMap(ids))] }));
}

export interface QualityRow {
  name: string;
  /** Answerable queries with a relevant measure among the first five. */
  successAt5: number;
  mrr: number;
  /** Answerable queries answered "nothing". */
  nothing: number;
  /** Unanswerable queries answered as if fully matched. */
  falseFull: number;
  /** Hits of full answers that hold every word (or a near / corrected form) and the agency asked for. */
  fullPrecision: number;
  /** Per style: success@5 (answerable) or share answered nothing/partial (unanswerable). */
  byStyle: Record<string, number>;
  failures: string[];
}

/** An answer source over one of the comparison engines (their own matching and ranking; agency filtered after). */
function engineSource(engine: Engine, entries: readonly StoredEntry[]): AnswerSource<StoredEntry> {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const base = seedSource(entries);
  return {
    ...base,
    search(keywords, opts) {
      // No keywords (a listing) is the index's job in every pipeline: the engines are compared on matching words.
      if (keywords.length === 0) return base.search(keywords, opts);
      const ids = engine.all(keywords).filter((id) => !opts.agency || byId.get(id)?.agency === opts.agency);
      const from = opts.offset ?? 0;
      return { total: ids.length, hits: ids.slice(from, from + (opts.limit ?? 10)).map((id) => ({ id })) };
    },
  };
}

function seedSource(entries: readonly StoredEntry[], index = createSearchIndex(entries)): AnswerSource<StoredEntry> {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return measureSource({ index, get: (id) => byId.get(id) });
}

/** Whether a full answer's hit holds every word in one of its forms (and is the agency's, when one was asked). */
function holdsAll(e: StoredEntry, a: Answer<StoredEntry>, forms: string[][]): boolean {
  if (a.agency && e.agency !== a.agency && a.kind === 'full') return false;
  const text = normalizeForSearch([e.title, ...e.body, ...e.bullets, e.agency].join('\n'));
  return forms.every((f) => f.some((w) => text.includes(w)));
}

export function evaluate(
  name: string,
  queries: readonly LabelledQuery[],
  answer: (q: string) => { a: Answer<StoredEntry> | null; forms: string[][] },
): QualityRow {
  let success = 0;
  let rr = 0;
  let nothing = 0;
  let falseFull = 0;
  let fullHits = 0;
  let fullGood = 0;
  const answerable = queries.filter((x) => x.relevant.length > 0).length;
  const byStyle = new Map<string, [number, number]>();
  const failures: string[] = [];
  for (const x of queries) {
    const { a, forms } = answer(x.q);
    const ids = a ? a.hits.map((h) => h.id) : [];
    const rank = ids.findIndex((id) => x.relevant.includes(id));
    const s = byStyle.get(x.style) ?? [0, 0];
    s[1]++;
    if (a && a.kind === 'full') {
      fullHits += a.hits.length;
      fullGood += a.hits.filter((e) => holdsAll(e, a, forms)).length;
    }
    if (x.relevant.length > 0) {
      if (rank !== -1 && rank < 5) {
        success++;
        s[0]++;
      } else failures.push(`${x.q} (${a?.kind ?? 'refused'}${rank === -1 ? '' : `, first relevant at ${rank + 1}`})`);
      if (rank !== -1) rr += 1 / (rank + 1);
      if (!a || a.kind === 'none' || a.total === 0) nothing++;
    } else {
      if (a && (a.kind === 'full' || a.kind === 'latest') && a.total > 0) {
        falseFull++;
        failures.push(`${x.q} (nothing relevant, answered ${a.kind})`);
      } else s[0]++;
    }
    byStyle.set(x.style, s);
  }
  return {
    name,
    successAt5: success / answerable,
    mrr: rr / answerable,
    nothing: nothing / answerable,
    falseFull: falseFull / Math.max(1, queries.length - answerable),
    fullPrecision: fullHits === 0 ? 1 : fullGood / fullHits,
    byStyle: Object.fromEntries([...byStyle].map(([k, [ok, n]]) => [k, ok / n])),
    failures,
  };
}

/**
 * The chat set (search-queries-chat.json) scored through the bot itself, as private-chat messages: date
 * words, the reply's header and its first page of 5 (the hits' buttons). Answerable: a relevant measure
 * among the 5; not answerable: no hit, or a header saying none holds the words ("没有…").
 */
export async function benchChatQuality(): Promise<{
  successAt5: number;
  answerable: number;
  byStyle: Record<string, number>;
  failures: string[];
}> {
  const queries = labelledQueries('search-queries-chat.json');
  const t = createTestBot({ config: { searchRatePerMinute: 1e9 } });
  const byStyle = new Map<string, [number, number]>();
  const failures: string[] = [];
  let success = 0;
  let answerable = 0;
  for (const x of queries) {
    const sent = (await t.send(x.q)).filter((c) => c.method === 'sendMessage');
    const head = (texts(sent)[0] ?? '').split('\n')[0]!.replace(/<[^>]+>/g, '');
    const ids = buttons(sent[0])
      .filter((b) => b.callback_data.startsWith('e:'))
      .map((b) => b.callback_data.slice(2));
    const good = x.relevant.length > 0 ? ids.some((id) => x.relevant.includes(id)) : ids.length === 0 || head.includes('没有');
    if (x.relevant.length > 0) answerable++;
    if (good && x.relevant.length > 0) success++;
    if (!good) failures.push(`${x.q.replace(/\n/g, ' ')} (${head.slice(0, 40)})`);
    const s = byStyle.get(x.style) ?? [0, 0];
    byStyle.set(x.style, [s[0] + (good ? 1 : 0), s[1] + 1]);
  }
  if (t.errors.length) throw new Error(`bot errors in the chat set: ${String(t.errors[0])}`);
  return {
    successAt5: success / answerable,
    answerable,
    byStyle: Object.fromEntries([...byStyle].map(([k, [ok, n]]) => [k, ok / n])),
    failures,
  };
}

/** The shipped bulletin's measures as the store keeps them (in file order). */
export const seedEntries = (): StoredEntry[] =>
  parseSeed().entries.map((e, i) => ({
    ...e,
    seq: i + 1,
    addedSeq: 1,
    addedAt: '2020-03-26T00:00:00.000Z',
    revisions: 0,
    correctedAt: null,
  }));

/** Ours, MiniSearch, FlexSearch behind one pipeline; the search as it was; the pipeline with each segmenter. */
export async function benchQuality(
  log: (s: string) => void,
): Promise<{ engines: QualityRow[]; segmenters: QualityRow[]; heldOut: QualityRow[] }> {
  const entries = seedEntries();
  const queries = labelledQueries();
  const understanding = createQueryUnderstanding({ tables: shippedWordTables(), warn: log });
  understanding.learn(shippedAgencies(), entries);
  const limit = 10;
  const pipeline = (u: QueryUnderstanding, source: AnswerSource<StoredEntry>) => (q: string) => {
    const p = u.plan(q);
    if (!p.ok) return { a: null, forms: [] };
    const a = answerPlan(p.plan, source, { limit, offset: 0, suggest: u.suggest });
    const fixes = new Map(a.corrected);
    return { a, forms: p.plan.words.map((w) => [w.text, ...w.near, ...(fixes.has(w.text) ? [fixes.get(w.text)!] : [])]) };
  };
  const ours = seedSource(entries);
  const [flex] = flexSearchEngines(entries);
  const rows = [
    evaluate('ours', queries, pipeline(understanding, ours)),
    evaluate('MiniSearch', queries, pipeline(understanding, engineSource(miniSearchEngine(entries), entries))),
    evaluate('FlexSearch', queries, pipeline(understanding, engineSource(flex!, entries))),
  ];
  // Before this pipeline: keywords split on spaces, every one a substring, nothing else.
  const index = createSearchIndex(entries);
  const byId = new Map(entries.map((e) => [e.id, e]));
  rows.push(
    evaluate('before (space-split AND)', queries, (q) => {
      const p = parseQuery(q);
      if (!p.ok) return { a: null, forms: [] };
      const r = index.search(p.keywords, { limit });
      const hits = r.hits.map((h) => byId.get(h.id)!);
      const a = { kind: r.total > 0 ? 'full' : 'none', hits, agency: null } as Answer<StoredEntry>;
      return { a, forms: p.keywords.map((k) => [k]) };
    }),
  );
  for (const r of rows) log(`  quality ${r.name}: success@5 ${r.successAt5.toFixed(3)}, MRR ${r.mrr.toFixed(3)}`);
  // The held-out set, through our pipeline and the search as it was.
  const heldOut = [evaluate('ours', labelledQueries('search-queries-heldout.json'), pipeline(understanding, ours))];
  log(`  quality ours, held-out set: success@5 ${heldOut[0]!.successAt5.toFixed(3)}, MRR ${heldOut[0]!.mrr.toFixed(3)}`);

  const segmenters: QualityRow[] = [];
  for (const [name, load, hmm] of SEGMENTERS) {
    const u = createQueryUnderstanding({ tables: shippedWordTables(), load: load(), hmm, warn: log });
    u.learn(shippedAgencies(), entries);
    segmenters.push(evaluate(name, queries, pipeline(u, ours)));
  }
  return { engines: rows, segmenters, heldOut };
}

/** jieba-wasm as a JiebaLike: its dictionary is the package's full one; taught words go through add_word. */
async function wasmLoader(): Promise<JiebaLoader> {
  const w = await import('jieba-wasm');
  return () => ({
    cut: (s: string, hmm?: boolean) => w.cut(s, hmm ?? false),
    loadDict(dict: Uint8Array) {
      for (const line of Buffer.from(dict).toString('utf8').split('\n')) {
        const [word, freq] = line.split(' ');
        if (word) w.add_word(word, Number(freq) || undefined);
      }
    },
  });
}

/** Intl.Segmenter as a JiebaLike: ICU's dictionary, which cannot be taught (loadDict does nothing). */
export const icuLoader: JiebaLoader = () => {
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  const like: JiebaLike = { cut: (s) => [...seg.segment(s)].map((x) => x.segment), loadDict() {} };
  return like;
};

let wasm: JiebaLoader | undefined;
const SEGMENTERS: [string, () => JiebaLoader | null | undefined, boolean][] = [
  ['@node-rs/jieba (trimmed dict, shipped)', () => undefined, false],
  ['@node-rs/jieba, HMM on', () => undefined, true],
  ['jieba-wasm', () => wasm, false],
  ['Intl.Segmenter', () => icuLoader, false],
  ['no segmenter (fallback)', () => null, false],
];

export async function prepareSegmenters(): Promise<void> {
  wasm ??= await wasmLoader();
}

export interface SegmenterCost {
  name: string;
  loadMs: number;
  rssMB: number;
  usPerQuery: number;
}

/** Each segmenter's load time, memory and speed on the query set, in a fresh process each (bench/segmenter-child.ts). */
export function benchSegmenterCost(log: (s: string) => void): SegmenterCost[] {
  const out: SegmenterCost[] = [];
  for (const kind of ['node-rs', 'node-rs-full', 'wasm', 'icu']) {
    const r = JSON.parse(runChild('segmenter-child', [kind])) as SegmenterCost;
    log(`  segmenter ${r.name}: load ${r.loadMs.toFixed(0)} ms, +${r.rssMB.toFixed(1)} MB, ${r.usPerQuery.toFixed(1)} µs/query`);
    out.push(r);
  }
  return out;
}

export interface PipelineLatency {
  size: number;
  queries: number;
  /** Each query's first run in the process (nothing of it seen before, no rendered-page cache): plan + answer, totals of new long keywords estimated. */
  first: { median: number; p99: number; max: number };
  /** catalog.prepare after it, as the bot runs it in the background once a long keyword is asked again (its matches worked out, a slice at a time). */
  prepare: { median: number; p99: number; max: number };
  /** Every later run of the same queries (the index's remembered keywords warm, still no page cache). */
  again: { median: number; p99: number; max: number };
  planOnly: { median: number; p99: number };
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
};
const summary = (xs: number[]) => ({ median: pct(xs, 0.5), p99: pct(xs, 0.99), max: Math.max(...xs) });

/**
 * plan + answer (first page of 5) for every labelled query at `size` measures, over the catalog as the
 * bot has it (the index's keyword memory on, empty at start) — each query's first run, with the
 * bot's background `prepare` after it timed apart — then `reps` more rounds.
 */
export async function benchPipelineLatency(size: number, reps: number, log: (s: string) => void): Promise<PipelineLatency> {
  const entries = makeCorpus(size);
  const store = await openBotStore(entries);
  try {
    const catalog = store.app.catalog;
    const u = createQueryUnderstanding({ tables: shippedWordTables(), warn: log });
    const search = createCatalogSearch(catalog, u);
    const queries = labelledQueries().map((x) => x.q);
    const first: number[] = [];
    const prepare: number[] = [];
    // As the bot answers: plan and answer at once (a long keyword's first search estimates its total),
    // then its matches worked out in the background (prepare), so later runs are exact.
    for (const q of queries) {
      let t = performance.now();
      const p = search.plan(q);
      if (!p.ok) continue;
      search.answer(p.plan, { limit: 5, offset: 0, estimate: true });
      first.push(performance.now() - t);
      const keywords = search.keywordsOf(p.plan);
      t = performance.now();
      if (keywords.some((k) => k.length > 2)) await catalog.prepare(keywords);
      prepare.push(performance.now() - t);
    }
    const later: number[] = [];
    const plan: number[] = [];
    for (let r = 0; r < reps; r++) {
      for (const q of queries) {
        let t = performance.now();
        const p = search.plan(q);
        plan.push(performance.now() - t);
        t = performance.now();
        if (p.ok) search.answer(p.plan, { limit: 5, offset: 0, estimate: true });
        later.push(performance.now() - t + plan[plan.length - 1]!);
      }
    }
    const res = {
      size,
      queries: first.length,
      first: summary(first),
      prepare: summary(prepare),
      again: summary(later),
      planOnly: { median: pct(plan, 0.5), p99: pct(plan, 0.99) },
    };
    log(
      `  pipeline at ${size}: first runs p99 ${res.first.p99.toFixed(2)} ms (prepare p99 ${res.prepare.p99.toFixed(1)} ms), again p99 ${res.again.p99.toFixed(2)} ms`,
    );
    return res;
  } finally {
    store.close();
  }
}

const f3 = (x: number) => x.toFixed(3);
const ms = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function renderQuality(
  q: { engines: QualityRow[]; segmenters: QualityRow[]; heldOut?: QualityRow[]; chat?: Awaited<ReturnType<typeof benchChatQuality>> },
  costs: SegmenterCost[],
  latency: PipelineLatency[],
): string[] {
  const lines: string[] = [];
  const n = labelledQueries();
  const answerable = n.filter((x) => x.relevant.length > 0).length;
  lines.push(
    `Labelled set: ${n.length} queries (${answerable} answerable, ${n.length - answerable} with nothing relevant), over the shipped bulletin; first page of 10.`,
    '',
  );
  const table = (rows: QualityRow[], set = n) => {
    const styles = [...new Set(set.map((x) => x.style))];
    lines.push(
      `| pipeline | success@5 | MRR | answerable answered "nothing" | unanswerable answered as full | full-match precision | ${styles.join(' | ')} |`,
    );
    lines.push(`|---|---:|---:|---:|---:|---:|${styles.map(() => '---:|').join('')}`);
    for (const r of rows)
      lines.push(
        `| ${r.name} | ${f3(r.successAt5)} | ${f3(r.mrr)} | ${f3(r.nothing)} | ${f3(r.falseFull)} | ${f3(r.fullPrecision)} | ${styles.map((s) => (r.byStyle[s] ?? NaN).toFixed(2)).join(' | ')} |`,
      );
    lines.push('');
  };
  table(q.engines);
  const ours = q.engines[0]!;
  if (ours.failures.length) lines.push(`Ours, not answered well: ${ours.failures.join('; ')}.`, '');
  if (q.heldOut?.length) {
    const h = labelledQueries('search-queries-heldout.json');
    const hAnswerable = h.filter((x) => x.relevant.length > 0).length;
    lines.push(
      `Held-out set: ${h.length} queries (${hAnswerable} answerable), written by someone who had not seen the pipeline or the set above (the date words of the bot are not in this pipeline).`,
      '',
    );
    table(q.heldOut, h);
    if (q.heldOut[0]!.failures.length) lines.push(`Not answered well: ${q.heldOut[0]!.failures.join('; ')}.`, '');
  }
  if (q.chat) {
    const styles = Object.keys(q.chat.byStyle);
    lines.push(
      `Chat set: ${labelledQueries('search-queries-chat.json').length} private-chat messages (${q.chat.answerable} answerable), scored through the bot (date words included): success@5 **${f3(q.chat.successAt5)}**.`,
      '',
      `| ${styles.join(' | ')} |`,
      `|${styles.map(() => '---:|').join('')}`,
      `| ${styles.map((s) => q.chat!.byStyle[s]!.toFixed(2)).join(' | ')} |`,
      '',
    );
    if (q.chat.failures.length) lines.push(`Not answered well: ${q.chat.failures.join('; ')}.`, '');
  }
  lines.push('Segmenters (ours, same pipeline):', '');
  table(q.segmenters);
  if (costs.length) {
    lines.push('| segmenter | load ms | RSS MB added | µs per query (set, after load) |', '|---|---:|---:|---:|');
    for (const c of costs) lines.push(`| ${c.name} | ${c.loadMs.toFixed(0)} | ${c.rssMB.toFixed(1)} | ${c.usPerQuery.toFixed(1)} |`);
    lines.push('');
  }
  if (latency.length) {
    lines.push(
      '| measures | queries | first run ms, plan + answer (median / p99 / max) | working its long words out (the bot: when asked again, in the background) ms (median / p99 / max) | later runs ms (median / p99 / max) | plan only ms (median / p99) |',
      '|---:|---:|---|---|---|---|',
    );
    for (const l of latency)
      lines.push(
        `| ${l.size.toLocaleString('en')} | ${l.queries} | ${ms(l.first.median)} / ${ms(l.first.p99)} / ${ms(l.first.max)} | ${ms(l.prepare.median)} / ${ms(l.prepare.p99)} / ${ms(l.prepare.max)} | ${ms(l.again.median)} / ${ms(l.again.p99)} / ${ms(l.again.max)} | ${ms(l.planOnly.median)} / ${ms(l.planOnly.p99)} |`,
      );
    lines.push('');
  }
  return lines;
}

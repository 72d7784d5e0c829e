import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUERIES, knownNames, main, renderMarkdown } from '../../bench/run.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';

// Checks only that the quick bench still runs and that its correctness outputs hold; timings are never asserted.
describe('bench --quick (smallest size, in-process)', () => {
  it('our index agrees exactly with the substring scan on every bench query', async () => {
    const report = await main({
      quick: true,
      sizes: [1_000],
      reps: 1,
      only: ['search', 'throughput'],
      engines: ['scan'],
      write: false,
      log: () => {},
    });
    const [size] = report.search;
    expect(size!.size).toBe(1_000);
    expect(size!.queries.map((q) => q.query)).toEqual(QUERIES);
    for (const q of size!.queries) {
      expect(q.engines.ours!.recall).toBe(1);
      expect(q.engines.ours!.precision).toBe(1);
      expect(q.engines.ours!.total).toBe(q.matches);
      expect(q.engines.scan!.total).toBe(q.matches);
    }
    // The corpus is realistic only if common words match many entries and rare ones few.
    const matches = Object.fromEntries(size!.queries.map((q) => [q.query, q.matches]));
    expect(matches['复工']).toBeGreaterThan(500);
    expect(matches['行政复议']).toBeLessThan(100);
    for (const t of report.throughput) expect(t.apiCalls).toBe(t.updates);
    expect(renderMarkdown(report)).not.toContain('TODO');
  }, 60_000);

  it('quick digest fan-out through the real runner, deliverer and limiter loses and duplicates nothing, even above the limit', async () => {
    const report = await main({ quick: true, only: ['push'], write: false, log: () => {} });
    const push = report.push!;
    // Limiter = L at both limits, then at L=30 a 10% margin and the limiter set above the emulator's limit (429s, retried).
    // And channels plus instant pushes mixed in with daily chats, limiter = L.
    expect(push.fanout.variants.map((v) => [v.emulatorPerSecond, v.limiterPerSecond])).toEqual([
      [30, 30],
      [100, 100],
      [30, 27],
      [30, 60],
      [30, 30],
    ]);
    expect(push.fanout.variants.at(-1)!.label).toContain('channels');
    for (const v of push.fanout.variants) {
      expect(v.lost).toBe(0);
      expect(v.duplicated).toBe(0);
      for (const r of v.runs) {
        expect(r.lost).toBe(0);
        expect(r.duplicated).toBe(0);
        expect(r.accepted).toBe(r.expected);
        expect(r.expected).toBeGreaterThanOrEqual(r.subscriptions);
        expect(r.summary).toEqual({ sent: r.subscriptions, empty: 0, failed: 0, paused: 0 });
        expect(r.secondPassSent).toBe(0);
      }
    }
    expect(push.eventLoop.sent).toBe(push.eventLoop.due);
    expect(push.eventLoop.flushes).toBeGreaterThan(0);
    expect(push.durability.changeMs.n).toBe(push.durability.changes);
    expect(renderMarkdown(report)).toContain('(3) Digest fan-out');
  }, 60_000);
});

describe('bench --quick parse section', () => {
  it('scores every corpus file: all measures exact, none spurious, none dropped silently', async () => {
    const report = await main({ quick: true, only: ['parse'], write: false, log: () => {} });
    const parse = report.parse!;
    expect(parse.files.length).toBeGreaterThanOrEqual(15);
    expect(parse.exact).toBe(parse.expected);
    expect(parse.spurious).toBe(0);
    expect(parse.droppedSilently).toBe(0);
    expect(renderMarkdown(report)).toContain('(6) Parse accuracy');
  }, 60_000);
});

describe('bench options', () => {
  it('takes engine and section names in any case, and names the known ones for an unknown name', () => {
    expect(knownNames('engine', ['flexsearch', 'SCAN'], ['MiniSearch', 'FlexSearch', 'scan'])).toEqual(['FlexSearch', 'scan']);
    expect(() => knownNames('engine', ['bogus'], ['MiniSearch', 'FlexSearch', 'scan'])).toThrow(
      'unknown engine "bogus": the bench knows MiniSearch, FlexSearch, scan',
    );
  });

  it('npm run bench -- --engines=bogus exits with that message before running anything', () => {
    const r = spawnSync(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(PROJECT_ROOT, 'bench', 'run.ts'), '--engines=bogus'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown engine "bogus": the bench knows ours, ours-nocache, ours-general, MiniSearch, FlexSearch, scan/);
    expect(r.stdout).toBe('');
  });
});

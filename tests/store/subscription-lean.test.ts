import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NO_FILTERS,
  createInterner,
  journalPathFor,
  openSubscriptionStore,
  subscriptionsFileSchema,
} from '../../src/store/subscription-store.ts';
import type { Subscription, SubscriptionsFile } from '../../src/store/subscription-store.ts';
import { readSnapshotLean } from '../../src/store/subscription-snapshot.ts';
import { checksummedJson } from '../../src/store/record-checksum.ts';
import { subscriptionInput } from '../helpers/digest.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

/** Records of every kind the store keeps, with strings that could trip a byte scanner. */
function varied(n: number): Subscription[] {
  return Array.from({ length: n }, (_, i): Subscription => ({
    chatId: i % 3 === 0 ? -1_001_234_567_890 - i : 5_000_000_000 + i,
    chatType: i % 3 === 0 ? 'supergroup' : 'private',
    threadId: i % 7 === 0 ? 42 + i : null,
    time: `${String(i % 24).padStart(2, '0')}:${i % 2 ? '30' : '00'}`,
    timezone: i % 4 === 0 ? 'Europe/Berlin' : 'Asia/Shanghai',
    filters:
      i % 2 === 0
        ? { agencies: [], keywords: [] }
        : { agencies: ['上海市公安局', '市卫健委'], keywords: i % 5 === 0 ? ['复工', '},{"chatId":1}', 'a\\"b'] : [] },
    cursor: i * 3,
    lastDigestDate: i % 6 === 0 ? null : '2024-05-0' + ((i % 9) + 1),
    state: i % 11 === 0 ? 'paused' : 'active',
    pausedReason: i % 11 === 0 ? 'user' : null,
    language: i % 5 === 0 ? 'en' : 'zh',
    notifyEmpty: i % 3 === 1,
    failures:
      i % 13 === 0
        ? {
            date: '2024-05-02',
            count: 2,
            lastAt: '2024-05-02T01:00:00.000Z',
            reason: 'failed: "quoted" {brace} [x]\n第二行 \\',
            badRequestDays: 1,
            badRequestDate: null,
          }
        : null,
    partial: i % 17 === 0 ? { date: '2024-05-03', upTo: 90, parts: 2, delivered: ['e1', 'e2'] } : null,
    createdAt: `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
    updatedAt: '2024-05-01T00:00:00.000Z',
    frequency: i % 4 === 1 ? 'weekly' : i % 4 === 2 ? 'instant' : 'daily',
    weekday: i % 4 === 1 ? (i % 7) + 1 : null,
    skippedDate: i % 8 === 3 ? '2024-05-04' : null,
  }));
}

const fileOf = (subscriptions: Subscription[]): SubscriptionsFile => ({
  version: 1,
  subscriptions,
  runs: [
    {
      id: 'r1',
      startedAt: 'x',
      finishedAt: null,
      interrupted: false,
      forced: false,
      only: null,
      sent: 1,
      empty: 0,
      paused: 0,
      migrated: 0,
      failed: 0,
      skipped: 0,
      uncertain: 0,
      uncertainChats: [],
      durationMs: 3,
      error: null,
    },
  ],
});

/** What the ordinary path (lowdb's JSON.parse, then zod) makes of a file. */
const ordinary = (file: string) => subscriptionsFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

describe('lean snapshot reader', () => {
  it('returns what JSON.parse + zod return, compact or pretty, across chunk boundaries and past a chunk', async () => {
    const dir = tempDir();
    const subs = varied(3_000);
    // One record far longer than a read chunk (256 KiB), so the window has to grow to hold it.
    subs[1_500] = {
      ...subs[1_500]!,
      partial: { date: '2024-05-03', upTo: 1, parts: 9, delivered: Array.from({ length: 40_000 }, (_, i) => `条目-${i}`) },
    };
    for (const [name, text] of [
      ['compact.json', JSON.stringify(fileOf(subs))],
      ['pretty.json', JSON.stringify(fileOf(subs), null, 2)],
      // A key zod strips, holding what looks like the start of the next record: a wrong cut JSON.parse refuses.
      ['nested.json', JSON.stringify(fileOf([...subs.slice(0, 3), { ...subs[3]!, x: [{ a: 1 }, { chatId: 2 }] } as Subscription]))],
      // Keys in another order (top level and records): no batch pattern, record by record.
      [
        'reordered.json',
        JSON.stringify({
          runs: fileOf(subs).runs,
          subscriptions: subs.map((s) => Object.fromEntries(Object.entries(s).reverse())),
          version: 1,
        }),
      ],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const lean = await readSnapshotLean(file, createInterner());
      expect(lean, name).not.toBeNull();
      expect(lean!.data, name).toEqual(ordinary(file));
      expect(lean!.compact, name).toBe(name !== 'pretty.json');
    }
  });

  it('completes records of an older file the way zod does (defaults filled)', async () => {
    const file = join(tempDir(), 'old.json');
    const [a, b] = varied(2);
    const old = [
      { ...a!, failures: undefined, partial: undefined, threadId: undefined },
      { ...b!, failures: { date: '2024-05-02', count: 1, lastAt: 'x', reason: 'y' }, partial: { date: '2024-05-03', upTo: 1, parts: 1 } },
    ];
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        subscriptions: old,
        runs: [{ id: 'r', startedAt: 'x', finishedAt: 'y', sent: 0, paused: 0, failed: 0, skipped: 0, durationMs: 1 }],
      }),
    );
    const lean = await readSnapshotLean(file, createInterner());
    expect(lean!.data).toEqual(ordinary(file));
    expect(lean!.data.subscriptions[1]!.failures).toMatchObject({ badRequestDays: 0, badRequestDate: null });
    expect(lean!.data.subscriptions[1]!.partial!.delivered).toEqual([]);
  });

  it('steps aside for anything it is not sure of; the store then opens or refuses exactly as before', async () => {
    const dir = tempDir();
    const good = JSON.stringify(fileOf(varied(3)));
    const cases: [string, string, RegExp | 'opens'][] = [
      ['unknown-key', good.replace('{"version":1', '{"version":1,"note":"hi"'), 'opens'],
      ['duplicate-key', good.replace('{"version":1', '{"version":1,"runs":[]'), 'opens'],
      ['version-2', good.replace('"version":1', '"version":2'), /does not match the store format: version/],
      ['bad-time', good.replace('"time":"01:30"', '"time":"25:00"'), /does not match the store format: subscriptions\.1\.time/],
      ['cut-short', good.slice(0, 400), /is not valid JSON/],
      ['trailing', `${good}x`, /is not valid JSON/],
      ['bom', `\uFEFF${good}`, /is not valid JSON/],
      [
        'not-an-array',
        good.replace(/"subscriptions":\[.*\],"runs"/, '"subscriptions":null,"runs"'),
        /does not match the store format: subscriptions/,
      ],
      ['empty', '', /is not valid JSON|is empty/],
    ];
    for (const [name, text, outcome] of cases) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, text);
      expect(await readSnapshotLean(file, createInterner()), name).toBeNull();
      if (outcome === 'opens') {
        const store = await openSubscriptionStore(file, { readOnly: true });
        expect(store.list(), name).toEqual(ordinary(file).subscriptions);
      } else {
        await expect(openSubscriptionStore(file), name).rejects.toThrow(outcome);
        expect(readFileSync(file, 'utf8'), name).toBe(text);
      }
    }
    expect(await readSnapshotLean(join(dir, 'missing.json'), createInterner())).toBeNull();
  });
});

describe('lean store in memory and on disk', () => {
  it('chats without filters share one frozen filters object; a caller’s lists are never kept', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    writeFileSync(file, JSON.stringify(fileOf(varied(10))));
    const store = await openSubscriptionStore(file);
    const bare = store.list().filter((s) => s.filters.agencies.length === 0 && s.filters.keywords.length === 0);
    expect(bare.length).toBeGreaterThan(1);
    for (const s of bare) expect(s.filters).toBe(NO_FILTERS);
    expect(Object.isFrozen(NO_FILTERS.agencies)).toBe(true);

    // Through a new subscription, a resubscribe and an update.
    const mine = { agencies: ['上海市公安局'], keywords: [] as string[] };
    store.upsert(subscriptionInput(1, { filters: mine }));
    store.upsert(subscriptionInput(2));
    store.upsert(subscriptionInput(2, { filters: mine }));
    store.upsert(subscriptionInput(3));
    store.update(3, { filters: mine });
    mine.agencies.push('changed later');
    for (const id of [1, 2, 3]) expect(store.get(id)!.filters).toEqual({ agencies: ['上海市公安局'], keywords: [] });
    store.update(1, { filters: { agencies: [], keywords: [] } });
    expect(store.get(1)!.filters).toBe(NO_FILTERS);
    await store.flush();
    expect((await openSubscriptionStore(file, { readOnly: true })).list()).toEqual(store.list());
  });

  it('journal lines checked by hand or by zod read back the same; an older line gets zod’s defaults', async () => {
    const file = join(tempDir(), 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    const [a, b] = varied(2);
    store.upsert(subscriptionInput(a!.chatId, { filters: a!.filters }));
    store.recordFailure(a!.chatId, '2024-05-02', 'failed: "x"\n{y}');
    store.recordPartial(a!.chatId, '2024-05-02', 9, { parts: 1, delivered: ['e1'] });
    store.migrate(a!.chatId, -1_009_999_999_999);
    store.startRun({ id: 'r1', startedAt: 'x' });
    await store.flush();
    // A record as an older version wrote it (no failures, partial, threadId keys), and one with a key zod strips.
    const { failures: _f, partial: _p, threadId: _t, ...older } = b!;
    appendFileSync(journalPathFor(file), `${JSON.stringify({ s: older })}\n${JSON.stringify({ s: { ...b!, chatId: 77, extra: 1 } })}\n`);
    const again = await openSubscriptionStore(file, { readOnly: true });
    expect(again.get(-1_009_999_999_999)).toEqual(store.get(-1_009_999_999_999));
    expect(again.get(b!.chatId)).toEqual({ ...b!, failures: null, partial: null, threadId: null });
    expect(again.get(77)).toEqual({ ...b!, chatId: 77 });
    expect(again.runs()).toEqual(store.runs());
  });

  it('an open with nothing to fold leaves the snapshot as it is and makes sure the journal exists', async () => {
    const dir = tempDir();
    const file = join(dir, 'subscriptions.json');
    // Written as the store writes it: compact, every record with its checksum.
    const f = fileOf(varied(50));
    writeFileSync(
      file,
      `{"version":1,"subscriptions":[${f.subscriptions.map(checksummedJson).join(',')}],"runs":[${f.runs.map(checksummedJson).join(',')}]}`,
    );
    const before = statSync(file);
    const store = await openSubscriptionStore(file);
    expect(statSync(file).ino).toBe(before.ino);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(journalPathFor(file), 'utf8')).toBe('');
    store.advance(5_000_000_001, 99, '2024-06-01');
    await store.flush();
    expect((await openSubscriptionStore(file, { readOnly: true })).get(5_000_000_001)).toMatchObject({ cursor: 99 });

    // A compact snapshot from before checksums is rewritten once, with them.
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify(fileOf(varied(50))));
    const o = await openSubscriptionStore(old);
    expect(o.list()).toEqual(varied(50));
    const rewritten = JSON.parse(readFileSync(old, 'utf8')) as { subscriptions: Record<string, unknown>[] };
    expect(rewritten.subscriptions.every((r) => typeof r.crc === 'string')).toBe(true);

    // A pretty-printed snapshot (from before compaction existed) is rewritten compact once.
    const pretty = join(dir, 'pretty.json');
    writeFileSync(pretty, JSON.stringify(fileOf(varied(50)), null, 2));
    const p = await openSubscriptionStore(pretty);
    expect(readFileSync(pretty, 'utf8')).not.toContain('\n');
    expect(p.list()).toEqual(varied(50));
  });

  it('a torn line longer than the tail block is still cut off before the next append', async () => {
    const dir = tempDir();
    const file = join(dir, 'subscriptions.json');
    const store = await openSubscriptionStore(file);
    for (let i = 1; i <= 300; i++) store.upsert(subscriptionInput(i));
    await store.flush();
    appendFileSync(journalPathFor(file), `{"s":{"chatId":9,"filters":{"keywords":["${'长'.repeat(40_000)}`);
    // The compaction at open cannot write its temp file: the torn tail stays until the first append cuts it.
    mkdirSync(join(dir, '.subscriptions.json.tmp'));
    const warnings: string[] = [];
    const again = await openSubscriptionStore(file, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(2);
    again.upsert(subscriptionInput(301));
    await again.flush();
    rmSync(join(dir, '.subscriptions.json.tmp'), { recursive: true });
    const last = await openSubscriptionStore(file, { warn: (m) => warnings.push(m) });
    expect(last.list().map((s) => s.chatId)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(warnings).toHaveLength(2);
    expect(existsSync(join(dir, '.subscriptions.json.tmp'))).toBe(false);
  });
});

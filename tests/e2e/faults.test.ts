/**
 * Delivery under an operator's worst day, against the emulated Bot API: answers slower than the send deadline,
 * a network outage, and kill -9 of the digest process mid-pass, three times. Counts are exact: what the emulator
 * carried out per chat. Timings are scaled down (deadlines of a second, not a minute) so each test stays short.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/delivery/rate-limiter.ts';
import { withRequestTimeout } from '../../src/delivery/request-timeout.ts';
import { createDeliverer } from '../../src/delivery/send-with-retry.ts';
import { createOutageGate } from '../../src/delivery/outage-gate.ts';
import { htmlSender } from '../../src/digest/digest-service.ts';
import { createDigestRunner } from '../../src/digest/run-digest.ts';
import { PROJECT_ROOT, storeFiles } from '../../src/paths.ts';
import { openEntryStore } from '../../src/store/entry-store.ts';
import { openSubscriptionStore } from '../../src/store/subscription-store.ts';
import { startBotApiEmulator } from '../helpers/bot-api-emulator.ts';
import type { Emulator } from '../helpers/bot-api-emulator.ts';
import { bulletinOf, entry, recordingLog, subscriptionInput } from '../helpers/digest.ts';
import { shippedAgencies } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let emulator: Emulator;
const children: ChildProcess[] = [];
beforeEach(async () => {
  emulator = await startBotApiEmulator();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await emulator.close();
});

/** A data dir with a few measures and `chats` private subscriptions, all due today (last digest long ago). */
async function dataDir(chats: number): Promise<{ dir: string }> {
  const dir = tempDir();
  const files = storeFiles(dir);
  const entries = await openEntryStore(files.entries);
  entries.apply(bulletinOf([entry({ title: '复工复产补贴' }), entry({ title: '减免租金' }), entry({ title: '稳岗返还' })]));
  await entries.flush();
  const subs = await openSubscriptionStore(files.subscriptions);
  for (let i = 1; i <= chats; i++) subs.upsert(subscriptionInput(1000 + i, { time: '00:00', lastDigestDate: '2000-01-01' }));
  await subs.flush();
  return { dir };
}

/** Messages the emulator carried out per chat (a held answer counts: the message was delivered). */
const received = (): Map<number, number> => {
  const n = new Map<number, number>();
  for (const c of emulator.callsTo('sendMessage'))
    if (c.status === 0 || c.status === 200) n.set(Number(c.payload.chat_id), (n.get(Number(c.payload.chat_id)) ?? 0) + 1);
  return n;
};

async function inProcessRunner(dir: string, opts: { requestMs: number; baseBackoffMs?: number; firstProbeMs?: number }) {
  const subs = await openSubscriptionStore(storeFiles(dir).subscriptions);
  const entries = await openEntryStore(storeFiles(dir).entries);
  const wait = (ms: number) => sleep(ms).then(() => undefined);
  const limiter = createRateLimiter({ now: Date.now, sleep: wait, globalPerSecond: 200, privatePerSecond: 200 });
  const outage = createOutageGate({ now: Date.now, sleep: wait, firstBackoffMs: opts.firstProbeMs ?? 1000 });
  const deliverer = createDeliverer({ limiter, now: Date.now, sleep: wait, baseBackoffMs: opts.baseBackoffMs ?? 500, outage });
  const telegram = withRequestTimeout(new Telegram(emulator.token, { apiRoot: emulator.apiRoot }), {
    connectMs: 200,
    requestMs: opts.requestMs,
  });
  const log = recordingLog();
  const agencies = shippedAgencies();
  return {
    outage,
    log,
    runner: createDigestRunner({
      subscriptions: subs,
      entries,
      agencies: () => agencies,
      deliver: deliverer.deliver,
      send: htmlSender(telegram),
      log,
    }),
  };
}

describe('faults: slow answers', () => {
  it('answers slower than the send deadline: no chat gets its digest twice; the chats are named uncertain', async () => {
    const { dir } = await dataDir(12);
    emulator.setLatency(1_200);
    const { runner } = await inProcessRunner(dir, { requestMs: 500 });
    const r = await runner.runDue({ force: true });
    expect(r).toMatchObject({ due: 12, failed: 0, uncertain: 12 });
    const got = received();
    expect([...got.values()].filter((n) => n > 1)).toEqual([]);
    expect(got.size).toBe(12);
    // The next pass resends nothing either.
    emulator.setLatency(undefined);
    expect(await runner.runDue({ force: true })).toMatchObject({ due: 0 });
    expect(emulator.callsTo('sendMessage')).toHaveLength(12);
  }, 30_000);
});

describe('faults: outage', () => {
  it("a network outage longer than all of a chat's retries: 0 failed chats, each digest once", async () => {
    const { dir } = await dataDir(10);
    // Scaled by 1/10: a 2 s outage, retries that give up after ~1.5 s (50 ms base backoff), probes from 100 ms.
    const { runner, outage } = await inProcessRunner(dir, { requestMs: 2_000, baseBackoffMs: 50, firstProbeMs: 100 });
    emulator.setOutage('cut');
    const pass = runner.runDue({ force: true });
    await sleep(2_000);
    emulator.setOutage(undefined);
    const r = await pass;
    expect(r).toMatchObject({ due: 10, sent: 10, failed: 0 });
    expect(outage.stats().outages).toBe(1);
    expect([...received().values()]).toEqual(Array(10).fill(1));
  }, 30_000);
});

describe('faults: kill -9 during a slow pass', () => {
  it('three SIGKILLs: every chat gets the digest at least once; each crash adds at most one copy, only to chats in flight', async () => {
    const chats = 150;
    const { dir } = await dataDir(chats);
    emulator.setLatency(250);
    const env = { PATH: process.env.PATH ?? '', DATA_DIR: dir, BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot };
    const start = () => {
      const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli/digest.ts', '--now'], {
        cwd: PROJECT_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(c);
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));
      return { c, exited, output: () => out };
    };
    const inFlightAtKill: Set<number>[] = [];
    const killTimes: number[] = [];
    for (let crash = 0; crash < 3; crash++) {
      const before = emulator.callsTo('sendMessage').length;
      const p = start();
      // Let it send a while (≥ 45 more messages: a first burst done and recorded, more in flight), then kill it.
      const deadline = Date.now() + 30_000;
      while (emulator.callsTo('sendMessage').length < before + 45 && p.c.exitCode === null && Date.now() < deadline) await sleep(20);
      p.c.kill('SIGKILL');
      killTimes.push(Date.now());
      await p.exited;
      // Requests written just before the kill may still be arriving.
      await sleep(300);
      // In flight: sent to Telegram, its answer not yet back, or back only just before the kill (its fsync under way).
      const killedAt = killTimes.at(-1)!;
      inFlightAtKill.push(
        new Set(
          emulator
            .callsTo('sendMessage')
            .filter((c) => c.status === 0 || c.time + 250 > killedAt - 200)
            .map((c) => Number(c.payload.chat_id)),
        ),
      );
    }
    emulator.setLatency(undefined);
    const last = start();
    expect(await last.exited, last.output()).toBe(0);

    const got = received();
    // At least once each.
    for (let i = 1; i <= chats; i++) expect([1000 + i, (got.get(1000 + i) ?? 0) >= 1]).toEqual([1000 + i, true]);
    // Extra copies: only for chats in flight at some crash, at most one per crash, never more than the crashes.
    const extra = [...got].filter(([, n]) => n > 1);
    for (const [chat, n] of extra) {
      const crashes = inFlightAtKill.filter((s) => s.has(chat)).length;
      expect([chat, n - 1 <= crashes]).toEqual([chat, true]);
    }
    const duplicates = extra.reduce((a, [, n]) => a + n - 1, 0);
    // ≤ the runner's concurrency (32) per crash.
    expect(duplicates).toBeLessThanOrEqual(3 * 32);
  }, 60_000);
});

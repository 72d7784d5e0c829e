/**
 * `npm run soak -- --chats 300`: the attacks of issue 13 against the emulated Bot API, each on a fresh data dir
 * with `chats` private subscriptions due, every one owed one digest message. Counts are exact, from what the
 * emulator carried out per chat: sent (messages delivered), duplicates (copies beyond the first), lost (chats
 * that got nothing once the attack is over and a pass has run).
 *
 *   baseline           no fault
 *   slow answers       every answer held 1.5 s past the 1 s send deadline (the message is delivered at once)
 *   5xx on 20%         one send in five answered 502 Bad Gateway
 *   outage 20 s        every connection cut for 20 s from 1 s into the pass
 *   kill -9 ×3         the digest CLI (a child process) killed three times during a slow pass (250 ms answers),
 *                      then run to the end
 *
 * The in-process attacks use the app's runner, deliverer, limiter (30 msg/s) and request deadlines over a store
 * on disk; the kill attack runs `src/cli/digest.ts` itself. `--chats` (default 300), `--only attack,…`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Telegram } from 'telegraf';
import { createRateLimiter } from '../src/delivery/rate-limiter.ts';
import { withRequestTimeout } from '../src/delivery/request-timeout.ts';
import { createDeliverer } from '../src/delivery/send-with-retry.ts';
import { htmlSender } from '../src/digest/digest-service.ts';
import { silentLog } from '../src/infra/log.ts';
import { createDigestRunner } from '../src/digest/run-digest.ts';
import type { DigestRunSummary } from '../src/digest/run-digest.ts';
import { PROJECT_ROOT, storeFiles } from '../src/paths.ts';
import { openEntryStore } from '../src/store/entry-store.ts';
import { openSubscriptionStore } from '../src/store/subscription-store.ts';
import { startBotApiEmulator } from '../tests/helpers/bot-api-emulator.ts';
import type { Emulator } from '../tests/helpers/bot-api-emulator.ts';
import { bulletinOf, entry, subscriptionInput } from '../tests/helpers/digest.ts';
import { shippedAgencies } from '../tests/helpers/seed.ts';

export interface SoakRow {
  attack: string;
  chats: number;
  sent: number;
  duplicates: number;
  lost: number;
  uncertain: number;
  failed: number;
  seconds: number;
  note: string;
}

async function dataDir(chats: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const files = storeFiles(dir);
  const entries = await openEntryStore(files.entries);
  entries.apply(bulletinOf([entry({ title: '复工复产补贴' }), entry({ title: '减免租金' }), entry({ title: '稳岗返还' })]));
  await entries.flush();
  const subs = await openSubscriptionStore(files.subscriptions);
  for (let i = 1; i <= chats; i++) subs.upsert(subscriptionInput(5_000_000 + i, { time: '00:00', lastDigestDate: '2000-01-01' }));
  await subs.flush();
  return dir;
}

function count(emulator: Emulator, chats: number) {
  const got = new Map<number, number>();
  for (const c of emulator.callsTo('sendMessage'))
    if (c.status === 0 || c.status === 200) got.set(Number(c.payload.chat_id), (got.get(Number(c.payload.chat_id)) ?? 0) + 1);
  let sent = 0;
  let duplicates = 0;
  let lost = 0;
  for (let i = 1; i <= chats; i++) {
    const n = got.get(5_000_000 + i) ?? 0;
    sent += n;
    if (n === 0) lost++;
    else duplicates += n - 1;
  }
  return { sent, duplicates, lost };
}

async function inProcess(emulator: Emulator, dir: string, o: { requestMs: number }): Promise<() => Promise<DigestRunSummary>> {
  const files = storeFiles(dir);
  const subs = await openSubscriptionStore(files.subscriptions);
  const entries = await openEntryStore(files.entries);
  const wait = (ms: number) => sleep(ms).then(() => undefined);
  const limiter = createRateLimiter({ now: Date.now, sleep: wait });
  const deliverer = createDeliverer({ limiter, now: Date.now, sleep: wait });
  const telegram = withRequestTimeout(new Telegram(emulator.token, { apiRoot: emulator.apiRoot }), {
    connectMs: 500,
    requestMs: o.requestMs,
  });
  const agencies = shippedAgencies();
  const runner = createDigestRunner({
    subscriptions: subs,
    entries,
    agencies: () => agencies,
    deliver: deliverer.deliver,
    send: htmlSender(telegram),
    log: silentLog,
  });
  return () => runner.runDue({ force: true });
}

async function attack(
  name: string,
  chats: number,
  fn: (emulator: Emulator, dir: string) => Promise<{ uncertain: number; failed: number; note: string }>,
): Promise<SoakRow> {
  const emulator = await startBotApiEmulator();
  const dir = await dataDir(chats);
  const t0 = performance.now();
  try {
    const r = await fn(emulator, dir);
    return { attack: name, chats, ...count(emulator, chats), ...r, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const ATTACKS: Record<string, (chats: number) => Promise<SoakRow>> = {
  baseline: (chats) =>
    attack('baseline', chats, async (emulator, dir) => {
      const r = await (await inProcess(emulator, dir, { requestMs: 60_000 }))();
      return { uncertain: r.uncertain, failed: r.failed, note: '' };
    }),
  slow: (chats) =>
    attack('slow answers (1.5 s past a 1 s deadline)', chats, async (emulator, dir) => {
      emulator.setLatency(2_500);
      const run = await inProcess(emulator, dir, { requestMs: 1_000 });
      const r = await run();
      emulator.setLatency(undefined);
      const again = await run();
      return {
        uncertain: r.uncertain,
        failed: r.failed + again.failed,
        note: `each send timed out after it was written: named uncertain, not resent; a second pass sent ${again.sent}`,
      };
    }),
  '5xx': (chats) =>
    attack('5xx on 20% of sends', chats, async (emulator, dir) => {
      let n = 0;
      // Every fifth send answers 502 (nothing delivered); the rest go through.
      const stop = setInterval(() => {
        const calls = emulator.callsTo('sendMessage').length;
        if (calls >= n + 5) {
          n = calls;
          emulator.injectError({ method: 'sendMessage', times: 1, error: { error_code: 502, description: 'Bad Gateway' } });
        }
      }, 5);
      try {
        const r = await (await inProcess(emulator, dir, { requestMs: 60_000 }))();
        const failed502 = emulator.callsTo('sendMessage').filter((c) => c.status === 502).length;
        return { uncertain: r.uncertain, failed: r.failed, note: `${failed502} sends answered 502 and retried` };
      } finally {
        clearInterval(stop);
      }
    }),
  outage: (chats) =>
    attack('outage 20 s (connections cut)', chats, async (emulator, dir) => {
      const run = await inProcess(emulator, dir, { requestMs: 60_000 });
      const pass = run();
      await sleep(1_000);
      emulator.setOutage('cut');
      await sleep(20_000);
      emulator.setOutage(undefined);
      const r = await pass;
      return { uncertain: r.uncertain, failed: r.failed, note: 'sends paused behind a probe; no chat spent its retries' };
    }),
  kill: (chats) =>
    attack('kill -9 ×3 during a slow pass', chats, async (emulator, dir) => {
      emulator.setLatency(250);
      const env = { PATH: process.env.PATH ?? '', DATA_DIR: dir, BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot };
      const start = () => {
        const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli/digest.ts', '--now'], { cwd: PROJECT_ROOT, env, stdio: 'ignore' });
        return { c, exited: new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code))) };
      };
      const inFlight: number[] = [];
      for (let k = 0; k < 3; k++) {
        const before = emulator.callsTo('sendMessage').length;
        const p = start();
        try {
          const deadline = Date.now() + 60_000;
          while (
            emulator.callsTo('sendMessage').length < before + Math.min(60, Math.floor(chats / 4)) &&
            p.c.exitCode === null &&
            Date.now() < deadline
          )
            await sleep(20);
          inFlight.push(emulator.callsTo('sendMessage').filter((c) => c.status === 0).length);
        } finally {
          p.c.kill('SIGKILL');
          await p.exited;
        }
        await sleep(300);
      }
      emulator.setLatency(undefined);
      const last = start();
      const code = await last.exited;
      return {
        uncertain: 0,
        failed: code === 0 ? 0 : 1,
        note: `answers outstanding at each kill: ${inFlight.join(', ')}; final run exit ${code}`,
      };
    }),
};

export function renderSoak(rows: SoakRow[]): string[] {
  return [
    '| attack | chats | sent | duplicates | lost | uncertain | failed | s | note |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.attack} | ${r.chats} | ${r.sent} | ${r.duplicates} | ${r.lost} | ${r.uncertain} | ${r.failed} | ${r.seconds.toFixed(1)} | ${r.note} |`,
    ),
  ];
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({ options: { chats: { type: 'string', default: '300' }, only: { type: 'string' } } });
  const chats = Number(values.chats);
  const names = values.only ? values.only.split(',') : Object.keys(ATTACKS);
  const rows: SoakRow[] = [];
  const load = loadavg()[0]!.toFixed(1);
  for (const name of names) {
    const fn = ATTACKS[name];
    if (!fn) throw new Error(`unknown attack ${name}; one of ${Object.keys(ATTACKS).join(', ')}`);
    process.stderr.write(`soak: ${name}…\n`);
    rows.push(await fn(chats));
  }
  console.log(
    `soak, ${new Date().toISOString().slice(0, 10)}, load average at start ${load} (1 min), at end ${loadavg()[0]!.toFixed(1)}\n`,
  );
  console.log(renderSoak(rows).join('\n'));
}

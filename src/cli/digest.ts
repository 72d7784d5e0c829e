import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegram } from 'telegraf';
import { readEnvironment } from '../config.ts';
import { createRateLimiter } from '../delivery/rate-limiter.ts';
import { createOutageGate } from '../delivery/outage-gate.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, withRequestTimeout } from '../delivery/request-timeout.ts';
import type { RequestTimeouts } from '../delivery/request-timeout.ts';
import { createDeliverer } from '../delivery/send-with-retry.ts';
import { digestButtons, htmlSender } from '../digest/digest-service.ts';
import { createDigestRunner } from '../digest/run-digest.ts';
import type { Deliver, DigestRunSummary, SendHtml, UncertainPolicy } from '../digest/run-digest.ts';
import type { Log } from '../infra/log.ts';
import { SHIPPED_AGENCIES_FILE, storeFiles } from '../paths.ts';
import { loadAgencies } from '../store/bulletin-files.ts';
import { openEntryStore } from '../store/entry-store.ts';
import { LockError, acquireLock } from '../infra/instance-lock.ts';
import type { InstanceLock } from '../infra/instance-lock.ts';
import { StoreError } from '../store/json-file.ts';
import { refuseMissingEntries, removeLeftoverTmp } from '../store/data-dir.ts';
import { openSubscriptionStore } from '../store/subscription-store.ts';

export interface DigestCliIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Tests inject Telegram; by default it is built from BOT_TOKEN (and TELEGRAM_API_ROOT). */
  send?: SendHtml;
  /** Defaults to the app's deliverer: rate limits, 429 retry_after, migrations, 5xx backoff. */
  deliver?: Deliver;
  now?: () => number;
}

const USAGE =
  'usage: npm run digest -- [--now] [--dry-run] [--chat ID] [--json] [--max-outage-minutes N]\n  --now      ignore the time of day (chats already served today are still not served again)\n  --dry-run  print what each due chat would get; send nothing, change nothing\n  --chat ID  only this chat (e.g. --chat -1001234567890)\n  --max-outage-minutes N  give up after the Bot API has been unreachable this long (default 15); the chats left are named';

/** Every request has a deadline (TELEGRAM_CONNECT_TIMEOUT_MS, TELEGRAM_SEND_TIMEOUT_MS), so a run cannot hang. */
export function timeoutsFrom(env: Record<string, string | undefined>): Required<RequestTimeouts> {
  const num = (v: string | undefined, def: number) => (v && /^\d+$/.test(v.trim()) ? Number(v.trim()) : def);
  return {
    connectMs: num(env.TELEGRAM_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS),
    requestMs: num(env.TELEGRAM_SEND_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS),
  };
}

/** parseArgs reads "--chat -100…" as a missing value followed by an option; a negative id is a value here. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--chat' && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`--chat=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export const telegramSender = (token: string, apiRoot: string | undefined, timeouts: RequestTimeouts = {}): SendHtml =>
  htmlSender(withRequestTimeout(new Telegram(token, apiRoot ? { apiRoot } : {}), timeouts));

function realDeliver(maxOutageMs: number): Deliver {
  const wait = (ms: number) => sleep(ms).then(() => undefined);
  // An outage is waited out (a probe per backoff), but not for ever: past maxOutageMs the chats left are named.
  const outage = createOutageGate({ now: Date.now, sleep: wait, giveUpAfterMs: maxOutageMs });
  return createDeliverer({ limiter: createRateLimiter({ now: Date.now, sleep: wait }), sleep: wait, now: Date.now, outage }).deliver;
}

function stderrLog(io: DigestCliIo): Log {
  const line = (level: string) => (obj: object, msg?: string) => {
    const o = obj as { event?: string; chatId?: number; reason?: string; description?: string };
    if (level === 'info' && o.event !== 'digest-chat-paused' && o.event !== 'digest-chat-migrated') return;
    io.err(`${level}: ${msg ?? ''}${o.chatId !== undefined ? ` (chat ${o.chatId})` : ''}${o.description ? `: ${o.description}` : ''}`);
  };
  return { debug() {}, info: line('info'), warn: line('warn'), error: line('error') };
}

function report(s: DigestRunSummary): string {
  if (s.dryRun) {
    if (s.previews.length === 0) return 'dry run: no chat is due.';
    const lines = [`dry run: ${s.previews.length} chat(s) due; nothing sent, nothing changed.`];
    for (const p of s.previews) {
      lines.push(
        '',
        `── chat ${p.chatId}${p.threadId !== null ? ` (topic ${p.threadId})` : ''}: ${p.entries} measure(s), ${p.messages.length} message(s)`,
      );
      for (const m of p.messages) lines.push(m, '');
    }
    return lines.join('\n');
  }
  return `digest: ${s.due} due — ${s.sent} sent, ${s.empty} with nothing new, ${s.paused} paused, ${s.migrated} migrated, ${s.failed} failed, ${s.skipped} skipped (${s.durationMs} ms)`;
}

export async function runDigestCli(argv: string[], io: DigestCliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv),
      options: {
        now: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        chat: { type: 'string' },
        json: { type: 'boolean' },
        'max-outage-minutes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let only: number | undefined;
  if (values.chat !== undefined) {
    only = Number(values.chat);
    if (!/^-?\d+$/.test(values.chat) || !Number.isSafeInteger(only)) {
      io.err(`--chat must be a chat id (an integer like 123456789 or -1001234567890), got "${values.chat}"`);
      return 2;
    }
  }
  const maxOutageMinutes = Number(values['max-outage-minutes'] ?? 15);
  if (!(maxOutageMinutes > 0)) {
    io.err(`--max-outage-minutes must be a positive number, got "${values['max-outage-minutes']}"`);
    return 2;
  }
  const dryRun = values['dry-run'] ?? false;
  const token = io.env.BOT_TOKEN?.trim();
  if (!dryRun && !io.send && !token) {
    io.err('digest: BOT_TOKEN is not set, so nothing can be sent. Set it (from @BotFather), or use --dry-run to see what would be sent.');
    return 2;
  }
  const dataDir = io.env.DATA_DIR || 'data';
  const files = storeFiles(dataDir);
  let lock: InstanceLock | null = null;
  try {
    // A digest run writes subscriptions.json; the running bot (or another run) writing it too would drop
    // each other's updates and could send a digest twice. A dry run only reads.
    if (!dryRun) lock = await acquireLock(dataDir, { purpose: 'digest', releaseOnExit: true });
    if (lock) await removeLeftoverTmp(dataDir);
    // A digest over a lost entries.json would send empty digests and move every cursor: refused.
    await refuseMissingEntries(dataDir);
    const entries = await openEntryStore(files.entries, { readOnly: true });
    const subscriptions = await openSubscriptionStore(files.subscriptions, { readOnly: dryRun });
    if (only !== undefined && !subscriptions.get(only)) {
      io.err(`digest: chat ${only} has no subscription.`);
      return 1;
    }
    const base = await loadAgencies(SHIPPED_AGENCIES_FILE);
    const directory = base.withExtra(new Set(Array.from(entries.liveRows(), (row) => entries.table.agency(row))));
    const runner = createDigestRunner({
      subscriptions,
      entries,
      agencies: () => directory,
      deliver: io.deliver ?? realDeliver(maxOutageMinutes * 60_000),
      uncertain: (io.env.DIGEST_ON_UNCERTAIN?.trim().toLowerCase() === 'resend' ? 'resend' : 'assume-sent') satisfies UncertainPolicy,
      send:
        io.send ??
        (token
          ? telegramSender(token, io.env.TELEGRAM_API_ROOT || undefined, timeoutsFrom(io.env))
          : async () => {
              throw new Error('no BOT_TOKEN: a dry run never sends');
            }),
      now: io.now,
      log: stderrLog(io),
      // The bot's buttons under each digest; channel digests get none here (their links need the bot's username).
      keyboard: digestButtons(() => undefined),
    });
    const summary = await runner.runDue({ force: values.now ?? false, dryRun, ...(only !== undefined ? { only } : {}) });
    await subscriptions.flush();
    io.out(values.json ? JSON.stringify(summary, null, 2) : report(summary));
    // Non-zero whenever a chat needs the operator's eye: left without its digest, or perhaps without one message.
    let code = summary.failed > 0 ? 1 : 0;
    if (summary.uncertainChats.length > 0) {
      io.err(
        `digest: ${summary.uncertainChats.length} chat(s) uncertain (a part timed out after it was sent, so it may not have arrived; not resent): ${summary.uncertainChats.join(', ')}`,
      );
      code = 1;
    }
    const left = [...summary.failedChats, ...summary.leftChats];
    if (left.length > 0) {
      io.err(`digest: ${left.length} chat(s) left without today's digest (a later run retries them): ${left.join(', ')}`);
      code = 1;
    }
    return code;
  } catch (err) {
    const what = err instanceof StoreError || err instanceof LockError ? err.message : ((err as Error)?.message ?? String(err));
    io.err(`digest: ${what}`);
    return 1;
  } finally {
    await lock?.release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runDigestCli(process.argv.slice(2), {
    env: readEnvironment(),
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
  process.exitCode = code;
}

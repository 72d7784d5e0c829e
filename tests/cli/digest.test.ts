import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { runDigestCli } from '../../src/cli/digest.ts';
import { acquireLock } from '../../src/infra/instance-lock.ts';
import type { DigestCliIo } from '../../src/cli/digest.ts';
import { storeFiles } from '../../src/paths.ts';
import { openEntryStore } from '../../src/store/entry-store.ts';
import { openSubscriptionStore } from '../../src/store/subscription-store.ts';
import type { SubscriptionInput } from '../../src/store/subscription-store.ts';
import { FakeTelegram, subscriptionInput } from '../helpers/digest.ts';
import { parseSeed } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const BIG = -1001234567890;

const input = (chatId: number, over: Partial<SubscriptionInput> = {}) =>
  subscriptionInput(chatId, { lastDigestDate: '2024-01-14', ...over });

async function seeded() {
  const dir = tempDir();
  const files = storeFiles(dir);
  const entries = await openEntryStore(files.entries);
  entries.apply(parseSeed());
  await entries.flush();
  const subs = await openSubscriptionStore(files.subscriptions);
  subs.upsert(input(1));
  subs.upsert(input(BIG, { filters: { agencies: ['上海市科学技术委员会'], keywords: [] } }));
  await subs.flush();
  return { dir, files };
}

function io(env: Record<string, string | undefined>, extra: Partial<DigestCliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t), ...extra } satisfies DigestCliIo };
}

describe('npm run digest', () => {
  it('without BOT_TOKEN and without --dry-run refuses with a clear error', async () => {
    const { dir } = await seeded();
    const x = io({ DATA_DIR: dir });
    expect(await runDigestCli([], x.io)).toBe(2);
    expect(x.err.join('\n')).toMatch(/BOT_TOKEN is not set.*--dry-run/s);
  });

  it('--dry-run prints what each due chat would get, sends nothing, changes nothing', async () => {
    const { dir, files } = await seeded();
    const before = readFileSync(files.subscriptions, 'utf8');
    const x = io({ DATA_DIR: dir }, { now: () => Date.parse('2024-01-15T02:00:00Z') });
    expect(await runDigestCli(['--dry-run'], x.io)).toBe(0);
    const text = x.out.join('\n');
    expect(text).toContain('dry run: 2 chat(s) due');
    expect(text).toMatch(/── chat 1: 19 measure\(s\)/);
    expect(text).toMatch(/── chat -1001234567890: \d+ measure\(s\), 1 message\(s\)/);
    expect(text).toContain('每日摘要 · 2024-01-15');
    expect(readFileSync(files.subscriptions, 'utf8')).toBe(before);
  });

  it('sends the due digests, is a no-op the second time, and --chat takes a negative id', async () => {
    const { dir, files } = await seeded();
    const tg = new FakeTelegram();
    const x = io({ DATA_DIR: dir }, { send: tg.send, deliver: tg.deliver, now: () => Date.parse('2024-01-15T02:00:00Z') });
    expect(await runDigestCli(['--chat', String(BIG)], x.io)).toBe(0);
    expect(tg.sent.map((s) => s.chatId)).toEqual([BIG]);
    expect(await runDigestCli([], x.io)).toBe(0);
    expect(tg.sent.map((s) => s.chatId)).toEqual([BIG, 1]);
    expect(x.out.at(-1)).toMatch(/1 due — 1 sent/);
    expect(await runDigestCli([], x.io)).toBe(0);
    expect(tg.sent).toHaveLength(2);
    const reopened = await openSubscriptionStore(files.subscriptions);
    expect(reopened.get(1)).toMatchObject({ cursor: 19, lastDigestDate: '2024-01-15' });
    expect(reopened.runs().filter((r) => r.finishedAt !== null)).toHaveLength(2);
  });

  it('--now ignores the time of day', async () => {
    const { dir } = await seeded();
    const tg = new FakeTelegram();
    const x = io({ DATA_DIR: dir }, { send: tg.send, deliver: tg.deliver, now: () => Date.parse('2024-01-14T23:00:00Z') }); // 07:00 Shanghai
    expect(await runDigestCli([], x.io)).toBe(0);
    expect(tg.sent).toEqual([]);
    expect(await runDigestCli(['--now'], x.io)).toBe(0);
    expect(tg.sent.map((s) => s.chatId).sort()).toEqual([BIG, 1].sort());
  });

  it('reports a failed delivery with a non-zero exit, and a chat without subscription', async () => {
    const { dir } = await seeded();
    const tg = new FakeTelegram();
    tg.outcomes.set(1, { reason: 'failed', description: 'Internal Server Error' });
    const x = io({ DATA_DIR: dir }, { send: tg.send, deliver: tg.deliver, now: () => Date.parse('2024-01-15T02:00:00Z') });
    expect(await runDigestCli([], x.io)).toBe(1);
    expect(x.err.join('\n')).toContain('Internal Server Error');
    expect(await runDigestCli(['--chat', '42'], x.io)).toBe(1);
    expect(x.err.at(-1)).toBe('digest: chat 42 has no subscription.');
    expect(await runDigestCli(['--chat', 'abc'], x.io)).toBe(2);
  });

  it('refuses a corrupt subscriptions file', async () => {
    const { dir, files } = await seeded();
    writeFileSync(files.subscriptions, '{oops');
    const x = io({ DATA_DIR: dir, BOT_TOKEN: '1:x' });
    expect(await runDigestCli(['--dry-run'], x.io)).toBe(1);
    expect(x.err.join('\n')).toMatch(/subscriptions\.json: is not valid JSON/);
  });

  it('refuses to send while the bot (or another run) holds the data directory; a dry run still works', async () => {
    const { dir } = await seeded();
    const lock = await acquireLock(dir, { purpose: 'bot', releaseOnExit: false });
    try {
      const tg = new FakeTelegram();
      const x = io({ DATA_DIR: dir }, { send: tg.send, deliver: tg.deliver, now: () => Date.parse('2024-01-15T02:00:00Z') });
      expect(await runDigestCli([], x.io)).toBe(1);
      expect(x.err.at(-1)).toMatch(/^digest: /);
      expect(tg.sent).toEqual([]);
      expect(await runDigestCli(['--dry-run'], x.io)).toBe(0);
    } finally {
      await lock.release();
    }
  });

  describe('never hangs', () => {
    const withServer = async (server: Server, fn: (root: string) => Promise<void>) => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    };
    const TOKEN = '123456789:AAEmulatorTestTokenAAAAAAAAAAAAAAAA';

    it('a Bot API that takes the request and never answers: every send ends at its deadline, the chats are named uncertain, exit 1', async () => {
      const { dir, files } = await seeded();
      await withServer(
        createServer(() => {}),
        async (root) => {
          const x = io(
            {
              DATA_DIR: dir,
              BOT_TOKEN: TOKEN,
              TELEGRAM_API_ROOT: root,
              TELEGRAM_SEND_TIMEOUT_MS: '700',
              TELEGRAM_CONNECT_TIMEOUT_MS: '300',
            },
            { now: () => Date.parse('2024-01-15T02:00:00Z') },
          );
          const started = Date.now();
          expect(await runDigestCli([], x.io)).toBe(1);
          expect(Date.now() - started).toBeLessThan(10_000);
          expect(x.err.join('\n')).toMatch(/2 chat\(s\) uncertain.*: (1, -1001234567890|-1001234567890, 1)/);
        },
      );
      // Not resent by a second run: the uncertain parts count as delivered.
      const reopened = await openSubscriptionStore(files.subscriptions);
      expect(reopened.get(1)).toMatchObject({ lastDigestDate: '2024-01-15' });
      expect(reopened.runs().at(-1)).toMatchObject({ uncertain: 2 });
    }, 30_000);

    it('a Bot API down for longer than --max-outage-minutes: gives up, names the chats left, exit 1, lock released', async () => {
      const { dir, files } = await seeded();
      await withServer(
        createServer((_req, res) => void res.writeHead(502).end('Bad Gateway')),
        async (root) => {
          const x = io({ DATA_DIR: dir, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: root }, { now: () => Date.parse('2024-01-15T02:00:00Z') });
          const started = Date.now();
          expect(await runDigestCli(['--max-outage-minutes', '0.03'], x.io)).toBe(1);
          expect(Date.now() - started).toBeLessThan(15_000);
          expect(x.err.join('\n')).toMatch(/2 chat\(s\) left without today's digest.*(1, -1001234567890|-1001234567890, 1)/);
        },
      );
      expect((await openSubscriptionStore(files.subscriptions)).get(1)).toMatchObject({ lastDigestDate: '2024-01-14' });
      // The lock was released: the bot (or the next run) can start.
      await (await acquireLock(dir, { purpose: 'bot', releaseOnExit: false })).release();
    }, 30_000);
  });
});

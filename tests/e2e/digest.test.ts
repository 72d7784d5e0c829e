/**
 * The digest CLI against the emulated Bot API over HTTP: the real telegraf client, the real deliverer and
 * rate limiter, Telegram's HTML and length checks, and injected 403 / migration errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDigestCli } from '../../src/cli/digest.ts';
import { storeFiles } from '../../src/paths.ts';
import { openEntryStore } from '../../src/store/entry-store.ts';
import { openSubscriptionStore } from '../../src/store/subscription-store.ts';
import type { SubscriptionInput } from '../../src/store/subscription-store.ts';
import { startBotApiEmulator, type Emulator } from '../helpers/bot-api-emulator.ts';
import { bulletinOf, entry, subscriptionInput } from '../helpers/digest.ts';
import { parseSeed } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let emulator: Emulator;
beforeEach(async () => {
  emulator = await startBotApiEmulator();
});
afterEach(async () => {
  await emulator.close();
});

const input = (chatId: number, over: Partial<SubscriptionInput> = {}) =>
  subscriptionInput(chatId, { lastDigestDate: '2024-01-14', ...over });

describe('npm run digest over the emulated Bot API', () => {
  it('delivers valid HTML in parts under the limit, pauses a blocked chat, follows a migrated group', async () => {
    const dir = tempDir();
    const files = storeFiles(dir);
    const entries = await openEntryStore(files.entries);
    entries.apply(parseSeed());
    // Enough long measures, with markup-like text, to need several messages.
    entries.apply(
      bulletinOf(Array.from({ length: 40 }, (_, i) => entry({ title: `长措施 ${i} <b>不是标签</b> & 符号`, body: ['内容'.repeat(150)] }))),
    );
    await entries.flush();
    const subs = await openSubscriptionStore(files.subscriptions);
    subs.upsert(input(1001));
    subs.upsert(input(1002));
    subs.upsert(input(-4242, { chatType: 'group', filters: { agencies: ['上海市司法局'], keywords: [] } }));
    await subs.flush();

    emulator.injectError({
      method: 'sendMessage',
      chatId: 1002,
      times: Infinity,
      error: { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    emulator.injectError({
      method: 'sendMessage',
      chatId: -4242,
      times: Infinity,
      error: {
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: -1004242424242 },
      },
    });

    const out: string[] = [];
    const err: string[] = [];
    const code = await runDigestCli([], {
      env: { DATA_DIR: dir, BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      now: () => Date.parse('2024-01-15T02:00:00Z'),
    });
    expect(err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(code).toBe(0);
    expect(out.at(-1)).toMatch(/3 due — 2 sent, 0 with nothing new, 1 paused, 1 migrated, 0 failed/);

    const toPrivate = emulator.callsTo('sendMessage', 1001);
    expect(toPrivate.length).toBeGreaterThan(1);
    for (const [i, call] of toPrivate.entries()) {
      expect(call.status).toBe(200);
      expect(call.payload).toMatchObject({ parse_mode: 'HTML' });
      expect(String(call.payload.text)).toContain(`(${i + 1}/${toPrivate.length})`);
    }
    const migrated = emulator.callsTo('sendMessage', -1004242424242);
    expect(migrated.map((c) => c.status)).toEqual([200]);
    expect(String(migrated[0]!.payload.text)).toContain('上海市司法局');

    const after = await openSubscriptionStore(files.subscriptions);
    expect(after.get(1001)).toMatchObject({ lastDigestDate: '2024-01-15', cursor: entries.seq() });
    expect(after.get(1002)).toMatchObject({ state: 'paused', pausedReason: 'blocked', cursor: 0 });
    expect(after.get(-4242)).toBeUndefined();
    expect(after.get(-1004242424242)).toMatchObject({ state: 'active', lastDigestDate: '2024-01-15' });
  });
});

/**
 * The product bot, really long-polling a local emulated Bot API over HTTP: a simulated user asks and gets answers.
 */
import { describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.ts';
import { registerCommands } from '../../src/bot/commands.ts';
import { silentLog } from '../../src/infra/log.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { useEmulator } from '../helpers/use-emulator.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';
import { SimulatedChat } from '../helpers/user-client.ts';

const env = useEmulator();

async function startProductBot() {
  const entries = createMemoryEntryStore();
  entries.apply(parseSeed());
  const bot = createBot(
    {
      token: env.emulator.token,
      apiRoot: env.emulator.apiRoot,
      adminIds: [],
      timezone: 'Asia/Shanghai',
      digestTime: '09:00',
      searchRatePerMinute: 20,
    },
    { entries, catalog: createCatalog(entries, shippedAgencies()), log: silentLog, now: Date.now },
  );
  await registerCommands(bot.telegram);
  await env.launch(bot);
  return bot;
}

describe('chat over a local Bot API', () => {
  it('answers /start, /latest 公安, /search 复工 and a page button', async () => {
    await startProductBot();
    type Cmd = { command: string; description: string };
    expect((env.emulator.commands() as Cmd[]).map((c) => c.command)).toContain('latest');
    expect((env.emulator.commands(undefined, 'en') as Cmd[]).find((c) => c.command === 'search')?.description).toBe('Search measures');

    const user = new SimulatedChat(env.emulator, { userId: 501 });
    await user.send('/start');
    const [hello] = await user.waitForBotMessages((m) => m.length >= 1);
    expect(hello!.text).toMatch(/复工复产措施简报/);

    await user.send('/latest 公安');
    const msgs = await user.waitForBotMessages((m) => m.length >= 2);
    expect(msgs[1]!.text).toMatch(/<b>上海市公安局<\/b> 最新 5 条措施/);
    expect(msgs[1]!.text).toMatch(/静安警方“点对点”护航企业复工复产/);

    await user.send('/search 复工');
    const withSearch = await user.waitForBotMessages((m) => m.length >= 3);
    const results = withSearch[2]!;
    expect(results.text).toMatch(/“复工”：共 \d+ 条 · 第 1\/\d 页/);

    await user.pressButton(results, '下一页 ›');
    const edited = await user.waitForBotMessages((m) => /第 2\/\d 页/.test(m[2]?.text ?? ''));
    expect(edited).toHaveLength(3); // edited in place, not a new message
    expect(env.emulator.callbackAnswers.length).toBeGreaterThan(0);
  });
});

/**
 * An editor publishes a bulletin through a real long-polling bot and a local emulated Bot API:
 * document upload → getFile + HTTP download → preview → Publish → another user's search finds it.
 */
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/bot/commands.ts';
import { silentLog } from '../../src/infra/log.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import { ADMIN_COMMANDS } from '../../src/bot/features/admin.ts';
import { createCatalog } from '../../src/core/catalog.ts';
import { createMemoryEntryStore } from '../../src/store/entry-store.ts';
import { useEmulator } from '../helpers/use-emulator.ts';
import { NEW_TITLES, twoMeasures } from '../helpers/bulletins.ts';
import { parseSeed, shippedAgencies } from '../helpers/seed.ts';
import { SimulatedChat } from '../helpers/user-client.ts';

const ADMIN = 901;

const env = useEmulator();

describe('admin publishing over a local Bot API', () => {
  it('admin uploads a bulletin, publishes it, and a user finds the new measure', async () => {
    const entries = createMemoryEntryStore();
    entries.apply(parseSeed());
    const bot = createBot(
      {
        token: env.emulator.token,
        apiRoot: env.emulator.apiRoot,
        adminIds: [ADMIN],
        timezone: 'Asia/Shanghai',
        digestTime: '09:00',
        searchRatePerMinute: 20,
      },
      { entries, catalog: createCatalog(entries, shippedAgencies()), log: silentLog, now: Date.now },
    );
    await registerCommands(bot.telegram, { adminIds: [ADMIN], adminCommands: ADMIN_COMMANDS });
    await env.launch(bot);
    type Cmd = { command: string };
    expect((env.emulator.commands({ type: 'chat', chat_id: ADMIN }) as Cmd[]).map((c) => c.command)).toContain('stats');
    expect((env.emulator.commands() as Cmd[]).map((c) => c.command)).not.toContain('stats');

    const admin = new SimulatedChat(env.emulator, { userId: ADMIN });
    const user = new SimulatedChat(env.emulator, { userId: 902 });

    await user.send(`/search 巡逻守护`);
    const [before] = await user.waitForBotMessages((m) => m.length >= 1);
    expect(before!.text).toMatch(/没有找到/);

    await admin.sendDocument('2020-03-28.txt', twoMeasures(), { mimeType: 'text/plain' });
    const [preview] = await admin.waitForBotMessages((m) => m.length >= 1);
    expect(preview!.text).toContain('新增 <b>2</b> 条 · 未变 0 条 · 更正 <b>0</b> 条');
    expect(preview!.text).toContain(NEW_TITLES[0]);
    expect(env.emulator.callsTo('getFile')).toHaveLength(1);

    await admin.pressButton(preview!, '✅ 发布');
    const done = await admin.waitForBotMessages((m) => /已发布/.test(m[0]?.text ?? ''));
    expect(done).toHaveLength(1); // edited in place
    expect(done[0]!.text).toMatch(/新增 2 条，更正 0 条/);
    expect(done[0]!.buttons.flat()).toEqual([]);
    expect(entries.all()).toHaveLength(21);

    await user.send(`/search 巡逻守护`);
    const after = await user.waitForBotMessages((m) => m.length >= 2);
    // Segmented: 巡逻 and 守护 are each required (the new title has them together).
    expect(after[1]!.text).toMatch(/“巡逻”、“守护”：共 1 条/);
    expect(after[1]!.text).toContain('上海市公安局 · 2020-03-27');

    await admin.send('/stats');
    const stats = await admin.waitForBotMessages((m) => m.length >= 2);
    expect(stats[1]!.text).toContain('合计：<b>21</b> 条措施');
  });
});

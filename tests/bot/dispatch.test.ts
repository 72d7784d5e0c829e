/**
 * How updates reach the features (src/bot/create-bot.ts, src/bot/lib/own-commands.ts), through bot.handleUpdate:
 * commands in any case, commands addressed to this bot or another, and every command of the "/" menu answered.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_COMMANDS } from '../../src/bot/features/admin.ts';
import { catalogues } from '../../src/i18n/index.ts';
import { createMemorySubscriptionStore } from '../../src/store/subscription-store.ts';
import { createTestBot, texts } from '../helpers/bot-harness.ts';

const unknown = /不认识的命令|Unknown command/i;

describe('command names in any case', () => {
  it.each([
    ['/Search 复工', '/search 复工'],
    ['/SEARCH 不见面', '/search 不见面'],
    ['/LATEST 公安', '/latest 公安'],
    ['/Latest 3 科委', '/latest 3 科委'],
    ['/Agencies', '/agencies'],
    ['/HELP', '/help'],
  ])('%s answers as %s', async (typed, canonical) => {
    const t = createTestBot();
    const answer = texts(await t.send(canonical));
    expect(answer.length).toBeGreaterThan(0);
    expect(answer.join('\n')).not.toMatch(unknown);
    expect(texts(await createTestBot().send(typed))).toEqual(answer);
  });

  it('is case-insensitive in groups too, with or without our name', async () => {
    const t = createTestBot();
    expect(texts(await t.send('/LATEST@BulletinTestBot 公安', { chatType: 'group' }))[0]).toContain('上海市公安局');
    expect(texts(await t.send('/Latest@bulletintestbot 公安', { chatType: 'supergroup' }))[0]).toContain('上海市公安局');
    expect(texts(await t.send('/Latest 公安', { chatType: 'group' }))[0]).toContain('上海市公安局');
  });

  it('an unknown command in capitals is still unknown', async () => {
    const [answer] = texts(await createTestBot().send('/Nonsense'));
    expect(answer).toMatch(unknown);
    expect(answer).toContain('/nonsense');
  });
});

describe('commands for another bot', () => {
  it.each(['/search@OtherBot 复工', '/SEARCH@OtherBot 复工', '/latest@OtherBot 公安', '/help@OtherBot', '/nonsense@OtherBot'])(
    '%s gets no answer, in a group or in private',
    async (text) => {
      const t = createTestBot();
      expect(await t.send(text, { chatType: 'group' })).toEqual([]);
      expect(await t.send(text)).toEqual([]);
      expect(t.errors).toEqual([]);
    },
  );

  it('a command entity that does not start the message is no command: private text is a search', async () => {
    const t = createTestBot();
    const calls = await t.raw({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 7, type: 'private', first_name: 'T' },
        from: { id: 7, is_bot: false, first_name: 'T' },
        text: '复工 /Latest',
        entities: [{ type: 'bot_command', offset: 3, length: 7 }],
      },
    } as never);
    expect(texts(calls)[0]).not.toMatch(unknown);
    expect(texts(calls)[0]).toContain('复工');
  });
});

describe('the "/" menu and dispatch agree', () => {
  it("every command of the menu (both languages, admins' too) is answered by a feature, not the fallback", async () => {
    const names = new Set([...catalogues.zh.commands, ...catalogues.en.commands, ...ADMIN_COMMANDS].map(([name]) => name));
    expect(names.size).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      const t = createTestBot({ config: { adminIds: [7] }, deps: { subscriptions: createMemorySubscriptionStore() } });
      // An answer of any kind (a message, a file), and not the fallback's.
      const calls = await t.send(`/${name}`);
      expect(calls.length, `/${name}`).toBeGreaterThan(0);
      expect(texts(calls).join('\n'), `/${name}`).not.toMatch(unknown);
      expect(t.errors).toEqual([]);
    }
  });
});

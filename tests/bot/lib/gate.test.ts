import { describe, expect, it } from 'vitest';
import type { BotContext } from '../../../src/bot/context.ts';
import { commandOf, gated } from '../../../src/bot/lib/gate.ts';

const text = (t: string, entity = t.startsWith('/') ? { type: 'bot_command', offset: 0, length: t.split(' ')[0]!.length } : undefined) =>
  ({ update: { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: t, entities: entity ? [entity] : undefined } } }) as unknown as BotContext;
const press = () => ({ update: { update_id: 1, callback_query: { id: '1', data: 'x' } } }) as unknown as BotContext;
const other = () => ({ update: { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, document: { file_id: 'f' } } } }) as unknown as BotContext;

describe('commandOf', () => {
  it.each([
    ['/latest 公安 3', 'latest'],
    ['/latest@BulletinTestBot 公安', 'latest'],
    ['/Latest', 'Latest'],
    ['复工', null],
  ])('%s → %s', (t, name) => expect(commandOf(text(t))).toBe(name));

  it('is null for a command entity that does not start the text', () => {
    expect(commandOf(text('see /latest', { type: 'bot_command', offset: 4, length: 7 }))).toBeNull();
  });
});

describe('gated', () => {
  // [update, reaches the feature]
  const cases: [string, () => BotContext, boolean][] = [
    ['its command', () => text('/latest 公安'), true],
    ['its command addressed to a bot', () => text('/latest@SomeBot'), true],
    ['another command', () => text('/search 复工'), false],
    ['a command in another case (telegraf matches exactly)', () => text('/LATEST'), false],
    ['plain text', () => text('复工'), false],
    ['a button press, when it has buttons', press, true],
    ['a non-text message', other, true],
  ];
  for (const [name, make, reaches] of cases) {
    it(`${name}: ${reaches ? 'reaches the feature' : 'goes to the next'}`, async () => {
      const seen: string[] = [];
      const mw = gated(async (_ctx, next) => { seen.push('feature'); await next(); }, { commands: ['latest'], callbacks: true });
      await mw(make(), async () => { seen.push('next'); });
      expect(seen).toEqual(reaches ? ['feature', 'next'] : ['next']);
    });
  }

  it('keeps button presses from a feature without buttons', async () => {
    const seen: string[] = [];
    await gated(async () => { seen.push('feature'); }, { commands: [], callbacks: false })(press(), async () => { seen.push('next'); });
    expect(seen).toEqual(['next']);
  });
});

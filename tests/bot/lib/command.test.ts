import { Composer } from 'telegraf';
import type { Context } from 'telegraf';
import { describe, expect, it } from 'vitest';
import type { BotContext } from '../../../src/bot/context.ts';
import { command } from '../../../src/bot/lib/command.ts';
import { TEST_BOT } from '../../helpers/bot-harness.ts';

const contextOf = (text: string, entity: { type: string; offset: number; length: number } | null) => {
  const update = { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text, ...(entity ? { entities: [entity] } : {}) } };
  return { update, message: update.message, me: TEST_BOT.username } as unknown as BotContext;
};

/** What a command handler saw (command, payload, match), or 'next' when the update went on. */
async function seen(mw: (ctx: BotContext, next: () => Promise<void>) => unknown, text: string, entity: { type: string; offset: number; length: number } | null) {
  let out: unknown = 'next';
  const ctx = contextOf(text, entity);
  await mw(ctx, async () => {});
  const c = ctx as unknown as { command?: string; payload?: string; match?: RegExpExecArray };
  if (c.command !== undefined) out = { command: c.command, payload: c.payload, match: [...c.match!] };
  return out;
}

describe('command matches as telegraf Composer.command does', () => {
  const cmd = (t: string) => ({ type: 'bot_command', offset: 0, length: t.split(/\s/)[0]!.length });
  it.each([
    ['/search 复工 外企', cmd('/search')],
    ['/search', cmd('/search')],
    ['/search@BulletinTestBot 复工', cmd('/search@BulletinTestBot')],
    ['/search@bulletintestbot 复工', cmd('/search@bulletintestbot')],
    ['/search@OtherBot 复工', cmd('/search@OtherBot')],
    ['/search@ 复工', cmd('/search@')],
    ['/Search 复工', cmd('/Search')],
    ['/searchx 复工', cmd('/searchx')],
    ['/latest 公安', cmd('/latest')],
    ['search 复工', null],
    ['x /search 复工', { type: 'bot_command', offset: 2, length: 7 }],
    ['/search 复工', { type: 'bold', offset: 0, length: 7 }],
  ])('%s', async (text, entity) => {
    const handler = async () => {};
    const theirs = Composer.command('search', handler) as unknown as (ctx: BotContext, next: () => Promise<void>) => unknown;
    const expected = await seen((ctx, next) => (theirs as (c: Context, n: () => Promise<void>) => unknown)(ctx, next), text, entity);
    expect(await seen(command('search', handler), text, entity)).toEqual(expected);
  });
});

describe('command', () => {
  it('hands the handler the payload, and lets other commands go on', async () => {
    const handler = async () => {};
    expect(await seen(command('search', handler), '/search 复工 外企', { type: 'bot_command', offset: 0, length: 7 })).toEqual({ command: 'search', payload: '复工 外企', match: ['search'] });
    expect(await seen(command('search', handler), '/latest 公安', { type: 'bot_command', offset: 0, length: 7 })).toBe('next');
  });
});

import { describe, expect, it } from 'vitest';
import type { BotContext } from '../../../src/bot/context.ts';
import { chain } from '../../../src/bot/lib/chain.ts';

const ctx = {} as BotContext;

describe('chain', () => {
  it('runs middlewares in order, each next() the next one, the last next() the outer one', async () => {
    const seen: string[] = [];
    const mw = chain([
      async (_c, next) => {
        seen.push('a');
        await next();
        seen.push('a after');
      },
      (_c, next) => {
        seen.push('b');
        return next();
      },
    ]);
    await mw(ctx, async () => {
      seen.push('outer');
    });
    expect(seen).toEqual(['a', 'b', 'outer', 'a after']);
  });

  it('stops where a middleware does not call next', async () => {
    const seen: string[] = [];
    await chain([() => void seen.push('a'), () => void seen.push('b')])(ctx, async () => void seen.push('outer'));
    expect(seen).toEqual(['a']);
  });

  it('passes on a failure of any middleware, later ones too', async () => {
    await expect(chain([(_c, next) => next(), async () => Promise.reject(new Error('boom'))])(ctx, async () => {})).rejects.toThrow('boom');
    await expect(chain([() => { throw new Error('sync boom'); }])(ctx, async () => {})).rejects.toThrow('sync boom');
  });
});

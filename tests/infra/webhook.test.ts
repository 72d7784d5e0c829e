/**
 * Webhook mode end to end over real HTTP: Telegram's POST reaches the real bot only with the right secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { createHttpServer } from '../../src/infra/http-server.ts';
import type { HttpServer } from '../../src/infra/http-server.ts';
import { createTestBot, texts } from '../helpers/bot-harness.ts';

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
});

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

async function startWebhook(secret: string) {
  const t = createTestBot();
  const server = createHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: quiet,
    webhook: { path: '/tg/hook', callback: t.bot.webhookCallback('/tg/hook', { secretToken: secret }) },
  });
  servers.push(server);
  const port = await server.listen();
  return { t, url: `http://127.0.0.1:${port}/tg/hook` };
}

const update = (id: number, text: string): Update =>
  ({
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      chat: { id: 9, type: 'private', first_name: 'A' },
      from: { id: 9, is_bot: false, first_name: 'A' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
    },
  }) as Update;

describe('webhook', () => {
  it('handles an update carrying the right secret', async () => {
    const { t, url } = await startWebhook('s3cret_token-1');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 's3cret_token-1' },
      body: JSON.stringify(update(1, '/latest 公安 1')),
    });
    expect(res.status).toBe(200);
    expect(texts(t.calls)[0]).toContain('上海市公安局');
  });

  it.each([
    ['a wrong secret', { 'x-telegram-bot-api-secret-token': 's3cret_token-2' }],
    ['no secret', {}],
    ['a prefix of the secret', { 'x-telegram-bot-api-secret-token': 's3cret' }],
  ])('refuses %s with 401 and never reaches the bot', async (_name, headers) => {
    const { t, url } = await startWebhook('s3cret_token-1');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(update(2, '/help')),
    });
    expect(res.status).toBe(401);
    expect(t.calls).toEqual([]);
  });
});

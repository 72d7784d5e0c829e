/**
 * Proves the e2e harness: a tiny telegraf bot really long-polls the emulated Bot API over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Input, Markup, Telegraf, TelegramError } from 'telegraf';
import { startBotApiEmulator, type Emulator } from '../helpers/bot-api-emulator.ts';
import { SimulatedChat, launchBot, type RunningBot } from '../helpers/user-client.ts';

let emulator: Emulator;
let running: RunningBot | undefined;
let botErrors: unknown[];

function makeBot(extra?: (bot: Telegraf) => void): Telegraf {
  const bot = new Telegraf(emulator.token, { telegram: { apiRoot: emulator.apiRoot } });
  botErrors = [];
  bot.catch((err) => {
    botErrors.push(err);
  });
  bot.start((ctx) => ctx.reply('Hello! Pick one:', Markup.inlineKeyboard([Markup.button.callback('Today', 'digest:today')])));
  bot.action('digest:today', async (ctx) => {
    await ctx.answerCbQuery('ok');
    await ctx.editMessageText('Digest for today');
  });
  bot.command('ping', async (ctx) => {
    try {
      await ctx.reply('pong');
    } catch (e) {
      botErrors.push(e);
    }
  });
  extra?.(bot);
  bot.on('message', (ctx) => ctx.reply(`echo: ${'text' in ctx.message ? ctx.message.text : '?'}`));
  return bot;
}

beforeEach(async () => {
  emulator = await startBotApiEmulator();
});

afterEach(async () => {
  try {
    await running?.stop();
  } finally {
    running = undefined;
    await emulator.close();
  }
});

describe('Bot API emulator + telegraf long polling', () => {
  it('a user sends /start and gets the reply over real HTTP polling', async () => {
    running = await launchBot(makeBot());
    const user = new SimulatedChat(emulator, { userId: 42 });
    await user.send('/start');
    const [reply] = await user.waitForBotMessages((msgs) => msgs.length >= 1);
    expect(reply?.text).toBe('Hello! Pick one:');
    expect(reply?.buttons[0]?.[0]).toMatchObject({ text: 'Today', callback_data: 'digest:today' });
    expect(emulator.pollCount).toBeGreaterThan(0);
    expect((await emulator.waitForCall('sendMessage', { chatId: 42 })).status).toBe(200);
    expect(emulator.callsTo('sendMessage', 42)).toHaveLength(1);
    expect(emulator.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['getMe', 'deleteWebhook', 'sendMessage']));

    await user.send('plain words');
    const msgs = await user.waitForBotMessages((m) => m.length >= 2);
    expect(msgs[1]?.text).toBe('echo: plain words');
  });

  it('pressing an inline button edits the message', async () => {
    running = await launchBot(makeBot());
    const user = new SimulatedChat(emulator);
    await user.send('/start');
    const [menu] = await user.waitForBotMessages((m) => m.length === 1);
    await user.pressButton(menu!, 'Today');
    const after = await user.waitForBotMessages((m) => m[0]?.text === 'Digest for today');
    expect(after).toHaveLength(1);
    expect(after[0]?.buttons).toEqual([]); // editMessageText without reply_markup drops the keyboard, as on Telegram
    expect(emulator.edits).toHaveLength(1);
    expect(emulator.callbackAnswers[0]).toMatchObject({ text: 'ok' });
    expect(botErrors).toEqual([]);
  });

  it('works in a group chat (negative id)', async () => {
    running = await launchBot(makeBot());
    const group = new SimulatedChat(emulator, { userId: 7, type: 'group' });
    expect(group.chatId).toBe(-7);
    await group.send('/start@TestNameBot');
    const [reply] = await group.waitForBotMessages((m) => m.length === 1);
    expect(reply?.chatId).toBe(-7);
    const sent = (await emulator.waitForCall('sendMessage', { chatId: -7 })).response as { result: { chat: { type: string } } };
    expect(sent.result.chat.type).toBe('group');
  });

  it('getUpdates honours offset: a restarted bot does not see confirmed updates again', async () => {
    const user = new SimulatedChat(emulator, { userId: 8 });
    running = await launchBot(makeBot());
    await user.send('one');
    await user.waitForBotMessages((m) => m.length === 1);
    await running.stop();
    await user.send('two'); // arrives while no bot is polling
    running = await launchBot(makeBot());
    const msgs = await user.waitForBotMessages((m) => m.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(user.botMessages().map((m) => m.text)).toEqual(['echo: one', 'echo: two']);
    expect(msgs).toHaveLength(2);
  });

  it('setMyCommands / getMyCommands round-trip', async () => {
    const bot = makeBot();
    const commands = [
      { command: 'start', description: 'Start' },
      { command: 'today', description: "Today's digest" },
    ];
    await expect(bot.telegram.setMyCommands(commands)).resolves.toBe(true);
    await expect(bot.telegram.getMyCommands()).resolves.toEqual(commands);
    expect(emulator.commands()).toEqual(commands);
    await bot.telegram.deleteMyCommands();
    await expect(bot.telegram.getMyCommands()).resolves.toEqual([]);
  });

  it('an injected 429 reaches the bot as TelegramError with retry_after', async () => {
    running = await launchBot(makeBot());
    const user = new SimulatedChat(emulator, { userId: 5 });
    emulator.injectError({
      method: 'sendMessage',
      chatId: 5,
      error: { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    await user.send('/ping');
    await expect.poll(() => botErrors.length).toBe(1);
    const err = botErrors[0];
    expect(err).toBeInstanceOf(TelegramError);
    expect((err as TelegramError).code).toBe(429);
    expect((err as TelegramError).parameters?.retry_after).toBe(1);
    expect((await emulator.waitForCall('sendMessage', { chatId: 5 })).status).toBe(429);

    // the rule was used up: the next call goes through
    await user.send('/ping');
    await user.waitForBotMessages((m) => m.some((x) => x.text === 'pong'));
  });

  it('an injected 403 (blocked) and a 400 migrate are answered in Telegram error shape', async () => {
    const bot = makeBot();
    emulator.injectError({
      method: 'sendMessage',
      chatId: 9,
      error: { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const blocked = await bot.telegram.sendMessage(9, 'hi').catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(TelegramError);
    expect((blocked as TelegramError).code).toBe(403);
    expect((blocked as TelegramError).description).toBe('Forbidden: bot was blocked by the user');

    emulator.injectError({
      chatId: -55,
      error: {
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: -1000055 },
      },
    });
    const migrated = await bot.telegram.sendMessage(-55, 'hi').catch((e: unknown) => e);
    expect((migrated as TelegramError).parameters?.migrate_to_chat_id).toBe(-1000055);

    // raw HTTP: status code and body
    const res = await fetch(`${emulator.apiRoot}/bot${emulator.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ chat_id: 1, text: 'x' }),
    });
    expect(res.status).toBe(200);
    emulator.injectError({ error: { error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    const res2 = await fetch(`${emulator.apiRoot}/bot${emulator.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ chat_id: 1, text: 'x' }),
    });
    expect(res2.status).toBe(403);
    expect(await res2.json()).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  });

  it('rate limit mode answers 429 beyond L sendMessage calls per second', async () => {
    emulator.setRateLimit({ perSecond: 5 });
    const bot = makeBot();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        bot.telegram.sendMessage(100 + i, `n${i}`).then(
          () => 'ok',
          (e: unknown) => e,
        ),
      ),
    );
    const ok = results.filter((r) => r === 'ok');
    const limited = results.filter((r): r is TelegramError => r instanceof TelegramError);
    expect(ok).toHaveLength(5);
    expect(limited).toHaveLength(3);
    expect(limited[0]?.code).toBe(429);
    expect(limited[0]?.parameters?.retry_after).toBeGreaterThanOrEqual(1);
  });

  it('per-chat rate limit: a second message to the same chat within a second gets 429', async () => {
    emulator.setRateLimit({ perSecond: 30, perChatPerSecond: 1 });
    const bot = makeBot();
    await bot.telegram.sendMessage(11, 'a');
    await bot.telegram.sendMessage(12, 'b');
    await expect(bot.telegram.sendMessage(11, 'c')).rejects.toMatchObject({ code: 429, parameters: { retry_after: 1 } });
  });

  it('getFile + file download serve registered bytes', async () => {
    const bot = makeBot();
    emulator.addFile('file-1', 'bulletin bytes', { filePath: 'documents/bulletin.txt' });
    const link = await bot.telegram.getFileLink('file-1');
    const res = await fetch(link, { headers: { connection: 'close' } });
    expect(await res.text()).toBe('bulletin bytes');
    await expect(bot.telegram.getFile('nope')).rejects.toMatchObject({ code: 400 });
  });

  it('a user uploads a document; the bot downloads it through getFileLink', async () => {
    const received: string[] = [];
    const bot = makeBot((b) =>
      b.on('document', async (ctx) => {
        const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
        const res = await fetch(link, { headers: { connection: 'close' } });
        received.push(await res.text());
        await ctx.reply(`got ${ctx.message.document.file_name}`);
      }),
    );
    running = await launchBot(bot);
    const user = new SimulatedChat(emulator, { userId: 77 });
    await user.sendDocument('bulletin.txt', 'line 1\nline 2', { caption: 'new bulletin' });
    await user.waitForBotMessages((m) => m.some((x) => x.text === 'got bulletin.txt'));
    expect(received).toEqual(['line 1\nline 2']);
  });

  it('the bot uploads a document (multipart) and it can be fetched back', async () => {
    const bot = makeBot();
    const sent = await bot.telegram.sendDocument(3, Input.fromBuffer(Buffer.from('csv,data'), 'export.csv'), { caption: 'export' });
    expect(sent.document.file_name).toBe('export.csv');
    expect(sent.caption).toBe('export');
    const link = await bot.telegram.getFileLink(sent.document.file_id);
    const res = await fetch(link, { headers: { connection: 'close' } });
    expect(await res.text()).toBe('csv,data');
    expect(emulator.callsTo('sendDocument', 3)).toHaveLength(1);
  });

  it('rejects what Telegram rejects: bad HTML, too long, unknown method', async () => {
    const bot = makeBot();
    await expect(bot.telegram.sendMessage(1, '<b>x', { parse_mode: 'HTML' })).rejects.toMatchObject({ code: 400 });
    await expect(bot.telegram.sendMessage(1, '<div>x</div>', { parse_mode: 'HTML' })).rejects.toMatchObject({ code: 400 });
    await expect(bot.telegram.sendMessage(1, '<b>ok</b> &amp; fine', { parse_mode: 'HTML' })).resolves.toMatchObject({
      text: '<b>ok</b> &amp; fine',
    });
    await expect(bot.telegram.sendMessage(1, 'x'.repeat(4097))).rejects.toMatchObject({
      code: 400,
      description: 'Bad Request: message is too long',
    });
    await expect(bot.telegram.sendMessage(1, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' })).resolves.toBeTruthy();
    await expect(bot.telegram.callApi('sendDice' as never, {} as never)).rejects.toMatchObject({ code: 404 });
  });

  it('close() releases a held getUpdates and open keep-alive sockets promptly', async () => {
    const slow = await startBotApiEmulator({ pollHoldMs: 10_000 });
    try {
      const held = fetch(`${slow.apiRoot}/bot${slow.token}/getUpdates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ timeout: 50 }),
      }).then(
        (r) => r.json(),
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await slow.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await held; // answered (empty) or cut off, but not left hanging
    } finally {
      await slow.close();
    }
  });
});

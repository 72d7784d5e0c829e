import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Update, UserFromGetMe } from 'telegraf/types';
import type { Bot } from '../bot/create-bot.ts';
import { htmlToText, renderButtons } from './render-text.ts';
import type { ConsoleButton } from './render-text.ts';

export const CONSOLE_BOT: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: 'Bulletin Bot',
  username: 'bulletin_console_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
};

interface ConsoleOptions {
  input: Readable;
  output: Writable;
  interactive: boolean;
  user?: { id: number; first_name: string; language_code?: string };
}

type Payload = Record<string, unknown> & {
  text?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] };
};

/**
 * Runs the real bot with no Telegram: each input line is a message from a local user, replies are
 * printed as text. The bot's API calls are answered here instead of over the network.
 */
export async function runConsole(bot: Bot, opts: ConsoleOptions): Promise<void> {
  const user = opts.user ?? { id: 1000, first_name: 'Local user', language_code: 'zh-hans' };
  const chat = { id: user.id, type: 'private' as const, first_name: user.first_name };
  // A reader that went away (`| head`) ends the session quietly instead of crashing on EPIPE.
  let outputClosed = false;
  const print = (text: string) => {
    if (!outputClosed) opts.output.write(`${text}\n`);
  };
  let buttons: ConsoleButton[] = [];
  let messageId = 0;
  let updateId = 0;

  bot.botInfo = CONSOLE_BOT;
  const show = (payload: Payload, edited = false) => {
    const text = htmlToText(String(payload.text ?? ''), { ansi: opts.interactive });
    const keyboard = (payload.reply_markup?.inline_keyboard ?? []).flat().filter((b) => b.callback_data);
    print(`${edited ? '(edited) ' : ''}${text}`);
    if (keyboard.length) {
      buttons = keyboard.map((b) => ({ text: b.text, data: b.callback_data! }));
      print(renderButtons(buttons));
    }
    print('');
  };

  bot.telegram.callApi = (async (method: string, payload: Payload) => {
    switch (method) {
      case 'sendMessage':
        show(payload);
        return { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat, text: payload.text };
      case 'editMessageText':
        show(payload, true);
        return { message_id: payload.message_id, date: Math.floor(Date.now() / 1000), chat, text: payload.text };
      case 'sendDocument': {
        // A file (an export) is named with its size, and its caption shown: nothing is sent anywhere.
        const doc = payload.document as { filename?: string; source?: { length?: number } } | undefined;
        print(`📎 ${doc?.filename ?? 'file'} (${doc?.source?.length ?? 0} bytes)`);
        if (payload.caption) print(htmlToText(String(payload.caption), { ansi: opts.interactive }));
        print('');
        return { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat };
      }
      case 'answerCallbackQuery':
        if (payload.text) print(`(${String(payload.text)})\n`);
        return true;
      case 'answerInlineQuery': {
        const results = (payload.results as { title: string; description?: string }[]) ?? [];
        print(results.length ? results.map((r, i) => `  ${i + 1}. ${r.title} — ${r.description ?? ''}`).join('\n') : '(no inline results)');
        print('');
        return true;
      }
      case 'getMe':
        return CONSOLE_BOT;
      case 'getChatMember':
        return { status: 'creator', user };
      case 'sendChatAction':
      case 'setMyCommands':
        return true;
      default:
        return true;
    }
  }) as unknown as typeof bot.telegram.callApi;

  const toUpdate = (line: string): Update => {
    const n = /^\d{1,3}$/.test(line) ? Number(line) : NaN;
    const button = buttons[n - 1];
    const from = { id: user.id, is_bot: false, first_name: user.first_name, language_code: user.language_code };
    if (button) {
      return {
        update_id: ++updateId,
        callback_query: {
          id: String(updateId),
          from,
          chat_instance: 'console',
          data: button.data,
          message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat, text: '' },
        },
      } as Update;
    }
    const inline = /^@\S+\s*(.*)$/.exec(line);
    if (inline)
      return { update_id: ++updateId, inline_query: { id: String(updateId), from, query: inline[1] ?? '', offset: '' } } as Update;
    // As Telegram clients mark a command: Latin letters, digits and _ (and @bot), up to the first other character.
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(line);
    return {
      update_id: ++updateId,
      message: {
        message_id: ++messageId,
        date: Math.floor(Date.now() / 1000),
        chat,
        from,
        text: line,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      },
    } as Update;
  };

  const rl = createInterface({ input: opts.input, terminal: false });
  opts.output.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    outputClosed = true;
    rl.close();
  });
  if (opts.interactive) {
    print('本地控制台 · local console — type /help, a keyword, or a button number; Ctrl+D to quit.\n');
    opts.output.write('> ');
  }
  for await (const raw of rl) {
    const line = raw.trim();
    if (line) {
      if (!opts.interactive) print(`> ${line}`);
      await bot.handleUpdate(toUpdate(line));
    }
    if (outputClosed) break;
    if (opts.interactive) opts.output.write('> ');
  }
}

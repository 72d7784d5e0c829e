import type { Telegram } from 'telegraf';
import { catalogues } from '../i18n/index.ts';

const toCommands = (list: [string, string][]) => list.map(([command, description]) => ({ command, description }));

/**
 * The "/" menu: Chinese by default, English for English clients. Admin commands are shown only in
 * the admins' own chats (scope chat), so other users get no hint that they exist.
 */
export async function registerCommands(
  telegram: Telegram,
  opts: { adminIds: number[]; adminCommands?: [string, string][] } = { adminIds: [] },
): Promise<void> {
  await telegram.setMyCommands(toCommands(catalogues.zh.commands));
  await telegram.setMyCommands(toCommands(catalogues.en.commands), { language_code: 'en' });
  for (const id of opts.adminIds) {
    if (!opts.adminCommands?.length) break;
    await telegram.setMyCommands(toCommands([...catalogues.zh.commands, ...opts.adminCommands]), { scope: { type: 'chat', chat_id: id } });
  }
}

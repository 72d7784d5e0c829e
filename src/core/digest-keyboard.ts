/**
 * The buttons under a digest (on its last message), as plain data the Telegram layer sends as an inline keyboard.
 *
 * - Private chats and groups: a full-text button per measure when the digest holds at most 10, then
 *   ⚙️ settings and 🔕 unsubscribe (which asks to confirm).
 * - Channels: nothing that needs the reader to be a manager of the chat; each measure (≤ 10) links to the
 *   bot's private chat, which opens with its full text (t.me/<bot>?start=e_<id>). Without the bot's
 *   username, no buttons.
 */
import type { Messages } from '../i18n/index.ts';
import { buttonLabel } from './format/entry.ts';

export type DigestButton = { text: string; callback_data: string } | { text: string; url: string };

export const MAX_FULL_TEXT_BUTTONS = 10;
/** /start payload opening a measure's full text in private. Entry ids are [\w-], as deep links allow. */
export const fullTextStartParam = (id: string): string => `e_${id}`;

export interface DigestKeyboardOptions {
  chatType: 'private' | 'group' | 'supergroup' | 'channel';
  /** The digest's measures in the order shown. */
  entries: readonly { id: string; title: string }[];
  m: Messages;
  botUsername?: string;
}

export function digestKeyboard(opts: DigestKeyboardOptions): DigestButton[][] | null {
  const { m, entries } = opts;
  const perMeasure = entries.length <= MAX_FULL_TEXT_BUTTONS;
  if (opts.chatType === 'channel') {
    const bot = opts.botUsername;
    if (!bot || !perMeasure || entries.length === 0) return null;
    return entries.map((e) => [
      { text: buttonLabel(m.digest.fullText(e.title), 40), url: `https://t.me/${bot}?start=${fullTextStartParam(e.id)}` },
    ]);
  }
  const rows: DigestButton[][] = perMeasure
    ? entries.map((e) => [{ text: buttonLabel(m.digest.fullText(e.title), 40), callback_data: `e:${e.id}` }])
    : [];
  rows.push([
    { text: m.subscribe.settingsButton, callback_data: 'sub:view' },
    { text: m.subscribe.unsubscribeButton, callback_data: 'sub:unsub' },
  ]);
  return rows;
}

import { describe, expect, it } from 'vitest';
import { digestKeyboard } from '../../src/core/digest-keyboard.ts';
import { catalogues } from '../../src/i18n/index.ts';

const m = catalogues.zh;
const measures = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id-${i}`, title: `措施标题 ${i}` }));

describe('digestKeyboard', () => {
  it('private and groups: a full-text button per measure (≤ 10), then ⚙️ settings and 🔕 unsubscribe', () => {
    for (const chatType of ['private', 'group', 'supergroup'] as const) {
      const kb = digestKeyboard({ chatType, entries: measures(3), m })!;
      expect(kb.map((row) => row.map((b) => ('callback_data' in b ? b.callback_data : b.url)))).toEqual([
        ['e:id-0'],
        ['e:id-1'],
        ['e:id-2'],
        ['sub:view', 'sub:unsub'],
      ]);
      expect(kb[0]![0]!.text).toBe('📄 措施标题 0');
      expect(kb.at(-1)!.map((b) => b.text)).toEqual(['⚙️ 设置', '🔕 退订']);
    }
  });

  it('more than 10 measures: no per-measure buttons, settings and unsubscribe stay', () => {
    expect(digestKeyboard({ chatType: 'private', entries: measures(11), m })).toEqual([
      [
        { text: '⚙️ 设置', callback_data: 'sub:view' },
        { text: '🔕 退订', callback_data: 'sub:unsub' },
      ],
    ]);
    expect(digestKeyboard({ chatType: 'private', entries: measures(10), m })!).toHaveLength(11);
  });

  it('channels: only links to the bot, no button that needs a manager; none without the username', () => {
    const kb = digestKeyboard({ chatType: 'channel', entries: measures(2), m, botUsername: 'BulletinBot' })!;
    expect(kb).toEqual([
      [{ text: '📄 措施标题 0', url: 'https://t.me/BulletinBot?start=e_id-0' }],
      [{ text: '📄 措施标题 1', url: 'https://t.me/BulletinBot?start=e_id-1' }],
    ]);
    expect(digestKeyboard({ chatType: 'channel', entries: measures(2), m })).toBeNull();
    expect(digestKeyboard({ chatType: 'channel', entries: measures(11), m, botUsername: 'B' })).toBeNull();
  });

  it('long titles are cut to a button label', () => {
    const kb = digestKeyboard({ chatType: 'private', entries: [{ id: 'x', title: '很长'.repeat(40) }], m })!;
    expect([...kb[0]![0]!.text].length).toBeLessThanOrEqual(40);
  });
});

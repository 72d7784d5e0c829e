/** The runner puts the keyboard on a digest's last message only, as the service's hook composes it per chat type. */
import { describe, expect, it } from 'vitest';
import { digestButtons } from '../../src/digest/digest-service.ts';
import { createDigestRunner } from '../../src/digest/run-digest.ts';
import type { SendHtml } from '../../src/digest/run-digest.ts';
import { createMemorySubscriptionStore } from '../../src/store/subscription-store.ts';
import { FakeTelegram, entry, entryStoreWith, recordingLog, subscriptionInput } from '../helpers/digest.ts';
import { shippedAgencies } from '../helpers/seed.ts';

const agencies = shippedAgencies();

function run(entries: ReturnType<typeof entryStoreWith>, chatType: 'private' | 'channel' | 'supergroup', chatId: number) {
  const tg = new FakeTelegram();
  const keyboards: (unknown[] | undefined)[] = [];
  const send: SendHtml = (id, html, opts) => {
    keyboards.push(opts.keyboard);
    return tg.send(id, html, opts);
  };
  const subs = createMemorySubscriptionStore();
  subs.upsert(subscriptionInput(chatId, { chatType, cursor: 0, lastDigestDate: '2024-01-14' }));
  const runner = createDigestRunner({
    subscriptions: subs,
    entries,
    agencies: () => agencies,
    deliver: tg.deliver,
    send,
    now: () => Date.parse('2024-01-15T01:00:00Z'),
    log: recordingLog(),
    keyboard: digestButtons(() => 'BulletinBot'),
  });
  return { tg, keyboards, done: runner.runDue() };
}

describe('digest keyboards', () => {
  it('a short digest in private: full text per measure in the order shown, settings and unsubscribe', async () => {
    const entries = entryStoreWith(entry({ title: '甲措施' }), entry({ title: '乙措施', agency: '上海市科学技术委员会' }));
    const { keyboards, done, tg } = run(entries, 'private', 1);
    await done;
    const html = tg.sent[0]!.html;
    const shown = ['甲措施', '乙措施'].sort((a, b) => html.indexOf(a) - html.indexOf(b));
    expect(keyboards).toHaveLength(1);
    const kb = keyboards[0] as { text: string; callback_data?: string }[][];
    expect(kb.flat().map((b) => b.callback_data)).toEqual([
      expect.stringMatching(/^e:/),
      expect.stringMatching(/^e:/),
      'sub:view',
      'sub:unsub',
    ]);
    expect(
      kb
        .flat()
        .map((b) => b.text)
        .slice(0, 2),
    ).toEqual(shown.map((t) => `📄 ${t}`));
  });

  it('a digest split in parts carries the keyboard on its last part only', async () => {
    const entries = entryStoreWith(...Array.from({ length: 40 }, (_, i) => entry({ title: `长措施 ${i}`, body: ['正文'.repeat(150)] })));
    const { keyboards, tg, done } = run(entries, 'supergroup', -1001);
    await done;
    expect(tg.sent.length).toBeGreaterThan(1);
    expect(keyboards.slice(0, -1).every((k) => k === undefined)).toBe(true);
    expect((keyboards.at(-1) as { callback_data: string }[][]).flat().map((b) => b.callback_data)).toEqual(['sub:view', 'sub:unsub']);
  });

  it('a channel digest links its measures to the bot and has no settings button', async () => {
    const entries = entryStoreWith(entry({ id: 'm-1', title: '频道措施' }));
    const { keyboards, done } = run(entries, 'channel', -1002);
    await done;
    expect(keyboards[0]).toEqual([[{ text: '📄 频道措施', url: 'https://t.me/BulletinBot?start=e_m-1' }]]);
  });
});

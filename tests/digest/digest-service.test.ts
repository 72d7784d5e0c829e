import { Telegram } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { createDigestService, htmlSender } from '../../src/digest/digest-service.ts';
import { createMemorySubscriptionStore } from '../../src/store/subscription-store.ts';
import { FakeTelegram, bulletinOf, entry, entryStoreWith, recordingLog } from '../helpers/digest.ts';
import { shippedAgencies } from '../helpers/seed.ts';

describe('htmlSender', () => {
  it('sends HTML without link previews, into the topic when there is one', async () => {
    const telegram = new Telegram('123:test');
    const calls: { method: string; payload: Record<string, unknown> }[] = [];
    telegram.callApi = (async (method: string, payload: Record<string, unknown>) => {
      calls.push({ method, payload });
      return { message_id: 1 };
    }) as unknown as typeof telegram.callApi;
    const send = htmlSender(telegram);
    await send(-1001234567890, '<b>x</b>', { threadId: 9 });
    await send(5, 'y', {});
    expect(calls).toEqual([
      {
        method: 'sendMessage',
        payload: {
          chat_id: -1001234567890,
          text: '<b>x</b>',
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          message_thread_id: 9,
        },
      },
      { method: 'sendMessage', payload: { chat_id: 5, text: 'y', parse_mode: 'HTML', link_preview_options: { is_disabled: true } } },
    ]);
  });
});

describe('digest service', () => {
  it('start() runs the catch-up pass at once; stop() ends the ticks', async () => {
    const tg = new FakeTelegram();
    const subscriptions = createMemorySubscriptionStore();
    subscriptions.upsert({
      chatId: 1,
      chatType: 'private',
      time: '09:00',
      timezone: 'Asia/Shanghai',
      filters: { agencies: [], keywords: [] },
      language: 'zh',
      cursor: 0,
      lastDigestDate: '2024-01-10',
    });
    const service = createDigestService({
      subscriptions,
      entries: entryStoreWith(entry({ title: '停机期间的措施' })),
      agencies: shippedAgencies,
      deliver: tg.deliver,
      send: tg.send,
      timezone: 'Asia/Shanghai',
      log: recordingLog(),
      now: () => Date.parse('2024-01-15T03:00:00Z'),
    });
    await service.start();
    expect(tg.to(1)).toHaveLength(1);
    expect(tg.to(1)[0]!.html).toContain('停机期间的措施');
    expect(service.scheduler.nextInvocation()).not.toBeNull();
    await service.stop();
    expect(service.scheduler.nextInvocation()).toBeNull();
    expect(subscriptions.get(1)?.lastDigestDate).toBe('2024-01-15');
  });

  it('a publish runs a pass a moment later, so an instant subscription gets it before the next minute tick', async () => {
    const tg = new FakeTelegram();
    const subscriptions = createMemorySubscriptionStore();
    const entries = entryStoreWith(entry({ title: '旧措施' }));
    subscriptions.upsert({
      chatId: 1,
      chatType: 'private',
      time: '09:00',
      timezone: 'Asia/Shanghai',
      filters: { agencies: [], keywords: [] },
      language: 'zh',
      cursor: entries.seq(),
      frequency: 'instant',
    });
    const service = createDigestService({
      subscriptions,
      entries,
      agencies: shippedAgencies,
      deliver: tg.deliver,
      send: tg.send,
      timezone: 'Asia/Shanghai',
      log: recordingLog(),
      now: () => Date.parse('2024-01-15T03:00:00Z'),
      onPublish: (listener) => entries.onChange(() => listener()),
      publishDelayMs: 20,
    });
    await service.start();
    expect(tg.to(1)).toHaveLength(0);
    entries.apply(bulletinOf([entry({ title: '刚发布甲' })]));
    entries.apply(bulletinOf([entry({ title: '刚发布乙' })]));
    for (let i = 0; i < 100 && tg.to(1).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await service.stop();
    // One pass for the burst: one message with both.
    expect(tg.to(1)).toHaveLength(1);
    expect(tg.to(1)[0]!.html).toContain('刚发布甲');
    expect(tg.to(1)[0]!.html).toContain('刚发布乙');
    // After stop, a publish starts nothing.
    entries.apply(bulletinOf([entry({ title: '停止之后' })]));
    await new Promise((r) => setTimeout(r, 60));
    expect(tg.to(1)).toHaveLength(1);
  });
});

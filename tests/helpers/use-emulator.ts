import { afterEach, beforeEach } from 'vitest';
import type { Context, Telegraf } from 'telegraf';
import { startBotApiEmulator } from './bot-api-emulator.ts';
import type { Emulator } from './bot-api-emulator.ts';
import { launchBot } from './user-client.ts';
import type { RunningBot } from './user-client.ts';

/**
 * A fresh local Bot API per test, and the bot polling it stopped before the emulator closes — even when the
 * test fails (a bot left polling a closed emulator would wait out telegraf's 5 s retry).
 */
export function useEmulator(opts?: Parameters<typeof startBotApiEmulator>[0]) {
  let emulator: Emulator | undefined;
  let running: RunningBot | undefined;
  beforeEach(async () => {
    emulator = await startBotApiEmulator(opts);
  });
  afterEach(async () => {
    try {
      await running?.stop();
    } finally {
      running = undefined;
      await emulator?.close();
    }
  });
  return {
    get emulator(): Emulator {
      if (!emulator) throw new Error('useEmulator: no emulator outside a test');
      return emulator;
    },
    async launch<C extends Context>(bot: Telegraf<C>): Promise<RunningBot> {
      running = await launchBot(bot);
      return running;
    },
  };
}

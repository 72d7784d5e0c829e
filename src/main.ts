import { createBot } from './bot/create-bot.ts';
import { registerCommands } from './bot/commands.ts';
import type { Log } from './bot/context.ts';
import { openApp } from './app.ts';
import { runConsole } from './console/run-console.ts';

// The only place that reads the environment, opens the store and handles signals.
const env = process.env;
const log: Log = {
  debug: () => {},
  info: (o, m) => console.error(m ?? o, typeof o === 'object' ? JSON.stringify(o) : ''),
  warn: (o, m) => console.error(m ?? o, typeof o === 'object' ? JSON.stringify(o) : ''),
  error: (o, m) => console.error(m ?? o, o),
};

const app = await openApp({ dataDir: env.DATA_DIR || 'data', log });
const token = env.BOT_TOKEN;
const config = {
  token: token ?? '0:console',
  apiRoot: env.TELEGRAM_API_ROOT,
  adminIds: [],
  timezone: env.TIMEZONE || 'Asia/Shanghai',
  digestTime: env.DIGEST_TIME || '09:00',
  searchRatePerMinute: 20,
};
const bot = createBot(config, { entries: app.entries, catalog: app.catalog, log, now: Date.now });

if (!token || process.argv.includes('--console')) {
  await runConsole(bot, { input: process.stdin, output: process.stdout, interactive: process.stdin.isTTY === true });
  await app.entries.flush();
} else {
  await registerCommands(bot.telegram);
  process.once('SIGINT', () => bot.stop('SIGINT'));
  process.once('SIGTERM', () => bot.stop('SIGTERM'));
  await bot.launch();
}

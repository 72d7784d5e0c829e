/**
 * The process: the only place that reads the environment, opens the store, starts the scheduler and
 * handles signals. Everything it wires is built and tested elsewhere.
 */
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegram } from 'telegraf';
import { openApp } from './app.ts';
import { createPublishLog } from './admin/publish-log.ts';
import { createInboxWatcher } from './admin/inbox.ts';
import { registerCommands } from './bot/commands.ts';
import { ADMIN_COMMANDS } from './bot/features/admin.ts';
import { createBot } from './bot/create-bot.ts';
import { ConfigError, loadConfig, readEnvironment } from './config.ts';
import type { Config } from './config.ts';
import { runConsole } from './console/run-console.ts';
import { createRateLimiter } from './delivery/rate-limiter.ts';
import { createDeliverer } from './delivery/send-with-retry.ts';
import { withRequestTimeout } from './delivery/request-timeout.ts';
import { throttleTelegram } from './delivery/telegraf-throttle.ts';
import { createDigestService, htmlSender } from './digest/digest-service.ts';
import { createHttpServer } from './infra/http-server.ts';
import { diskReport } from './infra/disk-space.ts';
import { writeHealth } from './infra/write-health.ts';
import type { HttpServer } from './infra/http-server.ts';
import { LockError, acquireLock } from './infra/instance-lock.ts';
import { createLogger, shouldPrettyPrint } from './infra/logger.ts';
import { installShutdown } from './infra/shutdown.ts';
import type { ShutdownStep } from './infra/shutdown.ts';
import { StoreError } from './store/json-file.ts';
import { removeLeftoverTmp } from './store/data-dir.ts';
import { storeFiles } from './paths.ts';
import { createMemorySubscriptionStore, openSubscriptionStore } from './store/subscription-store.ts';

let config: Config;
try {
  config = loadConfig(readEnvironment());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

const consoleMode = config.mode === 'console' || process.argv.includes('--console');
const log = createLogger({
  // The console prints the conversation on stdout: logs stay quiet there unless asked for.
  level: consoleMode && !process.env.LOG_LEVEL ? 'warn' : config.logLevel,
  pretty: shouldPrettyPrint((consoleMode ? process.stderr : process.stdout).isTTY),
  // The console's conversation owns stdout.
  fd: consoleMode ? 2 : 1,
  secrets: [config.botToken, config.webhook?.secret],
});

let digest: ReturnType<typeof createDigestService> | null = null;

async function start(cfg: Config) {
  const lock = await acquireLock(cfg.dataDir, { purpose: 'bot', log });
  // Writes cut short by a crash leave temporary files; under the lock nobody else is writing them.
  const leftovers = await removeLeftoverTmp(cfg.dataDir);
  if (leftovers.length)
    log.warn(
      { files: leftovers, dataDir: cfg.dataDir },
      'removed temporary files left by a write cut short (the files they were to replace are whole)',
    );
  const app = await openApp({ dataDir: cfg.dataDir, log });
  // An editor's Publish cut short by the last process (killed mid-way) is said once, here, and shown in /stats.
  const publishLog = createPublishLog(storeFiles(cfg.dataDir).publishLog);
  const lastPublish = await publishLog.last();
  if (lastPublish?.state === 'not completed')
    log.warn(
      { event: 'admin-publish-not-completed', ...lastPublish },
      'the last Publish did not complete (the process stopped mid-way): the editor should publish that bulletin again',
    );
  log.info(
    {
      measures: app.entries.count(),
      dataDir: cfg.dataDir,
      mode: consoleMode ? 'console' : cfg.mode,
      fromSnapshot: app.loadedFrom.snapshot,
      uptimeMs: Math.round(performance.now()),
    },
    'store open',
  );
  // The console has no real chats to deliver to: its subscriptions live in memory, to try the commands.
  const subscriptions = consoleMode ? createMemorySubscriptionStore() : await openSubscriptionStore(storeFiles(cfg.dataDir).subscriptions);

  const bot = createBot(
    {
      token: cfg.botToken ?? '0:console',
      apiRoot: cfg.telegramApiRoot,
      adminIds: [...cfg.adminIds],
      timezone: cfg.timezone,
      digestTime: cfg.digestTime.text,
      searchRatePerMinute: cfg.rate.searchPerMinute,
    },
    {
      entries: app.entries,
      catalog: app.catalog,
      log,
      now: Date.now,
      subscriptions,
      publishLog,
      stats: async () => {
        const last = await publishLog.last();
        return {
          ...(digest?.stats() ?? {}),
          ...(last
            ? {
                lastPublish: {
                  file: last.file,
                  startedAt: last.startedAt,
                  state: last.state,
                  ...(last.added !== undefined ? { added: last.added, corrected: last.corrected } : {}),
                  ...(last.error ? { error: last.error } : {}),
                },
              }
            : {}),
        };
      },
    },
  );

  if (consoleMode) {
    await runConsole(bot, { input: process.stdin, output: process.stdout, interactive: process.stdin.isTTY === true });
    await app.entries.flush();
    await app.snapshots.save();
    await lock.release();
    return;
  }

  // One limiter for replies and digests alike: Telegram's limits are per bot, not per feature.
  const limiter = createRateLimiter({
    globalPerSecond: cfg.rate.globalPerSecond,
    privatePerSecond: cfg.rate.privatePerSecond,
    groupPerMinute: cfg.rate.groupPerMinute,
    now: Date.now,
    sleep: (ms) => sleep(ms),
  });
  throttleTelegram(withRequestTimeout(bot.telegram, cfg.telegramTimeouts), limiter);

  // Digests go through the deliverer, which schedules on the same limiter itself; they use their own,
  // unthrottled client so a message is not queued on the limiter twice.
  const digestTelegram = withRequestTimeout(
    new Telegram(cfg.botToken ?? '0:console', cfg.telegramApiRoot ? { apiRoot: cfg.telegramApiRoot } : {}),
    cfg.telegramTimeouts,
  );
  const deliverer = createDeliverer({ limiter, sleep: (ms) => sleep(ms), now: Date.now, log });
  digest = createDigestService({
    subscriptions,
    entries: app.entries,
    agencies: () => app.catalog.directory(),
    deliver: deliverer.deliver,
    send: htmlSender(digestTelegram),
    timezone: cfg.timezone,
    uncertain: cfg.digestOnUncertain,
    log,
    botUsername: () => bot.botInfo?.username,
    // Instant subscriptions: a pass a moment after each publish, not at the next minute tick.
    onPublish: (listener) => app.entries.onChange(() => listener()),
  });

  const servers: HttpServer[] = [];
  const health = async () => ({
    // The file of record, and the snapshot the measures' text is read from while the bot runs.
    storeReadable:
      (await access(app.entries.file ?? '', fsConstants.R_OK).then(
        () => true,
        () => false,
      )) && app.entries.textReadable(),
    disk: await diskReport(cfg.dataDir, cfg.healthMinFreeMb),
    writes: writeHealth({ entries: app.entries.writeStatus(), subscriptions: subscriptions.writeStatus() }),
    schedulerAlive: digest?.scheduler.nextInvocation() != null,
    lastDigestRun: digest?.lastRunAt() ?? null,
    details: { measures: app.catalog.size(), subscriptions: subscriptions.count() },
  });
  const webhook = cfg.webhook;
  if (webhook) {
    const server = createHttpServer({
      port: webhook.port,
      health,
      log,
      webhook: { path: webhook.path, callback: bot.webhookCallback(webhook.path, { secretToken: webhook.secret }) },
    });
    servers.push(server);
    await server.listen();
  }
  if (cfg.healthPort !== 0 && cfg.healthPort !== webhook?.port) {
    const server = createHttpServer({ port: cfg.healthPort, health, log });
    servers.push(server);
    await server.listen();
  }

  // Editors on the host drop bulletins here; it runs inside this process, which holds the lock.
  const inbox = createInboxWatcher({
    dir: storeFiles(cfg.dataDir).inbox,
    store: app.entries,
    agencies: () => app.catalog.directory(),
    log,
  });

  const steps: ShutdownStep[] = [
    { name: 'stop taking updates', run: async () => (webhook ? servers[0]!.close(8_000) : bot.stop('shutdown')) },
    { name: 'stop the inbox', run: () => inbox.stop() },
    { name: 'stop the digests', run: () => digest!.stop() },
    { name: 'flush the store', run: () => app.entries.flush() },
    // After the flush, so the snapshot copies the file as it is left: the next start-up reads it in ~0.5 s, not 5 s at 100k.
    { name: 'write the entry snapshot', run: async () => void (app.snapshots.stop(), await app.snapshots.save()) },
    { name: 'close servers', run: async () => void (await Promise.all(servers.slice(webhook ? 1 : 0).map((s) => s.close(1_000)))) },
    { name: 'release the lock', run: () => lock.release() },
  ];
  installShutdown({ steps, log, timeoutMs: 10_000 });

  bot.botInfo ??= await bot.telegram.getMe();
  await registerCommands(bot.telegram, { adminIds: [...cfg.adminIds], adminCommands: ADMIN_COMMANDS }).catch((err: unknown) =>
    log.warn({ err }, 'setMyCommands failed; the command menu may be stale'),
  );
  inbox.start();
  app.snapshots.start();
  // Read from entries.json (first start, or the file changed): snapshot it now, so the next start is fast.
  if (!app.loadedFrom.snapshot) void app.snapshots.save();
  // Ticks every minute; the first pass runs now and catches up digests missed while the bot was down.
  void digest.start().catch((err: unknown) => log.error({ err }, 'digest scheduler failed to start'));
  if (webhook) {
    await bot.telegram.setWebhook(webhook.url, {
      secret_token: webhook.secret,
      allowed_updates: ['message', 'channel_post', 'callback_query', 'inline_query', 'my_chat_member'],
    });
    log.info({ url: webhook.url, port: webhook.port }, 'webhook set');
  } else {
    log.info({ username: bot.botInfo.username }, 'long polling');
    // launch() resolves only when polling stops; a polling failure (409: another instance) is fatal.
    bot
      .launch({ allowedUpdates: ['message', 'channel_post', 'callback_query', 'inline_query', 'my_chat_member'] })
      .catch((err: unknown) => {
        log.fatal({ err }, 'polling stopped');
        process.kill(process.pid, 'SIGTERM');
      });
  }
}

try {
  await start(config);
} catch (err) {
  if (err instanceof LockError || err instanceof StoreError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  log.fatal({ err }, 'start-up failed');
  process.exit(1);
}

/**
 * Graceful shutdown on SIGINT/SIGTERM: run the steps in order (stop taking updates, wait for in-flight
 * work, checkpoint, flush the store), then exit. A deadline guarantees the process goes away even if a
 * step hangs (systemd/docker would SIGKILL us anyway, losing the log line that says which step hung),
 * and a second Ctrl-C means "now".
 */
import type { Log } from './log.ts';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/** The part of `process` we listen on; an EventEmitter in tests. */
export interface SignalSource {
  on(event: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
  off(event: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
}

export interface ShutdownOptions {
  steps: readonly ShutdownStep[];
  timeoutMs?: number;
  log: Log;
  exit?: (code: number) => void;
  signals?: SignalSource;
}

export interface ShutdownController {
  /** Starts the shutdown as if a signal arrived (e.g. after a fatal error); resolves when steps are done or timed out. */
  shutdown(reason: string): Promise<void>;
  readonly shuttingDown: boolean;
  /** Removes the signal listeners (tests; or handing control elsewhere). */
  uninstall(): void;
}

export const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];
/** 128 + SIGINT: what shells report for an interrupted program. */
export const FORCED_EXIT_CODE = 130;

export function installShutdown(options: ShutdownOptions): ShutdownController {
  const { steps, log } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals: SignalSource = options.signals ?? process;

  let running: Promise<void> | undefined;
  let exited = false;
  // Injected exits (tests) return, so every path must make sure only the first exit counts.
  const exitOnce = (code: number): void => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  async function runSteps(reason: string): Promise<void> {
    log.info({ reason, steps: steps.map((s) => s.name), timeoutMs }, 'shutting down');
    let current = '(starting)';
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const work = (async (): Promise<boolean> => {
      let ok = true;
      for (const step of steps) {
        if (exited) return ok;
        current = step.name;
        const started = Date.now();
        try {
          await step.run();
          log.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
        } catch (err) {
          // Keep going: a failed "stop polling" must not skip flushing the store.
          ok = false;
          log.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      return ok;
    })();
    const outcome = await Promise.race([work, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log.error({ step: current, timeoutMs }, `shutdown timed out during "${current}"; exiting anyway`);
      exitOnce(1);
    } else {
      if (outcome) log.info('shutdown complete');
      else log.warn('shutdown finished with errors');
      // A failed step (e.g. the store flush) is worth a non-zero status for the supervisor.
      exitOnce(outcome ? 0 : 1);
    }
  }

  function shutdown(reason: string): Promise<void> {
    running ??= runSteps(reason);
    return running;
  }

  const onSignal = (signal: ShutdownSignal): void => {
    if (running) {
      log.warn({ signal }, 'second signal during shutdown; exiting now');
      exitOnce(FORCED_EXIT_CODE);
      return;
    }
    void shutdown(signal);
  };
  for (const s of SIGNALS) signals.on(s, onSignal);

  return {
    shutdown,
    get shuttingDown() {
      return running !== undefined;
    },
    uninstall() {
      for (const s of SIGNALS) signals.off(s, onSignal);
    },
  };
}

import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import { installShutdown } from '../../src/infra/shutdown.ts';
import type { ShutdownController, ShutdownSignal, SignalSource, ShutdownStep } from '../../src/infra/shutdown.ts';

const log = createLogger({ level: 'silent' });

function harness(steps: ShutdownStep[], timeoutMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (onExit = r));
  const controller = installShutdown({
    steps,
    timeoutMs,
    log,
    signals: signals as unknown as SignalSource,
    exit: (code) => {
      exits.push(code);
      onExit(code);
    },
  });
  return { signals, exits, exited, controller, send: (s: ShutdownSignal) => signals.emit(s, s) };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('installShutdown', () => {
  let controller: ShutdownController | undefined;
  afterEach(() => controller?.uninstall());

  it('runs the steps in order on SIGTERM, then exits 0', async () => {
    const order: string[] = [];
    const step = (name: string, ms: number): ShutdownStep => ({
      name,
      run: async () => {
        order.push(`${name}:start`);
        await tick(ms);
        order.push(`${name}:end`);
      },
    });
    const h = harness([step('stop updates', 20), step('wait in-flight', 5), step('checkpoint', 0), step('flush store', 10)]);
    controller = h.controller;
    expect(h.controller.shuttingDown).toBe(false);
    h.send('SIGTERM');
    expect(h.controller.shuttingDown).toBe(true);
    expect(await h.exited).toBe(0);
    expect(order).toEqual([
      'stop updates:start',
      'stop updates:end',
      'wait in-flight:start',
      'wait in-flight:end',
      'checkpoint:start',
      'checkpoint:end',
      'flush store:start',
      'flush store:end',
    ]);
    expect(h.exits).toEqual([0]);
  });

  it('keeps going after a failing step and exits 1', async () => {
    const ran: string[] = [];
    const h = harness([
      {
        name: 'stop updates',
        run: async () => {
          ran.push('stop');
          throw new Error('already stopped');
        },
      },
      { name: 'flush store', run: async () => void ran.push('flush') },
    ]);
    controller = h.controller;
    h.send('SIGINT');
    expect(await h.exited).toBe(1);
    expect(ran).toEqual(['stop', 'flush']);
  });

  it('exits 1 when the steps exceed the timeout, without running later steps', async () => {
    const ran: string[] = [];
    const h = harness(
      [
        { name: 'hangs', run: () => new Promise<void>(() => void ran.push('hangs')) },
        { name: 'after', run: async () => void ran.push('after') },
      ],
      50,
    );
    controller = h.controller;
    const started = Date.now();
    h.send('SIGTERM');
    expect(await h.exited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(ran).toEqual(['hangs']);
    await tick(20);
    expect(h.exits).toEqual([1]);
  });

  it('a second signal exits immediately with 130', async () => {
    let release: () => void = () => {};
    const h = harness([{ name: 'slow', run: () => new Promise<void>((r) => (release = r)) }], 5000);
    controller = h.controller;
    h.send('SIGTERM');
    await tick(5);
    expect(h.exits).toEqual([]);
    h.send('SIGINT');
    expect(h.exits).toEqual([130]);
    // The first shutdown finishing later must not exit a second time.
    release();
    await tick(10);
    expect(h.exits).toEqual([130]);
  });

  it('shutdown() can be triggered programmatically and only runs once', async () => {
    let runs = 0;
    const h = harness([{ name: 'flush', run: async () => void runs++ }]);
    controller = h.controller;
    await Promise.all([h.controller.shutdown('fatal error'), h.controller.shutdown('again')]);
    expect(runs).toBe(1);
    expect(h.exits).toEqual([0]);
  });

  it('uninstall() removes the signal listeners', () => {
    const h = harness([]);
    expect(h.signals.listenerCount('SIGINT')).toBe(1);
    expect(h.signals.listenerCount('SIGTERM')).toBe(1);
    h.controller.uninstall();
    expect(h.signals.listenerCount('SIGINT')).toBe(0);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
  });
});

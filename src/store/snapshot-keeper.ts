import type { Log } from '../infra/log.ts';
import type { SearchIndex } from '../core/search/search-index.ts';
import type { EntryStore } from './entry-store.ts';
import { sameStamp } from './file-stamp.ts';
import type { FileStamp } from './file-stamp.ts';
import { writeSnapshot } from './snapshot-file.ts';

export type SnapshotOutcome = 'written' | 'fresh' | 'not durable' | 'no store file' | 'failed';

export interface SnapshotKeeper {
  /** Writes a snapshot of the store as its file now holds it, unless the last one already is. */
  save(): Promise<SnapshotOutcome>;
  /** Checks every `everyMs` whether the store file moved on from the last snapshot, and saves if so. */
  start(): void;
  stop(): void;
}

/**
 * Keeps entries.snapshot in step with entries.json, off the hot path: a snapshot only makes the next
 * start-up fast, so it is written after changes have settled (and at shutdown), never per change.
 */
export function createSnapshotKeeper(opts: {
  file: string;
  store: EntryStore;
  index: SearchIndex;
  log: Log;
  fresh?: FileStamp | null;
  everyMs?: number;
}): SnapshotKeeper {
  let saved: FileStamp | null = opts.fresh ?? null;
  let running: Promise<SnapshotOutcome> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const attempt = async (): Promise<SnapshotOutcome> => {
    const { store } = opts;
    if (!store.file) return 'no store file';
    await store.flush();
    const durable = store.durable();
    // Data and index are exported in this same turn of the event loop, so both describe exactly the
    // changes the file holds; a change made meanwhile leaves the file ahead and waits for the next save.
    if (!durable || durable.changes !== store.changes()) return 'not durable';
    if (saved && sameStamp(saved, durable.stamp)) return 'fresh';
    const started = performance.now();
    const index = opts.index.exportState();
    const written = await writeSnapshot(
      opts.file,
      { seq: store.seq(), bulletins: [...store.bulletins()], table: store.table, rows: store.liveRows(), index },
      durable.stamp,
    );
    // From now on the entries' text is read from the new file, and what was held in memory is let go.
    store.table.adopt({ fd: written.fd, offset: written.textOffset }, written.rows, written.starts);
    saved = durable.stamp;
    opts.log.info(
      { file: opts.file, entries: written.rows.length, bytes: written.bytes, ms: Math.round(performance.now() - started) },
      'entry snapshot written',
    );
    return 'written';
  };

  const save = async (): Promise<SnapshotOutcome> => {
    while (running) await running;
    running = attempt().catch((err: unknown) => {
      opts.log.warn({ err, file: opts.file }, 'entry snapshot not written; the next start reads entries.json instead');
      return 'failed' as const;
    });
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  return {
    save,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        const d = opts.store.durable();
        if (!running && (!d || !saved || !sameStamp(d.stamp, saved))) void save();
      }, opts.everyMs ?? 60_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

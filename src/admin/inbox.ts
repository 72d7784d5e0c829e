/**
 * The inbox folder: an editor copies a bulletin into DATA_DIR/inbox while the bot runs, and it is published
 * without a restart. Outcomes are visible on disk: done/ for published files, failed/ with a .reason.txt
 * beside each refused one.
 *
 * Polling, not fs.watch: watch events are unreliable across platforms and network shares, and a listing
 * every couple of seconds costs nothing. A file is taken only once its size and mtime stayed the same
 * across two scans, so a bulletin still being copied is never read half-written.
 */
import { access, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log } from '../infra/log.ts';
import type { AgencyDirectory } from '../core/agencies.ts';
import type { IngestResult } from '../core/model.ts';
import { maxBytesFor } from '../ingest/read-bulletin.ts';
import type { EntryStore } from '../store/entry-store.ts';
import { previewBulletin, publishBulletin } from './publish.ts';

export interface InboxOptions {
  /** DATA_DIR/inbox (storeFiles(dataDir).inbox). */
  dir: string;
  store: EntryStore;
  /** Asked per file: the agencies known now, including those learnt from earlier bulletins. */
  agencies: AgencyDirectory | (() => AgencyDirectory);
  log: Log;
  intervalMs?: number;
  now?: () => Date;
}

export type InboxOutcome =
  | { file: string; status: 'published'; movedTo: string; result: IngestResult; title: string }
  | { file: string; status: 'failed'; movedTo: string; error: string };

export interface InboxWatcher {
  readonly dir: string;
  /** Polls every intervalMs until stop(). */
  start(): void;
  /** Stops polling and waits for a scan in flight, so the store is not written after shutdown begins. */
  stop(): Promise<void>;
  /** One pass: takes the files that were already seen, unchanged, on the previous pass. */
  scanOnce(): Promise<InboxOutcome[]>;
}

// Names that copy tools and editors use while a file is still being written.
const IN_PROGRESS = /(?:\.(?:tmp|part|partial|crdownload|download|swp)|~)$/i;
// An empty file may be the first moment of a copy: give it longer before calling it a bad bulletin.
const EMPTY_FILE_SCANS = 5;

interface Seen {
  size: number;
  mtimeMs: number;
  /** Consecutive scans that found the file exactly like this. */
  stableScans: number;
}

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

export function createInboxWatcher(opts: InboxOptions): InboxWatcher {
  const { dir, store, agencies, log } = opts;
  const intervalMs = opts.intervalMs ?? 2000;
  const now = opts.now ?? (() => new Date());
  const doneDir = join(dir, 'done');
  const failedDir = join(dir, 'failed');
  const seen = new Map<string, Seen>();
  let inFlight: Promise<InboxOutcome[]> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  /** done/<timestamp>-<name>, never overwriting an earlier file with the same name and instant. */
  const target = async (folder: string, name: string) => {
    const base = `${stamp(now())}-${name}`;
    let path = join(folder, base);
    for (let n = 1; (await exists(path)) || (await exists(`${path}.reason.txt`)); n++) path = join(folder, `${n}-${base}`);
    return path;
  };

  const fail = async (name: string, error: string): Promise<InboxOutcome> => {
    const to = await target(failedDir, name);
    await rename(join(dir, name), to);
    await writeFile(`${to}.reason.txt`, `${name}: ${error}\n`, 'utf8');
    log.warn({ event: 'inbox-failed', file: name, movedTo: to, error }, 'inbox: bulletin refused');
    return { file: name, status: 'failed', movedTo: to, error };
  };

  const take = async (name: string, size: number): Promise<InboxOutcome | null> => {
    const max = maxBytesFor(name);
    if (size > max) {
      return fail(name, `the file is ${(size / 1024 / 1024).toFixed(1)} MB; a bulletin is at most ${max / 1024 / 1024} MB`);
    }
    const bytes = await readFile(join(dir, name));
    const preview = await previewBulletin(bytes, name, { agencies: typeof agencies === 'function' ? agencies() : agencies, store });
    if (!preview.ok) return fail(name, preview.line ? `line ${preview.line}: ${preview.error}` : preview.error);
    // Moved only after the store is written: a failed write leaves the file in the inbox to be retried.
    const result = await publishBulletin(preview.parsed, store, now());
    const to = await target(doneDir, name);
    await rename(join(dir, name), to);
    const b = preview.parsed.bulletin;
    log.info(
      {
        event: 'inbox-published',
        file: name,
        movedTo: to,
        bulletin: b.title,
        asOf: b.asOf,
        added: result.added,
        corrected: result.corrected,
        unchanged: result.unchanged,
        older: result.older,
        warnings: preview.parsed.warnings.length,
      },
      'inbox: bulletin published',
    );
    return { file: name, status: 'published', movedTo: to, result, title: b.title };
  };

  const scan = async (): Promise<InboxOutcome[]> => {
    await mkdir(doneDir, { recursive: true });
    await mkdir(failedDir, { recursive: true });
    const outcomes: InboxOutcome[] = [];
    const present = new Set<string>();
    for (const d of await readdir(dir, { withFileTypes: true })) {
      // done/ and failed/ are folders; editors' hidden and partial files are not bulletins yet.
      if (!d.isFile() || d.name.startsWith('.') || IN_PROGRESS.test(d.name)) continue;
      const name = d.name;
      present.add(name);
      let st;
      try {
        st = await stat(join(dir, name));
      } catch {
        continue; // removed between the listing and now
      }
      const prev = seen.get(name);
      const stableScans = prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs ? prev.stableScans + 1 : 0;
      seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, stableScans });
      if (stableScans < (st.size === 0 ? EMPTY_FILE_SCANS : 1)) continue;
      seen.delete(name);
      try {
        const outcome = await take(name, st.size);
        if (outcome) outcomes.push(outcome);
      } catch (err) {
        // Not the file's fault (disk full, permissions): keep it where it is, try again on a later scan.
        log.error({ event: 'inbox-error', file: name, err }, 'inbox: could not process file; will retry');
      }
    }
    for (const name of seen.keys()) if (!present.has(name)) seen.delete(name);
    return outcomes;
  };

  const scanOnce = (): Promise<InboxOutcome[]> => {
    // One scan at a time: a second caller waits for the current pass and runs its own afterwards.
    const next = (inFlight ?? Promise.resolve([])).catch(() => []).then(scan);
    const mine = next.finally(() => {
      if (inFlight === mine) inFlight = null;
    });
    inFlight = mine;
    return mine;
  };

  const loop = () => {
    timer = setTimeout(() => {
      timer = null;
      scanOnce()
        .catch((err: unknown) => log.error({ event: 'inbox-error', dir, err }, 'inbox: scan failed'))
        .finally(() => {
          if (running) loop();
        });
    }, intervalMs);
    timer.unref();
  };

  return {
    dir,
    start() {
      if (running) return;
      running = true;
      log.info({ event: 'inbox-watching', dir, intervalMs }, 'inbox: watching for bulletins');
      loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight?.catch(() => undefined);
    },
    scanOnce,
  };
}

import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import { StoreError } from './json-file.ts';
import { KEEP_RUNS, digestRunSchema, subscriptionSchema } from './subscription-schema.ts';
import type { DigestRun, Subscription, SubscriptionsFile } from './subscription-schema.ts';

// ---------------------------------------------------------------------------------------------
// Journal: subscriptions.json is a snapshot; changes since it are appended to subscriptions.journal
// ---------------------------------------------------------------------------------------------

const chatIdSchema = subscriptionSchema.shape.chatId;
/** One journal line: a subscription's full record, a removal, a migration (renamed in place), or a run record. */
const journalLineSchema = z.union([
  z.strictObject({ s: subscriptionSchema }),
  z.strictObject({ d: chatIdSchema }),
  z.strictObject({ m: z.tuple([chatIdSchema, chatIdSchema]) }),
  z.strictObject({ r: digestRunSchema }),
]);
type JournalLine = z.infer<typeof journalLineSchema>;

/** Where the journal of a snapshot file lives: subscriptions.json → subscriptions.journal, beside it. */
export const journalPathFor = (file: string) => join(dirname(file), `${basename(file, '.json')}.journal`);

/** Journal past either limit is folded into a new snapshot, in the background (see compactInBackground). */
export const COMPACT_AT = { bytes: 64 * 2 ** 20, lines: 200_000 };

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function fsyncPath(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Writes `text` as the new snapshot (lowdb DataFile: temp file + rename) and makes it durable (fsync of the file
 * and of its directory, so the rename survives a power cut) before the caller drops the journal it replaces.
 */
async function writeSnapshot(file: string, text: string): Promise<void> {
  await new DataFile<string>(file, { parse: (x) => x, stringify: (x) => x }).write(text);
  await fsyncPath(file);
  await fsyncPath(dirname(file)).catch(() => {}); // not every platform lets a directory be opened for fsync
}

/**
 * The same, from pieces written one by one (no 30 MB string turned into one buffer in one go, which would hold
 * the event loop ~100 ms): temp file, fsync, rename over the snapshot, fsync of the directory.
 */
async function writeSnapshotInPieces(file: string, pieces: readonly string[]): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.compact.tmp`);
  const h = await open(tmp, 'w');
  try {
    for (const piece of pieces) await h.write(Buffer.from(piece, 'utf8'));
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  await fsyncPath(dirname(file)).catch(() => {});
}

/** Applies journal lines over a snapshot, in order. Idempotent over a newer snapshot (a crash mid-compaction). */
export function replay(base: SubscriptionsFile, lines: Iterable<JournalLine>): SubscriptionsFile {
  const subs: (Subscription | null)[] = base.subscriptions;
  const at = new Map<number, number>(subs.map((s, i) => [s!.chatId, i]));
  const runs = base.runs;
  for (const line of lines) {
    if ('s' in line) {
      const i = at.get(line.s.chatId);
      if (i === undefined) at.set(line.s.chatId, subs.push(line.s) - 1);
      else subs[i] = line.s;
    } else if ('d' in line) {
      const i = at.get(line.d);
      if (i !== undefined) (subs[i] = null, at.delete(line.d));
    } else if ('m' in line) {
      const [from, to] = line.m;
      const i = at.get(from);
      if (i === undefined) continue;
      at.delete(from);
      // Renamed in place (its record follows in the next line); if the new id already has one, that one wins.
      if (at.has(to)) subs[i] = null;
      else (at.set(to, i), (subs[i] = { ...subs[i]!, chatId: to }));
    } else {
      const i = runs.findIndex((r) => r.id === line.r.id);
      if (i >= 0) runs[i] = line.r;
      else {
        runs.push(line.r);
        if (runs.length > KEEP_RUNS) runs.splice(0, runs.length - KEEP_RUNS);
      }
    }
  }
  return { version: 1, subscriptions: subs.filter((s): s is Subscription => s !== null), runs };
}

/**
 * Reads the journal's lines. A last line cut short by a crash (no newline, not valid) is ignored with a warning:
 * its flush never completed, so nobody was told it was durable. Any other bad line refuses the store.
 */
export async function readJournal(path: string, warn: (msg: string) => void): Promise<{ lines: JournalLine[]; torn: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], torn: false };
    throw new StoreError(path, `cannot be read: ${(err as Error).message}`);
  }
  const raw = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const out: JournalLine[] = [];
  let torn = false;
  for (let n = 0; n < raw.length; n++) {
    const line = raw[n]!;
    if (line === '' && n === raw.length - 1) break;
    const last = n === raw.length - 1 && !complete;
    let parsed: JournalLine | null = null;
    let why = '';
    try {
      const r = journalLineSchema.safeParse(JSON.parse(line));
      if (r.success) parsed = r.data;
      else why = `does not match the journal format: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
    } catch (err) {
      why = `is not valid JSON (${(err as Error).message})`;
    }
    if (parsed) out.push(parsed);
    else if (last) {
      torn = true;
      warn(`store journal ${path}:${n + 1}: last line cut short (a crash during a write); ignored`);
    }
    else throw new StoreError(`${path}:${n + 1}`, `${why}; the store was left as it is — repair or remove that line (the changes after the snapshot are in this file)`);
  }
  return { lines: out, torn };
}

/** The append side of the journal: one fsync per flush; compaction to a new snapshot when it grows past COMPACT_AT. */
export class SubscriptionJournal {
  private lock: Promise<unknown> = Promise.resolve();
  private compacting: Promise<void> | null = null;
  private lastCompactFailure = -Infinity;
  /** Bytes known to be whole lines; a failed append is cut back to here before the next one. */
  private goodBytes: number;
  private broken = false;

  private constructor(
    readonly path: string,
    readonly snapshot: string,
    private bytes: number,
    private lines: number,
    private readonly limits: { bytes: number; lines: number },
    private readonly warn: (msg: string) => void,
  ) {
    this.goodBytes = bytes;
  }

  static async open(snapshot: string, opts: { limits?: Partial<typeof COMPACT_AT>; warn: (msg: string) => void }): Promise<SubscriptionJournal> {
    const path = journalPathFor(snapshot);
    const text = await readFile(path).catch(() => Buffer.alloc(0));
    const whole = text.lastIndexOf(0x0a) + 1;
    const j = new SubscriptionJournal(path, snapshot, text.length, 0, { ...COMPACT_AT, ...opts.limits }, opts.warn);
    // A torn last line (a crash mid-append) is cut off before the first append, should compaction not do it.
    j.goodBytes = whole;
    j.broken = whole < text.length;
    return j;
  }

  /** Runs `fn` with no append or journal swap in between. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.lock.then(fn);
    this.lock = p.catch(() => {});
    return p;
  }

  get size(): { bytes: number; lines: number } {
    return { bytes: this.bytes, lines: this.lines };
  }

  /** Appends whole lines and fsyncs: when this resolves they survive a power cut. */
  append(lines: readonly string[]): Promise<void> {
    return this.exclusive(async () => {
      // Opened per append (one per flush, not per change): no descriptor held between flushes.
      const h = await open(this.path, 'a');
      try {
        if (this.broken) {
          // The last append failed part-way: cut its torn tail off, or the next line would follow half a line.
          await h.truncate(this.goodBytes);
          this.bytes = this.goodBytes;
          this.broken = false;
        }
        const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
        try {
          await h.write(buf);
          await h.sync();
        } catch (err) {
          this.broken = true;
          throw err;
        }
        this.bytes += buf.length;
      } finally {
        await h.close();
      }
      this.goodBytes = this.bytes;
      this.lines += lines.length;
    });
  }

  wantsCompaction(): boolean {
    return !this.compacting && (this.bytes > this.limits.bytes || this.lines > this.limits.lines) && Date.now() - this.lastCompactFailure > 60_000;
  }

  /** Replaces the snapshot with `text` and empties the journal (at open: nothing else is writing). */
  async compactNow(text: string): Promise<void> {
    await this.exclusive(async () => {
      await writeSnapshot(this.snapshot, text);
      const h = await open(this.path, 'w');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      this.bytes = this.goodBytes = 0;
      this.lines = 0;
      this.broken = false;
    });
  }

  /**
   * Folds the journal into a new snapshot without holding up the event loop or the appends: the records are
   * serialised in slices with the event loop yielded between them; lines appended meanwhile (from `mark` on)
   * are kept in a fresh journal. Replaying them over the new snapshot is exact: each change made after `mark`
   * has its own line there, and the lines are whole records. A crash at any point leaves a snapshot and a
   * journal that replay to the state of the last completed flush.
   */
  compactInBackground(state: () => { subscriptions: readonly Subscription[]; runs: readonly DigestRun[] }): void {
    if (this.compacting) return;
    this.compacting = this.compact(state)
      .catch((err: unknown) => {
        this.lastCompactFailure = Date.now();
        this.warn(`store journal ${this.path}: compaction failed (${(err as Error).message}); the journal keeps growing, retried later`);
      })
      .finally(() => {
        this.compacting = null;
      });
  }

  /** Resolves when a compaction under way (if any) is over. */
  async settled(): Promise<void> {
    await this.compacting;
  }

  private async compact(state: () => { subscriptions: readonly Subscription[]; runs: readonly DigestRun[] }): Promise<void> {
    // Everything appended before `mark` is reflected in the state read from here on.
    const mark = await this.exclusive(async () => ({ bytes: this.bytes, lines: this.lines }));
    const { subscriptions, runs } = state();
    const pieces: string[] = ['{"version":1,"subscriptions":['];
    const SLICE = 2_000;
    for (let i = 0; i < subscriptions.length; i += SLICE) {
      const chunk = JSON.stringify(subscriptions.slice(i, i + SLICE));
      pieces.push((i > 0 ? ',' : '') + chunk.slice(1, -1));
      await yieldToLoop();
    }
    pieces.push(`],"runs":${JSON.stringify(runs)}}`);
    await writeSnapshotInPieces(this.snapshot, pieces);
    await this.exclusive(async () => {
      // The lines appended since `mark` move to a fresh journal, swapped in by rename.
      const tailLength = this.bytes - mark.bytes;
      const tail = Buffer.alloc(tailLength);
      if (tailLength > 0) {
        const r = await open(this.path, 'r');
        try {
          await r.read(tail, 0, tailLength, mark.bytes);
        } finally {
          await r.close();
        }
      }
      const fresh = `${this.path}.new`;
      const h = await open(fresh, 'w');
      try {
        await h.write(tail);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(fresh, this.path);
      await fsyncPath(dirname(this.path)).catch(() => {});
      this.bytes = this.goodBytes = tailLength;
      this.lines -= mark.lines;
    });
  }

}

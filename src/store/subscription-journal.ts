import { open, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { crc32 } from 'node:zlib';
import { StoreError } from './json-file.ts';
import { canonicalJson, checksummedJson } from './record-checksum.ts';
import { KEEP_RUNS, createInterner, digestRunSchema, leanSubscription, subscriptionSchema } from './subscription-schema.ts';
import type { DigestRun, Intern, Subscription, SubscriptionsFile } from './subscription-schema.ts';
import { streamFile } from './subscription-snapshot.ts';

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

/**
 * One journal record as written: `#<seq> <bytes> <crc32> <json>\n`. `json` is the record's canonical JSON (keys
 * sorted); `bytes` its length in UTF-8 and `crc32` (hex) its checksum; `seq` counts records one by one. Only a
 * torn LAST record (the file ends inside it: a crash mid-append) is forgiven; a record that is damaged, shorter or
 * longer than its frame, or out of sequence (records missing in between) refuses the store, naming its line.
 * Lines without a frame (`{…}`) are from a journal written before frames existed: read as before.
 */
export function frameRecord(seq: number, value: unknown): string {
  const json = canonicalJson(value);
  return `#${seq} ${Buffer.byteLength(json)} ${crc32(json).toString(16).padStart(8, '0')} ${json}`;
}

const FRAME = /^#(\d+) (\d+) ([0-9a-f]{8}) /;

/** Journal past either limit is folded into a new snapshot, in the background (see compactInBackground). */
export const COMPACT_AT = { bytes: 64 * 2 ** 20, lines: 200_000 };

async function fsyncPath(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Text to a file through one reused buffer, written when it fills: no Buffer per piece (each a malloc that glibc
 * may keep after it is freed), no string of the whole store. Short writes (possible near a full disk) are resumed.
 */
class BufferedWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  constructor(private readonly h: FileHandle) {}

  async add(text: string): Promise<void> {
    // Three bytes per UTF-16 unit at most: what is left must hold the worst case before encoding into it.
    if (this.used + 3 * text.length > this.buf.length) await this.flush();
    if (3 * text.length > this.buf.length) this.buf = Buffer.allocUnsafe(3 * text.length);
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  async flush(): Promise<void> {
    for (let at = 0; at < this.used;) at += (await this.h.write(this.buf, at, this.used - at)).bytesWritten;
    this.used = 0;
  }
}

/**
 * Writes the new snapshot from pieces serialised one by one — 250 records at a time (~90 kB, a young-generation
 * string), with `pause` between them — never the whole store as one string and one Buffer (~35 MB each at 100k
 * subscriptions, the string twice that once a filter holds Chinese): temp file (lowdb's name for it), fsync,
 * rename over the snapshot, fsync of the directory, so the rename survives a power cut before the caller drops
 * the journal.
 */
async function writeSnapshotInPieces(
  file: string,
  subscriptions: readonly Subscription[],
  runs: readonly DigestRun[],
  pause: () => Promise<void>,
): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.tmp`);
  const h = await open(tmp, 'w');
  try {
    const out = new BufferedWriter(h);
    await out.add('{"version":1,"subscriptions":[');
    const SLICE = 250;
    for (let i = 0; i < subscriptions.length; i += SLICE) {
      // Each record with its checksum (record-checksum.ts), keys sorted.
      const chunk = subscriptions
        .slice(i, i + SLICE)
        .map(checksummedJson)
        .join(',');
      await out.add(i > 0 ? ',' : '');
      await out.add(chunk);
      if (i % (8 * SLICE) === 0) await pause();
    }
    await out.add(`],"runs":[${runs.map(checksummedJson).join(',')}]}`);
    await out.flush();
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  await fsyncPath(dirname(file)).catch(() => {}); // not every platform lets a directory be opened for fsync
}

/** The journal's size and where its last whole line ends, from its tail alone (it may be 64 MB). */
async function wholeLines(path: string): Promise<{ size: number; whole: number; missing: boolean }> {
  let h: FileHandle | null = null;
  try {
    h = await open(path, 'r');
    const { size } = await h.stat();
    const block = Buffer.allocUnsafe(64 * 1024);
    for (let to = size; to > 0;) {
      const from = Math.max(0, to - block.length);
      const { bytesRead } = await h.read(block, 0, to - from, from);
      const nl = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) return { size, whole: from + nl + 1, missing: false };
      to = from;
    }
    return { size, whole: 0, missing: false };
  } catch (err) {
    // Unreadable here: taken as empty (readJournal has refused the store already if it matters).
    return { size: 0, whole: 0, missing: (err as NodeJS.ErrnoException).code === 'ENOENT' };
  } finally {
    await h?.close();
  }
}

function indexOf(subs: readonly (Subscription | null)[]): Map<number, number> {
  const at = new Map<number, number>();
  for (let i = 0; i < subs.length; i++) at.set(subs[i]!.chatId, i);
  return at;
}

/** Applies journal lines over a snapshot, in order. Idempotent over a newer snapshot (a crash mid-compaction). */
export function replay(base: SubscriptionsFile, lines: Iterable<JournalLine>): SubscriptionsFile {
  const subs: (Subscription | null)[] = base.subscriptions;
  const runs = base.runs;
  let dropped = false;
  let index: Map<number, number> | null = null;
  for (const line of lines) {
    // Built at the first line: an empty journal (the usual open) costs no map of 100k.
    const at = (index ??= indexOf(subs));
    if ('s' in line) {
      const i = at.get(line.s.chatId);
      if (i === undefined) at.set(line.s.chatId, subs.push(line.s) - 1);
      else subs[i] = line.s;
    } else if ('d' in line) {
      const i = at.get(line.d);
      if (i !== undefined) {
        subs[i] = null;
        at.delete(line.d);
        dropped = true;
      }
    } else if ('m' in line) {
      const [from, to] = line.m;
      const i = at.get(from);
      if (i === undefined) continue;
      at.delete(from);
      // Renamed in place (its record follows in the next line); if the new id already has one, that one wins.
      if (at.has(to)) {
        subs[i] = null;
        dropped = true;
      } else {
        at.set(to, i);
        subs[i] = { ...subs[i]!, chatId: to };
      }
    } else {
      const i = runs.findIndex((r) => r.id === line.r.id);
      if (i >= 0) runs[i] = line.r;
      else {
        runs.push(line.r);
        if (runs.length > KEEP_RUNS) runs.splice(0, runs.length - KEEP_RUNS);
      }
    }
  }
  // No second array of 100k when nothing was removed (the usual open).
  return { version: 1, subscriptions: dropped ? subs.filter((s): s is Subscription => s !== null) : (subs as Subscription[]), runs };
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** journalLineSchema's verdict for a record, removal or migration line, by hand (see leanSubscription); null: zod decides. */
function leanLine(v: unknown, intern: Intern): JournalLine | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  let keys = 0;
  for (const _ in v) keys++;
  if (keys !== 1) return null;
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, 's')) {
    const s = leanSubscription(o.s, intern);
    return s && { s };
  }
  if (Object.hasOwn(o, 'd')) return isId(o.d) ? { d: o.d } : null;
  if (Object.hasOwn(o, 'm')) return Array.isArray(o.m) && o.m.length === 2 && isId(o.m[0]) && isId(o.m[1]) ? { m: [o.m[0], o.m[1]] } : null;
  return null;
}

/** What a journal record names, for an error message: the chat or the run it is about. */
function recordName(json: string): string {
  try {
    const v = JSON.parse(json) as { s?: { chatId?: unknown }; d?: unknown; m?: unknown[]; r?: { id?: unknown } };
    if (v.s) return ` (subscription of chat ${String(v.s.chatId)})`;
    if (v.d !== undefined) return ` (removal of chat ${String(v.d)})`;
    if (v.m) return ` (migration of chat ${String(v.m[0])})`;
    if (v.r) return ` (digest run ${String(v.r.id)})`;
  } catch {
    // not even JSON: nothing to name
  }
  return '';
}

const RESTORE =
  'the store was left as it is — restore subscriptions.journal from a backup, or repair that line (changes after the snapshot are in this file; `npm run check` lists every problem)';

/**
 * Reads the journal's records (see frameRecord). A last record cut short by a crash (the file ends inside it) is
 * ignored with a warning: its flush never completed, so nobody was told it was durable. Anything else that is
 * wrong refuses the store with the line number. Read in chunks (the journal may reach 64 MB), records checked by
 * hand before zod, in the lean shape.
 */
export async function readJournal(
  path: string,
  warn: (msg: string) => void,
  intern: Intern = createInterner(),
): Promise<{ lines: JournalLine[]; torn: boolean; lastSeq: number; framed: number; unframed: number }> {
  const out: JournalLine[] = [];
  let torn = false;
  let n = 0;
  let lastSeq = 0;
  let prevSeq: number | null = null;
  let framed = 0;
  let unframed = 0;
  const refuse = (why: string): never => {
    throw new StoreError(`${path}:${n}`, `${why}; ${RESTORE}`);
  };
  const take = (raw: Buffer, last: boolean) => {
    n++;
    let json: string;
    if (raw[0] === 0x23 /* # */) {
      const head = FRAME.exec(raw.toString('latin1', 0, Math.min(raw.length, 64)));
      if (!head) {
        // The file ends inside the frame's header: a torn append.
        if (last) return void ((torn = true), warn(`store journal ${path}:${n}: last record cut short (a crash during a write); ignored`));
        return refuse('its record frame is damaged');
      }
      const seq = Number(head[1]);
      const bytes = Number(head[2]);
      const body = raw.subarray(head[0].length);
      if (body.length < bytes) {
        if (last)
          return void (
            (torn = true),
            warn(`store journal ${path}:${n}: last record cut short (${body.length} of ${bytes} bytes: a crash during a write); ignored`)
          );
        return refuse(`record #${seq} is ${body.length} bytes where its frame says ${bytes}: bytes are missing`);
      }
      json = body.toString('utf8');
      if (body.length > bytes)
        refuse(`record #${seq} is ${body.length} bytes where its frame says ${bytes}: bytes were added or lines joined`);
      if (crc32(body).toString(16).padStart(8, '0') !== head[3])
        refuse(`record #${seq}${recordName(json)} fails its checksum: its content changed after it was written`);
      if (prevSeq !== null && seq !== prevSeq + 1)
        refuse(
          `record #${seq} follows record #${prevSeq}: ${seq > prevSeq ? `${seq - prevSeq - 1} record(s) are missing before it` : 'records are out of order'}`,
        );
      prevSeq = lastSeq = seq;
      framed++;
    } else {
      json = raw.toString('utf8');
      unframed++;
    }
    let parsed: JournalLine | null = null;
    let why = '';
    try {
      const v: unknown = JSON.parse(json);
      parsed = leanLine(v, intern);
      if (!parsed) {
        const r = journalLineSchema.safeParse(v);
        if (r.success) parsed = 's' in r.data ? { s: leanSubscription(r.data.s, intern) ?? r.data.s } : r.data;
        else
          why = `does not match the journal format: ${r.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; ')}`;
      }
    } catch (err) {
      why = `is not valid JSON (${(err as Error).message})`;
    }
    if (parsed) out.push(parsed);
    else if (last && raw[0] !== 0x23) {
      // An unframed (old) journal: a last line that does not parse is the torn one.
      torn = true;
      warn(`store journal ${path}:${n}: last line cut short (a crash during a write); ignored`);
    } else refuse(why);
  };
  try {
    await streamFile(path, (b, end, eof) => {
      const window = b.subarray(0, end);
      let from = 0;
      for (let nl = window.indexOf(0x0a); nl >= 0; nl = window.indexOf(0x0a, from)) {
        take(window.subarray(from, nl), false);
        from = nl + 1;
      }
      // A last line without its newline: whole if its frame says so, else cut short by a crash.
      if (eof && from < end) take(window.subarray(from, end), true);
      return from;
    });
  } catch (err) {
    if (err instanceof StoreError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], torn: false, lastSeq: 0, framed: 0, unframed: 0 };
    throw new StoreError(path, `cannot be read: ${(err as Error).message}`);
  }
  return { lines: out, torn, lastSeq, framed, unframed };
}

/** The append side of the journal: one fsync per flush; compaction to a new snapshot when it grows past COMPACT_AT. */
export class SubscriptionJournal {
  private lock: Promise<unknown> = Promise.resolve();
  private compacting: Promise<void> | null = null;
  private lastCompactFailure = -Infinity;
  /** Bytes known to be whole lines; a failed append is cut back to here before the next one. */
  private goodBytes: number;
  private broken = false;
  private needsNewline = false;
  /** No journal file yet (a new store, or one from before the journal). */
  private missing = false;

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

  static async open(
    snapshot: string,
    opts: {
      limits?: Partial<typeof COMPACT_AT>;
      warn: (msg: string) => void;
      lastSeq?: number;
      /** readJournal took the last record as whole (no newline, but complete). */ tailWhole?: boolean;
    },
  ): Promise<SubscriptionJournal> {
    const path = journalPathFor(snapshot);
    const { size, whole, missing } = await wholeLines(path);
    const j = new SubscriptionJournal(path, snapshot, size, 0, { ...COMPACT_AT, ...opts.limits }, opts.warn);
    j.nextSeq = (opts.lastSeq ?? 0) + 1;
    if (opts.tailWhole && whole < size) {
      // A last record complete but for its newline (a crash between the two): it was read, so it is kept; the
      // next append starts with the missing newline instead of cutting it off.
      j.goodBytes = size;
      j.needsNewline = true;
    } else {
      // A torn last line (a crash mid-append) is cut off before the first append, should compaction not do it.
      j.goodBytes = whole;
      j.broken = whole < size;
    }
    j.missing = missing;
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

  /** The next record's sequence number (records count on from the journal's last one). */
  private nextSeq = 1;

  /** Appends records (framed, one line each) and fsyncs: when this resolves they survive a power cut. */
  append(records: readonly unknown[]): Promise<void> {
    return this.exclusive(async () => {
      const lines = records.map((r, i) => frameRecord(this.nextSeq + i, r));
      // Opened per append (one per flush, not per change): no descriptor held between flushes.
      const h = await open(this.path, 'a');
      try {
        if (this.broken) {
          // The last append failed part-way: cut its torn tail off, or the next line would follow half a line.
          await h.truncate(this.goodBytes);
          this.bytes = this.goodBytes;
          this.broken = false;
        }
        const buf = Buffer.from((this.needsNewline ? '\n' : '') + lines.join('\n') + '\n', 'utf8');
        try {
          await h.write(buf);
          await h.sync();
        } catch (err) {
          this.broken = true;
          throw err;
        }
        this.bytes += buf.length;
        this.nextSeq += records.length;
        this.needsNewline = false;
      } finally {
        await h.close();
      }
      this.goodBytes = this.bytes;
      this.lines += lines.length;
    });
  }

  wantsCompaction(): boolean {
    return (
      !this.compacting &&
      (this.bytes > this.limits.bytes || this.lines > this.limits.lines) &&
      Date.now() - this.lastCompactFailure > 60_000
    );
  }

  /** Replaces the snapshot with `data` and empties the journal (at open: nothing else is writing). */
  async compactNow(data: { subscriptions: readonly Subscription[]; runs: readonly DigestRun[] }): Promise<void> {
    await this.exclusive(async () => {
      await writeSnapshotInPieces(this.snapshot, data.subscriptions, data.runs, yieldToLoop);
      const h = await open(this.path, 'w');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      this.bytes = this.goodBytes = 0;
      this.lines = 0;
      this.broken = false;
      this.needsNewline = false;
      if (this.missing) await fsyncPath(dirname(this.path)).catch(() => {});
      this.missing = false;
    });
  }

  /**
   * Nothing to fold at open (empty journal, compact snapshot): the snapshot stays as it is, and a missing journal
   * is created now, its directory entry made durable, so the first append needs no more than its own fsync.
   */
  async ready(): Promise<void> {
    if (!this.missing) return;
    await this.exclusive(async () => {
      const h = await open(this.path, 'a');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      await fsyncPath(dirname(this.path)).catch(() => {});
      this.missing = false;
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
    await writeSnapshotInPieces(this.snapshot, subscriptions, runs, yieldToLoop);
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

import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Adapter } from 'lowdb';

const MARKER = '\u0000slices\u0000';

/** A list read a slice at a time: an array, or entries made from rows per slice. */
export interface ItemList {
  readonly length: number;
  slice(from: number, to: number): unknown[];
}

/** Entries serialised per slice: ~0.7 MB of JSON made from rows read from the snapshot file, a few ms of the event loop. */
const SLICE = 500;

/**
 * A lowdb adapter for a JSON document whose bulk is one long array (the entry store): writes the same
 * bytes as JSON.stringify(data), but serialises the array a slice at a time between turns of the event
 * loop. At 100k entries one JSON.stringify held the bot for ~1.1 s on every publish.
 *
 * The array is copied when write() is called, and its items are never modified in place (a correction
 * is a new object), so later changes cannot leak into a write in progress. Like lowdb's own writer it
 * writes a temporary file and renames it (a crash leaves the old file whole); it also fsyncs first.
 */
export class SlicedJsonFile<T extends object, K extends keyof T & string> implements Adapter<T> {
  readonly #file: string;
  readonly #key: K;

  constructor(file: string, arrayKey: K) {
    this.#file = file;
    this.#key = arrayKey;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return JSON.parse(text) as T;
  }

  async write(data: T): Promise<void> {
    const items = (data[this.#key] as unknown[]).slice();
    // Everything but the array, in the data's own key order; the array is spliced in where its placeholder is.
    await this.#writeAround(JSON.stringify({ ...data, [this.#key]: MARKER }), items);
  }

  /**
   * Writes `head` with the array under the adapter's key, given as a list read a slice at a time
   * (the entry store makes its entries from rows per slice instead of holding them all).
   */
  async writeList(rest: Omit<T, K>, items: ItemList): Promise<void> {
    // The key comes last, as in the store's data.
    await this.#writeAround(JSON.stringify({ ...rest, [this.#key]: MARKER }), items);
  }

  async #writeAround(json: string, items: ItemList): Promise<void> {
    const [head, tail] = json.split(JSON.stringify(MARKER)) as [string, string];
    const tmp = join(dirname(this.#file), `.${basename(this.#file)}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      let at = 0;
      const put = async (s: string) => {
        const buf = Buffer.from(s, 'utf8');
        await fh.write(buf, 0, buf.length, at);
        at += buf.length;
      };
      await put(`${head}[`);
      for (let from = 0; from < items.length; from += SLICE) {
        const json = JSON.stringify(items.slice(from, Math.min(items.length, from + SLICE)));
        await put((from === 0 ? '' : ',') + json.slice(1, -1));
        await yieldToLoop();
      }
      await put(`]${tail}`);
      await fh.sync();
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => {});
      await rm(tmp, { force: true });
      throw err;
    }
    await rename(tmp, this.#file);
  }
}

/**
 * A package loaded the first time it is used, not when the bot starts. For libraries that only some
 * updates need — reading an uploaded .docx, web page or non-UTF-8 text, writing an .xlsx: together they
 * cost ~36 MB of resident memory and ~0.3 s of start-up (cheerio alone brings undici) that a bot which
 * never reads such a file should not pay (BENCHMARKS.md, round 8). `require` is synchronous, so the
 * functions that use them keep their signatures; the packages are CommonJS (or ship a CommonJS build).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter that loads `name` on its first call and returns the same module afterwards. */
export function loadOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { agencyConfigSchema, createAgencyDirectory } from '../core/agencies.ts';
import type { AgencyDirectory } from '../core/agencies.ts';
import type { IngestResult, ParsedBulletin } from '../core/model.ts';
import type { EntryStore } from './entry-store.ts';

/** The agency list, with the outlet list (outlets.json beside it, when there is one) merged in. */
export async function loadAgencies(file: string): Promise<AgencyDirectory> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`agency list ${file}: ${(err as Error).message}`, { cause: err });
  }
  const outletsFile = join(dirname(file), 'outlets.json');
  const outlets = await readFile(outletsFile, 'utf8').then(
    (t) => JSON.parse(t) as unknown,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw new Error(`outlet list ${outletsFile}: ${err.message}`);
    },
  );
  const merged =
    typeof raw === 'object' && raw !== null && outlets && typeof outlets === 'object'
      ? { ...(outlets as object), ...(raw as object) }
      : raw;
  const parsed = agencyConfigSchema.safeParse(merged);
  if (!parsed.success)
    throw new Error(`agency list ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return createAgencyDirectory(parsed.data);
}

/**
 * First start: an empty store is filled from the shipped bulletins, oldest file name first. Reading a file
 * (its format, encoding, parsing) is the caller's: src/ingest/ knows formats, the store does not.
 */
export async function seedIfEmpty(
  store: EntryStore,
  dir: string,
  read: (path: string) => Promise<ParsedBulletin>,
  isBulletin: (name: string) => boolean,
): Promise<IngestResult[]> {
  if (store.count() > 0) return [];
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isBulletin).sort();
  const results: IngestResult[] = [];
  for (const name of names) results.push(store.apply(await read(join(dir, name))));
  await store.flush();
  return results;
}

import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { agencyConfigSchema, createAgencyDirectory } from '../core/agencies.ts';
import type { AgencyDirectory } from '../core/agencies.ts';
import type { IngestResult, ParsedBulletin } from '../core/model.ts';
import { decodeBulletin, parseBulletin } from '../core/parse-bulletin.ts';
import type { EntryStore } from './entry-store.ts';

export async function loadAgencies(file: string): Promise<AgencyDirectory> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`agency list ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = agencyConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`agency list ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return createAgencyDirectory(parsed.data);
}

export function parseBulletinBytes(bytes: Uint8Array, file: string, agencies: AgencyDirectory, year?: number): ParsedBulletin {
  return parseBulletin(decodeBulletin(bytes, file), { file, agencies, year });
}

export async function readBulletinFile(path: string, agencies: AgencyDirectory, year?: number): Promise<ParsedBulletin> {
  return parseBulletinBytes(await readFile(path), basename(path), agencies, year);
}

export const isBulletinFileName = (name: string) => /\.(txt|md)$/i.test(name) && !name.startsWith('.');

/** First start: an empty store is filled from the shipped bulletins, oldest file name first. */
export async function seedIfEmpty(store: EntryStore, dir: string, agencies: AgencyDirectory): Promise<IngestResult[]> {
  if (store.count() > 0) return [];
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isBulletinFileName).sort();
  const results: IngestResult[] = [];
  for (const name of names) results.push(store.apply(await readBulletinFile(join(dir, name), agencies)));
  await store.flush();
  return results;
}

/**
 * "Preview, then publish": the one path a bulletin takes into the store, whether an editor sends it in
 * chat or drops it into the inbox folder. No telegraf here, so both callers (and tests) share it.
 */
import type { AgencyDirectory } from '../core/agencies.ts';
import type { Entry, IngestResult, ParsedBulletin } from '../core/model.ts';
import { BulletinError } from '../core/parse-bulletin.ts';
import { isBulletinFileName, parseBulletinBytes } from '../store/bulletin-files.ts';
import type { EntryStore } from '../store/entry-store.ts';

export interface PreviewOptions {
  agencies: AgencyDirectory;
  store: EntryStore;
  /** Year for dates written without one ("2月4日"). */
  year?: number;
}

export type Preview =
  | { ok: true; parsed: ParsedBulletin; plan: IngestResult }
  | { ok: false; error: string; line?: number };

export const WRONG_EXTENSION = 'only .txt or .md files are bulletins (save the bulletin as UTF-8 text)';

/** Parses and plans without writing: the store is exactly as before whatever the outcome. */
export function previewBulletin(bytes: Uint8Array, fileName: string, opts: PreviewOptions): Preview {
  if (!isBulletinFileName(fileName)) return { ok: false, error: WRONG_EXTENSION };
  try {
    const parsed = parseBulletinBytes(bytes, fileName, opts.agencies, opts.year);
    return { ok: true, parsed, plan: opts.store.plan(parsed) };
  } catch (err) {
    if (err instanceof BulletinError) return { ok: false, error: err.reason, ...(err.line ? { line: err.line } : {}) };
    throw err;
  }
}

/** Applies against the store as it is now (it may have moved on since the preview) and writes it out. */
export async function publishBulletin(parsed: ParsedBulletin, store: EntryStore, now: Date = new Date()): Promise<IngestResult> {
  const result = store.apply(parsed, now);
  await store.flush();
  return result;
}

/** "2021" anywhere in an upload's caption picks the year for dates written without one. */
export function yearFromCaption(caption: string | undefined): number | undefined {
  const m = /(?:^|\D)((?:19|20)\d{2})(?!\d)/.exec((caption ?? '').normalize('NFKC'));
  return m ? Number(m[1]) : undefined;
}

/** Entries by outcome, in bulletin order, for previews and logs. */
export function planEntries(parsed: ParsedBulletin, plan: IngestResult): { added: Entry[]; corrected: Entry[] } {
  const byId = new Map(parsed.entries.map((e) => [e.id, e]));
  const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((e): e is Entry => e !== undefined);
  return { added: pick(plan.addedIds), corrected: pick(plan.correctedIds) };
}

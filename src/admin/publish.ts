/**
 * "Preview, then publish": the one path a bulletin takes into the store, whether an editor sends it in
 * chat or drops it into the inbox folder. No telegraf here, so both callers (and tests) share it.
 */
import type { AgencyDirectory } from '../core/agencies.ts';
import type { ApplyOptions, Entry, IngestResult, ParsedBulletin } from '../core/model.ts';
import { BulletinError } from '../core/parse-bulletin.ts';
import { WRONG_EXTENSION, isBulletinFileName, parseBulletinBytes } from '../ingest/read-bulletin.ts';
import type { EntryStore } from '../store/entry-store.ts';

export interface PreviewOptions {
  agencies: AgencyDirectory;
  store: EntryStore;
  /** Year for dates written without one ("2月4日"). */
  year?: number;
  /** Plan as --force would apply: an older bulletin's text over newer text. */
  force?: boolean;
}

export type Preview = { ok: true; parsed: ParsedBulletin; plan: IngestResult } | { ok: false; error: string; line?: number };

export { WRONG_EXTENSION };

/** Parses and plans without writing: the store is exactly as before whatever the outcome. */
export async function previewBulletin(bytes: Uint8Array, fileName: string, opts: PreviewOptions): Promise<Preview> {
  if (!isBulletinFileName(fileName)) return { ok: false, error: WRONG_EXTENSION };
  try {
    const knownAsOf = opts.store.bulletins().flatMap((b) => (b.asOf ? [b.asOf] : []));
    const parsed = await parseBulletinBytes(bytes, fileName, { agencies: opts.agencies, year: opts.year, knownAsOf });
    return { ok: true, parsed, plan: opts.store.plan(parsed, { force: opts.force }) };
  } catch (err) {
    if (err instanceof BulletinError) return { ok: false, error: err.reason, ...(err.line ? { line: err.line } : {}) };
    throw err;
  }
}

/** Applies against the store as it is now (it may have moved on since the preview) and writes it out. */
export async function publishBulletin(
  parsed: ParsedBulletin,
  store: EntryStore,
  now: Date = new Date(),
  opts: ApplyOptions = {},
): Promise<IngestResult> {
  const result = store.apply(parsed, now, opts);
  await store.flush();
  return result;
}

/** "2021" anywhere in an upload's caption picks the year for dates written without one. */
export function yearFromCaption(caption: string | undefined): number | undefined {
  const m = /(?:^|\D)((?:19|20)\d{2})(?!\d)/.exec((caption ?? '').normalize('NFKC'));
  return m ? Number(m[1]) : undefined;
}

/** "--force" or 强制 in an upload's caption: apply an older bulletin over newer text. */
export function forceFromCaption(caption: string | undefined): boolean {
  return /(?:^|\s)(?:--force|强制)(?:\s|$)/.test((caption ?? '').normalize('NFKC'));
}

/** Entries by outcome, in bulletin order, for previews and logs. */
export function planEntries(parsed: ParsedBulletin, plan: IngestResult): { added: Entry[]; corrected: Entry[] } {
  const byId = new Map(parsed.entries.map((e) => [e.id, e]));
  const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((e): e is Entry => e !== undefined);
  return { added: pick(plan.addedIds), corrected: pick(plan.correctedIds) };
}

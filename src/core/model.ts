import { z } from 'zod';

/** ISO calendar date, YYYY-MM-DD. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

export const bulletinSchema = z.object({
  /** Content hash: the same text ingested twice is the same bulletin. */
  id: z.string().min(1),
  title: z.string(),
  series: z.number().int().nullable(),
  asOf: isoDate.nullable(),
  publisher: z.string().nullable(),
  file: z.string(),
});
export type Bulletin = z.infer<typeof bulletinSchema>;

export const entrySchema = z.object({
  /** Stable across cumulative re-publications: derived from date + title, not from position. */
  id: z.string().min(1),
  agency: z.string().min(1),
  date: isoDate,
  title: z.string().min(1),
  body: z.array(z.string()),
  bullets: z.array(z.string()),
  source: z.string(),
  bulletin: z.string(),
  line: z.number().int().nonnegative(),
});
export type Entry = z.infer<typeof entrySchema>;

export const storedEntrySchema = entrySchema.extend({
  /** Sequence number of the last change (insert or correction): digests send "seq > cursor". */
  seq: z.number().int().positive(),
  addedSeq: z.number().int().positive(),
  addedAt: z.string(),
  revisions: z.number().int().nonnegative(),
  correctedAt: z.string().nullable(),
  /** The bulletin whose text the measure holds now, when not its first (`bulletin`). */
  textFrom: z.string().min(1).optional(),
  /** Every bulletin that carried the measure, in ingest order, when more than its first. */
  seenIn: z.array(z.string().min(1)).min(1).optional(),
});
export type StoredEntry = z.infer<typeof storedEntrySchema>;

export interface ParseWarning {
  line?: number;
  message: string;
}

export interface ParsedBulletin {
  bulletin: Bulletin;
  entries: Entry[];
  warnings: ParseWarning[];
}

export interface IngestResult {
  added: number;
  unchanged: number;
  corrected: number;
  /**
   * Measures whose text differs from the stored one, left alone because this bulletin's as-of date is older
   * than that of the bulletin the stored text came from (no rollback; --force applies them).
   */
  older: number;
  /** Ids by outcome, so callers can show "the first new titles". */
  addedIds: string[];
  correctedIds: string[];
  olderIds: string[];
}

export interface ApplyOptions {
  /** Apply an older bulletin's text over newer text (what `--force` asks for). */
  force?: boolean;
}

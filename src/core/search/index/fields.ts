/** A document's fields as the index reads them, and which of them it keeps normalised. */
import { foldOneToOneOrCopy } from '../normalize.ts';
import type { IndexableEntry } from '../index-types.ts';

export const NO_FIELDS: string[] = [];

/**
 * A document's fields, title first, then body, bullets, agency. Fields stay apart, so a keyword
 * never matches across the end of one field and the start of the next. A field that folds one unit
 * to one unit (nearly all) is kept as the entry's own string and folded as it is read; only the rest
 * are kept normalised.
 */
export function fieldsOf(entry: IndexableEntry): string[] {
  const fs = [foldOneToOneOrCopy(entry.title)];
  for (const b of entry.body) fs.push(foldOneToOneOrCopy(b));
  for (const b of entry.bullets) fs.push(foldOneToOneOrCopy(b));
  fs.push(foldOneToOneOrCopy(entry.agency));
  if (
    fs[0] !== entry.title ||
    fs[fs.length - 1] !== entry.agency ||
    fs.some(
      (f, i) => i > 0 && i < fs.length - 1 && f !== (i <= entry.body.length ? entry.body[i - 1] : entry.bullets[i - 1 - entry.body.length]),
    )
  )
    normalisedFields.add(fs);
  return fs;
}

/**
 * Fields lists holding a normalised copy (rare: full-width letters, compatibility forms). A restore
 * rebuilds only these; the others are the entry's strings as they are, with no scan of the text.
 */
export const normalisedFields = new WeakSet<string[]>();

/** fieldsOf() for fields as the store gives them ([title, ...body, ...bullets, agency]), normalised when needed. */
export function foldFields(raw: readonly string[]): string[] {
  const fs = raw.map(foldOneToOneOrCopy);
  if (fs.some((f, i) => f !== raw[i])) normalisedFields.add(fs);
  return fs;
}

/** Stands in the fields list of a document whose text the store gives (SearchIndexOptions.text). */
export const FROM_STORE: string[] = [];

/** fieldsOf() for an entry known to need no normalisation. */
export const plainFieldsOf = (entry: IndexableEntry): string[] => [entry.title, ...entry.body, ...entry.bullets, entry.agency];

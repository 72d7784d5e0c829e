import { readFileSync } from 'node:fs';
import { agencyConfigSchema, createAgencyDirectory } from '../../../src/core/agencies.ts';
import type { Entry } from '../../../src/core/model.ts';
import { parseBulletin } from '../../../src/core/parse-bulletin.ts';
import type { IndexableEntry } from '../../../src/core/search/search-index.ts';

const root = new URL('../../../', import.meta.url);

/** The real seed bulletin's measures, with seq in bulletin order as ingestion would give. */
export function seedEntries(): (Entry & IndexableEntry)[] {
  const agencies = createAgencyDirectory(agencyConfigSchema.parse(JSON.parse(readFileSync(new URL('data/agencies.json', root), 'utf8'))));
  const file = 'data/bulletins/2020-03-26-resume-work-series-2.txt';
  const parsed = parseBulletin(readFileSync(new URL(file, root), 'utf8'), { file, agencies });
  return parsed.entries.map((e, i) => ({ ...e, seq: i + 1 }));
}

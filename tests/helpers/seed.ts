import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { agencyConfigSchema, createAgencyDirectory } from '../../src/core/agencies.ts';
import type { AgencyDirectory } from '../../src/core/agencies.ts';
import type { ParsedBulletin } from '../../src/core/model.ts';
import { parseBulletin } from '../../src/core/parse-bulletin.ts';
import { SHIPPED_AGENCIES_FILE, SHIPPED_BULLETINS_DIR } from '../../src/paths.ts';

export const seedFileName = readdirSync(SHIPPED_BULLETINS_DIR).find((n) => n.endsWith('.txt'))!;
export const seedPath = join(SHIPPED_BULLETINS_DIR, seedFileName);
export const seedText = readFileSync(seedPath, 'utf8');

/** The shipped agency list with the outlet list beside it, as loadAgencies() reads them (but synchronously). */
export function shippedAgencies(): AgencyDirectory {
  const outlets = JSON.parse(readFileSync(join(dirname(SHIPPED_AGENCIES_FILE), 'outlets.json'), 'utf8')) as object;
  return createAgencyDirectory(
    agencyConfigSchema.parse({ ...outlets, ...(JSON.parse(readFileSync(SHIPPED_AGENCIES_FILE, 'utf8')) as object) }),
  );
}

export function parseSeed(): ParsedBulletin {
  return parseBulletin(seedText, { file: seedFileName, agencies: shippedAgencies() });
}

/** A small bulletin in the seed's shape, for tests that need other content. */
export function miniBulletin(parts: { title?: string; body?: string } = {}): string {
  return [
    parts.title ?? '测试简报 (系列三：截止至2020年3月28日)',
    '',
    '测试中心',
    '',
    parts.body ?? ['上海市公安局', '', '3月27日', '', '新措施标题', '', '正文段落。', '', '来源：上海市公安局'].join('\n'),
  ].join('\n');
}

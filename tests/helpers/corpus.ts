/**
 * The labelled bulletin corpus (tests/fixtures/bulletins/): each file with NAME.expected.json listing every
 * measure as [agency, date, title], and optionally the as-of date, the --year to pass and the line numbers
 * that must carry warnings. A NAME.docx.spec.json is a Word document made by makeDocx() when the corpus
 * is read. Scored by the corpus test and by the bench (BENCHMARKS.md's parse-accuracy row).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgencyDirectory } from '../../src/core/agencies.ts';
import type { ParsedBulletin } from '../../src/core/model.ts';
import { parseBulletin } from '../../src/core/parse-bulletin.ts';
import { readBulletinBytes } from '../../src/ingest/read-bulletin.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { makeDocx } from './docx.ts';
import type { DocxBlock } from './docx.ts';

export const CORPUS_DIR = join(PROJECT_ROOT, 'tests', 'fixtures', 'bulletins');

export interface Expected {
  measures: [agency: string, date: string, title: string][];
  asOf?: string;
  year?: number;
  /** As-of dates of bulletins already published (the bot passes its own), for a bulletin that states no year. */
  knownAsOf?: string[];
  /** Line numbers that must carry a warning; other warnings are failures. Omitted: no check. */
  warnings?: number[];
}

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  expected: Expected;
}

export function readCorpus(): CorpusFile[] {
  const names = readdirSync(CORPUS_DIR)
    .filter((n) => !n.endsWith('.expected.json'))
    .sort();
  return names.map((n) => {
    const isSpec = n.endsWith('.docx.spec.json');
    const name = isSpec ? n.replace(/\.spec\.json$/, '') : n;
    const raw = readFileSync(join(CORPUS_DIR, n));
    const bytes = isSpec ? makeDocx(JSON.parse(raw.toString('utf8')) as DocxBlock[]) : new Uint8Array(raw);
    const expected = JSON.parse(readFileSync(join(CORPUS_DIR, `${name.replace(/\.[^.]+$/, '')}.expected.json`), 'utf8')) as Expected;
    return { name, bytes, expected };
  });
}

export interface FileScore {
  name: string;
  expected: number;
  exact: number;
  spurious: string[];
  /** Expected measures not found, and whether some warning was given for them. */
  dropped: string[];
  droppedSilently: string[];
  warnings: number;
  unexpectedWarnings: string[];
  missingWarnings: number[];
  asOf: string | null;
  error?: string;
}

const key = (agency: string, date: string, title: string) => `${agency} | ${date} | ${title}`;

export async function scoreFile(f: CorpusFile, agencies: AgencyDirectory): Promise<FileScore & { parsed?: ParsedBulletin }> {
  const base: FileScore = {
    name: f.name,
    expected: f.expected.measures.length,
    exact: 0,
    spurious: [],
    dropped: [],
    droppedSilently: [],
    warnings: 0,
    unexpectedWarnings: [],
    missingWarnings: [],
    asOf: null,
  };
  let parsed: ParsedBulletin;
  try {
    const text = await readBulletinBytes(f.bytes, f.name);
    parsed = parseBulletin(text.text, {
      file: f.name,
      agencies,
      year: f.expected.year,
      knownAsOf: f.expected.knownAsOf,
      now: new Date('2026-01-01T00:00:00Z'),
    });
  } catch (err) {
    const all = f.expected.measures.map((m) => key(...m));
    return { ...base, dropped: all, error: (err as Error).message };
  }
  const want = new Set(f.expected.measures.map((m) => key(...m)));
  const got = parsed.entries.map((e) => key(e.agency, e.date, e.title));
  const gotSet = new Set(got);
  const exact = got.filter((k) => want.has(k)).length;
  const dropped = [...want].filter((k) => !gotSet.has(k));
  const warned = parsed.warnings.length > 0;
  const lines = new Set(parsed.warnings.map((w) => w.line));
  const expectWarn = f.expected.warnings;
  return {
    ...base,
    parsed,
    exact,
    spurious: got.filter((k) => !want.has(k)),
    dropped,
    droppedSilently: warned ? [] : dropped,
    warnings: parsed.warnings.length,
    unexpectedWarnings: expectWarn
      ? parsed.warnings.filter((w) => !w.line || !expectWarn.includes(w.line)).map((w) => `${w.line ?? '-'}: ${w.message}`)
      : [],
    missingWarnings: expectWarn ? expectWarn.filter((l) => !lines.has(l)) : [],
    asOf: parsed.bulletin.asOf,
  };
}

export function scoreLine(s: FileScore): string {
  const pct = s.expected ? Math.round((100 * s.exact) / s.expected) : 100;
  return `${s.name.padEnd(34)} ${String(s.exact).padStart(3)}/${String(s.expected).padEnd(3)} exact (${pct}%), ${s.spurious.length} spurious, ${s.dropped.length} dropped (${s.droppedSilently.length} silently), ${s.warnings} warning${s.warnings === 1 ? '' : 's'}${s.error ? ` — ERROR ${s.error}` : ''}`;
}

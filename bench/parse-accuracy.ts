/**
 * (6) Parse accuracy on the labelled corpus (tests/fixtures/bulletins/): per file, measures exactly right
 * (agency, date, title), spurious, dropped and dropped without any warning; and how long reading + parsing
 * a file takes (median over reps), format conversion included.
 */
import { performance } from 'node:perf_hooks';
import { parseBulletin } from '../src/core/parse-bulletin.ts';
import { readBulletinBytes } from '../src/ingest/read-bulletin.ts';
import { readCorpus, scoreFile } from '../tests/helpers/corpus.ts';
import { shippedAgencies } from '../tests/helpers/seed.ts';

export interface ParseFileResult {
  name: string;
  expected: number;
  exact: number;
  spurious: number;
  dropped: number;
  droppedSilently: number;
  warnings: number;
  medianMs: number;
}

export interface ParseAccuracyResult {
  files: ParseFileResult[];
  exact: number;
  expected: number;
  spurious: number;
  droppedSilently: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchParseAccuracy(reps: number): Promise<ParseAccuracyResult> {
  const agencies = shippedAgencies();
  const files: ParseFileResult[] = [];
  for (const f of readCorpus()) {
    const s = await scoreFile(f, agencies);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const text = await readBulletinBytes(f.bytes, f.name).catch(() => null);
      if (text) parseBulletin(text.text, { file: f.name, agencies, year: f.expected.year });
      times.push(performance.now() - t0);
    }
    files.push({
      name: f.name,
      expected: s.expected,
      exact: s.exact,
      spurious: s.spurious.length,
      dropped: s.dropped.length,
      droppedSilently: s.droppedSilently.length,
      warnings: s.warnings,
      medianMs: median(times),
    });
  }
  const sum = (k: 'exact' | 'expected' | 'spurious' | 'droppedSilently') => files.reduce((n, f) => n + f[k], 0);
  return { files, exact: sum('exact'), expected: sum('expected'), spurious: sum('spurious'), droppedSilently: sum('droppedSilently') };
}

export function renderParseAccuracy(r: ParseAccuracyResult): string[] {
  const lines = [
    '| file | exact / expected | spurious | dropped (silently) | warnings | read + parse ms (median) |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const f of r.files)
    lines.push(
      `| ${f.name} | ${f.exact} / ${f.expected} | ${f.spurious} | ${f.dropped} (${f.droppedSilently}) | ${f.warnings} | ${f.medianMs.toFixed(2)} |`,
    );
  lines.push(
    `| **all ${r.files.length} files** | **${r.exact} / ${r.expected} (${((100 * r.exact) / Math.max(1, r.expected)).toFixed(1)}%)** | **${r.spurious}** | **(${r.droppedSilently})** | | |`,
  );
  return lines;
}

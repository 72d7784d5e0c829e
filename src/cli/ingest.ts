import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openAppFromSnapshot } from '../app.ts';
import { readEnvironment } from '../config.ts';
import { silentLog } from '../infra/log.ts';
import type { IngestResult, ParsedBulletin } from '../core/model.ts';
import { BulletinError } from '../core/parse-bulletin.ts';
import { SHIPPED_AGENCIES_FILE, storeFiles } from '../paths.ts';
import { readBulletinFile } from '../ingest/read-bulletin.ts';
import { loadAgencies } from '../store/bulletin-files.ts';
import { openEntryStore } from '../store/entry-store.ts';
import { StoreError } from '../store/json-file.ts';
import { LockError, acquireLock } from '../infra/instance-lock.ts';
import { refuseMissingEntries, removeLeftoverTmp } from '../store/data-dir.ts';

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
}

const USAGE = [
  'usage: npm run ingest -- FILE... [--year YYYY] [--strict] [--force] [--dry-run] [--json]',
  '  FILE      .txt/.md (UTF-8, UTF-16, GB18030), .docx, .html/.htm',
  "  --year    the bulletin's year, for dates written without one (wins over what the text says)",
  '  --strict  refuse a bulletin with warnings (nothing is written)',
  '  --force   apply an older bulletin over newer text (normally reported as "older" and left alone)',
].join('\n');

class StrictRefusal extends Error {}

function summary(parsed: ParsedBulletin, result: IngestResult, dryRun: boolean): string {
  const b = parsed.bulletin;
  const lines = [
    `${b.file}: ${b.title || '(untitled)'}${b.asOf ? ` — as of ${b.asOf}` : ''}`,
    `  ${parsed.entries.length} measures, ${parsed.warnings.length} warning${parsed.warnings.length === 1 ? '' : 's'}`,
    `  ${result.added} new, ${result.unchanged} unchanged, ${result.corrected} corrected${result.older ? `, ${result.older} older (not applied: a newer bulletin's text is kept; --force applies them)` : ''}${dryRun ? ' (dry run: nothing written)' : ''}`,
  ];
  for (const id of result.addedIds.slice(0, 5)) {
    const e = parsed.entries.find((x) => x.id === id)!;
    lines.push(`  + ${e.date} ${e.agency} ${e.title}`);
  }
  if (result.addedIds.length > 5) lines.push(`  … and ${result.addedIds.length - 5} more new`);
  for (const id of result.correctedIds) {
    const e = parsed.entries.find((x) => x.id === id)!;
    lines.push(`  ~ corrected: ${e.date} ${e.agency} ${e.title}`);
  }
  for (const id of result.olderIds.slice(0, 10)) {
    const e = parsed.entries.find((x) => x.id === id)!;
    lines.push(`  = older, kept as is: ${e.date} ${e.agency} ${e.title}`);
  }
  for (const w of parsed.warnings) lines.push(`  warning${w.line ? ` (line ${w.line})` : ''}: ${w.message}`);
  return lines.join('\n');
}

export async function runIngest(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        year: { type: 'string' },
        strict: { type: 'boolean' },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    io.err(`no bulletin file given\n${USAGE}`);
    return 2;
  }
  let year: number | undefined;
  if (values.year !== undefined) {
    year = Number(values.year);
    if (!/^\d{4}$/.test(values.year) || year < 1900 || year > 2200) {
      io.err(`--year must be a four-digit year, got "${values.year}"`);
      return 2;
    }
  }
  const dryRun = values['dry-run'] ?? false;
  const dataDir = io.env.DATA_DIR || 'data';

  try {
    const agencies = await loadAgencies(SHIPPED_AGENCIES_FILE);
    // lowdb is safe within one process only: a writing ingest waits for no one and refuses to run beside the bot.
    const lock = dryRun ? null : await acquireLock(dataDir, { purpose: 'ingest' });
    let reports;
    try {
      if (lock) await removeLeftoverTmp(dataDir);
      // Ingesting into a new entries.json beside existing data would hide the loss of the old one.
      await refuseMissingEntries(dataDir);
      const entriesFile = storeFiles(dataDir).entries;
      const open = async () => {
        // With an intact snapshot, ingest opens from it (fast at 100k) and leaves it current, so the
        // bot's next start does not have to read entries.json again.
        const app = dryRun ? null : await openAppFromSnapshot({ dataDir, log: silentLog }, agencies);
        const fromSnapshot = app && 'entries' in app ? app : null;
        return { fromSnapshot, store: fromSnapshot?.entries ?? (await openEntryStore(entriesFile, { readOnly: dryRun })) };
      };
      // An existing store is opened first, for the as-of dates already published; a new one only once every
      // file has parsed, so a bad file leaves no file behind.
      let opened = (await access(entriesFile).then(
        () => true,
        () => false,
      ))
        ? await open()
        : null;
      // Parse every file before changing the store: one bad file writes nothing. A bulletin that states no
      // year follows the series already published (and the files before it on this command line).
      const knownAsOf = (opened?.store.bulletins() ?? []).flatMap((b) => (b.asOf ? [b.asOf] : []));
      const parsed: ParsedBulletin[] = [];
      for (const f of positionals) {
        const p = await readBulletinFile(resolve(f), { agencies, year, knownAsOf });
        if (p.bulletin.asOf) knownAsOf.push(p.bulletin.asOf);
        parsed.push(p);
      }
      const warned = parsed.filter((p) => p.warnings.length > 0);
      if (values.strict && warned.length > 0) {
        const lines = warned.flatMap((p) => [
          `${p.bulletin.file}: ${p.entries.length} measures, ${p.warnings.length} warning${p.warnings.length === 1 ? '' : 's'}`,
          ...p.warnings.map((w) => `  warning${w.line ? ` (line ${w.line})` : ''}: ${w.message}`),
        ]);
        throw new StrictRefusal(`ingest --strict: refused because of warnings\n${lines.join('\n')}`);
      }
      opened ??= await open();
      const { store, fromSnapshot } = opened;
      reports = parsed.map((p) => ({ parsed: p, result: store.apply(p, new Date(), { force: values.force ?? false }) }));
      if (!dryRun) await store.flush();
      await fromSnapshot?.snapshots.save();
    } finally {
      await lock?.release();
    }

    if (values.json) {
      const objs = reports.map(({ parsed: p, result: r }) => ({
        bulletin: p.bulletin,
        entries: p.entries,
        warnings: p.warnings,
        result: {
          added: r.added,
          unchanged: r.unchanged,
          corrected: r.corrected,
          older: r.older,
          addedIds: r.addedIds,
          correctedIds: r.correctedIds,
          olderIds: r.olderIds,
        },
        dryRun,
      }));
      io.out(JSON.stringify(objs.length === 1 ? objs[0] : { files: objs }, null, 2));
    } else {
      io.out(reports.map((r) => summary(r.parsed, r.result, dryRun)).join('\n'));
    }
    return 0;
  } catch (err) {
    if (err instanceof StrictRefusal) {
      io.err(`${err.message}\nnothing was written.`);
      return 1;
    }
    if (err instanceof BulletinError || err instanceof StoreError || err instanceof LockError) {
      io.err(`ingest: ${err.message}\nnothing was written.`);
      return 1;
    }
    io.err(`ingest: ${(err as Error).message}\nnothing was written.`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runIngest(process.argv.slice(2), {
    env: readEnvironment(),
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
  process.exitCode = code;
}

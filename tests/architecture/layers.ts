import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * The floors of src/, lowest first. A file may import files of its own layer and of layers below it,
 * never of a layer above nor of another layer on the same floor. ARCHITECTURE.md draws the same picture.
 */
export interface Layer {
  name: string;
  floor: number;
  /** Paths relative to src/: a folder ends in '/', anything else is one file. */
  paths: string[];
}

export const LAYERS: Layer[] = [
  { name: 'i18n', floor: 0, paths: ['i18n/'] },
  { name: 'core', floor: 1, paths: ['core/'] },
  { name: 'infra', floor: 2, paths: ['infra/', 'config.ts', 'paths.ts'] },
  { name: 'store', floor: 3, paths: ['store/'] },
  { name: 'ingest', floor: 3, paths: ['ingest/'] },
  { name: 'delivery', floor: 4, paths: ['delivery/'] },
  { name: 'digest', floor: 5, paths: ['digest/'] },
  { name: 'admin', floor: 5, paths: ['admin/'] },
  { name: 'bot', floor: 6, paths: ['bot/'] },
  { name: 'app', floor: 7, paths: ['app.ts', 'console/'] },
  { name: 'entry', floor: 8, paths: ['main.ts', 'cli/'] },
];

/** One import as the graph sees it: both ends relative to src/, with '/' separators. */
export interface ImportEdge {
  from: string;
  to: string;
}

export function layerOf(file: string, layers: Layer[] = LAYERS): Layer | undefined {
  return layers.find((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

/** Each edge that breaks the rule, explained; a file in no layer is reported too, so a new folder gets a floor. */
export function layerViolations(edges: ImportEdge[], layers: Layer[] = LAYERS): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(from, layers);
    const b = layerOf(to, layers);
    if (!a || !b) {
      out.push(`${!a ? from : to} belongs to no layer`);
      continue;
    }
    if (a === b || b.floor < a.floor) continue;
    const why = b.floor > a.floor ? `a higher layer` : `a layer on the same floor`;
    out.push(`${from} (${a.name}) imports ${to} (${b.name}): ${why}`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import in src/: static, type-only, re-exports and import() alike. */
export function importGraph(srcDir: string): ImportEdge[] {
  const rel = (p: string) => relative(srcDir, p).split(sep).join(posix.sep);
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(srcDir)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) edges.push({ from: rel(file), to: rel(join(dirname(file), fileName)) });
    }
  }
  return edges;
}

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/**
 * Packages only some updates need (an uploaded .docx, web page or non-UTF-8 file; an .xlsx export), or only a
 * developer's terminal (pino-pretty): a static import would load them when the bot starts (~30 MB of memory and
 * ~0.3 s for the first five, ~11 MB and ~60 ms for pino-pretty; BENCHMARKS.md round 8).
 * They are loaded through src/core/load-on-first-use.ts; type imports are free.
 */
const ON_FIRST_USE = ['cheerio', 'mammoth', 'iconv-lite', 'jschardet', 'exceljs', 'pino-pretty'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

/** Static value imports (and re-exports) of `pkg` in a file's text: `import x from 'pkg'`, not `import type`. */
function staticImportsOf(text: string, pkg: string): string[] {
  const escaped = pkg.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const re = new RegExp(String.raw`^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+['"]${escaped}(?:/[^'"]*)?['"]`, 'gm');
  return [...text.matchAll(re)].map((m) => m[0].trim());
}

describe('packages loaded on first use', () => {
  it('the check finds a static import and lets a type import pass', () => {
    expect(staticImportsOf("import * as cheerio from 'cheerio';", 'cheerio')).toHaveLength(1);
    expect(staticImportsOf("import mammoth from 'mammoth';\n", 'mammoth')).toHaveLength(1);
    expect(staticImportsOf("export { load } from 'cheerio/slim';", 'cheerio')).toHaveLength(1);
    expect(staticImportsOf("import type * as Cheerio from 'cheerio';", 'cheerio')).toEqual([]);
    expect(staticImportsOf("import type { Element } from 'domhandler';", 'cheerio')).toEqual([]);
  });

  it('no file in src/ imports them statically', () => {
    const found = sourceFiles(src).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return ON_FIRST_USE.flatMap((pkg) => staticImportsOf(text, pkg).map((line) => `${relative(src, file)}: ${line}`));
    });
    expect(found).toEqual([]);
  });
});

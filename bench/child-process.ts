/**
 * Fresh-process measurements (start-up, memory) run the code the way `npm start` does: bundled by
 * esbuild and started by plain node. Through tsx the same process starts ~1 s slower and carries
 * ~30 MB more (its loader thread), which is the tool's cost, not the bot's.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles bench/<name>.ts to dist/ (beside dist/main.js, so paths relative to the project resolve the same) and runs it with --expose-gc. */
export function runChild(name: string, args: string[], timeoutMs = 300_000): string {
  const outfile = join(root, 'dist', `bench-${name}.js`);
  buildSync({
    entryPoints: [join(root, 'bench', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return execFileSync(process.execPath, ['--expose-gc', outfile, ...args], {
    encoding: 'utf8',
    cwd: root,
    maxBuffer: 1 << 20,
    timeout: timeoutMs,
  });
}

/**
 * Every entry point reads .env the same way (src/config.ts readEnvironment): the CLIs as real processes,
 * run from a directory whose .env names the store and the token, with neither set in the environment.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadDotEnv, readEnvironment } from '../../src/config.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { seedPath } from '../helpers/seed.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
const run = promisify(execFile);
const tsx = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** The environment of the test run without the variables the .env is meant to supply. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['DATA_DIR', 'BOT_TOKEN', 'TELEGRAM_API_ROOT', 'NODE_ENV']) delete env[k];
  return env;
}

async function cli(script: string, args: string[], cwd: string) {
  try {
    const r = await run(process.execPath, [tsx, join(PROJECT_ROOT, 'src', 'cli', script), ...args], {
      cwd,
      env: bareEnv(),
      encoding: 'utf8',
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

describe('.env for the CLIs', () => {
  it('ingest writes into the DATA_DIR of .env, and digest finds the token and the store there', async () => {
    const cwd = tempDir();
    const store = join(tempDir(), 'store');
    mkdirSync(store);
    writeFileSync(join(cwd, '.env'), `# as in .env.example\nDATA_DIR=${store}\nBOT_TOKEN=123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n`);

    const ingest = await cli('ingest.ts', [seedPath], cwd);
    expect(ingest.err).toBe('');
    expect(ingest.out).toMatch(/19 new/);
    expect(existsSync(join(store, 'entries.json'))).toBe(true);
    expect(existsSync(join(cwd, 'data'))).toBe(false);

    // No subscriptions yet: a real (not dry) run with the token from .env has nothing to send, and says so.
    const digest = await cli('digest.ts', ['--json'], cwd);
    expect(digest.err).not.toMatch(/BOT_TOKEN is not set/);
    expect(digest.code).toBe(0);
    expect(JSON.parse(digest.out)).toMatchObject({ sent: 0, failed: 0 });
  });

  it('the real environment wins over .env', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'DATA_DIR=/from/file\nLOG_LEVEL=debug\n');
    const env: Record<string, string | undefined> = { DATA_DIR: '/from/env' };
    expect(loadDotEnv(join(dir, '.env'), env)).toEqual(['LOG_LEVEL']);
    expect(env).toEqual({ DATA_DIR: '/from/env', LOG_LEVEL: 'debug' });
  });

  it('readEnvironment completes the given record from ./.env and returns it', () => {
    const cwd = process.cwd();
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'SEARCH_RATE_PER_MINUTE=7\n');
    process.chdir(dir);
    try {
      const env: Record<string, string | undefined> = {};
      expect(readEnvironment(env)).toBe(env);
      expect(env).toEqual({ SEARCH_RATE_PER_MINUTE: '7' });
    } finally {
      process.chdir(cwd);
    }
  });
});

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAYERS, importGraph, layerOf, layerViolations } from './layers.ts';

const src = join(dirname(fileURLToPath(import.meta.url)), '../../src');

describe('imports run one way (see ARCHITECTURE.md)', () => {
  const edges = importGraph(src);

  it('reads the real graph', () => {
    // A checker that found no imports would pass anything.
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'bot/create-bot.ts', to: 'bot/context.ts' });
    expect(edges).toContainEqual({ from: 'main.ts', to: 'app.ts' });
  });

  it('no file in src/ imports from a higher layer or a sibling layer', () => {
    expect(layerViolations(edges)).toEqual([]);
  });
});

describe('the checker', () => {
  it('places files in their layer', () => {
    expect(layerOf('core/search/query.ts')?.name).toBe('core');
    expect(layerOf('config.ts')?.name).toBe('infra');
    expect(layerOf('cli/ingest.ts')?.name).toBe('entry');
    expect(layerOf('console/run-console.ts')?.name).toBe('app');
    expect(layerOf('elsewhere/x.ts')).toBeUndefined();
  });

  it('allows imports within a layer and downwards', () => {
    expect(
      layerViolations([
        { from: 'core/catalog.ts', to: 'core/model.ts' },
        { from: 'store/entry-store.ts', to: 'core/model.ts' },
        { from: 'digest/run-digest.ts', to: 'delivery/send-with-retry.ts' },
        { from: 'main.ts', to: 'bot/create-bot.ts' },
      ]),
    ).toEqual([]);
  });

  it('catches an import up the floors, across a floor, and from nowhere', () => {
    expect(
      layerViolations([
        { from: 'core/catalog.ts', to: 'store/entry-table.ts' },
        { from: 'store/snapshot-keeper.ts', to: 'bot/context.ts' },
        { from: 'digest/run-digest.ts', to: 'admin/publish.ts' },
        { from: 'newdir/x.ts', to: 'core/model.ts' },
      ]),
    ).toEqual([
      'core/catalog.ts (core) imports store/entry-table.ts (store): a higher layer',
      'store/snapshot-keeper.ts (store) imports bot/context.ts (bot): a higher layer',
      'digest/run-digest.ts (digest) imports admin/publish.ts (admin): a layer on the same floor',
      'newdir/x.ts belongs to no layer',
    ]);
  });

  it('finds every kind of import in a source file', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'layers-'));
    try {
      mkdirSync(join(dir, 'core'));
      writeFileSync(
        join(dir, 'core/a.ts'),
        [
          "import { x } from '../bot/x.ts';",
          "import type { Y } from '../store/y.ts';",
          "export { z } from '../app.ts';",
          "const w = await import('../main.ts');",
          "import { readFileSync } from 'node:fs';",
        ].join('\n'),
      );
      const found = importGraph(dir);
      expect(found).toEqual([
        { from: 'core/a.ts', to: 'bot/x.ts' },
        { from: 'core/a.ts', to: 'store/y.ts' },
        { from: 'core/a.ts', to: 'app.ts' },
        { from: 'core/a.ts', to: 'main.ts' },
      ]);
      expect(layerViolations(found)).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has every floor named once', () => {
    expect(new Set(LAYERS.map((l) => l.name)).size).toBe(LAYERS.length);
  });
});

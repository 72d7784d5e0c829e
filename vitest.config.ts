import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end tests bind loopback ports and spawn processes; forks keep a crash in one file from taking the others down.
    pool: 'forks',
  },
});

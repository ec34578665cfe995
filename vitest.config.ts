import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn the real CLI and real servers; two cores cannot run many at once.
    maxWorkers: 2,
  },
});

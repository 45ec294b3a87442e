import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Test files start their own worker threads; one file at a time per core keeps the
    // machine from drowning in threads.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

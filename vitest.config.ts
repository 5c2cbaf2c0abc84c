import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
    // Starts a PostgreSQL cluster for the run when SOC_TEST_ENGINE=postgres; nothing otherwise.
    globalSetup: ['test/support/pg-global-setup.ts'],
  },
});

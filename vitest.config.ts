import { defineConfig } from 'vitest/config';

/**
 * Tests that name their engines themselves (each store on both, the schema on both, a kill test
 * per engine): the default run runs them once; the PostgreSQL run of the console-level suites
 * (SOC_TEST_ENGINE=postgres) leaves them out instead of running them a second time.
 */
const ENGINE_EXPLICIT = [
  'test/unit/*-engines.test.ts',
  'test/unit/postgres-schema.test.ts',
  'test/unit/sql-executor.test.ts',
  'test/unit/migrations-upgrade.test.ts',
  'test/unit/postgres-console-refusals.test.ts',
  'test/reliability/kill.test.ts',
  'test/reliability/kill-postgres.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/reliability/**/*.test.ts'],
    exclude: process.env['SOC_TEST_ENGINE'] === 'postgres' ? ENGINE_EXPLICIT : [],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
    // Both CPUs of the build machine: Vitest's default leaves one of two idle, and the suites run
    // twice (SQLite, then PostgreSQL) within CI's time.
    maxWorkers: 2,
    // Starts a PostgreSQL cluster for the run when SOC_TEST_ENGINE=postgres; nothing otherwise.
    globalSetup: ['test/support/pg-global-setup.ts'],
  },
});

import { inject } from 'vitest';
import { onCluster } from './pg-cluster.js';

/**
 * The engine the console-level suites run on: SQLite unless SOC_TEST_ENGINE=postgres, when the
 * same tests run against a real PostgreSQL (one cluster for the run, see pg-global-setup.ts).
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env['SOC_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';

/** For `describe.skipIf(ON_POSTGRES)`: a test about the embedded file itself (its bytes, backups, quick_check, the database thread). */
export const ON_POSTGRES = TEST_ENGINE === 'postgres';

/** The migrated database each test's database is copied from. */
export const POSTGRES_TEMPLATE = 'soc_template';

let counter = 0;

/** A new database for one console under test, copied from the migrated template; `drop` removes it. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const socketDir = inject('pgSocketDir');
  if (!socketDir) throw new Error('No PostgreSQL cluster for this run: set SOC_TEST_ENGINE=postgres (vitest starts one in its global setup).');
  counter += 1;
  const name = `console_${process.pid}_${counter}`;
  const admin = (sql: string): Promise<void> => onCluster(socketDir, sql);
  await admin(`CREATE DATABASE ${name} TEMPLATE ${POSTGRES_TEMPLATE}`);
  return {
    url: `postgres://postgres@/${name}?host=${encodeURIComponent(socketDir)}`,
    // FORCE: a test that failed half-way may have left a connection open.
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

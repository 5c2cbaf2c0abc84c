import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../main/store/postgres/migrations/index.js';
import { PgDatabase } from '../../main/store/postgres/pg-database.js';
import { startCluster, type PgCluster } from './pg-cluster.js';
import { POSTGRES_TEMPLATE } from './test-engine.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Unix socket folder of the run's PostgreSQL cluster, when the run is on PostgreSQL. */
    pgSocketDir: string | null;
  }
}

let cluster: PgCluster | null = null;

/**
 * With SOC_TEST_ENGINE=postgres, one throw-away cluster serves the whole run, and a migrated
 * template database is made once: each console under test gets its own database copied from it.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env['SOC_TEST_ENGINE'] !== 'postgres') {
    project.provide('pgSocketDir', null);
    return;
  }
  cluster = await startCluster({ maxConnections: 200 });
  const db = PgDatabase.open({ connectionString: await cluster.createDatabase(POSTGRES_TEMPLATE), max: 1 });
  try {
    await migratePostgres(db);
  } finally {
    await db.close();
  }
  project.provide('pgSocketDir', cluster.socketDir);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}

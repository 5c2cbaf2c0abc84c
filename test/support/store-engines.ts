import { afterAll, afterEach } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { StoreContext } from '../../main/store/store-context.js';
import { startCluster, type PgCluster } from './pg-cluster.js';
import { openPostgresDatabase, openSqliteDatabase } from './sql-engines.js';

/** Both engines a store runs on; `describe.each(ENGINES)` runs a store's tests on each. */
export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

export interface StoreUnderTest {
  engine: Engine;
  /** The database itself, for arranging and inspecting rows with SQL both engines accept. */
  db: SqlDatabase;
  /** What a store is built from: `new SqlXStore(context)`. */
  context: StoreContext;
  clock: FixedClock;
}

/**
 * Call at the top of a describe: starts a throw-away PostgreSQL cluster for the file (only if a
 * test asks for PostgreSQL), and gives each test a fresh migrated database on the engine it
 * names, closed after the test.
 */
export function useStoreEngines(): { open(engine: Engine, now?: number): Promise<StoreUnderTest> } {
  let cluster: Promise<PgCluster> | null = null;
  const open: SqlDatabase[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.close()));
  });
  afterAll(async () => {
    if (cluster) await (await cluster).stop();
  });
  return {
    async open(engine, now = Date.UTC(2026, 10, 30, 15)) {
      let db: SqlDatabase;
      if (engine === 'sqlite') db = openSqliteDatabase();
      else {
        cluster ??= startCluster();
        db = await openPostgresDatabase(await cluster);
      }
      open.push(db);
      const clock = new FixedClock(now);
      return { engine, db, context: new StoreContext(db, clock), clock };
    },
  };
}

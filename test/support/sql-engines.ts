import Database from 'better-sqlite3';
import { migrate } from '../../main/store/migrations/index.js';
import { migratePostgres } from '../../main/store/postgres/migrations/index.js';
import { PgDatabase } from '../../main/store/postgres/pg-database.js';
import { SqlError, type SqlDatabase, type SqlExecutor } from '../../main/store/sql.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import type { PgCluster } from './pg-cluster.js';

/** A migrated in-memory SQLite database behind the SqlDatabase interface (foreign keys on, as the console opens it). */
export function openSqliteDatabase(): SqliteDatabase {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return new SqliteDatabase(db);
}

/** A fresh, migrated database in the test cluster. */
export async function openPostgresDatabase(cluster: PgCluster, max = 10): Promise<PgDatabase> {
  const db = PgDatabase.open({ connectionString: await cluster.createDatabase(), max });
  await migratePostgres(db);
  return db;
}

/**
 * How an engine answered a statement, in words both engines share: accepted, refused by a rule
 * the schema's triggers keep (with the rule's sentence), or refused by a plain constraint
 * (unique, check, foreign key, not null). Anything else is a real failure and is thrown.
 */
export function refusal(error: unknown): string {
  if (!(error instanceof SqlError)) throw error;
  if (error.code === 'SQLITE_CONSTRAINT_TRIGGER' || error.code === '23000') return `rule: ${error.message}`;
  if (error.code.startsWith('SQLITE_CONSTRAINT') || /^23...$/.test(error.code)) return 'constraint';
  throw error;
}

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back, so each case starts from the same rows. */
export async function inRolledBackTransaction<T>(db: SqlDatabase, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db
    .transaction(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result as T;
}

import { NewerDatabaseError, type Migration } from '../../migrations/index.js';
import type { PgDatabase } from '../pg-database.js';
import { migration001 } from './001-domain.js';
import { migration002 } from './002-outbox-scope.js';
import { migration003 } from './003-queue-at-scale.js';
import { migration004 } from './004-user-directory.js';
import { migration005 } from './005-history-and-audit.js';
import { migration006 } from './006-trust-model.js';
import { migration007 } from './007-home-dashboard.js';
import { migration008 } from './008-password-resets.js';
import { migration009 } from './009-cms-queue.js';
import { migration010 } from './010-organization-picker.js';
import { migration011 } from './011-decisions-by-signed-in-officials.js';
import { migration012 } from './012-lighter-decisions.js';

/**
 * Every PostgreSQL schema version, in order, numbered as the SQLite ones are: version N is the
 * same schema on both engines. A new version is a new file here and in ../../migrations.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
];

/**
 * The advisory lock (two-key form) that migrations hold for their transaction: 0x534f43 is
 * "SOC", 1 names the migration. Another process that migrates the same database waits, then
 * finds the work done. Use another second key for any other console-wide lock. The one-key form
 * (a bigint) is taken by the schema's triggers with a users.id, to count a user once per program.
 */
export const MIGRATION_LOCK = [0x534f43, 1] as const;

/**
 * Applies the pending migrations in one transaction (PostgreSQL's DDL is transactional, so a
 * failed version leaves the database as it was) and records the version in schema_version, as
 * SQLite's PRAGMA user_version: versions only increase, and a database written by a newer
 * console is refused.
 */
export async function migratePostgres(db: PgDatabase, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<{ from: number; to: number }> {
  if (db.dialect !== 'postgres') throw new Error('migratePostgres needs a PostgreSQL database; SQLite uses migrate().');
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.length;
  await requireCLocale(db);
  // Read committed: a second process waits on the lock and must then see the first one's work.
  return db.transactionAt('read committed', async (tx) => {
    await tx.get('SELECT pg_advisory_xact_lock(?, ?)', [...MIGRATION_LOCK]);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS schema_version (
         singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
         version      INTEGER NOT NULL,
         migrated_at  BIGINT NOT NULL
       )`,
    );
    const from = (await tx.get<{ version: number }>('SELECT version FROM schema_version WHERE singleton = 1'))?.version ?? 0;
    if (from > known) throw new NewerDatabaseError(from, known);
    if (from === known) return { from, to: known };
    for (const m of migrations.slice(from)) await tx.run(m.sql);
    await tx.run(
      `INSERT INTO schema_version (singleton, version, migrated_at) VALUES (1, ?, (extract(epoch FROM statement_timestamp()) * 1000)::bigint)
       ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at`,
      [known],
    );
    return { from, to: known };
  });
}

/**
 * The console compares user IDs and names as SQLite's NOCASE does: ASCII letters folded, every
 * other character as it is. citext folds case by the database's LC_CTYPE, so only the C (or POSIX)
 * ctype gives that; in a UTF-8 locale 'JOSÉ' would equal 'josé' here and not on the embedded
 * engine, and names would sort and page differently. Such a database is refused, saying how to make one.
 */
async function requireCLocale(db: PgDatabase): Promise<void> {
  const row = await db.get<{ ctype: string; encoding: string }>(
    'SELECT datctype AS ctype, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()',
  );
  if (!row) return;
  if (row.encoding !== 'UTF8' || (row.ctype !== 'C' && row.ctype !== 'POSIX')) {
    throw new Error(
      `The console's PostgreSQL database must use the UTF8 encoding and the C character type, so that names compare as the embedded console compares them; this one has ${row.encoding} and ${row.ctype}. Create it with: createdb --encoding=UTF8 --locale=C --template=template0 NAME`,
    );
  }
}

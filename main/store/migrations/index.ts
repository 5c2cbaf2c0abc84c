import type { Database } from 'better-sqlite3';
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
import type { Migration } from './migration.js';

// The versions import the type from its own file, not from this index that imports them.
export type { Migration } from './migration.js';

/** Every schema version, in order. A new version is a new file and one line here. */
export const MIGRATIONS: readonly Migration[] = [
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

export class NewerDatabaseError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`This database was written by a newer version of the console (schema ${found}; this console knows ${known}). Update the console.`);
    this.name = 'NewerDatabaseError';
  }
}

/**
 * Applies the pending migrations in one transaction and records PRAGMA user_version,
 * as Signal Desktop does: versions only increase, and a newer database is refused.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.length;
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > known) throw new NewerDatabaseError(from, known);
  if (from === known) return { from, to: known };
  db.transaction(() => {
    for (const m of migrations.slice(from)) db.exec(m.sql);
    db.pragma(`user_version = ${known}`);
  }).immediate();
  return { from, to: known };
}

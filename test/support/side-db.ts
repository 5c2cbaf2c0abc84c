import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { ConsoleApp } from '../../main/app.js';
import { PgDatabase } from '../../main/store/postgres/pg-database.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';

const connections = new WeakMap<ConsoleApp, Db>();
const sqlConnections = new WeakMap<ConsoleApp, SqlDatabase>();

/** Closes `close` before the console closes (so its own last connection is the last one). */
function beforeClose(app: ConsoleApp, close: () => Promise<void> | void): void {
  const closeApp = app.close.bind(app);
  app.close = async () => {
    await close();
    await closeApp();
  };
}

/**
 * A second connection to a test console's SQLite file, for arranging and inspecting rows the
 * way no service may (the console's own connection lives on its database thread). It is closed
 * before the console closes, so the console's last connection still checkpoints the file. Only
 * for tests about the embedded engine: on PostgreSQL, use sideSql.
 */
export function sideDb(app: ConsoleApp): Db {
  const open = connections.get(app);
  if (open?.open) return open;
  const db = new Database(app.databasePath);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  connections.set(app, db);
  beforeClose(app, () => {
    if (db.open) db.close();
  });
  return db;
}

/**
 * A second connection to a test console's database on either engine, behind the SqlDatabase
 * interface: arranging and inspecting rows with SQL both engines accept.
 */
export function sideSql(app: ConsoleApp): SqlDatabase {
  const open = sqlConnections.get(app);
  if (open) return open;
  let db: SqlDatabase;
  if (app.database.engine === 'sqlite') db = new SqliteDatabase(sideDb(app));
  else {
    const pool = PgDatabase.open({ connectionString: app.database.url, max: 2 });
    // A test may close its console itself before the harness does: the pool ends once.
    let ended: Promise<void> | null = null;
    beforeClose(app, () => (ended ??= pool.close()));
    db = pool;
  }
  sqlConnections.set(app, db);
  return db;
}

import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { ConsoleApp } from '../../main/app.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';

const connections = new WeakMap<ConsoleApp, Db>();

/**
 * A second connection to a test console's SQLite file, for arranging and inspecting rows the
 * way no service may (the console's own connection lives on its database thread). It is closed
 * before the console closes, so the console's last connection still checkpoints the file.
 */
export function sideDb(app: ConsoleApp): Db {
  const open = connections.get(app);
  if (open?.open) return open;
  const db = new Database(app.databasePath);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  connections.set(app, db);
  const close = app.close.bind(app);
  app.close = async () => {
    if (db.open) db.close();
    await close();
  };
  return db;
}

/** The side connection behind the SqlDatabase interface, for helpers written for both engines. */
export function sideSql(app: ConsoleApp): SqliteDatabase {
  return new SqliteDatabase(sideDb(app));
}

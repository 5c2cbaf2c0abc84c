import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { migrate } from './migrations/index.js';
import { ARCHIVE_APPLICATION_ID } from './archive-file.js';
import { ensurePrivateFile, makeDatabaseFilesPrivate } from './private-files.js';
import type { Clock } from '../clock.js';
import type { OrganizationRecord } from './types.js';
import { SqlStore } from './sql-store.js';
import { StoreContext } from './store-context.js';
import { SqliteDatabase } from './sqlite-database.js';

/**
 * Opens (or creates) the console database: WAL so readers never wait on the writer,
 * foreign keys on, a busy timeout instead of SQLITE_BUSY, and synchronous=FULL because a
 * decision an official saw confirmed must survive a power cut.
 */
export function openDatabase(path: string): Db {
  // Created 0600 before SQLite sees it: SQLite keeps the mode and gives it to -wal and -shm.
  if (path !== ':memory:') ensurePrivateFile(path);
  const db = new Database(path);
  if (db.pragma('application_id', { simple: true }) === ARCHIVE_APPLICATION_ID) {
    // A review archive is read-only evidence of another time (or another console): it never
    // becomes a console's database, whatever its file is renamed to.
    db.close();
    throw new ArchiveIsNotADatabaseError(path);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (SQLite's default is 2 MiB): with a million users the indexes a bulk
  // decision touches do not fit in 2 MiB, and every miss is a read from the file.
  db.pragma('cache_size = -65536');
  migrate(db);
  // -wal and -shm exist from here on; also fixes the files of an older, world-readable install.
  if (path !== ':memory:') makeDatabaseFilesPrivate(path);
  return db;
}

/**
 * A second, read-only connection to a console database the writer has opened and upgraded: in
 * WAL mode its reads see the last commit and never wait for the writer, nor make it wait.
 */
export function openReadOnlyDatabase(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Half the writer's cache: the pages a page of a list reads.
  db.pragma('cache_size = -32768');
  return db;
}

/**
 * The console's database in a SQLite file: opens it and builds the store over its one connection.
 * `db` is that connection itself, for what still runs on it directly.
 */
export class SqliteStore extends SqlStore {
  constructor(
    readonly db: Db,
    clock: Clock,
    readOnly = false,
  ) {
    super(new StoreContext(new SqliteDatabase(db, readOnly), clock));
  }

  static open(path: string, clock: Clock): SqliteStore {
    return new SqliteStore(openDatabase(path), clock);
  }

  /** Over a read-only connection (openReadOnlyDatabase): its transactions are snapshots, not write locks. */
  static openReadOnly(path: string, clock: Clock): SqliteStore {
    return new SqliteStore(openReadOnlyDatabase(path), clock, true);
  }
}

export type { OrganizationRecord };

export class ArchiveIsNotADatabaseError extends Error {
  constructor(readonly path: string) {
    super(`${path} is a review archive, not a console database. Open it with "Open archive" on Request History; it cannot be used as a console's database.`);
    this.name = 'ArchiveIsNotADatabaseError';
  }
}

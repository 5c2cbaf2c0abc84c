import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { MIGRATIONS, migrate } from './migrations/index.js';
import { walkChain } from './chain-verify.js';
import type { ChainBreak } from './chain-verify.js';
import { keyFingerprint, verifySignatureSync } from './signature.js';
import { PLAN_EACH_CALL, PgDatabase } from './postgres/pg-database.js';
import type { SqlExecutor, SqlValue } from './sql.js';
import type { DatabaseLocation } from './store.js';

/**
 * The offline review archive: one SQLite file with the console's schema, holding the decided
 * requests and the audit events of chosen organizations and period, the users they name (names
 * and emails only: no password hash, no date of birth, no TOTP secret, no mail settings), and a
 * manifest signed with the console's Ed25519 key: the chain segment's ends, a SHA-256 digest of
 * every table and one of the schema, so that any change after export fails the signature.
 *
 * A SQLite file carries its own schema, and a schema runs code when read: a view in place of a
 * table, a trigger, or an index whose b-tree belongs to another index would change what the
 * History and Audit views show without changing a signed row. So an archive is opened only if its
 * schema is exactly the one this console's writer makes (compared entry by entry with one made
 * in memory by the same code), SQLite's integrity_check finds every index agreeing with its
 * table, and the signed manifest names the same schema digest.
 *
 * PRAGMA application_id marks the file as an archive; openDatabase refuses such a file, so an
 * archive can never be opened (or copied in) as a console's database.
 */

/** "SOCA" */
export const ARCHIVE_APPLICATION_ID = 0x534f4341;
export const ARCHIVE_FORMAT = 'soc-review-archive';
/**
 * 2: the manifest signs a digest of the schema. Archives of version 1 are refused rather than
 * read: their signature does not cover the schema, so "signature verified" would claim more than
 * was signed, and re-exporting one from its console is the cheap way to a checkable file.
 */
export const ARCHIVE_FORMAT_VERSION = 2;

/**
 * The tables an archive holds, in digest order, each read in its primary key's order. An audit
 * event's content is already covered by its own chain hash (recomputed when verifying), so its
 * digest takes the id and hash only.
 */
export const ARCHIVE_TABLES: ReadonlyArray<{ name: string; order: string; columns: string }> = [
  { name: 'programs', order: 'id', columns: '*' },
  { name: 'roles', order: 'id', columns: '*' },
  { name: 'organizations', order: 'id', columns: '*' },
  { name: 'users', order: 'id', columns: '*' },
  { name: 'role_requests', order: 'id', columns: '*' },
  { name: 'audit_events', order: 'id', columns: 'id, hash' },
  { name: 'audit_scope', order: 'organization_id, event_id', columns: '*' },
];

/** Rows joined per hash update: one call per row into the hash costs more than the hashing. */
const DIGEST_BATCH = 1_000;

/** What the console signs. Written as JSON text; the signature covers exactly that text. */
export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  consoleId: string;
  /** The console's Ed25519 public key, SPKI DER, base64. */
  publicKey: string;
  createdAt: number;
  createdBy: string;
  organizations: Array<{ id: number; displayId: string; name: string }>;
  from: number;
  to: number;
  /** The chain segment the period spans: its first event's previous hash and its last event's hash. */
  chain: { firstId: number | null; firstPrevHash: string | null; lastId: number | null; lastHash: string | null };
  counts: Record<string, number>;
  digests: Record<string, string>;
  /** SHA-256 of the schema (schemaDigest): what the digests of the rows are digests of. */
  schema: string;
}

export type UnsignedManifest = Omit<ArchiveManifest, 'format' | 'version' | 'consoleId' | 'publicKey' | 'createdAt' | 'createdBy'>;

export interface ExportTask {
  /** The console's database; the rows are read in one snapshot on the worker's own connection. */
  source: DatabaseLocation;
  archivePath: string;
  organizationIds: number[];
  from: number;
  to: number;
}

const HISTORY_WHERE = "status IN ('approved', 'rejected')";

/**
 * Indexes an archive's readers (the History and Audit views) never use: the pending queue's, the
 * requester's own list, decisions by official, and events by action and time. Not building them
 * saves a tenth of an export.
 */
const UNUSED_IN_ARCHIVES = new Set(['role_requests_queue', 'role_requests_requester', 'role_requests_history', 'audit_events_action']);

export class ArchiveFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveFormatError';
  }
}

/** An archive refused because its file was changed below the rows: its schema, or its b-trees. */
export class ArchiveChangedError extends ArchiveFormatError {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveChangedError';
  }
}

/**
 * Copies the archive's rows out of the console database into a new file. The source is read in
 * one snapshot (a read transaction while the console keeps writing), so the rows and the chain
 * segment agree. The archive is the same file whichever engine the console runs on: the rows
 * are copied into the same tables and digested the same way. Runs in a worker thread.
 */
export async function exportArchive(task: ExportTask): Promise<UnsignedManifest> {
  const source = task.source;
  if (source.engine === 'sqlite') return exportArchiveSync({ ...task, source });
  const pg = PgDatabase.open({ connectionString: source.url, max: 1, application_name: 'security-official-console archive', options: PLAN_EACH_CALL });
  try {
    return await writeArchive(task, (db) =>
      // Repeatable read: every statement of the copy sees the same committed rows.
      pg.transactionAt('repeatable read', (tx) => copyFromPostgres(db, tx, task)),
    );
  } finally {
    await pg.close();
  }
}

/**
 * The embedded engine's copy: table by table with INSERT ... SELECT through ATTACH, a snapshot of
 * exactly the rows wanted, rather than an online backup of the whole database followed by
 * deletions, which at 10 million requests would copy gigabytes to keep a tenth.
 */
export function exportArchiveSync(task: ExportTask & { source: { engine: 'sqlite' } }): UnsignedManifest {
  const db = new Database(task.archivePath);
  try {
    const indexes = startArchive(db);
    db.prepare('ATTACH DATABASE ? AS src').run(task.source.path);
    const orgs = task.organizationIds;
    const inOrgs = orgs.map(() => '?').join(',');
    const copy = db.transaction((): UnsignedManifest => {
      const chain = segmentOf(db, task.from, task.to);
      db.exec('INSERT INTO programs SELECT * FROM src.programs');
      db.exec('INSERT INTO roles SELECT * FROM src.roles');
      db.prepare(`INSERT INTO organizations SELECT * FROM src.organizations WHERE id IN (${inOrgs})`).run(...orgs);
      const requestColumns = columnsOf(db, 'role_requests').join(', ');
      db.prepare(
        `INSERT INTO role_requests (${requestColumns}) SELECT ${requestColumns} FROM src.role_requests
          WHERE ${HISTORY_WHERE} AND organization_id IN (${inOrgs}) AND decided_at >= ? AND decided_at <= ?`,
      ).run(...orgs, task.from, task.to);
      if (chain.firstId !== null && chain.lastId !== null) {
        db.prepare(
          `INSERT OR IGNORE INTO audit_events SELECT e.* FROM src.audit_scope s JOIN src.audit_events e ON e.id = s.event_id
            WHERE s.organization_id IN (${inOrgs}) AND s.event_id BETWEEN ? AND ? ORDER BY e.id`,
        ).run(...orgs, chain.firstId, chain.lastId);
        db.prepare(
          `INSERT INTO audit_scope SELECT organization_id, event_id FROM src.audit_scope WHERE organization_id IN (${inOrgs}) AND event_id BETWEEN ? AND ?`,
        ).run(...orgs, chain.firstId, chain.lastId);
      }
      // Only who the rows name, and of them only what the views show.
      db.exec(`INSERT INTO users (${ARCHIVED_USER_COLUMNS})
        SELECT ${ARCHIVED_USER_VALUES} FROM src.users WHERE id IN (${NAMED_USERS})`);
      return finishArchive(db, indexes, task, chain);
    });
    const manifest = copy.deferred();
    db.exec('DETACH DATABASE src');
    endArchive(db);
    return manifest;
  } finally {
    db.close();
  }
}

/** The users an archive keeps: those its requests and events name. */
const NAMED_USERS = `SELECT requester_id FROM role_requests UNION SELECT decided_by FROM role_requests
                      UNION SELECT actor_id FROM audit_events UNION SELECT subject_user_id FROM audit_events`;
const ARCHIVED_USER_COLUMNS = 'id, user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state';
/** Of a user, only what the views show: never a password hash. */
const ARCHIVED_USER_VALUES = "id, user_id, first_name, last_name, email, status, '', created_at, proofing_state";

/** Rows read from PostgreSQL at a time, by primary key: an export of millions never holds them all. */
const PAGE = 5_000;

/**
 * PostgreSQL's copy, inside the snapshot transaction `tx`: the same rows the embedded copy takes,
 * read a page at a time in key order and inserted into the archive's tables in one local
 * transaction.
 */
async function writeArchive(task: ExportTask, copy: (db: Db) => Promise<UnsignedManifest['chain']>): Promise<UnsignedManifest> {
  const db = new Database(task.archivePath);
  try {
    const indexes = startArchive(db);
    db.exec('BEGIN');
    let manifest: UnsignedManifest;
    try {
      const chain = await copy(db);
      manifest = finishArchive(db, indexes, task, chain);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    endArchive(db);
    return manifest;
  } finally {
    db.close();
  }
}

async function copyFromPostgres(db: Db, tx: SqlExecutor, task: ExportTask): Promise<UnsignedManifest['chain']> {
  const orgs = task.organizationIds;
  const inOrgs = orgs.map(() => '?').join(',');
  const chain = await segmentOfSql(tx, task.from, task.to);
  const insertRows = (table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>, orIgnore = false) => {
    const insert = db.prepare(`INSERT ${orIgnore ? 'OR IGNORE ' : ''}INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const row of rows) insert.run(...columns.map((c) => row[c] ?? null));
  };
  /** Pages of `select` (which ends in `AND <key> > ? ORDER BY <key> LIMIT ?`) after each page's last key. */
  const copyPaged = async (table: string, columns: readonly string[], select: string, params: SqlValue[], key: string, orIgnore = false) => {
    let after = -1;
    for (;;) {
      const rows = await tx.all<Record<string, unknown>>(select, [...params, after, PAGE]);
      insertRows(table, columns, rows, orIgnore);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]![key] as number;
    }
  };
  for (const table of ['programs', 'roles']) {
    const columns = columnsOf(db, table);
    insertRows(table, columns, await tx.all(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY id`));
  }
  const orgColumns = columnsOf(db, 'organizations');
  insertRows('organizations', orgColumns, await tx.all(`SELECT ${orgColumns.join(', ')} FROM organizations WHERE id IN (${inOrgs}) ORDER BY id`, orgs));
  const requestColumns = columnsOf(db, 'role_requests');
  await copyPaged(
    'role_requests',
    requestColumns,
    `SELECT ${requestColumns.join(', ')} FROM role_requests
      WHERE ${HISTORY_WHERE} AND organization_id IN (${inOrgs}) AND decided_at >= ? AND decided_at <= ? AND id > ? ORDER BY id LIMIT ?`,
    [...orgs, task.from, task.to],
    'id',
  );
  if (chain.firstId !== null && chain.lastId !== null) {
    const eventColumns = columnsOf(db, 'audit_events');
    // An event scoped to two of the chosen organizations is read twice and kept once.
    await copyPaged(
      'audit_events',
      eventColumns,
      `SELECT ${eventColumns.map((c) => `e.${c}`).join(', ')} FROM audit_scope s JOIN audit_events e ON e.id = s.event_id
        WHERE s.organization_id IN (${inOrgs}) AND s.event_id BETWEEN ? AND ? AND e.id > ? ORDER BY e.id LIMIT ?`,
      [...orgs, chain.firstId, chain.lastId],
      'id',
      true,
    );
    for (const org of orgs) {
      await copyPaged(
        'audit_scope',
        ['organization_id', 'event_id'],
        'SELECT organization_id, event_id FROM audit_scope WHERE organization_id = ? AND event_id BETWEEN ? AND ? AND event_id > ? ORDER BY event_id LIMIT ?',
        [org, chain.firstId, chain.lastId],
        'event_id',
      );
    }
  }
  const named = (db.prepare(NAMED_USERS).raw(true).all() as Array<[number | null]>)
    .map(([id]) => id)
    .filter((id): id is number => id !== null)
    .sort((a, b) => a - b);
  const userColumns = ARCHIVED_USER_COLUMNS.split(', ');
  for (let i = 0; i < named.length; i += 500) {
    const ids = named.slice(i, i + 500);
    insertRows(
      'users',
      userColumns,
      await tx.all(
        `SELECT ${ARCHIVED_USER_VALUES.replace("''", "'' AS password_hash")} FROM users WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
        ids,
      ),
    );
  }
  return chain;
}

/** The archive's tables, before any row: returns the indexes to build once the rows are in. */
function startArchive(db: Db): Array<{ name: string; sql: string }> {
  db.pragma('trusted_schema = OFF');
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -131072');
  const indexes = createArchiveTables(db);
  db.exec('DELETE FROM audit_head');
  return indexes;
}

/** Indexes, digests and the schema check, inside the copy's transaction: the manifest of what was written. */
function finishArchive(db: Db, indexes: ReadonlyArray<{ sql: string }>, task: ExportTask, chain: UnsignedManifest['chain']): UnsignedManifest {
  createArchiveIndexes(db, indexes);
  const organizations = db.prepare('SELECT id, display_id AS displayId, name FROM organizations ORDER BY name').all() as UnsignedManifest['organizations'];
  const { counts, digests } = digestTables(db);
  // The readers accept nothing but the expected schema: a writer that drifted from it would make unopenable archives.
  const schema = readSchema(db);
  const difference = schemaDifference(schema, expectedArchiveSchema());
  if (difference !== null) throw new Error(`The archive writer made an unexpected schema: ${difference}`);
  return {
    organizations,
    from: task.from,
    to: task.to,
    chain,
    counts,
    digests,
    schema: schemaDigest(schema, db.pragma('user_version', { simple: true }) as number),
  };
}

function endArchive(db: Db): void {
  db.pragma(`application_id = ${ARCHIVE_APPLICATION_ID}`);
  // One self-contained file: no -wal or -shm beside it.
  db.pragma('journal_mode = DELETE');
}

/** A table's columns in the archive, in its order. */
function columnsOf(db: Db, table: string): string[] {
  return (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map((c) => c.name);
}

/**
 * An archive's tables: the console's schema, less what a file that is only ever read needs: no
 * triggers but the audit table's refusals, no index yet (built once after the copy, faster than
 * keeping them during it), and the manifest's table. Returns the indexes to build afterwards.
 * The writer and expectedArchiveSchema both call this, so the schema a reader expects is the one
 * written, whatever the migrations become.
 */
function createArchiveTables(db: Db): Array<{ name: string; sql: string }> {
  migrate(db, MIGRATIONS);
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE 'audit_events_no_%'").all() as Array<{ name: string }>) {
    db.exec(`DROP TRIGGER "${t.name}"`);
  }
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  db.exec('CREATE TABLE archive_manifest (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), manifest TEXT NOT NULL, signature TEXT NOT NULL)');
  return indexes.filter((index) => !UNUSED_IN_ARCHIVES.has(index.name));
}

function createArchiveIndexes(db: Db, indexes: ReadonlyArray<{ sql: string }>): void {
  for (const index of indexes) db.exec(index.sql);
}

/** One row of sqlite_master. */
export interface SchemaEntry {
  type: string;
  name: string;
  tblName: string;
  sql: string | null;
}

/** Every schema object of the main database, in the order SQLite keeps them. */
export function readSchema(db: Db): SchemaEntry[] {
  return db.prepare('SELECT type, name, tbl_name AS tblName, sql FROM main.sqlite_master ORDER BY rowid').all() as SchemaEntry[];
}

let expectedSchema: readonly SchemaEntry[] | null = null;

/** The schema the writer makes, from the writer's own code run on an empty database in memory (once per process). */
export function expectedArchiveSchema(): readonly SchemaEntry[] {
  if (expectedSchema === null) {
    const db = new Database(':memory:');
    try {
      createArchiveIndexes(db, createArchiveTables(db));
      expectedSchema = readSchema(db);
    } finally {
      db.close();
    }
  }
  return expectedSchema;
}

const entryKey = (e: SchemaEntry) => `${e.type} ${e.name}`;

/**
 * The first way a schema differs from the expected one, in words, or null when it is the same:
 * first an object that should not be there (a view in place of a table is one), then one that is
 * missing, then one whose definition differs. The SQL text is compared as SQLite stored it:
 * the writer's statements are the same code on both sides, so even whitespace is the same.
 */
export function schemaDifference(actual: readonly SchemaEntry[], expected: readonly SchemaEntry[]): string | null {
  const wanted = new Map(expected.map((e) => [entryKey(e), e]));
  const found = new Map(actual.map((e) => [entryKey(e), e]));
  for (const e of actual) if (!wanted.has(entryKey(e))) return `${entryKey(e)} is not expected`;
  for (const e of expected) if (!found.has(entryKey(e))) return `${entryKey(e)} is missing`;
  for (const e of expected) {
    const a = found.get(entryKey(e));
    if (a && (a.tblName !== e.tblName || a.sql !== e.sql)) return `${entryKey(e)} is not defined as this console defines it`;
  }
  return actual.length === expected.length ? null : 'it has a schema object twice';
}

/** SHA-256 of the schema version and every sqlite_master entry (sorted, so that only content counts). */
export function schemaDigest(entries: readonly SchemaEntry[], userVersion: number): string {
  const lines = entries.map((e) => JSON.stringify([e.type, e.name, e.tblName, e.sql])).sort();
  return createHash('sha256')
    .update(`${JSON.stringify(['soc-archive-schema', userVersion])}\n${lines.join('\n')}\n`)
    .digest('hex');
}

/** segmentOf, on a database reached through SqlExecutor (PostgreSQL). */
async function segmentOfSql(tx: SqlExecutor, from: number, to: number): Promise<UnsignedManifest['chain']> {
  const ends = (await tx.get<{ lo: number | null; hi: number | null }>('SELECT min(id) AS lo, max(id) AS hi FROM audit_events'))!;
  if (ends.lo === null || ends.hi === null) return { firstId: null, firstPrevHash: null, lastId: null, lastHash: null };
  const firstAtOrAfter = async (t: number): Promise<number> => {
    let lo = ends.lo as number;
    let hi = (ends.hi as number) + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const at = (await tx.get<{ at: number }>('SELECT at FROM audit_events WHERE id >= ? ORDER BY id LIMIT 1', [mid]))?.at ?? Number.POSITIVE_INFINITY;
      if (at >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const firstId = await firstAtOrAfter(from);
  const lastId = (await firstAtOrAfter(to + 1)) - 1;
  if (firstId > lastId) return { firstId: null, firstPrevHash: null, lastId: null, lastHash: null };
  const firstRow = (await tx.get<{ id: number; prevHash: string }>('SELECT id, prev_hash AS "prevHash" FROM audit_events WHERE id >= ? ORDER BY id LIMIT 1', [
    firstId,
  ]))!;
  const lastRow = (await tx.get<{ id: number; hash: string }>('SELECT id, hash FROM audit_events WHERE id <= ? ORDER BY id DESC LIMIT 1', [lastId]))!;
  return { firstId: firstRow.id, firstPrevHash: firstRow.prevHash, lastId: lastRow.id, lastHash: lastRow.hash };
}

/** The chain segment of the period: first event at or after `from`, last at or before `to` (events are in time order). */
function segmentOf(db: Db, from: number, to: number): UnsignedManifest['chain'] {
  const first = db.prepare('SELECT id, prev_hash AS prevHash FROM src.audit_events WHERE id >= ? ORDER BY id LIMIT 1');
  const ends = db.prepare('SELECT (SELECT min(id) FROM src.audit_events) AS lo, (SELECT max(id) FROM src.audit_events) AS hi').get() as {
    lo: number | null;
    hi: number | null;
  };
  if (ends.lo === null || ends.hi === null) return { firstId: null, firstPrevHash: null, lastId: null, lastHash: null };
  const atOf = db.prepare('SELECT at FROM src.audit_events WHERE id >= ? ORDER BY id LIMIT 1');
  const firstAtOrAfter = (t: number): number => {
    let lo = ends.lo as number;
    let hi = (ends.hi as number) + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const at = (atOf.get(mid) as { at: number } | undefined)?.at ?? Number.POSITIVE_INFINITY;
      if (at >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const firstId = firstAtOrAfter(from);
  const lastId = firstAtOrAfter(to + 1) - 1;
  if (firstId > lastId) return { firstId: null, firstPrevHash: null, lastId: null, lastHash: null };
  const firstRow = first.get(firstId) as { id: number; prevHash: string };
  const lastRow = db.prepare('SELECT id, hash FROM src.audit_events WHERE id <= ? ORDER BY id DESC LIMIT 1').get(lastId) as { id: number; hash: string };
  return { firstId: firstRow.id, firstPrevHash: firstRow.prevHash, lastId: lastRow.id, lastHash: lastRow.hash };
}

/** SHA-256 of every table's rows (JSON arrays, one per line, in primary key order) and the row counts. No archived column is a BLOB. */
export function digestTables(db: Db): { counts: Record<string, number>; digests: Record<string, string> } {
  const counts: Record<string, number> = {};
  const digests: Record<string, string> = {};
  for (const table of ARCHIVE_TABLES) {
    const hash = createHash('sha256');
    let n = 0;
    let lines: string[] = [];
    for (const row of db.prepare(`SELECT ${table.columns} FROM main.${table.name} ORDER BY ${table.order}`).raw(true).iterate() as Iterable<unknown[]>) {
      lines.push(JSON.stringify(row));
      n += 1;
      if (lines.length === DIGEST_BATCH) {
        hash.update(`${lines.join('\n')}\n`);
        lines = [];
      }
    }
    if (lines.length > 0) hash.update(`${lines.join('\n')}\n`);
    counts[table.name] = n;
    digests[table.name] = hash.digest('hex');
  }
  return { counts, digests };
}

export function manifestText(manifest: ArchiveManifest): string {
  return JSON.stringify(manifest);
}

/** Writes the signed manifest into a finished archive; the commit flushes the whole file to disk (run in the worker). */
export function writeManifest(path: string, text: string, signature: string): void {
  const db = new Database(path);
  try {
    db.pragma('trusted_schema = OFF');
    db.prepare('INSERT INTO archive_manifest (singleton, manifest, signature) VALUES (1, ?, ?)').run(text, signature);
  } finally {
    db.close();
  }
}

export interface OpenedArchive {
  db: Db;
  manifest: ArchiveManifest;
  manifestText: string;
  signature: string;
}

export const ARCHIVE_FILE_MESSAGES = {
  notAnArchive: 'This file is not a console review archive.',
  newer: 'This archive was made by a newer version of the console. Update the console to open it.',
  older: 'This archive was made by an older version of the console, whose archives this console cannot check. Export it again from a current console.',
  unknownFormat: 'This archive has a format this console does not know.',
  noManifest: 'This archive has no manifest: it is incomplete or was changed after export.',
  schemaChanged: (difference: string) => `The archive's schema was changed: ${difference}.`,
  schemaNotSigned: "The archive's schema was changed: it is not the schema its manifest signs.",
  damaged: (problem: string) => `The archive is damaged or was changed outside the console (SQLite's integrity check: ${problem}).`,
} as const;

/**
 * Opens an archive read-only and refuses a file that is not one as this console writes it. The
 * order matters: nothing is read from a table before the schema is known to be the expected one
 * (a view or trigger in it would run on the first read), and no row is trusted before
 * integrity_check has found every index agreeing with its table (an index swapped for another
 * makes a filtered list show rows the filter excludes). trusted_schema is off and the connection
 * is query-only, so that even a schema that slipped through could call no function with side
 * effects and write nothing.
 */
export function openArchiveFile(path: string): OpenedArchive {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.notAnArchive);
  }
  try {
    let appId: unknown;
    try {
      db.pragma('trusted_schema = OFF');
      db.pragma('query_only = ON');
      appId = db.pragma('application_id', { simple: true });
    } catch {
      throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.notAnArchive);
    }
    if (appId !== ARCHIVE_APPLICATION_ID) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.notAnArchive);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.newer);
    // Every archive is written at a schema version; a file at none was not written by a console.
    if (version < 1) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.notAnArchive);
    const schema = readSchema(db);
    const difference = schemaDifference(schema, expectedArchiveSchema());
    // An archive of an older schema version still opens when its schema is this console's: the
    // versions since changed nothing an archive holds (an index it leaves out, a trigger of the
    // live database). The manifest signs the digest of that schema with the version it was made at.
    if (difference !== null && version < MIGRATIONS.length) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.older);
    if (difference !== null) throw new ArchiveChangedError(ARCHIVE_FILE_MESSAGES.schemaChanged(difference));
    const problems = (db.pragma('integrity_check(5)') as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
    if (problems.length !== 1 || problems[0] !== 'ok') throw new ArchiveChangedError(ARCHIVE_FILE_MESSAGES.damaged(problems.join('; ')));
    const row = db.prepare('SELECT manifest, signature FROM archive_manifest WHERE singleton = 1').get() as { manifest: string; signature: string } | undefined;
    if (!row) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.noManifest);
    let manifest: ArchiveManifest;
    try {
      manifest = JSON.parse(row.manifest) as ArchiveManifest;
    } catch {
      throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.noManifest);
    }
    if (manifest.format !== ARCHIVE_FORMAT || typeof manifest.version !== 'number') throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.unknownFormat);
    if (manifest.version < ARCHIVE_FORMAT_VERSION) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.older);
    if (manifest.version > ARCHIVE_FORMAT_VERSION) throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.newer);
    if (manifest.schema !== schemaDigest(schema, version)) throw new ArchiveChangedError(ARCHIVE_FILE_MESSAGES.schemaNotSigned);
    return { db, manifest, manifestText: row.manifest, signature: row.signature };
  } catch (error) {
    db.close();
    if (error instanceof ArchiveFormatError) throw error;
    // A file whose schema SQLite cannot parse fails here too.
    throw new ArchiveFormatError(ARCHIVE_FILE_MESSAGES.notAnArchive);
  }
}

export interface ArchiveCheck {
  signature: { ok: boolean; message: string };
  chain: { ok: boolean; message: string };
  broken: ChainBreak | null;
  fingerprint: string;
  events: number;
}

const TABLE_WORDS: Record<string, string> = {
  programs: 'programs',
  roles: 'roles',
  organizations: 'organizations',
  users: 'users',
  role_requests: 'request history',
  audit_events: 'audit events',
  audit_scope: 'audit event organizations',
};

/**
 * Verifies an opened archive: the manifest's signature, every table against its signed digest,
 * and the hash chain of its audit events (each event's hash, the links between consecutive
 * events, and the segment's ends). A changed history row is named by comparing each decision
 * with its audit event.
 */
export function verifyArchiveSync(archive: OpenedArchive): ArchiveCheck {
  const { db, manifest } = archive;
  const publicKey = Buffer.from(manifest.publicKey ?? '', 'base64');
  const fingerprint = keyFingerprint(publicKey);
  const signed = verifySignatureSync(publicKey, Buffer.from(archive.manifestText, 'utf8'), archive.signature);
  const { digests } = digestTables(db);
  const changed = ARCHIVE_TABLES.filter((t) => digests[t.name] !== manifest.digests?.[t.name]).map((t) => t.name);

  const rows = db
    .prepare('SELECT id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash FROM audit_events ORDER BY id')
    .raw(true)
    .iterate();
  const chain = manifest.chain;
  const start = chain.firstId !== null && chain.firstPrevHash !== null ? { id: chain.firstId - 1, hash: chain.firstPrevHash } : { id: 0, hash: '' };
  const walked = walkChain(rows as Iterable<never>, { start, gapsAllowed: true, headHash: null });
  let broken = walked.broken;
  if (broken === null && chain.lastId !== null && walked.lastId === chain.lastId && walked.lastHash !== chain.lastHash) {
    broken = { eventId: chain.lastId, reason: `Event ${chain.lastId.toLocaleString('en-US')} was changed after export: it differs from the signed chain end` };
  }
  if (broken === null && chain.firstId !== null && walked.firstId !== null && walked.firstId < chain.firstId) {
    broken = {
      eventId: walked.firstId,
      reason: `Event ${walked.firstId.toLocaleString('en-US')} is outside the archive's signed segment: it was added after export`,
    };
  }
  if (broken === null && changed.includes('role_requests')) broken = historyMismatch(db);

  let chainMessage: string;
  if (broken !== null) chainMessage = broken.reason;
  else if (changed.length > 0) chainMessage = `changed after export: ${changed.map((t) => TABLE_WORDS[t] ?? t).join(', ')} no longer match the signed digests`;
  else chainMessage = `${walked.checked.toLocaleString('en-US')} events, each hash and link intact`;
  return {
    signature: signed
      ? { ok: true, message: `signed by console ${manifest.consoleId}` }
      : { ok: false, message: 'the signature does not verify: the archive was changed after export, or was not made by a console' },
    chain: { ok: broken === null && changed.length === 0, message: chainMessage },
    broken,
    fingerprint,
    events: walked.checked,
  };
}

/** The first decided request whose decision differs from the audit event that recorded it. */
function historyMismatch(db: Db): ChainBreak {
  const rows = db
    .prepare(
      `SELECT r.id, r.status, r.decided_at AS decidedAt, r.decided_by AS decidedBy, r.reason,
              e.id AS eventId, e.at, e.actor_id AS actorId, e.action, e.details
         FROM role_requests r
         JOIN audit_events e ON e.id = (SELECT max(x.id) FROM audit_events x WHERE x.request_id = r.id AND x.action IN ('request.approved', 'request.rejected'))
        ORDER BY r.id`,
    )
    .iterate() as Iterable<{
    id: number;
    status: string;
    decidedAt: number;
    decidedBy: number | null;
    reason: string | null;
    eventId: number;
    at: number;
    actorId: number | null;
    action: string;
    details: string;
  }>;
  for (const r of rows) {
    let reason: unknown = null;
    try {
      reason = (JSON.parse(r.details) as { reason?: unknown }).reason ?? null;
    } catch {
      reason = null;
    }
    if (`request.${r.status}` !== r.action || r.decidedAt !== r.at || r.decidedBy !== r.actorId || (r.reason ?? null) !== reason) {
      return {
        eventId: r.eventId,
        reason: `Request ${r.id} was changed after export: its decision no longer matches audit event ${r.eventId.toLocaleString('en-US')}`,
      };
    }
  }
  return { eventId: 0, reason: 'The request history was changed after export: it no longer matches its signed digest' };
}

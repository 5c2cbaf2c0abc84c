import Database from 'better-sqlite3';
import pg from 'pg';
import { PgDatabase } from '../../main/store/postgres/pg-database.js';
import { migratePostgres } from '../../main/store/postgres/migrations/index.js';
import { startCluster } from '../support/pg-cluster.js';
import type { PgCluster } from '../support/pg-cluster.js';

/**
 * A scale database on PostgreSQL for the benchmarks: a throw-away cluster, a database migrated
 * by the console's own migrations, and every row of a SQLite scale file copied into it. The
 * load runs with session_replication_role = replica (no trigger fires, foreign keys included:
 * the rows were checked when SQLite took them, and the counters and directory tables are copied
 * as they are rather than rebuilt row by row), the secondary indexes dropped and rebuilt after,
 * then the id sequences are moved past the copied ids and the tables analysed.
 */
export interface CopiedTable {
  table: string;
  rows: number;
  ms: number;
}

export interface PostgresCopy {
  cluster: PgCluster;
  url: string;
  tables: CopiedTable[];
  /** Load, index rebuild, sequences and ANALYZE. */
  totalMs: number;
  indexMs: number;
  analyzeMs: number;
}

/** PostgreSQL takes at most 65,535 parameters a statement. */
const MAX_PARAMS = 60_000;
const MAX_ROWS = 5_000;

/** Server settings for a database of a million users (the cluster is restarted with them before the load). */
const SERVER_SETTINGS = { shared_buffers: '256MB', max_pred_locks_per_transaction: '4096', max_wal_size: '4GB' } as const;

/** Tables PostgreSQL's migrations own (their version) or SQLite keeps for itself. */
const SKIP = new Set(['schema_version', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4']);

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Starts a cluster and fills a new database from `sqlitePath` (a database at the same schema
 * version as the PostgreSQL migrations: open it with the console once first). The caller stops
 * the cluster.
 */
export async function copyToPostgres(sqlitePath: string, log: (line: string) => void = () => undefined): Promise<PostgresCopy> {
  const cluster = await startCluster({ maxConnections: 20 });
  try {
    const url = await cluster.createDatabase('bench');
    const migrating = PgDatabase.open({ connectionString: url, max: 1 });
    try {
      await migratePostgres(migrating);
    } finally {
      await migrating.close();
    }
    // A test cluster's defaults are sized for many small databases side by side; a scale database
    // needs a real buffer cache, and one transaction deciding 10,000 requests at serializable
    // isolation needs more predicate locks than the default 64 a connection (the benchmark's raw
    // SQL runs the whole bulk in one, as better-sqlite3 does). Both take a restart.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      for (const [name, value] of Object.entries(SERVER_SETTINGS)) await admin.query(`ALTER SYSTEM SET ${name} = '${value}'`);
      await admin.query('CHECKPOINT');
    } finally {
      await admin.end();
    }
    await cluster.stopImmediate();
    await cluster.start();
    const t0 = performance.now();
    const source = new Database(sqlitePath, { readonly: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const result = await load(source, client, log);
      return { cluster, url, ...result, totalMs: performance.now() - t0 };
    } finally {
      await client.end();
      source.close();
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function load(source: Database.Database, client: pg.Client, log: (line: string) => void): Promise<Omit<PostgresCopy, 'cluster' | 'url' | 'totalMs'>> {
  await client.query("SET session_replication_role = 'replica'");
  await client.query("SET maintenance_work_mem = '256MB'");

  const sqliteTables = (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>)
    .map((t) => t.name)
    .filter((t) => !SKIP.has(t));
  const pgColumns = new Map<string, string[]>();
  for (const r of (
    await client.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema = 'public' AND c.is_generated = 'NEVER' ORDER BY c.table_name, c.ordinal_position`,
    )
  ).rows) {
    pgColumns.set(r.table_name, [...(pgColumns.get(r.table_name) ?? []), r.column_name]);
  }
  const missing = sqliteTables.filter((t) => !pgColumns.has(t));
  if (missing.length > 0) throw new Error(`PostgreSQL has no table ${missing.join(', ')}: are both at the same schema version?`);
  const tables = sqliteTables.filter((t) => !SKIP.has(t));

  // What the migrations put in (the catalogue, programs, meta) is replaced by the file's rows.
  await client.query(`TRUNCATE ${tables.map(ident).join(', ')} CASCADE`);

  // Secondary indexes are built once after the load instead of row by row during it.
  const indexes = (
    await client.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    )
  ).rows;
  for (const i of indexes) await client.query(`DROP INDEX ${ident(i.name)}`);

  const copied: CopiedTable[] = [];
  for (const table of tables) {
    const t0 = performance.now();
    const sqliteCols = new Set((source.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name));
    const cols = (pgColumns.get(table) ?? []).filter((c) => sqliteCols.has(c));
    const extra = [...sqliteCols].filter((c) => !cols.includes(c));
    if (extra.length > 0) throw new Error(`PostgreSQL's ${table} has no column ${extra.join(', ')}`);
    const perStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / cols.length)));
    const head = `INSERT INTO ${ident(table)} (${cols.map(ident).join(', ')}) VALUES `;
    const tuple = (offset: number): string => `(${cols.map((_, j) => `$${offset + j + 1}`).join(', ')})`;
    const fullText = head + Array.from({ length: perStatement }, (_, i) => tuple(i * cols.length)).join(', ');
    const read = source.prepare(`SELECT ${cols.map(ident).join(', ')} FROM ${ident(table)}`).raw(true);

    await client.query('BEGIN');
    let rows = 0;
    let batch: unknown[] = [];
    let inBatch = 0;
    // One statement in flight while the next batch is read from SQLite.
    let pending: Promise<unknown> = Promise.resolve();
    const flush = async (): Promise<void> => {
      if (inBatch === 0) return;
      const text = inBatch === perStatement ? fullText : head + Array.from({ length: inBatch }, (_, i) => tuple(i * cols.length)).join(', ');
      const values = batch;
      await pending;
      pending = inBatch === perStatement ? client.query({ name: `copy_${table}`, text, values }) : client.query(text, values);
      rows += inBatch;
      batch = [];
      inBatch = 0;
    };
    for (const row of read.iterate() as Iterable<unknown[]>) {
      for (const v of row) batch.push(v);
      inBatch += 1;
      if (inBatch === perStatement) await flush();
    }
    await flush();
    await pending;
    await client.query('COMMIT');
    const ms = performance.now() - t0;
    copied.push({ table, rows, ms });
    if (rows > 10_000) log(`  ${table}: ${rows.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(1)} s`);
  }

  const i0 = performance.now();
  for (const i of indexes) await client.query(i.def);
  const indexMs = performance.now() - i0;
  log(`  ${indexes.length} secondary indexes rebuilt in ${(indexMs / 1000).toFixed(1)} s`);

  // The id sequences (see soc_assign_id) did not see the copied ids: move each past its table's largest.
  const sequences = (
    await client.query<{ seq: string; tbl: string; col: string }>(
      `SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col FROM pg_class s
         JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'a'
         JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE s.relkind = 'S'`,
    )
  ).rows;
  for (const s of sequences) {
    await client.query(`SELECT setval($1::regclass, m) FROM (SELECT max(${ident(s.col)}) AS m FROM ${ident(s.tbl)}) x WHERE m IS NOT NULL`, [ident(s.seq)]);
  }
  await client.query("SET session_replication_role = 'origin'");
  const a0 = performance.now();
  await client.query('ANALYZE');
  const analyzeMs = performance.now() - a0;
  return { tables: copied, indexMs, analyzeMs };
}

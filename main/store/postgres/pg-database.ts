import { createHash } from 'node:crypto';
import pg from 'pg';
import type { CustomTypesConfig, PoolClient, PoolConfig } from 'pg';
import {
  NestedUseError,
  SqlError,
  TransactionEndedError,
  TransactionScope,
  safeNumber,
  type SqlDatabase,
  type SqlExecutor,
  type SqlRunResult,
  type SqlValue,
} from '../sql.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Counts (count(*) is int8), sums (sum of int8 is numeric) and bigint columns come back as numbers,
 * as they do from SQLite; an integer beyond 2^53 - 1 is refused rather than rounded. Set on this
 * pool only: the driver's global parsers stay as they are for anyone else in the process.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (format !== 'binary') {
    if (oid === INT8_OID) return (value: string) => safeNumber(value, 'int8');
    if (oid === NUMERIC_OID) return parseNumeric;
  }
  return pg.types.getTypeParser(oid, format as 'text');
}

function parseNumeric(value: string): number {
  if (/^-?\d+$/.test(value)) return safeNumber(value, 'numeric');
  const n = Number(value);
  if (!Number.isFinite(n)) throw new RangeError(`The numeric ${value} is not a finite number.`);
  return n;
}

const types: CustomTypesConfig = { getTypeParser: getTypeParser as CustomTypesConfig['getTypeParser'] };

/**
 * Rewrites the shared SQL's `?` placeholders to PostgreSQL's `$1..$n`, leaving alone a `?` inside
 * a string literal ('...', E'...' with backslash escapes, $tag$...$tag$), a quoted identifier or a
 * comment (-- to the end of the line, and /* ... *\/, which nest in PostgreSQL).
 */
export function toPostgresPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  const len = sql.length;
  while (i < len) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '?') {
      n += 1;
      out += `$${n}`;
      i += 1;
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1] as string) && (i < 2 || !/[\w$]/.test(sql[i - 2] as string));
      const end = endOfQuoted(sql, i, "'", escapes);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '"') {
      const end = endOfQuoted(sql, i, '"', false);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? len : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      let depth = 0;
      let j = i;
      do {
        if (sql.startsWith('/*', j)) {
          depth += 1;
          j += 2;
        } else if (sql.startsWith('*/', j)) {
          depth -= 1;
          j += 2;
        } else j += 1;
      } while (depth > 0 && j < len);
      out += sql.slice(i, j);
      i = j;
    } else if (c === '$' && !(i > 0 && /[\w$]/.test(sql[i - 1] as string))) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? len : close + tag[0].length;
        out += sql.slice(i, end);
        i = end;
      } else {
        out += c;
        i += 1;
      }
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The index just past a quoted run that starts at `start`; a doubled quote stays inside it. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let j = start + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslashEscapes && c === '\\') j += 2;
    else if (c === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else j += 1;
  }
  return sql.length;
}

interface Statement {
  text: string;
  /** Set when the statement is prepared (see `postgresText`). */
  name?: string;
}

/**
 * Startup options for a connection that does long work (an archive's copy, the chain check): each
 * call planned for its own values. A prepared statement may get a generic plan after five calls,
 * which suits a page's short statements but guesses at ranges and sizes: it made an archive's
 * paged copy of a million decisions seven times slower.
 */
export const PLAN_EACH_CALL = '-c plan_cache_mode=force_custom_plan';

/** Errors after which a connection's prepared statements cannot be trusted: "cached plan must not change result type", "prepared statement does not exist". */
const STALE_STATEMENT_CODES: ReadonlySet<string> = new Set(['0A000', '26000']);

/** Statements with more parameters than this (long IN lists, one text per length) are not prepared. */
const MAX_PREPARED_PARAMETERS = 32;

const rewritten = new Map<string, Statement>();
/**
 * The statement as PostgreSQL takes it. A single statement is prepared once per connection, by a
 * name derived from its text: it is not parsed and analysed again on every call (a User Lookup
 * page runs several statements, each of which was). Statements are few and fixed, but an IN list
 * gives one text per length, so those with many parameters stay unprepared.
 */
function postgresText(sql: string): Statement {
  let statement = rewritten.get(sql);
  if (statement === undefined) {
    const text = toPostgresPlaceholders(sql);
    const single = /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b/i.test(text) && !text.includes(';');
    const parameters = new Set(text.match(/\$\d+/g) ?? []).size;
    statement =
      single && parameters <= MAX_PREPARED_PARAMETERS ? { text, name: `soc_${createHash('sha256').update(text).digest('hex').slice(0, 32)}` } : { text };
    if (rewritten.size >= 1000) rewritten.clear();
    rewritten.set(sql, statement);
  }
  return statement;
}

function toParams(params: readonly SqlValue[] | undefined): unknown[] {
  return (params ?? []).map((v) => (typeof v === 'bigint' ? v.toString() : v));
}

interface Queryable {
  query(config: { text: string; name?: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

async function query(on: Queryable, sql: string, params: readonly SqlValue[] | undefined): Promise<{ rows: unknown[]; rowCount: number | null }> {
  try {
    return await on.query({ ...postgresText(sql), values: toParams(params) });
  } catch (error) {
    if (error instanceof pg.DatabaseError && typeof error.code === 'string') {
      throw new SqlError(error.message, error.code, 'postgres', { cause: error });
    }
    throw error;
  }
}

/** `check` throws when the executor may no longer be used. */
function executor(on: Queryable, check: () => void): SqlExecutor {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
      check();
      return (await query(on, sql, params)).rows as T[];
    },
    async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
      check();
      return (await query(on, sql, params)).rows[0] as T | undefined;
    },
    async run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
      check();
      return { changes: (await query(on, sql, params)).rowCount ?? 0 };
    },
  };
}

export interface PgDatabaseOptions {
  /** An idle pooled connection failed (e.g. the server restarted): the pool has dropped it already. */
  onIdleError?: (error: Error) => void;
  /** Isolation of every transaction; serializable unless a test needs to see the weaker level. */
  isolation?: Isolation;
}

export type Isolation = 'serializable' | 'repeatable read' | 'read committed';

/** serialization_failure and deadlock_detected: the transaction lost a race and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
/**
 * Attempts before a transaction that keeps losing races is given up (and answered "try again").
 * Forty officials changing one account at once lost all of 8 attempts now and then.
 */
const ATTEMPTS = 16;
/** The longest wait between two attempts (ms): the jitter grows, but not past this. */
const MAX_BACKOFF_MS = 250;

/**
 * The SqlDatabase over a node-postgres pool. Statements outside a transaction take any pooled
 * connection; a transaction holds one connection from BEGIN to COMMIT or ROLLBACK and always gives
 * it back (a connection whose ROLLBACK failed is destroyed, not reused).
 */
export class PgDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  /** Made here, never passed in: its connections must read numbers with the parsers above. */
  readonly pool: pg.Pool;
  private readonly outside: SqlExecutor;
  private readonly scope = new TransactionScope();
  private readonly isolation: Isolation;

  constructor(config: PoolConfig, options: PgDatabaseOptions = {}) {
    // The schema's rules (the last Security Official, one decision per request, the counters) are
    // triggers that read other rows: only serializable transactions keep them true when two run at once.
    this.isolation = options.isolation ?? 'serializable';
    this.pool = new pg.Pool({ ...config, types });
    // Without a listener an idle connection's error would end the process.
    this.pool.on('error', (error) => options.onIdleError?.(error));
    this.outside = executor(this.pool, () => {
      if (this.scope.inside()) throw new NestedUseError();
    });
  }

  static open(config: PoolConfig, options?: PgDatabaseOptions): PgDatabase {
    return new PgDatabase(config, options);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.outside.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.outside.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
    return this.outside.run(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.transactionAt(this.isolation, fn);
  }

  /**
   * A transaction at a chosen isolation. Read committed is for work that waits on a lock and must
   * then see what the lock's holder committed (migrations): a serializable transaction's snapshot
   * is taken at its first statement, before the wait.
   */
  async transactionAt<T>(isolation: Isolation, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.scope.inside()) throw new NestedUseError();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`, fn);
      } catch (error) {
        if (!(error instanceof SqlError) || !RETRYABLE.has(error.code) || attempt >= ATTEMPTS) throw error;
        // A little jitter, growing, so the transactions that collided do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, MAX_BACKOFF_MS)));
      }
    }
  }

  private async attempt<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let open = true;
    let broken: Error | undefined;
    try {
      await query(client, begin, undefined);
      try {
        const result = await this.scope.run(() =>
          fn(
            executor(client, () => {
              if (!open) throw new TransactionEndedError();
            }),
          ),
        );
        open = false;
        await query(client, 'COMMIT', undefined);
        return result;
      } catch (error) {
        open = false;
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        // A prepared statement the server no longer has, or whose plan no longer fits its tables
        // (changed by someone else): the client still believes it prepared, so this connection
        // would fail the same way for every later caller. Dropped, its successor prepares afresh.
        if (error instanceof SqlError && STALE_STATEMENT_CODES.has(error.code)) broken ??= error;
        throw error;
      }
    } catch (error) {
      // BEGIN itself failed: the connection's state is unknown.
      if (open) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      open = false;
      client.release(broken);
    }
  }

  private ended: Promise<void> | null = null;

  /** Ends the pool once; closing again waits for the same end. */
  close(): Promise<void> {
    return (this.ended ??= this.pool.end());
  }
}

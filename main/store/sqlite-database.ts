import type { Database, Statement } from 'better-sqlite3';
import {
  Mutex,
  NestedUseError,
  SqlError,
  TransactionScope,
  safeNumber,
  TransactionEndedError,
  type SqlDatabase,
  type SqlExecutor,
  type SqlRunResult,
  type SqlValue,
} from './sql.js';

/**
 * The SqlDatabase over one better-sqlite3 connection. The driver is synchronous, so every
 * statement finishes before the call returns; what must not happen is a second caller's statement
 * landing inside a transaction that is waiting on an await. A mutex runs transactions (and the
 * statements outside them) one at a time; a transaction starts with BEGIN IMMEDIATE so it holds
 * the write lock from its first statement and never fails to upgrade a read lock half-way.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly mutex = new Mutex();
  private readonly scope = new TransactionScope();
  private readonly statements = new Map<string, Statement>();

  /**
   * readOnly: a connection that never writes (a reader thread's). Its transaction is a snapshot
   * (a deferred BEGIN), and inside a read the caller already began it is the same snapshot.
   */
  constructor(
    private readonly db: Database,
    private readonly readOnly = false,
  ) {}

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (this.scope.inside()) return Promise.reject(new NestedUseError());
    return this.mutex.run(async () => this.allNow<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    if (this.scope.inside()) return Promise.reject(new NestedUseError());
    return this.mutex.run(async () => this.getNow<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult> {
    if (this.scope.inside()) return Promise.reject(new NestedUseError());
    return this.mutex.run(async () => this.runNow(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.scope.inside()) return Promise.reject(new NestedUseError());
    return this.mutex.run(async () => {
      let open = true;
      const guard = <R>(step: () => R): Promise<R> => {
        if (!open) return Promise.reject(new TransactionEndedError());
        try {
          return Promise.resolve(step());
        } catch (error) {
          return Promise.reject(error);
        }
      };
      const tx: SqlExecutor = {
        dialect: 'sqlite',
        all: <R>(sql: string, params?: readonly SqlValue[]) => guard(() => this.allNow<R>(sql, params)),
        get: <R>(sql: string, params?: readonly SqlValue[]) => guard(() => this.getNow<R>(sql, params)),
        run: (sql: string, params?: readonly SqlValue[]) => guard(() => this.runNow(sql, params)),
      };
      if (this.readOnly && this.db.inTransaction) {
        try {
          return await this.scope.run(() => fn(tx));
        } finally {
          open = false;
        }
      }
      this.execNow(this.readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
      try {
        const result = await this.scope.run(() => fn(tx));
        open = false;
        this.execNow('COMMIT');
        return result;
      } catch (error) {
        open = false;
        // A failed COMMIT (or an error SQLite already rolled back) may leave no transaction.
        if (this.db.inTransaction) this.execNow('ROLLBACK');
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.mutex.run(async () => {
      this.statements.clear();
      this.db.close();
    });
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = wrap(() => this.db.prepare(sql));
      // Bounded: SQL text is written in the code, but a caller building it from data must not grow this forever.
      if (this.statements.size >= 500) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private allNow<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    const statement = this.prepare(sql);
    return wrap(() => statement.safeIntegers(true).all(...params) as Record<string, unknown>[]).map((row) => toNumbers(row) as T);
  }

  private getNow<T>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    const statement = this.prepare(sql);
    const row = wrap(() => statement.safeIntegers(true).get(...params) as Record<string, unknown> | undefined);
    return row === undefined ? undefined : (toNumbers(row) as T);
  }

  private runNow(sql: string, params: readonly SqlValue[] = []): SqlRunResult {
    const statement = this.prepare(sql);
    const { changes } = wrap(() => statement.run(...params));
    return { changes };
  }

  private execNow(sql: string): void {
    wrap(() => this.db.exec(sql));
  }
}

function wrap<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
    if (error instanceof Error && typeof code === 'string') throw new SqlError(error.message, code, 'sqlite', { cause: error });
    throw error;
  }
}

/** Integers are read as bigint so that one JavaScript cannot hold exactly is refused, not rounded. */
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toNumbers(row: Record<string, unknown>): Record<string, unknown> {
  // Every integer of every row comes here: a range check in place, no entry arrays or BigInt
  // round trips (they cost a millisecond on a page of 100 requests); safeNumber refuses the rest.
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint') row[key] = value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : safeNumber(value, key);
  }
  return row;
}

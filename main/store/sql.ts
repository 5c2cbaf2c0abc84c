import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One way to run SQL on either engine the console supports (SQLite through better-sqlite3, and
 * PostgreSQL through node-postgres), so a statement both dialects agree on is written once.
 *
 * - Placeholders are `?`, positional, in the shared text; the PostgreSQL executor rewrites them to
 *   `$1..$n` (never inside a string literal, a quoted identifier or a comment). A `?` is always a
 *   placeholder: PostgreSQL's jsonb `?` operators are not available through this interface.
 * - Values keep the SQLite representations on both engines: integers for flags (0/1) and for
 *   epoch-millisecond times, text, and Buffers for blobs. Counts and sums come back as numbers;
 *   an integer JavaScript cannot hold exactly is refused, never rounded.
 * - A transaction runs on one connection and only its `tx` may be used inside it; the callback's
 *   result commits, a thrown error rolls back and is rethrown.
 *
 * Where the dialects part, shared text must say it the way both accept: PostgreSQL folds an
 * unquoted alias to lower case (write `AS "rowId"`); it cannot type a bare `? IS NULL` (write
 * `CAST(? AS BIGINT) IS NULL`); a comparison there is a boolean, not 0/1; and after a refused
 * statement the whole transaction is aborted (use ON CONFLICT, not catch-and-continue).
 */

export type SqlDialect = 'sqlite' | 'postgres';

/** A value bound to a placeholder. Booleans are not accepted: flags are the integers 0 and 1. */
export type SqlValue = string | number | bigint | Buffer | null;

export interface SqlRunResult {
  /** Rows inserted, updated or deleted by the statement itself (not by its triggers). */
  changes: number;
}

export interface SqlExecutor {
  readonly dialect: SqlDialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
}

export interface SqlDatabase extends SqlExecutor {
  /**
   * Runs `fn` in one transaction; transactions never interleave on one connection. Every
   * transaction is serializable: it commits only if running it alone would have had the same
   * result. On PostgreSQL, where transactions run side by side, one that lost a race is rolled back
   * and `fn` runs again from the start, so `fn` must have no effect outside `tx` (compute in it,
   * act on its result after it returns).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A statement the engine refused. `code` is the engine's own: PostgreSQL's SQLSTATE (e.g. 23505
 * for a duplicate key, 23000 for a rule a trigger keeps) or better-sqlite3's code (e.g.
 * SQLITE_CONSTRAINT_TRIGGER). The engine's error is the `cause`.
 */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly dialect: SqlDialect,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SqlError';
  }
}

/** A transaction's executor used after its transaction ended: a bug in the caller, said loudly. */
export class TransactionEndedError extends Error {
  constructor() {
    super('This transaction has already ended; run the statement in a new transaction.');
    this.name = 'TransactionEndedError';
  }
}

/**
 * The database itself used from inside one of its own transaction callbacks, instead of the
 * callback's `tx`. On SQLite that would wait forever for the transaction it is part of; on
 * PostgreSQL it would run on another connection, outside the transaction. Both engines refuse it.
 */
export class NestedUseError extends Error {
  constructor() {
    super("A statement or transaction on the database inside one of its own transactions: use the transaction's executor (tx).");
    this.name = 'NestedUseError';
  }
}

/**
 * Knows whether the running code is inside one of this database's transaction callbacks that has
 * not ended yet (work the callback started and left running is free to use the database later).
 */
export class TransactionScope {
  private readonly store = new AsyncLocalStorage<{ open: boolean }>();

  inside(): boolean {
    return this.store.getStore()?.open === true;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const marker = { open: true };
    try {
      return await this.store.run(marker, fn);
    } finally {
      marker.open = false;
    }
  }
}

/**
 * Runs tasks one at a time in the order they were queued: the one-connection engine's
 * transactions wait for each other instead of interleaving their statements.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** An integer read from either engine, as a number; one JavaScript cannot hold exactly is refused. */
export function safeNumber(value: bigint | string, column: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || BigInt(value) !== BigInt(n)) {
    throw new RangeError(`The integer ${String(value)} in "${column}" is beyond what JavaScript holds exactly (2^53 - 1).`);
  }
  return n;
}

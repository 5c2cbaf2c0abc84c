import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewerDatabaseError } from '../../main/store/migrations/index.js';
import { PG_MIGRATIONS, migratePostgres } from '../../main/store/postgres/migrations/index.js';
import { PgDatabase, toPostgresPlaceholders } from '../../main/store/postgres/pg-database.js';
import { NestedUseError, SqlError, TransactionEndedError, type SqlDatabase } from '../../main/store/sql.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { startCluster, type PgCluster } from '../support/pg-cluster.js';

/** The SqlExecutor's promises, held on both engines: placeholders, numbers, blobs, transactions, errors. */

describe('placeholders for PostgreSQL', () => {
  it('numbers each ? in order', () => {
    expect(toPostgresPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?) AND c::int > ?')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) AND c::int > $4',
    );
  });

  it('leaves a ? in a literal, a quoted name or a comment alone', () => {
    const sql = [
      "SELECT ?, 'why?', 'it''s ?', E'back\\'slash ?', \"odd?name\", $$ body ? $$, $fn$ x ? $fn$",
      '-- a question? here',
      '/* outer ? /* nested ? */ still ? */ ?',
    ].join('\n');
    expect(toPostgresPlaceholders(sql)).toBe(
      [
        "SELECT $1, 'why?', 'it''s ?', E'back\\'slash ?', \"odd?name\", $$ body ? $$, $fn$ x ? $fn$",
        '-- a question? here',
        '/* outer ? /* nested ? */ still ? */ $2',
      ].join('\n'),
    );
  });

  it('does not take a parameter reference or a name with $ for a dollar quote', () => {
    expect(toPostgresPlaceholders('SELECT a$b, ? FROM t')).toBe('SELECT a$b, $1 FROM t');
  });
});

let cluster: PgCluster;
const engines: Array<[string, SqlDatabase]> = [];

beforeAll(async () => {
  const started = performance.now();
  cluster = await startCluster();
  // Printed so the cost of a cluster per test file stays visible.
  console.info(`PostgreSQL test cluster started in ${Math.round(performance.now() - started)} ms`);
  engines.push(
    ['sqlite', new SqliteDatabase(new Database(':memory:'))],
    ['postgres', PgDatabase.open({ connectionString: await cluster.createDatabase(), max: 4 })],
  );
  for (const [, db] of engines) {
    const blob = db.dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
    await db.run(`CREATE TABLE t (id INTEGER PRIMARY KEY, n BIGINT, s TEXT, b ${blob})`);
  }
}, 120_000);

afterAll(async () => {
  for (const [, db] of engines) await db.close();
  await cluster?.stop();
});

const eachEngine = () => engines.map(([name, db]) => [name, db] as const);

describe.each(['sqlite', 'postgres'])('the %s executor', (engineName) => {
  const db = (): SqlDatabase => eachEngine().find(([name]) => name === engineName)![1];

  beforeAll(async () => {
    await db().run('DELETE FROM t');
  });

  it('binds values by position and reads them back with their types', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await db().run('INSERT INTO t (id, n, s, b) VALUES (?, ?, ?, ?)', [1, Number.MAX_SAFE_INTEGER, "it's a question?", bytes]);
    await db().run('INSERT INTO t (id, n, s, b) VALUES (?, ?, ?, ?)', [2, -5, '', null]);
    const rows = await db().all<{ id: number; n: number; s: string; b: Buffer | null }>('SELECT id, n, s, b FROM t WHERE id IN (?, ?) ORDER BY id', [1, 2]);
    expect(rows).toEqual([
      { id: 1, n: Number.MAX_SAFE_INTEGER, s: "it's a question?", b: bytes },
      { id: 2, n: -5, s: '', b: null },
    ]);
    expect(Buffer.isBuffer(rows[0]!.b)).toBe(true);
    expect(await db().get('SELECT id FROM t WHERE s = ?', ['nobody'])).toBeUndefined();
  });

  it('gives counts and sums as numbers', async () => {
    const row = await db().get<{ c: number; total: number }>('SELECT count(*) AS c, sum(n) AS total FROM t WHERE id IN (1, 2)');
    expect(row).toEqual({ c: 2, total: Number.MAX_SAFE_INTEGER - 5 });
  });

  it('refuses an integer JavaScript cannot hold exactly, instead of rounding it', async () => {
    await db().run('INSERT INTO t (id, n) VALUES (?, ?)', [3, 2n ** 53n + 1n]);
    await expect(db().get('SELECT n FROM t WHERE id = 3')).rejects.toThrow(/beyond what JavaScript holds exactly/);
    await expect(db().get('SELECT sum(n) AS total FROM t WHERE id IN (1, 3)')).rejects.toThrow(/beyond|finite|exactly/);
    await db().run('DELETE FROM t WHERE id = 3');
  });

  it('counts the rows a statement changed', async () => {
    expect(await db().run("UPDATE t SET s = s || '!' WHERE id IN (1, 2)")).toEqual({ changes: 2 });
    expect(await db().run('DELETE FROM t WHERE id = 99')).toEqual({ changes: 0 });
  });

  it('rolls a transaction back when its callback throws, and rethrows', async () => {
    const failure = new Error('changed my mind');
    await expect(
      db().transaction(async (tx) => {
        await tx.run('INSERT INTO t (id, s) VALUES (?, ?)', [10, 'kept?']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await db().get('SELECT id FROM t WHERE id = 10')).toBeUndefined();
  });

  it('rolls back on a refused statement, whose error names the engine code', async () => {
    const error = await db()
      .transaction(async (tx) => {
        await tx.run('INSERT INTO t (id, s) VALUES (?, ?)', [11, 'first']);
        await tx.run('INSERT INTO t (id, s) VALUES (?, ?)', [1, 'duplicate']);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).code).toBe(engineName === 'sqlite' ? 'SQLITE_CONSTRAINT_PRIMARYKEY' : '23505');
    expect(await db().get('SELECT id FROM t WHERE id = 11')).toBeUndefined();
  });

  it('commits what the callback returns, and refuses the transaction after it ended', async () => {
    let kept: Parameters<Parameters<SqlDatabase['transaction']>[0]>[0] | undefined;
    const id = await db().transaction(async (tx) => {
      kept = tx;
      await tx.run('INSERT INTO t (id, s) VALUES (12, ?)', ['committed']);
      return 12;
    });
    expect(await db().get('SELECT s FROM t WHERE id = ?', [id])).toEqual({ s: 'committed' });
    await expect(kept!.run('DELETE FROM t WHERE id = 12')).rejects.toBeInstanceOf(TransactionEndedError);
    expect(await db().get('SELECT s FROM t WHERE id = 12')).toEqual({ s: 'committed' });
  });

  it('keeps concurrent transactions apart: one rolling back takes none of the other’s rows', async () => {
    const steps: string[] = [];
    const work = (name: string, id: number, fail: boolean) =>
      db().transaction(async (tx) => {
        steps.push(`${name} begins`);
        await tx.run('INSERT INTO t (id, s) VALUES (?, ?)', [id, name]);
        await sleep(30);
        await tx.run('INSERT INTO t (id, s) VALUES (?, ?)', [id + 1, name]);
        steps.push(`${name} ends`);
        if (fail) throw new Error(`${name} fails`);
      });
    const results = await Promise.allSettled([work('A', 20, true), work('B', 30, false), db().run('INSERT INTO t (id, s) VALUES (40, ?)', ['outside'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(await db().all('SELECT id, s FROM t WHERE id BETWEEN 20 AND 40 ORDER BY id')).toEqual([
      { id: 30, s: 'B' },
      { id: 31, s: 'B' },
      { id: 40, s: 'outside' },
    ]);
    // One connection (SQLite): the second transaction starts only after the first ended.
    if (engineName === 'sqlite') expect(steps).toEqual(['A begins', 'A ends', 'B begins', 'B ends']);
  });
});

describe('the PostgreSQL pool', () => {
  const pgDb = (): PgDatabase => engines[1]![1] as PgDatabase;

  it('runs transactions side by side on separate connections and always gives them back', async () => {
    const started = performance.now();
    const pids = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        pgDb().transaction(async (tx) => {
          const { pid } = (await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
          await tx.run('SELECT pg_sleep(0.1)');
          await tx.run('INSERT INTO t (id, s) VALUES (?, ?)', [100 + i, 'parallel']);
          return pid;
        }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(new Set(pids).size).toBe(4);
    // Eight 100 ms transactions on four connections: about 200 ms, never the 800 ms of one at a time.
    expect(elapsed).toBeLessThan(700);
    expect(await pgDb().get('SELECT count(*) AS c FROM t WHERE s = ?', ['parallel'])).toEqual({ c: 8 });
    // Failing transactions give their connections back too: a leak would leave the next one waiting forever.
    for (let i = 0; i < 10; i += 1) await expect(pgDb().transaction((tx) => tx.run('SELECT 1 / 0'))).rejects.toMatchObject({ code: '22012' });
    expect(pgDb().pool.totalCount).toBeLessThanOrEqual(4);
    expect(pgDb().pool.idleCount).toBe(pgDb().pool.totalCount);
    expect(await pgDb().get('SELECT 1 AS one')).toEqual({ one: 1 });
  });
});

describe('PostgreSQL migrations', () => {
  it('let two processes migrate one database at once: one does the work, the other finds it done', async () => {
    const url = await cluster.createDatabase();
    const a = PgDatabase.open({ connectionString: url, max: 2 });
    const b = PgDatabase.open({ connectionString: url, max: 2 });
    try {
      const results = await Promise.all([migratePostgres(a), migratePostgres(b)]);
      const latest = PG_MIGRATIONS.length;
      expect(results.map((r) => r.from).sort((x, y) => x - y)).toEqual([0, latest]);
      expect(await a.get('SELECT version FROM schema_version')).toEqual({ version: latest });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuse a database written by a newer console, and change nothing', async () => {
    const db = PgDatabase.open({ connectionString: await cluster.createDatabase(), max: 2 });
    try {
      await migratePostgres(db);
      const newer = PG_MIGRATIONS.length + 1;
      await db.run('UPDATE schema_version SET version = ?', [newer]);
      await expect(migratePostgres(db)).rejects.toBeInstanceOf(NewerDatabaseError);
      expect(await db.get('SELECT version FROM schema_version')).toEqual({ version: newer });
    } finally {
      await db.close();
    }
  });

  it('are for PostgreSQL only, even when a caller gets past the types', async () => {
    await expect(migratePostgres(engines[0]![1] as unknown as PgDatabase)).rejects.toThrow(/PostgreSQL/);
  });
});

describe('the test cluster', () => {
  it('comes back after being killed, with what was committed', async () => {
    const db = PgDatabase.open({ connectionString: await cluster.createDatabase(), max: 2 });
    try {
      await db.run('CREATE TABLE k (id INTEGER PRIMARY KEY)');
      await db.transaction(async (tx) => tx.run('INSERT INTO k (id) VALUES (1), (2)'));
      let t = performance.now();
      await cluster.stopImmediate();
      const stopMs = performance.now() - t;
      await expect(db.get('SELECT 1')).rejects.toThrow();
      t = performance.now();
      await cluster.start();
      console.info(`PostgreSQL test cluster killed in ${Math.round(stopMs)} ms, back (with recovery) in ${Math.round(performance.now() - t)} ms`);
      expect(await db.all('SELECT id FROM k ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await db.close();
    }
  });
});

describe.each(['sqlite', 'postgres'])('the %s database used inside its own transaction', (engineName) => {
  const db = (): SqlDatabase => eachEngine().find(([name]) => name === engineName)![1];

  it('is refused, for statements and for a nested transaction, and the transaction rolls back', async () => {
    await expect(
      db().transaction(async (tx) => {
        await tx.run('INSERT INTO t (id, s) VALUES (50, ?)', ['nested']);
        await db().get('SELECT 1 AS one');
      }),
    ).rejects.toBeInstanceOf(NestedUseError);
    await expect(db().transaction(async () => db().transaction(async () => 1))).rejects.toBeInstanceOf(NestedUseError);
    expect(await db().get('SELECT id FROM t WHERE id = 50')).toBeUndefined();
  });

  it('is free again once the transaction has ended, even for work the callback started', async () => {
    let later: Promise<unknown> | undefined;
    await db().transaction(async () => {
      later = sleep(20).then(() => db().get('SELECT 1 AS one'));
    });
    await expect(later).resolves.toEqual({ one: 1 });
  });
});

describe('statements on PostgreSQL', () => {
  const postgres = () => engines.find(([name]) => name === 'postgres')![1];
  /** What this connection has prepared: read inside the transaction, on the same connection. */
  const preparedTexts = (tx: { all<T>(sql: string): Promise<T[]> }) =>
    tx
      .all<{ statement: string }>("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'soc!_%' ESCAPE '!'")
      .then((rows) => rows.map((r) => r.statement));

  it('prepares a single statement once per connection, and neither a script nor a long IN list', async () => {
    const many = Array.from({ length: 40 }, (_, i) => i);
    const seen = await postgres().transaction(async (tx) => {
      for (let i = 0; i < 3; i += 1) await tx.all('SELECT id FROM t WHERE n = ? AND s = ?', [i, 'prepared']);
      await tx.all(`SELECT id FROM t WHERE n IN (${many.map(() => '?').join(',')})`, many);
      await tx.run('SELECT 1; SELECT 2');
      return preparedTexts(tx);
    });
    expect(seen.filter((text) => text.includes('n = $1 AND s = $2'))).toEqual(['SELECT id FROM t WHERE n = $1 AND s = $2']);
    expect(seen.some((text) => text.includes('$40'))).toBe(false);
    expect(seen.some((text) => text.includes('SELECT 2'))).toBe(false);
    // The same text on another call reuses its name: no "already exists" from the server.
    await postgres().transaction(async (tx) => {
      await tx.all('SELECT id FROM t WHERE n = ? AND s = ?', [1, 'again']);
      expect((await preparedTexts(tx)).filter((text) => text.includes('n = $1 AND s = $2'))).toHaveLength(1);
    });
  });

  it('drops a connection whose prepared statement went stale, so the next caller is not failed the same way', async () => {
    // One connection, so the next transaction would get the same one back.
    const db = PgDatabase.open({ connectionString: await cluster.createDatabase(), max: 1 });
    try {
      await db.run('CREATE TABLE wide (id INTEGER PRIMARY KEY)');
      await db.run('INSERT INTO wide (id) VALUES (1)');
      const read = () => db.transaction((tx) => tx.all<Record<string, unknown>>('SELECT * FROM wide WHERE id = ?', [1]));
      expect(await read()).toEqual([{ id: 1 }]);
      // Someone else changes the table: the statement prepared on this connection no longer fits.
      await db.run('ALTER TABLE wide ADD COLUMN note TEXT');
      await expect(read()).rejects.toMatchObject({ code: '0A000' });
      expect(await read()).toEqual([{ id: 1, note: null }]);
    } finally {
      await db.close();
    }
  });
});

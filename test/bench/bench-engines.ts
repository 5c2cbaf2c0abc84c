import type { Database, Statement } from 'better-sqlite3';
import pg from 'pg';
import { AdjustableClock } from '../../main/clock.js';
import { createConsole } from '../../main/app.js';
import type { ConsoleApp, ConsoleOptions } from '../../main/app.js';
import { toPostgresPlaceholders } from '../../main/store/postgres/pg-database.js';
import type { SqlValue } from '../../main/store/sql.js';
import { fmtMs, printTable } from './bench-support.js';
import type { Sampled } from './bench-support.js';

/** The engines a benchmark can measure, and the flag that picks them. */
export type Engine = 'sqlite' | 'postgres';
export const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** `--engine sqlite|postgres|both` (default both), or the usage and exit code 2. */
export function enginesFrom(flag: string | undefined, usage: string): Engine[] {
  const value = flag ?? 'both';
  if (value !== 'sqlite' && value !== 'postgres' && value !== 'both') {
    console.error(`--engine must be sqlite, postgres or both\n${usage}`);
    process.exit(2);
  }
  return value === 'both' ? ['sqlite', 'postgres'] : [value];
}

/**
 * The equivalent SQL run directly on an engine, each statement prepared once: by better-sqlite3
 * on a connection of the benchmark's own, or by name on a node-postgres client of its own. The
 * text is the store's dialect (`?` placeholders), as the store sends it to either engine.
 */
export interface RawQueries {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  close(): Promise<void>;
}

export function sqliteQueries(db: Database): RawQueries {
  const statements = new Map<string, Statement<unknown[]>>();
  return {
    all<T>(sql: string, params: readonly SqlValue[] = []) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return Promise.resolve(statement.all(...params) as T[]);
    },
    close: () => Promise.resolve(),
  };
}

export async function postgresQueries(url: string): Promise<RawQueries & { client: pg.Client }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const names = new Map<string, string>();
  return {
    client,
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      let name = names.get(sql);
      if (!name) {
        name = `raw_${names.size + 1}`;
        names.set(sql, name);
      }
      return (await client.query({ name, text: toPostgresPlaceholders(sql), values: [...params] })).rows as T[];
    },
    close: () => client.end(),
  };
}

/** A figure measured through dispatch and as raw SQL, on one engine. */
export interface EngineFigure {
  label: string;
  service: Sampled;
  raw: Sampled | null;
}

/**
 * The engines' figures in one table, measure by measure: service (dispatch) and raw p50 / p95
 * on each engine. Every engine measured the same list, in the same order.
 */
export function printSideBySide(title: string, results: ReadonlyMap<Engine, readonly EngineFigure[]>): void {
  const engines = [...results.keys()];
  const first = results.get(engines[0] as Engine) ?? [];
  const pair = (s: Sampled | null) => (s ? `${fmtMs(s.p50)} / ${fmtMs(s.p95)}` : '');
  console.log(`\n${title}`);
  printTable([
    ['Measure', ...engines.flatMap((e) => [`${ENGINE_NAMES[e]} service`, `${ENGINE_NAMES[e]} raw`])],
    ...first.map((f, i) =>
      [f.label].concat(
        engines.flatMap((e) => {
          const g = results.get(e)?.[i];
          return [g ? pair(g.service) : '', g ? pair(g.raw) : ''];
        }),
      ),
    ),
  ]);
}

/**
 * A console on the PostgreSQL copy, with a raw connection of the benchmark's own beside it, for
 * `measure`; both closed after, whatever happens.
 */
export async function onPostgresCopy<R extends { close(): Promise<void> }, T>(
  url: string,
  options: Omit<ConsoleOptions, 'clock' | 'database'>,
  openRaw: (url: string) => Promise<R>,
  measure: (app: ConsoleApp, clock: AdjustableClock, raw: R) => Promise<T>,
): Promise<T> {
  const clock = new AdjustableClock();
  const app = await createConsole({ ...options, clock, database: url });
  try {
    const raw = await openRaw(url);
    try {
      return await measure(app, clock, raw);
    } finally {
      await raw.close();
    }
  } finally {
    await app.close();
  }
}

/** A figure with its target (p95, ms) and how many rows the service returned. */
export interface TargetFigure extends EngineFigure {
  rows: number;
  target: number | null;
}

/**
 * One engine's figures as a table: service and raw p50 / p95 (with any `extra` columns after the
 * service's), their ratio, the target and the verdict (service p95 under the target). Returns the
 * verdicts.
 */
export function printFigures<F extends TargetFigure>(
  figures: readonly F[],
  targetOf: (f: F) => number | null = (f) => f.target,
  extra: ReadonlyArray<readonly [string, (f: F) => string]> = [],
): string[] {
  const verdicts: string[] = [];
  printTable([
    ['Measure', 'rows', 'svc p50', 'svc p95', ...extra.map(([header]) => header), 'raw p50', 'raw p95', 'svc/raw p95', 'target', 'result'],
    ...figures.map((f) => {
      const target = targetOf(f);
      const verdict = target === null ? '' : f.service.p95 < target ? 'PASS' : 'FAIL';
      if (verdict) verdicts.push(verdict);
      return [
        f.label,
        String(f.rows),
        fmtMs(f.service.p50),
        fmtMs(f.service.p95),
        ...extra.map(([, cell]) => cell(f)),
        f.raw ? fmtMs(f.raw.p50) : '',
        f.raw ? fmtMs(f.raw.p95) : '',
        f.raw ? `${(f.service.p95 / f.raw.p95).toFixed(1)}x` : '',
        target === null ? '' : `< ${target}`,
        verdict,
      ];
    }),
  ]);
  return verdicts;
}

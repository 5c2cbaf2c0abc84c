import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { AdjustableClock } from '../../main/clock.js';
import { DATABASE_FILE, createConsole, dataKeyFileName } from '../../main/app.js';
import type { ConsoleApp } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { GENESIS_HASH, chainHash } from '../../main/store/audit-chain.js';
import type { DatabaseThreadStats } from '../../main/store/database-client.js';
import { toPostgresPlaceholders } from '../../main/store/postgres/pg-database.js';
import type { SqlDatabase, SqlValue } from '../../main/store/sql.js';
import { contract } from '../../shared/ipc/contract.js';
import type { QueueSort } from '../../shared/ipc/contract.js';
import type { Decision } from '../../main/store/requests-store.js';
/** The chunk a profile takes: about what the pacer settles on for a large database. */
const DECISION_CHUNK = 100;
import { fmtInt, fmtMs, parseFlags, percentile, printTable, sample, timed, withBlockProbe } from './bench-support.js';
import type { Sampled } from './bench-support.js';
import { accountsPathFor } from './scale-data.js';
import { accountNamed, call, copyDatabase, signIn } from './bench-console.js';
import type { Official } from './bench-console.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { ENGINE_NAMES, enginesFrom, onPostgresCopy, postgresQueries, printFigures, sqliteQueries } from './bench-engines.js';
import type { Engine, TargetFigure } from './bench-engines.js';
import { copyToPostgres } from './postgres-copy.js';
import type { PostgresCopy } from './postgres-copy.js';
import { sideDb, sideSql } from '../support/side-db.js';

/**
 * npm run bench:queue -- --db PATH [--engine sqlite|postgres|both]
 *
 * The Role Requests queue at scale, on a copy of a database made by
 * `npm run bench:data` (the copy is decided on and thrown away, so every run sees the same data):
 * - first page and a later keyset page (page 50) p95, through the same dispatch both transports
 *   call (input validation, session, authorization, service, store), for a provider, a state and
 *   a CMS Security Official; beside each, the equivalent SQL run directly on the engine;
 * - approve 1,000 and 10,000 requests in one call (with audit and outbox rows), with the longest
 *   main-thread block while it ran, beside the same writes done directly in one transaction
 *   (and, for 1,000, the same writes committed a chunk at a time, as the service commits).
 * On PostgreSQL the same measurements run on a throw-away cluster that the SQLite copy's rows are
 * copied into (test/bench/postgres-copy.ts), through a console opened with its URL.
 * Figures are printed with PASS/FAIL against the targets; this is not a timed test.
 */
const USAGE = `Usage: npm run bench:queue -- --db PATH [--engine sqlite|postgres|both] [--runs N] [--warmup N] [--in-place] [--keep]
  --db PATH     a database made by npm run bench:data (PATH.accounts.json beside it)
  --engine E    sqlite, postgres or both (default both); postgres copies the file into a throw-away cluster
  --runs N      measured runs per page figure (default 200), after --warmup N (default 20)
  --in-place    decide on PATH itself instead of a throw-away copy
  --keep        keep the copy (its folder is printed)`;

const PAGE = 100;
const TARGET = { pageP95: 10, approve1k: 250, approve10k: 2500, blockMs: 50 };

const flags = parseFlags(
  process.argv.slice(2),
  { db: 'string', engine: 'string', runs: 'number', warmup: 'number', 'in-place': 'boolean', keep: 'boolean' },
  USAGE,
);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const engines = enginesFrom(flags.engine, USAGE);
const source = resolve(flags.db);
const runs = Math.max(1, Math.floor(flags.runs ?? 200));
const warmup = Math.floor(flags.warmup ?? 20);

// ---------------------------------------------------------------------------------------------

interface PageFigure extends TargetFigure {
  direct: Sampled;
  raw: Sampled;
}

interface BulkFigure {
  label: string;
  count: number;
  serviceMs: number;
  longestBlockMs: number;
  loopDelayMaxMs: number;
  rawMs: number;
  /** The same writes one chunk at a time, each chunk its own transaction (as the service commits), where the data has room for it. */
  rawChunkedMs: number | null;
  target: number | null;
  outcomes: string;
  /** Another official's first queue page, asked every 20 ms while the bulk ran. */
  meanwhile: Sampled | null;
}

interface EngineFigures {
  pages: PageFigure[];
  bulk: BulkFigure[];
  stats: DatabaseThreadStats;
  verdicts: string[];
}

/**
 * The equivalent SQL run directly on an engine: better-sqlite3 on a connection of the benchmark's
 * own, or a node-postgres client of its own with each statement prepared once (by name), as
 * better-sqlite3 prepares it.
 */
interface RawSql {
  all<T>(sql: string, params: readonly SqlValue[]): Promise<T[]>;
  approve(o: Official, ids: number[], now: number): Promise<number>;
  /** approve, a chunk of `size` at a time, each chunk committed on its own; milliseconds in all. */
  approveInChunks(o: Official, ids: number[], now: number, size: number): Promise<number>;
  plan(label: string, sql: string, params: readonly SqlValue[]): Promise<void>;
  close(): Promise<void>;
}

function sqliteRaw(app: ConsoleApp): RawSql {
  const db = sideDb(app);
  return {
    all: sqliteQueries(db).all,
    approve: (o, ids, now) => Promise.resolve(rawApprove(db, o, ids, now)),
    approveInChunks: (o, ids, now, size) => inChunks(ids, size, (slice) => Promise.resolve(rawApprove(db, o, slice, now))),
    plan: (label, sql, params) => Promise.resolve(printPlan(db, label, sql, params)),
    close: () => Promise.resolve(),
  };
}

async function postgresRaw(url: string): Promise<RawSql> {
  const { client, all } = await postgresQueries(url);
  return {
    all,
    approve: (o, ids, now) => rawApprovePostgres(client, o, ids, now),
    approveInChunks: (o, ids, now, size) => inChunks(ids, size, (slice) => rawApprovePostgres(client, o, slice, now)),
    async plan(label, sql, params) {
      console.log(`${label}:`);
      try {
        const rows = (await client.query(`EXPLAIN ${toPostgresPlaceholders(sql)}`, [...params])).rows as Array<{ 'QUERY PLAN': string }>;
        for (const r of rows) console.log(`  ${r['QUERY PLAN']}`);
      } catch (error) {
        // A plan is informational: the figures above are already printed.
        console.log(`  (no plan: ${error instanceof Error ? error.message : String(error)})`);
      }
    },
    close: () => client.end(),
  };
}

async function main(): Promise<void> {
  const accountsFile = JSON.parse(readFileSync(accountsPathFor(source), 'utf8')) as AccountsFile;
  const dataDir = flags['in-place'] ? dirname(source) : copyDatabase(source);
  if (flags['in-place'] && !source.endsWith(`/${DATABASE_FILE}`)) throw new Error(`--in-place needs the database to be named ${DATABASE_FILE}`);
  if (flags['in-place'] && engines.includes('postgres')) throw new Error('--in-place decides on the file itself: run it with --engine sqlite');
  console.log(
    `Queue benchmark on ${source}${flags['in-place'] ? ' (in place)' : ` (copy in ${dataDir})`}, engines: ${engines.map((e) => ENGINE_NAMES[e]).join(', ')}`,
  );
  console.log(
    `Data: ${fmtInt(accountsFile.options.users)} users, ${fmtInt(accountsFile.options.pending)} pending, ${fmtInt(accountsFile.options.history)} decided requests; ${runs} runs per page figure after ${warmup} warm-up runs.`,
  );
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );

  const keyProvider = new KeyFileProvider(join(dataDir, dataKeyFileName(false)));
  const results = new Map<Engine, EngineFigures>();
  let copy: PostgresCopy | null = null;
  try {
    // The SQLite console opens first in any case: it brings the copy to the current schema, which
    // the PostgreSQL migrations match, before its rows are copied (and before it decides on any).
    const clock = new AdjustableClock();
    const app = await createConsole({ dataDir, clock, keyProvider, auditCheck: 'manual' });
    try {
      if (engines.includes('postgres')) {
        console.log('\nCopying the SQLite rows into a throw-away PostgreSQL cluster...');
        copy = await copyToPostgres(app.databasePath, (line) => console.log(line));
        const rows = copy.tables.reduce((n, t) => n + t.rows, 0);
        console.log(
          `Copied ${fmtInt(rows)} rows of ${copy.tables.length} tables in ${(copy.totalMs / 1000).toFixed(1)} s ` +
            `(indexes ${(copy.indexMs / 1000).toFixed(1)} s, ANALYZE ${(copy.analyzeMs / 1000).toFixed(1)} s).`,
        );
      }
      if (engines.includes('sqlite')) results.set('sqlite', await measure(app, clock, accountsFile, sqliteRaw(app), 'sqlite'));
    } finally {
      await app.close();
    }
    if (copy) {
      results.set(
        'postgres',
        await onPostgresCopy(copy.url, { dataDir, keyProvider, auditCheck: 'manual' }, postgresRaw, (pgApp, pgClock, raw) =>
          measure(pgApp, pgClock, accountsFile, raw, 'postgres'),
        ),
      );
    }

    const measured = engines.filter((e) => results.has(e));
    const first = results.get(measured[0] as Engine) as EngineFigures;
    console.log('\nSide by side (ms; service = dispatch p50 / p95, raw = the same SQL on the engine p50 / p95; approvals: one call each)');
    printTable([
      ['Measure', ...measured.flatMap((e) => [`${ENGINE_NAMES[e]} service`, `${ENGINE_NAMES[e]} raw`])],
      ...first.pages.map((f, i) => [
        f.label,
        ...measured.flatMap((e) => {
          const p = (results.get(e) as EngineFigures).pages[i] as PageFigure;
          return [`${fmtMs(p.service.p50)} / ${fmtMs(p.service.p95)}`, `${fmtMs(p.raw.p50)} / ${fmtMs(p.raw.p95)}`];
        }),
      ]),
      ...first.bulk.map((f, i) => [
        f.label,
        ...measured.flatMap((e) => {
          const b = (results.get(e) as EngineFigures).bulk[i] as BulkFigure;
          return [
            `${fmtMs(b.serviceMs)} (block ${fmtMs(b.longestBlockMs)})`,
            b.rawChunkedMs === null ? fmtMs(b.rawMs) : `${fmtMs(b.rawMs)} (in ${DECISION_CHUNK}s: ${fmtMs(b.rawChunkedMs)})`,
          ];
        }),
      ]),
      [
        'Longest store call (ConsoleStore.stats())',
        ...measured.flatMap((e) => {
          const s = (results.get(e) as EngineFigures).stats;
          return [`${fmtMs(s.longestCallMs)} ${s.longestCall ?? ''} (${fmtInt(s.calls)} calls)`, ''];
        }),
      ],
    ]);
    for (const e of measured) {
      const verdicts = (results.get(e) as EngineFigures).verdicts;
      const failed = verdicts.filter((v) => v === 'FAIL').length;
      console.log(`${ENGINE_NAMES[e]}: ${failed === 0 ? 'PASS' : 'FAIL'}: ${verdicts.length - failed} of ${verdicts.length} targets met.`);
    }
    console.log(
      `Load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await copy?.cluster.stop();
    if (!flags['in-place'] && !flags.keep) rmSync(dataDir, { recursive: true, force: true });
    else if (flags.keep) console.log(`Kept ${dataDir}`);
  }
}

/** Every figure on one engine's console, printed as it goes; returns them for the side-by-side table. */
async function measure(app: ConsoleApp, clock: AdjustableClock, accountsFile: AccountsFile, raw: RawSql, engine: Engine): Promise<EngineFigures> {
  const name = ENGINE_NAMES[engine];
  console.log(`\n===== ${name} =====`);
  const side = sideSql(app);
  // The generated sign-ins age; keep the named officials inside the 120-day rule.
  for (const a of accountsFile.accounts) {
    await side.run("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?", [
      clock.now() - 86_400_000,
      a.userId,
    ]);
  }

  const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
  const officials = {
    provider: await signIn(app, clock, byId('provider.so')),
    large: await signIn(app, clock, byId('large.provider.so')),
    state: await signIn(app, clock, byId('state.so')),
    cms: await signIn(app, clock, byId('cms.official')),
  };

  const pages: PageFigure[] = [];
  const who = (o: Official) => `${o.account.userId}, ${fmtInt(o.account.pendingInQueue)} in queue`;
  for (const [o, label] of [
    [officials.provider, 'First page, provider SO'],
    [officials.large, 'First page, provider SO (large org)'],
    [officials.state, 'First page, state SO'],
    [officials.cms, 'First page, CMS SO'],
  ] as const) {
    pages.push(await pageFigure(app, raw, o, `${label} (${who(o)})`, 'requested', 0));
  }
  for (const [o, label] of [
    [officials.large, 'Page 50 (keyset), provider SO (large org)'],
    [officials.cms, 'Page 50 (keyset), CMS SO'],
  ] as const) {
    pages.push(await pageFigure(app, raw, o, label, 'requested', 49));
  }
  for (const [o, label, index] of [
    [officials.large, 'First page by Last Name, provider SO (large org)', 0],
    [officials.large, 'Page 50 by Last Name, provider SO (large org)', 49],
    [officials.cms, 'First page by Last Name, CMS SO', 0],
    [officials.cms, 'Page 50 by Last Name, CMS SO', 49],
  ] as const) {
    pages.push(await pageFigure(app, raw, o, label, 'lastName', index));
  }

  // Go to: the page that starts at row 5,001 (where 50 pages of scrolling end), asked for at once.
  for (const [o, label, sort] of [
    [officials.large, 'Go to row 5,001 by date, provider SO (large org)', 'requested'],
    [officials.large, 'Go to row 5,001 by last name, provider SO (large org)', 'lastName'],
    [officials.cms, 'Go to row 5,001 by date, CMS SO', 'requested'],
    [officials.cms, 'Go to row 5,001 by last name, CMS SO', 'lastName'],
  ] as const) {
    pages.push(await goToFigure(app, raw, o, label, sort));
  }

  const info: Array<[string, Sampled]> = [];
  info.push(['home.summary (badge count), CMS SO', await sample(Math.min(runs, 50), 5, () => call(app, officials.cms.clientId, 'home.summary', {}))]);
  info.push([
    'home.summary (badge count), provider SO (large org)',
    await sample(Math.min(runs, 50), 5, () => call(app, officials.large.clientId, 'home.summary', {})),
  ]);
  const breakdowns: Array<[string, Array<[string, Sampled]>]> = [
    ['CMS SO', await storeBreakdown(app, clock, officials.cms)],
    ['provider SO (large org)', await storeBreakdown(app, clock, officials.large)],
  ];

  // ---- bulk approvals: the large provider's queue, oldest first, four (or five) disjoint sets ----
  const large = officials.large;
  const ids = (
    await side.all<{ id: number }>(
      // Requests of proofed people: no role is granted to anyone else (the others are refused).
      `SELECT r.id FROM role_requests r JOIN users u ON u.id = r.requester_id
        WHERE r.status = 'pending' AND r.organization_id = ? AND r.requester_id <> ? AND u.proofing_state IN ('proofed_remote', 'proofed_in_person')
        ORDER BY r.requested_at, r.id LIMIT 23000`,
      [large.orgIds[0] as number, large.rowId],
    )
  ).map((r) => r.id);
  if (ids.length < 22_000) throw new Error(`The large provider has only ${ids.length} pending requests; generate with --pending 100000 or more`);
  const before = await counts(side);
  const bulk: BulkFigure[] = [];
  const preview = await withBlockProbe(() => call(app, large.clientId, 'queue.preview', { requestIds: ids.slice(12_000, 22_000), action: 'approve' }));
  const raw1k = await raw.approve(large, ids.slice(0, 1000), clock.now());
  // A fifth set, where the queue has room for it: the raw writes committed a chunk at a time.
  const raw1kChunked = ids.length >= 23_000 ? await raw.approveInChunks(large, ids.slice(22_000, 23_000), clock.now(), DECISION_CHUNK) : null;
  // Another official's pages are asked during the 1,000 only: their calls share the database thread, so the 10,000 stays comparable.
  bulk.push(await approveFigure(app, large, 'Approve 1,000 in one call', ids.slice(1000, 2000), raw1k, raw1kChunked, TARGET.approve1k, officials.cms));
  const raw10k = await raw.approve(large, ids.slice(2000, 12_000), clock.now());
  bulk.push(await approveFigure(app, large, 'Approve 10,000 in one call', ids.slice(12_000, 22_000), raw10k, null, TARGET.approve10k));
  const after = await counts(side);
  const bulkParts = await bulkBreakdown(app, large, ids.slice(12_000, 22_000));
  const stats = app.store.stats();

  // ---- report ----
  console.log(
    `\nQueue pages on ${name} (ms; service = dispatch: validation, session, service, store; direct = RequestService.queuePage; raw = the same reads on the engine: page, total, official counts, programs)`,
  );
  const verdicts = printFigures(pages, (f) => f.target, [['direct p95', (f) => fmtMs(f.direct.p95)]]);

  for (const [who, breakdown] of breakdowns) {
    console.log(`\nWhere a first page goes, ${who} (the store calls RequestService.queuePage makes, each alone, ms)`);
    printTable([['Store call', 'p50', 'p95'], ...breakdown.map(([name, s]) => [name, fmtMs(s.p50), fmtMs(s.p95)])]);
  }

  console.log('\nOther calls (informational, ms)');
  printTable([
    ['Measure', 'p50', 'p95'],
    ...info.map(([name, s]) => [name, fmtMs(s.p50), fmtMs(s.p95)]),
    [`queue.preview of 10,000 (longest block ${fmtMs(preview.longestBlockMs)} ms)`, fmtMs(preview.ms), ''],
  ]);

  console.log(`\nBulk decisions on ${name} (provider SO of the large org; ms; raw = the same rows written directly in one transaction)`);
  printTable([
    [
      'Measure',
      'service',
      'raw',
      `raw, ${DECISION_CHUNK} a transaction`,
      'svc/raw',
      'target',
      'result',
      'longest block',
      'loop delay max',
      'block < 50',
      'outcomes',
    ],
    ...bulk.map((f) => {
      const verdict = f.target === null ? '' : f.serviceMs < f.target ? 'PASS' : 'FAIL';
      const blockVerdict = f.longestBlockMs < TARGET.blockMs ? 'PASS' : 'FAIL';
      verdicts.push(verdict, blockVerdict);
      return [
        f.label,
        fmtMs(f.serviceMs),
        fmtMs(f.rawMs),
        f.rawChunkedMs === null ? '' : fmtMs(f.rawChunkedMs),
        `${(f.serviceMs / f.rawMs).toFixed(1)}x`,
        f.target === null ? '' : `< ${fmtInt(f.target)}`,
        verdict,
        fmtMs(f.longestBlockMs),
        fmtMs(f.loopDelayMaxMs),
        blockVerdict,
        f.outcomes,
      ];
    }),
  ]);
  for (const f of bulk) {
    if (f.meanwhile) {
      console.log(
        `\nMeanwhile (${f.label}): a CMS SO's first queue page every 20 ms took p50 ${fmtMs(f.meanwhile.p50)}, p95 ${fmtMs(f.meanwhile.p95)}, max ${fmtMs(f.meanwhile.max)} ms`,
      );
    }
  }
  console.log('\nWhere the longest block of a 10,000 approval comes from (each synchronous step alone, ms)');
  printTable([['Step', 'ms'], ...bulkParts.map(([name, ms]) => [name, fmtMs(ms)])]);
  const added = await counts(side);
  console.log(
    `Rows written by the approvals (${fmtInt(bulk.reduce((n, f) => n + 2 * f.count, 0) + (bulk[0]?.rawChunkedMs === null ? 0 : 1000))} requests): requests approved +${fmtInt(after.approved - before.approved)}, ` +
      `role assignments +${fmtInt(after.assignments - before.assignments)}, audit events +${fmtInt(after.audit - before.audit)}, outbox +${fmtInt(after.outbox - before.outbox)}; ` +
      `audit chain ${(await verifyChainTail(side, added.audit - before.audit + 1)) ? 'intact' : 'BROKEN'} over the new rows.`,
  );
  console.log(`Longest store call: ${fmtMs(stats.longestCallMs)} ms (${stats.longestCall ?? 'none'}) of ${fmtInt(stats.calls)} calls.`);

  console.log(`\nQuery plans on ${name} (of the equivalent SQL)`);
  for (const [label, o, sort, keyset] of [
    ['Page, provider SO (large org), by Requested', officials.large, 'requested', true],
    ['Page, CMS SO, by Requested', officials.cms, 'requested', true],
    ['Page, provider SO (large org), by Last Name', officials.large, 'lastName', true],
    ['Page, CMS SO, by Last Name', officials.cms, 'lastName', true],
  ] as const) {
    const q = pageQuery(o, sort, keyset ? keysetParams(sort) : null);
    await raw.plan(label, q.sql, q.params);
  }
  const count = countQuery(officials.cms);
  await raw.plan('Count, CMS SO', count.sql, count.params);
  return { pages, bulk, stats, verdicts };
}

// ---- pages ------------------------------------------------------------------------------------

const PAGE_COLUMNS = `r.id, r.requester_id, u.first_name, u.last_name, u.email, p.name AS program, p.id AS program_id,
                 o.id AS org_id, o.display_id, o.name AS org_name, o.kind, ro.name AS role, ro.id AS role_id, ro.security_official_kind,
                 r.justification, r.status, r.requested_at, r.decided_at, r.decided_by, d.email AS decided_by_email, r.reason,
                 r.requester_last_name, r.requester_first_name
            FROM role_requests r
            JOIN users u ON u.id = r.requester_id
            JOIN programs p ON p.id = r.program_id
            JOIN organizations o ON o.id = r.organization_id
            JOIN roles ro ON ro.id = r.role_id
            LEFT JOIN users d ON d.id = r.decided_by`;

/**
 * The page SQL the queue needs, written here from the schema (the store's text is not imported).
 * An official of some organizations: one range of an index. A CMS official (their organization,
 * and Security Official requests anywhere): one range per organization and per Security Official
 * role, cut at the page size, merged by key, and only the page's rows joined.
 */
function pageQuery(o: Official, sort: QueueSort, key: Keyset | null): { sql: string; params: SqlValue[] } {
  const after = !key
    ? ''
    : sort === 'requested'
      ? ' AND (r.requested_at, r.id) > (?, ?)'
      : ' AND (r.requester_last_name, r.requester_first_name, r.id) > (?, ?, ?)';
  const order = sort === 'requested' ? 'r.requested_at, r.id' : 'r.requester_last_name, r.requester_first_name, r.id';
  if (!o.isCms) {
    return {
      sql: `SELECT ${PAGE_COLUMNS} WHERE r.status = 'pending' AND r.organization_id IN (${o.orgIds.map(() => '?').join(',')})${after} ORDER BY ${order} LIMIT ?`,
      params: [...o.orgIds, ...(key ?? []), PAGE + 1],
    };
  }
  const ranges: string[] = [];
  const params: SqlValue[] = [];
  const range = (where: string, value: SqlValue) => {
    ranges.push(
      `SELECT * FROM (SELECT ${order} FROM role_requests r WHERE r.status = 'pending' AND ${where}${after} ORDER BY ${order} LIMIT ?) k${ranges.length}`,
    );
    params.push(value, ...(key ?? []), PAGE + 1);
  };
  for (const id of o.orgIds) range('r.organization_id = ?', id);
  for (const kind of ['provider', 'state', 'cms']) range('r.role_id = (SELECT id FROM roles WHERE security_official_kind = ?)', kind);
  const keys = `SELECT id FROM (${ranges.join(' UNION ')}) keys ORDER BY ${order.replace(/\br\./g, '')} LIMIT ?`;
  return { sql: `SELECT ${PAGE_COLUMNS} WHERE r.id IN (${keys}) ORDER BY ${order}`, params: [...params, PAGE + 1] };
}

/** The queue's total from the pending counters (for CMS, Security Official roles anywhere plus the rest of its own organizations). */
function countQuery(o: Official): { sql: string; params: SqlValue[] } {
  const inOrgs = `c.organization_id IN (${o.orgIds.map(() => '?').join(',')})`;
  const so = '(SELECT id FROM roles WHERE security_official_kind IS NOT NULL)';
  return o.isCms
    ? {
        sql: `SELECT (SELECT coalesce(sum(c.n), 0) FROM pending_request_counts c WHERE c.role_id IN ${so})
                   + (SELECT coalesce(sum(c.n), 0) FROM pending_request_counts c WHERE ${inOrgs} AND c.role_id NOT IN ${so}) AS n`,
        params: [...o.orgIds],
      }
    : { sql: `SELECT coalesce(sum(c.n), 0) AS n FROM pending_request_counts c WHERE ${inOrgs}`, params: [...o.orgIds] };
}

/** Security Officials per organization of a page, as the page's judgements need them (the store's statement: the roles as values). */
function officialCountsQuery(roleIds: readonly number[], orgIds: readonly number[]): { sql: string; params: SqlValue[] } {
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');
  return {
    sql: `SELECT a.organization_id AS id, count(DISTINCT a.user_id) AS n FROM role_assignments a
           WHERE a.role_id IN (${marks(roleIds.length)}) AND a.organization_id IN (${marks(orgIds.length)}) GROUP BY a.organization_id`,
    params: [...roleIds, ...orgIds],
  };
}

type RawRow = { id: number; requested_at: number; requester_last_name: string; requester_first_name: string; org_id: number };
type Keyset = Array<string | number>;

function keysetParams(sort: QueueSort): Keyset {
  return sort === 'requested' ? [0, 0] : ['', '', 0];
}

function keyOf(row: RawRow, sort: QueueSort): Keyset {
  return sort === 'requested' ? [row.requested_at, row.id] : [row.requester_last_name, row.requester_first_name, row.id];
}

/**
 * p95 of one page (index 0 = first page, 49 = page 50) three ways: through dispatch, the
 * service called directly, and the equivalent SQL. Later pages are reached by walking the
 * cursors (service) and the keyset (raw) from the first page, as the table does when scrolled.
 */
async function pageFigure(app: ConsoleApp, rawSql: RawSql, o: Official, label: string, sort: QueueSort, index: number): Promise<PageFigure> {
  let cursor: string | undefined;
  for (let i = 0; i < index; i += 1) {
    const page = await call(app, o.clientId, 'queue.page', { sort, limit: PAGE, ...(cursor ? { after: cursor } : {}) });
    if (!page.nextCursor) throw new Error(`${label}: the queue ends before page ${index + 1}`);
    cursor = page.nextCursor;
  }
  const input = { sort, limit: PAGE, ...(cursor ? { after: cursor } : {}) };
  let rows = 0;
  const service = await sample(runs, warmup, async () => {
    rows = (await call(app, o.clientId, 'queue.page', input)).rows.length;
  });
  const direct = await sample(runs, warmup, () => app.services.requests.queuePage(o.session, input));

  let key: Keyset | null = null;
  for (let i = 0; i < index; i += 1) {
    const q = pageQuery(o, sort, key);
    const page = await rawSql.all<RawRow>(q.sql, q.params);
    key = keyOf(page[PAGE - 1] as RawRow, sort);
  }
  return { label, service, direct, raw: await rawPage(rawSql, o, sort, key), target: TARGET.pageP95, rows };
}

/**
 * The same work as the service's page, in SQL from the same key: the rows, the total and the
 * Security Officials of the page's organizations (and the official's own), and the programs for
 * the filter.
 */
async function rawPage(rawSql: RawSql, o: Official, sort: QueueSort, key: Keyset | null): Promise<Sampled> {
  const q = pageQuery(o, sort, key);
  const count = countQuery(o);
  return sample(runs, warmup, async () => {
    const rows = await rawSql.all<RawRow>(q.sql, q.params);
    await rawSql.all(count.sql, count.params);
    const roles = await rawSql.all<{ id: number }>('SELECT id FROM roles WHERE security_official_kind IS NOT NULL ORDER BY id', []);
    const officials = officialCountsQuery(
      roles.map((r) => r.id),
      [...new Set([...rows.map((r) => r.org_id), ...o.orgIds])],
    );
    await rawSql.all(officials.sql, officials.params);
    await rawSql.all('SELECT name FROM programs ORDER BY id', []);
  });
}

/**
 * Go to: walks 50 pages through dispatch, as scrolling there would (its time goes in the label),
 * then times the page that starts at row 5,001's date or last name asked for at once, beside the
 * same work in SQL from the same key.
 */
async function goToFigure(app: ConsoleApp, rawSql: RawSql, o: Official, label: string, sort: QueueSort): Promise<PageFigure> {
  let cursor: string | undefined;
  const started = performance.now();
  for (let i = 0; i < 50; i += 1) {
    const page = await call(app, o.clientId, 'queue.page', { sort, limit: PAGE, ...(cursor ? { after: cursor } : {}) });
    if (!page.nextCursor) throw new Error(`${label}: the queue ends before row 5,001`);
    cursor = page.nextCursor;
  }
  const scrolledMs = performance.now() - started;
  const landing = (await call(app, o.clientId, 'queue.page', { sort, limit: 1, ...(cursor ? { after: cursor } : {}) })).rows[0];
  if (!landing) throw new Error(`${label}: no row 5,001`);
  const seek = sort === 'requested' ? { requestedFrom: landing.requestedAt } : { lastName: landing.lastName };
  const input = { sort, limit: PAGE, seek };
  let rows = 0;
  const service = await sample(runs, warmup, async () => {
    rows = (await call(app, o.clientId, 'queue.page', input)).rows.length;
  });
  const direct = await sample(runs, warmup, () => app.services.requests.queuePage(o.session, input));
  const key: Keyset = sort === 'requested' ? [landing.requestedAt - 1, Number.MAX_SAFE_INTEGER] : [landing.lastName, '', 0];
  const raw = await rawPage(rawSql, o, sort, key);
  return { label: `${label} (scrolling there: ${fmtInt(scrolledMs)} ms)`, service, direct, raw, target: TARGET.pageP95, rows };
}

/** The store calls behind one service page, each timed on its own. */
async function storeBreakdown(app: ConsoleApp, clock: AdjustableClock, o: Official): Promise<Array<[string, Sampled]>> {
  const s = app.store;
  const scope = { organizationIds: o.orgIds, allSecurityOfficialRequests: o.isCms };
  const n = Math.min(runs, 100);
  const page = await s.requests.queuePage(scope, null, 'requested', PAGE + 1);
  const orgIds = [...new Set([...page.map((r) => r.organization.id), ...o.orgIds])];
  return [
    ['users.roleHoldings (who is this official)', await sample(n, 5, () => s.users.roleHoldings(o.rowId))],
    ['requests.queuePage (101 rows)', await sample(n, 5, () => s.requests.queuePage(scope, null, 'requested', PAGE + 1))],
    [`requests.securityOfficialCounts (${orgIds.length} orgs)`, await sample(n, 5, () => s.requests.securityOfficialCounts(orgIds))],
    ['requests.queueCount (total)', await sample(n, 5, () => s.requests.queueCount(scope))],
    ['requests.programs', await sample(n, 5, () => s.requests.programs())],
    [
      'requests.queueView (all of the above but holdings, one call)',
      await sample(n, 5, () => s.requests.queueView(scope, null, 'requested', PAGE + 1, o.orgIds, clock.now())),
    ],
  ];
}

// ---- bulk approvals ---------------------------------------------------------------------------

async function approveFigure(
  app: ConsoleApp,
  o: Official,
  label: string,
  ids: number[],
  rawMs: number,
  rawChunkedMs: number | null,
  target: number,
  meanwhileBy: Official | null = null,
): Promise<BulkFigure> {
  let running = true;
  const pageTimes: number[] = [];
  // What another official feels meanwhile: their queue's first page, asked every 20 ms.
  const pages = (async () => {
    if (!meanwhileBy) return;
    while (running) {
      const t0 = performance.now();
      await call(app, meanwhileBy.clientId, 'queue.page', { sort: 'requested', limit: PAGE });
      pageTimes.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const probe = await withBlockProbe(() => call(app, o.clientId, 'queue.approve', { requestIds: ids })).finally(() => {
    running = false;
  });
  await pages;
  const tally = new Map<string, number>();
  for (const r of probe.value.results) tally.set(r.outcome, (tally.get(r.outcome) ?? 0) + 1);
  return {
    label,
    count: ids.length,
    serviceMs: probe.ms,
    longestBlockMs: probe.longestBlockMs,
    loopDelayMaxMs: probe.loopDelayMaxMs,
    rawMs,
    rawChunkedMs,
    target,
    outcomes: [...tally].map(([k, v]) => `${k} ${fmtInt(v)}`).join(', '),
    meanwhile:
      pageTimes.length === 0 ? null : { p50: percentile(pageTimes, 50), p95: percentile(pageTimes, 95), max: Math.max(...pageTimes), n: pageTimes.length },
  };
}

/** Runs `approve` on `ids` a slice of `size` at a time (each its own transaction); milliseconds in all. */
async function inChunks(ids: number[], size: number, approve: (slice: number[]) => Promise<number>): Promise<number> {
  let ms = 0;
  for (let i = 0; i < ids.length; i += size) ms += await approve(ids.slice(i, i + size));
  return ms;
}

/**
 * The same writes as an approval, directly: read the requests (for the emails), mark them
 * approved if still pending, grant the role, append the audit chain and the outbox rows, in one
 * transaction. Returns milliseconds.
 */
function rawApprove(db: Database, o: Official, ids: number[], now: number): number {
  const t0 = performance.now();
  db.transaction(() => {
    const read = (slice: number[]) =>
      db
        .prepare(
          `SELECT r.id, r.requester_id, u.email, p.name AS program, o.id AS org_id, o.name AS org_name, ro.name AS role
             FROM role_requests r JOIN users u ON u.id = r.requester_id JOIN programs p ON p.id = r.program_id
             JOIN organizations o ON o.id = r.organization_id JOIN roles ro ON ro.id = r.role_id
            WHERE r.id IN (${slice.map(() => '?').join(',')})`,
        )
        .all(...slice) as Array<{ id: number; requester_id: number; email: string; program: string; org_id: number; org_name: string; role: string }>;
    const requests = [];
    for (let i = 0; i < ids.length; i += 500) requests.push(...read(ids.slice(i, i + 500)));
    const update = db.prepare(
      "UPDATE role_requests SET status = 'approved', decided_at = ?, decided_by = ?, reason = NULL WHERE id = ? AND status = 'pending'",
    );
    // As the store does: an ordinary role is granted while its request is still pending, so the
    // requester's directory row is updated in place, not removed and written again.
    const grant = db.prepare(
      `INSERT OR IGNORE INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
       SELECT requester_id, program_id, organization_id, role_id, ?, ?, id FROM role_requests WHERE id = ? AND status = 'pending'`,
    );
    const head = db.prepare('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    let prevHash = head?.hash ?? GENESIS_HASH;
    let auditId = head?.id ?? 0;
    const audit = db.prepare(
      `INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const outbox = db.prepare(
      `INSERT INTO outbox (to_address, subject, body, kind, status, attempts, next_attempt_at, created_at, organization_id, request_id)
       VALUES (?, ?, ?, 'request.decided', 'owed', 0, ?, ?, ?, ?)`,
    );
    for (const r of requests) {
      grant.run(now, o.rowId, r.id);
      if (update.run(now, o.rowId, r.id).changes !== 1) continue;
      auditId += 1;
      const row = {
        id: auditId,
        at: now,
        actorId: o.rowId,
        action: 'request.approved',
        subjectUserId: r.requester_id,
        organizationId: r.org_id,
        requestId: r.id,
        details: JSON.stringify({ program: r.program, role: r.role, reason: null }),
      };
      const hash = chainHash(prevHash, row);
      audit.run(row.id, row.at, row.actorId, row.action, row.subjectUserId, row.organizationId, row.requestId, row.details, prevHash, hash);
      prevHash = hash;
      outbox.run(
        r.email,
        `Your role request ${r.id} was approved`,
        `Your request for the role ${r.role} in ${r.program} for ${r.org_name} (Request ID ${r.id}) was approved.`,
        now,
        now,
        r.org_id,
        r.id,
      );
    }
  }).immediate();
  return performance.now() - t0;
}

/** Rows per statement and ids per IN list on PostgreSQL, as the store sends them (one round trip each). */
const PG_SLICE = 500;
const PG_ROWS_PER_INSERT = 50;

/**
 * The same writes as rawApprove on PostgreSQL, in the statements the store sends there: the
 * requests read and updated 500 ids a statement (UPDATE ... RETURNING the ones still pending),
 * their grants in one INSERT ... SELECT a slice, the chain head locked, then audit and outbox
 * rows 50 to a multi-row INSERT. Returns milliseconds.
 */
async function rawApprovePostgres(client: pg.Client, o: Official, ids: number[], now: number): Promise<number> {
  const t0 = performance.now();
  const q = async <T>(sql: string, params: readonly SqlValue[]): Promise<T[]> => (await client.query(toPostgresPlaceholders(sql), [...params])).rows as T[];
  const marks = (n: number): string => Array.from({ length: n }, () => '?').join(',');
  await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
  try {
    type Row = { id: number; requester_id: number; email: string; program: string; org_id: number; org_name: string; role: string };
    const requests = new Map<number, Row>();
    const approved: number[] = [];
    for (let i = 0; i < ids.length; i += PG_SLICE) {
      const slice = ids.slice(i, i + PG_SLICE);
      for (const r of await q<Row>(
        `SELECT r.id, r.requester_id, u.email, p.name AS program, o.id AS org_id, o.name AS org_name, ro.name AS role
           FROM role_requests r JOIN users u ON u.id = r.requester_id JOIN programs p ON p.id = r.program_id
           JOIN organizations o ON o.id = r.organization_id JOIN roles ro ON ro.id = r.role_id
          WHERE r.id IN (${marks(slice.length)})`,
        slice,
      ))
        requests.set(Number(r.id), r);
      // Granted while still pending, then decided, as the store does.
      await q(
        `INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
         SELECT requester_id, program_id, organization_id, role_id, CAST(? AS BIGINT), CAST(? AS BIGINT), id FROM role_requests
          WHERE status = 'pending' AND id IN (${marks(slice.length)})
         ON CONFLICT DO NOTHING`,
        [now, o.rowId, ...slice],
      );
      const updated = await q<{ id: string | number }>(
        `UPDATE role_requests SET status = 'approved', decided_at = ?, decided_by = ?, reason = NULL WHERE status = 'pending' AND id IN (${marks(slice.length)}) RETURNING id`,
        [now, o.rowId, ...slice],
      );
      const done = updated.map((r) => Number(r.id));
      approved.push(...done);
    }
    await q('SELECT event_id FROM audit_head WHERE singleton = 1 FOR UPDATE', []);
    const head = (await q<{ id: string | number; hash: string }>('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1', []))[0];
    let prevHash = head?.hash ?? GENESIS_HASH;
    let auditId = Number(head?.id ?? 0);
    const audit: SqlValue[][] = [];
    const outbox: SqlValue[][] = [];
    for (const id of approved) {
      const r = requests.get(id) as Row;
      auditId += 1;
      const row = {
        id: auditId,
        at: now,
        actorId: o.rowId,
        action: 'request.approved',
        subjectUserId: Number(r.requester_id),
        organizationId: Number(r.org_id),
        requestId: id,
        details: JSON.stringify({ program: r.program, role: r.role, reason: null }),
      };
      const hash = chainHash(prevHash, row);
      audit.push([row.id, row.at, row.actorId, row.action, row.subjectUserId, row.organizationId, row.requestId, row.details, prevHash, hash]);
      prevHash = hash;
      outbox.push([
        r.email,
        `Your role request ${id} was approved`,
        `Your request for the role ${r.role} in ${r.program} for ${r.org_name} (Request ID ${id}) was approved.`,
        now,
        now,
        row.organizationId,
        id,
      ]);
    }
    for (let i = 0; i < audit.length; i += PG_ROWS_PER_INSERT) {
      const batch = audit.slice(i, i + PG_ROWS_PER_INSERT);
      await q(
        `INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash)
         VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        batch.flat(),
      );
    }
    for (let i = 0; i < outbox.length; i += PG_ROWS_PER_INSERT) {
      const batch = outbox.slice(i, i + PG_ROWS_PER_INSERT);
      await q(
        `INSERT INTO outbox (to_address, subject, body, kind, status, attempts, next_attempt_at, created_at, organization_id, request_id)
         VALUES ${batch.map(() => "(?, ?, ?, 'request.decided', 'owed', 0, ?, ?, ?, ?)").join(', ')}`,
        batch.flat(),
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return performance.now() - t0;
}

/**
 * The synchronous stretches inside one bulk call, timed alone: input validation of 10,000 IDs,
 * reading them (RequestStore.byIds, all slices at once), the official counts, and one chunk of
 * 250 decisions (RequestStore.decide) on requests still pending.
 */
async function bulkBreakdown(app: ConsoleApp, o: Official, decidedIds: number[]): Promise<Array<[string, number]>> {
  const s = app.store.requests;
  const parse = await timed(() => contract['queue.approve'].input.safeParse({ requestIds: decidedIds }));
  const read = await timed(() => s.byIds(decidedIds));
  const orgs = [...new Set(read.value.map((r) => r.organization.id))];
  const officialCounts = await timed(() => s.securityOfficialCounts(orgs));
  const pending = (
    await sideSql(app).all<{ id: number }>(
      `SELECT r.id FROM role_requests r JOIN users u ON u.id = r.requester_id
        WHERE r.status = 'pending' AND r.organization_id = ? AND r.requester_id <> ? AND u.proofing_state IN ('proofed_remote', 'proofed_in_person')
        ORDER BY r.requested_at, r.id LIMIT ?`,
      [o.orgIds[0] as number, o.rowId, DECISION_CHUNK],
    )
  ).map((r) => r.id);
  const records = await s.byIds(pending);
  const decisions: Decision[] = records.map((r) => ({
    requestId: r.id,
    action: 'approve',
    reason: null,
    approvalsNeeded: null,
    audit: {
      action: 'request.approved',
      actorId: o.rowId,
      subjectUserId: r.requesterId,
      organizationId: r.organization.id,
      requestId: r.id,
      details: { program: r.program, role: r.role, reason: null },
    },
    outbox: [
      {
        to: r.requesterEmail,
        subject: `Your role request ${r.id} was approved`,
        body: 'Approved.',
        kind: 'request.decided',
        organizationId: r.organization.id,
        requestId: r.id,
      },
    ],
  }));
  const chunk = await timed(() => s.decide(o.rowId, decisions));
  return [
    [`input validation of ${fmtInt(decidedIds.length)} IDs (zod, in dispatch)`, parse.ms],
    [`RequestStore.byIds(${fmtInt(decidedIds.length)}) (in total; it yields between slices)`, read.ms],
    [`RequestStore.securityOfficialCounts(${orgs.length} org)`, officialCounts.ms],
    [`RequestStore.decide, one chunk of ${decisions.length} (transaction, audit, outbox)`, chunk.ms],
  ];
}

async function counts(db: SqlDatabase): Promise<{ approved: number; assignments: number; audit: number; outbox: number }> {
  return (await db.get<{ approved: number; assignments: number; audit: number; outbox: number }>(
    `SELECT (SELECT count(*) FROM role_requests WHERE status = 'approved') AS approved, (SELECT count(*) FROM role_assignments) AS assignments,
            (SELECT count(*) FROM audit_events) AS audit, (SELECT count(*) FROM outbox) AS outbox`,
  )) as { approved: number; assignments: number; audit: number; outbox: number };
}

/** Recomputes the hash chain over the last n audit events. */
async function verifyChainTail(db: SqlDatabase, n: number): Promise<boolean> {
  const rows = (
    await db.all<{
      id: number;
      at: number;
      actorId: number | null;
      action: string;
      subjectUserId: number | null;
      organizationId: number | null;
      requestId: number | null;
      details: string;
      prevHash: string;
      hash: string;
    }>(
      `SELECT id, at, actor_id AS "actorId", action, subject_user_id AS "subjectUserId", organization_id AS "organizationId", request_id AS "requestId",
              details, prev_hash AS "prevHash", hash FROM audit_events ORDER BY id DESC LIMIT ?`,
      [n],
    )
  ).reverse();
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i] as (typeof rows)[number];
    if (i > 0 && r.prevHash !== (rows[i - 1] as (typeof rows)[number]).hash) return false;
    if (chainHash(r.prevHash, r) !== r.hash) return false;
  }
  return true;
}

function printPlan(db: Database, label: string, sql: string, params: readonly SqlValue[]): void {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ id: number; parent: number; detail: string }>;
  const depth = new Map<number, number>([[0, 0]]);
  console.log(`${label}:`);
  for (const step of plan) {
    const d = (depth.get(step.parent) ?? 0) + 1;
    depth.set(step.id, d);
    console.log(`${'  '.repeat(d)}${step.detail}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

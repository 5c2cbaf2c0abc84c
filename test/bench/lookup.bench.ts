import { readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'csv-stringify';
import { AdjustableClock } from '../../main/clock.js';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import type { ConsoleApp } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import type { ChannelInput } from '../../shared/ipc/contract.js';
import { accountNamed, call, copyDatabase, signIn } from './bench-console.js';
import type { Official } from './bench-console.js';
import { fmtInt, parseFlags, printTable, sample } from './bench-support.js';
import type { Sampled } from './bench-support.js';
import { ENGINE_NAMES, enginesFrom, onPostgresCopy, postgresQueries, printFigures, printSideBySide, sqliteQueries } from './bench-engines.js';
import type { Engine, RawQueries, TargetFigure } from './bench-engines.js';
import { copyToPostgres } from './postgres-copy.js';
import type { PostgresCopy } from './postgres-copy.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { sideDb } from '../support/side-db.js';
import { POLICY } from '../../shared/policy.js';

/**
 * npm run bench:lookup -- --db PATH [--engine sqlite|postgres|both]
 *
 * User Lookup at scale, on a throw-away copy of a database made by
 * `npm run bench:data` (for the export figure, with --large-users 0.37 so the large provider has
 * over 100,000 users in iQIES Prod): exact user ID and email, prefix searches of 50 results,
 * keyset pages, each through dispatch with the same query run directly on the engine beside it,
 * on SQLite and on a PostgreSQL copy of the same rows; and an export of the large provider's users with the heap watched while it streams.
 */
const USAGE = `Usage: npm run bench:lookup -- --db PATH [--engine sqlite|postgres|both] [--runs N] [--warmup N] [--keep]
  --db PATH     a database made by npm run bench:data (PATH.accounts.json beside it)
  --engine E    sqlite, postgres or both (default both); postgres copies the file into a throw-away cluster
  --runs N      measured runs per figure (default 200), after --warmup N (default 20)
  --keep        keep the copy (its folder is printed)`;

const PROGRAM = 'iQIES Prod';
const PAGE = 50;
const TARGET = { exact: 1, exactPostgres: 2, prefix: 5, page: 10, exportMs: 5000 };

const flags = parseFlags(process.argv.slice(2), { db: 'string', engine: 'string', runs: 'number', warmup: 'number', keep: 'boolean' }, USAGE);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const engines = enginesFrom(flags.engine, USAGE);
const source = resolve(flags.db);
const runs = Math.max(1, Math.floor(flags.runs ?? 200));
const warmup = Math.floor(flags.warmup ?? 20);

interface Figure extends TargetFigure {
  raw: Sampled;
}

interface ExportFigure {
  rows: number;
  ms: number;
  bytes: number;
  heapBefore: number;
  heapPeak: number;
}

interface LookupFigures {
  figures: Figure[];
  exported: ExportFigure;
  rawExportMs: number;
  exportedAll: ExportFigure;
}

/** What both engines search for: read once from the SQLite copy, whose ids the PostgreSQL copy keeps. */
interface Subjects {
  programId: number;
  someone: { id: number; userId: string; email: string; lastName: string; firstName: string };
}

type SearchInput = ChannelInput<'lookup.search'>;

async function main(): Promise<void> {
  const accountsFile = JSON.parse(readFileSync(accountsPathFor(source), 'utf8')) as AccountsFile;
  const dataDir = copyDatabase(source);
  console.log(`User Lookup benchmark on ${source} (copy in ${dataDir}), engines: ${engines.map((e) => ENGINE_NAMES[e]).join(', ')}`);
  console.log(`Data: ${fmtInt(accountsFile.options.users)} users; ${runs} runs per figure after ${warmup} warm-up runs.`);
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );

  const keyProvider = new KeyFileProvider(join(dataDir, dataKeyFileName(false)));
  const results = new Map<Engine, LookupFigures>();
  let copy: PostgresCopy | null = null;
  try {
    // The SQLite console opens first in any case: it brings the copy to the current schema, and
    // the accounts' sign-ins are refreshed, before the rows are copied to PostgreSQL.
    const clock = new AdjustableClock();
    const opened = performance.now();
    const app = await createConsole({ dataDir, clock, keyProvider, auditCheck: 'manual' });
    console.log(`Opened (with any migrations) in ${fmtInt(performance.now() - opened)} ms.`);
    let subjects: Subjects;
    try {
      const db = sideDb(app);
      const refresh = db.prepare("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?");
      for (const a of accountsFile.accounts) refresh.run(clock.now() - 86_400_000, a.userId);
      const largeOrg = accountNamed(accountsFile, 'large.provider.so').organization.displayId;
      const programId = (db.prepare('SELECT id FROM programs WHERE name = ?').get(PROGRAM) as { id: number }).id;
      // Someone in the middle of the program's users, for exact and prefix searches.
      const someone = db
        .prepare(
          `SELECT u.id, u.user_id AS userId, u.email, u.last_name AS lastName, u.first_name AS firstName FROM users u
            WHERE u.id IN (SELECT user_id FROM user_directory WHERE program_id = ? AND organization_id = (SELECT id FROM organizations WHERE display_id = ?))
            ORDER BY u.id LIMIT 1 OFFSET 5000`,
        )
        .get(programId, largeOrg) as Subjects['someone'];
      subjects = { programId, someone };
      if (engines.includes('postgres')) {
        console.log('\nCopying the SQLite rows into a throw-away PostgreSQL cluster...');
        copy = await copyToPostgres(app.databasePath, (line) => console.log(line));
        console.log(`Copied in ${(copy.totalMs / 1000).toFixed(1)} s.`);
      }
      if (engines.includes('sqlite')) results.set('sqlite', await measure(app, clock, accountsFile, subjects, sqliteQueries(db)));
    } finally {
      await app.close();
    }
    if (copy) {
      results.set(
        'postgres',
        await onPostgresCopy(copy.url, { dataDir, keyProvider, auditCheck: 'manual' }, postgresQueries, (pgApp, pgClock, raw) =>
          measure(pgApp, pgClock, accountsFile, subjects, raw),
        ),
      );
    }
    const verdicts = new Map<Engine, string[]>();
    for (const [engine, r] of results) verdicts.set(engine, printEngine(engine, r));
    if (results.size > 1)
      printSideBySide(
        'Side by side (ms; service = dispatch p50 / p95, raw = the same SQL on the engine p50 / p95)',
        new Map([...results].map(([e, r]) => [e, r.figures])),
      );
    for (const [engine, v] of verdicts) {
      const failed = v.filter((x) => x === 'FAIL').length;
      console.log(`${ENGINE_NAMES[engine]}: ${failed === 0 ? 'PASS' : 'FAIL'}: ${v.length - failed} of ${v.length} targets met.`);
    }
    console.log(
      `Load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await copy?.cluster.stop();
    if (!flags.keep) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`Kept ${dataDir}`);
  }
}

/** Every figure on one console, through dispatch, with the store's SQL run directly beside it. */
async function measure(app: ConsoleApp, clock: AdjustableClock, accountsFile: AccountsFile, subjects: Subjects, raw: RawQueries): Promise<LookupFigures> {
  const { programId, someone } = subjects;
  const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
  const cms = await signIn(app, clock, byId('cms.official'));
  const large = await signIn(app, clock, byId('large.provider.so'));
  const typical = await signIn(app, clock, byId('provider.so'));
  const largeOrg = large.account.organization.displayId;

  const figures: Figure[] = [];
  const memberAll = 'EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = u.id AND d.program_id = ?)';
  const exactUserId = `SELECT u.* FROM users u WHERE u.user_id = ? COLLATE NOCASE AND ${memberAll}`;
  const exactEmail = `SELECT u.* FROM users u WHERE u.email = ? COLLATE NOCASE AND ${memberAll}`;
  // The same index ranges the store reads: the directory, by program (All) or organization, in name order.
  const prefixLast = `SELECT u.* FROM user_directory d JOIN users u ON u.id = d.user_id WHERE d.program_id = ? AND d.last_name >= ? AND d.last_name < ?
      ORDER BY d.last_name, d.first_name, d.user_id LIMIT ${PAGE + 1}`;
  const prefixEmail = `SELECT u.* FROM users u WHERE u.email >= ? AND u.email < ? AND ${memberAll} LIMIT ${PAGE + 1}`;
  const browseAll = `SELECT u.* FROM user_directory d JOIN users u ON u.id = d.user_id WHERE d.program_id = ? AND (d.last_name, d.first_name, d.user_id) > (?, ?, ?)
      ORDER BY d.last_name, d.first_name, d.user_id LIMIT ${PAGE + 1}`;
  const browseOrg = `SELECT u.* FROM user_directory d JOIN users u ON u.id = d.user_id WHERE d.program_id = ? AND d.organization_id = (SELECT id FROM organizations WHERE display_id = ?)
        AND (d.last_name, d.first_name, d.user_id) > (?, ?, ?) ORDER BY d.last_name, d.first_name, d.user_id LIMIT ${PAGE + 1}`;
  // A first page also says "Users (N)": All from the program's counter, an organization counted up to the cap.
  const countAll = 'SELECT n FROM program_user_counts WHERE program_id = ?';
  const countOrg = `SELECT count(*) AS n FROM (SELECT 1 FROM user_directory WHERE program_id = ? AND organization_id = (SELECT id FROM organizations WHERE display_id = ?) LIMIT ${POLICY.lookupCountCap + 1}) capped`;
  const end = (s: string) => `${s}\u{10FFFF}`;
  const lastPrefix = someone.lastName.slice(0, 3);
  const emailPrefix = someone.email.slice(0, 6);

  const searchFigure = async (label: string, who: Official, input: Omit<SearchInput, 'program'>, rawQuery: () => Promise<unknown>, target: number | null) => {
    let rows = 0;
    const service = await sample(runs, warmup, async () => {
      rows = (await call(app, who.clientId, 'lookup.search', { program: PROGRAM, limit: PAGE, ...input })).rows.length;
    });
    figures.push({ label, rows, service, raw: await sample(runs, warmup, rawQuery), target });
  };

  await searchFigure(
    `Exact user ID, CMS, All organizations`,
    cms,
    { query: someone.userId },
    () => raw.all(exactUserId, [someone.userId, programId]),
    TARGET.exact,
  );
  await searchFigure(
    `Exact email, CMS, All organizations`,
    cms,
    { query: someone.email.toUpperCase() },
    () => raw.all(exactEmail, [someone.email, programId]),
    TARGET.exact,
  );
  await searchFigure(
    `Exact user ID, provider SO of the large provider`,
    large,
    { organization: largeOrg, query: someone.userId },
    () => raw.all(exactUserId, [someone.userId, programId]),
    TARGET.exact,
  );
  await searchFigure(
    `Prefix "${lastPrefix}" (last name), CMS, All`,
    cms,
    { query: lastPrefix },
    () => raw.all(prefixLast, [programId, lastPrefix, end(lastPrefix)]),
    TARGET.prefix,
  );
  await searchFigure(
    `Prefix "${emailPrefix}" (email), CMS, All`,
    cms,
    { query: emailPrefix },
    () => raw.all(prefixEmail, [emailPrefix, end(emailPrefix), programId]),
    TARGET.prefix,
  );
  await searchFigure(
    `Prefix "${lastPrefix}", provider SO, large provider`,
    large,
    { organization: largeOrg, query: lastPrefix },
    () => raw.all(prefixLast, [programId, lastPrefix, end(lastPrefix)]),
    TARGET.prefix,
  );
  await searchFigure(
    `First page, CMS, All`,
    cms,
    {},
    () => Promise.all([raw.all(browseAll, [programId, '', '', 0]), raw.all(countAll, [programId])]),
    TARGET.page,
  );
  await searchFigure(
    `First page, provider SO, large provider`,
    large,
    { organization: largeOrg },
    () => Promise.all([raw.all(browseOrg, [programId, largeOrg, '', '', 0]), raw.all(countOrg, [programId, largeOrg])]),
    TARGET.page,
  );
  const typicalOrg = typical.account.organization.displayId;
  await searchFigure(
    `First page, provider SO, typical provider`,
    typical,
    { organization: typicalOrg },
    () => Promise.all([raw.all(browseOrg, [programId, typicalOrg, '', '', 0]), raw.all(countOrg, [programId, typicalOrg])]),
    TARGET.page,
  );

  // Deep pages: walk the cursors as the Next page button does, then time the last one.
  for (const [who, organization, depth] of [
    [cms, '', 200],
    [large, largeOrg, 200],
  ] as const) {
    let after: string | undefined;
    let key: [string, string, number] = ['', '', 0];
    for (let i = 0; i < depth; i += 1) {
      const page = await call(app, who.clientId, 'lookup.search', { program: PROGRAM, organization, limit: PAGE, ...(after ? { after } : {}) });
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    const lastOfPrevious = decodeKey(after);
    if (lastOfPrevious) key = lastOfPrevious;
    await searchFigure(
      `Page ${depth + 1} (keyset), ${who === cms ? 'CMS, All' : 'provider SO, large provider'}`,
      who,
      { organization, ...(after ? { after } : {}) },
      () => (organization === '' ? raw.all(browseAll, [programId, ...key]) : raw.all(browseOrg, [programId, organization, ...key])),
      TARGET.page,
    );
  }

  // ---- export ----
  const exported = await exportFigure(app, large, largeOrg);
  const rawExportMs = await rawExportFigure(raw, programId, largeOrg);
  // Several times the rows: if the export streams, the heap's peak stays where it was.
  const exportedAll = await exportFigure(app, cms, '');
  return { figures, exported, rawExportMs, exportedAll };
}

/** One engine's tables, as the benchmark has always printed them; returns its verdicts. */
function printEngine(engine: Engine, { figures, exported, rawExportMs, exportedAll }: LookupFigures): string[] {
  const name = ENGINE_NAMES[engine];
  console.log(`\nSearches and pages on ${name} (ms; service = dispatch: validation, session, service, store; raw = the query on the engine)`);
  // Exact lookups: under 1 ms on SQLite, under 2 ms on PostgreSQL (a round trip to the server).
  const verdicts = printFigures(figures, (f) => (f.target === TARGET.exact && engine === 'postgres' ? TARGET.exactPostgres : f.target));
  const exportVerdict =
    exported.rows >= 100_000 ? (exported.ms < TARGET.exportMs ? 'PASS' : 'FAIL') : 'n/a (< 100,000 users; generate with --large-users 0.37)';
  if (exported.rows >= 100_000) verdicts.push(exportVerdict);
  console.log(
    `\nExport Users on ${name} (provider SO, large provider, through dispatch to a CSV file; raw = the same rows read in one query and written as CSV)`,
  );
  const line = (label: string, f: ExportFigure, rest: string[]) => [
    label,
    fmtInt(f.rows),
    fmtInt(f.ms),
    fmtInt(f.rows / (f.ms / 1000)),
    fmtInt(f.bytes),
    `${fmtInt(f.heapBefore / 1e6)} MB`,
    `${fmtInt(f.heapPeak / 1e6)} MB`,
    ...rest,
  ];
  printTable([
    ['Measure', 'rows', 'ms', 'rows/s', 'bytes', 'heap before', 'heap peak', 'raw ms', 'svc/raw', 'target', 'result'],
    line('Export Users, large provider', exported, [
      fmtInt(rawExportMs),
      `${(exported.ms / rawExportMs).toFixed(1)}x`,
      `< ${fmtInt(TARGET.exportMs)}`,
      exportVerdict,
    ]),
    line('Export Users, CMS, All (heap check)', exportedAll, ['', '', '', '']),
  ]);
  return verdicts;
}

/** The name key a cursor carries (the service's cursor is JSON in base64url). */
function decodeKey(cursor: string | undefined): [string, string, number] | null {
  if (!cursor) return null;
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
  return [String(parsed[2]), String(parsed[3]), Number(parsed[4])];
}

/** Exports through dispatch, sampling the heap every 5 ms: a streamed export keeps it flat. */
async function exportFigure(app: ConsoleApp, who: Official, organization: string): Promise<ExportFigure> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const probe = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 5);
  const t0 = performance.now();
  const result = await call(app, who.clientId, 'lookup.export', { program: PROGRAM, organization });
  const ms = performance.now() - t0;
  clearInterval(probe);
  const path = result.delivery?.kind === 'saved' ? result.delivery.path : '';
  const bytes = path ? statSync(path).size : 0;
  if (path) rmSync(path, { force: true });
  return { rows: result.count, ms, bytes, heapBefore, heapPeak };
}

/** The same rows read in one query and written through csv-stringify, discarded: the floor under the export. */
async function rawExportFigure(raw: RawQueries, programId: number, organization: string): Promise<number> {
  const t0 = performance.now();
  const csv = stringify({ header: true, columns: ['First Name', 'Last Name', 'User ID', 'Email', 'Phone', 'Status', 'Identity Proofing'] });
  csv.resume();
  const rows = await raw.all<Record<string, unknown>>(
    `SELECT u.first_name, u.last_name, u.user_id, u.email, u.phone, u.status, u.proofing_state FROM user_directory d JOIN users u ON u.id = d.user_id
      WHERE d.program_id = ? AND d.organization_id = (SELECT id FROM organizations WHERE display_id = ?) ORDER BY d.last_name, d.first_name, d.user_id`,
    [programId, organization],
  );
  for (const row of rows) csv.write(Object.values(row));
  csv.end();
  await new Promise((r) => csv.on('end', r));
  return performance.now() - t0;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

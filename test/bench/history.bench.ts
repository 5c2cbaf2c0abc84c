import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { AdjustableClock } from '../../main/clock.js';
import { DATABASE_FILE, createConsole, dataKeyFileName } from '../../main/app.js';
import type { ConsoleApp } from '../../main/app.js';
import { FolderFileTransfer } from '../../main/services/files.js';
import { encodeHistoryCursor } from '../../main/services/history.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { exportArchiveSync } from '../../main/store/archive-file.js';
import { verifyLiveChain } from '../../main/store/chain-verify.js';
import type { ChannelInput } from '../../shared/ipc/contract.js';
import { accountNamed, call, signIn } from './bench-console.js';
import type { Official } from './bench-console.js';
import { ENGINE_NAMES, enginesFrom, onPostgresCopy, postgresQueries, printFigures, printSideBySide, sqliteQueries } from './bench-engines.js';
import type { Engine, RawQueries, TargetFigure } from './bench-engines.js';
import { Random, fmtInt, fmtMs, parseFlags, printTable, sample, timed, withBlockProbe } from './bench-support.js';
import { copyToPostgres } from './postgres-copy.js';
import type { PostgresCopy } from './postgres-copy.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { sideDb } from '../support/side-db.js';

/**
 * npm run bench:history -- --db PATH [--engine sqlite|postgres|both]
 *
 * Request History and the audit trail at scale, on a database made by
 * `npm run bench:data -- --history 10000000 ...`:
 * - first page, a page at depth 1,000,000 (keyset), a lookup by Request ID and a name search,
 *   p95 through the same dispatch both transports call, each beside the equivalent SQL run
 *   directly on the engine (the ratio is the cost of validation, session, scope and service), on
 *   SQLite and on a PostgreSQL copy of the same rows;
 * - the whole audit chain verified in the worker thread, with the longest main-thread block while
 *   it ran, beside the same verification run synchronously in this thread;
 * - an archive of the large provider (a tenth of the history: 1,000,000 decisions and their audit
 *   events) exported through dispatch, beside the same copy done directly; then opened (verified).
 * It runs on the SQLite file in place: it only adds the sign-ins' and exports' audit events.
 * On PostgreSQL the long work is timed through dispatch only (its raw figures are SQLite's).
 * Archives go to a temporary folder, removed at the end. Not a timed test.
 */
const USAGE = `Usage: npm run bench:history -- --db PATH [--engine sqlite|postgres|both] [--runs N] [--warmup N] [--depth N] [--skip-chain] [--skip-archive]
  --db PATH       a database made by npm run bench:data, named console.sqlite (PATH.accounts.json beside it)
  --engine E      sqlite, postgres or both (default both); postgres copies the file's rows into a throw-away cluster
  --runs N        measured runs per page figure (default 200), after --warmup N (default 20)
  --depth N       the keyset depth of the deep page (default 1,000,000)
  --skip-chain    do not verify the whole chain (the slowest figure)
  --skip-archive  do not export and open an archive`;

const PAGE = 100;
const TARGET = { pageP95: 10, lookupP95: 1, lookupP95Postgres: 2, nameP95: 20, chainSeconds: 60, exportSeconds: 30, blockMs: 50 };

const flags = parseFlags(
  process.argv.slice(2),
  { db: 'string', engine: 'string', runs: 'number', warmup: 'number', depth: 'number', 'skip-chain': 'boolean', 'skip-archive': 'boolean' },
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

type Figure = TargetFigure;

const DECIDED = "r.status IN ('approved', 'rejected')";
/** The page SQL the store runs, written here from the schema: ids from the index, then the joins for the page. */
const pageSql = (where: string, order: string) => `
  SELECT r.id, r.requester_first_name, r.requester_last_name, p.name AS program, o.display_id, o.name AS org_name, ro.name AS role,
         r.status, r.requested_at, r.decided_at, d.email AS decided_by_email, r.reason
    FROM role_requests r JOIN programs p ON p.id = r.program_id JOIN organizations o ON o.id = r.organization_id
    JOIN roles ro ON ro.id = r.role_id LEFT JOIN users d ON d.id = r.decided_by
   WHERE r.id IN (SELECT r.id FROM role_requests r WHERE ${where} ORDER BY ${order} LIMIT ?) ORDER BY ${order}`;
const BY_DATE = 'r.decided_at DESC, r.id DESC';
const BY_NAME = 'r.requester_last_name, r.requester_first_name, r.decided_at DESC, r.id DESC';

async function main(): Promise<void> {
  if (basename(source) !== DATABASE_FILE) throw new Error(`The database must be named ${DATABASE_FILE} (the console opens <dir>/${DATABASE_FILE})`);
  const accountsFile = JSON.parse(readFileSync(accountsPathFor(source), 'utf8')) as AccountsFile;
  const dataDir = dirname(source);
  const exportsDir = mkdtempSync(join(tmpdir(), 'soc-history-bench-'));
  console.log(`History benchmark on ${source} (in place), engines: ${engines.map((e) => ENGINE_NAMES[e]).join(', ')}`);
  console.log(
    `Data: ${fmtInt(accountsFile.options.users)} users, ${fmtInt(accountsFile.options.history)} decided requests; ${runs} runs per page figure after ${warmup} warm-up runs.`,
  );
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );

  const keyProvider = new KeyFileProvider(join(dataDir, dataKeyFileName(false)));
  const files = new FolderFileTransfer(exportsDir);
  const pages = new Map<Engine, Figure[]>();
  const verdicts = new Map<Engine, string[]>();
  let copy: PostgresCopy | null = null;
  try {
    const clock = new AdjustableClock();
    const opened = await timed(() => createConsole({ dataDir, clock, keyProvider, files, auditCheck: 'manual' }));
    const app = opened.value;
    let subjects: Subjects;
    try {
      const db = sideDb(app);
      const refresh = db.prepare("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?");
      for (const a of accountsFile.accounts) refresh.run(clock.now() - 86_400_000, a.userId);
      subjects = readSubjects(db, accountsFile);
      console.log(`History rows: ${fmtInt(subjects.total)} decided requests; the large provider's: ${fmtInt(subjects.largeTotal)}.`);
      if (engines.includes('postgres')) {
        console.log('\nCopying the SQLite rows into a throw-away PostgreSQL cluster...');
        copy = await copyToPostgres(app.databasePath, (line) => console.log(line));
        console.log(`Copied in ${(copy.totalMs / 1000).toFixed(1)} s.`);
      }
      if (engines.includes('sqlite')) {
        const measured = await measure(app, clock, accountsFile, subjects, sqliteQueries(db), 'sqlite', exportsDir, [
          [`Console start, with the tail check of the last 10,000 events (main thread)`, `${fmtMs(opened.ms)} ms`],
        ]);
        pages.set('sqlite', measured.figures);
        verdicts.set('sqlite', measured.verdicts);
        console.log('\nQuery plans on SQLite (EXPLAIN QUERY PLAN of the equivalent SQL)');
        printPlan(db, 'First page, CMS', pageSql(DECIDED, BY_DATE), [PAGE + 1]);
        printPlan(db, 'Deep page, CMS', pageSql(`${DECIDED} AND (r.decided_at, r.id) < (?, ?)`, BY_DATE), [0, 0, PAGE + 1]);
        printPlan(db, 'First page, one organization', pageSql(`${DECIDED} AND r.organization_id = ?`, BY_DATE), [1, PAGE + 1]);
        printPlan(
          db,
          'Name search',
          pageSql(`${DECIDED} AND r.requester_last_name >= ? AND r.requester_last_name < ? AND r.requester_last_name LIKE ? ESCAPE '\\'`, BY_NAME),
          ['a', 'b', 'a%', PAGE + 1],
        );
      }
    } finally {
      await app.close();
    }
    if (copy) {
      const measured = await onPostgresCopy(copy.url, { dataDir, keyProvider, files, auditCheck: 'manual' }, postgresQueries, (pgApp, pgClock, raw) =>
        measure(pgApp, pgClock, accountsFile, subjects, raw, 'postgres', exportsDir, []),
      );
      pages.set('postgres', measured.figures);
      verdicts.set('postgres', measured.verdicts);
    }
    if (pages.size > 1) printSideBySide('Side by side (ms; service = dispatch p50 / p95, raw = the same SQL on the engine p50 / p95)', pages);
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
    rmSync(exportsDir, { recursive: true, force: true });
    if (existsSync(join(dataDir, 'exports'))) rmSync(join(dataDir, 'exports'), { recursive: true, force: true });
  }
}

/** What both engines page to and look up: read once from the SQLite file, whose ids the PostgreSQL copy keeps. */
interface Subjects {
  total: number;
  largeTotal: number;
  depth: number;
  before: { id: number; decidedAt: number };
  ids: number[];
  searches: string[];
}

function readSubjects(db: Database, accountsFile: AccountsFile): Subjects {
  const largeOrg = accountNamed(accountsFile, 'large.provider.so').organization.displayId;
  const total = (db.prepare(`SELECT count(*) AS n FROM role_requests r WHERE ${DECIDED}`).get() as { n: number }).n;
  const largeTotal = (
    db
      .prepare(`SELECT count(*) AS n FROM role_requests r WHERE ${DECIDED} AND r.organization_id = (SELECT id FROM organizations WHERE display_id = ?)`)
      .get(largeOrg) as { n: number }
  ).n;
  // A page at depth N: its cursor is taken once from the row just before it, as scrolling there would leave it.
  const depth = Math.min(Math.floor(flags.depth ?? 1_000_000), total - PAGE - 1);
  const before = db
    .prepare(`SELECT r.id, r.decided_at AS decidedAt FROM role_requests r WHERE ${DECIDED} ORDER BY ${BY_DATE} LIMIT 1 OFFSET ?`)
    .get(depth - 1) as { id: number; decidedAt: number };
  // Lookups by Request ID: decided requests spread over the ids.
  const ids = (db.prepare(`SELECT r.id FROM role_requests r WHERE ${DECIDED} AND r.id % 997 = 3 LIMIT 2000`).all() as Array<{ id: number }>).map((r) => r.id);
  // Name searches: whole last names, their first three letters, and "First Last", from real rows.
  const people = db
    .prepare('SELECT first_name AS first, last_name AS last FROM users WHERE id IN (SELECT requester_id FROM role_requests WHERE id % 4999 = 7 LIMIT 300)')
    .all() as Array<{ first: string; last: string }>;
  const searches = people.flatMap((p) => [p.last, p.last.slice(0, 3), `${p.first} ${p.last}`]);
  return { total, largeTotal, depth, before, ids, searches };
}

/** Every page figure on one console, through dispatch, with the equivalent SQL run directly beside it; then, on SQLite, the long work. */
async function measure(
  app: ConsoleApp,
  clock: AdjustableClock,
  accountsFile: AccountsFile,
  subjects: Subjects,
  raw: RawQueries,
  engine: Engine,
  exportsDir: string,
  info: Array<[string, string]>,
): Promise<{ figures: Figure[]; verdicts: string[] }> {
  const { total, largeTotal, depth, before, ids, searches } = subjects;
  const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
  const cms = await signIn(app, clock, byId('cms.official'));
  const large = await signIn(app, clock, byId('large.provider.so'));
  const largeOrgId = large.orgIds[0] as number;

  const figures: Figure[] = [];
  const firstAll = pageSql(DECIDED, BY_DATE);
  const firstOrg = pageSql(`${DECIDED} AND r.organization_id = ?`, BY_DATE);
  figures.push(await figure(app, cms, `First page, CMS SO (all ${fmtInt(total)} decisions)`, {}, () => raw.all(firstAll, [PAGE + 1]), TARGET.pageP95));
  figures.push(
    await figure(app, large, `First page, provider SO (large org, ${fmtInt(largeTotal)})`, {}, () => raw.all(firstOrg, [largeOrgId, PAGE + 1]), TARGET.pageP95),
  );
  const after = encodeHistoryCursor({ id: before.id, decidedAt: before.decidedAt, lastName: '', firstName: '' }, 'decided');
  const deep = pageSql(`${DECIDED} AND (r.decided_at, r.id) < (?, ?)`, BY_DATE);
  figures.push(
    await figure(
      app,
      cms,
      `Page at depth ${fmtInt(depth)} (keyset), CMS SO`,
      { after },
      () => raw.all(deep, [before.decidedAt, before.id, PAGE + 1]),
      TARGET.pageP95,
    ),
  );

  const rnd = new Random(5);
  const byRequest = pageSql(`${DECIDED} AND r.id = ?`, BY_DATE);
  let next = 0;
  figures.push(
    await figure(
      app,
      cms,
      'Lookup by Request ID, CMS SO',
      () => ({ search: String(ids[next++ % ids.length]) }),
      () => raw.all(byRequest, [ids[next++ % ids.length] as number, 2]),
      engine === 'postgres' ? TARGET.lookupP95Postgres : TARGET.lookupP95,
    ),
  );

  const byName = pageSql(
    `${DECIDED} AND r.requester_last_name >= ? AND r.requester_last_name < ? AND r.requester_last_name LIKE ? ESCAPE '\\' AND r.requester_first_name LIKE ? ESCAPE '\\'`,
    BY_NAME,
  );
  const rawName = (text: string) => {
    const [first, last] = text.includes(' ') ? (text.split(' ') as [string, string]) : ['', text];
    const end = last.slice(0, -1) + String.fromCodePoint((last.codePointAt(last.length - 1) ?? 0) + 1);
    return raw.all(byName, [last, end, `${last}%`, `${first}%`, PAGE + 1]);
  };
  let s = 0;
  let r = 0;
  figures.push(
    await figure(
      app,
      cms,
      'Name search, CMS SO (last name, its first 3 letters, First Last)',
      () => ({ search: searches[s++ % searches.length] as string }),
      () => rawName(searches[r++ % searches.length] as string),
      TARGET.nameP95,
    ),
  );
  let s2 = 0;
  let r2 = 0;
  figures.push(
    await figure(
      app,
      large,
      'Name search, provider SO (large org)',
      () => ({ search: searches[s2++ % searches.length] as string }),
      () => rawName(searches[r2++ % searches.length] as string),
      TARGET.nameP95,
    ),
  );
  const view = await sample(Math.min(runs, 100), 5, () => call(app, cms.clientId, 'history.view', { requestId: ids[rnd.int(0, ids.length - 1)] as number }));
  info.push(['history.view (the Request ID pop-up with its events), p95', `${fmtMs(view.p95)} ms`]);
  const audit = await sample(Math.min(runs, 100), 5, () => call(app, cms.clientId, 'audit.page', {}));
  info.push(['audit.page, first page, CMS SO, p95', `${fmtMs(audit.p95)} ms`]);
  const auditOrg = await sample(Math.min(runs, 100), 5, () => call(app, large.clientId, 'audit.page', {}));
  info.push(['audit.page, first page, provider SO (large org), p95', `${fmtMs(auditOrg.p95)} ms`]);

  // ---- report the pages now (the rest takes minutes) ----
  const name = ENGINE_NAMES[engine];
  console.log(`\nRequest History on ${name} (ms; service = dispatch: validation, session, scope, service, store; raw = the page SQL on the engine)`);
  const verdicts = printFigures(figures);

  const long: string[][] = [];
  if (!flags['skip-chain']) {
    console.log(`\nVerifying the whole audit chain (${engine === 'sqlite' ? 'in the worker thread' : 'read from PostgreSQL'})…`);
    const worker = await withBlockProbe(() => app.services.integrity.verifyAll());
    const status = await app.services.integrity.status();
    const events = status.verifiedThrough ?? 0;
    const seconds = worker.ms / 1000;
    const verdict = seconds < TARGET.chainSeconds && status.state === 'verified' ? 'PASS' : 'FAIL';
    const blockVerdict = worker.longestBlockMs < TARGET.blockMs ? 'PASS' : 'FAIL';
    verdicts.push(verdict, blockVerdict);
    // The raw figure: the same verification run synchronously in this thread, on the embedded file.
    let rawMs: number | null = null;
    if (engine === 'sqlite') {
      console.log('Verifying it again synchronously in this thread (the raw figure)…');
      rawMs = (
        await timed(() => verifyLiveChain(sideDb(app), { consoleId: app.services.identity.consoleId, publicKeyDer: app.services.identity.publicKeyDer }))
      ).ms;
    }
    long.push([
      `Full chain verification, ${fmtInt(events)} events (${status.state})`,
      seconds.toFixed(1),
      rawMs === null ? '' : (rawMs / 1000).toFixed(1),
      rawMs === null ? '' : `${(worker.ms / rawMs).toFixed(2)}x`,
      `< ${TARGET.chainSeconds}`,
      verdict,
      fmtMs(worker.longestBlockMs),
      blockVerdict,
    ]);
  }
  if (!flags['skip-archive']) {
    console.log('Exporting an archive of the large provider through dispatch…');
    const far = { from: 0, to: clock.now() + 86_400_000 };
    const exported = await withBlockProbe(() => call(app, cms.clientId, 'archive.export', { organizations: [large.account.organization.displayId], ...far }));
    const path = exported.value.delivery?.kind === 'saved' ? exported.value.delivery.path : '';
    const size = path ? statSync(path).size : 0;
    let rawMs: number | null = null;
    if (engine === 'sqlite') {
      console.log('Exporting the same rows directly (the raw figure)…');
      const rawPath = join(exportsDir, 'raw.socarchive');
      rawMs = (
        await timed(() =>
          exportArchiveSync({ source: { engine: 'sqlite' as const, path: source }, archivePath: rawPath, organizationIds: large.orgIds, ...far }),
        )
      ).ms;
      rmSync(rawPath, { force: true });
    }
    const seconds = exported.ms / 1000;
    const verdict = seconds < TARGET.exportSeconds ? 'PASS' : 'FAIL';
    const blockVerdict = exported.longestBlockMs < TARGET.blockMs ? 'PASS' : 'FAIL';
    verdicts.push(verdict, blockVerdict);
    long.push([
      `Archive export, ${fmtInt(exported.value.rows)} decisions + ${fmtInt(exported.value.audit)} events (${(size / 1024 ** 2).toFixed(0)} MB)`,
      seconds.toFixed(1),
      rawMs === null ? '' : (rawMs / 1000).toFixed(1),
      rawMs === null ? '' : `${(exported.ms / rawMs).toFixed(2)}x`,
      `< ${TARGET.exportSeconds}`,
      verdict,
      fmtMs(exported.longestBlockMs),
      blockVerdict,
    ]);
    if (path) {
      const token = `benchArchiveToken${engine === 'sqlite' ? '0001' : '0002'}`;
      renameSync(path, join(exportsDir, token));
      const open = await withBlockProbe(() => call(app, cms.clientId, 'archive.open', { uploadToken: token }));
      const a = open.value.archive;
      info.push([
        `Open that archive (verify signature, digests and chain in the worker): ${a?.signature.ok && a.chain.ok ? 'verified' : 'NOT VERIFIED'}`,
        `${(open.ms / 1000).toFixed(1)} s, longest block ${fmtMs(open.longestBlockMs)} ms`,
      ]);
      if (a) {
        const archived = await sample(Math.min(runs, 100), 5, () => call(app, cms.clientId, 'history.page', { archiveId: a.archiveId }));
        info.push(['First page read from the open archive, p95', `${fmtMs(archived.p95)} ms`]);
        await call(app, cms.clientId, 'archive.close', { archiveId: a.archiveId });
      }
    }
  }
  if (long.length > 0) {
    console.log(`\nLong work on ${name} (seconds; raw = the same work run directly in this thread, blocking it; SQLite only)`);
    printTable([['Measure', 'service s', 'raw s', 'svc/raw', 'target', 'result', 'longest block ms', 'block < 50'], ...long]);
  }
  console.log(`\nOther figures on ${name} (informational)`);
  printTable([['Measure', 'value'], ...info]);
  return { figures, verdicts };
}

type Input = Partial<ChannelInput<'history.page'>>;

/** p95 through dispatch, and of the equivalent SQL. */
async function figure(app: ConsoleApp, o: Official, label: string, input: Input | (() => Input), raw: () => Promise<unknown>, target: number): Promise<Figure> {
  let rows = 0;
  const service = await sample(runs, warmup, async () => {
    const page = await call(app, o.clientId, 'history.page', { limit: PAGE, ...(typeof input === 'function' ? input() : input) });
    rows = Math.max(rows, page.rows.length);
  });
  return { label, service, raw: await sample(runs, warmup, raw), target, rows };
}

function printPlan(db: Database, label: string, sql: string, params: Array<string | number>): void {
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

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
import { fmtInt, fmtMs, parseFlags, printTable, sample } from './bench-support.js';
import type { Sampled } from './bench-support.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { sideDb } from '../support/side-db.js';
import { POLICY } from '../../shared/policy.js';

/**
 * npm run bench:lookup -- --db PATH
 *
 * User Lookup at scale, on a throw-away copy of a database made by
 * `npm run bench:data` (for the export figure, with --large-users 0.37 so the large provider has
 * over 100,000 users in iQIES Prod): exact user ID and email, prefix searches of 50 results,
 * keyset pages, each through dispatch with the same query on better-sqlite3 beside it; and an
 * export of the large provider's users with the heap watched while it streams.
 */
const USAGE = `Usage: npm run bench:lookup -- --db PATH [--runs N] [--warmup N] [--keep]
  --db PATH     a database made by npm run bench:data (PATH.accounts.json beside it)
  --runs N      measured runs per figure (default 200), after --warmup N (default 20)
  --keep        keep the copy (its folder is printed)`;

const PROGRAM = 'iQIES Prod';
const PAGE = 50;
const TARGET = { exact: 1, prefix: 5, page: 10, exportMs: 5000 };

const flags = parseFlags(process.argv.slice(2), { db: 'string', runs: 'number', warmup: 'number', keep: 'boolean' }, USAGE);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const source = resolve(flags.db);
const runs = Math.max(1, Math.floor(flags.runs ?? 200));
const warmup = Math.floor(flags.warmup ?? 20);

interface Figure {
  label: string;
  rows: number;
  service: Sampled;
  raw: Sampled;
  target: number | null;
}

type SearchInput = ChannelInput<'lookup.search'>;

async function main(): Promise<void> {
  const accountsFile = JSON.parse(readFileSync(accountsPathFor(source), 'utf8')) as AccountsFile;
  const dataDir = copyDatabase(source);
  console.log(`User Lookup benchmark on ${source} (copy in ${dataDir})`);
  console.log(`Data: ${fmtInt(accountsFile.options.users)} users; ${runs} runs per figure after ${warmup} warm-up runs.`);
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );

  const clock = new AdjustableClock();
  const opened = performance.now();
  const app = await createConsole({ dataDir, clock, keyProvider: new KeyFileProvider(join(dataDir, dataKeyFileName(false))) });
  console.log(`Opened (with any migrations) in ${fmtInt(performance.now() - opened)} ms.`);
  try {
    const refresh = sideDb(app).prepare("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?");
    for (const a of accountsFile.accounts) refresh.run(clock.now() - 86_400_000, a.userId);
    const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
    const cms = await signIn(app, clock, byId('cms.official'));
    const large = await signIn(app, clock, byId('large.provider.so'));
    const typical = await signIn(app, clock, byId('provider.so'));
    const largeOrg = large.account.organization.displayId;
    const programId = (sideDb(app).prepare('SELECT id FROM programs WHERE name = ?').get(PROGRAM) as { id: number }).id;

    // Someone in the middle of the program's users, for exact and prefix searches.
    const someone = sideDb(app)
      .prepare(
        `SELECT u.id, u.user_id AS userId, u.email, u.last_name AS lastName, u.first_name AS firstName FROM users u
          WHERE u.id IN (SELECT user_id FROM user_directory WHERE program_id = ? AND organization_id = (SELECT id FROM organizations WHERE display_id = ?))
          ORDER BY u.id LIMIT 1 OFFSET 5000`,
      )
      .get(programId, largeOrg) as { id: number; userId: string; email: string; lastName: string; firstName: string };

    const figures: Figure[] = [];
    const db = sideDb(app);
    const memberAll = 'EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = u.id AND d.program_id = ?)';
    const exactUserId = db.prepare(`SELECT u.* FROM users u WHERE u.user_id = ? COLLATE NOCASE AND ${memberAll}`);
    const exactEmail = db.prepare(`SELECT u.* FROM users u WHERE u.email = ? COLLATE NOCASE AND ${memberAll}`);
    // The same index ranges the store reads: the directory, by program (All) or organization, in name order.
    const prefixLast = db.prepare(
      `SELECT u.* FROM user_directory d JOIN users u ON u.id = d.user_id WHERE d.program_id = ? AND d.last_name >= ? AND d.last_name < ?
        ORDER BY d.last_name, d.first_name, d.user_id LIMIT ${PAGE + 1}`,
    );
    const prefixEmail = db.prepare(`SELECT u.* FROM users u WHERE u.email >= ? AND u.email < ? AND ${memberAll} LIMIT ${PAGE + 1}`);
    const browseAll = db.prepare(
      `SELECT u.* FROM user_directory d JOIN users u ON u.id = d.user_id WHERE d.program_id = ? AND (d.last_name, d.first_name, d.user_id) > (?, ?, ?)
        ORDER BY d.last_name, d.first_name, d.user_id LIMIT ${PAGE + 1}`,
    );
    const browseOrg = db.prepare(
      `SELECT u.* FROM user_directory d JOIN users u ON u.id = d.user_id WHERE d.program_id = ? AND d.organization_id = (SELECT id FROM organizations WHERE display_id = ?)
          AND (d.last_name, d.first_name, d.user_id) > (?, ?, ?) ORDER BY d.last_name, d.first_name, d.user_id LIMIT ${PAGE + 1}`,
    );
    // A first page also says "Users (N)": All from the program's counter, an organization counted up to the cap.
    const countAll = db.prepare('SELECT n FROM program_user_counts WHERE program_id = ?');
    const countOrg = db.prepare(
      `SELECT count(*) AS n FROM (SELECT 1 FROM user_directory WHERE program_id = ? AND organization_id = (SELECT id FROM organizations WHERE display_id = ?) LIMIT ${POLICY.lookupCountCap + 1})`,
    );
    const end = (s: string) => `${s}\u{10FFFF}`;
    const lastPrefix = someone.lastName.slice(0, 3);
    const emailPrefix = someone.email.slice(0, 6);

    const searchFigure = async (label: string, who: Official, input: Omit<SearchInput, 'program'>, raw: () => unknown, target: number | null) => {
      let rows = 0;
      const service = await sample(runs, warmup, async () => {
        rows = (await call(app, who.clientId, 'lookup.search', { program: PROGRAM, limit: PAGE, ...input })).rows.length;
      });
      figures.push({ label, rows, service, raw: await sample(runs, warmup, raw), target });
    };

    await searchFigure(`Exact user ID, CMS, All organizations`, cms, { query: someone.userId }, () => exactUserId.get(someone.userId, programId), TARGET.exact);
    await searchFigure(
      `Exact email, CMS, All organizations`,
      cms,
      { query: someone.email.toUpperCase() },
      () => exactEmail.get(someone.email, programId),
      TARGET.exact,
    );
    await searchFigure(
      `Exact user ID, provider SO of the large provider`,
      large,
      { organization: largeOrg, query: someone.userId },
      () => exactUserId.get(someone.userId, programId),
      TARGET.exact,
    );
    await searchFigure(
      `Prefix "${lastPrefix}" (last name), CMS, All`,
      cms,
      { query: lastPrefix },
      () => prefixLast.all(programId, lastPrefix, end(lastPrefix)),
      TARGET.prefix,
    );
    await searchFigure(
      `Prefix "${emailPrefix}" (email), CMS, All`,
      cms,
      { query: emailPrefix },
      () => prefixEmail.all(emailPrefix, end(emailPrefix), programId),
      TARGET.prefix,
    );
    await searchFigure(
      `Prefix "${lastPrefix}", provider SO, large provider`,
      large,
      { organization: largeOrg, query: lastPrefix },
      () => prefixLast.all(programId, lastPrefix, end(lastPrefix)),
      TARGET.prefix,
    );
    await searchFigure(`First page, CMS, All`, cms, {}, () => [browseAll.all(programId, '', '', 0), countAll.get(programId)], TARGET.page);
    await searchFigure(
      `First page, provider SO, large provider`,
      large,
      { organization: largeOrg },
      () => [browseOrg.all(programId, largeOrg, '', '', 0), countOrg.get(programId, largeOrg)],
      TARGET.page,
    );
    await searchFigure(
      `First page, provider SO, typical provider`,
      typical,
      { organization: typical.account.organization.displayId },
      () => [browseOrg.all(programId, typical.account.organization.displayId, '', '', 0), countOrg.get(programId, typical.account.organization.displayId)],
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
        () => (organization === '' ? browseAll.all(programId, ...key) : browseOrg.all(programId, organization, ...key)),
        TARGET.page,
      );
    }

    // ---- export ----
    const exported = await exportFigure(app, large, largeOrg);
    const rawExport = await rawExportFigure(app, programId, largeOrg);
    // Several times the rows: if the export streams, the heap's peak stays where it was.
    const exportedAll = await exportFigure(app, cms, '');

    console.log('\nSearches and pages (ms; service = dispatch: validation, session, service, store; raw = the query on better-sqlite3)');
    const verdicts: string[] = [];
    printTable([
      ['Measure', 'rows', 'svc p50', 'svc p95', 'raw p50', 'raw p95', 'svc/raw p95', 'target', 'result'],
      ...figures.map((f) => {
        const verdict = f.target === null ? '' : f.service.p95 < f.target ? 'PASS' : 'FAIL';
        if (verdict) verdicts.push(verdict);
        return [
          f.label,
          String(f.rows),
          fmtMs(f.service.p50),
          fmtMs(f.service.p95),
          fmtMs(f.raw.p50),
          fmtMs(f.raw.p95),
          `${(f.service.p95 / f.raw.p95).toFixed(1)}x`,
          f.target === null ? '' : `< ${f.target}`,
          verdict,
        ];
      }),
    ]);
    const exportVerdict =
      exported.rows >= 100_000 ? (exported.ms < TARGET.exportMs ? 'PASS' : 'FAIL') : 'n/a (< 100,000 users; generate with --large-users 0.37)';
    if (exported.rows >= 100_000) verdicts.push(exportVerdict);
    console.log('\nExport Users (provider SO, large provider, through dispatch to a CSV file; raw = the same rows read and written as CSV directly)');
    printTable([
      ['Measure', 'rows', 'ms', 'rows/s', 'bytes', 'heap before', 'heap peak', 'raw ms', 'svc/raw', 'target', 'result'],
      [
        'Export Users, large provider',
        fmtInt(exported.rows),
        fmtInt(exported.ms),
        fmtInt(exported.rows / (exported.ms / 1000)),
        fmtInt(exported.bytes),
        `${fmtInt(exported.heapBefore / 1e6)} MB`,
        `${fmtInt(exported.heapPeak / 1e6)} MB`,
        fmtInt(rawExport),
        `${(exported.ms / rawExport).toFixed(1)}x`,
        `< ${fmtInt(TARGET.exportMs)}`,
        exportVerdict,
      ],
      [
        'Export Users, CMS, All (heap check)',
        fmtInt(exportedAll.rows),
        fmtInt(exportedAll.ms),
        fmtInt(exportedAll.rows / (exportedAll.ms / 1000)),
        fmtInt(exportedAll.bytes),
        `${fmtInt(exportedAll.heapBefore / 1e6)} MB`,
        `${fmtInt(exportedAll.heapPeak / 1e6)} MB`,
        '',
        '',
        '',
        '',
      ],
    ]);
    const failed = verdicts.filter((v) => v === 'FAIL').length;
    console.log(`\n${failed === 0 ? 'PASS' : 'FAIL'}: ${verdicts.length - failed} of ${verdicts.length} targets met.`);
    console.log(
      `Load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await app.close();
    if (!flags.keep) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`Kept ${dataDir}`);
  }
}

/** The name key a cursor carries (the service's cursor is JSON in base64url). */
function decodeKey(cursor: string | undefined): [string, string, number] | null {
  if (!cursor) return null;
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
  return [String(parsed[2]), String(parsed[3]), Number(parsed[4])];
}

/** Exports through dispatch, sampling the heap every 5 ms: a streamed export keeps it flat. */
async function exportFigure(app: ConsoleApp, who: Official, organization: string) {
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

/** The same rows straight from better-sqlite3 into csv-stringify, discarded: the floor under the export. */
async function rawExportFigure(app: ConsoleApp, programId: number, organization: string): Promise<number> {
  const t0 = performance.now();
  const csv = stringify({ header: true, columns: ['First Name', 'Last Name', 'User ID', 'Email', 'Phone', 'Status', 'Identity Proofing'] });
  csv.resume();
  const rows = sideDb(app)
    .prepare(
      `SELECT u.first_name, u.last_name, u.user_id, u.email, u.phone, u.status, u.proofing_state FROM user_directory d JOIN users u ON u.id = d.user_id
        WHERE d.program_id = ? AND d.organization_id = (SELECT id FROM organizations WHERE display_id = ?) ORDER BY d.last_name, d.first_name, d.user_id`,
    )
    .raw()
    .iterate(programId, organization) as IterableIterator<unknown[]>;
  for (const row of rows) csv.write(row);
  csv.end();
  await new Promise((r) => csv.on('end', r));
  return performance.now() - t0;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

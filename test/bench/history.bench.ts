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
import { totpCodeAt } from '../../main/services/totp.js';
import { exportArchiveSync } from '../../main/store/archive-file.js';
import { verifyLiveChain } from '../../main/store/chain-verify.js';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import { accountNamed } from './bench-console.js';
import { Random, fmtInt, fmtMs, parseFlags, printTable, sample, timed, withBlockProbe } from './bench-support.js';
import type { Sampled } from './bench-support.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { sideDb } from '../support/side-db.js';

/**
 * npm run bench:history -- --db PATH
 *
 * Request History and the audit trail at scale, on a database made by
 * `npm run bench:data -- --history 10000000 ...`:
 * - first page, a page at depth 1,000,000 (keyset), a lookup by Request ID and a name search,
 *   p95 through the same dispatch both transports call, each beside the equivalent SQL run
 *   directly on better-sqlite3 (the ratio is the cost of validation, session, scope and service);
 * - the whole audit chain verified in the worker thread, with the longest main-thread block while
 *   it ran, beside the same verification run synchronously in this thread;
 * - an archive of the large provider (a tenth of the history: 1,000,000 decisions and their audit
 *   events) exported through dispatch, beside the same copy done directly; then opened (verified).
 * It runs on the database in place: it only adds the sign-ins' and exports' audit events.
 * Archives go to a temporary folder, removed at the end. Not a timed test.
 */
const USAGE = `Usage: npm run bench:history -- --db PATH [--runs N] [--warmup N] [--depth N] [--skip-chain] [--skip-archive]
  --db PATH       a database made by npm run bench:data, named console.sqlite (PATH.accounts.json beside it)
  --runs N        measured runs per page figure (default 200), after --warmup N (default 20)
  --depth N       the keyset depth of the deep page (default 1,000,000)
  --skip-chain    do not verify the whole chain (the slowest figure)
  --skip-archive  do not export and open an archive`;

const PAGE = 100;
const TARGET = { pageP95: 10, lookupP95: 1, nameP95: 20, chainSeconds: 60, exportSeconds: 30, blockMs: 50 };

const flags = parseFlags(
  process.argv.slice(2),
  { db: 'string', runs: 'number', warmup: 'number', depth: 'number', 'skip-chain': 'boolean', 'skip-archive': 'boolean' },
  USAGE,
);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const source = resolve(flags.db);
const runs = Math.max(1, Math.floor(flags.runs ?? 200));
const warmup = Math.floor(flags.warmup ?? 20);

interface Figure {
  label: string;
  service: Sampled;
  raw: Sampled | null;
  target: number | null;
  rows: number;
}

interface Official {
  account: BenchAccount;
  clientId: string;
  orgIds: number[];
}

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
  console.log(`History benchmark on ${source} (in place)`);
  console.log(
    `Data: ${fmtInt(accountsFile.options.users)} users, ${fmtInt(accountsFile.options.history)} decided requests; ${runs} runs per page figure after ${warmup} warm-up runs.`,
  );
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );

  const clock = new AdjustableClock();
  const opened = await timed(() =>
    createConsole({
      dataDir,
      clock,
      keyProvider: new KeyFileProvider(join(dataDir, dataKeyFileName(false))),
      files: new FolderFileTransfer(exportsDir),
      auditCheck: 'manual',
    }),
  );
  const app = opened.value;
  const info: Array<[string, string]> = [[`Console start, with the tail check of the last 10,000 events (main thread)`, `${fmtMs(opened.ms)} ms`]];
  try {
    const db = sideDb(app);
    const refresh = db.prepare("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?");
    for (const a of accountsFile.accounts) refresh.run(clock.now() - 86_400_000, a.userId);
    const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
    const cms = await signIn(app, clock, byId('cms.official'));
    const large = await signIn(app, clock, byId('large.provider.so'));
    const total = (db.prepare(`SELECT count(*) AS n FROM role_requests r WHERE ${DECIDED}`).get() as { n: number }).n;
    const largeTotal = (
      db.prepare(`SELECT count(*) AS n FROM role_requests r WHERE ${DECIDED} AND r.organization_id = ?`).get(large.orgIds[0]) as { n: number }
    ).n;
    console.log(`History rows: ${fmtInt(total)} decided requests; the large provider's: ${fmtInt(largeTotal)}.`);

    const figures: Figure[] = [];
    const firstAll = db.prepare(pageSql(DECIDED, BY_DATE));
    const firstOrg = db.prepare(pageSql(`${DECIDED} AND r.organization_id = ?`, BY_DATE));
    figures.push(await figure(app, cms, `First page, CMS SO (all ${fmtInt(total)} decisions)`, {}, () => firstAll.all(PAGE + 1), TARGET.pageP95));
    figures.push(
      await figure(app, large, `First page, provider SO (large org, ${fmtInt(largeTotal)})`, {}, () => firstOrg.all(large.orgIds[0], PAGE + 1), TARGET.pageP95),
    );

    // A page at depth N: its cursor is taken once from the row just before it, as scrolling there would leave it.
    const depth = Math.min(Math.floor(flags.depth ?? 1_000_000), total - PAGE - 1);
    const before = db
      .prepare(`SELECT r.id, r.decided_at AS decidedAt FROM role_requests r WHERE ${DECIDED} ORDER BY ${BY_DATE} LIMIT 1 OFFSET ?`)
      .get(depth - 1) as { id: number; decidedAt: number };
    const after = encodeHistoryCursor({ id: before.id, decidedAt: before.decidedAt, lastName: '', firstName: '' }, 'decided');
    const deep = db.prepare(pageSql(`${DECIDED} AND (r.decided_at, r.id) < (?, ?)`, BY_DATE));
    figures.push(
      await figure(
        app,
        cms,
        `Page at depth ${fmtInt(depth)} (keyset), CMS SO`,
        { after },
        () => deep.all(before.decidedAt, before.id, PAGE + 1),
        TARGET.pageP95,
      ),
    );

    // Lookups by Request ID: random decided requests.
    const rnd = new Random(5);
    const ids = (db.prepare(`SELECT r.id FROM role_requests r WHERE ${DECIDED} AND r.id % 997 = 3 LIMIT 2000`).all() as Array<{ id: number }>).map((r) => r.id);
    const byRequest = db.prepare(`${pageSql(`${DECIDED} AND r.id = ?`, BY_DATE)}`);
    let next = 0;
    figures.push(
      await figure(
        app,
        cms,
        'Lookup by Request ID, CMS SO',
        () => ({ search: String(ids[next++ % ids.length]) }),
        () => byRequest.all(ids[next++ % ids.length], 2),
        TARGET.lookupP95,
      ),
    );

    // Name searches: whole last names, their first three letters, and "First Last", from real rows.
    const people = db
      .prepare('SELECT first_name AS first, last_name AS last FROM users WHERE id IN (SELECT requester_id FROM role_requests WHERE id % 4999 = 7 LIMIT 300)')
      .all() as Array<{ first: string; last: string }>;
    const searches = people.flatMap((p) => [p.last, p.last.slice(0, 3), `${p.first} ${p.last}`]);
    const byName = db.prepare(
      pageSql(
        `${DECIDED} AND r.requester_last_name >= ? AND r.requester_last_name < ? AND r.requester_last_name LIKE ? ESCAPE '\\' AND r.requester_first_name LIKE ? ESCAPE '\\'`,
        BY_NAME,
      ),
    );
    const rawName = (text: string) => {
      const [first, last] = text.includes(' ') ? (text.split(' ') as [string, string]) : ['', text];
      const end = last.slice(0, -1) + String.fromCodePoint((last.codePointAt(last.length - 1) ?? 0) + 1);
      return byName.all(last, end, `${last}%`, `${first}%`, PAGE + 1);
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
    const verdicts: string[] = [];
    console.log('\nRequest History (ms; service = dispatch: validation, session, scope, service, store; raw = the page SQL on better-sqlite3)');
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
          f.raw ? fmtMs(f.raw.p50) : '',
          f.raw ? fmtMs(f.raw.p95) : '',
          f.raw ? `${(f.service.p95 / f.raw.p95).toFixed(1)}x` : '',
          f.target === null ? '' : `< ${f.target}`,
          verdict,
        ];
      }),
    ]);

    const long: string[][] = [];
    if (!flags['skip-chain']) {
      console.log('\nVerifying the whole audit chain in the worker thread…');
      const worker = await withBlockProbe(() => app.services.integrity.verifyAll());
      const status = await app.services.integrity.status();
      const events = status.verifiedThrough ?? 0;
      const seconds = worker.ms / 1000;
      const verdict = seconds < TARGET.chainSeconds && status.state === 'verified' ? 'PASS' : 'FAIL';
      const blockVerdict = worker.longestBlockMs < TARGET.blockMs ? 'PASS' : 'FAIL';
      verdicts.push(verdict, blockVerdict);
      console.log('Verifying it again synchronously in this thread (the raw figure)…');
      const raw = await timed(() => verifyLiveChain(db, { consoleId: app.services.identity.consoleId, publicKeyDer: app.services.identity.publicKeyDer }));
      long.push([
        `Full chain verification, ${fmtInt(events)} events (${status.state})`,
        seconds.toFixed(1),
        (raw.ms / 1000).toFixed(1),
        `${(worker.ms / raw.ms).toFixed(2)}x`,
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
      console.log('Exporting the same rows directly (the raw figure)…');
      const rawPath = join(exportsDir, 'raw.socarchive');
      const raw = await timed(() =>
        exportArchiveSync({ source: { engine: 'sqlite' as const, path: source }, archivePath: rawPath, organizationIds: large.orgIds, ...far }),
      );
      rmSync(rawPath, { force: true });
      const seconds = exported.ms / 1000;
      const verdict = seconds < TARGET.exportSeconds ? 'PASS' : 'FAIL';
      const blockVerdict = exported.longestBlockMs < TARGET.blockMs ? 'PASS' : 'FAIL';
      verdicts.push(verdict, blockVerdict);
      long.push([
        `Archive export, ${fmtInt(exported.value.rows)} decisions + ${fmtInt(exported.value.audit)} events (${(size / 1024 ** 2).toFixed(0)} MB)`,
        seconds.toFixed(1),
        (raw.ms / 1000).toFixed(1),
        `${(exported.ms / raw.ms).toFixed(2)}x`,
        `< ${TARGET.exportSeconds}`,
        verdict,
        fmtMs(exported.longestBlockMs),
        blockVerdict,
      ]);
      if (path) {
        const token = 'benchArchiveToken0001';
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
        }
      }
    }
    if (long.length > 0) {
      console.log('\nLong work (seconds; raw = the same work run directly in this thread, blocking it)');
      printTable([['Measure', 'service s', 'raw s', 'svc/raw', 'target', 'result', 'longest block ms', 'block < 50'], ...long]);
    }
    console.log('\nOther figures (informational)');
    printTable([['Measure', 'value'], ...info]);

    console.log('\nQuery plans (EXPLAIN QUERY PLAN of the equivalent SQL)');
    printPlan(db, 'First page, CMS', pageSql(DECIDED, BY_DATE), [PAGE + 1]);
    printPlan(db, 'Deep page, CMS', pageSql(`${DECIDED} AND (r.decided_at, r.id) < (?, ?)`, BY_DATE), [0, 0, PAGE + 1]);
    printPlan(db, 'First page, one organization', pageSql(`${DECIDED} AND r.organization_id = ?`, BY_DATE), [1, PAGE + 1]);
    printPlan(
      db,
      'Name search',
      pageSql(`${DECIDED} AND r.requester_last_name >= ? AND r.requester_last_name < ? AND r.requester_last_name LIKE ? ESCAPE '\\'`, BY_NAME),
      ['a', 'b', 'a%', PAGE + 1],
    );

    const failed = verdicts.filter((v) => v === 'FAIL').length;
    console.log(`\n${failed === 0 ? 'PASS' : 'FAIL'}: ${verdicts.length - failed} of ${verdicts.length} targets met.`);
    console.log(
      `Load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await app.close();
    rmSync(exportsDir, { recursive: true, force: true });
    if (existsSync(join(dataDir, 'exports'))) rmSync(join(dataDir, 'exports'), { recursive: true, force: true });
  }
}

async function call<C extends Channel>(app: ConsoleApp, clientId: string, channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const result = await app.dispatch({ clientId }, channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelOutput<C>;
}

async function signIn(app: ConsoleApp, clock: AdjustableClock, account: BenchAccount): Promise<Official> {
  clock.advance(30_000);
  const clientId = `bench-${account.userId}`;
  await call(app, clientId, 'auth.signIn', {
    userId: account.userId,
    password: account.password,
    code: totpCodeAt(account.totpKey, clock.now()),
    agreeToTerms: true,
  });
  await call(app, clientId, 'auth.acceptWarning', {});
  const session = await app.services.sessions.resolve(clientId);
  if (!session) throw new Error(`No session for ${account.userId}`);
  const orgIds = (
    sideDb(app)
      .prepare(
        'SELECT DISTINCT a.organization_id AS id FROM role_assignments a JOIN roles r ON r.id = a.role_id WHERE a.user_id = ? AND r.security_official_kind IS NOT NULL',
      )
      .all(session.userRowId) as Array<{ id: number }>
  ).map((r) => r.id);
  return { account, clientId, orgIds };
}

type Input = Partial<ChannelInput<'history.page'>>;

/** p95 through dispatch, and of the equivalent SQL. */
async function figure(app: ConsoleApp, o: Official, label: string, input: Input | (() => Input), raw: () => unknown, target: number): Promise<Figure> {
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

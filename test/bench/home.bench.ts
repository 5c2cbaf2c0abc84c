import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AdjustableClock } from '../../main/clock.js';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import type { ConsoleApp } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { DASHBOARD } from '../../main/services/home.js';
import type { DashboardScope } from '../../main/store/home-store.js';
import { POLICY } from '../../shared/policy.js';
import { fmtInt, fmtMs, parseFlags, printTable, sample } from './bench-support.js';
import type { Sampled } from './bench-support.js';
import { accountNamed, call, copyDatabase, signIn } from './bench-console.js';
import type { Official } from './bench-console.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { sideDb } from '../support/side-db.js';

/**
 * npm run bench:home -- --db PATH
 *
 * Home at scale, on a throw-away copy of a database made by `npm run bench:data`: home.dashboard
 * (the user's own requests and proofing, and the official's figures) through the same dispatch the
 * transports call, beside the same figures read straight from the store (the SQL alone), for a CMS
 * official (every account) and the large provider's official; once quiet and once with a CPU
 * burner (a child process spinning on one core) running the whole time. Prints each query's plan:
 * none may scan the users table.
 */
const USAGE = `Usage: npm run bench:home -- --db PATH [--runs N] [--warmup N] [--no-busy]
  --db PATH     a database made by npm run bench:data (PATH.accounts.json beside it)
  --runs N      measured runs per figure (default 100), after --warmup N (default 10)
  --no-busy     skip the run with a CPU burner`;

const TARGET_MS = 50;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

const flags = parseFlags(process.argv.slice(2), { db: 'string', runs: 'number', warmup: 'number', 'no-busy': 'boolean' }, USAGE);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const source = resolve(flags.db);
const runs = Math.max(1, Math.floor(flags.runs ?? 100));
const warmup = Math.floor(flags.warmup ?? 10);

interface Row {
  label: string;
  load: 'quiet' | 'busy';
  service: Sampled;
  raw: Sampled;
}

/** The figures of home.dashboard for one scope, read from the store alone (what the service adds is dispatch and rules). */
async function rawFigures(app: ConsoleApp, scope: DashboardScope, now: number): Promise<void> {
  const home = app.store.home;
  const recentAfter = now - 8 * DAY;
  const monthAfter = now - 31 * DAY;
  if (scope === 'all') {
    await home.pendingAges('all', recentAfter, monthAfter);
    for (const o of await home.busiestOrganizations(DASHBOARD.busiestOrganizations)) await home.pendingAges(o.id, recentAfter, monthAfter);
  } else {
    for (const id of scope) await home.pendingAges(id, recentAfter, monthAfter);
  }
  await home.decisionsByWeek(scope, now, WEEK, DASHBOARD.weeks);
  const limit = POLICY.inactivityDays * DAY;
  await home.activeUnusedSince(scope, now + 30 * DAY - limit, DASHBOARD.listLimit);
  await home.activeUnusedSinceCount(scope, now + 14 * DAY - limit);
  await home.activeUnusedSinceCount(scope, now + 30 * DAY - limit);
  await home.deactivatedSinceCount(scope, now - 30 * DAY);
  await home.referredInPerson(scope, DASHBOARD.listLimit);
  await home.referredInPersonCount(scope);
}

/** Every statement the dashboard prepares, with its plan; returns the plans' lines that scan users. */
async function plans(app: ConsoleApp, officials: Official[]): Promise<string[]> {
  const db = sideDb(app);
  const seen = new Set<string>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    seen.add(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  try {
    for (const o of officials) await call(app, o.clientId, 'home.dashboard', {});
  } finally {
    db.prepare = prepare;
  }
  const scans: string[] = [];
  // users is read by row id, or through one of version 7's indexes, which hold only the accounts a figure is about.
  const partial = /^(SCAN|SEARCH) (users|u)\b(?! USING (COVERING )?INDEX (users_last_use|users_deactivated_at|users_referred)\b| USING INTEGER PRIMARY KEY)/;
  console.log('\nQuery plans of every statement home.dashboard prepared:');
  for (const sql of seen) {
    const params = (sql.match(/\?/g) ?? []).map(() => 0);
    const lines = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
    console.log(`- ${sql.replace(/\s+/g, ' ').slice(0, 150)}${sql.length > 150 ? '...' : ''}`);
    for (const line of lines) console.log(`    ${line}`);
    for (const line of lines)
      if (partial.test(line) || /^SCAN (role_requests|user_directory)\b/.test(line)) scans.push(`${line}  <=  ${sql.replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  return scans;
}

function startBurner(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

async function measure(app: ConsoleApp, clock: AdjustableClock, officials: Array<[Official, string, DashboardScope]>, load: 'quiet' | 'busy'): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [o, label, scope] of officials) {
    const service = await sample(runs, warmup, () => call(app, o.clientId, 'home.dashboard', {}));
    const raw = await sample(runs, warmup, () => rawFigures(app, scope, clock.now()));
    rows.push({ label, load, service, raw });
  }
  return rows;
}

async function main(): Promise<void> {
  const accountsFile = JSON.parse(readFileSync(accountsPathFor(source), 'utf8')) as AccountsFile;
  const dataDir = copyDatabase(source);
  console.log(`Home benchmark on ${source} (copy in ${dataDir})`);
  console.log(
    `Data: ${fmtInt(accountsFile.options.users)} users, ${fmtInt(accountsFile.options.pending)} pending, ${fmtInt(accountsFile.options.history)} decided requests; ${runs} runs per figure after ${warmup} warm-up runs.`,
  );
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );
  const clock = new AdjustableClock();
  const opened = performance.now();
  const app = await createConsole({ dataDir, clock, keyProvider: new KeyFileProvider(join(dataDir, dataKeyFileName(false))), auditCheck: 'manual' });
  console.log(`Opened (with any migrations) in ${fmtInt(performance.now() - opened)} ms.`);
  let burner: ChildProcess | null = null;
  try {
    const refresh = sideDb(app).prepare("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?");
    for (const a of accountsFile.accounts) refresh.run(clock.now() - DAY, a.userId);
    const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
    const cms = await signIn(app, clock, byId('cms.official'));
    const large = await signIn(app, clock, byId('large.provider.so'));

    const first = performance.now();
    const figures = await call(app, cms.clientId, 'home.dashboard', {});
    console.log(`First home.dashboard, CMS official (cold statements): ${fmtMs(performance.now() - first)} ms`);
    const largeFigures = await call(app, large.clientId, 'home.dashboard', {});
    for (const [who, f] of [
      ['CMS official', figures.official],
      ['large provider official', largeFigures.official],
    ] as const) {
      if (!f) throw new Error(`${who} got no dashboard`);
      const pending = f.pendingByAge[0];
      console.log(
        `${who}: pending ${pending ? `${fmtInt(pending.upTo7)} / ${fmtInt(pending.upTo30)} / ${fmtInt(pending.over30)}` : '-'} (0-7 / 8-30 / over 30 days, ${pending?.label}); ` +
          `decisions in 12 weeks ${fmtInt(f.decisionsByWeek.reduce((s, w) => s + w.approved + w.rejected, 0))}; 120 days within 14 / 30 days ${fmtInt(f.deactivation.within14Days)} / ${fmtInt(f.deactivation.within30Days)}; ` +
          `deactivated in 30 days ${fmtInt(f.deactivation.deactivatedLast30Days)}; in-person backlog ${fmtInt(f.proofingBacklog.total)}`,
      );
    }
    const scans = await plans(app, [cms, large]);

    const who: Array<[Official, string, DashboardScope]> = [
      [cms, 'home.dashboard, CMS official (every account)', 'all'],
      [large, `home.dashboard, provider official (large org, ${large.account.organization.displayId})`, large.orgIds],
    ];
    const rows = await measure(app, clock, who, 'quiet');
    if (!flags['no-busy']) {
      burner = startBurner();
      await new Promise((r) => setTimeout(r, 500));
      rows.push(...(await measure(app, clock, who, 'busy')));
      if (burner.pid !== undefined) process.kill(burner.pid);
      burner = null;
    }

    console.log(`\nHome (ms; service = dispatch: validation, session, service, store; raw = the same figures from the store alone)`);
    printTable([
      ['Measure', 'load', 'svc p50', 'svc p95', 'raw p50', 'raw p95', 'target', 'result'],
      ...rows.map((r) => [
        r.label,
        r.load,
        fmtMs(r.service.p50),
        fmtMs(r.service.p95),
        fmtMs(r.raw.p50),
        fmtMs(r.raw.p95),
        `< ${TARGET_MS}`,
        r.service.p95 < TARGET_MS ? 'PASS' : 'FAIL',
      ]),
    ]);
    console.log(`\nNo statement reads the users table but by row id or a version 7 index: ${scans.length === 0 ? 'PASS' : `FAIL\n${scans.join('\n')}`}`);
  } finally {
    if (burner?.pid !== undefined) process.kill(burner.pid);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

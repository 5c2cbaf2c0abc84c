import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DATABASE_FILE, dataKeyFileName } from '../../main/app.js';
import { totpCodeAt } from '../../main/services/totp.js';
import { fmtMs, parseFlags, percentile, printTable } from './bench-support.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';

/**
 * npm run bench:start -- --db PATH
 *
 * Start-up with a cold page cache, the way an official starts the console: for each run the
 * database file (and its -wal and -shm) is dropped from the page cache (dd iflag=nocache), the
 * browser host is spawned on it (`node --import tsx main/host/cli.ts`, or with --bundled the built
 * `node dist/main/host.js`; no --demo), and the time
 * from spawn is taken to the "Console ready" line, to the first answered app.status through the
 * host's own HTTP transport, and to a completed sign-in (Login and Warning) there. The quick_check
 * the console then runs in the background is timed separately (its own log line). Once quiet,
 * once with a CPU burner (a child process spinning on one core); each table carries the load
 * average. The database must be named console.sqlite, made by npm run bench:data (its
 * accounts.json and console.key beside it). The host writes to it: sign-ins and their audit events.
 */
const USAGE = `Usage: npm run bench:start -- --db PATH [--runs N] [--check-runs N] [--no-busy] [--no-sign-in] [--bundled] [--root DIR]
  --db PATH       DIR/console.sqlite made by npm run bench:data (accounts.json and console.key beside it)
  --runs N        cold starts per load (default 5)
  --check-runs N  of those, how many also wait for the background quick_check's figure (default 1; on a
                  large file it takes minutes, and the others stop the console while it runs)
  --no-busy       skip the runs with a CPU burner
  --no-sign-in    stop at the first app.status
  --bundled       start the built host (npm run build:main first: node dist/main/host.js, no tsx), as the desktop
                  app starts from dist/main
  --root DIR      the checkout whose main/host/cli.ts is started (default: this one), to compare another version`;

const TARGET_MS = 3_000;
const ROOT = resolve(import.meta.dirname, '../..');

const flags = parseFlags(
  process.argv.slice(2),
  { db: 'string', runs: 'number', 'check-runs': 'number', 'no-busy': 'boolean', 'no-sign-in': 'boolean', bundled: 'boolean', root: 'string' },
  USAGE,
);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const database = resolve(flags.db);
if (basename(database) !== DATABASE_FILE || !existsSync(database)) {
  console.error(`--db must name an existing file called ${DATABASE_FILE} (the browser host opens DIR/${DATABASE_FILE})\n${USAGE}`);
  process.exit(2);
}
const dataDir = dirname(database);
const runs = Math.max(1, Math.floor(flags.runs ?? 5));
const checkRuns = Math.floor(flags['check-runs'] ?? 1);
const root = resolve(flags.root ?? ROOT);
const signInToo = !flags['no-sign-in'];
const accounts = (JSON.parse(readFileSync(accountsPathFor(database), 'utf8')) as AccountsFile).accounts;

interface Run {
  readyMs: number;
  statusMs: number;
  signInMs: number | null;
  /** The background quick_check's own figure, from its log line. */
  checkMs: number | null;
  /** Each start-up phase the runner logged, in ms. */
  phases: Map<string, number>;
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Drops a file's pages from the page cache: with count=0 and iflag=nocache, GNU dd asks the
 * kernel (posix_fadvise DONTNEED) to drop the whole file (coreutils manual, "dd invocation").
 */
function dropFromCache(path: string): void {
  const result = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  if (result.status !== 0) throw new Error(`dd could not drop ${path} from the page cache: ${result.stderr.toString()}`);
}

function databaseFiles(): string[] {
  return [database, `${database}-wal`, `${database}-shm`].filter((f) => existsSync(f));
}

/** How long reading the first 256 MiB takes, cold (after dropFromCache) or warm: the check that dd worked. */
function readMs(): number {
  const t0 = performance.now();
  const result = spawnSync('dd', [`if=${database}`, 'of=/dev/null', 'bs=1M', 'count=256', 'status=none']);
  if (result.status !== 0) throw new Error(`dd could not read ${database}`);
  return performance.now() - t0;
}

/**
 * One HTTP request to the host, as a browser makes it: the host answers only its own
 * *.localhost name, which browsers (not Node's resolver) map to the loopback address.
 */
function request(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolveResponse, reject) => {
    const target = new URL(url);
    const options = {
      host: '127.0.0.1',
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: init.method,
      headers: { ...init.headers, Host: target.host },
    };
    const req = httpRequest(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The host's cookie for this client: the launch URL's secret traded as a browser trades it. */
async function openSession(url: string): Promise<{ origin: string; cookie: string }> {
  const response = await request(url, { method: 'GET', headers: {} });
  const cookie = response.headers['set-cookie']?.[0]?.split(';')[0];
  if (!cookie) throw new Error(`The host gave no session cookie (HTTP ${response.status})`);
  return { origin: new URL(url).origin, cookie };
}

async function invoke(session: { origin: string; cookie: string }, channel: string, input: unknown): Promise<unknown> {
  const response = await request(`${session.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: session.cookie, Origin: session.origin },
    body: JSON.stringify({ channel, input }),
  });
  const result = JSON.parse(response.body) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  if (!result.ok) throw new Error(`${channel}: ${result.error?.code ?? '?'} ${result.error?.message ?? ''}`);
  return result.value;
}

/** A security code is good once per 30-second step: an account signs in again only in a later step. */
const lastStep = new Map<string, number>();
async function freshCode(account: BenchAccount): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if ((lastStep.get(account.userId) ?? -1) < step) {
      lastStep.set(account.userId, step);
      return totpCodeAt(account.totpKey, Date.now());
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // Closing waits for a backup the console may have begun meanwhile; the bench does not.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  const backups = join(dataDir, 'backups');
  if (existsSync(backups)) for (const f of readdirSync(backups)) if (f.endsWith('.partial')) rmSync(join(backups, f), { force: true });
}

async function oneStart(account: BenchAccount, waitForCheck: boolean): Promise<Run> {
  for (const file of databaseFiles()) dropFromCache(file);
  const entry = flags.bundled ? ['dist/main/host.js'] : ['--import', 'tsx', 'main/host/cli.ts'];
  const args = [...entry, '--data', dataDir, '--key-file', join(dataDir, dataKeyFileName(false)), '--port', '0'];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const phases = new Map<string, number>();
  let checkMs: number | null = null;
  let onCheck: () => void = () => undefined;
  const checked = new Promise<void>((r) => (onCheck = r));
  const url = await new Promise<{ url: string; ms: number }>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start in 10 minutes:\n${output}`)), 600_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const m of output.matchAll(/^Start-up: (.+): (\d+) ms$/gm)) phases.set(m[1] as string, Number(m[2]));
      const check = /^quick_check (?:\(background\)|at start): (\d+) ms/m.exec(output);
      if (check && checkMs === null) {
        checkMs = Number(check[1]);
        onCheck();
      }
      const ready = /Console ready at (\S+)/.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolveUrl({ url: ready[1], ms: performance.now() - t0 });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`The host exited (${code}):\n${output}`)));
  });
  try {
    const session = await openSession(url.url);
    const status = (await invoke(session, 'app.status', {})) as { recovery: unknown };
    const statusMs = performance.now() - t0;
    if (status.recovery) throw new Error(`The console opened its recovery screen: ${JSON.stringify(status.recovery)}`);
    let signInMs: number | null = null;
    if (signInToo) {
      // Taken now, not before the spawn (a code is good for about a step); a wait for a step not yet used is not start-up time.
      const waitStart = performance.now();
      const code = await freshCode(account);
      const waited = performance.now() - waitStart;
      await invoke(session, 'auth.signIn', { userId: account.userId, password: account.password, code, agreeToTerms: true });
      await invoke(session, 'auth.acceptWarning', {});
      signInMs = performance.now() - t0 - waited;
    }
    // The background check, for its own figure (the console answered long before it ends).
    if (waitForCheck) await Promise.race([checked, new Promise((r) => setTimeout(r, 900_000).unref())]);
    return { readyMs: url.ms, statusMs, signInMs, checkMs, phases };
  } finally {
    await stopHost(child);
  }
}

function summary(label: string, samples: number[]): string[] {
  if (samples.length === 0) return [label, '-', '-', '-', '', ''];
  const max = Math.max(...samples);
  return [label, fmtMs(percentile(samples, 50)), fmtMs(percentile(samples, 95)), fmtMs(max), `${fmtMs(TARGET_MS)}`, max < TARGET_MS ? 'PASS' : 'FAIL'];
}

async function measure(label: string): Promise<void> {
  const done: Run[] = [];
  const loadBefore = load();
  for (let i = 0; i < runs; i += 1) {
    const account = accounts[i % accounts.length] as BenchAccount;
    const run = await oneStart(account, i < checkRuns);
    done.push(run);
    console.log(
      `  ${label} run ${i + 1}: ready ${fmtMs(run.readyMs)} ms, app.status ${fmtMs(run.statusMs)} ms, sign-in ${run.signInMs === null ? '-' : fmtMs(run.signInMs)} ms, ` +
        `quick_check ${run.checkMs === null ? '-' : fmtMs(run.checkMs)} ms; load ${load()}`,
    );
  }
  console.log(
    `\nStart-up, cold page cache, ${label}, ${flags.bundled ? 'built host (dist/main/host.js)' : 'host through tsx'} (ms from spawn; ${runs} runs; load average before ${loadBefore}, after ${load()})`,
  );
  printTable([
    ['Measure', 'p50', 'p95', 'max', 'target', 'result'],
    summary(
      '"Console ready" line',
      done.map((r) => r.readyMs),
    ),
    summary(
      'First app.status answered',
      done.map((r) => r.statusMs),
    ),
    summary(
      'Signed in (Login, Warning)',
      done.flatMap((r) => (r.signInMs === null ? [] : [r.signInMs])),
    ),
  ]);
  const checks = done.flatMap((r) => (r.checkMs === null ? [] : [r.checkMs]));
  if (checks.length > 0) console.log(`quick_check (background, not waited for): p50 ${fmtMs(percentile(checks, 50))} ms, max ${fmtMs(Math.max(...checks))} ms`);
  const names = [...new Set(done.flatMap((r) => [...r.phases.keys()]))];
  for (const name of names) {
    const ms = done.flatMap((r) => (r.phases.has(name) ? [r.phases.get(name) as number] : []));
    console.log(`  phase "${name}": p50 ${fmtMs(percentile(ms, 50))} ms, max ${fmtMs(Math.max(...ms))} ms`);
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'main', 'host', 'cli.ts'))) throw new Error(`No main/host/cli.ts under ${root}`);
  if (flags.bundled && spawnSync('npm', ['run', 'build:main'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('npm run build:main failed');
  // That dd empties the cache here: a cold read of the first 256 MiB against a warm one.
  readMs();
  const warm = readMs();
  for (const file of databaseFiles()) dropFromCache(file);
  const cold = readMs();
  console.log(`Page cache check (first 256 MiB of ${database}): cold after dd ${fmtMs(cold)} ms, warm ${fmtMs(warm)} ms; load ${load()}`);
  if (cold < warm * 2) console.log('  Warning: the cold read was not much slower than the warm one; dd may not have dropped the file here.');
  // util-linux fincore counts the file's pages in the cache: the direct proof, where it is installed.
  const resident = () => spawnSync('fincore', ['--noheadings', '--output', 'RES', database], { encoding: 'utf8' }).stdout?.trim() || 'unknown (no fincore)';
  const before = resident();
  dropFromCache(database);
  console.log(`Page cache check (fincore): ${before} of the file resident before dd, ${resident()} after`);
  await measure('quiet');
  if (!flags['no-busy']) {
    const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      await measure('busy (one core spinning)');
    } finally {
      burner.kill();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

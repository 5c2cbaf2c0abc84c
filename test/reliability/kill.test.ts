import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { GENESIS_HASH, chainHash } from '../../main/store/audit-chain.js';
import { insertScenario } from '../../main/store/seed.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { PROGRAMS, ROLE_NAMES, SECURITY_OFFICIAL_ROLE } from '../../shared/domain.js';
import type { OrganizationKind } from '../../shared/domain.js';
import { sideSql } from '../support/side-db.js';

/**
 * The kill test: a child process approves 1,000 requests in one bulk call while this test
 * kills it with SIGKILL at a random moment; after every kill the database is checked: quick_check,
 * every request fully decided (assignment, audit event, one email) or untouched, the audit chain
 * whole, the counters equal to the rows. `npm run soak` raises the number of kills to 1,000.
 */
const KILLS = Number(process.env.SOC_KILLS ?? 50);
const ROOT = resolve(import.meta.dirname, '../..');
const REQUESTS_PER_ROUND = 1000;
/** Four distinct roles a provider's user may hold (the role catalogue allows two roles there, in each program). */
const ROLES: ReadonlyArray<[program: string, role: string]> = [
  ['iQIES Prod', 'Assessment Coordinator'],
  ['iQIES Prod', 'Provider Basic User'],
  ['iQIES Prod Test', 'Assessment Coordinator'],
  ['iQIES Prod Test', 'Provider Basic User'],
];

let dir = '';
/** Kills survived on one database before the next starts afresh (npm test's 50 are on one). */
const KILLS_PER_DATABASE = 50;
let worker: string;
let bundleDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soc-kill-'));
  // One bundle, so that each of the many child processes starts in a fraction of a second. It
  // lives under node_modules so that its imports of npm packages resolve.
  // The console's database thread is bundled beside it, where the built app keeps it.
  bundleDir = join(ROOT, 'node_modules', '.cache', 'soc-reliability', String(process.pid));
  worker = join(bundleDir, 'approve-worker.mjs');
  const bundle = { bundle: true, platform: 'node', format: 'esm', packages: 'external', absWorkingDir: ROOT, logLevel: 'silent' } as const;
  await build({ ...bundle, entryPoints: [join(ROOT, 'test/reliability/approve-worker.ts')], outfile: worker });
  await build({ ...bundle, entryPoints: [join(ROOT, 'main/store/database-thread.ts')], outfile: join(bundleDir, 'database-thread.js') });
  await freshConsole();
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

/**
 * A console with an official of organization 123, made the way the console makes one, in a new
 * folder. The soak starts one every KILLS_PER_DATABASE kills: each check after a kill reads the
 * whole file (quick_check, every request, the whole chain), which would otherwise grow with every
 * round and make the thousandth check a hundred times slower than the first.
 */
async function freshConsole(): Promise<void> {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = mkdtempSync(join(tmpdir(), 'soc-kill-'));
  const app = await createConsole({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))) });
  await sideSql(app).transaction((tx) =>
    insertScenario(tx, {
      programs: PROGRAMS,
      roles: ROLE_NAMES.map((name) => ({ name, securityOfficialKind: soKind(name) })),
      organizations: [{ displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider', stateCode: 'FL' }],
      users: [person('official', 0)],
      credentials: [],
      assignments: [{ userId: 'official', program: 'iQIES Prod', organization: '123', role: 'Provider Security Official', grantedAt: Date.now() }],
      requests: [],
    }),
  );
  await app.close();
}

let nextUser = 1;

/** Adds a round of pending requests, each of its own new user, so every approval grants a distinct role. */
async function addPendingRequests(): Promise<void> {
  const db = new Database(join(dir, 'console.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    const users = Array.from({ length: REQUESTS_PER_ROUND / ROLES.length }, () => person(`requester${nextUser}`, nextUser++));
    await new SqliteDatabase(db).transaction((tx) =>
      insertScenario(tx, {
        programs: [],
        roles: [],
        organizations: [],
        users,
        credentials: [],
        assignments: [],
        requests: users.flatMap((u) =>
          ROLES.map(([program, role]) => ({
            requester: u.userId,
            program,
            organization: '123',
            role,
            justification: '',
            status: 'pending' as const,
            requestedAt: Date.now(),
            decidedAt: null,
            decidedBy: null,
            reason: null,
          })),
        ),
      }),
    );
  } finally {
    db.close();
  }
}

/** Runs the worker, killing it after `killAfterMs` (or never); whether it was killed mid-work. */
function runWorker(killAfterMs: number | null): Promise<{ killed: boolean; ms: number }> {
  return new Promise((resolveRun, reject) => {
    // Measured from "ready": the bulk decision itself, not the process start.
    let t0 = performance.now();
    const child = spawn(process.execPath, [worker, dir, 'official'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timer: ReturnType<typeof setTimeout> | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // The kill clock starts when the worker begins deciding, so that kills land inside the bulk.
      if (timer === null && output.includes('ready')) {
        t0 = performance.now();
        timer = killAfterMs === null ? setTimeout(() => undefined, 0) : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolveRun({ killed: true, ms: performance.now() - t0 });
      else if (code === 0) resolveRun({ killed: false, ms: performance.now() - t0 });
      else reject(new Error(`The worker failed (${code}):\n${output}`));
    });
  });
}

interface Invariants {
  pending: number;
  approved: number;
}

/** Everything that must hold after any crash. Throws with what broke. */
function checkDatabase(): Invariants {
  const db = new Database(join(dir, 'console.sqlite'), { readonly: true });
  try {
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    // Grouped once (not a subquery per request), so the check stays fast as rounds add up.
    const broken = db
      .prepare(
        `WITH a AS (SELECT request_id, count(*) AS n FROM role_assignments WHERE request_id IS NOT NULL GROUP BY request_id),
              e AS (SELECT request_id, count(*) AS n FROM audit_events WHERE action = 'request.approved' AND request_id IS NOT NULL GROUP BY request_id),
              o AS (SELECT request_id, count(*) AS n FROM outbox WHERE kind = 'request.decided' AND request_id IS NOT NULL GROUP BY request_id)
         SELECT r.id, r.status, coalesce(a.n, 0) AS assignments, coalesce(e.n, 0) AS audits, coalesce(o.n, 0) AS emails
           FROM role_requests r LEFT JOIN a ON a.request_id = r.id LEFT JOIN e ON e.request_id = r.id LEFT JOIN o ON o.request_id = r.id
          WHERE NOT ((r.status = 'approved' AND coalesce(a.n, 0) = 1 AND coalesce(e.n, 0) = 1 AND coalesce(o.n, 0) = 1)
                  OR (r.status = 'pending' AND coalesce(a.n, 0) = 0 AND coalesce(e.n, 0) = 0 AND coalesce(o.n, 0) = 0))
          LIMIT 5`,
      )
      .all();
    expect(broken, 'requests half decided').toEqual([]);
    const counts = db
      .prepare(
        `SELECT (SELECT count(*) FROM role_requests WHERE status = 'pending') AS pending,
                (SELECT count(*) FROM role_requests WHERE status = 'approved') AS approved,
                (SELECT coalesce(sum(n), 0) FROM pending_request_counts) AS counted`,
      )
      .get() as { pending: number; approved: number; counted: number };
    expect(counts.counted, 'pending counters').toBe(counts.pending);
    let prev = GENESIS_HASH;
    for (const row of db
      .prepare(
        `SELECT id, at, actor_id AS actorId, action, subject_user_id AS subjectUserId, organization_id AS organizationId,
                request_id AS requestId, details, prev_hash AS prevHash, hash FROM audit_events ORDER BY id`,
      )
      .iterate() as IterableIterator<{
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
    }>) {
      if (row.prevHash !== prev || chainHash(prev, row) !== row.hash) throw new Error(`The audit chain breaks at event ${row.id}`);
      prev = row.hash;
    }
    return { pending: counts.pending, approved: counts.approved };
  } finally {
    db.close();
  }
}

describe('crash safety: SIGKILL during bulk approvals', () => {
  it(
    `survives ${KILLS} kills at random moments with every request decided whole or not at all`,
    async () => {
      // A full round first: how long 1,000 approvals take here, to spread the kills over it.
      await addPendingRequests();
      const full = await runWorker(null);
      expect(checkDatabase()).toEqual({ pending: 0, approved: REQUESTS_PER_ROUND });
      const span = Math.max(50, full.ms);
      let kills = 0;
      let rounds = 0;
      let databases = 1;
      while (kills < KILLS) {
        if (kills > 0 && kills % KILLS_PER_DATABASE === 0 && kills / KILLS_PER_DATABASE >= databases) {
          await freshConsole();
          databases += 1;
        }
        const before = checkDatabase();
        if (before.pending < REQUESTS_PER_ROUND / 2) await addPendingRequests();
        const { killed } = await runWorker(Math.random() * span);
        if (killed) kills += 1;
        rounds += 1;
        const after = checkDatabase();
        expect(after.approved).toBeGreaterThanOrEqual(before.approved);
        if (rounds > KILLS * 4) throw new Error(`Only ${kills} of ${rounds} rounds were killed mid-work`);
      }
      console.log(
        `kill test: ${kills} kills survived in ${rounds} rounds on ${databases} database(s) (a full round of ${REQUESTS_PER_ROUND} approvals took ${Math.round(full.ms)} ms)`,
      );
      // A round (start a process, kill it, check the file) takes about a second on a loaded 2-CPU machine: the soak's 1,000 need more than the default.
    },
    Math.max(600_000, KILLS * 4_000),
  );
});

function person(userId: string, n: number) {
  return {
    userId,
    firstName: `First${n}`,
    lastName: `Last${n}`,
    email: `${userId}@example.org`,
    phone: '',
    dateOfBirth: '1980-01-01',
    addressLine1: '',
    city: '',
    state: 'FL',
    zip: '',
    status: 'active' as const,
    passwordHash: 'not-used',
    createdAt: Date.now(),
    lastSignInAt: Date.now(),
    proofingState: 'proofed_remote' as const,
    homeOrganization: '123',
  };
}

function soKind(role: string): OrganizationKind | null {
  for (const [kind, name] of Object.entries(SECURITY_OFFICIAL_ROLE) as Array<[OrganizationKind, string]>) if (name === role) return kind;
  return null;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { expect } from 'vitest';
import type { Scenario } from '../../main/store/seed.js';
import type { SqlExecutor } from '../../main/store/sql.js';
import { PROGRAMS, ROLE_NAMES, SECURITY_OFFICIAL_ROLE } from '../../shared/domain.js';
import type { OrganizationKind } from '../../shared/domain.js';

/**
 * What the kill tests share, whichever engine they run on: the child process that approves a bulk,
 * the scenario it decides, running it with an interruption at a chosen moment, and the check that
 * every request was decided whole or not at all.
 */

export const ROOT = resolve(import.meta.dirname, '../..');
export const REQUESTS_PER_ROUND = 1000;
/** Four distinct roles a provider's user may hold (the role catalogue allows two roles there, in each program). */
const ROLES: ReadonlyArray<[program: string, role: string]> = [
  ['iQIES Prod', 'Assessment Coordinator'],
  ['iQIES Prod', 'Provider Basic User'],
  ['iQIES Prod Test', 'Assessment Coordinator'],
  ['iQIES Prod Test', 'Provider Basic User'],
];

/**
 * The worker bundled once, so that each of the many child processes starts in a fraction of a
 * second. It lives under node_modules so that its imports of npm packages resolve; the console's
 * database thread is bundled beside it, where the built app keeps it.
 */
export async function bundleWorker(): Promise<{ worker: string; remove(): void }> {
  const bundleDir = join(ROOT, 'node_modules', '.cache', 'soc-reliability', String(process.pid));
  const worker = join(bundleDir, 'approve-worker.mjs');
  const bundle = { bundle: true, platform: 'node', format: 'esm', packages: 'external', absWorkingDir: ROOT, logLevel: 'silent' } as const;
  await build({ ...bundle, entryPoints: [join(ROOT, 'test/reliability/approve-worker.ts')], outfile: worker });
  await build({ ...bundle, entryPoints: [join(ROOT, 'main/store/database-thread.ts')], outfile: join(bundleDir, 'database-thread.js') });
  return { worker, remove: () => rmSync(bundleDir, { recursive: true, force: true }) };
}

/** The catalogue and organization 123 with its official, as the console's tests make them. */
export function officialScenario(): Scenario {
  return {
    programs: PROGRAMS,
    roles: ROLE_NAMES.map((name) => ({ name, securityOfficialKind: soKind(name) })),
    organizations: [{ displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider', stateCode: 'FL' }],
    users: [person('official', 0)],
    credentials: [],
    assignments: [{ userId: 'official', program: 'iQIES Prod', organization: '123', role: 'Provider Security Official', grantedAt: Date.now() }],
    requests: [],
  };
}

let nextUser = 1;

/** A round of pending requests, each of its own new user, so every approval grants a distinct role. */
export function pendingRequestsScenario(): Scenario {
  const users = Array.from({ length: REQUESTS_PER_ROUND / ROLES.length }, () => person(`requester${nextUser}`, nextUser++));
  return {
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
  };
}

export interface WorkerRun {
  /** done: it said "done" and exited 0; killed: by SIGKILL; failed: it exited otherwise after the interruption began. */
  outcome: 'done' | 'killed' | 'failed';
  /** Whether the interruption began before the worker had finished its bulk. */
  interrupted: boolean;
  /** From "ready" (the bulk decision itself, not the process start) to the exit. */
  ms: number;
}

export interface RunOptions {
  /** When to interrupt, counted from "ready"; null: never. */
  interruptAfterMs: number | null;
  /** The interruption (default: SIGKILL the worker). The run ends when both it and the worker have ended. */
  interrupt?: (child: ChildProcess) => Promise<void>;
  /** After the interruption, how long the worker may take to end before it is killed (default: forever). */
  graceMs?: number;
}

/** Runs the worker with `args`; a failure that no interruption explains rejects with its output. */
export function runWorker(worker: string, args: readonly string[], options: RunOptions): Promise<WorkerRun> {
  const interrupt = options.interrupt ?? ((child: ChildProcess) => Promise.resolve(void child.kill('SIGKILL')));
  return new Promise((resolveRun, reject) => {
    let t0 = performance.now();
    const child = spawn(process.execPath, [worker, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let started = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let grace: ReturnType<typeof setTimeout> | null = null;
    let interrupting: Promise<void> | null = null;
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // The clock starts when the worker begins deciding, so that interruptions land inside the bulk.
      if (!started && output.includes('ready')) {
        started = true;
        t0 = performance.now();
        if (options.interruptAfterMs !== null) {
          timer = setTimeout(() => {
            timer = null;
            interrupted = !output.includes('done');
            interrupting = interrupt(child).then(() => {
              if (options.graceMs !== undefined && child.exitCode === null && child.signalCode === null) {
                grace = setTimeout(() => child.kill('SIGKILL'), options.graceMs);
              }
            });
          }, options.interruptAfterMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const ms = performance.now() - t0;
      if (timer) clearTimeout(timer);
      // The interruption (a server restart) finishes before the database is checked.
      void Promise.resolve(interrupting).then(() => {
        if (grace) clearTimeout(grace);
        if (signal === 'SIGKILL') resolveRun({ outcome: 'killed', interrupted: interrupting !== null && interrupted, ms });
        else if (code === 0) resolveRun({ outcome: 'done', interrupted: interrupting !== null && interrupted, ms });
        else if (interrupting !== null) resolveRun({ outcome: 'failed', interrupted, ms });
        else reject(new Error(`The worker failed (${code}):\n${output}`));
      }, reject);
    });
  });
}

export interface Invariants {
  pending: number;
  approved: number;
}

/**
 * Every request decided whole (approved, its role granted, one audit event, one email) or not at
 * all, and the pending counters equal to the rows; the counts. In SQL both engines accept; run it
 * in one transaction where another process may still be committing.
 */
export async function checkDecisions(db: SqlExecutor): Promise<Invariants> {
  // Grouped once (not a subquery per request), so the check stays fast as rounds add up.
  const broken = await db.all(
    `WITH a AS (SELECT request_id, count(*) AS n FROM role_assignments WHERE request_id IS NOT NULL GROUP BY request_id),
          e AS (SELECT request_id, count(*) AS n FROM audit_events WHERE action = 'request.approved' AND request_id IS NOT NULL GROUP BY request_id),
          o AS (SELECT request_id, count(*) AS n FROM outbox WHERE kind = 'request.decided' AND request_id IS NOT NULL GROUP BY request_id)
     SELECT r.id, r.status, coalesce(a.n, 0) AS assignments, coalesce(e.n, 0) AS audits, coalesce(o.n, 0) AS emails
       FROM role_requests r LEFT JOIN a ON a.request_id = r.id LEFT JOIN e ON e.request_id = r.id LEFT JOIN o ON o.request_id = r.id
      WHERE NOT ((r.status = 'approved' AND coalesce(a.n, 0) = 1 AND coalesce(e.n, 0) = 1 AND coalesce(o.n, 0) = 1)
              OR (r.status = 'pending' AND coalesce(a.n, 0) = 0 AND coalesce(e.n, 0) = 0 AND coalesce(o.n, 0) = 0))
      ORDER BY r.id
      LIMIT 5`,
  );
  expect(broken, 'requests half decided').toEqual([]);
  const counts = await db.get<{ pending: number; approved: number; counted: number }>(
    `SELECT (SELECT count(*) FROM role_requests WHERE status = 'pending') AS pending,
            (SELECT count(*) FROM role_requests WHERE status = 'approved') AS approved,
            (SELECT coalesce(sum(n), 0) FROM pending_request_counts) AS counted`,
  );
  if (!counts) throw new Error('No counts');
  expect(counts.counted, 'pending counters').toBe(counts.pending);
  return { pending: counts.pending, approved: counts.approved };
}

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

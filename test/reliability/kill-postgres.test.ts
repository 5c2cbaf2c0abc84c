import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { verifyLiveChainSql } from '../../main/store/chain-verify.js';
import { PgDatabase } from '../../main/store/postgres/pg-database.js';
import { insertScenario } from '../../main/store/seed.js';
import { startCluster, type PgCluster } from '../support/pg-cluster.js';
import { sideSql } from '../support/side-db.js';
import {
  REQUESTS_PER_ROUND,
  bundleWorker,
  checkDecisions,
  officialScenario,
  pendingRequestsScenario,
  runWorker,
  type Invariants,
  type RunOptions,
} from './kill-support.js';

/**
 * The kill test on PostgreSQL: a child process approves a bulk of 1,000 requests while this test
 * either kills it with SIGKILL or crashes the server under it (`pg_ctl stop -m immediate`, then a
 * start with recovery). After every round: every request decided whole (role granted, one audit
 * event, one email) or untouched, the counters equal to the rows, the audit chain and its signed
 * head intact. SOC_KILLS_PG sets the interruptions of each kind: few by default, as a round costs
 * a console process start (seconds on a loaded machine) and, for a crash, a server restart.
 */
const KILLS = Number(process.env.SOC_KILLS_PG ?? 5);

let cluster: PgCluster | null = null;
let bundle: { worker: string; remove(): void } | null = null;
let dir = '';
let url = '';
let key: { consoleId: string; publicKeyDer: Buffer } | null = null;

beforeAll(async () => {
  [bundle, cluster] = await Promise.all([bundleWorker(), startCluster()]);
  url = await cluster.createDatabase();
  dir = mkdtempSync(join(tmpdir(), 'soc-kill-pg-'));
  // The console made the way the console makes one: its schema, its signing key (sealed with the key file in dir).
  const app = await createConsole({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))), database: url, auditCheck: 'manual' });
  try {
    await sideSql(app).transaction((tx) => insertScenario(tx, officialScenario()));
    key = { consoleId: app.services.identity.consoleId, publicKeyDer: app.services.identity.publicKeyDer };
  } finally {
    await app.close();
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  bundle?.remove();
});

/** A connection of its own for each use: a server restart between rounds leaves no stale one behind. */
async function withDatabase<T>(fn: (db: PgDatabase) => Promise<T>): Promise<T> {
  const db = PgDatabase.open({ connectionString: url, max: 1 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function addPendingRequests(): Promise<void> {
  await withDatabase((db) => db.transaction((tx) => insertScenario(tx, pendingRequestsScenario())));
}

/**
 * Everything that must hold after any crash. First every connection of the killed process must be
 * gone: its server process may still be finishing a statement, or a COMMIT it had been sent.
 */
async function checkDatabase(): Promise<Invariants> {
  if (!key) throw new Error('No console key');
  const signedBy = key;
  return withDatabase(async (db) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const others = await db.get<{ n: number }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      if (others?.n === 0) break;
      if (Date.now() > deadline) throw new Error(`${others?.n} connections of the killed console are still open`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const counts = await db.transaction(async (tx) => {
      await tx.run('SET TRANSACTION READ ONLY');
      return checkDecisions(tx);
    });
    const chain = await verifyLiveChainSql(db, signedBy);
    expect(chain.broken, 'the audit chain').toBeNull();
    expect(chain.head.signed, chain.head.message).toBe(true);
    return counts;
  });
}

interface Figures {
  interruptions: number;
  rounds: number;
  /** Rounds that ended with some of the bulk approved and some still pending. */
  partial: number;
  msPerRound: number;
}

/** Rounds until KILLS of them were interrupted before the worker finished its bulk; checked after each. */
async function interruptedRounds(span: number, options: Omit<RunOptions, 'interruptAfterMs'>): Promise<Figures> {
  if (!bundle) throw new Error('No worker bundle');
  let interruptions = 0;
  let rounds = 0;
  let partial = 0;
  const t0 = performance.now();
  while (interruptions < KILLS) {
    const before = await checkDatabase();
    let pending = before.pending;
    if (pending < REQUESTS_PER_ROUND / 2) {
      await addPendingRequests();
      pending += REQUESTS_PER_ROUND;
    }
    const run = await runWorker(bundle.worker, [dir, 'official', url], { ...options, interruptAfterMs: Math.random() * span });
    rounds += 1;
    if (run.interrupted) interruptions += 1;
    const after = await checkDatabase();
    expect(after.approved).toBeGreaterThanOrEqual(before.approved);
    expect(after.approved + after.pending).toBe(before.approved + pending);
    if (after.approved > before.approved && after.pending > 0) partial += 1;
    if (rounds > KILLS * 4) throw new Error(`Only ${interruptions} of ${rounds} rounds were interrupted mid-work`);
  }
  return { interruptions, rounds, partial, msPerRound: Math.round((performance.now() - t0) / rounds) };
}

describe.sequential('crash safety on PostgreSQL: bulk approvals interrupted', () => {
  let span = 0;

  it('approves a whole bulk when nothing interrupts it', async () => {
    if (!bundle) throw new Error('No worker bundle');
    await addPendingRequests();
    const full = await runWorker(bundle.worker, [dir, 'official', url], { interruptAfterMs: null });
    expect(full.outcome).toBe('done');
    expect(await checkDatabase()).toEqual({ pending: 0, approved: REQUESTS_PER_ROUND });
    // How long 1,000 approvals take here, to spread the interruptions over it.
    span = Math.max(50, full.ms);
    console.log(`kill test on PostgreSQL: a full round of ${REQUESTS_PER_ROUND} approvals took ${Math.round(full.ms)} ms`);
  }, 60_000);

  it(`survives ${KILLS} SIGKILLs of the console mid-bulk`, async () => {
    const f = await interruptedRounds(span, {});
    console.log(
      `kill test on PostgreSQL, SIGKILL: ${f.interruptions} kills in ${f.rounds} rounds (${f.partial} left the bulk half done), ${f.msPerRound} ms a round`,
    );
  }, 120_000);

  it(`survives ${KILLS} crashes of the PostgreSQL server mid-bulk (stop -m immediate, then recovery)`, async () => {
    const server = cluster;
    if (!server) throw new Error('No cluster');
    // The console fails its call, dies, or carries on once the server is back: only the data is judged.
    const f = await interruptedRounds(span, {
      interrupt: async () => {
        await server.stopImmediate();
        await server.start();
      },
      graceMs: 10_000,
    });
    console.log(
      `kill test on PostgreSQL, server crash: ${f.interruptions} crashes in ${f.rounds} rounds (${f.partial} left the bulk half done), ${f.msPerRound} ms a round`,
    );
  }, 120_000);

  it('the check itself finds an audit event changed and a request decided by halves', async () => {
    // Rows changed behind the console's rules (triggers off, as only a superuser can): the check must say so.
    const tamper = (sql: string) =>
      withDatabase((db) =>
        db.transaction(async (tx) => {
          await tx.run('SET LOCAL session_replication_role = replica');
          await tx.run(sql);
        }),
      );
    await tamper("UPDATE audit_events SET details = details || ' ' WHERE id = (SELECT max(id) FROM audit_events WHERE action = 'request.approved')");
    await expect(checkDatabase()).rejects.toThrow(/audit chain/);
    await tamper("DELETE FROM outbox WHERE id = (SELECT min(id) FROM outbox WHERE kind = 'request.decided')");
    await expect(checkDatabase()).rejects.toThrow(/half decided/);
  }, 30_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseRefusal } from '../../main/store/invariant-error.js';
import { MIGRATIONS } from '../../main/store/migrations/index.js';
import { PG_MIGRATIONS } from '../../main/store/postgres/migrations/index.js';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../../main/store/sql.js';
import { startCluster, type PgCluster } from '../support/pg-cluster.js';
import { inRolledBackTransaction, openPostgresDatabase, openSqliteDatabase, refusal } from '../support/sql-engines.js';

/**
 * The schema's rules, held to the same answers on both engines: one table of statements, each
 * run through the SqlExecutor interface on a migrated SQLite database and on a migrated
 * PostgreSQL one, starting from the same rows, and each answer checked against what the rule says.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 15, 0, 0);
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

const ORGS = [
  { id: 1, kind: 'provider' },
  { id: 2, kind: 'state' },
  { id: 3, kind: 'cms' },
] as const;
const ROLES = [
  { id: 1, name: 'Provider Security Official', tier: 'provider' },
  { id: 2, name: 'State Security Official', tier: 'state' },
  { id: 3, name: 'CMS Security Official', tier: 'cms' },
  { id: 4, name: 'Assessment Coordinator', tier: null },
  { id: 5, name: 'Provider Basic User', tier: null },
  { id: 6, name: 'State Agency General User', tier: null },
  { id: 7, name: 'Surveyor', tier: null },
] as const;
/** Which kind of organization each role belongs to, written out from the job aids, not read from the schema. */
const HOME_KIND: Record<string, string> = {
  'Provider Security Official': 'provider',
  'State Security Official': 'state',
  'CMS Security Official': 'cms',
  'Assessment Coordinator': 'provider',
  'Provider Basic User': 'provider',
  'State Agency General User': 'state',
  Surveyor: 'state',
};

// Users: 1-3 CMS Security Officials, 4 the Provider Security Official of organization 1 (who
// created user 5), 5 and 7 proofed users, 6 not proofed.
const USERS: Array<[number, string, string, string | null, number | null]> = [
  [1, 'CMSONE', 'active', 'proofed_remote', null],
  [2, 'CMSTWO', 'active', 'proofed_remote', null],
  [3, 'CMSTHREE', 'active', 'proofed_remote', null],
  [4, 'PSOONE', 'active', 'proofed_remote', null],
  [5, 'REQUESTER', 'active', 'proofed_in_person', 4],
  [6, 'UNPROOFED', 'active', 'not_started', null],
  [7, 'OTHER', 'active', 'proofed_remote', null],
];

async function seed(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run("INSERT INTO programs (id, name) VALUES (1, 'HQR'), (2, 'iQIES')");
    for (const o of ORGS)
      await tx.run('INSERT INTO organizations (id, display_id, name, kind) VALUES (?, ?, ?, ?)', [o.id, `ORG${o.id}`, `Organization ${o.id}`, o.kind]);
    for (const r of ROLES) await tx.run('INSERT INTO roles (id, name, security_official_kind) VALUES (?, ?, ?)', [r.id, r.name, r.tier]);
    for (const [id, userId, status, proofing, createdBy] of USERS) {
      await tx.run(
        `INSERT INTO users (id, user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state, created_by, last_sign_in_at)
         VALUES (?, ?, ?, ?, ?, ?, 'hash', ?, ?, ?, ?)`,
        [id, userId, `First${id}`, `Last${id}`, `${userId.toLowerCase()}@example.test`, status, T0 - 10 * DAY, proofing, createdBy, T0 - id * DAY],
      );
    }
    const assign = 'INSERT INTO role_assignments (id, user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, 1, ?, ?, ?)';
    for (const id of [1, 2, 3]) await tx.run(assign, [id, id, 3, 3, T0 - 5 * DAY]);
    await tx.run(assign, [4, 4, 1, 1, T0 - 5 * DAY]);
  });
}

type Outcome = string;
interface Case {
  name: string;
  setup?: Array<[string, SqlValue[]?]>;
  probe: [string, SqlValue[]?];
  expect: Outcome;
  /** Read after the probe, in the same transaction; must give the same rows on both engines and equal `rows`. */
  check?: { sql: string; rows: unknown[] };
}

const request = (id: number, requester: number, org: number, role: number, status = 'pending', at = T0): [string, SqlValue[]] => [
  'INSERT INTO role_requests (id, requester_id, program_id, organization_id, role_id, status, requested_at) VALUES (?, ?, 1, ?, ?, ?, ?)',
  [id, requester, org, role, status, at],
];
const decide = (id: number, status: string, by: number, at = T0 + DAY): [string, SqlValue[]] => [
  'UPDATE role_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?',
  [status, by, at, id],
];
const RULE = {
  catalogue: 'rule: The role catalogue does not allow this role in this kind of organization.',
  appendOnly: 'rule: audit events are append-only',
};

const catalogueCases: Case[] = ORGS.flatMap((o) =>
  ROLES.flatMap((r): Case[] => {
    const allowed = HOME_KIND[r.name] === o.kind;
    return [
      {
        name: `assign ${r.name} in a ${o.kind} organization`,
        probe: ['INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (7, 2, ?, ?, ?)', [o.id, r.id, T0]],
        expect: allowed ? 'ok' : RULE.catalogue,
      },
      { name: `request ${r.name} in a ${o.kind} organization`, probe: request(900, 7, o.id, r.id), expect: allowed ? 'ok' : RULE.catalogue },
      {
        name: `reopen a decided request for ${r.name} in a ${o.kind} organization`,
        // A request written already decided (as an import would) skips the pending check; reopening it must not.
        setup: [request(901, 7, o.id, r.id, 'rejected')],
        probe: ['UPDATE role_requests SET status = ? WHERE id = 901', ['pending']],
        expect: allowed ? 'ok' : RULE.catalogue,
      },
    ];
  }),
);

const trustCases: Case[] = [
  {
    name: 'a role the catalogue does not know',
    probe: ["INSERT INTO roles (name) VALUES ('Made Up Role')"],
    expect: 'rule: This role is not in the role catalogue.',
  },
  {
    name: 'a catalogue role with the wrong tier',
    probe: ["INSERT INTO roles (name, security_official_kind) VALUES ('Surveyor', 'state')"],
    expect: 'rule: This role is not in the role catalogue.',
  },
  { name: 'renaming a role', probe: ["UPDATE roles SET name = 'Surveyor II' WHERE id = 7"], expect: 'rule: A role keeps its name and tier.' },
  {
    name: 'the catalogue gains a row',
    probe: ["INSERT INTO role_catalogue (role_name, organization_kind) VALUES ('Surveyor', 'cms')"],
    expect: 'rule: The role catalogue changes only with a new version of the console.',
  },
  {
    name: 'the catalogue changes a row',
    probe: ["UPDATE role_catalogue SET organization_kind = 'cms' WHERE role_name = 'Surveyor'"],
    expect: 'rule: The role catalogue changes only with a new version of the console.',
  },
  {
    name: 'the catalogue loses a row',
    probe: ["DELETE FROM role_catalogue WHERE role_name = 'Surveyor'"],
    expect: 'rule: The role catalogue changes only with a new version of the console.',
  },
  { name: 'an organization changes kind', probe: ["UPDATE organizations SET kind = 'state' WHERE id = 1"], expect: 'rule: An organization keeps its kind.' },
  { name: 'an organization keeps its kind in an update', probe: ["UPDATE organizations SET kind = 'provider', name = 'Renamed' WHERE id = 1"], expect: 'ok' },
  {
    name: 'a second CMS organization',
    probe: ["INSERT INTO organizations (id, display_id, name, kind) VALUES (9, 'CMS2', 'CMS two', 'cms')"],
    expect: 'constraint',
  },
  {
    name: 'a role for a person not proofed',
    probe: ['INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (6, 1, 1, 5, ?)', [T0]],
    expect: 'rule: No role is granted to a person whose identity is not proofed.',
  },
  {
    name: 'a role assignment moved',
    probe: ['UPDATE role_assignments SET organization_id = 2 WHERE id = 4'],
    expect: 'rule: A role assignment is removed and granted again, never moved.',
  },
  {
    name: 'a request moved',
    setup: [request(100, 5, 1, 5)],
    probe: ['UPDATE role_requests SET role_id = 4 WHERE id = 100'],
    expect: 'rule: a role request keeps its organization, program and role',
  },
  {
    name: 'an official decides their own request',
    setup: [request(100, 4, 1, 5)],
    probe: decide(100, 'rejected', 4),
    expect: 'rule: You cannot decide your own request',
  },
  {
    name: 'the official who created the account approves its request',
    setup: [request(100, 5, 1, 5)],
    probe: decide(100, 'approved', 4),
    expect: 'rule: The Security Official who created an account cannot approve its requests.',
  },
  { name: 'the creator may still reject it', setup: [request(100, 5, 1, 5)], probe: decide(100, 'rejected', 4), expect: 'ok' },
  {
    name: 'a user who is no Security Official decides',
    setup: [request(100, 5, 1, 5)],
    probe: decide(100, 'rejected', 7),
    expect: 'rule: Only a Security Official of this organization or a CMS Security Official decides this request.',
  },
  {
    name: 'another organization’s official decides',
    setup: [['INSERT INTO organizations (id, display_id, name, kind) VALUES (4, ?, ?, ?)', ['ORG4', 'Four', 'provider']], request(100, 5, 4, 5)],
    probe: decide(100, 'rejected', 4),
    expect: 'rule: Only a Security Official of this organization or a CMS Security Official decides this request.',
  },
  {
    name: 'an organization’s first official approved by CMS',
    setup: [request(100, 7, 2, 2)],
    probe: decide(100, 'approved', 1),
    expect: 'ok',
  },
  {
    name: 'an organization without an official approves nothing else',
    setup: [request(100, 7, 2, 7)],
    probe: decide(100, 'approved', 1),
    expect: 'rule: The first Security Official of an organization can only be approved by a CMS Security Official',
  },
  {
    name: 'the CMS role with one approval while two other CMS officials exist',
    setup: [request(100, 7, 3, 3), ['INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (100, 1, ?)', [T0]]],
    probe: decide(100, 'approved', 1),
    expect: 'rule: The CMS Security Official role needs the approval of two distinct CMS Security Officials.',
  },
  {
    name: 'the CMS role with two approvals',
    setup: [
      request(100, 7, 3, 3),
      ['INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (100, 1, ?)', [T0]],
      ['INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (100, 2, ?)', [T0]],
    ],
    probe: decide(100, 'approved', 2),
    expect: 'ok',
  },
  {
    name: 'an approval by someone who is not a CMS Security Official',
    setup: [request(100, 7, 3, 3)],
    probe: ['INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (100, 4, ?)', [T0]],
    expect: 'rule: An approval of a CMS Security Official role is given by another CMS Security Official, while the request is pending.',
  },
  {
    name: 'an approval withdrawn',
    setup: [request(100, 7, 3, 3), ['INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (100, 1, ?)', [T0]]],
    probe: ['DELETE FROM request_approvals WHERE request_id = 100'],
    expect: 'rule: Approvals are append-only.',
  },
  {
    name: 'an official proofs an account they created',
    probe: [
      "INSERT INTO proofing_records (subject_id, official_id, decision, documents, appeared_in_person, decided_at) VALUES (5, 4, 'approved', '[]', 1, ?)",
      [T0],
    ],
    expect: 'rule: The Security Official who created an account cannot proof its identity, and nobody proofs their own.',
  },
  {
    name: 'another official proofs it',
    probe: [
      "INSERT INTO proofing_records (subject_id, official_id, decision, documents, appeared_in_person, decided_at) VALUES (5, 1, 'approved', '[]', 1, ?)",
      [T0],
    ],
    expect: 'ok',
  },
  {
    name: 'the catalogue report is append-only',
    setup: [
      [
        'INSERT INTO role_catalogue_violations (found_at, kind, row_id, user_id, program_id, organization_id, role_id) VALUES (?, ?, 1, 7, 1, 1, 7)',
        [T0, 'assignment'],
      ],
    ],
    probe: ['DELETE FROM role_catalogue_violations'],
    expect: 'rule: The catalogue report is append-only.',
  },
];

const AUDIT = ['INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, details, prev_hash, hash) VALUES (?, ?, 4, ?, 5, ?, ?, ?)'] as const;
const auditCases: Case[] = [
  {
    name: 'an audit row is appended, and scoped to its subject’s organizations',
    setup: [['INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (5, 1, 1, 5, ?)', [T0]]],
    probe: [AUDIT[0], [1, T0, 'role.granted', '{}', '0'.repeat(64), HASH_A]],
    expect: 'ok',
    check: { sql: 'SELECT organization_id, event_id FROM audit_scope ORDER BY organization_id', rows: [{ organization_id: 1, event_id: 1 }] },
  },
  {
    name: 'an audit row is changed',
    setup: [[AUDIT[0], [1, T0, 'x', '{}', '0', HASH_A]]],
    probe: ['UPDATE audit_events SET details = \'{"x":1}\''],
    expect: RULE.appendOnly,
  },
  {
    name: 'an audit row is deleted',
    setup: [[AUDIT[0], [1, T0, 'x', '{}', '0', HASH_A]]],
    probe: ['DELETE FROM audit_events WHERE id = 1'],
    expect: RULE.appendOnly,
  },
];

const RESET = [
  'INSERT INTO password_resets (id, user_id, token_hash, code_hash, created_at, expires_at, ended_at, end_reason) VALUES (?, 5, ?, ?, ?, ?, ?, ?)',
] as const;
const openReset: [string, SqlValue[]] = [RESET[0], [1, HASH_A, HASH_B, T0, T0 + 600_000, null, null]];
const endedReset: [string, SqlValue[]] = [RESET[0], [2, HASH_B, HASH_B, T0, T0 + 600_000, T0 + 1000, 'replaced']];
const resetState = { sql: 'SELECT id, end_reason FROM password_resets ORDER BY id', rows: [] as unknown[] };
const resetCases: Case[] = [
  {
    name: 'a code used in time',
    setup: [openReset],
    probe: ["UPDATE password_resets SET ended_at = ?, end_reason = 'used' WHERE id = 1", [T0 + 599_999]],
    expect: 'ok',
  },
  {
    name: 'a code used at its expiry',
    setup: [openReset],
    probe: ["UPDATE password_resets SET ended_at = ?, end_reason = 'used' WHERE id = 1", [T0 + 600_000]],
    expect: 'rule: This one-time code has expired.',
  },
  {
    name: 'an ended reset used again',
    setup: [endedReset],
    probe: ["UPDATE password_resets SET ended_at = ?, end_reason = 'used' WHERE id = 2", [T0 + 2000]],
    expect: 'rule: A password reset that has ended cannot be used again.',
  },
  {
    name: 'a reset given another code',
    setup: [openReset],
    probe: ['UPDATE password_resets SET code_hash = ? WHERE id = 1', [HASH_A]],
    expect: 'rule: A password reset keeps its user, code and expiry.',
  },
  {
    name: 'a reset given more time',
    setup: [openReset],
    probe: ['UPDATE password_resets SET expires_at = ? WHERE id = 1', [T0 + DAY]],
    expect: 'rule: A password reset keeps its user, code and expiry.',
  },
  {
    name: 'a reset deleted',
    setup: [openReset],
    probe: ['DELETE FROM password_resets WHERE id = 1'],
    expect: 'rule: Password resets are kept for the audit trail.',
  },
  { name: 'a short token hash', probe: [RESET[0], [1, 'abc', HASH_B, T0, T0 + 600_000, null, null]], expect: 'constraint' },
  { name: 'an end without a reason', setup: [openReset], probe: ['UPDATE password_resets SET ended_at = ? WHERE id = 1', [T0 + 1]], expect: 'constraint' },
  {
    name: 'a new password ends the open reset',
    setup: [openReset, endedReset],
    probe: ["UPDATE users SET password_hash = 'new' WHERE id = 5"],
    expect: 'ok',
    check: {
      ...resetState,
      rows: [
        { id: 1, end_reason: 'superseded' },
        { id: 2, end_reason: 'replaced' },
      ],
    },
  },
  {
    name: 'the same password written again leaves it open',
    setup: [openReset],
    probe: ["UPDATE users SET password_hash = 'hash' WHERE id = 5"],
    expect: 'ok',
    check: { ...resetState, rows: [{ id: 1, end_reason: null }] },
  },
  {
    name: 'a lock ends the open reset',
    setup: [openReset],
    probe: ["UPDATE users SET status = 'locked' WHERE id = 5"],
    expect: 'ok',
    check: { ...resetState, rows: [{ id: 1, end_reason: 'superseded' }] },
  },
  {
    name: 'a removed authenticator ends the open reset',
    setup: [
      openReset,
      ["INSERT INTO mfa_credentials (user_id, credential_id, secret_sealed, created_at) VALUES (5, 'cred', ?, ?)", [Buffer.from([1, 2, 3]), T0]],
    ],
    probe: ["DELETE FROM mfa_credentials WHERE credential_id = 'cred'"],
    expect: 'ok',
    check: { ...resetState, rows: [{ id: 1, end_reason: 'superseded' }] },
  },
];

async function runCase(db: SqlDatabase, c: Case): Promise<{ outcome: Outcome; rows?: unknown[] }> {
  return inRolledBackTransaction(db, async (tx: SqlExecutor) => {
    for (const [sql, params] of c.setup ?? []) await tx.run(sql, params);
    let outcome: Outcome = 'ok';
    try {
      await tx.run(c.probe[0], c.probe[1]);
    } catch (error) {
      outcome = refusal(error);
      // The console tells officials a rule's sentence whichever engine refused.
      if (outcome.startsWith('rule: ')) expect(databaseRefusal(error)).toBe(outcome.slice('rule: '.length));
    }
    // PostgreSQL cannot read on after a failed statement in the same transaction; a check follows success only.
    const rows = c.check && outcome === 'ok' ? await tx.all(c.check.sql) : undefined;
    return { outcome, rows };
  });
}

let cluster: PgCluster;
let engines: Array<[string, SqlDatabase]> = [];

beforeAll(async () => {
  cluster = await startCluster();
  engines = [
    ['sqlite', openSqliteDatabase()],
    ['postgres', await openPostgresDatabase(cluster)],
  ];
  for (const [, db] of engines) await seed(db);
}, 120_000);

afterAll(async () => {
  for (const [, db] of engines) await db.close();
  await cluster?.stop();
});

describe('one schema, two engines', () => {
  it('has the same versions on both engines', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('refuses with the same sentences on both engines', () => {
    const sqliteRules = new Set(MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/RAISE\(ABORT, '((?:[^']|'')+)'\)/g)].map((x) => x[1])));
    const pgRules = new Set(PG_MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/(?:soc_refuse\(|MESSAGE = )'((?:[^']|'')+)'/g)].map((x) => x[1])));
    expect(sqliteRules.size).toBeGreaterThan(20);
    expect([...pgRules].sort()).toEqual([...sqliteRules].sort());
  });

  describe.each([
    ['the role catalogue, every role in every kind of organization', catalogueCases],
    ['the trust model', trustCases],
    ['the audit trail', auditCases],
    ['password resets', resetCases],
  ])('%s', (_title, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const answers = [];
      for (const [engine, db] of engines) {
        const { outcome, rows } = await runCase(db, c);
        answers.push({ engine, outcome, rows });
      }
      for (const a of answers) {
        expect(a.outcome, a.engine).toBe(c.expect);
        if (c.check && c.expect === 'ok') expect(a.rows, a.engine).toEqual(c.check.rows);
      }
    });
  });

  it('keeps the counters right through inserts, decisions, renames and deletes', async () => {
    const snapshot = async (tx: SqlExecutor) => ({
      pending: await tx.all('SELECT organization_id, program_id, role_id, n FROM pending_request_counts ORDER BY organization_id, program_id, role_id'),
      byOrganization: await tx.all('SELECT organization_id, n FROM pending_by_organization ORDER BY organization_id'),
      days: await tx.all('SELECT metric, organization_id, day, n FROM home_day_counts WHERE n <> 0 ORDER BY metric, organization_id, day'),
      directory: await tx.all(
        'SELECT user_id, program_id, organization_id, last_name, first_name, reasons, active_last_use, deactivated_at FROM user_directory ORDER BY user_id, program_id, organization_id',
      ),
      programUsers: await tx.all('SELECT program_id, n FROM program_user_counts ORDER BY program_id'),
      names: await tx.all('SELECT id, requester_last_name, requester_first_name FROM role_requests ORDER BY id'),
    });
    const day = (t: number) => Math.floor(t / DAY);
    const results = [];
    for (const [, db] of engines) {
      results.push(
        await inRolledBackTransaction(db, async (tx) => {
          for (const [sql, params] of [request(100, 5, 1, 5), request(101, 7, 1, 4, 'pending', T0 + DAY), request(102, 5, 2, 7)]) await tx.run(sql, params);
          const afterRequests = await snapshot(tx);
          await tx.run(...decide(100, 'approved', 1, T0 + 2 * DAY));
          await tx.run(
            'INSERT INTO role_assignments (id, user_id, program_id, organization_id, role_id, granted_at, request_id) VALUES (10, 5, 1, 1, 5, ?, 100)',
            [T0 + 2 * DAY],
          );
          await tx.run(...decide(101, 'rejected', 4, T0 + 2 * DAY));
          await tx.run('DELETE FROM role_requests WHERE id = 102');
          await tx.run("UPDATE users SET last_name = 'Renamed', first_name = 'Ann' WHERE id = 5");
          await tx.run("UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE id = 4", [T0 + 3 * DAY]);
          const afterDecisions = await snapshot(tx);
          await tx.run('DELETE FROM role_assignments WHERE id = 10');
          const afterRemoval = await snapshot(tx);
          return { afterRequests, afterDecisions, afterRemoval };
        }),
      );
    }
    const [onSqlite, onPostgres] = results;
    expect(onPostgres).toEqual(onSqlite);

    const s = onSqlite!;
    expect(s.afterRequests.pending).toEqual([
      { organization_id: 1, program_id: 1, role_id: 4, n: 1 },
      { organization_id: 1, program_id: 1, role_id: 5, n: 1 },
      { organization_id: 2, program_id: 1, role_id: 7, n: 1 },
    ]);
    expect(s.afterRequests.byOrganization).toEqual([
      { organization_id: 1, n: 2 },
      { organization_id: 2, n: 1 },
    ]);
    expect(s.afterRequests.programUsers).toEqual([{ program_id: 1, n: 6 }]);
    expect(s.afterRequests.names[0]).toEqual({ id: 100, requester_last_name: 'Last5', requester_first_name: 'First5' });

    expect(s.afterDecisions.pending).toEqual([]);
    expect(s.afterDecisions.byOrganization).toEqual([
      { organization_id: 1, n: 0 },
      { organization_id: 2, n: 0 },
    ]);
    expect(s.afterDecisions.days.filter((d) => (d as { metric: string }).metric !== 'active_use')).toEqual([
      { metric: 'approved', organization_id: 0, day: day(T0 + 2 * DAY), n: 1 },
      { metric: 'approved', organization_id: 1, day: day(T0 + 2 * DAY), n: 1 },
      { metric: 'rejected', organization_id: 0, day: day(T0 + 2 * DAY), n: 1 },
      { metric: 'rejected', organization_id: 1, day: day(T0 + 2 * DAY), n: 1 },
    ]);
    expect(s.afterDecisions.directory.filter((d) => [4, 5, 7].includes((d as { user_id: number }).user_id))).toEqual([
      {
        user_id: 4,
        program_id: 1,
        organization_id: 1,
        last_name: 'Last4',
        first_name: 'First4',
        reasons: 1,
        active_last_use: null,
        deactivated_at: T0 + 3 * DAY,
      },
      {
        user_id: 5,
        program_id: 1,
        organization_id: 1,
        last_name: 'Renamed',
        first_name: 'Ann',
        reasons: 1,
        active_last_use: T0 - 5 * DAY,
        deactivated_at: null,
      },
    ]);
    expect(s.afterDecisions.names).toEqual([
      { id: 100, requester_last_name: 'Renamed', requester_first_name: 'Ann' },
      { id: 101, requester_last_name: 'Last7', requester_first_name: 'First7' },
    ]);
    expect(s.afterDecisions.programUsers).toEqual([{ program_id: 1, n: 5 }]);
    expect(s.afterRemoval.directory.some((d) => (d as { user_id: number }).user_id === 5)).toBe(false);
    expect(s.afterRemoval.programUsers).toEqual([{ program_id: 1, n: 4 }]);
    // Active accounts by the day of last use: users 1-3, 5-7 seeded active (user 4 now deactivated).
    expect(s.afterRemoval.days.filter((d) => (d as { metric: string }).metric === 'active_use').reduce((n: number, d) => n + (d as { n: number }).n, 0)).toBe(
      6,
    );
  });

  it('keeps the counters equal to a recount when one statement decides, reopens or touches many requests', async () => {
    // What the counters must hold, recounted from the requests themselves.
    const recount = async (tx: SqlExecutor) => ({
      pending: await tx.all(
        "SELECT organization_id, program_id, role_id, count(*) AS n FROM role_requests WHERE status = 'pending' GROUP BY organization_id, program_id, role_id ORDER BY 1, 2, 3",
      ),
      byOrganization: await tx.all("SELECT organization_id, count(*) AS n FROM role_requests WHERE status = 'pending' GROUP BY organization_id ORDER BY 1"),
      days: await tx.all(
        `SELECT metric, organization_id, day, count(*) AS n FROM (
           SELECT status AS metric, o.id AS organization_id, CASE WHEN status = 'pending' THEN requested_at ELSE decided_at END / ${DAY} AS day
             FROM role_requests r JOIN (SELECT id FROM organizations UNION ALL SELECT 0) o ON o.id IN (r.organization_id, 0)
            WHERE status = 'pending' OR (status IN ('approved', 'rejected') AND decided_at IS NOT NULL)) k
          GROUP BY metric, organization_id, day ORDER BY 1, 2, 3`,
      ),
      // A person is listed in an organization's directory once per role held and pending request there.
      directory: await tx.all(
        `SELECT user_id, program_id, organization_id, count(*) AS reasons FROM (
           SELECT user_id, program_id, organization_id FROM role_assignments
           UNION ALL SELECT requester_id, program_id, organization_id FROM role_requests WHERE status = 'pending') k
          GROUP BY user_id, program_id, organization_id ORDER BY 1, 2, 3`,
      ),
    });
    const counters = async (tx: SqlExecutor) => ({
      pending: await tx.all('SELECT organization_id, program_id, role_id, n FROM pending_request_counts WHERE n <> 0 ORDER BY 1, 2, 3'),
      byOrganization: await tx.all('SELECT organization_id, n FROM pending_by_organization WHERE n <> 0 ORDER BY 1'),
      days: await tx.all("SELECT metric, organization_id, day, n FROM home_day_counts WHERE n <> 0 AND metric <> 'active_use' ORDER BY 1, 2, 3"),
      directory: await tx.all('SELECT user_id, program_id, organization_id, reasons FROM user_directory ORDER BY 1, 2, 3'),
    });
    const steps: Array<[string, string, SqlValue[]]> = [
      [
        'one statement approves and rejects seven requests of two organizations, filed on three days, by two people',
        `UPDATE role_requests SET status = CASE WHEN id % 2 = 0 AND organization_id = 1 THEN 'approved' ELSE 'rejected' END, decided_by = 1, decided_at = ?
          WHERE id BETWEEN 200 AND 206`,
        [T0 + 3 * DAY],
      ],
      [
        'one statement grants the approved roles: two to one person in one organization, and one already granted',
        `INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
         SELECT requester_id, program_id, organization_id, role_id, ?, 1, id FROM role_requests WHERE status = 'approved'
         ON CONFLICT DO NOTHING`,
        [T0 + 3 * DAY],
      ],
      ['one statement moves the approved ones to the next day', `UPDATE role_requests SET decided_at = decided_at + ${DAY} WHERE status = 'approved'`, []],
      ['one statement changes requests and no counted column', "UPDATE role_requests SET justification = 'checked' WHERE id BETWEEN 200 AND 209", []],
      [
        'one statement reopens the rejected ones',
        "UPDATE role_requests SET status = 'pending', decided_by = NULL, decided_at = NULL, reason = NULL WHERE status = 'rejected'",
        [],
      ],
      [
        'one statement decides everything still pending, a day later',
        "UPDATE role_requests SET status = 'rejected', decided_by = 1, decided_at = ? WHERE status = 'pending'",
        [T0 + 4 * DAY],
      ],
    ];
    for (const [engine, db] of engines) {
      await inRolledBackTransaction(db, async (tx) => {
        // Provider roles in organization 1 and state roles in organization 2, filed over three days.
        for (let i = 0; i < 10; i += 1) {
          const [org, role] = i % 3 === 2 ? [2, 7] : [1, i < 3 ? 5 : 4];
          await tx.run(...request(200 + i, i % 2 === 0 ? 7 : 5, org, role, 'pending', T0 + (i % 3) * DAY));
        }
        expect(await counters(tx), `${engine}: filed`).toEqual(await recount(tx));
        for (const [name, sql, params] of steps) {
          await tx.run(sql, params);
          const expected = await recount(tx);
          expect(await counters(tx), `${engine}: ${name}`).toEqual(expected);
        }
        // The last step left nothing pending: the pending counters are all gone (or zero), the days kept.
        expect((await counters(tx)).pending).toEqual([]);
        expect((await counters(tx)).days.length).toBeGreaterThan(0);
      });
    }
  });

  it('reads case-insensitively where SQLite says NOCASE, and sorts by bytes', async () => {
    for (const [engine, db] of engines) {
      const found = await db.all<{ id: number }>('SELECT id FROM users WHERE user_id = ? COLLATE NOCASE', ['requester']);
      expect(found, engine).toEqual([{ id: 5 }]);
      const page = await db.all<{ last_name: string }>(
        'SELECT last_name FROM users WHERE last_name >= ? COLLATE NOCASE AND last_name < ? COLLATE NOCASE ORDER BY last_name COLLATE NOCASE, id LIMIT 3',
        ['LAST2', 'LAST5'],
      );
      expect(
        page.map((r) => r.last_name),
        engine,
      ).toEqual(['Last2', 'Last3', 'Last4']);
      await expect(
        db.run(
          "INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at) VALUES ('cmsone', 'A', 'B', 'new@example.test', 'pending', 'h', 1)",
        ),
        engine,
      ).rejects.toMatchObject({ code: engine === 'sqlite' ? 'SQLITE_CONSTRAINT_UNIQUE' : '23505' });
    }
  });

  it('answers a page of the last-use backlog from its index on PostgreSQL', async () => {
    const pg = engines[1]![1];
    const plan = await inRolledBackTransaction<Array<Record<string, string>>>(pg, async (tx) => {
      await tx.run('SET LOCAL enable_seqscan = off');
      return tx.all(
        `EXPLAIN SELECT id FROM users WHERE status = 'active' AND max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)) > ?
          ORDER BY max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)), id LIMIT 10`,
        [T0 - 3 * DAY],
      );
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toMatch(/Index (Only )?Scan using users_last_use/);
  });
});

describe('PostgreSQL indexes serve the pages the SQLite queries name', () => {
  const plans: Array<[string, string, SqlValue[], RegExp]> = [
    [
      'User Lookup by last name, the next page (keyset)',
      `SELECT id FROM users WHERE (last_name COLLATE NOCASE, first_name COLLATE NOCASE, id) > (?, ?, ?)
        ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id LIMIT 10`,
      ['last2', 'first2', 2],
      /Index (Only )?Scan using users_last_name/,
    ],
    [
      'a last-name prefix, whatever its case',
      'SELECT id FROM users WHERE last_name >= ? COLLATE NOCASE AND last_name < ? COLLATE NOCASE ORDER BY last_name COLLATE NOCASE, id LIMIT 10',
      ['LA', 'LB'],
      /Index (Only )?Scan using users_last_name/,
    ],
    [
      'Request History, newest decision first (keyset)',
      `SELECT id FROM role_requests WHERE status IN ('approved', 'rejected') AND (decided_at, id) < (?, ?)
        ORDER BY decided_at DESC, id DESC LIMIT 10`,
      [T0, 100],
      /Index (Only )?Scan using role_requests_decided\b/,
    ],
    [
      'an organization’s queue, oldest first (pending requests only in its index)',
      `SELECT id FROM role_requests WHERE organization_id = ? AND status = 'pending' ORDER BY requested_at, id LIMIT 10`,
      [2],
      /Index (Only )?Scan using role_requests_queue\b/,
    ],
    [
      'an organization’s directory by name',
      'SELECT user_id FROM user_directory WHERE program_id = ? AND organization_id = ? ORDER BY last_name, first_name, user_id LIMIT 10',
      [1, 1],
      /Index (Only )?Scan using user_directory_by_name\b/,
    ],
    [
      'the in-person proofing backlog, oldest first',
      `SELECT id FROM users WHERE proofing_state = 'referred_in_person' ORDER BY coalesce(proofing_referred_at, created_at), id LIMIT 10`,
      [],
      /Index (Only )?Scan using users_referred/,
    ],
  ];

  it.each(plans)('%s', async (_name, sql, params, index) => {
    const pg = engines[1]![1];
    const plan = await inRolledBackTransaction(pg, async (tx) => {
      // The test tables are tiny: without this the planner would rightly read them whole.
      await tx.run('SET LOCAL enable_seqscan = off');
      return tx.all<Record<string, string>>(`EXPLAIN ${sql}`, params);
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toMatch(index);
    // The same text runs on SQLite (where it needs no hint on these).
    await expect(engines[0]![1].all(sql, params)).resolves.toBeInstanceOf(Array);
  });
});

describe('the audit chain on PostgreSQL', () => {
  it('stays one chain when two transactions append at once, by locking the head row first', async () => {
    const pg = engines[1]![1];
    const append = (action: string) =>
      pg.transaction(async (tx) => {
        const head = (await tx.get<{ event_id: number; hash: string }>('SELECT event_id, hash FROM audit_head WHERE singleton = 1 FOR UPDATE'))!;
        // Give the other appender every chance to read the same head if the lock did not hold it back.
        await tx.run('SELECT pg_sleep(0.05)');
        const id = head.event_id + 1;
        const hash = action.padEnd(64, '0');
        await tx.run("INSERT INTO audit_events (id, at, action, details, prev_hash, hash) VALUES (?, ?, ?, '{}', ?, ?)", [id, T0, action, head.hash, hash]);
        await tx.run('UPDATE audit_head SET event_id = ?, hash = ? WHERE singleton = 1', [id, hash]);
      });
    await Promise.all([append('first'), append('second')]);
    const chain = await pg.all<{ id: number; prev_hash: string; hash: string }>('SELECT id, prev_hash, hash FROM audit_events ORDER BY id');
    expect(chain).toHaveLength(2);
    expect(chain[0]!.prev_hash).toBe('0'.repeat(64));
    expect(chain[1]!.prev_hash).toBe(chain[0]!.hash);
    expect(await pg.get('SELECT event_id, hash FROM audit_head')).toEqual({ event_id: chain[1]!.id, hash: chain[1]!.hash });
  });
});

describe('the directory counts on PostgreSQL under concurrent writers', () => {
  it('counts a user once in a program when two transactions give them their first roles at once', async () => {
    const pg = engines[1]![1];
    await pg.run("INSERT INTO programs (id, name) VALUES (7, 'Concurrent')");
    const grant = (organization: number, role: number) =>
      pg.transaction(async (tx) => {
        await tx.run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (7, 7, ?, ?, ?)', [
          organization,
          role,
          T0,
        ]);
        // Both transactions hold their new row uncommitted at the same time.
        await tx.run('SELECT pg_sleep(0.05)');
      });
    await Promise.all([grant(1, 5), grant(2, 7)]);
    expect(await pg.get('SELECT n FROM program_user_counts WHERE program_id = 7')).toEqual({ n: 1 });
  });
});

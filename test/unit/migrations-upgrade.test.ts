import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../main/store/migrations/index.js';

/**
 * Every schema migration on a database an older console filled: a database at version N-1 with
 * real rows in the tables migration N touches is upgraded to N (the runner stops at N when given
 * the migrations up to N), and its data is checked: no row or column lost, and the new columns,
 * tables and counters hold what the old rows imply.
 */

const DAY = 86_400_000;
/** 2026-01-15T00:00:00Z; every time below is a whole number of days after it, so day counters are easy to read. */
const T0 = Date.UTC(2026, 0, 15);
const day = (ms: number) => Math.floor(ms / DAY);
const HASH = (c: string) => c.repeat(64);

let open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open) db.close();
  open = [];
});

/** A database migrated to `version` and no further. */
function databaseAt(version: number): SqliteDatabase {
  const db = new Database(':memory:');
  open.push(db);
  migrate(db, MIGRATIONS.slice(0, version));
  expect(db.pragma('user_version', { simple: true })).toBe(version);
  return db;
}

function upgradeTo(db: SqliteDatabase, version: number): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  expect(migrate(db, MIGRATIONS.slice(0, version))).toEqual({ from, to: version });
  expect(db.pragma('user_version', { simple: true })).toBe(version);
}

/**
 * What a version-1 console wrote: two programs, the three kinds of organization, users in every
 * state the later migrations read (active, deactivated, referred to in-person proofing), roles,
 * requests pending, approved, rejected and cancelled, audit events with and without an
 * organization, queued mail, a credential and a proofing record. All of it is valid under the
 * trust model of version 6, so nothing of it is set aside.
 */
function fillVersion1(db: SqliteDatabase): void {
  const users = db.prepare(
    `INSERT INTO users (id, user_id, first_name, last_name, email, status, password_hash, created_at, last_sign_in_at, proofing_state, fsid, fsid_state, home_organization_id)
     VALUES (@id, @userId, @first, @last, @email, @status, 'argon2-hash', @created, @signIn, @proofing, @fsid, @fsidState, @home)`,
  );
  db.exec(`
    INSERT INTO programs (id, name) VALUES (1, 'iQIES Prod'), (2, 'iQIES Prod Test');
    INSERT INTO organizations (id, display_id, name, kind, state_code) VALUES
      (1, 'CMS', 'Centers for Medicare & Medicaid Services', 'cms', NULL), (2, '123', 'Sunrise', 'provider', 'FL'), (3, 'FL', 'Florida', 'state', 'FL');
    INSERT INTO roles (id, name, security_official_kind) VALUES
      (1, 'CMS Security Official', 'cms'), (2, 'Provider Security Official', 'provider'), (3, 'State Security Official', 'state'),
      (4, 'Provider Basic User', NULL), (5, 'Surveyor', NULL), (6, 'Assessment Coordinator', NULL);
  `);
  const person = { signIn: null, proofing: 'proofed_remote', fsid: null, fsidState: null, status: 'active', created: T0 };
  users.run({ ...person, id: 1, userId: 'cms', first: 'Carla', last: 'Ruiz', email: 'cms@x.gov', signIn: T0 + 5 * DAY, home: 1 });
  users.run({ ...person, id: 2, userId: 'so1', first: 'Pamela', last: 'Ortiz', email: 'so1@x.org', home: 2 });
  users.run({ ...person, id: 3, userId: 'alice', first: 'Alice', last: 'Smith', email: 'alice@x.org', signIn: T0 + 2 * DAY, home: 2 });
  users.run({ ...person, id: 4, userId: 'bob', first: 'Bob', last: 'Jones', email: 'bob@x.org', created: T0 + DAY, proofing: 'referred_in_person', home: 2 });
  users.run({
    ...person,
    id: 5,
    userId: 'sam',
    first: 'Sam',
    last: 'Park',
    email: 'sam@x.gov',
    signIn: T0 + 4 * DAY,
    proofing: 'proofed_in_person',
    fsid: 'FL7',
    fsidState: 'pending',
    home: 3,
  });
  users.run({ ...person, id: 6, userId: 'dee', first: 'Dee', last: 'Gone', email: 'dee@x.org', status: 'deactivated', home: 2 });
  db.exec(`
    INSERT INTO role_requests (id, requester_id, program_id, organization_id, role_id, justification, status, requested_at, decided_at, decided_by, reason) VALUES
      (1, 3, 1, 2, 6, 'MDS nurse', 'approved', ${T0 + DAY}, ${T0 + 2 * DAY}, 2, NULL),
      (2, 4, 1, 2, 4, '', 'pending', ${T0 + 3 * DAY}, NULL, NULL, NULL),
      (3, 3, 1, 2, 4, '', 'rejected', ${T0 + DAY}, ${T0 + 2 * DAY}, 2, 'Not needed'),
      (4, 3, 2, 2, 4, 'testing', 'pending', ${T0 + 4 * DAY}, NULL, NULL, NULL),
      (5, 5, 1, 3, 5, '', 'cancelled', ${T0 + DAY}, ${T0 + DAY}, 5, NULL);
    INSERT INTO role_assignments (id, user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id) VALUES
      (1, 1, 1, 1, 1, ${T0}, NULL, NULL), (2, 2, 1, 2, 2, ${T0}, 1, NULL), (3, 3, 1, 2, 6, ${T0 + 2 * DAY}, 2, 1),
      (4, 5, 1, 3, 5, ${T0}, NULL, NULL), (5, 6, 1, 2, 4, ${T0}, 2, NULL);
    INSERT INTO mfa_credentials (id, user_id, credential_id, label, secret_sealed, created_at) VALUES (1, 3, 'cred-alice', 'Phone', x'0102030405', ${T0});
    INSERT INTO proofing_records (id, subject_id, official_id, decision, documents, appeared_in_person, reason, comments, decided_at) VALUES
      (1, 5, 2, 'approved', '[{"evidence":"primary","last4":"1234"}]', 1, NULL, NULL, ${T0 + DAY});
    INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash) VALUES
      (1, ${T0 + 2 * DAY}, 2, 'request.approved', 3, 2, 1, '{"role":"Assessment Coordinator"}', '${HASH('0')}', '${HASH('a')}'),
      (2, ${T0 + 2 * DAY}, 1, 'signin.succeeded', NULL, NULL, NULL, '{}', '${HASH('a')}', '${HASH('b')}'),
      (3, ${T0 + 3 * DAY}, NULL, 'account.locked', 5, NULL, NULL, '{}', '${HASH('b')}', '${HASH('c')}'),
      (4, ${T0 + 3 * DAY}, 3, 'signin.succeeded', 3, NULL, NULL, '{}', '${HASH('c')}', '${HASH('d')}'),
      (5, ${T0 + 4 * DAY}, NULL, 'signin.failed', 4, NULL, NULL, '{"attempt":1}', '${HASH('d')}', '${HASH('e')}');
    INSERT INTO outbox (id, to_address, subject, body, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at) VALUES
      (1, 'alice@x.org', 'Your role request 1 was approved', 'Approved.', 'request.decided', 'sent', 1, ${T0 + 2 * DAY}, NULL, ${T0 + 2 * DAY}, ${T0 + 2 * DAY}),
      (2, 'so1@x.org', 'Role Request from Bob Jones', 'Pending.', 'request.filed', 'owed', 2, ${T0 + 3 * DAY}, 'timeout', ${T0 + 3 * DAY}, NULL);
    INSERT INTO console_meta (key, value) VALUES ('demo', 'false');
  `);
}

type Snapshot = Map<string, { columns: string[]; rows: unknown[] }>;

/** Every row of every table, by the columns the table has now. */
function snapshot(db: SqliteDatabase): Snapshot {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>;
  const out: Snapshot = new Map();
  for (const { name } of tables) {
    const columns = (db.pragma(`table_info(${name})`) as Array<{ name: string }>).map((c) => c.name);
    out.set(name, { columns, rows: readRows(db, name, columns) });
  }
  return out;
}

function readRows(db: SqliteDatabase, table: string, columns: string[]): unknown[] {
  const list = columns.map((c) => `"${c}"`).join(', ');
  return db.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`).all();
}

/** Each table of `before` still has every column and every row it had, except the tables named as rebuilt. */
function expectNothingLost(db: SqliteDatabase, before: Snapshot, rebuilt: readonly string[] = []): void {
  let rows = 0;
  for (const [table, { columns, rows: old }] of before) {
    if (rebuilt.includes(table)) continue;
    expect(readRows(db, table, columns), table).toEqual(old);
    rows += old.length;
  }
  // The check compared real data, not empty tables.
  expect(rows).toBeGreaterThan(20);
}

const columnsOf = (db: SqliteDatabase, table: string) => (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
const indexExists = (db: SqliteDatabase, name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;

/** A database at `version`, filled by a version-1 console and upgraded one version at a time (as consoles were updated). */
function filledAt(version: number): SqliteDatabase {
  const db = databaseAt(1);
  fillVersion1(db);
  for (let v = 2; v <= version; v++) upgradeTo(db, v);
  return db;
}

describe('every migration upgrades a filled database of the version before it', () => {
  it('has a test for each migration below', () => {
    // A new migration needs its own case here.
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('1 (domain): a new file becomes a database that holds every kind of row', () => {
    const db = new Database(':memory:');
    open.push(db);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    upgradeTo(db, 1);
    fillVersion1(db);
    const counts = Object.fromEntries(
      ['programs', 'organizations', 'roles', 'users', 'role_requests', 'role_assignments', 'mfa_credentials', 'proofing_records', 'audit_events', 'outbox'].map(
        (t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n],
      ),
    );
    expect(counts).toEqual({
      programs: 2,
      organizations: 3,
      roles: 6,
      users: 6,
      role_requests: 5,
      role_assignments: 5,
      mfa_credentials: 1,
      proofing_records: 1,
      audit_events: 5,
      outbox: 2,
    });
    // No SSN column, anywhere.
    for (const t of ['users', 'proofing_records']) expect(columnsOf(db, t).join(',')).not.toMatch(/ssn/i);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
  });

  it('2 (outbox scope): queued mail is kept, with no organization or request yet', () => {
    const db = filledAt(1);
    const before = snapshot(db);
    upgradeTo(db, 2);
    expectNothingLost(db, before);
    expect(db.prepare('SELECT id, organization_id, request_id FROM outbox ORDER BY id').all()).toEqual([
      { id: 1, organization_id: null, request_id: null },
      { id: 2, organization_id: null, request_id: null },
    ]);
    expect(indexExists(db, 'outbox_organization')).toBe(true);
  });

  it('3 (queue at scale): pending counters equal the pending requests, and requests carry their requester names', () => {
    const db = filledAt(2);
    const before = snapshot(db);
    upgradeTo(db, 3);
    expectNothingLost(db, before);
    expect(db.prepare('SELECT organization_id, program_id, role_id, n FROM pending_request_counts ORDER BY 1, 2, 3').all()).toEqual([
      { organization_id: 2, program_id: 1, role_id: 4, n: 1 },
      { organization_id: 2, program_id: 2, role_id: 4, n: 1 },
    ]);
    expect(db.prepare('SELECT id, requester_last_name AS last, requester_first_name AS first FROM role_requests ORDER BY id').all()).toEqual([
      { id: 1, last: 'Smith', first: 'Alice' },
      { id: 2, last: 'Jones', first: 'Bob' },
      { id: 3, last: 'Smith', first: 'Alice' },
      { id: 4, last: 'Smith', first: 'Alice' },
      { id: 5, last: 'Park', first: 'Sam' },
    ]);
    // The counters go on from the migrated values: a decision takes one away (and a zero row goes).
    db.prepare(`UPDATE role_requests SET status = 'approved', decided_by = 2, decided_at = ${T0 + 5 * DAY} WHERE id = 2`).run();
    expect(db.prepare('SELECT organization_id, program_id, role_id, n FROM pending_request_counts').all()).toEqual([
      { organization_id: 2, program_id: 2, role_id: 4, n: 1 },
    ]);
    db.prepare("UPDATE users SET last_name = 'Smith-Lee' WHERE id = 3").run();
    expect(db.prepare('SELECT DISTINCT requester_last_name AS l FROM role_requests WHERE requester_id = 3').all()).toEqual([{ l: 'Smith-Lee' }]);
  });

  it('4 (user directory): every role and request places its user, with a count of reasons; users per program are counted once', () => {
    const db = filledAt(3);
    const before = snapshot(db);
    upgradeTo(db, 4);
    expectNothingLost(db, before);
    expect(db.prepare('SELECT user_id, program_id, organization_id, last_name, first_name, reasons FROM user_directory ORDER BY 1, 2, 3').all()).toEqual([
      { user_id: 1, program_id: 1, organization_id: 1, last_name: 'Ruiz', first_name: 'Carla', reasons: 1 },
      { user_id: 2, program_id: 1, organization_id: 2, last_name: 'Ortiz', first_name: 'Pamela', reasons: 1 },
      // one role and two requests (approved, rejected): a version-4 console counted every request
      { user_id: 3, program_id: 1, organization_id: 2, last_name: 'Smith', first_name: 'Alice', reasons: 3 },
      { user_id: 3, program_id: 2, organization_id: 2, last_name: 'Smith', first_name: 'Alice', reasons: 1 },
      { user_id: 4, program_id: 1, organization_id: 2, last_name: 'Jones', first_name: 'Bob', reasons: 1 },
      { user_id: 5, program_id: 1, organization_id: 3, last_name: 'Park', first_name: 'Sam', reasons: 2 },
      { user_id: 6, program_id: 1, organization_id: 2, last_name: 'Gone', first_name: 'Dee', reasons: 1 },
    ]);
    expect(db.prepare('SELECT program_id, n FROM program_user_counts ORDER BY 1').all()).toEqual([
      { program_id: 1, n: 6 },
      { program_id: 2, n: 1 },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM users WHERE temporary_password_expires_at IS NOT NULL OR reactivated_at IS NOT NULL').get()).toEqual({ n: 0 });
  });

  it('5 (history and audit): every event is scoped to its organizations, and the chain head is the last event', () => {
    const db = filledAt(4);
    const before = snapshot(db);
    upgradeTo(db, 5);
    expectNothingLost(db, before);
    expect(db.prepare('SELECT event_id, organization_id FROM audit_scope ORDER BY 1, 2').all()).toEqual([
      { event_id: 1, organization_id: 2 }, // its own organization
      { event_id: 2, organization_id: 1 }, // the actor's role (CMS) and home
      { event_id: 3, organization_id: 3 }, // the subject's role and home (Florida)
      { event_id: 4, organization_id: 2 },
      { event_id: 5, organization_id: 2 }, // no role: the home organization
    ]);
    expect(db.prepare('SELECT event_id, hash, signature FROM audit_head').all()).toEqual([{ event_id: 5, hash: HASH('e'), signature: null }]);
    for (const index of ['role_requests_decided', 'role_requests_org_decided', 'role_requests_decided_name', 'audit_events_request']) {
      expect(indexExists(db, index), index).toBe(true);
    }
    // An event appended after the upgrade is scoped by the trigger the same way.
    db.prepare(
      `INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash) VALUES (6, ${T0 + 5 * DAY}, NULL, 'signin.failed', 6, NULL, NULL, '{}', ?, ?)`,
    ).run(HASH('e'), HASH('f'));
    expect(db.prepare('SELECT organization_id FROM audit_scope WHERE event_id = 6').all()).toEqual([{ organization_id: 2 }]);
  });

  it('6 (trust model): no valid row is set aside; the directory keeps only live ties, recounted', () => {
    const db = filledAt(5);
    const before = snapshot(db);
    upgradeTo(db, 6);
    // The directory (and its per-program count) is rebuilt on purpose; everything else is as it was.
    expectNothingLost(db, before, ['user_directory', 'program_user_counts']);
    expect(db.prepare('SELECT count(*) AS n FROM role_catalogue_violations').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT user_id, program_id, organization_id, reasons FROM user_directory ORDER BY 1, 2, 3').all()).toEqual([
      { user_id: 1, program_id: 1, organization_id: 1, reasons: 1 },
      { user_id: 2, program_id: 1, organization_id: 2, reasons: 1 },
      // the decided requests no longer count: only the role
      { user_id: 3, program_id: 1, organization_id: 2, reasons: 1 },
      { user_id: 3, program_id: 2, organization_id: 2, reasons: 1 },
      { user_id: 4, program_id: 1, organization_id: 2, reasons: 1 },
      // the cancelled request no longer counts
      { user_id: 5, program_id: 1, organization_id: 3, reasons: 1 },
      { user_id: 6, program_id: 1, organization_id: 2, reasons: 1 },
    ]);
    expect(db.prepare('SELECT program_id, n FROM program_user_counts ORDER BY 1').all()).toEqual([
      { program_id: 1, n: 6 },
      { program_id: 2, n: 1 },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM users WHERE created_by IS NOT NULL OR deactivated_at IS NOT NULL').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM role_catalogue').get()).toEqual({ n: 7 });
  });

  it('7 (home dashboard): directory facts and day counters equal what the users and requests imply', () => {
    const db = filledAt(6);
    // Written by a version-6 console: when Dee was deactivated, and that Alice was reactivated.
    db.prepare(`UPDATE users SET deactivated_at = ${T0 + 6 * DAY} WHERE id = 6`).run();
    db.prepare(`UPDATE users SET reactivated_at = ${T0 + 3 * DAY} WHERE id = 3`).run();
    const before = snapshot(db);
    upgradeTo(db, 7);
    expectNothingLost(db, before);
    expect(db.prepare('SELECT count(*) AS n FROM users WHERE proofing_referred_at IS NOT NULL').get()).toEqual({ n: 0 });
    expect(
      db.prepare('SELECT user_id, program_id, organization_id, active_last_use, deactivated_at, referred_at FROM user_directory ORDER BY 1, 2, 3').all(),
    ).toEqual([
      { user_id: 1, program_id: 1, organization_id: 1, active_last_use: T0 + 5 * DAY, deactivated_at: null, referred_at: null }, // last sign-in
      { user_id: 2, program_id: 1, organization_id: 2, active_last_use: T0, deactivated_at: null, referred_at: null }, // never signed in: created
      { user_id: 3, program_id: 1, organization_id: 2, active_last_use: T0 + 3 * DAY, deactivated_at: null, referred_at: null }, // reactivated after the sign-in
      { user_id: 3, program_id: 2, organization_id: 2, active_last_use: T0 + 3 * DAY, deactivated_at: null, referred_at: null },
      { user_id: 4, program_id: 1, organization_id: 2, active_last_use: T0 + DAY, deactivated_at: null, referred_at: T0 + DAY }, // referred: since creation
      { user_id: 5, program_id: 1, organization_id: 3, active_last_use: T0 + 4 * DAY, deactivated_at: null, referred_at: null },
      { user_id: 6, program_id: 1, organization_id: 2, active_last_use: null, deactivated_at: T0 + 6 * DAY, referred_at: null },
    ]);
    const d = day(T0);
    expect(db.prepare('SELECT metric, organization_id, day, n FROM home_day_counts ORDER BY 1, 2, 3').all()).toEqual([
      // active accounts by the day of last use (every account: organization 0)
      { metric: 'active_use', organization_id: 0, day: d, n: 1 },
      { metric: 'active_use', organization_id: 0, day: d + 1, n: 1 },
      { metric: 'active_use', organization_id: 0, day: d + 3, n: 1 },
      { metric: 'active_use', organization_id: 0, day: d + 4, n: 1 },
      { metric: 'active_use', organization_id: 0, day: d + 5, n: 1 },
      { metric: 'approved', organization_id: 0, day: d + 2, n: 1 },
      { metric: 'approved', organization_id: 2, day: d + 2, n: 1 },
      { metric: 'pending', organization_id: 0, day: d + 3, n: 1 },
      { metric: 'pending', organization_id: 0, day: d + 4, n: 1 },
      { metric: 'pending', organization_id: 2, day: d + 3, n: 1 },
      { metric: 'pending', organization_id: 2, day: d + 4, n: 1 },
      { metric: 'rejected', organization_id: 0, day: d + 2, n: 1 },
      { metric: 'rejected', organization_id: 2, day: d + 2, n: 1 },
    ]);
    expect(db.prepare('SELECT organization_id, n FROM pending_by_organization').all()).toEqual([{ organization_id: 2, n: 2 }]);
    // The counters go on from the migrated values.
    db.prepare(`UPDATE role_requests SET status = 'rejected', decided_by = 2, decided_at = ${T0 + 5 * DAY}, reason = 'No' WHERE id = 2`).run();
    expect(db.prepare('SELECT n FROM pending_by_organization WHERE organization_id = 2').get()).toEqual({ n: 1 });
    expect(db.prepare(`SELECT n FROM home_day_counts WHERE metric = 'rejected' AND organization_id = 2 AND day = ${d + 5}`).get()).toEqual({ n: 1 });
    expect(db.prepare(`SELECT n FROM home_day_counts WHERE metric = 'pending' AND organization_id = 0 AND day = ${d + 3}`).get()).toEqual({ n: 0 });
  });

  it('8 (password resets): every account is kept; resets start empty, and a change of password ends one under way', () => {
    const db = filledAt(7);
    const before = snapshot(db);
    upgradeTo(db, 8);
    expectNothingLost(db, before);
    expect(db.prepare('SELECT count(*) AS n FROM password_resets').get()).toEqual({ n: 0 });
    db.prepare(`INSERT INTO password_resets (user_id, token_hash, code_hash, created_at, expires_at) VALUES (3, ?, ?, ${T0}, ${T0 + 600_000})`).run(
      HASH('1'),
      HASH('2'),
    );
    db.prepare("UPDATE users SET password_hash = 'another-hash' WHERE id = 3").run();
    expect(db.prepare('SELECT end_reason FROM password_resets').get()).toEqual({ end_reason: 'superseded' });
    expect(() => db.prepare('DELETE FROM password_resets').run()).toThrow(/kept for the audit trail/);
  });

  it("9 (CMS queue): every row is kept; pending requests are read by role from the new indexes, and the CMS total from the counters' index alone", () => {
    const db = filledAt(8);
    const before = snapshot(db);
    upgradeTo(db, 9);
    expectNothingLost(db, before);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((s) => s.detail).join('\n');
    const byTime = "SELECT id FROM role_requests r WHERE r.status = 'pending' AND r.role_id = 4 ORDER BY r.requested_at, r.id LIMIT 10";
    const byName =
      "SELECT id FROM role_requests r WHERE r.status = 'pending' AND r.role_id = 4 ORDER BY r.requester_last_name, r.requester_first_name, r.id LIMIT 10";
    expect(plan(byTime)).toMatch(/USING COVERING INDEX role_requests_pending_role \(role_id=\?\)/);
    expect(plan(byName)).toMatch(/USING COVERING INDEX role_requests_pending_role_name \(role_id=\?\)/);
    expect(plan(byTime)).not.toMatch(/TEMP B-TREE/);
    // The indexes hold what the table holds: the same rows as a read of the table itself.
    const unindexed = (sql: string) => sql.replace('FROM role_requests r', 'FROM role_requests r NOT INDEXED');
    expect(db.prepare(byTime).all()).toEqual(db.prepare(unindexed(byTime)).all());
    expect(db.prepare(byName).all()).toEqual(db.prepare(unindexed(byName)).all());
    expect(db.prepare(byTime).all()).toEqual([{ id: 2 }, { id: 4 }]);
    const total = 'SELECT coalesce(sum(n), 0) AS n FROM pending_request_counts WHERE role_id IN (SELECT id FROM roles WHERE security_official_kind IS NULL)';
    expect(plan(total)).toMatch(/USING COVERING INDEX pending_request_counts_role_n/);
    expect(db.prepare(total).get()).toEqual({ n: 2 });
  });

  it('10 (organization picker): every organization is kept, and the picker walks them in name order by the new index', () => {
    const db = filledAt(9);
    const before = snapshot(db);
    upgradeTo(db, 10);
    expectNothingLost(db, before);
    const walk = "SELECT display_id, name FROM organizations WHERE lower(name) LIKE '%a%' ORDER BY name, display_id LIMIT 2";
    expect(db.prepare(`EXPLAIN QUERY PLAN ${walk}`).all()).toEqual([
      expect.objectContaining({ detail: 'SCAN organizations USING COVERING INDEX organizations_by_name' }),
    ]);
    expect(db.prepare(walk).all()).toEqual([
      { display_id: 'CMS', name: 'Centers for Medicare & Medicaid Services' },
      { display_id: 'FL', name: 'Florida' },
    ]);
  });

  it('11 (decisions by signed-in officials): every row is kept; a deactivated official decides nothing, the same official reactivated does', () => {
    const db = filledAt(10);
    const before = snapshot(db);
    upgradeTo(db, 11);
    expectNothingLost(db, before);
    const pending = db
      .prepare(
        `SELECT q.id, a.user_id AS official FROM role_requests q
           JOIN role_assignments a ON a.organization_id = q.organization_id
           JOIN roles r ON r.id = a.role_id AND r.security_official_kind IS NOT NULL
          WHERE q.status = 'pending' AND a.user_id <> q.requester_id ORDER BY q.id LIMIT 1`,
      )
      .get() as { id: number; official: number };
    expect(pending).toBeDefined();
    const reject = db.prepare(`UPDATE role_requests SET status = 'rejected', decided_by = ?, decided_at = ${T0 + 9 * DAY}, reason = 'No' WHERE id = ?`);
    db.prepare("UPDATE users SET status = 'deactivated' WHERE id = ?").run(pending.official);
    expect(() => reject.run(pending.official, pending.id)).toThrow(/Only a Security Official of this organization/);
    db.prepare("UPDATE users SET status = 'active' WHERE id = ?").run(pending.official);
    expect(reject.run(pending.official, pending.id).changes).toBe(1);
  });

  it('12 (lighter decisions): every row is kept; the queue index holds pending requests only, and a decision leaves it', () => {
    const db = filledAt(11);
    const before = snapshot(db);
    upgradeTo(db, 12);
    expectNothingLost(db, before);
    const columns = (index: string) => (db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index) as string[]).join(',');
    expect(columns('role_requests_queue')).toBe('organization_id,requested_at,id');
    expect(columns('role_requests_requester')).toBe('requester_id');
    const inQueueIndex = (org: number) =>
      db
        .prepare("SELECT count(*) FROM role_requests INDEXED BY role_requests_queue WHERE organization_id = ? AND status = 'pending'")
        .pluck()
        .get(org) as number;
    const pendingOf = (org: number) =>
      db.prepare("SELECT count(*) FROM role_requests NOT INDEXED WHERE organization_id = ? AND status = 'pending'").pluck().get(org) as number;
    const pending = db
      .prepare(
        `SELECT q.id, q.organization_id AS org, a.user_id AS official FROM role_requests q
           JOIN role_assignments a ON a.organization_id = q.organization_id
           JOIN roles r ON r.id = a.role_id AND r.security_official_kind IS NOT NULL
          WHERE q.status = 'pending' AND a.user_id <> q.requester_id ORDER BY q.id LIMIT 1`,
      )
      .get() as { id: number; org: number; official: number };
    expect(pending).toBeDefined();
    const n = pendingOf(pending.org);
    expect(inQueueIndex(pending.org)).toBe(n);
    db.prepare(`UPDATE role_requests SET status = 'rejected', decided_by = ?, decided_at = ${T0 + 9 * DAY}, reason = 'No' WHERE id = ?`).run(
      pending.official,
      pending.id,
    );
    expect(inQueueIndex(pending.org)).toBe(n - 1);
    expect(pendingOf(pending.org)).toBe(n - 1);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    // The organization's queue is read from its index, not the table.
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM role_requests WHERE organization_id = ? AND status = 'pending' ORDER BY requested_at, id LIMIT 10")
      .all(pending.org) as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX role_requests_queue/);
  });
});

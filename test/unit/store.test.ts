import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, NewerDatabaseError, migrate } from '../../main/store/migrations/index.js';
import { openDatabase } from '../../main/store/sqlite.js';
import { GENESIS_HASH, chainHash } from '../../main/store/audit-chain.js';
import { Harness } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'soc-db-')), 'console.sqlite');

describe('migrations', () => {
  it('brings a new database to the latest version with WAL, foreign keys and full sync', () => {
    const db = openDatabase(freshPath());
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'organizations',
        'programs',
        'roles',
        'role_assignments',
        'role_requests',
        'mfa_credentials',
        'proofing_records',
        'audit_events',
        'outbox',
      ]),
    );
    db.close();
  });

  it('has no column that could hold an SSN or a whole document number', () => {
    const db = openDatabase(freshPath());
    const columns = (
      db.prepare("SELECT p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'").all() as Array<{ name: string }>
    ).map((c) => c.name);
    expect(columns.filter((c) => /ssn|social|document_number/i.test(c))).toEqual([]);
    db.close();
  });

  it('is idempotent: a second run changes nothing', () => {
    const db = new Database(freshPath());
    expect(migrate(db)).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(migrate(db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    db.close();
  });

  it('version 3 counts the pending requests and copies requester names of a version 2 database', () => {
    const db = new Database(freshPath());
    migrate(db, MIGRATIONS.slice(0, 2));
    db.exec(`
      INSERT INTO programs (id, name) VALUES (1, 'iQIES Prod');
      INSERT INTO organizations (id, display_id, name, kind) VALUES (1, '123', 'Org', 'provider');
      INSERT INTO roles (id, name) VALUES (1, 'Surveyor'), (2, 'Assessment Coordinator');
      INSERT INTO users (id, user_id, first_name, last_name, email, status, password_hash, created_at)
        VALUES (1, 'ann', 'Ann', 'Zeller', 'ann@example.org', 'active', 'x', 0), (2, 'bo', 'Bo', 'Adams', 'bo@example.org', 'active', 'x', 0);
      INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) VALUES
        (1, 1, 1, 1, 'pending', 1), (2, 1, 1, 1, 'pending', 2), (2, 1, 1, 2, 'pending', 3), (1, 1, 1, 2, 'approved', 4);
    `);
    expect(migrate(db)).toEqual({ from: 2, to: MIGRATIONS.length });
    expect(db.prepare('SELECT role_id, n FROM pending_request_counts ORDER BY role_id').all()).toEqual([
      { role_id: 1, n: 2 },
      { role_id: 2, n: 1 },
    ]);
    expect(db.prepare('SELECT requester_last_name AS last FROM role_requests ORDER BY id').all()).toEqual([
      { last: 'Zeller' },
      { last: 'Adams' },
      { last: 'Adams' },
      { last: 'Zeller' },
    ]);
    db.close();
  });

  it('refuses a database from a newer version of the console', () => {
    const db = new Database(freshPath());
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(NewerDatabaseError);
    db.close();
  });

  it('applies all or nothing: a failing migration leaves the version unchanged', () => {
    const db = new Database(freshPath());
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE x (a); SELECT * FROM no_such_table;' }];
    migrate(db);
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'x'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses migrations out of order', () => {
    const db = new Database(freshPath());
    expect(() => migrate(db, [{ version: 2, name: 'skipped', sql: '' }])).toThrow(/expected 1/);
    db.close();
  });
});

describe('audit trail', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  it('chains every row to the previous one with SHA-256', async () => {
    await h.app.store.audit.append([
      { action: 'signin.failed', actorId: null },
      { action: 'account.locked', actorId: null, details: { x: 1 } },
    ]);
    await h.app.store.audit.append([{ action: 'signout', actorId: null }]);
    const rows = await h.app.store.audit.read(0, 10);
    expect(rows.map((r) => r.action)).toEqual(['signin.failed', 'account.locked', 'signout']);
    let prev = GENESIS_HASH;
    for (const row of rows) {
      expect(row.prevHash).toBe(prev);
      expect(row.hash).toBe(chainHash(prev, row));
      prev = row.hash;
    }
    expect(await h.app.store.audit.head()).toEqual({ id: 3, hash: prev });
  });

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    await h.app.store.audit.append([{ action: 'signin.succeeded', actorId: 1 }]);
    await expect(sideSql(h.app).run("UPDATE audit_events SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(sideSql(h.app).run('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
  });
});

describe('credential time steps', () => {
  it('consumes a step once: a racing second use of the same code is refused by the store itself', async () => {
    const h = await Harness.create();
    try {
      await h.seed({ organizations: [{ displayId: '123', name: 'Org', kind: 'provider' }], users: [{ userId: 'pat', organization: '123' }] });
      const [credential] = await h.app.store.credentials.forUser(1);
      expect(await h.app.store.credentials.consumeStep(credential!.id, 1000)).toBe(true);
      expect(await h.app.store.credentials.consumeStep(credential!.id, 1000)).toBe(false);
      expect(await h.app.store.credentials.consumeStep(credential!.id, 999)).toBe(false);
      expect(await h.app.store.credentials.consumeStep(credential!.id, 1001)).toBe(true);
    } finally {
      await h.dispose();
    }
  });
});

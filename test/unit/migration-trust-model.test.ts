import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../main/store/migrations/index.js';

/**
 * Upgrading a database an older console wrote: rows that break the role catalogue are set aside
 * and listed, never silently deleted, and give no power; the directory keeps only live ties.
 */
describe('migration 6 (trust model) on an older database', () => {
  function olderDatabase() {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 5));
    db.exec(`
      INSERT INTO programs (id, name) VALUES (1, 'iQIES Prod');
      INSERT INTO organizations (id, display_id, name, kind) VALUES (1, 'CMS', 'CMS', 'cms'), (2, '123', 'Sunrise', 'provider'), (3, 'FL', 'Florida', 'state');
      INSERT INTO roles (id, name, security_official_kind) VALUES
        (1, 'CMS Security Official', 'cms'), (2, 'Provider Security Official', 'provider'), (3, 'Provider Basic User', NULL), (4, 'Surveyor', NULL);
      INSERT INTO users (id, user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state) VALUES
        (1, 'cms', 'C', 'One', 'c@x', 'active', 'h', 0, 'proofed_remote'),
        (2, 'so1', 'S', 'One', 's@x', 'active', 'h', 0, 'proofed_remote'),
        (3, 'demo', 'D', 'User', 'd@x', 'active', 'h', 0, 'proofed_remote'),
        (4, 'gone', 'G', 'Withdrew', 'g@x', 'active', 'h', 0, 'proofed_remote');
      INSERT INTO role_assignments (id, user_id, program_id, organization_id, role_id, granted_at) VALUES
        (1, 1, 1, 1, 1, 0), (2, 2, 1, 2, 2, 0), (3, 3, 1, 2, 3, 0),
        -- what the older console let a provider official grant: CMS Security Official at a provider
        (4, 3, 1, 2, 1, 5);
      INSERT INTO role_requests (id, requester_id, program_id, organization_id, role_id, status, requested_at, decided_at, decided_by) VALUES
        (1, 3, 1, 2, 1, 'approved', 1, 5, 2),
        (2, 3, 1, 3, 2, 'pending', 2, NULL, NULL),
        (3, 4, 1, 2, 3, 'cancelled', 3, 4, 4);
      UPDATE role_assignments SET request_id = 1 WHERE id = 4;
    `);
    return db;
  }

  it('sets aside assignments outside the catalogue with every column, lists pending requests outside it, and deletes nothing silently', () => {
    const db = olderDatabase();
    expect(migrate(db)).toEqual({ from: 5, to: MIGRATIONS.length });
    expect(
      db.prepare('SELECT kind, row_id, user_id, organization_id, role_id, granted_at, request_id FROM role_catalogue_violations ORDER BY id').all(),
    ).toEqual([
      { kind: 'assignment', row_id: 4, user_id: 3, organization_id: 2, role_id: 1, granted_at: 5, request_id: 1 },
      { kind: 'pending_request', row_id: 2, user_id: 3, organization_id: 3, role_id: 2, granted_at: null, request_id: 2 },
    ]);
    // The stray CMS role no longer exists as an assignment; the valid ones are untouched.
    expect(db.prepare('SELECT id FROM role_assignments ORDER BY id').all()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    // The report is append-only.
    expect(() => db.prepare('DELETE FROM role_catalogue_violations').run()).toThrow();
    // The request outside the catalogue can be rejected, never approved.
    expect(() => db.prepare("UPDATE role_requests SET status = 'approved', decided_by = 1, decided_at = 9 WHERE id = 2").run()).toThrow(/role catalogue/);
    db.prepare("UPDATE role_requests SET status = 'rejected', decided_by = 1, decided_at = 9, reason = 'outside the catalogue' WHERE id = 2").run();
  });

  it('rebuilds the directory from roles and pending requests only: a withdrawn request is no tie', () => {
    const db = olderDatabase();
    expect(db.prepare('SELECT user_id FROM user_directory WHERE user_id = 4').all()).toHaveLength(1);
    migrate(db);
    expect(db.prepare('SELECT user_id, organization_id, reasons FROM user_directory ORDER BY user_id, organization_id').all()).toEqual([
      { user_id: 1, organization_id: 1, reasons: 1 },
      { user_id: 2, organization_id: 2, reasons: 1 },
      { user_id: 3, organization_id: 2, reasons: 1 },
      { user_id: 3, organization_id: 3, reasons: 1 },
    ]);
    expect(db.prepare('SELECT n FROM program_user_counts').get()).toEqual({ n: 3 });
  });
});

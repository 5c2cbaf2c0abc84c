import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { migrate } from './migrations/index.js';
import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { appendAuditSync, auditHeadPayload, setAuditHeadSigner, signAuditHeadSync } from './audit-chain.js';
import { verifyLiveChain } from './chain-verify.js';
import type { LiveCheck } from './chain-verify.js';
import { insertScenario, refreshDemoActivity, setMeta } from './seed.js';
import type { Scenario } from './seed.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import { SqliteRequestStore } from './requests-store.js';
import { SqliteOutboxStore } from './outbox-store.js';
import { SqliteUserAdminStore } from './users-admin-store.js';
import { SqlProofingStore } from './proofing-store.js';
import { SqlFsidStore } from './fsid-store.js';
import { SqliteHistoryStore } from './history-store.js';
import { SqliteAuditTrailStore } from './audit-trail-store.js';
import { SqliteHomeStore } from './home-store.js';
import { SqlitePasswordResetStore } from './password-reset-store.js';
import { ARCHIVE_APPLICATION_ID } from './archive-file.js';
import { ensurePrivateFile, makeDatabaseFilesPrivate } from './private-files.js';
import type { Clock } from '../clock.js';
import type {
  AuditDraft,
  AuditEventRecord,
  CredentialRecord,
  FirstOfficial,
  NewCredential,
  OrganizationRecord,
  RoleHolding,
  SignInCounters,
  UserRecord,
} from './types.js';
import type { Store } from './store.js';
import { StoreContext } from './store-context.js';
import { SqliteDatabase } from './sqlite-database.js';
import type { OrganizationKind } from '../../shared/domain.js';

/**
 * Opens (or creates) the console database: WAL so readers never wait on the writer,
 * foreign keys on, a busy timeout instead of SQLITE_BUSY, and synchronous=FULL because a
 * decision an official saw confirmed must survive a power cut.
 */
export function openDatabase(path: string): Db {
  // Created 0600 before SQLite sees it: SQLite keeps the mode and gives it to -wal and -shm.
  if (path !== ':memory:') ensurePrivateFile(path);
  const db = new Database(path);
  if (db.pragma('application_id', { simple: true }) === ARCHIVE_APPLICATION_ID) {
    // A review archive is read-only evidence of another time (or another console): it never
    // becomes a console's database, whatever its file is renamed to.
    db.close();
    throw new ArchiveIsNotADatabaseError(path);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (SQLite's default is 2 MiB): with a million users the indexes a bulk
  // decision touches do not fit in 2 MiB, and every miss is a read from the file.
  db.pragma('cache_size = -65536');
  migrate(db);
  // -wal and -shm exist from here on; also fixes the files of an older, world-readable install.
  if (path !== ':memory:') makeDatabaseFilesPrivate(path);
  return db;
}

interface UserRow {
  id: number;
  user_id: string;
  first_name: string;
  last_name: string;
  email: string;
  status: UserRecord['status'];
  password_hash: string;
  must_change_password: number;
  failed_attempts: number;
  temporary_lock_count: number;
  locked_until: number | null;
  last_sign_in_at: number | null;
  created_at: number;
  proofing_state: UserRecord['proofingState'];
  home_organization_id: number | null;
  temporary_password_expires_at: number | null;
  reactivated_at: number | null;
  created_by: number | null;
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  userId: r.user_id,
  firstName: r.first_name,
  lastName: r.last_name,
  email: r.email,
  status: r.status,
  passwordHash: r.password_hash,
  mustChangePassword: r.must_change_password === 1,
  failedAttempts: r.failed_attempts,
  temporaryLockCount: r.temporary_lock_count,
  lockedUntil: r.locked_until,
  lastSignInAt: r.last_sign_in_at,
  createdAt: r.created_at,
  proofingState: r.proofing_state,
  homeOrganizationId: r.home_organization_id,
  temporaryPasswordExpiresAt: r.temporary_password_expires_at,
  reactivatedAt: r.reactivated_at,
  createdBy: r.created_by,
});

interface CredentialRow {
  id: number;
  user_id: number;
  credential_id: string;
  label: string;
  secret_sealed: Buffer;
  last_used_step: number | null;
  created_at: number;
  last_used_at: number | null;
}

const toCredential = (r: CredentialRow): CredentialRecord => ({
  id: r.id,
  userId: r.user_id,
  credentialId: r.credential_id,
  label: r.label,
  secretSealed: r.secret_sealed,
  lastUsedStep: r.last_used_step,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

const USER_COLUMNS = `id, user_id, first_name, last_name, email, status, password_hash, must_change_password,
  failed_attempts, temporary_lock_count, locked_until, last_sign_in_at, created_at, proofing_state, home_organization_id,
  temporary_password_expires_at, reactivated_at, created_by`;

export class SqliteStore implements Store {
  constructor(
    readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.context = new StoreContext(new SqliteDatabase(db), clock);
    this.requests = new SqliteRequestStore(db, clock);
    this.outbox = new SqliteOutboxStore(db, clock);
    this.userAdmin = new SqliteUserAdminStore(db, clock);
    this.proofing = new SqlProofingStore(this.context);
    this.fsid = new SqlFsidStore(this.context);
    this.history = new SqliteHistoryStore(db);
    this.auditTrail = new SqliteAuditTrailStore(db);
    this.home = new SqliteHomeStore(db);
    this.passwordResets = new SqlitePasswordResetStore(db, clock);
  }

  /** The same connection behind the SqlDatabase interface, shared by the stores written for both engines. */
  readonly context: StoreContext;
  readonly requests: SqliteRequestStore;
  readonly outbox: SqliteOutboxStore;
  readonly userAdmin: SqliteUserAdminStore;
  readonly proofing: SqlProofingStore;
  readonly fsid: SqlFsidStore;
  readonly history: SqliteHistoryStore;
  readonly auditTrail: SqliteAuditTrailStore;
  readonly home: SqliteHomeStore;
  readonly passwordResets: SqlitePasswordResetStore;

  static open(path: string, clock: Clock): SqliteStore {
    return new SqliteStore(openDatabase(path), clock);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async signAuditHeadsWith(consoleId: string, privateKey: KeyObject): Promise<void> {
    const signer = (eventId: number, hash: string): string => sign(null, auditHeadPayload(consoleId, eventId, hash), privateKey).toString('base64');
    setAuditHeadSigner(this.db, signer);
    this.context.signHeadsWith(signer);
  }

  readonly demo = {
    seed: async (scenario: Scenario, fsidRequestedUserIds: readonly string[]): Promise<void> => {
      await this.context.db.transaction(async (tx) => {
        await insertScenario(tx, scenario);
        for (const userId of fsidRequestedUserIds) await tx.run("UPDATE users SET fsid_state = 'requested' WHERE user_id = ?", [userId]);
        await setMeta(tx, 'demo', '1');
      });
    },
    refreshActivity: (): Promise<void> => refreshDemoActivity(this.context.db, this.clock.now()),
  };

  private appendAuditSync(events: readonly AuditDraft[]): void {
    appendAuditSync(this.db, this.clock.now(), events);
  }

  readonly meta = {
    get: async (key: string): Promise<string | null> => {
      const row = this.db.prepare('SELECT value FROM console_meta WHERE key = ?').get(key) as { value: string } | undefined;
      return row?.value ?? null;
    },
    set: async (key: string, value: string): Promise<void> => {
      this.db.prepare('INSERT INTO console_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    },
  };

  readonly users = {
    count: async (): Promise<number> => (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n,

    byUserId: async (userId: string): Promise<UserRecord | null> => {
      const row = this.db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = ? COLLATE NOCASE`).get(userId) as UserRow | undefined;
      return row ? toUser(row) : null;
    },

    byId: async (id: number): Promise<UserRecord | null> => {
      const row = this.db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
      return row ? toUser(row) : null;
    },

    createFirstOfficial: async (first: FirstOfficial, audit: AuditDraft[]): Promise<number | false> =>
      this.db
        .transaction((): number | false => {
          const { n } = this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number };
          if (n > 0) return false;
          const now = this.clock.now();
          const org = this.db.prepare("INSERT INTO organizations (display_id, name, kind) VALUES ('CMS', ?, 'cms')").run(first.organizationName);
          const orgId = Number(org.lastInsertRowid);
          const user = this.db
            .prepare(
              `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state, home_organization_id)
               VALUES (?, ?, ?, ?, 'active', ?, ?, 'proofed_in_person', ?)`,
            )
            .run(first.user.userId, first.user.firstName, first.user.lastName, first.user.email, first.user.passwordHash, now, orgId);
          const userId = Number(user.lastInsertRowid);
          this.insertCredentialSync(userId, first.credential, now);
          const role = this.ensureRoleSync(first.roleName, 'cms');
          for (const program of first.programs) {
            const programId = this.ensureProgramSync(program);
            this.db
              .prepare('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)')
              .run(userId, programId, orgId, role, now);
          }
          this.appendAuditSync(audit.map((e) => ({ ...e, actorId: e.actorId ?? userId, subjectUserId: e.subjectUserId ?? userId, organizationId: orgId })));
          return userId;
        })
        .immediate(),

    updateSignInCounters: async (id: number, c: SignInCounters, audit: AuditDraft[]): Promise<void> => {
      this.db
        .transaction(() => {
          this.db
            // An account the 120-day rule deactivates at sign-in is dated, as the daily check dates it.
            .prepare(
              `UPDATE users SET status = ?, failed_attempts = ?, temporary_lock_count = ?, locked_until = ?,
                    deactivated_at = CASE WHEN ? = 'deactivated' AND status <> 'deactivated' THEN ? ELSE deactivated_at END WHERE id = ?`,
            )
            .run(c.status, c.failedAttempts, c.temporaryLockCount, c.lockedUntil, c.status, this.clock.now(), id);
          this.appendAuditSync(audit);
        })
        .immediate();
    },

    recordSignIn: async (id: number, code: { credentialRowId: number; step: number } | null, audit: AuditDraft[]): Promise<boolean> => {
      try {
        this.db
          .transaction(() => {
            // Only an active account signs in, whatever a racing attempt just wrote.
            const signedIn = this.db
              .prepare(
                "UPDATE users SET failed_attempts = 0, temporary_lock_count = 0, locked_until = NULL, last_sign_in_at = ? WHERE id = ? AND status = 'active'",
              )
              .run(this.clock.now(), id);
            if (signedIn.changes !== 1 || (code !== null && !this.consumeStepSync(code.credentialRowId, code.step))) throw new SignInRaced();
            this.appendAuditSync(audit);
          })
          .immediate();
        return true;
      } catch (error) {
        if (error instanceof SignInRaced) return false;
        throw error;
      }
    },

    roleHoldings: async (id: number): Promise<RoleHolding[]> => {
      const rows = this.db
        .prepare(
          `SELECT o.id, o.display_id, o.name, o.kind, o.state_code, p.name AS program, r.name AS role, r.security_official_kind
             FROM role_assignments a
             JOIN organizations o ON o.id = a.organization_id
             JOIN programs p ON p.id = a.program_id
             JOIN roles r ON r.id = a.role_id
            WHERE a.user_id = ?
            ORDER BY o.name, p.name, r.name`,
        )
        .all(id) as Array<{
        id: number;
        display_id: string;
        name: string;
        kind: OrganizationKind;
        state_code: string | null;
        program: string;
        role: string;
        security_official_kind: OrganizationKind | null;
      }>;
      return rows.map((r) => ({
        organization: { id: r.id, displayId: r.display_id, name: r.name, kind: r.kind, stateCode: r.state_code },
        program: r.program,
        role: r.role,
        securityOfficialKind: r.security_official_kind,
      }));
    },
  };

  readonly credentials = {
    forUser: async (userId: number): Promise<CredentialRecord[]> =>
      (this.db.prepare('SELECT * FROM mfa_credentials WHERE user_id = ? ORDER BY created_at, id').all(userId) as CredentialRow[]).map(toCredential),

    add: async (userId: number, credential: NewCredential, max: number, audit: AuditDraft[]): Promise<CredentialRecord | false> =>
      this.db
        .transaction((): CredentialRecord | false => {
          const { n } = this.db.prepare('SELECT count(*) AS n FROM mfa_credentials WHERE user_id = ?').get(userId) as { n: number };
          if (n >= max) return false;
          const rowId = this.insertCredentialSync(userId, credential, this.clock.now());
          this.appendAuditSync(audit);
          return toCredential(this.db.prepare('SELECT * FROM mfa_credentials WHERE id = ?').get(rowId) as CredentialRow);
        })
        .immediate(),

    consumeStep: async (credentialRowId: number, step: number): Promise<boolean> => this.consumeStepSync(credentialRowId, step),

    remove: async (userId: number, credentialRowId: number, step: number, audit: AuditDraft[]): Promise<'removed' | 'last' | 'replayed'> =>
      this.db
        .transaction((): 'removed' | 'last' | 'replayed' => {
          const { n } = this.db.prepare('SELECT count(*) AS n FROM mfa_credentials WHERE user_id = ?').get(userId) as { n: number };
          if (n <= 1) return 'last';
          if (!this.consumeStepSync(credentialRowId, step)) return 'replayed';
          this.db.prepare('DELETE FROM mfa_credentials WHERE id = ? AND user_id = ?').run(credentialRowId, userId);
          this.appendAuditSync(audit);
          return 'removed';
        })
        .immediate(),
  };

  readonly organizations = {
    securityOfficialCount: async (organizationId: number): Promise<number> =>
      (
        this.db
          .prepare(
            `SELECT count(DISTINCT a.user_id) AS n FROM role_assignments a
              WHERE a.organization_id = ? AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)`,
          )
          .get(organizationId) as { n: number }
      ).n,
  };

  readonly audit = {
    append: async (events: AuditDraft[]): Promise<void> => {
      this.db.transaction(() => this.appendAuditSync(events)).immediate();
    },
    read: async (afterId: number, limit: number): Promise<AuditEventRecord[]> =>
      this.db
        .prepare(
          `SELECT id, at, actor_id AS actorId, action, subject_user_id AS subjectUserId, organization_id AS organizationId,
                    request_id AS requestId, details, prev_hash AS prevHash, hash
               FROM audit_events WHERE id > ? ORDER BY id LIMIT ?`,
        )
        .all(afterId, limit) as AuditEventRecord[],
    head: async (): Promise<{ id: number; hash: string } | null> =>
      (this.db.prepare('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined) ?? null,
    verifyLive: async (key: { consoleId: string; publicKeyDer: Buffer }, afterId: number): Promise<LiveCheck> => verifyLiveChain(this.db, key, { afterId }),
    signHead: async (): Promise<void> => {
      this.db.transaction(() => signAuditHeadSync(this.db, this.clock.now())).immediate();
    },
    lastOfAction: async (action: AuditAction): Promise<{ at: number; details: string } | null> =>
      (this.db.prepare('SELECT at, details FROM audit_events WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as
        { at: number; details: string } | undefined) ?? null,
  };

  private consumeStepSync(credentialRowId: number, step: number): boolean {
    const result = this.db
      .prepare('UPDATE mfa_credentials SET last_used_step = ?, last_used_at = ? WHERE id = ? AND (last_used_step IS NULL OR last_used_step < ?)')
      .run(step, this.clock.now(), credentialRowId, step);
    return result.changes === 1;
  }

  private insertCredentialSync(userId: number, c: NewCredential, now: number): number {
    const result = this.db
      .prepare(
        `INSERT INTO mfa_credentials (user_id, credential_id, label, secret_sealed, last_used_step, created_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(userId, c.credentialId, c.label, c.secretSealed, c.lastUsedStep, now, now);
    return Number(result.lastInsertRowid);
  }

  private ensureProgramSync(name: string): number {
    this.db.prepare('INSERT OR IGNORE INTO programs (name) VALUES (?)').run(name);
    return (this.db.prepare('SELECT id FROM programs WHERE name = ?').get(name) as { id: number }).id;
  }

  private ensureRoleSync(name: string, kind: OrganizationKind | null): number {
    this.db.prepare('INSERT OR IGNORE INTO roles (name, security_official_kind) VALUES (?, ?)').run(name, kind);
    return (this.db.prepare('SELECT id FROM roles WHERE name = ?').get(name) as { id: number }).id;
  }
}

export type { OrganizationRecord };

export class ArchiveIsNotADatabaseError extends Error {
  constructor(readonly path: string) {
    super(`${path} is a review archive, not a console database. Open it with "Open archive" on Request History; it cannot be used as a console's database.`);
    this.name = 'ArchiveIsNotADatabaseError';
  }
}

/** Rolls back a sign-in whose account or code changed under it. */
class SignInRaced extends Error {}

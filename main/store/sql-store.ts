import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { auditHeadPayload } from './audit-chain.js';
import { SIGNED_IN_STATUSES } from './authority.js';
import { verifyLiveChainSql } from './chain-verify.js';
import type { LiveCheck } from './chain-verify.js';
import { insertScenario, refreshDemoActivity, setMeta } from './seed.js';
import type { Scenario } from './seed.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import type { OrganizationKind } from '../../shared/domain.js';
import { SqlRequestStore } from './requests-store.js';
import { SqlOutboxStore } from './outbox-store.js';
import { SqlUserAdminStore } from './users-admin-store.js';
import { SqlProofingStore } from './proofing-store.js';
import { SqlFsidStore } from './fsid-store.js';
import { SqlHistoryStore } from './history-store.js';
import { SqlAuditTrailStore } from './audit-trail-store.js';
import { SqlHomeStore } from './home-store.js';
import { SqlPasswordResetStore } from './password-reset-store.js';
import { searchOrganizations } from './organization-search.js';
import type { OrganizationMatch, OrganizationSearch } from './organization-search.js';
import type { SqlExecutor } from './sql.js';
import type { StoreContext } from './store-context.js';
import type { Store } from './store.js';
import type { AuditDraft, AuditEventRecord, CredentialRecord, FirstOfficial, NewCredential, RoleHolding, SignInCounters, UserRecord } from './types.js';

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

const CREDENTIAL_COLUMNS = 'id, user_id, credential_id, label, secret_sealed, last_used_step, created_at, last_used_at';

/**
 * The console's storage on whichever engine its StoreContext holds: every part of the Store,
 * each query written once in the SQL both engines accept.
 */
export class SqlStore implements Store {
  constructor(readonly context: StoreContext) {
    this.requests = new SqlRequestStore(context);
    this.outbox = new SqlOutboxStore(context);
    this.userAdmin = new SqlUserAdminStore(context);
    this.proofing = new SqlProofingStore(context);
    this.fsid = new SqlFsidStore(context);
    this.history = new SqlHistoryStore(context);
    this.auditTrail = new SqlAuditTrailStore(context);
    this.home = new SqlHomeStore(context);
    this.passwordResets = new SqlPasswordResetStore(context);
  }

  readonly requests: SqlRequestStore;
  readonly outbox: SqlOutboxStore;
  readonly userAdmin: SqlUserAdminStore;
  readonly proofing: SqlProofingStore;
  readonly fsid: SqlFsidStore;
  readonly history: SqlHistoryStore;
  readonly auditTrail: SqlAuditTrailStore;
  readonly home: SqlHomeStore;
  readonly passwordResets: SqlPasswordResetStore;

  async close(): Promise<void> {
    await this.context.db.close();
  }

  async signAuditHeadsWith(consoleId: string, privateKey: KeyObject): Promise<void> {
    const signer = (eventId: number, hash: string): string => sign(null, auditHeadPayload(consoleId, eventId, hash), privateKey).toString('base64');
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
    refreshActivity: (): Promise<void> => refreshDemoActivity(this.context.db, this.context.clock.now()),
  };

  readonly meta = {
    get: async (key: string): Promise<string | null> => {
      const row = await this.context.db.get<{ value: string }>('SELECT value FROM console_meta WHERE key = ?', [key]);
      return row?.value ?? null;
    },
    set: async (key: string, value: string): Promise<void> => {
      await setMeta(this.context.db, key, value);
    },
  };

  readonly users = {
    count: async (): Promise<number> => (await this.context.db.get<{ n: number }>('SELECT count(*) AS n FROM users'))!.n,

    byUserId: async (userId: string): Promise<UserRecord | null> => {
      const row = await this.context.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = ? COLLATE NOCASE`, [userId]);
      return row ? toUser(row) : null;
    },

    byId: async (id: number): Promise<UserRecord | null> => {
      const row = await this.context.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
      return row ? toUser(row) : null;
    },

    createFirstOfficial: async (first: FirstOfficial, audit: AuditDraft[]): Promise<number | false> =>
      this.context.db.transaction(async (tx): Promise<number | false> => {
        // Serializable on both engines: of two consoles racing to set up, only one sees no user.
        const { n } = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM users'))!;
        if (n > 0) return false;
        const now = this.context.clock.now();
        // ON CONFLICT rather than a plain INSERT: on PostgreSQL a set-up racing this one and committing
        // first then makes this a serialization failure, run again (and answered false), not a
        // duplicate-key error. A CMS organization without any user is not a state the console makes.
        const org = await tx.get<{ id: number }>(
          "INSERT INTO organizations (display_id, name, kind) VALUES ('CMS', ?, 'cms') ON CONFLICT (display_id) DO NOTHING RETURNING id",
          [first.organizationName],
        );
        if (!org) throw new Error('The database has a CMS organization but no user: it was not set up by this console.');
        const orgId = org.id;
        const { id: userId } = (await tx.get<{ id: number }>(
          `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state, home_organization_id)
           VALUES (?, ?, ?, ?, 'active', ?, ?, 'proofed_in_person', ?) RETURNING id`,
          [first.user.userId, first.user.firstName, first.user.lastName, first.user.email, first.user.passwordHash, now, orgId],
        ))!;
        await insertCredential(tx, userId, first.credential, now);
        const role = await ensureRole(tx, first.roleName, 'cms');
        for (const program of first.programs) {
          const programId = await ensureProgram(tx, program);
          await tx.run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)', [
            userId,
            programId,
            orgId,
            role,
            now,
          ]);
        }
        await this.context.appendAudit(
          tx,
          audit.map((e) => ({ ...e, actorId: e.actorId ?? userId, subjectUserId: e.subjectUserId ?? userId, organizationId: orgId })),
        );
        return userId;
      }),

    updateSignInCounters: async (id: number, c: SignInCounters, audit: AuditDraft[], statusRead: UserRecord['status']): Promise<void> => {
      await this.context.db.transaction(async (tx) => {
        // The status moves only from the one read (the right-hand sides see the row as it was).
        // An account the 120-day rule deactivates at sign-in is dated, as the daily check dates it.
        await tx.run(
          `UPDATE users SET status = CASE WHEN status = CAST(? AS TEXT) THEN CAST(? AS TEXT) ELSE status END,
                  failed_attempts = ?, temporary_lock_count = ?, locked_until = ?,
                  deactivated_at = CASE WHEN status = CAST(? AS TEXT) AND CAST(? AS TEXT) = 'deactivated' AND status <> 'deactivated'
                                        THEN CAST(? AS BIGINT) ELSE deactivated_at END
            WHERE id = ?`,
          [statusRead, c.status, c.failedAttempts, c.temporaryLockCount, c.lockedUntil, statusRead, c.status, this.context.clock.now(), id],
        );
        await this.context.appendAudit(tx, audit);
      });
    },

    recordSignIn: async (
      id: number,
      code: { credentialRowId: number; step: number } | null,
      audit: AuditDraft[],
      passwordRead: { passwordHash: string; mustChangePassword: boolean },
    ): Promise<boolean> => {
      try {
        await this.context.db.transaction(async (tx) => {
          const now = this.context.clock.now();
          // Only an active account signs in, whatever a racing attempt just wrote, and only with the
          // password it was checked against (an official's reset meanwhile ends the attempt).
          const signedIn = await tx.run(
            `UPDATE users SET failed_attempts = 0, temporary_lock_count = 0, locked_until = NULL, last_sign_in_at = ?
              WHERE id = ? AND status = 'active' AND password_hash = ? AND must_change_password = ?`,
            [now, id, passwordRead.passwordHash, passwordRead.mustChangePassword ? 1 : 0],
          );
          if (signedIn.changes !== 1 || (code !== null && !(await consumeStep(tx, code.credentialRowId, code.step, now)))) throw new SignInRaced();
          await this.context.appendAudit(tx, audit);
        });
        return true;
      } catch (error) {
        if (error instanceof SignInRaced) return false;
        throw error;
      }
    },

    roleHoldings: (id: number): Promise<RoleHolding[]> => this.holdings(id, false),

    sessionHoldings: (id: number): Promise<RoleHolding[]> => this.holdings(id, true),
  };

  private async holdings(id: number, signedIn: boolean): Promise<RoleHolding[]> {
    // For a session, the account's status is read in the same statement: no extra round trip on
    // the call every official page makes first.
    const statuses = signedIn ? [...SIGNED_IN_STATUSES] : [];
    const rows = await this.context.db.all<{
      id: number;
      display_id: string;
      name: string;
      kind: OrganizationKind;
      state_code: string | null;
      program: string;
      role: string;
      security_official_kind: OrganizationKind | null;
    }>(
      `SELECT o.id, o.display_id, o.name, o.kind, o.state_code, p.name AS program, r.name AS role, r.security_official_kind
         FROM role_assignments a
         JOIN organizations o ON o.id = a.organization_id
         JOIN programs p ON p.id = a.program_id
         JOIN roles r ON r.id = a.role_id
        WHERE a.user_id = ?${signedIn ? ` AND EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id AND u.status IN (${statuses.map(() => '?').join(',')}))` : ''}
        ORDER BY o.name, p.name, r.name`,
      [id, ...statuses],
    );
    return rows.map((r) => ({
      organization: { id: r.id, displayId: r.display_id, name: r.name, kind: r.kind, stateCode: r.state_code },
      program: r.program,
      role: r.role,
      securityOfficialKind: r.security_official_kind,
    }));
  }

  readonly credentials = {
    forUser: async (userId: number): Promise<CredentialRecord[]> =>
      (await this.context.db.all<CredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM mfa_credentials WHERE user_id = ? ORDER BY created_at, id`, [userId])).map(
        toCredential,
      ),

    add: async (userId: number, credential: NewCredential, max: number, audit: AuditDraft[]): Promise<CredentialRecord | false> =>
      this.context.db.transaction(async (tx): Promise<CredentialRecord | false> => {
        const { n } = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM mfa_credentials WHERE user_id = ?', [userId]))!;
        if (n >= max) return false;
        const rowId = await insertCredential(tx, userId, credential, this.context.clock.now());
        await this.context.appendAudit(tx, audit);
        return toCredential((await tx.get<CredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM mfa_credentials WHERE id = ?`, [rowId]))!);
      }),

    consumeStep: async (credentialRowId: number, step: number): Promise<boolean> =>
      consumeStep(this.context.db, credentialRowId, step, this.context.clock.now()),

    remove: async (userId: number, credentialRowId: number, step: number, audit: AuditDraft[]): Promise<'removed' | 'last' | 'replayed'> =>
      this.context.db.transaction(async (tx): Promise<'removed' | 'last' | 'replayed'> => {
        const { n } = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM mfa_credentials WHERE user_id = ?', [userId]))!;
        if (n <= 1) return 'last';
        if (!(await consumeStep(tx, credentialRowId, step, this.context.clock.now()))) return 'replayed';
        await tx.run('DELETE FROM mfa_credentials WHERE id = ? AND user_id = ?', [credentialRowId, userId]);
        await this.context.appendAudit(tx, audit);
        return 'removed';
      }),
  };

  readonly organizations = {
    securityOfficialCount: async (organizationId: number): Promise<number> =>
      (await this.context.db.get<{ n: number }>(
        `SELECT count(DISTINCT a.user_id) AS n FROM role_assignments a
          WHERE a.organization_id = ? AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)`,
        [organizationId],
      ))!.n,
    search: async (search: OrganizationSearch): Promise<OrganizationMatch[]> => searchOrganizations(this.context.db, search),
  };

  readonly audit = {
    append: async (events: AuditDraft[]): Promise<void> => {
      await this.context.db.transaction((tx) => this.context.appendAudit(tx, events));
    },
    read: async (afterId: number, limit: number): Promise<AuditEventRecord[]> =>
      this.context.db.all<AuditEventRecord>(
        `SELECT id, at, actor_id AS "actorId", action, subject_user_id AS "subjectUserId", organization_id AS "organizationId",
                request_id AS "requestId", details, prev_hash AS "prevHash", hash
           FROM audit_events WHERE id > ? ORDER BY id LIMIT ?`,
        [afterId, limit],
      ),
    head: async (): Promise<{ id: number; hash: string } | null> =>
      (await this.context.db.get<{ id: number; hash: string }>('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1')) ?? null,
    // Reads the SQLite file's own connection in one snapshot; not yet written for PostgreSQL.
    verifyLive: async (key: { consoleId: string; publicKeyDer: Buffer }, afterId: number): Promise<LiveCheck> =>
      verifyLiveChainSql(this.context.db, key, { afterId }),
    signHead: async (): Promise<void> => {
      await this.context.db.transaction((tx) => this.context.signHead(tx));
    },
    lastOfAction: async (action: AuditAction): Promise<{ at: number; details: string } | null> =>
      (await this.context.db.get<{ at: number; details: string }>('SELECT at, details FROM audit_events WHERE action = ? ORDER BY id DESC LIMIT 1', [
        action,
      ])) ?? null,
  };
}

/** Consumes a code's time step on a credential, only if newer than its last one: a code is never accepted twice. */
async function consumeStep(on: SqlExecutor, credentialRowId: number, step: number, now: number): Promise<boolean> {
  const result = await on.run(
    'UPDATE mfa_credentials SET last_used_step = ?, last_used_at = ? WHERE id = ? AND (last_used_step IS NULL OR last_used_step < ?)',
    [step, now, credentialRowId, step],
  );
  return result.changes === 1;
}

async function insertCredential(tx: SqlExecutor, userId: number, c: NewCredential, now: number): Promise<number> {
  const row = await tx.get<{ id: number }>(
    `INSERT INTO mfa_credentials (user_id, credential_id, label, secret_sealed, last_used_step, created_at, last_used_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [userId, c.credentialId, c.label, c.secretSealed, c.lastUsedStep, now, now],
  );
  return row!.id;
}

async function ensureProgram(tx: SqlExecutor, name: string): Promise<number> {
  await tx.run('INSERT INTO programs (name) VALUES (?) ON CONFLICT DO NOTHING', [name]);
  return (await tx.get<{ id: number }>('SELECT id FROM programs WHERE name = ?', [name]))!.id;
}

async function ensureRole(tx: SqlExecutor, name: string, kind: OrganizationKind | null): Promise<number> {
  await tx.run('INSERT INTO roles (name, security_official_kind) VALUES (?, ?) ON CONFLICT DO NOTHING', [name, kind]);
  return (await tx.get<{ id: number }>('SELECT id FROM roles WHERE name = ?', [name]))!.id;
}

/** Rolls back a sign-in whose account or code changed under it. */
class SignInRaced extends Error {}

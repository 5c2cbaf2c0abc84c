import type { StoreContext } from './store-context.js';
import type { AuditDraft } from './types.js';

export type PasswordResetEnd = 'used' | 'replaced' | 'too_many_tries' | 'not_sent' | 'superseded';

export interface PasswordResetRecord {
  id: number;
  userRowId: number;
  /** The keyed hash of the emailed one-time code (hex). */
  codeHash: string;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
  endReason: PasswordResetEnd | null;
}

/** A Security Official a user can turn to, with the organization through which they can help. */
export interface ResetContact {
  firstName: string;
  lastName: string;
  email: string;
  organization: string;
}

/** The one-time codes of Forgot your Password?, and who to contact when there is no mail. */
export interface PasswordResetStore {
  /**
   * Opens a reset after the user proved their authenticator: consumes the code's time step
   * (false when it was used meanwhile: a replay, nothing written), ends the user's earlier open
   * resets as replaced, and writes the audit events, in one transaction.
   */
  open(
    reset: { userRowId: number; tokenHash: string; codeHash: string; expiresAt: number },
    step: { credentialRowId: number; step: number },
    audit: AuditDraft[],
  ): Promise<number | false>;
  byTokenHash(tokenHash: string): Promise<PasswordResetRecord | null>;
  /** Ends an open reset (false when it had already ended). */
  end(id: number, reason: Exclude<PasswordResetEnd, 'used'>, audit: AuditDraft[]): Promise<boolean>;
  /**
   * Uses an open, unexpired reset: the new password replaces the old one (and any temporary
   * one), and the sign-in failure count and locks are cleared, only while the account is
   * active. False when the reset ended or expired meanwhile, or the account is not active.
   */
  complete(id: number, userRowId: number, passwordHash: string, audit: AuditDraft[]): Promise<boolean>;
  /**
   * The Security Officials of the organizations the user belongs to (their roles, pending
   * requests and home organization), whose accounts are active, but the user; when there are
   * none, the CMS Security Officials.
   */
  contactsFor(userRowId: number): Promise<ResetContact[]>;
}

interface ResetRow {
  id: number;
  user_id: number;
  code_hash: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  end_reason: PasswordResetEnd | null;
}

const OFFICIALS = `SELECT DISTINCT u.first_name AS "firstName", u.last_name AS "lastName", u.email AS email, o.name AS organization, u.id AS id
   FROM role_assignments a
   JOIN roles r ON r.id = a.role_id AND r.security_official_kind IS NOT NULL
   JOIN users u ON u.id = a.user_id AND u.status = 'active'
   JOIN organizations o ON o.id = a.organization_id`;

export class SqlPasswordResetStore implements PasswordResetStore {
  constructor(private readonly ctx: StoreContext) {}

  async open(
    reset: { userRowId: number; tokenHash: string; codeHash: string; expiresAt: number },
    step: { credentialRowId: number; step: number },
    audit: AuditDraft[],
  ): Promise<number | false> {
    return this.ctx.db.transaction(async (tx): Promise<number | false> => {
      const now = this.ctx.clock.now();
      const consumed = await tx.run(
        'UPDATE mfa_credentials SET last_used_step = ?, last_used_at = ? WHERE id = ? AND user_id = ? AND (last_used_step IS NULL OR last_used_step < ?)',
        [step.step, now, step.credentialRowId, reset.userRowId, step.step],
      );
      if (consumed.changes !== 1) return false;
      await tx.run("UPDATE password_resets SET ended_at = ?, end_reason = 'replaced' WHERE user_id = ? AND ended_at IS NULL", [now, reset.userRowId]);
      const inserted = await tx.get<{ id: number }>(
        'INSERT INTO password_resets (user_id, token_hash, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
        [reset.userRowId, reset.tokenHash, reset.codeHash, now, reset.expiresAt],
      );
      const id = inserted!.id;
      await this.ctx.appendAudit(
        tx,
        audit.map((event) => ({ ...event, details: { ...event.details, resetId: id } })),
      );
      return id;
    });
  }

  async byTokenHash(tokenHash: string): Promise<PasswordResetRecord | null> {
    const row = await this.ctx.db.get<ResetRow>(
      'SELECT id, user_id, code_hash, created_at, expires_at, ended_at, end_reason FROM password_resets WHERE token_hash = ?',
      [tokenHash],
    );
    return row ? toRecord(row) : null;
  }

  async end(id: number, reason: Exclude<PasswordResetEnd, 'used'>, audit: AuditDraft[]): Promise<boolean> {
    return this.ctx.db.transaction(async (tx): Promise<boolean> => {
      const now = this.ctx.clock.now();
      const ended = await tx.run('UPDATE password_resets SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL', [now, reason, id]);
      if (ended.changes !== 1) return false;
      await this.ctx.appendAudit(tx, audit);
      return true;
    });
  }

  async complete(id: number, userRowId: number, passwordHash: string, audit: AuditDraft[]): Promise<boolean> {
    try {
      await this.ctx.db.transaction(async (tx) => {
        const now = this.ctx.clock.now();
        const used = await tx.run(
          "UPDATE password_resets SET ended_at = ?, end_reason = 'used' WHERE id = ? AND user_id = ? AND ended_at IS NULL AND expires_at > ?",
          [now, id, userRowId, now],
        );
        if (used.changes !== 1) throw new ResetRaced();
        const changed = await tx.run(
          `UPDATE users SET password_hash = ?, must_change_password = 0, temporary_password_expires_at = NULL,
                  failed_attempts = 0, temporary_lock_count = 0, locked_until = NULL
            WHERE id = ? AND status = 'active'`,
          [passwordHash, userRowId],
        );
        if (changed.changes !== 1) throw new ResetRaced();
        await this.ctx.appendAudit(tx, audit);
      });
      return true;
    } catch (error) {
      if (error instanceof ResetRaced) return false;
      throw error;
    }
  }

  async contactsFor(userRowId: number): Promise<ResetContact[]> {
    const own = await this.ctx.db.all<ResetContact & { id: number }>(
      `${OFFICIALS}
        WHERE a.organization_id IN (
                -- Roles held, not requests pending: filing a request must not buy a list of an organization's officials.
                SELECT organization_id FROM role_assignments WHERE user_id = ?
                UNION SELECT home_organization_id FROM users WHERE id = ? AND home_organization_id IS NOT NULL)
          AND u.id <> ?
        ORDER BY o.name, u.last_name, u.first_name, u.id
        LIMIT 20`,
      [userRowId, userRowId, userRowId],
    );
    const rows =
      own.length > 0
        ? own
        : await this.ctx.db.all<ResetContact & { id: number }>(
            `${OFFICIALS} WHERE o.kind = 'cms' AND u.id <> ? ORDER BY u.last_name, u.first_name, u.id LIMIT 20`,
            [userRowId],
          );
    return rows.map(({ firstName, lastName, email, organization }) => ({ firstName, lastName, email, organization }));
  }
}

function toRecord(row: ResetRow): PasswordResetRecord {
  return {
    id: row.id,
    userRowId: row.user_id,
    codeHash: row.code_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
  };
}

/** Rolls back a reset whose account stopped being active under it. */
class ResetRaced extends Error {}

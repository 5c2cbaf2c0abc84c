import { fillSlots } from './slots.js';
import type { Slotted } from './slots.js';
import { insertOutboxRows } from './outbox-rows.js';
import type { OutboxDraft } from './outbox-rows.js';
import { setMeta } from './seed.js';
import type { SqlExecutor } from './sql.js';
import type { StoreContext } from './store-context.js';
import type { AuditDraft } from './types.js';

export type OutboxStatus = 'owed' | 'sent' | 'failed';

export interface OutboxRecord {
  id: number;
  to: string;
  subject: string;
  body: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  organizationId: number | null;
  requestId: number | null;
}

/**
 * The rows an official may see: every row (a CMS Security Official), or the rows of the
 * organizations where they hold a Security Official role. Rows about no organization are
 * console-wide mail and belong to the CMS scope only.
 */
export type OutboxScope = { kind: 'all' } | { kind: 'organizations'; organizationIds: readonly number[] };

export type RetryOutcome = { outcome: 'retried'; row: OutboxRecord } | { outcome: 'not_found' } | { outcome: 'sent'; row: OutboxRecord };

/** An organization with requests pending longer than the stale limit. */
export interface StaleOrganization {
  organizationId: number;
  displayId: string;
  name: string;
  staleCount: number;
  oldestRequestedAt: number;
}

export interface StaleRequestLine {
  requestId: number;
  firstName: string;
  lastName: string;
  role: string;
  program: string;
  requestedAt: number;
}

export interface MailRecipient {
  userRowId: number;
  email: string;
  firstName: string;
  lastName: string;
}

/** The emails the console owes: listing, delivery bookkeeping, retry, and the stale reminders' schedule. */
export interface OutboxStore {
  /** Newest first. */
  list(scope: OutboxScope, status: OutboxStatus | undefined, limit: number): Promise<OutboxRecord[]>;
  /**
   * Makes a failed or owed row in scope due now (attempts kept), with its audit event, in one
   * transaction; a row outside the scope is 'not_found', whether or not it exists.
   */
  /** `audit`'s slots are filled from the email's row as it was: id, kind, status, attempts, organizationId, requestId. */
  retry(id: number, scope: OutboxScope, now: number, audit: Slotted<AuditDraft>): Promise<RetryOutcome>;
  /** Ids of owed rows due at `now`, earliest first. */
  dueIds(now: number, limit: number): Promise<number[]>;
  /**
   * Takes a due owed row for one delivery attempt: attempts + 1 and next_attempt_at moved to
   * `leaseUntil`, so that the row is due again (and resent) if the console dies mid-send.
   * Null when the row is no longer owed and due (sent, retried or taken meanwhile).
   */
  claim(id: number, now: number, leaseUntil: number): Promise<OutboxRecord | null>;
  markSent(id: number, sentAt: number): Promise<void>;
  /** Records a failed attempt: 'owed' again at nextAttemptAt, or 'failed' for good. */
  markAttemptFailed(id: number, outcome: { status: 'owed' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void>;
  /** Organizations with requests pending since before `cutoff`. */
  staleOrganizations(cutoff: number): Promise<StaleOrganization[]>;
  /** The oldest stale requests of one organization, for the reminder's body. */
  staleRequests(organizationId: number, cutoff: number, limit: number): Promise<StaleRequestLine[]>;
  /** The Security Officials of an organization whose accounts can still act. */
  securityOfficials(organizationId: number): Promise<MailRecipient[]>;
  /**
   * Writes an organization's stale reminder rows unless one was written less than `minGapMs`
   * ago; the time of the last one is kept in the database, so a restart does not repeat it.
   * False when it was too soon (nothing written).
   */
  writeStaleReminder(organizationId: number, now: number, minGapMs: number, drafts: readonly OutboxDraft[]): Promise<boolean>;
  /** When an organization's last stale reminder was written, if ever. */
  lastStaleReminderAt(organizationId: number): Promise<number | null>;
}

interface OutboxRow {
  id: number;
  to_address: string;
  subject: string;
  body: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  organization_id: number | null;
  request_id: number | null;
}

const toRecord = (r: OutboxRow): OutboxRecord => ({
  id: r.id,
  to: r.to_address,
  subject: r.subject,
  body: r.body,
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  organizationId: r.organization_id,
  requestId: r.request_id,
});

const COLUMNS = `id, to_address, subject, body, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at, organization_id, request_id`;

/** console_meta key holding when an organization's last stale reminder was written (epoch ms). */
export const staleReminderKey = (organizationId: number): string => `stale-reminder:organization:${organizationId}`;

function inScope(row: OutboxRecord, scope: OutboxScope): boolean {
  if (scope.kind === 'all') return true;
  return row.organizationId !== null && scope.organizationIds.includes(row.organizationId);
}

export class SqlOutboxStore implements OutboxStore {
  constructor(private readonly ctx: StoreContext) {}

  async list(scope: OutboxScope, status: OutboxStatus | undefined, limit: number): Promise<OutboxRecord[]> {
    if (scope.kind === 'organizations') {
      if (scope.organizationIds.length === 0) return [];
      // (organization_id, created_at) index: an official of one organization gets the newest rows without a sort.
      const marks = scope.organizationIds.map(() => '?').join(',');
      const sql = `SELECT ${COLUMNS} FROM outbox WHERE organization_id IN (${marks}) ${status ? 'AND status = ?' : ''}
                    ORDER BY created_at DESC, id DESC LIMIT ?`;
      return (await this.ctx.db.all<OutboxRow>(sql, [...scope.organizationIds, ...(status ? [status] : []), limit])).map(toRecord);
    }
    // Every row (CMS): newest by id, which grows with insertion, so no sort. Sent rows are nearly
    // all of a busy outbox: walking the rowid backwards finds the newest at once, where the
    // (status, next_attempt_at) index would sort every sent row; SQLite's unary plus keeps it off
    // that index (PostgreSQL has no unary plus on text, and its planner weighs the index itself).
    // Owed and failed rows are few and use it.
    const column = status === 'sent' && this.ctx.dialect === 'sqlite' ? '+status' : 'status';
    const where = status ? `WHERE ${column} = ?` : '';
    return (await this.ctx.db.all<OutboxRow>(`SELECT ${COLUMNS} FROM outbox ${where} ORDER BY id DESC LIMIT ?`, [...(status ? [status] : []), limit])).map(
      toRecord,
    );
  }

  async retry(id: number, scope: OutboxScope, now: number, audit: Slotted<AuditDraft>): Promise<RetryOutcome> {
    return this.ctx.db.transaction(async (tx): Promise<RetryOutcome> => {
      const found = await byId(tx, id);
      if (!found || !inScope(found, scope)) return { outcome: 'not_found' };
      if (found.status === 'sent') return { outcome: 'sent', row: found };
      await tx.run("UPDATE outbox SET status = 'owed', next_attempt_at = ? WHERE id = ?", [now, id]);
      const { id: rowId, kind, status, attempts, organizationId, requestId } = found;
      await this.ctx.appendAudit(tx, [fillSlots<AuditDraft>(audit, { id: rowId, kind, status, attempts, organizationId, requestId })]);
      return { outcome: 'retried', row: (await byId(tx, id))! };
    });
  }

  async dueIds(now: number, limit: number): Promise<number[]> {
    return (
      await this.ctx.db.all<{ id: number }>("SELECT id FROM outbox WHERE status = 'owed' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?", [
        now,
        limit,
      ])
    ).map((r) => r.id);
  }

  async claim(id: number, now: number, leaseUntil: number): Promise<OutboxRecord | null> {
    // One statement, so one sender takes the row: on PostgreSQL a second sender's UPDATE waits for
    // the first to commit, then checks its WHERE against the leased row and matches nothing.
    const row = await this.ctx.db.get<OutboxRow>(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
        WHERE id = ? AND status = 'owed' AND next_attempt_at <= ?
        RETURNING ${COLUMNS}`,
      [leaseUntil, id, now],
    );
    return row ? toRecord(row) : null;
  }

  async markSent(id: number, sentAt: number): Promise<void> {
    await this.ctx.db.run("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ? AND status = 'owed'", [sentAt, id]);
  }

  async markAttemptFailed(id: number, outcome: { status: 'owed' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void> {
    await this.ctx.db.run("UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'owed'", [
      outcome.status,
      outcome.nextAttemptAt,
      outcome.lastError,
      id,
    ]);
  }

  async staleOrganizations(cutoff: number): Promise<StaleOrganization[]> {
    // min() of the organization's display id and name (one per group): PostgreSQL refuses a bare
    // column it cannot tell is grouped, and grouping by o.id too would cost SQLite two sorts.
    return this.ctx.db.all<StaleOrganization>(
      `SELECT r.organization_id AS "organizationId", min(o.display_id) AS "displayId", min(o.name) AS name,
              count(*) AS "staleCount", min(r.requested_at) AS "oldestRequestedAt"
         FROM role_requests r JOIN organizations o ON o.id = r.organization_id
        WHERE r.status = 'pending' AND r.requested_at < ?
        GROUP BY r.organization_id
        ORDER BY r.organization_id`,
      [cutoff],
    );
  }

  async staleRequests(organizationId: number, cutoff: number, limit: number): Promise<StaleRequestLine[]> {
    return this.ctx.db.all<StaleRequestLine>(
      `SELECT r.id AS "requestId", u.first_name AS "firstName", u.last_name AS "lastName", ro.name AS role, p.name AS program,
              r.requested_at AS "requestedAt"
         FROM role_requests r
         JOIN users u ON u.id = r.requester_id
         JOIN roles ro ON ro.id = r.role_id
         JOIN programs p ON p.id = r.program_id
        WHERE r.organization_id = ? AND r.status = 'pending' AND r.requested_at < ?
        ORDER BY r.requested_at, r.id
        LIMIT ?`,
      [organizationId, cutoff, limit],
    );
  }

  async securityOfficials(organizationId: number): Promise<MailRecipient[]> {
    return this.ctx.db.all<MailRecipient>(
      `SELECT DISTINCT u.id AS "userRowId", u.email AS email, u.first_name AS "firstName", u.last_name AS "lastName"
         FROM role_assignments a
         JOIN roles r ON r.id = a.role_id
         JOIN users u ON u.id = a.user_id
        WHERE a.organization_id = ? AND r.security_official_kind IS NOT NULL
          AND u.status NOT IN ('deactivated', 'not_activated')
        ORDER BY u.id`,
      [organizationId],
    );
  }

  async writeStaleReminder(organizationId: number, now: number, minGapMs: number, drafts: readonly OutboxDraft[]): Promise<boolean> {
    // Serializable on both engines: of two consoles writing the same reminder at once, one sees the other's time and writes nothing.
    return this.ctx.db.transaction(async (tx): Promise<boolean> => {
      const last = await lastStaleReminderAt(tx, organizationId);
      // A last reminder "in the future" means the clock was set back: do not stay silent for that long.
      if (last !== null && last <= now && now - last < minGapMs) return false;
      await setMeta(tx, staleReminderKey(organizationId), String(now));
      // Dated `now`, the time the gap is counted from, like the meta row above.
      await insertOutboxRows(tx, now, drafts);
      return true;
    });
  }

  async lastStaleReminderAt(organizationId: number): Promise<number | null> {
    return lastStaleReminderAt(this.ctx.db, organizationId);
  }
}

async function lastStaleReminderAt(on: SqlExecutor, organizationId: number): Promise<number | null> {
  const row = await on.get<{ value: string }>('SELECT value FROM console_meta WHERE key = ?', [staleReminderKey(organizationId)]);
  const value = row ? Number(row.value) : NaN;
  return Number.isFinite(value) ? value : null;
}

async function byId(on: SqlExecutor, id: number): Promise<OutboxRecord | null> {
  const row = await on.get<OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`, [id]);
  return row ? toRecord(row) : null;
}

import { fillSlots } from './slots.js';
import type { Slotted } from './slots.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { appendAuditSync } from './audit-chain.js';
import { insertOutboxRowsSync } from './outbox-rows.js';
import type { OutboxDraft } from './outbox-rows.js';
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

export class SqliteOutboxStore implements OutboxStore {
  constructor(
    readonly db: Database,
    readonly clock: Clock,
  ) {}

  async list(scope: OutboxScope, status: OutboxStatus | undefined, limit: number): Promise<OutboxRecord[]> {
    if (scope.kind === 'organizations') {
      if (scope.organizationIds.length === 0) return [];
      // (organization_id, created_at) index: an official of one organization gets the newest rows without a sort.
      const marks = scope.organizationIds.map(() => '?').join(',');
      const sql = `SELECT ${COLUMNS} FROM outbox WHERE organization_id IN (${marks}) ${status ? 'AND status = ?' : ''}
                    ORDER BY created_at DESC, id DESC LIMIT ?`;
      return (this.db.prepare(sql).all(...scope.organizationIds, ...(status ? [status] : []), limit) as OutboxRow[]).map(toRecord);
    }
    // Every row (CMS): newest by id, which grows with insertion, so no sort. Sent rows are nearly
    // all of a busy outbox: walking the rowid backwards finds the newest at once, where the
    // (status, next_attempt_at) index would sort every sent row; the unary plus keeps SQLite off
    // that index. Owed and failed rows are few and use it.
    const where = status ? `WHERE ${status === 'sent' ? '+status' : 'status'} = ?` : '';
    return (this.db.prepare(`SELECT ${COLUMNS} FROM outbox ${where} ORDER BY id DESC LIMIT ?`).all(...(status ? [status] : []), limit) as OutboxRow[]).map(
      toRecord,
    );
  }

  async retry(id: number, scope: OutboxScope, now: number, audit: Slotted<AuditDraft>): Promise<RetryOutcome> {
    return this.db
      .transaction((): RetryOutcome => {
        const found = this.byIdSync(id);
        if (!found || !inScope(found, scope)) return { outcome: 'not_found' };
        if (found.status === 'sent') return { outcome: 'sent', row: found };
        this.db.prepare("UPDATE outbox SET status = 'owed', next_attempt_at = ? WHERE id = ?").run(now, id);
        const { id: rowId, kind, status, attempts, organizationId, requestId } = found;
        appendAuditSync(this.db, now, [fillSlots<AuditDraft>(audit, { id: rowId, kind, status, attempts, organizationId, requestId })]);
        return { outcome: 'retried', row: this.byIdSync(id)! };
      })
      .immediate();
  }

  async dueIds(now: number, limit: number): Promise<number[]> {
    return (
      this.db.prepare("SELECT id FROM outbox WHERE status = 'owed' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?").all(now, limit) as Array<{
        id: number;
      }>
    ).map((r) => r.id);
  }

  async claim(id: number, now: number, leaseUntil: number): Promise<OutboxRecord | null> {
    const row = this.db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
          WHERE id = ? AND status = 'owed' AND next_attempt_at <= ?
          RETURNING ${COLUMNS}`,
      )
      .get(leaseUntil, id, now) as OutboxRow | undefined;
    return row ? toRecord(row) : null;
  }

  async markSent(id: number, sentAt: number): Promise<void> {
    this.db.prepare("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ? AND status = 'owed'").run(sentAt, id);
  }

  async markAttemptFailed(id: number, outcome: { status: 'owed' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void> {
    this.db
      .prepare("UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'owed'")
      .run(outcome.status, outcome.nextAttemptAt, outcome.lastError, id);
  }

  async staleOrganizations(cutoff: number): Promise<StaleOrganization[]> {
    return this.db
      .prepare(
        `SELECT r.organization_id AS organizationId, o.display_id AS displayId, o.name AS name,
                count(*) AS staleCount, min(r.requested_at) AS oldestRequestedAt
           FROM role_requests r JOIN organizations o ON o.id = r.organization_id
          WHERE r.status = 'pending' AND r.requested_at < ?
          GROUP BY r.organization_id
          ORDER BY r.organization_id`,
      )
      .all(cutoff) as StaleOrganization[];
  }

  async staleRequests(organizationId: number, cutoff: number, limit: number): Promise<StaleRequestLine[]> {
    return this.db
      .prepare(
        `SELECT r.id AS requestId, u.first_name AS firstName, u.last_name AS lastName, ro.name AS role, p.name AS program,
                r.requested_at AS requestedAt
           FROM role_requests r
           JOIN users u ON u.id = r.requester_id
           JOIN roles ro ON ro.id = r.role_id
           JOIN programs p ON p.id = r.program_id
          WHERE r.organization_id = ? AND r.status = 'pending' AND r.requested_at < ?
          ORDER BY r.requested_at, r.id
          LIMIT ?`,
      )
      .all(organizationId, cutoff, limit) as StaleRequestLine[];
  }

  async securityOfficials(organizationId: number): Promise<MailRecipient[]> {
    return this.db
      .prepare(
        `SELECT DISTINCT u.id AS userRowId, u.email AS email, u.first_name AS firstName, u.last_name AS lastName
           FROM role_assignments a
           JOIN roles r ON r.id = a.role_id
           JOIN users u ON u.id = a.user_id
          WHERE a.organization_id = ? AND r.security_official_kind IS NOT NULL
            AND u.status NOT IN ('deactivated', 'not_activated')
          ORDER BY u.id`,
      )
      .all(organizationId) as MailRecipient[];
  }

  async writeStaleReminder(organizationId: number, now: number, minGapMs: number, drafts: readonly OutboxDraft[]): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const last = this.lastStaleReminderAtSync(organizationId);
        // A last reminder "in the future" means the clock was set back: do not stay silent for that long.
        if (last !== null && last <= now && now - last < minGapMs) return false;
        this.db
          .prepare('INSERT INTO console_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
          .run(staleReminderKey(organizationId), String(now));
        insertOutboxRowsSync(this.db, now, drafts);
        return true;
      })
      .immediate();
  }

  async lastStaleReminderAt(organizationId: number): Promise<number | null> {
    return this.lastStaleReminderAtSync(organizationId);
  }

  private lastStaleReminderAtSync(organizationId: number): number | null {
    const row = this.db.prepare('SELECT value FROM console_meta WHERE key = ?').get(staleReminderKey(organizationId)) as { value: string } | undefined;
    const value = row ? Number(row.value) : NaN;
    return Number.isFinite(value) ? value : null;
  }

  private byIdSync(id: number): OutboxRecord | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`).get(id) as OutboxRow | undefined;
    return row ? toRecord(row) : null;
  }
}

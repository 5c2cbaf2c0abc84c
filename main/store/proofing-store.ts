import type { ProofingState } from '../../shared/domain.js';
import type { EvidenceKind, ProofingDocument } from '../../shared/proofing.js';
import { NO_AUTHORITY, holdsAuthority } from './authority.js';
import type { OutboxDraft } from './outbox-rows.js';
import type { SqlExecutor } from './sql.js';
import type { StoreContext } from './store-context.js';
import type { AuditDraft } from './types.js';

export type ProofingDecision = 'approved' | 'cancelled' | 'rejected';

export interface NewProofingRecord {
  subjectId: number;
  officialId: number;
  decision: ProofingDecision;
  documents: Partial<Record<EvidenceKind, ProofingDocument>>;
  appearedInPerson: boolean;
  reason: string | null;
  comments: string | null;
  suspectedFraud: boolean;
}

export interface ProofingRecord extends NewProofingRecord {
  id: number;
  decidedAt: number;
  officialName: string;
  officialEmail: string;
  subjectUserId: string;
  subjectName: string;
}

interface RecordRow {
  id: number;
  subjectId: number;
  officialId: number;
  decision: ProofingDecision;
  documents: string;
  appearedInPerson: number;
  reason: string | null;
  comments: string | null;
  suspectedFraud: number;
  decidedAt: number;
  officialName: string;
  officialEmail: string;
  subjectUserId: string;
  subjectName: string;
}

const RECORD_SELECT = `
  SELECT r.id, r.subject_id AS "subjectId", r.official_id AS "officialId", r.decision, r.documents, r.appeared_in_person AS "appearedInPerson",
         r.reason, r.comments, r.suspected_fraud AS "suspectedFraud", r.decided_at AS "decidedAt",
         o.first_name || ' ' || o.last_name AS "officialName", o.email AS "officialEmail",
         s.user_id AS "subjectUserId", s.first_name || ' ' || s.last_name AS "subjectName"
    FROM proofing_records r JOIN users o ON o.id = r.official_id JOIN users s ON s.id = r.subject_id`;

const toRecord = (r: RecordRow): ProofingRecord => ({
  ...r,
  documents: JSON.parse(r.documents) as ProofingRecord['documents'],
  appearedInPerson: r.appearedInPerson === 1,
  suspectedFraud: r.suspectedFraud === 1,
});

/** Proofing records and the proofing state they set. Records keep no whole document number. */
export interface ProofingStore {
  /**
   * Writes a decision; when `newState` is given, the subject's state changes in the same transaction.
   * Nothing is written, and the answer says why, when by then the subject's state is no longer
   * `stateRead`, the state the official decided on ('changed': another official's decision or the
   * remote provider's outcome committed meanwhile), or the official no longer administers any of
   * the subject's organizations.
   */
  record(
    record: NewProofingRecord,
    newState: ProofingState | null,
    audit: AuditDraft[],
    outbox: OutboxDraft[],
    stateRead: ProofingState,
  ): Promise<number | 'changed' | typeof NO_AUTHORITY>;
  byId(recordId: number): Promise<ProofingRecord | null>;
  history(subjectId: number): Promise<ProofingRecord[]>;
  /** A remote provider's outcome: the state and its reference ID. False, and nothing written, when the user is proofed by then. */
  setRemoteOutcome(userRowId: number, state: ProofingState, reference: string | null, audit: AuditDraft[]): Promise<boolean>;
  reference(userRowId: number): Promise<string | null>;
  /** The Security Officials of every organization the user belongs to, but one. */
  officialEmailsAround(userRowId: number, exceptUserRowId: number): Promise<Array<{ email: string; organizationId: number }>>;
}

/** Rolls back a decision on a person whose proofing changed meanwhile. */
class StateChanged extends Error {}
/** Rolls back an outcome on a person proofed meanwhile. */
class AlreadyProofed extends Error {}
/** Rolls back a decision by an official who no longer administers the person. */
class AuthorityGone extends Error {}

export class SqlProofingStore implements ProofingStore {
  constructor(private readonly ctx: StoreContext) {}

  async record(
    record: NewProofingRecord,
    newState: ProofingState | null,
    audit: AuditDraft[],
    outbox: OutboxDraft[],
    stateRead: ProofingState,
  ): Promise<number | 'changed' | typeof NO_AUTHORITY> {
    try {
      return await this.ctx.db.transaction(async (tx) => this.recordIn(tx, record, newState, audit, outbox, stateRead));
    } catch (error) {
      if (error instanceof StateChanged) return 'changed';
      if (error instanceof AuthorityGone) return NO_AUTHORITY;
      throw error;
    }
  }

  private async recordIn(
    tx: SqlExecutor,
    record: NewProofingRecord,
    newState: ProofingState | null,
    audit: AuditDraft[],
    outbox: OutboxDraft[],
    stateRead: ProofingState,
  ): Promise<number> {
    const inserted = await tx.get<{ id: number }>(
      `INSERT INTO proofing_records (subject_id, official_id, decision, documents, appeared_in_person, reason, comments, suspected_fraud, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        record.subjectId,
        record.officialId,
        record.decision,
        JSON.stringify(record.documents),
        record.appearedInPerson ? 1 : 0,
        record.reason,
        record.comments,
        record.suspectedFraud ? 1 : 0,
        this.ctx.clock.now(),
      ],
    );
    const id = inserted!.id;
    // The state is read again under the write, and must still be the one decided on (a proofed
    // person never is: the caller refuses those). On PostgreSQL the UPDATE (or FOR UPDATE) waits
    // for a concurrent decision on the same person and then sees it; SQLite has one writer at a time.
    const unchanged = `id = ? AND proofing_state = ? AND proofing_state NOT IN ('proofed_remote', 'proofed_in_person')`;
    const still =
      newState !== null
        ? (await tx.run(`UPDATE users SET proofing_state = ? WHERE ${unchanged}`, [newState, record.subjectId, stateRead])).changes === 1
        : (await tx.get(`SELECT id FROM users WHERE ${unchanged}${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [record.subjectId, stateRead])) !==
          undefined;
    if (!still) throw new StateChanged();
    if (!(await holdsAuthority(tx, { officialId: record.officialId, over: 'member', userRowId: record.subjectId }))) throw new AuthorityGone();
    await this.ctx.appendAudit(
      tx,
      audit.map((e) => ({ ...e, details: { ...e.details, recordId: id } })),
    );
    await this.ctx.queueEmail(tx, outbox);
    return id;
  }

  async byId(recordId: number): Promise<ProofingRecord | null> {
    const row = await this.ctx.db.get<RecordRow>(`${RECORD_SELECT} WHERE r.id = ?`, [recordId]);
    return row ? toRecord(row) : null;
  }

  async history(subjectId: number): Promise<ProofingRecord[]> {
    return (await this.ctx.db.all<RecordRow>(`${RECORD_SELECT} WHERE r.subject_id = ? ORDER BY r.decided_at DESC, r.id DESC`, [subjectId])).map(toRecord);
  }

  async setRemoteOutcome(userRowId: number, state: ProofingState, reference: string | null, audit: AuditDraft[]): Promise<boolean> {
    try {
      await this.ctx.db.transaction(async (tx) => {
        // The in-person backlog is listed oldest referral first: a referral keeps its first date.
        const changed = await tx.run(
          `UPDATE users SET proofing_state = ?, proofing_reference = ?,
                  proofing_referred_at = CASE WHEN CAST(? AS TEXT) <> 'referred_in_person' THEN NULL WHEN proofing_state = 'referred_in_person' THEN proofing_referred_at ELSE CAST(? AS BIGINT) END
            WHERE id = ? AND proofing_state NOT IN ('proofed_remote', 'proofed_in_person')`,
          [state, reference, state, this.ctx.clock.now(), userRowId],
        );
        if (changed.changes !== 1) throw new AlreadyProofed();
        await this.ctx.appendAudit(tx, audit);
      });
      return true;
    } catch (error) {
      if (error instanceof AlreadyProofed) return false;
      throw error;
    }
  }

  async officialEmailsAround(userRowId: number, exceptUserRowId: number): Promise<Array<{ email: string; organizationId: number }>> {
    return this.ctx.db.all<{ email: string; organizationId: number }>(
      `SELECT DISTINCT u.email, a.organization_id AS "organizationId" FROM role_assignments a
         JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
        WHERE r.security_official_kind IS NOT NULL AND u.status = 'active' AND u.id <> ?
          AND a.organization_id IN (SELECT organization_id FROM user_directory WHERE user_id = ?)
        ORDER BY u.email, a.organization_id`,
      [exceptUserRowId, userRowId],
    );
  }

  async reference(userRowId: number): Promise<string | null> {
    return (await this.ctx.db.get<{ r: string | null }>('SELECT proofing_reference AS r FROM users WHERE id = ?', [userRowId]))?.r ?? null;
  }
}

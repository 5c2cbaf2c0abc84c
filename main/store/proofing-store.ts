import type { ProofingState } from '../../shared/domain.js';
import type { EvidenceKind, ProofingDocument } from '../../shared/proofing.js';
import type { OutboxDraft } from './outbox-rows.js';
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
  /** Writes a decision; when `newState` is given, the subject's state changes in the same transaction. */
  record(record: NewProofingRecord, newState: ProofingState | null, audit: AuditDraft[], outbox: OutboxDraft[]): Promise<number>;
  byId(recordId: number): Promise<ProofingRecord | null>;
  history(subjectId: number): Promise<ProofingRecord[]>;
  /** A remote provider's outcome: the state and its reference ID. */
  setRemoteOutcome(userRowId: number, state: ProofingState, reference: string | null, audit: AuditDraft[]): Promise<void>;
  reference(userRowId: number): Promise<string | null>;
  /** The Security Officials of every organization the user belongs to, but one. */
  officialEmailsAround(userRowId: number, exceptUserRowId: number): Promise<Array<{ email: string; organizationId: number }>>;
}

export class SqlProofingStore implements ProofingStore {
  constructor(private readonly ctx: StoreContext) {}

  async record(record: NewProofingRecord, newState: ProofingState | null, audit: AuditDraft[], outbox: OutboxDraft[]): Promise<number> {
    return this.ctx.db.transaction(async (tx) => {
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
      if (newState !== null) await tx.run('UPDATE users SET proofing_state = ? WHERE id = ?', [newState, record.subjectId]);
      await this.ctx.appendAudit(
        tx,
        audit.map((e) => ({ ...e, details: { ...e.details, recordId: id } })),
      );
      await this.ctx.queueEmail(tx, outbox);
      return id;
    });
  }

  async byId(recordId: number): Promise<ProofingRecord | null> {
    const row = await this.ctx.db.get<RecordRow>(`${RECORD_SELECT} WHERE r.id = ?`, [recordId]);
    return row ? toRecord(row) : null;
  }

  async history(subjectId: number): Promise<ProofingRecord[]> {
    return (await this.ctx.db.all<RecordRow>(`${RECORD_SELECT} WHERE r.subject_id = ? ORDER BY r.decided_at DESC, r.id DESC`, [subjectId])).map(toRecord);
  }

  async setRemoteOutcome(userRowId: number, state: ProofingState, reference: string | null, audit: AuditDraft[]): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      // The in-person backlog is listed oldest referral first: a referral keeps its first date.
      await tx.run(
        `UPDATE users SET proofing_state = ?, proofing_reference = ?,
                proofing_referred_at = CASE WHEN CAST(? AS TEXT) <> 'referred_in_person' THEN NULL WHEN proofing_state = 'referred_in_person' THEN proofing_referred_at ELSE CAST(? AS BIGINT) END
          WHERE id = ?`,
        [state, reference, state, this.ctx.clock.now(), userRowId],
      );
      await this.ctx.appendAudit(tx, audit);
    });
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

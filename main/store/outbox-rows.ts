import type { SqlExecutor } from './sql.js';

/** An email the console owes, written in the same transaction as the decision that owes it. */
export interface OutboxDraft {
  to: string;
  subject: string;
  body: string;
  /** What the email is about: 'request.filed', 'request.decided', 'request.stale', ... */
  kind: string;
  organizationId: number | null;
  requestId: number | null;
}

/** The outbox rows in the caller's transaction, on either engine; many rows go in one statement. */
export async function insertOutboxRows(tx: SqlExecutor, now: number, drafts: readonly OutboxDraft[]): Promise<void> {
  for (let start = 0; start < drafts.length; start += ROWS_PER_INSERT) {
    const batch = drafts.slice(start, start + ROWS_PER_INSERT);
    await tx.run(
      `INSERT INTO outbox (to_address, subject, body, kind, status, attempts, next_attempt_at, created_at, organization_id, request_id)
       VALUES ${batch.map(() => "(?, ?, ?, ?, 'owed', 0, ?, ?, ?, ?)").join(', ')}`,
      batch.flatMap((d) => [d.to, d.subject, d.body, d.kind, now, now, d.organizationId, d.requestId]),
    );
  }
}

/** Rows per multi-row INSERT: one round trip to a database server instead of one per row, well under either engine's limit on parameters. */
const ROWS_PER_INSERT = 50;

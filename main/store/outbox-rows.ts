import type { Database } from 'better-sqlite3';

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

export function insertOutboxRowsSync(db: Database, now: number, drafts: readonly OutboxDraft[]): void {
  const insert = db.prepare(
    `INSERT INTO outbox (to_address, subject, body, kind, status, attempts, next_attempt_at, created_at, organization_id, request_id)
     VALUES (?, ?, ?, ?, 'owed', 0, ?, ?, ?, ?)`,
  );
  for (const d of drafts) insert.run(d.to, d.subject, d.body, d.kind, now, now, d.organizationId, d.requestId);
}

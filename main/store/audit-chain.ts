import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AuditDraft } from './types.js';

/** The hash before the first audit event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainFields {
  id: number;
  at: number;
  actorId: number | null;
  action: string;
  subjectUserId: number | null;
  organizationId: number | null;
  requestId: number | null;
  details: string;
}

/** A fixed field order, so that the same row always hashes the same way. */
export function canonicalAuditRow(row: ChainFields): string {
  return JSON.stringify([row.id, row.at, row.actorId, row.action, row.subjectUserId, row.organizationId, row.requestId, row.details]);
}

export function chainHash(prevHash: string, row: ChainFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalAuditRow(row)).digest('hex');
}

/**
 * Appends audit rows inside the caller's transaction, extending the hash chain. Every store
 * module that writes a decision calls this in the same transaction as the decision.
 */
export function appendAuditSync(db: Database, at: number, events: readonly AuditDraft[]): void {
  if (events.length === 0) return;
  const head = db.prepare('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
  let prevHash = head?.hash ?? GENESIS_HASH;
  let id = head?.id ?? 0;
  const insert = db.prepare(
    `INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash)
     VALUES (@id, @at, @actorId, @action, @subjectUserId, @organizationId, @requestId, @details, @prevHash, @hash)`,
  );
  for (const e of events) {
    id += 1;
    const row = {
      id,
      at,
      actorId: e.actorId,
      action: e.action,
      subjectUserId: e.subjectUserId ?? null,
      organizationId: e.organizationId ?? null,
      requestId: e.requestId ?? null,
      details: JSON.stringify(e.details ?? {}),
    };
    const hash = chainHash(prevHash, row);
    insert.run({ ...row, prevHash, hash });
    prevHash = hash;
  }
}

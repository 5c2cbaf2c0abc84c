import { createHash } from 'node:crypto';

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

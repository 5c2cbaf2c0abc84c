import { createHash } from 'node:crypto';
import type { AuditDraft, ChainFields } from './types.js';
import type { SqlExecutor } from './sql.js';

/** The hash before the first audit event. */
export const GENESIS_HASH = '0'.repeat(64);

/** A fixed field order, so that the same row always hashes the same way. */
export function canonicalAuditRow(row: ChainFields): string {
  return JSON.stringify([row.id, row.at, row.actorId, row.action, row.subjectUserId, row.organizationId, row.requestId, row.details]);
}

export function chainHash(prevHash: string, row: ChainFields): string {
  return chainHashOfCanonical(prevHash, canonicalAuditRow(row));
}

/** SHA-256 over (previous hash, newline, canonical row), in one update: the verifier calls it ten million times. */
export function chainHashOfCanonical(prevHash: string, canonical: string): string {
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

/**
 * Signs the chain head: returns the base64 Ed25519 signature of (event id, hash) by the
 * console's key. Handed to the store's context once when the console opens (Store.signAuditHeadsWith),
 * as a function: no store code reads the key itself.
 */
export type AuditHeadSigner = (eventId: number, hash: string) => string;

/** The bytes an audit head signature covers; the verifiers rebuild them the same way. */
export function auditHeadPayload(consoleId: string, eventId: number, hash: string): Buffer {
  return Buffer.from(`soc-audit-head/1\n${consoleId}\n${eventId}\n${hash}`, 'utf8');
}

/** Re-signs the head of the chain inside the caller's transaction, on either engine. */
export async function signAuditHead(tx: SqlExecutor, at: number, signer: AuditHeadSigner): Promise<void> {
  await lockAuditHead(tx);
  const head = await tx.get<{ id: number; hash: string }>('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1');
  const eventId = head?.id ?? 0;
  const hash = head?.hash ?? GENESIS_HASH;
  await tx.run(
    `INSERT INTO audit_head (singleton, event_id, hash, signature, signed_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (singleton) DO UPDATE SET event_id = excluded.event_id, hash = excluded.hash, signature = excluded.signature, signed_at = excluded.signed_at`,
    [eventId, hash, signer(eventId, hash), at],
  );
}

/**
 * Appends audit rows inside the caller's transaction, on either engine, extending the hash chain
 * and signing its new head (when the console has given its key) in the same transaction.
 */
export async function appendAudit(tx: SqlExecutor, at: number, events: readonly AuditDraft[], signer: AuditHeadSigner | null): Promise<void> {
  if (events.length === 0) return;
  const signed = (await lockAuditHead(tx))?.id ?? 0;
  const head = await tx.get<{ id: number; hash: string }>('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1');
  let prevHash = head?.hash ?? GENESIS_HASH;
  // Never below the signed head: if rows at the end were deleted outside the console, their ids
  // stay missing (the verifier keeps naming them) instead of being handed to new events.
  let id = Math.max(head?.id ?? 0, signed);
  const rows: Array<readonly [number, number, number | null, string, number | null, number | null, number | null, string, string, string]> = [];
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
    rows.push([row.id, row.at, row.actorId, row.action, row.subjectUserId, row.organizationId, row.requestId, row.details, prevHash, hash]);
    prevHash = hash;
  }
  for (let start = 0; start < rows.length; start += AUDIT_ROWS_PER_INSERT) {
    const batch = rows.slice(start, start + AUDIT_ROWS_PER_INSERT);
    await tx.run(
      `INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash)
       VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      batch.flat(),
    );
  }
  if (signer)
    await tx.run('UPDATE audit_head SET event_id = ?, hash = ?, signature = ?, signed_at = ? WHERE singleton = 1', [id, prevHash, signer(id, prevHash), at]);
}

/** Rows per multi-row INSERT: one round trip to a database server for many events. */
const AUDIT_ROWS_PER_INSERT = 50;

/**
 * The signed head, locked on PostgreSQL until the transaction ends: appending transactions run
 * side by side there, and two that read the same last row would fork the chain, so the next
 * appender waits here and then reads the new head. SQLite has one writer at a time already.
 */
function lockAuditHead(tx: SqlExecutor): Promise<{ id: number } | undefined> {
  return tx.get<{ id: number }>(`SELECT event_id AS id FROM audit_head WHERE singleton = 1${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`);
}

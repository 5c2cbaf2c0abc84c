import type { Clock } from '../clock.js';
import { appendAudit, signAuditHead, type AuditHeadSigner } from './audit-chain.js';
import { insertOutboxRows, type OutboxDraft } from './outbox-rows.js';
import type { SqlDatabase, SqlDialect, SqlExecutor } from './sql.js';
import type { AuditDraft } from './types.js';

/**
 * What every store shares, whichever engine is under it: the database, the console's clock, and
 * the one way to extend the audit chain and queue email inside a transaction. Stores write each
 * statement once, in the SQL both engines accept (see sql.ts); where the dialects truly part, a
 * store asks `dialect`.
 */
export class StoreContext {
  private signer: AuditHeadSigner | null = null;

  constructor(
    readonly db: SqlDatabase,
    readonly clock: Clock,
  ) {}

  get dialect(): SqlDialect {
    return this.db.dialect;
  }

  /** From here on every append signs the chain's new head (the console's key, held by the caller's closure). */
  signHeadsWith(signer: AuditHeadSigner): void {
    this.signer = signer;
  }

  /** Appends audit rows in the caller's transaction, extending the hash chain and re-signing its head. */
  appendAudit(tx: SqlExecutor, events: readonly AuditDraft[]): Promise<void> {
    return appendAudit(tx, this.clock.now(), events, this.signer);
  }

  /** Signs the current head in the caller's transaction (no-op until the console has given its key). */
  async signHead(tx: SqlExecutor): Promise<void> {
    if (this.signer) await signAuditHead(tx, this.clock.now(), this.signer);
  }

  /** Queues email in the caller's transaction: it is sent only if the decision that owes it commits. */
  queueEmail(tx: SqlExecutor, drafts: readonly OutboxDraft[]): Promise<void> {
    return insertOutboxRows(tx, this.clock.now(), drafts);
  }
}

import type { AuditTrailStore } from './audit-trail-store.js';
import type { FsidStore } from './fsid-store.js';
import type { HistoryStore } from './history-store.js';
import type { HomeStore } from './home-store.js';
import type { OutboxStore } from './outbox-store.js';
import type { PasswordResetStore } from './password-reset-store.js';
import type { ProofingStore } from './proofing-store.js';
import type { RequestStore } from './requests-store.js';
import type { AuditStore, CredentialStore, MetaStore, OrganizationStore, UserStore } from './types.js';
import type { UserAdminStore } from './users-admin-store.js';

/**
 * What the services may ask of storage. Async on purpose: SQLite answers synchronously today,
 * but a PostgreSQL adapter can be put beside it without touching a service. Every mutating
 * call takes the audit events it owes and writes them in the same transaction.
 * It lives apart from the records (types.ts) because it names the stores, and the stores
 * import those records.
 */
export interface Store {
  close(): Promise<void>;
  meta: MetaStore;
  users: UserStore;
  credentials: CredentialStore;
  organizations: OrganizationStore;
  audit: AuditStore;
  requests: RequestStore;
  outbox: OutboxStore;
  userAdmin: UserAdminStore;
  proofing: ProofingStore;
  fsid: FsidStore;
  history: HistoryStore;
  auditTrail: AuditTrailStore;
  home: HomeStore;
  passwordResets: PasswordResetStore;
}

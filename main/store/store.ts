import type { KeyObject } from 'node:crypto';
import type { AuditAction } from '../../shared/audit-actions.js';
import type { AuditTrailStore } from './audit-trail-store.js';
import type { LiveCheck } from './chain-verify.js';
import type { Scenario } from './seed.js';
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
 * Where the console's data lives: the embedded SQLite file in the data folder (one console per
 * file), or an organization's PostgreSQL database (run and backed up by its database operator).
 */
export type DatabaseLocation = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/**
 * What the services may ask of storage, and all they may ask: no service sees an engine, a
 * connection or SQL. Async because the answer comes from another thread (the embedded engine's
 * own) or another process (a database server). Every mutating call takes the audit events it
 * owes and writes them in the same transaction. It lives apart from the records (types.ts)
 * because it names the stores, and the stores import those records.
 */
export interface Store {
  close(): Promise<void>;
  /**
   * From here on every transaction that appends to the audit trail signs the chain's new head
   * with this key (the console's Ed25519 identity), in the same transaction.
   */
  signAuditHeadsWith(consoleId: string, privateKey: KeyObject): Promise<void>;
  demo: DemoStore;
  meta: MetaStore;
  users: UserStore;
  credentials: CredentialStore;
  organizations: OrganizationStore;
  audit: AuditChainStore;
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

/** The audit trail with what keeping its chain verified needs. */
export interface AuditChainStore extends AuditStore {
  /** Verifies the chain after `afterId` and the signed head, in one consistent read. */
  verifyLive(key: { consoleId: string; publicKeyDer: Buffer }, afterId: number): Promise<LiveCheck>;
  /** Signs the current head now (a database from before heads were signed). */
  signHead(): Promise<void>;
  /** The newest event of an action, if any. */
  lastOfAction(action: AuditAction): Promise<{ at: number; details: string } | null>;
}

/** The demo console's own data: never used on a real console's database. */
export interface DemoStore {
  /** Inserts the scenario, marks the users whose Federal Surveyor ID is requested, and marks the database a demo, all at once. */
  seed(scenario: Scenario, fsidRequestedUserIds: readonly string[]): Promise<void>;
  /** Moves demo sign-ins older than a week up to a week ago, so demo accounts never age into deactivation. */
  refreshActivity(): Promise<void>;
}

import type { AuditAction } from '../../shared/audit-actions.js';
import type { OrganizationKind, ProofingState, UserStatus } from '../../shared/domain.js';
import type { KeyObject } from 'node:crypto';
import type { ChainFields } from './audit-chain.js';
import type { LiveCheck } from './chain-verify.js';
import type { Scenario } from './seed.js';
import type { RequestStore } from './requests-store.js';
import type { OutboxStore } from './outbox-store.js';
import type { UserAdminStore } from './users-admin-store.js';
import type { ProofingStore } from './proofing-store.js';
import type { FsidStore } from './fsid-store.js';
import type { HistoryStore } from './history-store.js';
import type { AuditTrailStore } from './audit-trail-store.js';
import type { HomeStore } from './home-store.js';
import type { PasswordResetStore } from './password-reset-store.js';

/**
 * What the services may ask of storage, and all they may ask: no service sees an engine, a
 * connection or SQL. Async because the answer comes from another thread (the embedded engine's
 * own) or another process (a database server). Every mutating call takes the audit events it
 * owes and writes them in the same transaction.
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

export interface AuditDraft {
  /** Only a registered action (shared/audit-actions.ts), so every event has words and a kind. */
  action: AuditAction;
  actorId: number | null;
  subjectUserId?: number | null;
  organizationId?: number | null;
  requestId?: number | null;
  details?: Record<string, string | number | boolean | null>;
}

export interface AuditEventRecord extends ChainFields {
  prevHash: string;
  hash: string;
}

export interface UserRecord {
  id: number;
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  status: UserStatus;
  passwordHash: string;
  mustChangePassword: boolean;
  failedAttempts: number;
  temporaryLockCount: number;
  lockedUntil: number | null;
  lastSignInAt: number | null;
  createdAt: number;
  proofingState: ProofingState;
  homeOrganizationId: number | null;
  /** When the temporary password an official set stops working (mustChangePassword). */
  temporaryPasswordExpiresAt: number | null;
  /** When an official last reactivated the account: the 120-day rule counts from then too. */
  reactivatedAt: number | null;
  /** The official who created the account (Create user): they neither approve its requests nor proof it. */
  createdBy: number | null;
}

export interface NewUser {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  passwordHash: string;
  status: UserStatus;
  homeOrganizationId: number | null;
  proofingState?: ProofingState;
  mustChangePassword?: boolean;
  phone?: string;
  dateOfBirth?: string | null;
  addressLine1?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  lastSignInAt?: number | null;
}

export type SignInCounters = Pick<UserRecord, 'status' | 'failedAttempts' | 'temporaryLockCount' | 'lockedUntil'>;

export interface CredentialRecord {
  id: number;
  userId: number;
  credentialId: string;
  label: string;
  secretSealed: Buffer;
  lastUsedStep: number | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewCredential {
  credentialId: string;
  label: string;
  secretSealed: Buffer;
  /** The step of the code that confirmed enrollment: it may not be used again. */
  lastUsedStep: number;
}

export interface OrganizationRecord {
  id: number;
  displayId: string;
  name: string;
  kind: OrganizationKind;
  stateCode: string | null;
}

export interface RoleHolding {
  organization: OrganizationRecord;
  program: string;
  role: string;
  securityOfficialKind: OrganizationKind | null;
}

export interface FirstOfficial {
  user: Omit<NewUser, 'status' | 'homeOrganizationId'>;
  organizationName: string;
  credential: NewCredential;
  programs: readonly string[];
  roleName: string;
}

export interface MetaStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

export interface UserStore {
  count(): Promise<number>;
  byUserId(userId: string): Promise<UserRecord | null>;
  byId(id: number): Promise<UserRecord | null>;
  /** Creates the first CMS Security Official, only while no user exists; false if one does. */
  createFirstOfficial(first: FirstOfficial, audit: AuditDraft[]): Promise<number | false>;
  updateSignInCounters(id: number, counters: SignInCounters, audit: AuditDraft[]): Promise<void>;
  /**
   * Records a successful sign-in and consumes the code's time step, only while the account is
   * active and the step is newer than the credential's last one (false: something raced us).
   * `code` is null for the one sign-in without a code: a temporary password and no credential.
   */
  recordSignIn(id: number, code: { credentialRowId: number; step: number } | null, audit: AuditDraft[]): Promise<boolean>;
  roleHoldings(id: number): Promise<RoleHolding[]>;
}

export interface CredentialStore {
  forUser(userId: number): Promise<CredentialRecord[]>;
  /** Adds a credential unless the user already has `max`; false if they have. */
  add(userId: number, credential: NewCredential, max: number, audit: AuditDraft[]): Promise<CredentialRecord | false>;
  /** Consumes a step on a credential, only if newer than its last one. */
  consumeStep(credentialRowId: number, step: number): Promise<boolean>;
  /**
   * Removes a credential after consuming the step of the code that proved possession; refuses
   * (false) when it is the user's last one or the step was already used.
   */
  remove(userId: number, credentialRowId: number, step: number, audit: AuditDraft[]): Promise<'removed' | 'last' | 'replayed'>;
}

export interface OrganizationStore {
  securityOfficialCount(organizationId: number): Promise<number>;
}

export interface AuditStore {
  append(events: AuditDraft[]): Promise<void>;
  /** Events after `afterId`, oldest first. */
  read(afterId: number, limit: number): Promise<AuditEventRecord[]>;
  head(): Promise<{ id: number; hash: string } | null>;
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

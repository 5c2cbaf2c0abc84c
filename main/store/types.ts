import type { AuditAction } from '../../shared/audit-actions.js';
import type { OrganizationKind, ProofingState, UserStatus } from '../../shared/domain.js';
import type { OrganizationMatch, OrganizationSearch } from './organization-search.js';

export interface AuditDraft {
  /** Only a registered action (shared/audit-actions.ts), so every event has words and a kind. */
  action: AuditAction;
  actorId: number | null;
  subjectUserId?: number | null;
  organizationId?: number | null;
  requestId?: number | null;
  details?: Record<string, string | number | boolean | null>;
}

/** An audit event as the chain hashes it (main/store/audit-chain.ts). */
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
  /**
   * Writes an account's failure counts. Its status moves only from `statusRead`, the status the
   * counts were worked out from: an official's deactivation or unlock that committed meanwhile
   * stays as it is (the counts are still written, with their audit).
   */
  updateSignInCounters(id: number, counters: SignInCounters, audit: AuditDraft[], statusRead: UserRecord['status']): Promise<void>;
  /**
   * Records a successful sign-in and consumes the code's time step, only while the account is
   * active and the step is newer than the credential's last one (false: something raced us).
   * `code` is null for the one sign-in without a code: a temporary password and no credential.
   * `passwordRead` is the password the attempt was checked against: an official's reset that
   * committed meanwhile makes the attempt fail, not open a session past the reset.
   */
  recordSignIn(
    id: number,
    code: { credentialRowId: number; step: number } | null,
    audit: AuditDraft[],
    passwordRead: { passwordHash: string; mustChangePassword: boolean },
  ): Promise<boolean>;
  roleHoldings(id: number): Promise<RoleHolding[]>;
  /**
   * The role holdings of someone signed in, for what their session may do: none once their account
   * can no longer hold a session (deactivated, say by an official at another workstation).
   */
  sessionHoldings(id: number): Promise<RoleHolding[]>;
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
  /** The organization picker's matches: see organization-search.ts. */
  search(search: OrganizationSearch): Promise<OrganizationMatch[]>;
}

export interface AuditStore {
  append(events: AuditDraft[]): Promise<void>;
  /** Events after `afterId`, oldest first. */
  read(afterId: number, limit: number): Promise<AuditEventRecord[]>;
  head(): Promise<{ id: number; hash: string } | null>;
}

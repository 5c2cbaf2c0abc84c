/** Domain vocabulary shared by main and renderer. */

export const PROGRAMS = ['iQIES Prod', 'iQIES Prod Test', 'iQIES Preview', 'Hospital Quality Reporting'] as const;
export type ProgramName = (typeof PROGRAMS)[number];

export const ORGANIZATION_KINDS = ['provider', 'state', 'cms'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** Which Security Official role a kind of organization has. */
export const SECURITY_OFFICIAL_ROLE: Record<OrganizationKind, string> = {
  provider: 'Provider Security Official',
  state: 'State Security Official',
  cms: 'CMS Security Official',
};

export const ROLE_NAMES = [
  'Provider Security Official',
  'State Security Official',
  'CMS Security Official',
  'Assessment Coordinator',
  'State Agency General User',
  'Provider Basic User',
  'Surveyor',
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const USER_STATUSES = ['pending', 'active', 'temporarily_locked', 'locked', 'deactivated', 'not_activated'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const PROOFING_STATES = ['not_started', 'referred_phone', 'referred_in_person', 'proofed_remote', 'proofed_in_person', 'rejected'] as const;
export type ProofingState = (typeof PROOFING_STATES)[number];

/** Proofed online or in person: only then may a user request roles (QualityNet guide 5.2). */
export const isProofed = (state: ProofingState): boolean => state === 'proofed_remote' || state === 'proofed_in_person';

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export type OfficialKind = 'cms' | 'state' | 'provider';

/** The pages of the Security Official navigation; only built ones are ever offered. */
export const NAV_PAGES = [
  'my-access',
  'role-requests',
  'outbox',
  'mail-settings',
  'user-lookup',
  'request-history',
  'audit-trail',
  'in-person-proofing',
  'federal-surveyor-ids',
  'backups',
  'my-credentials',
] as const;
export type NavPage = (typeof NAV_PAGES)[number];

/** HARP job aid FAQ: a rejected request can be reopened by the official who rejected it, for a day. */
export const REOPEN_WINDOW_HOURS = 24;
/** Requests pending longer than this are stale: marked, first in the queue, and reminded weekly. */
export const STALE_AFTER_DAYS = 30;
export const REJECTION_REASON_MAX = 500;

/** What a decision in Request History was (iQIES job aid 5: "past approvals and rejections"). */
export const HISTORY_ACTIONS = ['approved', 'rejected'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** The kinds of events the Audit trail filters by; each is a family of audit actions. */
export const AUDIT_CATEGORIES = ['sign-in', 'credentials', 'accounts', 'requests', 'roles', 'proofing', 'exports', 'integrity', 'mail'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

/** The review archive's file extension. */
export const ARCHIVE_EXTENSION = 'socarchive';

import { z } from 'zod';
import {
  AUDIT_CATEGORIES,
  HISTORY_ACTIONS,
  NAV_PAGES,
  ORGANIZATION_KINDS,
  PROOFING_STATES,
  REJECTION_REASON_MAX,
  REQUEST_STATUSES,
  USER_STATUSES,
} from '../domain.js';
import { PASSWORD_RESET, POLICY } from '../policy.js';
import { DOCUMENT_TYPES, INSPECTIONS, REJECTION_REASONS } from '../proofing.js';
import type { DocumentType } from '../proofing.js';
import { DECISION_FLAGS } from '../roles.js';
import type { IpcResult } from './errors.js';
import { optionalSafeText, requiredSafeText, safeText } from './text.js';

/**
 * The one IPC contract. Every channel names its input schema (validated at runtime in main:
 * the renderer is untrusted), its output schema, and who may call it:
 * - public:  no session (first run, sign-in, status)
 * - warning: signed in, the government warning page not yet accepted
 * - any:     any session, whatever its state (sign out)
 * - locked:  a session the idle lock has locked (unlock)
 * - session: a signed-in, unlocked session
 * - password: signed in with a temporary password, which must be changed first
 * - enroll:    signed in without a two-factor credential, which must be enrolled first
 * `passive` channels (status polls) do not count as user activity for the idle lock.
 */
export type Access = 'public' | 'warning' | 'any' | 'locked' | 'session' | 'password' | 'enroll';

/**
 * For values matched against known rows (programs, organizations, roles, IDs to look up), never
 * stored as typed. Text that is stored, mailed or echoed into the audit trail or a file uses
 * shared/ipc/text.ts, which normalizes it and refuses control and invisible characters.
 */
const text = (max: number) => z.string().trim().max(max);
const requiredText = (label: string, max: number) => z.string().trim().min(1, `${label} is required`).max(max, `${label} is at most ${max} characters`);

export const securityCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'Security Code is the 6-digit code from your authenticator app');

export const userIdSchema = z
  .string()
  .trim()
  .min(3, 'User ID is at least 3 characters')
  .max(64, 'User ID is at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'User ID may contain letters, digits, dot, dash, underscore and @');

export const passwordSchema = z.string().max(POLICY.passwordMaxLength, `Password is at most ${POLICY.passwordMaxLength} characters`);

const credentialIdSchema = z.string().trim().min(1, 'Credential ID is required').max(32);
const enrollmentIdSchema = z.string().min(1).max(64);
const empty = z.object({}).strict();

const sessionUser = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  organization: z.string(),
  officialKind: z.enum(['cms', 'state', 'provider']).nullable(),
  /** Until proofed, a user cannot request roles (QualityNet guide 5.2). */
  proofingState: z.enum(PROOFING_STATES),
});

export const sessionView = z.object({
  /** password: a temporary password must be changed; enroll: a first credential must be enrolled. */
  state: z.enum(['none', 'password', 'enroll', 'warning', 'active', 'locked']),
  user: sessionUser.nullable(),
  /** Epoch ms at which the idle lock will lock this session, while active. */
  idleLockAt: z.number().nullable(),
});

const enrollmentView = z.object({
  enrollmentId: z.string(),
  credentialId: z.string(),
  /** Base32 key, shown as text for authenticators that cannot scan. */
  secret: z.string(),
  otpauthUri: z.string(),
  /** The QR code of otpauthUri as an SVG data: URL. */
  qrDataUrl: z.string(),
});

const credentialView = z.object({
  credentialId: z.string(),
  label: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});

const requestIdSchema = z.number().int('Request ID is a whole number').positive('Request ID is a whole number').max(Number.MAX_SAFE_INTEGER);
const requestIdList = z.array(requestIdSchema).min(1, 'Select at least one request').max(10_000, 'Select at most 10,000 requests at once');
const organizationRef = z.object({ displayId: z.string(), name: z.string(), kind: z.enum(ORGANIZATION_KINDS) });
const roleHoldingView = z.object({ program: z.string(), organization: organizationRef, role: z.string() });

const myRequestView = z.object({
  requestId: z.number(),
  program: z.string(),
  organization: organizationRef,
  role: z.string(),
  justification: z.string(),
  status: z.enum(REQUEST_STATUSES),
  requestedAt: z.number(),
  decidedAt: z.number().nullable(),
  reason: z.string().nullable(),
});

const queueRow = z.object({
  requestId: z.number(),
  firstName: z.string(),
  lastName: z.string(),
  organization: organizationRef,
  role: z.string(),
  program: z.string(),
  requestedAt: z.number(),
  /** Pending for more than STALE_AFTER_DAYS. */
  stale: z.boolean(),
  /** Why this official cannot approve it, when they cannot (e.g. the first-SO rule). */
  blockedReason: z.string().nullable(),
  /** A CMS Security Official role needs two distinct CMS officials: who approved so far. */
  approvals: z.object({ given: z.number(), needed: z.number(), by: z.array(z.string()) }).nullable(),
  /** The official's own request: shown in the queue, never theirs to decide. */
  mine: z.boolean(),
});

/** The role catalogue as the forms use it: which role may be requested in which kind of organization. */
const catalogueView = z.array(z.object({ role: z.string(), organizationKinds: z.array(z.enum(ORGANIZATION_KINDS)) }));

/** One selected request as the Approve and Reject dialogs list it, with what the click would do. */
const decisionPreviewItem = z.object({
  requestId: z.number(),
  name: z.string(),
  userId: z.string(),
  role: z.string(),
  organization: organizationRef,
  program: z.string(),
  flags: z.array(z.enum(DECISION_FLAGS)),
  /** Why this official may not make this decision, or null. */
  refusal: z.string().nullable(),
});

export const QUEUE_SORTS = ['requested', 'lastName'] as const;

const decisionOutcome = z.object({
  requestId: z.number(),
  /** awaiting_second_approval: the first of two CMS approvals was recorded; the request stays pending. */
  outcome: z.enum(['approved', 'awaiting_second_approval', 'rejected', 'refused', 'conflict', 'not_found']),
  message: z.string(),
});

/**
 * What became of the emails a call wrote to the outbox, so the page never claims one was sent:
 * 'queued': a mail server is set up and delivery picks them up shortly; 'not_configured': no
 * mail server is set up yet, they wait in the Outbox. Absent when the call wrote no email.
 */
export const mailNotice = z.enum(['queued', 'not_configured']);
export type MailNotice = z.infer<typeof mailNotice>;

const outboxRow = z.object({
  id: z.number(),
  to: z.string(),
  subject: z.string(),
  kind: z.string(),
  status: z.enum(['owed', 'sent', 'failed']),
  attempts: z.number(),
  nextAttemptAt: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  sentAt: z.number().nullable(),
});

const mailSettingsView = z.object({
  host: z.string(),
  port: z.number(),
  secure: z.boolean(),
  user: z.string(),
  from: z.string(),
  /** Whether an SMTP password is stored; the password itself never leaves main. */
  passwordSet: z.boolean(),
  /** CMS Security Officials change the settings; other officials see them. */
  canChange: z.boolean(),
});

export const MAIL_TEST_PROBLEMS = ['not_configured', 'connection_refused', 'authentication_failed', 'timeout', 'other'] as const;
/** Whether the test email left, and if not, why: said plainly. */
const mailTestResult = z.object({
  sent: z.boolean(),
  to: z.string(),
  problem: z.enum(MAIL_TEST_PROBLEMS).nullable(),
  message: z.string(),
});

/**
 * How a file the console wrote reaches the user: saved where they chose (Electron's save
 * dialog) or offered as a one-time download (the browser host).
 */
export const fileDelivery = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('saved'), path: z.string(), fileName: z.string() }),
  z.object({ kind: z.literal('download'), url: z.string(), fileName: z.string() }),
]);
/** An upload's token (browser host); in Electron the main process shows an open dialog instead. */
export const uploadTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'Choose the file again')
  .optional();

const navItem = z.object({ page: z.enum(NAV_PAGES), label: z.string(), badge: z.number().nullable() });

// ---- Home dashboard ----

const dashboardPerson = z.object({ userId: z.string(), firstName: z.string(), lastName: z.string() });
const homeDashboard = z.object({
  /** Every user's own state: their role requests, their identity proofing, and what to do next. */
  me: z.object({
    proofingState: z.enum(PROOFING_STATES),
    requests: z.array(myRequestView),
    hasRoles: z.boolean(),
    nextSteps: z.array(z.object({ text: z.string(), page: z.enum(NAV_PAGES).nullable(), linkText: z.string().nullable() })),
  }),
  /** Security Officials only; scoped to the organizations they administer (CMS: every account). */
  official: z
    .object({
      scope: z.enum(['all', 'organizations']),
      mailConfigured: z.boolean(),
      /** What the Role Requests queue shows (HARP: the widget's count, in red). */
      pendingInQueue: z.number(),
      pendingByAge: z.array(z.object({ label: z.string(), upTo7: z.number(), upTo30: z.number(), over30: z.number() })),
      /** Oldest week first; each week is the 7 days ending at `endsAt`. */
      decisionsByWeek: z.array(z.object({ startsAt: z.number(), endsAt: z.number(), approved: z.number(), rejected: z.number() })),
      deactivation: z.object({
        within14Days: z.number(),
        within30Days: z.number(),
        deactivatedLast30Days: z.number(),
        /** The accounts that reach 120 days without sign-in soonest (within 30 days), soonest first. */
        soonest: z.array(dashboardPerson.extend({ lastUsedAt: z.number(), reachesLimitAt: z.number() })),
      }),
      proofingBacklog: z.object({ total: z.number(), oldest: z.array(dashboardPerson.extend({ referredAt: z.number() })) }),
      asOf: z.number(),
    })
    .nullable(),
});

// ---- Request History, audit trail, exports and review archives ----

/** A moment as epoch milliseconds; the renderer turns the dates people pick into these. */
const moment = (label: string) =>
  z
    .number(`${label} is not a valid date`)
    .int(`${label} is not a valid date`)
    .min(0, `${label} is not a valid date`)
    .max(8.64e15, `${label} is not a valid date`);
/** An open review archive, by the id archive.open returned; absent: this console's own data. */
const archiveIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'The archive is no longer open; open it again')
  .optional();
const periodInOrder = (value: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx) => {
  if (value.from !== undefined && value.to !== undefined && value.from > value.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'The To date is before the From date' });
  }
};

const historyFilters = {
  /**
   * A Request ID (digits) or a name: "Thompson", "Robert Thompson" or "Thompson, Robert". Empty: all.
   * Searches are normalized like the names they look for (a decomposed "Jose\u0301" finds "José"),
   * and refuse control and invisible characters rather than drop them: no stored name holds
   * one, and an export writes its search into the audit trail.
   */
  search: optionalSafeText('Search', 100).default(''),
  from: moment('From').optional(),
  to: moment('To').optional(),
  program: text(80).optional(),
  organization: text(40).optional(),
  action: z.enum(HISTORY_ACTIONS, 'Action is Approved or Rejected').optional(),
  archiveId: archiveIdSchema,
};

const historyRow = z.object({
  requestId: z.number(),
  requestedAt: z.number(),
  decidedAt: z.number(),
  firstName: z.string(),
  lastName: z.string(),
  program: z.string(),
  organization: organizationRef,
  role: z.string(),
  action: z.enum(HISTORY_ACTIONS),
  /** The email of the official who decided. */
  decidedBy: z.string().nullable(),
});

const requestEvent = z.object({
  eventId: z.number(),
  at: z.number(),
  action: z.string(),
  /** In words: "Approved by so1@example.org", "Reopened by ...", "Role removed by ...". */
  text: z.string(),
});

const auditFilters = {
  category: z.enum(AUDIT_CATEGORIES, 'Choose a kind of event from the list').optional(),
  from: moment('From').optional(),
  to: moment('To').optional(),
  organization: text(40).optional(),
  /** A User ID (the events about that user) or a Request ID. */
  search: optionalSafeText('Search', 64).default(''),
  archiveId: archiveIdSchema,
};

const auditRow = z.object({
  id: z.number(),
  at: z.number(),
  action: z.string(),
  actor: z.string().nullable(),
  subject: z.string().nullable(),
  organization: organizationRef.nullable(),
  requestId: z.number().nullable(),
  /** The event's details as "key: value" text; never a secret (none is ever audited). */
  details: z.string(),
  /** The same details as values, for the screen to show as labelled fields in words (shared/audit-actions.ts). */
  detailValues: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

const checkResult = z.object({ ok: z.boolean(), message: z.string() });

const auditStatus = z.object({
  /** checking: the whole chain is being verified in the background; broken: the red alarm. */
  state: z.enum(['checking', 'verified', 'broken']),
  /** "Audit trail verified through event N at <time>". */
  verifiedThrough: z.number().nullable(),
  verifiedAt: z.number().nullable(),
  /** Events checked so far and in all, while checking. */
  checked: z.number(),
  total: z.number(),
  /** The first broken row: its event number and what is wrong with it. */
  broken: z.object({ eventId: z.number(), reason: z.string(), detectedAt: z.number() }).nullable(),
  /** The signature of the chain head (an archive: of the whole archive). */
  signature: checkResult,
  /** The signing key's fingerprint, to compare with the console that made an archive. */
  fingerprint: z.string(),
});

const savedFile = z.object({
  /** null: the user cancelled the save dialog. */
  delivery: fileDelivery.nullable(),
  rows: z.number(),
});

const archiveSummary = z.object({
  archiveId: z.string(),
  fileName: z.string(),
  consoleId: z.string(),
  fingerprint: z.string(),
  /** Made by this console (its own key signed it). */
  ownConsole: z.boolean(),
  createdAt: z.number(),
  createdBy: z.string(),
  organizations: z.array(organizationRef),
  from: z.number(),
  to: z.number(),
  history: z.number(),
  audit: z.number(),
  chain: checkResult,
  signature: checkResult,
});

const emailSchema = z.string().trim().max(254, 'Email Address is at most 254 characters').pipe(z.email('Email Address is not a valid email address'));
const nameSchema = (label: string) =>
  requiredSafeText(label, 64, 'name').regex(/^[^<>{}[\]\\/;:"=|]+$/u, `${label} may not contain < > { } [ ] \\ / ; : " = or |`);

export const LOOKUP_SORTS = ['asc', 'desc'] as const;
export const ACCOUNT_ACTIONS = ['approve', 'unlock', 'resetPassword', 'deactivate', 'reactivate', 'revokeCredentials'] as const;

const lookupFilters = {
  program: requiredText('Program', 80),
  /** An organization's display ID, or empty for All. */
  organization: text(40).default(''),
  /** First name, last name, user ID or email; empty lists everyone in scope. */
  query: optionalSafeText('Search', 254).default(''),
  direction: z.enum(LOOKUP_SORTS).default('asc'),
};

const lookupRow = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  status: z.enum(USER_STATUSES),
  /** The exact User ID or Email match of a search, shown first. */
  exact: z.boolean(),
});

const profileRole = z.object({
  program: z.string(),
  organization: organizationRef,
  role: z.string(),
  /** Whether this official may remove it (their organization, not their own Security Official role). */
  removable: z.boolean(),
  /** The only Security Official of its organization: removing it leaves nobody to approve there. */
  lastSecurityOfficial: z.boolean(),
});

const userProfile = z.object({
  userId: z.string(),
  firstName: z.string(),
  middleName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string().nullable(),
  email: z.string(),
  phone: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string(),
  city: z.string(),
  state: z.string(),
  zip: z.string(),
  country: z.string(),
  status: z.enum(USER_STATUSES),
  proofingState: z.enum(PROOFING_STATES),
  credentialCount: z.number(),
  lastSignInAt: z.number().nullable(),
  mustChangePassword: z.boolean(),
  /** The user's roles in the organizations this official administers (all of them for CMS). */
  roles: z.array(profileRole),
  /** The account actions this official may take now. */
  actions: z.array(z.enum(ACCOUNT_ACTIONS)),
  /** The official is looking at their own profile. */
  self: z.boolean(),
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD');
const proofingDocument = z
  .object({
    type: z.enum(DOCUMENT_TYPES as [DocumentType, ...DocumentType[]]),
    issuer: requiredSafeText('Issuer', 80),
    expiresOn: isoDate.nullable(),
    last4: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{4}$/, 'Enter the last 4 letters or digits of the document number, never the whole number'),
    inspection: z.enum(INSPECTIONS),
  })
  .strict();

const proofingSubject = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  state: z.string(),
  country: z.string(),
  proofingState: z.enum(PROOFING_STATES),
  /** The remote proofing provider's reference ID, when it referred the person. */
  reference: z.string().nullable(),
  /** Why this official cannot proof this person now, or null. */
  refusal: z.string().nullable(),
  history: z.array(
    z.object({
      recordId: z.number(),
      decision: z.enum(['approved', 'cancelled', 'rejected']),
      decidedAt: z.number(),
      official: z.string(),
      reason: z.string().nullable(),
    }),
  ),
});

export const FSID_STATES = ['requested', 'pending', 'verified'] as const;
const fsidRow = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  roles: z.array(z.string()),
  fsid: z.string().nullable(),
  fsidState: z.enum(FSID_STATES).nullable(),
});
const fsidSchema = z
  .string()
  .trim()
  .min(1, 'Federal Surveyor ID is required')
  .max(10, 'A Federal Surveyor ID is 1 to 10 letters or digits')
  .regex(/^[A-Za-z0-9]+$/, 'A Federal Surveyor ID is 1 to 10 letters or digits');

export const backupInfo = z.object({
  name: z.string(),
  createdAt: z.number(),
  bytes: z.number(),
  /** SQLite's check and the audit chain, run on the backup after it was made (or before a restore). */
  verified: z.enum(['ok', 'failed', 'unchecked']),
  problem: z.string().nullable(),
});
const backupProgress = z.object({
  copiedPages: z.number(),
  totalPages: z.number(),
  startedAt: z.number(),
  /** starting: the worker is opening the database; copying: pages; checking: the copy's audit trail, event by event. */
  phase: z.enum(['starting', 'copying', 'checking']),
  checkedEvents: z.number(),
  totalEvents: z.number(),
});
const backupStatus = z.object({
  /** Whether this official may restore (CMS Security Officials: a restore undoes every organization's work). */
  canRestore: z.boolean(),
  running: z.boolean(),
  /** The backup being made, while one is. */
  progress: backupProgress.nullable(),
  /** The last backup made since the console started, as its progress ended: what was copied and checked. */
  finished: backupProgress.nullable(),
  lastError: z.string().nullable(),
  backups: z.array(backupInfo),
});
/** Why the console opened in recovery, and what it can do about it. */
const recoveryView = z.object({
  problem: z.string(),
  backups: z.array(backupInfo),
});
const backupNameSchema = z.string().min(1, 'Choose a backup').max(80);

/** Forgot your Password?: who to contact when the code cannot be emailed. */
const resetContact = z.object({ firstName: z.string(), lastName: z.string(), email: z.string(), organization: z.string() });
const passwordResetStart = z.discriminatedUnion('delivery', [
  z.object({
    delivery: z.literal('email'),
    /** Ties the second step to the window that took the first; kept only as a hash. */
    resetId: z.string(),
    /** The address the code went to, partly hidden (j•••@example.org). */
    emailHint: z.string(),
    expiresAt: z.number(),
  }),
  z.object({ delivery: z.literal('officials'), reason: z.enum(['mail_not_configured', 'mail_failed']), officials: z.array(resetContact) }),
]);
export const oneTimeCode = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{${PASSWORD_RESET.codeDigits}}$`), `One-time Code is the ${PASSWORD_RESET.codeDigits}-digit code from the email`);

const newPasswordFields = {
  newPassword: passwordSchema,
  confirmPassword: passwordSchema,
};

export const contract = {
  'app.status': {
    access: 'public',
    passive: true,
    input: empty,
    output: z.object({
      needsSetup: z.boolean(),
      demo: z.boolean(),
      session: sessionView,
      /** The start-up check found a problem: the recovery screen, instead of sign-in. */
      recovery: recoveryView.nullable(),
      /** Opened read-only after a failed check: reviews work, nothing is decided or changed. */
      readOnly: z.boolean(),
    }),
  },
  'setup.begin': {
    access: 'public',
    passive: false,
    input: empty,
    output: enrollmentView,
  },
  'setup.complete': {
    access: 'public',
    passive: false,
    input: z
      .object({
        enrollmentId: enrollmentIdSchema,
        userId: userIdSchema,
        firstName: requiredSafeText('First Name', 64, 'name'),
        lastName: requiredSafeText('Last Name', 64, 'name'),
        email: z.string().trim().max(254).pipe(z.email('Email Address is not a valid email address')),
        password: passwordSchema,
        organizationName: requiredSafeText('Organization', 120),
        credentialLabel: optionalSafeText('Credential name', 40).default(''),
        code: securityCode,
      })
      .strict(),
    output: sessionView,
  },
  'auth.signIn': {
    access: 'public',
    passive: false,
    input: z
      .object({
        // Checked like typed text: an ID that names no account is written to the audit trail as typed.
        userId: safeText('User ID').min(1, 'User ID is required').max(64),
        password: z.string().min(1, 'Password is required').max(POLICY.passwordMaxLength),
        code: securityCode,
        agreeToTerms: z.literal(true, 'You must agree to the Terms & Conditions'),
      })
      .strict(),
    output: sessionView,
  },
  'auth.acceptWarning': { access: 'warning', passive: false, input: empty, output: sessionView },
  'auth.denyWarning': { access: 'warning', passive: false, input: empty, output: sessionView },
  'auth.signOut': { access: 'any', passive: false, input: empty, output: sessionView },
  'auth.unlock': {
    access: 'locked',
    passive: false,
    input: z.object({ password: z.string().min(1, 'Password is required').max(POLICY.passwordMaxLength), code: securityCode }).strict(),
    output: sessionView,
  },
  'session.status': { access: 'public', passive: true, input: empty, output: sessionView },
  'session.activity': { access: 'session', passive: false, input: empty, output: sessionView },
  'home.summary': {
    access: 'session',
    passive: true,
    input: empty,
    output: z.object({
      user: sessionUser,
      organizations: z.array(z.object({ displayId: z.string(), name: z.string(), kind: z.enum(ORGANIZATION_KINDS) })),
      nav: z.array(navItem),
      alerts: z.array(z.object({ kind: z.enum(['info', 'warning']), text: z.string() })),
      /** The sign-in before this session's, so the user can spot one that was not theirs. */
      previousSignInAt: z.number().nullable(),
    }),
  },
  'home.dashboard': { access: 'session', passive: true, input: empty, output: homeDashboard },
  'mfa.list': { access: 'session', passive: false, input: empty, output: z.array(credentialView) },
  'mfa.beginEnrollment': { access: 'session', passive: false, input: empty, output: enrollmentView },
  'mfa.confirmEnrollment': {
    access: 'session',
    passive: false,
    input: z.object({ enrollmentId: enrollmentIdSchema, code: securityCode, label: optionalSafeText('Credential name', 40).default('') }).strict(),
    output: credentialView,
  },
  'mfa.remove': {
    access: 'session',
    passive: false,
    input: z.object({ credentialId: credentialIdSchema, code: securityCode }).strict(),
    output: z.array(credentialView),
  },
  'access.options': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ programs: z.array(z.string()), organizations: z.array(organizationRef), roles: z.array(z.string()), catalogue: catalogueView }),
  },
  'access.request': {
    access: 'session',
    passive: false,
    input: z
      .object({
        program: requiredText('Program', 80),
        organization: requiredText('Organization', 40),
        role: requiredText('Role', 80),
        justification: optionalSafeText('Justification', 1000, 'multiline').default(''),
      })
      .strict(),
    output: myRequestView,
  },
  'access.mine': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ requests: z.array(myRequestView), roles: z.array(roleHoldingView) }),
  },
  'access.withdraw': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema }).strict(),
    output: myRequestView,
  },
  'queue.page': {
    access: 'session',
    passive: false,
    input: z
      .object({
        program: text(80).optional(),
        organization: text(40).optional(),
        sort: z.enum(QUEUE_SORTS).default('requested'),
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(512).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({
      rows: z.array(queueRow),
      nextCursor: z.string().nullable(),
      total: z.number(),
      /** Organizations where no request can be approved: no Security Official yet. */
      blockedOrganizations: z.array(z.object({ organization: organizationRef, reason: z.string() })),
      /** Organizations the official administers that have a single Security Official. */
      singleOfficialOrganizations: z.array(organizationRef),
      organizations: z.array(organizationRef),
      programs: z.array(z.string()),
    }),
  },
  'queue.preview': {
    access: 'session',
    passive: false,
    input: z.object({ requestIds: requestIdList, action: z.enum(['approve', 'reject']) }).strict(),
    output: z.object({ decidable: z.array(z.number()), refused: z.array(decisionOutcome), items: z.array(decisionPreviewItem) }),
  },
  'queue.approve': {
    access: 'session',
    passive: false,
    input: z.object({ requestIds: requestIdList }).strict(),
    output: z.object({ results: z.array(decisionOutcome), mail: mailNotice.optional() }),
  },
  'queue.reject': {
    access: 'session',
    passive: false,
    input: z
      .object({
        requestIds: requestIdList,
        reason: safeText('Rejection Reason', 'multiline')
          .min(1, 'A Rejection Reason is required to Reject a request')
          .max(REJECTION_REASON_MAX, `The Rejection Reason is at most ${REJECTION_REASON_MAX} characters`),
      })
      .strict(),
    output: z.object({ results: z.array(decisionOutcome), mail: mailNotice.optional() }),
  },
  'queue.view': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema }).strict(),
    output: z.object({
      request: myRequestView.extend({ decidedBy: z.string().nullable(), stale: z.boolean(), blockedReason: z.string().nullable() }),
      requester: z.object({
        userId: z.string(),
        firstName: z.string(),
        lastName: z.string(),
        email: z.string(),
        phone: z.string(),
        status: z.enum(USER_STATUSES),
        proofingState: z.enum(PROOFING_STATES),
        lastSignInAt: z.number().nullable(),
      }),
      /** The requester's roles in the organizations this official administers. */
      roles: z.array(roleHoldingView),
      /** Whether this official may reopen it now (own rejection, within 24 hours). */
      canReopen: z.boolean(),
    }),
  },
  'queue.reopen': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema }).strict(),
    output: myRequestView,
  },
  'outbox.list': {
    access: 'session',
    passive: false,
    input: z.object({ status: z.enum(['owed', 'sent', 'failed']).optional() }).strict(),
    output: z.array(outboxRow),
  },
  'outbox.retry': {
    access: 'session',
    passive: false,
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: outboxRow,
  },
  'mail.settings': { access: 'session', passive: false, input: empty, output: mailSettingsView },
  'mail.saveSettings': {
    access: 'session',
    passive: false,
    input: z
      .object({
        // A line break in either would be a command of its own to the SMTP server.
        host: optionalSafeText('SMTP host', 253),
        port: z.number().int().min(1, 'Port is 1 to 65535').max(65535, 'Port is 1 to 65535'),
        secure: z.boolean(),
        user: optionalSafeText('User name', 254),
        from: z.string().trim().max(254).pipe(z.email('From is not a valid email address')),
        /** Omitted: keep the stored password; empty string: remove it. */
        password: z.string().max(512).optional(),
      })
      .strict(),
    output: mailSettingsView,
  },
  /** A test email to the signed-in CMS official's own address, through the saved settings. */
  'mail.sendTest': { access: 'session', passive: false, input: empty, output: mailTestResult },

  // ---- User lookup, profiles and account administration (HARP and iQIES job aids, QualityNet guide 5.3.1) ----
  'lookup.options': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({
      programs: z.array(z.string()),
      organizations: z.array(organizationRef),
      /** CMS officials look up users of every organization. */
      allOrganizations: z.boolean(),
      roles: z.array(z.string()),
      catalogue: catalogueView,
    }),
  },
  'lookup.search': {
    access: 'session',
    passive: false,
    input: z
      .object({
        ...lookupFilters,
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(1024).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.object({
      rows: z.array(lookupRow),
      /** "Users (N)": given with the first page only. */
      total: z.number().nullable(),
      /** A search's total is a lower bound ("Users (1,000+)"): it stopped counting. */
      totalAtLeast: z.boolean(),
      /** A search matched more users (by first name, user ID or email) than it lists; refine it. */
      truncated: z.boolean(),
      nextCursor: z.string().nullable(),
    }),
  },
  'lookup.export': {
    access: 'session',
    passive: false,
    input: z.object(lookupFilters).strict(),
    /** delivery is null when the user cancelled the save dialog. */
    output: z.object({ delivery: fileDelivery.nullable(), count: z.number() }),
  },
  'users.profile': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64) }).strict(),
    output: userProfile,
  },
  'users.removeRole': {
    access: 'session',
    passive: false,
    input: z
      .object({
        userId: requiredText('User ID', 64),
        program: requiredText('Program', 80),
        organization: requiredText('Organization', 40),
        role: requiredText('Role', 80),
        /** Asked again: removing the last Security Official of an organization. */
        confirmLastOfficial: z.boolean().default(false),
      })
      .strict(),
    output: userProfile.extend({ mail: mailNotice.optional() }),
  },
  'users.accountAction': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64), action: z.enum(ACCOUNT_ACTIONS), code: securityCode }).strict(),
    output: z.object({
      profile: userProfile,
      /** Shown once, to hand to the user; never stored in clear and never emailed. */
      temporaryPassword: z.string().nullable(),
      mail: mailNotice.optional(),
    }),
  },
  'users.create': {
    access: 'session',
    passive: false,
    input: z
      .object({
        userId: userIdSchema,
        firstName: nameSchema('First Name'),
        lastName: nameSchema('Last Name'),
        email: emailSchema,
        program: requiredText('Program', 80),
        organization: requiredText('Organization', 40),
        role: requiredText('Role', 80),
        code: securityCode,
      })
      .strict(),
    output: z.object({ profile: userProfile, temporaryPassword: z.string(), requestId: z.number(), mail: mailNotice.optional() }),
  },
  'auth.signInWithTemporaryPassword': {
    access: 'public',
    passive: false,
    input: z
      .object({
        userId: safeText('User ID').min(1, 'User ID is required').max(64),
        password: z.string().min(1, 'Temporary Password is required').max(POLICY.passwordMaxLength),
        agreeToTerms: z.literal(true, 'You must agree to the Terms & Conditions'),
      })
      .strict(),
    output: sessionView,
  },
  'auth.changePassword': {
    access: 'password',
    passive: false,
    input: z.object(newPasswordFields).strict(),
    output: sessionView,
  },
  // ---- Forgot your Password? (QualityNet guide, Table 5-2) ----
  'auth.requestPasswordReset': {
    access: 'public',
    passive: false,
    input: z.object({ userId: safeText('User ID').min(1, 'User ID is required').max(64), code: securityCode }).strict(),
    output: passwordResetStart,
  },
  'auth.completePasswordReset': {
    access: 'public',
    passive: false,
    input: z.object({ resetId: z.string().min(1, 'Start again to get a new one-time code').max(64), code: oneTimeCode, ...newPasswordFields }).strict(),
    output: z.object({ userId: z.string() }),
  },
  'auth.beginFirstEnrollment': { access: 'enroll', passive: false, input: empty, output: enrollmentView },
  'auth.completeFirstEnrollment': {
    access: 'enroll',
    passive: false,
    input: z.object({ enrollmentId: enrollmentIdSchema, code: securityCode, label: optionalSafeText('Credential name', 40).default('') }).strict(),
    output: sessionView,
  },

  // ---- In-person identity proofing (QualityNet guide 5.4.4.2) ----
  'proofing.lookup': {
    access: 'session',
    passive: false,
    input: z.object({ accountId: requiredText('Account ID', 64) }).strict(),
    output: proofingSubject,
  },
  'proofing.decide': {
    access: 'session',
    passive: false,
    input: z
      .object({
        accountId: requiredText('Account ID', 64),
        decision: z.enum(['approve', 'cancel', 'reject']),
        documents: z
          .object({ photo: proofingDocument.optional(), address: proofingDocument.optional(), dateOfBirth: proofingDocument.optional() })
          .strict()
          .default({}),
        appearedInPerson: z.boolean(),
        reason: z.enum(REJECTION_REASONS).optional(),
        comments: optionalSafeText('Comments', 1000, 'multiline').default(''),
        suspectedFraud: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ recordId: z.number(), subject: proofingSubject, mail: mailNotice.optional() }),
  },
  'proofing.receipt': {
    access: 'session',
    passive: false,
    input: z.object({ recordId: z.number().int().positive() }).strict(),
    output: z.object({ delivery: fileDelivery.nullable() }),
  },

  // ---- Federal Surveyor IDs (iQIES job aid, section 6; State Security Officials only) ----
  'fsid.search': {
    access: 'session',
    passive: false,
    input: z
      .object({
        /** First and/or last name, user ID, or Federal Surveyor ID. */
        query: optionalSafeText('Search', 80).default(''),
        roles: z.array(requiredText('Role', 80)).max(10).default([]),
        pendingOnly: z.boolean().default(false),
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(1024).optional(),
      })
      .strict(),
    output: z.object({ rows: z.array(fsidRow), total: z.number(), pageSize: z.number(), nextCursor: z.string().nullable() }),
  },
  'fsid.save': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64), fsid: fsidSchema }).strict(),
    output: fsidRow,
  },
  'fsid.verify': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64) }).strict(),
    output: fsidRow,
  },
  'fsid.remove': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64) }).strict(),
    output: fsidRow,
  },
  /** A user asks for a Federal Surveyor ID; the state's officials are emailed. */
  'fsid.request': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ fsid: z.string().nullable(), fsidState: z.enum(FSID_STATES).nullable(), mail: mailNotice.optional() }),
  },
  'fsid.mine': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ fsid: z.string().nullable(), fsidState: z.enum(FSID_STATES).nullable(), canRequest: z.boolean() }),
  },
  // ---- Request History, audit trail, exports and review archives ----
  'history.options': {
    access: 'session',
    passive: false,
    input: z.object({ archiveId: archiveIdSchema }).strict(),
    output: z.object({
      programs: z.array(z.string()),
      organizations: z.array(organizationRef),
      /** all: a CMS official or an archive; organizations: the official's own. */
      scope: z.enum(['all', 'organizations']),
    }),
  },
  'history.page': {
    access: 'session',
    passive: false,
    input: z
      .object({
        ...historyFilters,
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(512).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .superRefine(periodInOrder),
    output: z.object({
      rows: z.array(historyRow),
      nextCursor: z.string().nullable(),
      /** How the search was read: everything, one Request ID, or a name. */
      searchedBy: z.enum(['all', 'requestId', 'name']),
    }),
  },
  'history.view': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema, archiveId: archiveIdSchema }).strict(),
    output: historyRow.extend({
      reason: z.string().nullable(),
      /** iQIES job aid 5.3, Action: "Approved by <email>" or "Rejected by <email>: <reason>". */
      actionText: z.string(),
      /** Everything recorded about the request, oldest first: filed, decided, reopened, role removed. */
      events: z.array(requestEvent),
    }),
  },
  'history.exportCsv': {
    access: 'session',
    passive: false,
    input: z.object(historyFilters).strict().superRefine(periodInOrder),
    output: savedFile,
  },
  'history.exportPdf': {
    access: 'session',
    passive: false,
    input: z.object(historyFilters).strict().superRefine(periodInOrder),
    output: savedFile,
  },
  'audit.page': {
    access: 'session',
    passive: false,
    input: z
      .object({
        ...auditFilters,
        after: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .superRefine(periodInOrder),
    output: z.object({ rows: z.array(auditRow), nextCursor: z.string().nullable() }),
  },
  'audit.status': {
    access: 'session',
    passive: true,
    input: z.object({ archiveId: archiveIdSchema }).strict(),
    output: auditStatus,
  },
  'audit.exportCsv': {
    access: 'session',
    passive: false,
    input: z.object(auditFilters).strict().superRefine(periodInOrder),
    output: savedFile,
  },
  'archive.export': {
    access: 'session',
    passive: false,
    input: z
      .object({
        organizations: z.array(requiredText('Organization', 40)).min(1, 'Choose at least one organization').max(500, 'Choose at most 500 organizations'),
        from: moment('From'),
        to: moment('To'),
      })
      .strict()
      .superRefine(periodInOrder),
    output: savedFile.extend({ audit: z.number(), fingerprint: z.string() }),
  },
  'archive.open': {
    access: 'session',
    passive: false,
    input: z.object({ uploadToken: uploadTokenSchema }).strict(),
    /** archive: null when the user cancelled the open dialog. */
    output: z.object({ archive: archiveSummary.nullable() }),
  },
  'archive.close': {
    access: 'session',
    passive: false,
    input: z.object({ archiveId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Unknown archive') }).strict(),
    output: z.object({ closed: z.boolean() }),
  },

  // ---- Backup and recovery ----
  'backup.status': { access: 'session', passive: true, input: empty, output: backupStatus },
  'backup.now': { access: 'session', passive: false, input: empty, output: backupInfo },
  'backup.restore': {
    access: 'session',
    passive: false,
    input: z.object({ name: backupNameSchema, code: securityCode }).strict(),
    output: backupInfo,
  },
  /** The recovery screen's choices; a console that started normally refuses them. */
  'recovery.restore': { access: 'public', passive: false, input: z.object({ name: backupNameSchema }).strict(), output: backupInfo },
  'recovery.openReadOnly': { access: 'public', passive: false, input: empty, output: z.object({ readOnly: z.boolean() }) },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;
export type SessionView = z.output<typeof sessionView>;
export type EnrollmentView = z.output<typeof enrollmentView>;
export type CredentialView = z.output<typeof credentialView>;
export type PasswordResetStart = z.output<typeof passwordResetStart>;
export type ResetContactView = z.output<typeof resetContact>;
export type HomeSummary = ChannelOutput<'home.summary'>;
export type HomeDashboard = ChannelOutput<'home.dashboard'>;
export type QueueRow = z.output<typeof queueRow>;
export type DecisionOutcome = z.output<typeof decisionOutcome>;
export type DecisionPreviewItem = z.output<typeof decisionPreviewItem>;
export type MyRequestView = z.output<typeof myRequestView>;
export type OutboxRow = z.output<typeof outboxRow>;
export type MailSettingsView = z.output<typeof mailSettingsView>;
export type MailTestResult = z.output<typeof mailTestResult>;
export type QueueSort = (typeof QUEUE_SORTS)[number];
export type FileDelivery = z.output<typeof fileDelivery>;
export type BackupInfo = z.output<typeof backupInfo>;
export type BackupStatus = z.output<typeof backupStatus>;
export type RecoveryView = z.output<typeof recoveryView>;
export type HistoryRow = z.output<typeof historyRow>;
export type AuditRow = z.output<typeof auditRow>;
export type AuditStatus = z.output<typeof auditStatus>;
export type ArchiveSummary = z.output<typeof archiveSummary>;
export type LookupRow = z.output<typeof lookupRow>;
export type UserProfile = z.output<typeof userProfile>;
export type ProfileRole = z.output<typeof profileRole>;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];
export type LookupDirection = (typeof LOOKUP_SORTS)[number];
export type ProofingSubject = z.output<typeof proofingSubject>;
export type FsidRow = z.output<typeof fsidRow>;
export type FsidState = (typeof FSID_STATES)[number];

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** The bridge both transports expose to the renderer as `window.api`. */
export interface ConsoleBridge {
  invoke(channel: string, input: unknown): Promise<IpcResult<unknown>>;
}

/**
 * What the browser host's bridge adds: the page hands it a file the user picked, and gets a
 * token to name that file in a channel's input. Electron has no such function: its main
 * process shows an open dialog itself.
 */
export interface UploadResult {
  token: string;
  fileName: string;
  size: number;
}

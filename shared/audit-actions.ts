import { formatDateTime } from './dates.js';
import type { AuditCategory } from './domain.js';
import { EVIDENCE_LABELS, type EvidenceKind } from './proofing.js';
import { USER_STATUS_LABELS, wordsFor } from './words.js';

/**
 * Every action the console writes into the audit trail, the words an official reads for it, and
 * the one kind of event (the Audit trail's filter) it belongs to. The audit store takes only these
 * keys, so an action cannot be written without words and a kind; the registry test checks the
 * source for actions written any other way.
 */
export const AUDIT_ACTIONS = {
  // Sign-ins and sessions (QualityNet guide 5.3: Login, the Warning page, locks).
  'setup.completed': { words: 'Set up the console', category: 'sign-in' },
  'signin.succeeded': { words: 'Signed in', category: 'sign-in' },
  'signin.failed': { words: 'Sign-in failed', category: 'sign-in' },
  'signin.refused': { words: 'Sign-in refused', category: 'sign-in' },
  'warning.accepted': { words: 'Accepted the warning', category: 'sign-in' },
  'warning.denied': { words: 'Denied the warning and was signed out', category: 'sign-in' },
  signout: { words: 'Signed out', category: 'sign-in' },
  'session.expired': { words: 'Session ended: the warning was not answered', category: 'sign-in' },
  'session.idle_locked': { words: 'Session locked after inactivity', category: 'sign-in' },
  'session.locked': { words: 'Session locked after wrong security codes', category: 'sign-in' },
  'session.unlocked': { words: 'Unlocked the session', category: 'sign-in' },
  'unlock.failed': { words: 'Unlock failed', category: 'sign-in' },
  'reauth.failed': { words: 'Entered a wrong security code to confirm an action', category: 'sign-in' },
  'password_reset.failed': { words: 'Password reset: wrong code', category: 'sign-in' },
  'password_reset.refused': { words: 'Password reset refused', category: 'sign-in' },
  'password_reset.requested': { words: 'Asked to reset the password (Forgot your Password?)', category: 'sign-in' },
  'password_reset.code_sent': { words: 'Password reset: one-time code emailed', category: 'sign-in' },
  'password_reset.mail_failed': { words: 'Password reset: the one-time code could not be emailed', category: 'sign-in' },
  'password_reset.no_mail': { words: 'Password reset: no mail server, told whom to contact', category: 'sign-in' },
  'password_reset.ended': { words: 'Password reset ended after wrong codes', category: 'sign-in' },
  'password_reset.completed': { words: 'Reset the password (Forgot your Password?)', category: 'sign-in' },

  // Credential changes.
  'credential.added': { words: 'Added a credential', category: 'credentials' },
  'credential.removed': { words: 'Removed a credential', category: 'credentials' },
  'credential.remove_failed': { words: 'Credential not removed: wrong security code', category: 'credentials' },

  // Account actions and locks.
  'user.created': { words: 'Created a user', category: 'accounts' },
  'password.changed': { words: 'Changed the password', category: 'accounts' },
  'account.approved': { words: 'Approved an account', category: 'accounts' },
  'account.unlocked': { words: 'Unlocked an account', category: 'accounts' },
  'account.password_reset': { words: 'Reset a password', category: 'accounts' },
  'account.deactivated': { words: 'Deactivated an account', category: 'accounts' },
  'account.reactivated': { words: 'Reactivated an account', category: 'accounts' },
  'account.credentials_revoked': { words: "Removed an account's two-factor credentials", category: 'accounts' },
  'account.locked': { words: 'Account locked after failed sign-ins', category: 'accounts' },
  'account.temporarily_locked': { words: 'Account temporarily locked after failed sign-ins', category: 'accounts' },
  'demo.seeded': { words: 'Loaded the demonstration users and requests', category: 'accounts' },

  // Role requests and decisions (HARP and iQIES job aids: Approve, Reject).
  'request.filed': { words: 'Requested a role', category: 'requests' },
  'request.approved': { words: 'Approved a role request', category: 'requests' },
  'request.approval_recorded': { words: 'Gave the first of two approvals', category: 'requests' },
  'request.rejected': { words: 'Rejected a role request', category: 'requests' },
  'request.reopened': { words: 'Reopened a role request', category: 'requests' },
  'request.withdrawn': { words: 'Withdrew a role request', category: 'requests' },
  'request.decision_refused': { words: 'Decision not made', category: 'requests' },

  // Role removals.
  'role.removed': { words: 'Removed a role', category: 'roles' },

  // Proofing decisions, and the Federal Surveyor IDs that go with a surveyor's identity.
  'proofing.approved': { words: 'Approved in-person proofing', category: 'proofing' },
  'proofing.rejected': { words: 'Rejected in-person proofing', category: 'proofing' },
  'proofing.cancelled': { words: 'Cancelled in-person proofing', category: 'proofing' },
  'proofing.receipt_printed': { words: 'Printed a proofing receipt', category: 'proofing' },
  'proofing.remote_outcome': { words: 'Online proofing result received', category: 'proofing' },
  'fsid.requested': { words: 'Requested a Federal Surveyor ID', category: 'proofing' },
  'fsid.saved': { words: 'Entered a Federal Surveyor ID', category: 'proofing' },
  'fsid.verified': { words: 'Verified a Federal Surveyor ID', category: 'proofing' },
  'fsid.removed': { words: 'Removed a Federal Surveyor ID', category: 'proofing' },

  // Exports, archives and backups: what left the console or replaced its data.
  'history.exported': { words: 'Exported Request History', category: 'exports' },
  'audit.exported': { words: 'Exported the audit trail', category: 'exports' },
  'report.exported': { words: 'Exported a decisions report', category: 'exports' },
  'users.exported': { words: 'Exported a user list', category: 'exports' },
  'archive.exported': { words: 'Exported an archive', category: 'exports' },
  'archive.opened': { words: 'Opened an archive', category: 'exports' },
  'backup.created': { words: 'Made a backup', category: 'exports' },
  'backup.restore_staged': { words: 'Chose a backup to restore', category: 'exports' },
  'backup.restored': { words: 'Restored a backup', category: 'exports' },

  // Audit trail integrity.
  'audit.chain_broken': { words: 'Found the audit trail changed outside the console', category: 'integrity' },

  // Mail.
  'mail.retry': { words: 'Retried an email', category: 'mail' },
  'mail.settings_changed': { words: 'Changed the mail settings', category: 'mail' },
  'mail.test_sent': { words: 'Sent a test email', category: 'mail' },
  'mail.test_failed': { words: 'Test email not sent', category: 'mail' },
} as const satisfies Record<string, { words: string; category: AuditCategory }>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];

export function isAuditAction(action: string): action is AuditAction {
  return Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, action);
}

/** An action in words; an action this console does not know (from an archive of an older one) as it was written. */
export function auditActionWords(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTIONS[action].words : action;
}

/** The kinds of event in the filter, in words. */
export const AUDIT_CATEGORY_LABELS: Record<AuditCategory, string> = {
  'sign-in': 'Sign-ins and sessions',
  credentials: 'Credential changes',
  accounts: 'Account actions and locks',
  requests: 'Role requests and decisions',
  roles: 'Role removals',
  proofing: 'Proofing decisions',
  exports: 'Exports, archives and backups',
  integrity: 'Audit trail integrity',
  mail: 'Mail',
};

/** The actions of one kind of event, in the registry's order. */
export function auditActionsOf(category: AuditCategory): AuditAction[] {
  return AUDIT_ACTION_NAMES.filter((action) => AUDIT_ACTIONS[action].category === category);
}

export type AuditDetailValue = string | number | boolean | null;

/** One detail of an event as a person reads it: "Role: Assessment Coordinator". */
export interface AuditDetailField {
  key: string;
  label: string;
  value: string;
}

/** The labels of the details the console writes; any other key is turned into words from its name. */
const DETAIL_LABELS: Record<string, string> = {
  program: 'Program',
  role: 'Role',
  organization: 'Organization',
  organizations: 'Organizations',
  reason: 'Reason',
  previousReason: 'Earlier reason',
  previousStatus: 'Status before',
  dualControl: 'Needed two approvals',
  approvalsNeeded: 'Approvals needed',
  lastSecurityOfficial: 'Last Security Official of the organization',
  action: 'Decision asked for',
  outcome: 'Outcome',
  requestId: 'Request ID',
  userId: 'User ID',
  credentialId: 'Credential',
  temporaryPassword: 'With a temporary password',
  attempt: 'Failed attempt',
  temporaryLocks: 'Temporary locks so far',
  until: 'Locked until',
  purpose: 'To confirm',
  query: 'Search',
  search: 'Search',
  count: 'Users',
  rows: 'Rows',
  category: 'Kind of event',
  from: 'From',
  to: 'To',
  approved: 'Approved',
  rejected: 'Rejected',
  archive: 'From an open archive',
  requests: 'Requests',
  events: 'Events',
  users: 'Users',
  consoleId: 'Console ID',
  signature: 'Signature valid',
  chain: 'Hash chain intact',
  backup: 'Backup',
  bytes: 'Size',
  ms: 'Took',
  verified: 'Check',
  keptAside: 'Data kept aside as',
  eventId: 'First changed event',
  suspectedFraud: 'Suspected fraud',
  evidence: 'Evidence',
  recordId: 'Proofing record',
  referenceId: 'Reference ID',
  fsid: 'Federal Surveyor ID',
  previous: 'Previous Federal Surveyor ID',
  outboxId: 'Email',
  kind: 'Email about',
  status: 'Email status',
  attempts: 'Attempts',
  host: 'Mail server',
  port: 'Port',
  secure: 'Secure connection (TLS)',
  user: 'User',
  password: 'Password',
};

/** The order details are shown in: what a decision was about first (the role before its program); anything else after, as written. */
const DETAIL_ORDER = ['role', 'program', 'organization', 'organizations', 'reason', 'outcome', 'previousStatus', 'userId', 'requestId'];

/** Details that are moments (epoch ms). */
const MOMENT_KEYS = new Set(['from', 'to', 'until', 'at']);

const DECISION_WORDS: Record<string, string> = { approve: 'Approve', reject: 'Reject' };
const OUTCOME_WORDS: Record<string, string> = {
  approved: 'Approved',
  awaiting_second_approval: 'Waiting for a second approval',
  rejected: 'Rejected',
  refused: 'Not allowed',
  conflict: 'Already decided by someone else',
  not_found: 'Request not found',
  // Online proofing (QualityNet guide, Table 5-1).
  verified: 'Identity verified online',
  cannot_verify: 'Identity cannot be verified online: referred to phone proofing',
  questions_not_generated: 'Identity questions cannot be generated: referred to phone proofing',
  phone_failed: 'Phone proofing did not succeed: referred to in-person proofing',
  canada: 'Lives in Canada: referred to in-person proofing',
};
// As the account actions' buttons read.
const PURPOSE_WORDS: Record<string, string> = {
  approve: 'Approve account',
  unlock: 'Unlock account',
  resetPassword: 'Reset password',
  deactivate: 'Deactivate account',
  reactivate: 'Reactivate account',
  revokeCredentials: 'Remove two-factor credentials',
  'create user': 'Create user',
  'restore backup': 'Restore backup',
};
const EMAIL_KIND_WORDS: Record<string, string> = {
  'request.filed': 'A new role request',
  'request.decided': 'A decision on a role request',
  'request.stale': 'A role request waiting more than 30 days',
  'request.second_approval': 'A second approval asked for',
  'role.removed': 'A role removed',
  'fsid.requested': 'A Federal Surveyor ID asked for',
  'proofing.approved': 'In-person proofing approved',
  'proofing.rejected': 'In-person proofing rejected',
  'proofing.cancelled': 'In-person proofing cancelled',
  'proofing.fraud': 'Suspected fraud in proofing',
  'account.approve': 'An account approved',
  'account.unlock': 'An account unlocked',
  'account.resetPassword': 'A password reset',
  'account.deactivate': 'An account deactivated',
  'account.reactivate': 'An account reactivated',
  'account.revokeCredentials': 'Two-factor credentials removed',
};
const EMAIL_STATUS_WORDS: Record<string, string> = { owed: 'Waiting to be sent', sent: 'Sent', failed: 'Failed' };
const PASSWORD_WORDS: Record<string, string> = { kept: 'Kept', removed: 'Removed', changed: 'Changed' };
const CHECK_WORDS: Record<string, string> = { ok: 'Passed', failed: 'Failed' };

/** "previousReason" → "Previous reason", for a key this console does not label. */
function keyWords(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueWords(key: string, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') {
    if (MOMENT_KEYS.has(key)) return formatDateTime(value);
    if (key === 'bytes')
      return value >= 1_048_576 ? `${(value / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(value / 1024)).toLocaleString('en-US')} KB`;
    if (key === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(1)} seconds` : `${value} ms`;
    if (key === 'outboxId' || key === 'eventId' || key === 'recordId' || key === 'requestId') return String(value);
    return value.toLocaleString('en-US');
  }
  switch (key) {
    // A refused sign-in gives the account's status as its reason ("not_activated").
    case 'reason':
    case 'previousStatus':
      return wordsFor(USER_STATUS_LABELS, value);
    case 'action':
      return wordsFor(DECISION_WORDS, value);
    case 'outcome':
      return wordsFor(OUTCOME_WORDS, value);
    case 'purpose':
      return wordsFor(PURPOSE_WORDS, value);
    case 'kind':
      return wordsFor(EMAIL_KIND_WORDS, value);
    case 'status':
      return wordsFor(EMAIL_STATUS_WORDS, value);
    case 'password':
      return wordsFor(PASSWORD_WORDS, value);
    case 'verified':
      return wordsFor(CHECK_WORDS, value);
    case 'category':
      return wordsFor(AUDIT_CATEGORY_LABELS, value);
    case 'evidence':
      return value
        .split(',')
        .filter((k) => k !== '')
        .map((k) => wordsFor<EvidenceKind>(EVIDENCE_LABELS, k))
        .join(', ');
    default:
      return value;
  }
}

/**
 * An event's details as labelled fields in words ("Role: Assessment Coordinator"), known ones
 * first. Empty details are left out. Nothing secret is ever audited, so every detail may be shown.
 */
export function auditDetailFields(details: Readonly<Record<string, AuditDetailValue>>): AuditDetailField[] {
  const rank = (key: string) => {
    const i = DETAIL_ORDER.indexOf(key);
    return i === -1 ? DETAIL_ORDER.length : i;
  };
  return Object.entries(details)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== null && entry[1] !== '')
    .map(([key, value], index) => ({ key, value, index }))
    .sort((a, b) => rank(a.key) - rank(b.key) || a.index - b.index)
    .map(({ key, value }) => ({ key, label: DETAIL_LABELS[key] ?? keyWords(key), value: valueWords(key, value) }));
}

/** Details as stored (a JSON object) back into values; anything else is kept whole under "details". */
export function parseAuditDetails(details: string): Record<string, AuditDetailValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details === '' ? {} : { details };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { details: String(parsed) };
  const values: Record<string, AuditDetailValue> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    values[key] = value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return values;
}

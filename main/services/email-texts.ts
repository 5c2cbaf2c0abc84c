import type { AccountAction } from '../../shared/ipc/contract.js';
import { formatDateTime } from '../../shared/dates.js';
import { STALE_AFTER_DAYS } from '../../shared/domain.js';
import { PASSWORD_RESET } from '../../shared/policy.js';
import type { ProofingDecision } from '../store/proofing-store.js';
import type { StaleOrganization, StaleRequestLine } from '../store/outbox-store.js';

/**
 * Every email the console writes, one function per email: the services decide who gets what and
 * when, and take the words from here, so that the wording is read (and reviewed) in one place.
 * Nothing here ever holds a password or a secret but the password reset's one-time code.
 */

export interface EmailText {
  subject: string;
  body: string;
}

const DAY_MS = 86_400_000;

interface OrganizationNames {
  name: string;
  displayId: string;
}

/** A role request a user filed for themselves; to the organization's Security Officials (iQIES job aid: "An email is sent directly to the SO"). */
export function requestFiledEmail(r: {
  name: string;
  userId: string;
  role: string;
  program: string;
  organization: OrganizationNames;
  /** The Request ID, or the text slot the store fills when it files the request in the same transaction. */
  requestId: number | string;
  justification: string | null;
}): EmailText {
  return {
    subject: `Role Request from ${r.name}`,
    body: `${r.name} (${r.userId}) requests the role ${r.role} in ${r.program} for ${r.organization.name} (${r.organization.displayId}).\nRequest ID: ${r.requestId}\n${r.justification ? `Justification: ${r.justification}\n` : ''}\nOpen the Security Official Console and go to Role Requests to approve or reject it.`,
  };
}

/** The first role request of an account a Security Official created; to the organization's Security Officials. */
export function requestFiledAtCreationEmail(r: {
  name: string;
  userId: string;
  role: string;
  program: string;
  organization: OrganizationNames;
  /** The Request ID, or the text slot the store fills when it files the request in the same transaction. */
  requestId: number | string;
}): EmailText {
  return {
    subject: `Role Request from ${r.name}`,
    body: `${r.name} (${r.userId}) requests the role ${r.role} in ${r.program} for ${r.organization.name} (${r.organization.displayId}).\nRequest ID: ${r.requestId}\nFiled by a Security Official when the account was created.`,
  };
}

/** To the person whose account a Security Official created. */
export function accountCreatedEmail(a: { organizationName: string; userId: string }): EmailText {
  return {
    subject: 'Your Security Official Console account',
    body: `A Security Official of ${a.organizationName} created your account, user ID ${a.userId}. They will give you a temporary password in person. Your account must be approved before you can sign in.`,
  };
}

/** To the requester, when their role request is approved or rejected. */
export function requestDecidedEmail(r: {
  requestId: number;
  role: string;
  program: string;
  organizationName: string;
  verb: 'approved' | 'rejected';
  reason: string | null;
}): EmailText {
  return {
    subject: `Your role request ${r.requestId} was ${r.verb}`,
    body: `Your request for the role ${r.role} in ${r.program} for ${r.organizationName} (Request ID ${r.requestId}) was ${r.verb}.${r.reason ? `\nReason: ${r.reason}` : ''}`,
  };
}

/** To the other CMS Security Officials, when a CMS Security Official role has its first approval. */
export function secondApprovalEmail(r: {
  requestId: number;
  approverEmail: string;
  requesterName: string;
  requesterUserId: string;
  role: string;
  program: string;
}): EmailText {
  return {
    subject: `Second approval needed: role request ${r.requestId}`,
    body: `${r.approverEmail} approved the request of ${r.requesterName} (${r.requesterUserId}) for the role ${r.role} in ${r.program} (Request ID ${r.requestId}). A CMS Security Official role is granted only when a second CMS Security Official approves it too.\nOpen the Security Official Console and go to Role Requests.`,
  };
}

/** What the user is told by email when an official changes their account; never a password. */
const ACCOUNT_ACTION_EMAILS: Record<AccountAction, EmailText> = {
  approve: {
    subject: 'Your account was approved',
    body: 'Your Security Official approved your account. Sign in with the temporary password they give you in person.',
  },
  unlock: { subject: 'Your account was unlocked', body: 'Your Security Official unlocked your account. You can sign in again.' },
  resetPassword: {
    subject: 'Your password was reset',
    body: 'Your Security Official reset your password and gave you a temporary one. If you did not ask for this, contact your Security Official at once.',
  },
  deactivate: { subject: 'Your account was deactivated', body: 'Your Security Official deactivated your account. Contact them if you need access again.' },
  reactivate: { subject: 'Your account was reactivated', body: 'Your Security Official reactivated your account. You can sign in again.' },
  revokeCredentials: {
    subject: 'Your two-factor credentials were removed',
    body: 'Your Security Official removed your two-factor credentials and gave you a temporary password. Sign in with it to enroll a new credential. If you did not ask for this, contact your Security Official at once.',
  },
};

/** To the user, when an official approves, unlocks, resets, deactivates or reactivates their account or removes their credentials. */
export function accountActionEmail(action: AccountAction): EmailText {
  return { ...ACCOUNT_ACTION_EMAILS[action] };
}

/** To the user, when an official removes one of their roles. */
export function roleRemovedEmail(r: { role: string; program: string; organization: OrganizationNames }): EmailText {
  return {
    subject: `Your role ${r.role} was removed`,
    body: `Your role ${r.role} in ${r.program} for ${r.organization.name} (${r.organization.displayId}) was removed by a Security Official.`,
  };
}

/** To the person, after their in-person identity proofing (QualityNet guide 5.4.4.2). */
export function proofingDecidedEmail(decision: ProofingDecision, reason: string | null): EmailText {
  if (decision === 'approved') {
    return { subject: 'Your identity was proofed in person', body: 'A Security Official proved your identity in person. You can now request roles.' };
  }
  if (decision === 'rejected') {
    return {
      subject: 'Your in-person identity proofing was not approved',
      body: `A Security Official did not approve the proofing of your identity. Reason: ${reason ?? ''}.`,
    };
  }
  return {
    subject: 'Your in-person identity proofing was cancelled',
    body: 'The in-person proofing of your identity was cancelled. Come back with the right documents (they must not be expired).',
  };
}

/** To the person's organizations' other officials (never the person) when a proofing is rejected for suspected fraud. */
export function proofingFraudEmail(p: { name: string; userId: string; comments: string | null }): EmailText {
  return {
    subject: `Suspected identity fraud: ${p.name}`,
    body: `A Security Official rejected the in-person identity proofing of ${p.name} (${p.userId}) for suspected fraud.\nComments: ${p.comments ?? ''}\nReview this person's access and roles.`,
  };
}

/** To a state's Security Officials, when a surveyor asks for a Federal Surveyor ID. */
export function fsidRequestedEmail(p: { name: string; userId: string }): EmailText {
  return {
    subject: `Federal Surveyor ID requested by ${p.name}`,
    body: `${p.name} (${p.userId}) asks for a Federal Surveyor ID. Open the Security Official Console, Federal Surveyor IDs, and enter it.`,
  };
}

/** Forgot your Password?: the one-time code, sent at once (never queued). */
export function passwordResetCodeEmail(p: { firstName: string; userId: string; code: string }): EmailText {
  return {
    subject: 'Your one-time code to reset your password',
    body: [
      `Dear ${p.firstName},`,
      '',
      `Someone, probably you, asked to reset the password of user ID ${p.userId} at the Security Official Console, with a security code from your authenticator.`,
      '',
      `Your one-time code: ${p.code}`,
      '',
      `It works once, for ${PASSWORD_RESET.codeMinutes} minutes, and only in the window where the reset was started.`,
      "If you did not ask for it, do not use it: tell your Security Official, because your authenticator may be in someone else's hands.",
      '',
      'This is an automatic message; please do not reply.',
    ].join('\n'),
  };
}

/** Mail settings: the test email, to the CMS Security Official who asked for it. */
export function testEmail(p: { server: string; officialName: string }): EmailText {
  return {
    subject: 'Test email from the Security Official Console',
    body: `This is a test email from the Security Official Console, sent through ${p.server} at ${p.officialName}'s request.\n\nIf you received it, the console's Mail settings work. No action is needed.`,
  };
}

/** The weekly reminder to an organization's Security Officials about role requests waiting too long. */
export function staleReminderEmail(firstName: string, organization: StaleOrganization, lines: readonly StaleRequestLine[], now: number): EmailText {
  const n = organization.staleCount;
  const listed = lines.map((l) => {
    const days = Math.floor((now - l.requestedAt) / DAY_MS);
    return `  - Request ID ${l.requestId}: ${l.firstName} ${l.lastName}, ${l.role} (${l.program}), requested ${formatDateTime(l.requestedAt)} (${days} days ago)`;
  });
  const more = n > lines.length ? [`  ... and ${n - lines.length} more.`] : [];
  return {
    subject: `Role requests waiting more than ${STALE_AFTER_DAYS} days at ${organization.name}`,
    body: [
      `Dear ${firstName},`,
      '',
      `${n} role request${n === 1 ? ' has' : 's have'} been waiting more than ${STALE_AFTER_DAYS} days for a Security Official decision at ${organization.name} (${organization.displayId}).`,
      '',
      ...listed,
      ...more,
      '',
      'Sign in to the Security Official Console and open Role Requests to approve or reject them.',
      'You will be reminded once a week while requests keep waiting.',
      '',
      'This is an automatic message; please do not reply.',
    ].join('\n'),
  };
}

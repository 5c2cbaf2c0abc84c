import { describe, expect, it } from 'vitest';
import {
  accountActionEmail,
  accountCreatedEmail,
  fsidRequestedEmail,
  passwordResetCodeEmail,
  proofingDecidedEmail,
  proofingFraudEmail,
  requestDecidedEmail,
  requestFiledAtCreationEmail,
  requestFiledEmail,
  roleRemovedEmail,
  secondApprovalEmail,
  staleReminderEmail,
  testEmail,
} from '../../main/services/email-texts.js';
import { formatDateTime } from '../../shared/dates.js';
import { PASSWORD_RESET } from '../../shared/policy.js';

const ORG = { name: 'Sunrise Skilled Nursing Center', displayId: '123' };
const DAY = 86_400_000;

describe('the emails the console writes', () => {
  it('role request filed by the requester', () => {
    const filed = { name: 'Ann Lee', userId: 'alee', role: 'Assessment Coordinator', program: 'iQIES Prod', organization: ORG, requestId: 42 };
    const withReason = requestFiledEmail({ ...filed, justification: 'New MDS nurse' });
    expect(withReason.subject).toBe('Role Request from Ann Lee');
    expect(withReason.body).toBe(
      'Ann Lee (alee) requests the role Assessment Coordinator in iQIES Prod for Sunrise Skilled Nursing Center (123).\nRequest ID: 42\nJustification: New MDS nurse\n\nOpen the Security Official Console and go to Role Requests to approve or reject it.',
    );
    expect(requestFiledEmail({ ...filed, justification: null }).body).not.toContain('Justification');
    expect(requestFiledEmail({ ...filed, justification: '' }).body).toContain('Request ID: 42\n\nOpen the Security Official Console');
  });

  it('role request filed when an official created the account', () => {
    const email = requestFiledAtCreationEmail({
      name: 'Ann Lee',
      userId: 'alee',
      role: 'Provider Basic User',
      program: 'iQIES Prod',
      organization: ORG,
      requestId: 7,
    });
    expect(email.subject).toBe('Role Request from Ann Lee');
    expect(email.body).toBe(
      'Ann Lee (alee) requests the role Provider Basic User in iQIES Prod for Sunrise Skilled Nursing Center (123).\nRequest ID: 7\nFiled by a Security Official when the account was created.',
    );
  });

  it('account created', () => {
    const email = accountCreatedEmail({ organizationName: ORG.name, userId: 'alee' });
    expect(email.subject).toBe('Your Security Official Console account');
    expect(email.body).toContain('A Security Official of Sunrise Skilled Nursing Center created your account, user ID alee.');
    expect(email.body).toContain('They will give you a temporary password in person.');
    expect(email.body).toContain('Your account must be approved before you can sign in.');
  });

  it('role request approved or rejected', () => {
    const base = { requestId: 42, role: 'Assessment Coordinator', program: 'iQIES Prod', organizationName: ORG.name };
    const approved = requestDecidedEmail({ ...base, verb: 'approved', reason: null });
    expect(approved.subject).toBe('Your role request 42 was approved');
    expect(approved.body).toBe(
      'Your request for the role Assessment Coordinator in iQIES Prod for Sunrise Skilled Nursing Center (Request ID 42) was approved.',
    );
    const rejected = requestDecidedEmail({ ...base, verb: 'rejected', reason: 'Not on our staff' });
    expect(rejected.subject).toBe('Your role request 42 was rejected');
    expect(rejected.body).toMatch(/was rejected\.\nReason: Not on our staff$/);
  });

  it('second approval needed', () => {
    const email = secondApprovalEmail({
      requestId: 9,
      approverEmail: 'cms1@cms.example',
      requesterName: 'Ann Lee',
      requesterUserId: 'alee',
      role: 'CMS Security Official',
      program: 'iQIES Prod',
    });
    expect(email.subject).toBe('Second approval needed: role request 9');
    expect(email.body).toContain('cms1@cms.example approved the request of Ann Lee (alee) for the role CMS Security Official in iQIES Prod (Request ID 9).');
    expect(email.body).toContain('A CMS Security Official role is granted only when a second CMS Security Official approves it too.');
    expect(email.body).toMatch(/\nOpen the Security Official Console and go to Role Requests\.$/);
  });

  it('account actions, each with its own subject and never a password', () => {
    const expected = {
      approve: ['Your account was approved', 'Sign in with the temporary password they give you in person.'],
      unlock: ['Your account was unlocked', 'Your Security Official unlocked your account. You can sign in again.'],
      resetPassword: ['Your password was reset', 'If you did not ask for this, contact your Security Official at once.'],
      deactivate: ['Your account was deactivated', 'Contact them if you need access again.'],
      reactivate: ['Your account was reactivated', 'Your Security Official reactivated your account. You can sign in again.'],
      revokeCredentials: ['Your two-factor credentials were removed', 'Sign in with it to enroll a new credential.'],
    } as const;
    for (const [action, [subject, sentence]] of Object.entries(expected)) {
      const email = accountActionEmail(action as keyof typeof expected);
      expect(email.subject, action).toBe(subject);
      expect(email.body, action).toContain(sentence);
    }
    // A caller changing its copy does not change the next email.
    accountActionEmail('unlock').subject = 'changed';
    expect(accountActionEmail('unlock').subject).toBe('Your account was unlocked');
  });

  it('role removed', () => {
    const email = roleRemovedEmail({ role: 'Provider Basic User', program: 'iQIES Prod', organization: ORG });
    expect(email.subject).toBe('Your role Provider Basic User was removed');
    expect(email.body).toBe('Your role Provider Basic User in iQIES Prod for Sunrise Skilled Nursing Center (123) was removed by a Security Official.');
  });

  it('in-person proofing approved, rejected (with the reason) or cancelled', () => {
    expect(proofingDecidedEmail('approved', null)).toEqual({
      subject: 'Your identity was proofed in person',
      body: 'A Security Official proved your identity in person. You can now request roles.',
    });
    expect(proofingDecidedEmail('rejected', 'Documents expired')).toEqual({
      subject: 'Your in-person identity proofing was not approved',
      body: 'A Security Official did not approve the proofing of your identity. Reason: Documents expired.',
    });
    const cancelled = proofingDecidedEmail('cancelled', null);
    expect(cancelled.subject).toBe('Your in-person identity proofing was cancelled');
    expect(cancelled.body).toContain('Come back with the right documents (they must not be expired).');
  });

  it('suspected identity fraud, to the other officials', () => {
    const email = proofingFraudEmail({ name: 'Ann Lee', userId: 'alee', comments: 'Photo does not match' });
    expect(email.subject).toBe('Suspected identity fraud: Ann Lee');
    expect(email.body).toContain('rejected the in-person identity proofing of Ann Lee (alee) for suspected fraud.');
    expect(email.body).toContain('\nComments: Photo does not match\n');
    expect(email.body).toMatch(/Review this person's access and roles\.$/);
    expect(proofingFraudEmail({ name: 'Ann Lee', userId: 'alee', comments: null }).body).toContain('\nComments: \n');
  });

  it('Federal Surveyor ID requested', () => {
    const email = fsidRequestedEmail({ name: 'Sam Park', userId: 'spark' });
    expect(email.subject).toBe('Federal Surveyor ID requested by Sam Park');
    expect(email.body).toBe('Sam Park (spark) asks for a Federal Surveyor ID. Open the Security Official Console, Federal Surveyor IDs, and enter it.');
  });

  it('password reset one-time code', () => {
    const email = passwordResetCodeEmail({ firstName: 'Ann', userId: 'alee', code: '48213957' });
    expect(email.subject).toBe('Your one-time code to reset your password');
    expect(email.body.split('\n')[0]).toBe('Dear Ann,');
    expect(email.body).toContain('asked to reset the password of user ID alee at the Security Official Console');
    expect(email.body).toContain('Your one-time code: 48213957');
    expect(email.body).toContain(`It works once, for ${PASSWORD_RESET.codeMinutes} minutes`);
    expect(email.body).toContain("because your authenticator may be in someone else's hands.");
    expect(email.body).toMatch(/This is an automatic message; please do not reply\.$/);
  });

  it('test email from Mail settings', () => {
    const email = testEmail({ server: 'smtp.example.gov:587', officialName: 'Carla Ruiz' });
    expect(email.subject).toBe('Test email from the Security Official Console');
    expect(email.body).toBe(
      "This is a test email from the Security Official Console, sent through smtp.example.gov:587 at Carla Ruiz's request.\n\nIf you received it, the console's Mail settings work. No action is needed.",
    );
  });

  it('stale request reminder: count, listed requests, and what is left out', () => {
    const now = Date.UTC(2026, 10, 29, 17);
    const organization = { organizationId: 1, displayId: '123', name: ORG.name, staleCount: 3, oldestRequestedAt: now - 20 * DAY };
    const lines = [
      { requestId: 5, firstName: 'Ann', lastName: 'Lee', role: 'Assessment Coordinator', program: 'iQIES Prod', requestedAt: now - 20 * DAY },
      { requestId: 6, firstName: 'Bo', lastName: 'Kim', role: 'Provider Basic User', program: 'iQIES Prod', requestedAt: now - 15 * DAY - 3_600_000 },
    ];
    const email = staleReminderEmail('Sam', organization, lines, now);
    expect(email.subject).toMatch(/^Role requests waiting more than \d+ days at Sunrise Skilled Nursing Center$/);
    expect(email.body.split('\n')[0]).toBe('Dear Sam,');
    expect(email.body).toMatch(
      /\n3 role requests have been waiting more than \d+ days for a Security Official decision at Sunrise Skilled Nursing Center \(123\)\./,
    );
    expect(email.body).toContain(`  - Request ID 5: Ann Lee, Assessment Coordinator (iQIES Prod), requested ${formatDateTime(now - 20 * DAY)} (20 days ago)`);
    expect(email.body).toContain('(15 days ago)');
    expect(email.body).toContain('  ... and 1 more.');
    expect(email.body).toContain('You will be reminded once a week while requests keep waiting.');
    const one = staleReminderEmail('Sam', { ...organization, staleCount: 1 }, lines.slice(0, 1), now);
    expect(one.body).toMatch(/\n1 role request has been waiting/);
    expect(one.body).not.toContain('more.');
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult } from '../../shared/ipc/errors.js';
import type { ChannelOutput } from '../../shared/ipc/contract.js';
import { PASSWORD_RESET, POLICY, RESET_MESSAGES, SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { PASSWORD_RESET_ACTIONS } from '../../main/services/password-reset.js';
import { CMS_ORG, Harness, PASSWORD, PROVIDER_ORG, tableChecksums, tableRows } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { SmtpTestServer, closedPort } from '../support/smtp-test-server.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const MINUTE = 60_000;
const NEW_PASSWORD = 'lantern orchard velvet compass';
const FROM = 'console@example.org';

type Start = ChannelOutput<'auth.requestPasswordReset'>;

function seen(result: IpcResult<unknown>): string {
  return result.ok ? 'OK' : `${result.error.code}: ${result.error.message}`;
}

describe('Forgot your Password?', () => {
  let smtp: SmtpTestServer;
  let h: Harness;
  let users: Record<string, TestUser>;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
  });
  afterAll(() => smtp.close());

  beforeEach(async () => {
    h = await Harness.create();
    users = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: '789', name: 'Harbor Hospice', kind: 'provider' }],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so.gone', organization: '123', status: 'deactivated', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'pat', organization: '123', roles: [[PROD, 'Assessment Coordinator']] },
        { userId: 'lone', organization: '789', roles: [[PROD, 'Provider Basic User']] },
        { userId: 'nocred', organization: '123', roles: [[PROD, 'Assessment Coordinator']] },
        { userId: 'waiting', organization: '123', status: 'pending' },
      ],
    });
    await sideSql(h.app).run("DELETE FROM mfa_credentials WHERE user_id = (SELECT id FROM users WHERE user_id = 'nocred')");
  });
  afterEach(() => h.dispose());

  const request = (userId: string, code: string, client = 'anonymous') => h.app.dispatch({ clientId: client }, 'auth.requestPasswordReset', { userId, code });
  const complete = (resetId: string, code: string, password = NEW_PASSWORD, client = 'anonymous') =>
    h.app.dispatch({ clientId: client }, 'auth.completePasswordReset', { resetId, code, newPassword: password, confirmPassword: password });
  const signIn = (userId: string, password: string, client = 'anonymous') =>
    h.app.dispatch({ clientId: client }, 'auth.signIn', { userId, password, code: h.code((users[userId] ?? users['so1']!).secret), agreeToTerms: true });

  /** A fresh code from the user's authenticator. */
  function fresh(userId: string): string {
    h.nextStep();
    return h.code(users[userId]!.secret);
  }

  async function configureMail(port = smtp.port): Promise<void> {
    await h.signIn('cms', users['cms']!);
    await h.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port, secure: false, user: '', from: FROM });
  }

  /** Starts a reset with the user's authenticator and reads the one-time code from the email. */
  async function emailed(userId: string, client = 'anonymous'): Promise<{ resetId: string; code: string; start: Start }> {
    const before = smtp.received.length;
    const result = await request(userId, fresh(userId), client);
    if (!result.ok) throw new Error(seen(result));
    const start = result.value as Start;
    if (start.delivery !== 'email') throw new Error(`not emailed: ${JSON.stringify(start)}`);
    await smtp.waitForMessages(before + 1);
    const mail = smtp.received.at(-1)!;
    const code = new RegExp(`one-time code: (\\d{${PASSWORD_RESET.codeDigits}})`).exec(mail.text ?? '')?.[1];
    if (!code) throw new Error('no code in the email');
    return { resetId: start.resetId, code, start };
  }

  const wrongCode = (code: string) => String((Number(code) + 1) % 10 ** PASSWORD_RESET.codeDigits).padStart(PASSWORD_RESET.codeDigits, '0');
  const actionsSince = async (n: number) => (await h.auditActions()).slice(n);

  describe('refusals of the first step (User ID and security code)', () => {
    it('an unknown user ID gets the wrong-code answer, and only an audit event is written', async () => {
      await configureMail();
      const before = await tableChecksums(h);
      const events = (await h.auditActions()).length;
      expect(seen(await request('nobody.here', fresh('pat')))).toBe(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`);
      const after = await tableChecksums(h);
      const changed = [...before.keys()].filter((table) => before.get(table) !== after.get(table));
      expect(changed.sort()).toEqual(['audit_events', 'audit_head']);
      expect(await actionsSince(events)).toEqual([PASSWORD_RESET_ACTIONS.failed]);
      expect(smtp.received.filter((m) => m.subject?.includes('one-time code'))).toHaveLength(0);
    });

    it('an account without a two-factor credential gets the same answer, counted', async () => {
      await configureMail();
      expect(seen(await request('nocred', '123456'))).toBe(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`);
      expect((await h.userRow('nocred')).failed_attempts).toBe(1);
    });

    it('a wrong security code is counted toward the sign-in lock, and sends nothing', async () => {
      await configureMail();
      const sent = smtp.received.length;
      expect(seen(await request('pat', fresh('so1')))).toBe(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`);
      expect((await h.userRow('pat')).failed_attempts).toBe(1);
      // The same count as sign-in: a wrong password now is the second failure.
      expect(seen(await signIn('pat', 'not the password'))).toBe(`SIGN_IN_FAILED: ${SIGN_IN_MESSAGES.incorrect}`);
      expect((await h.userRow('pat')).failed_attempts).toBe(2);
      expect(smtp.received.length).toBe(sent);
    });

    it('a security code already used (seen over a shoulder) does not start a reset', async () => {
      await configureMail();
      const code = fresh('pat');
      await h.call('pat-window', 'auth.signIn', { userId: 'pat', password: PASSWORD, code, agreeToTerms: true });
      expect(seen(await request('pat', code))).toBe(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`);
    });

    it('a pending account learns its status only with a right code, as at sign-in', async () => {
      await configureMail();
      expect(seen(await request('waiting', fresh('pat')))).toBe(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`);
      expect(seen(await request('waiting', fresh('waiting')))).toBe(`FORBIDDEN: ${SIGN_IN_MESSAGES.pending}`);
    });
  });

  describe('with a mail server', () => {
    it('emails a one-time code kept only as a keyed hash, never in the outbox, and the new password then signs in', async () => {
      await configureMail();
      const events = (await h.auditActions()).length;
      const { resetId, code, start } = await emailed('pat');
      expect(start).toMatchObject({ delivery: 'email', emailHint: 'p•••@example.org', expiresAt: h.clock.now() + PASSWORD_RESET.codeMinutes * MINUTE });
      const mail = smtp.received.at(-1)!;
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('pat@example.org');
      expect(mail.subject).toBe('Your one-time code to reset your password');

      // Neither the code nor the token is anywhere in the database in clear.
      const dump = JSON.stringify([...(await tableRows(h)).values()]);
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(resetId);
      expect(((await sideSql(h.app).get('SELECT count(*) AS n FROM outbox')) as { n: number }).n).toBe(0);

      expect(seen(await complete(resetId, code))).toBe('OK');
      expect(seen(await signIn('pat', PASSWORD))).toBe(`SIGN_IN_FAILED: ${SIGN_IN_MESSAGES.incorrect}`);
      h.nextStep();
      expect(seen(await signIn('pat', NEW_PASSWORD))).toBe('OK');
      expect(await actionsSince(events)).toEqual([
        PASSWORD_RESET_ACTIONS.requested,
        PASSWORD_RESET_ACTIONS.codeSent,
        PASSWORD_RESET_ACTIONS.completed,
        'password.changed',
        'signin.failed',
        'signin.succeeded',
      ]);
    });

    it('a wrong one-time code is refused and counted; the right one still works after it', async () => {
      await configureMail();
      const { resetId, code } = await emailed('pat');
      expect(
        await h.refusal('anonymous', 'auth.completePasswordReset', {
          resetId,
          code: wrongCode(code),
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        }),
      ).toEqual({
        code: 'VALIDATION',
        message: RESET_MESSAGES.codeIncorrect,
        field: 'code',
      });
      expect((await h.userRow('pat')).failed_attempts).toBe(1);
      expect(seen(await complete(resetId, code))).toBe('OK');
      expect((await h.userRow('pat')).failed_attempts).toBe(0);
    });

    it(`an expired one-time code (after ${PASSWORD_RESET.codeMinutes} minutes) is refused, and the password stays`, async () => {
      await configureMail();
      const { resetId, code } = await emailed('pat');
      h.clock.advance(PASSWORD_RESET.codeMinutes * MINUTE);
      expect(seen(await complete(resetId, code))).toBe(`CONFLICT: ${RESET_MESSAGES.expired}`);
      h.nextStep();
      expect(seen(await signIn('pat', PASSWORD))).toBe('OK');
    });

    it('a used one-time code is refused the second time, whoever replays it', async () => {
      await configureMail();
      const { resetId, code } = await emailed('pat');
      expect(seen(await complete(resetId, code))).toBe('OK');
      expect(seen(await complete(resetId, code, 'another phrase entirely different', 'someone-else'))).toBe(`CONFLICT: ${RESET_MESSAGES.used}`);
      h.nextStep();
      expect(seen(await signIn('pat', NEW_PASSWORD))).toBe('OK');
    });

    it('a newer reset replaces the older one: its code stops working', async () => {
      await configureMail();
      const first = await emailed('pat');
      const second = await emailed('pat');
      expect(seen(await complete(first.resetId, first.code))).toBe(`CONFLICT: ${RESET_MESSAGES.ended}`);
      expect(seen(await complete(second.resetId, second.code))).toBe('OK');
    });

    it("a weak new password is refused with the policy's reason, writes nothing, and the code still works", async () => {
      await configureMail();
      const { resetId, code } = await emailed('pat');
      const before = await tableChecksums(h);
      const weak = await h.refusal('anonymous', 'auth.completePasswordReset', { resetId, code, newPassword: 'password1234', confirmPassword: 'password1234' });
      expect(weak).toMatchObject({ code: 'VALIDATION', field: 'newPassword' });
      expect(weak.message).toMatch(/too common|too easy to guess/);
      expect(
        await h.refusal('anonymous', 'auth.completePasswordReset', { resetId, code, newPassword: 'qwertyuiopasdfgh', confirmPassword: 'qwertyuiopasdfgh' }),
      ).toMatchObject({
        code: 'VALIDATION',
        field: 'newPassword',
      });
      expect(
        await h.refusal('anonymous', 'auth.completePasswordReset', { resetId, code, newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` }),
      ).toEqual({
        code: 'VALIDATION',
        message: RESET_MESSAGES.passwordsDiffer,
        field: 'confirmPassword',
      });
      const after = await tableChecksums(h);
      expect([...before].filter(([table, sum]) => after.get(table) !== sum)).toEqual([]);
      expect(seen(await complete(resetId, code))).toBe('OK');
    });

    it('five wrong codes lock the account as five wrong sign-ins do; the reset ends, and a fresh one still gets a temporarily locked user back in', async () => {
      await configureMail();
      const { resetId, code } = await emailed('pat');
      // Two wrong sign-ins, then three wrong one-time codes: one count.
      await signIn('pat', 'wrong one');
      await signIn('pat', 'wrong two');
      const answers: string[] = [];
      for (let i = 0; i < 3; i += 1) answers.push(seen(await complete(resetId, wrongCode(code))));
      expect(answers).toEqual([
        `VALIDATION: ${RESET_MESSAGES.codeIncorrect}`,
        `VALIDATION: ${RESET_MESSAGES.codeIncorrect}`,
        `LOCKED: ${RESET_MESSAGES.temporarilyLocked}`,
      ]);
      expect((await h.userRow('pat')).locked_until).toBe(h.clock.now() + POLICY.temporaryLockMinutes * MINUTE);
      // The reset ended with the lock: even the right code no longer works.
      expect(seen(await complete(resetId, code))).toBe(`CONFLICT: ${RESET_MESSAGES.ended}`);
      h.nextStep();
      expect(seen(await signIn('pat', PASSWORD))).toBe(`LOCKED: ${SIGN_IN_MESSAGES.temporarilyLocked}`);

      // "Click the 'Forgot your Password?' link to continue": a new reset passes the temporary lock.
      const again = await emailed('pat');
      expect(seen(await complete(again.resetId, again.code))).toBe('OK');
      expect(await h.userRow('pat')).toMatchObject({ failed_attempts: 0, temporary_lock_count: 0, locked_until: null });
      h.nextStep();
      expect(seen(await signIn('pat', NEW_PASSWORD))).toBe('OK');
    });

    it("five wrong security codes lock it too; at the third lock the account is locked until an official unlocks it, and reset is refused with the guide's message", async () => {
      await configureMail();
      const answers: string[] = [];
      // One round of five per lock period, as at sign-in: each lock is waited out before the next round.
      for (let lock = 0; lock < POLICY.temporaryLocksBeforeLock; lock += 1) {
        if (lock > 0) h.clock.advance(POLICY.temporaryLockMinutes * MINUTE + 1);
        for (let i = 0; i < POLICY.failuresBeforeLock; i += 1) answers.push(seen(await request('pat', fresh('so1'))));
      }
      answers.push(seen(await request('pat', fresh('so1'))));
      const round = [
        ...Array<string>(POLICY.failuresBeforeLock - 1).fill(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`),
        `LOCKED: ${RESET_MESSAGES.temporarilyLocked}`,
      ];
      expect(answers).toEqual([...round, ...round, ...round.slice(0, -1), `LOCKED: ${SIGN_IN_MESSAGES.locked}`, `LOCKED: ${SIGN_IN_MESSAGES.locked}`]);
      expect((await h.userRow('pat')).status).toBe('locked');
      // Even the owner's right code: "Unable to successfully use the Forgot My Password feature" (Table 5-2).
      expect(seen(await request('pat', fresh('pat')))).toBe(`LOCKED: ${SIGN_IN_MESSAGES.locked}`);
      expect(await h.auditActions()).toContain('account.locked');
    });

    it('when the mail server is down the reset ends unsent, and the user is told whom to contact', async () => {
      await configureMail(await closedPort());
      const events = (await h.auditActions()).length;
      const result = await request('pat', fresh('pat'));
      expect(result.ok && result.value).toMatchObject({ delivery: 'officials', reason: 'mail_failed' });
      expect(await actionsSince(events)).toEqual([PASSWORD_RESET_ACTIONS.requested, PASSWORD_RESET_ACTIONS.mailFailed]);
      expect(await sideSql(h.app).all('SELECT end_reason FROM password_resets')).toEqual([{ end_reason: 'not_sent' }]);
    });

    it('the database keeps a used reset used', async () => {
      await configureMail();
      const { resetId, code } = await emailed('pat');
      await complete(resetId, code);
      await expect(sideSql(h.app).run('UPDATE password_resets SET ended_at = NULL, end_reason = NULL')).rejects.toThrow(
        'A password reset that has ended cannot be used again.',
      );
      await expect(sideSql(h.app).run('DELETE FROM password_resets')).rejects.toThrow('Password resets are kept for the audit trail.');
    });
  });

  describe('without a mail server', () => {
    it("names the active Security Officials of the user's organizations, only to the holder of the authenticator", async () => {
      const events = (await h.auditActions()).length;
      expect(seen(await request('pat', fresh('so1')))).toBe(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`);
      const result = await request('pat', fresh('pat'));
      expect(result.ok && result.value).toEqual({
        delivery: 'officials',
        reason: 'mail_not_configured',
        officials: [
          { firstName: 'First1', lastName: 'Last1', email: 'so1@example.org', organization: PROVIDER_ORG.name },
          { firstName: 'First2', lastName: 'Last2', email: 'so2@example.org', organization: PROVIDER_ORG.name },
        ],
      });
      expect(await actionsSince(events)).toEqual([PASSWORD_RESET_ACTIONS.failed, PASSWORD_RESET_ACTIONS.noMail]);
      expect(await sideSql(h.app).get('SELECT count(*) AS n FROM password_resets')).toEqual({ n: 0 });
    });

    it('an official is not told to contact themself; an organization without one sends the user to CMS', async () => {
      const emails = async (userId: string) => {
        const start = await h.call('anonymous', 'auth.requestPasswordReset', { userId, code: fresh(userId) });
        return start.delivery === 'officials' ? start.officials.map((o) => o.email) : [];
      };
      expect(await emails('so1')).toEqual(['so2@example.org']);
      expect(await emails('lone')).toEqual(['cms@example.org']);
    });

    it("filing a request does not buy the list of an organization's officials: only roles held count", async () => {
      await h.signIn('lone', users['lone']!);
      await h.call('lone', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' });
      const start = await h.call('anonymous', 'auth.requestPasswordReset', { userId: 'lone', code: fresh('lone') });
      expect(start.delivery === 'officials' ? start.officials.map((o) => o.email) : start.delivery).toEqual(['cms@example.org']);
    });
  });

  describe('it tells no more about which user IDs exist than sign-in does', () => {
    it("a known ID with wrong codes and an unknown ID get the same answers through every lock, sharing sign-in's count", async () => {
      const attempt = async (userId: string, i: number) =>
        i % 4 === 3 ? seen(await signIn(userId, 'wrong password')) : seen(await request(userId, fresh('so1')));
      const run = async (userId: string) => {
        const answers: string[] = [];
        for (let i = 0; i < 30; i += 1) answers.push(await attempt(userId, i));
        return answers;
      };
      const known = await run('pat');
      const unknown = await run('nobody.here');
      expect(unknown).toEqual(known);
      expect(known.filter((a) => a.startsWith('LOCKED')).length).toBeGreaterThan(2);
      // Thirty quick attempts never lock for good: a running lock is not deepened by attempts made during it.
      expect(known).not.toContain(`LOCKED: ${SIGN_IN_MESSAGES.locked}`);
    });
  });
});

describe('attacks on Forgot your Password?, through dispatch', () => {
  let smtp: SmtpTestServer;
  let h: Harness;
  let users: Record<string, TestUser>;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
  });
  afterAll(() => smtp.close());
  beforeEach(async () => {
    h = await Harness.create();
    users = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'victim', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'mallory', organization: '123', roles: [[PROD, 'Assessment Coordinator']] },
      ],
    });
    await h.signIn('cms', users['cms']!);
    await h.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port: smtp.port, secure: false, user: '', from: FROM });
  });
  afterEach(() => h.dispose());

  const fresh = (userId: string) => {
    h.nextStep();
    return h.code(users[userId]!.secret);
  };

  it('an anonymous caller cannot lock an account for good through reset, nor guess codes without limit during a lock', async () => {
    // As fast as it can: one round of five locks the account for 15 minutes, and the lock is never deepened.
    const answers: string[] = [];
    for (let i = 0; i < 30; i += 1)
      answers.push(seen(await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.requestPasswordReset', { userId: 'victim', code: '000000' })));
    // A reset may try during the lock (the lock message sends the user there), but only one round.
    const round = [
      ...Array<string>(POLICY.failuresBeforeLock - 1).fill(`SIGN_IN_FAILED: ${RESET_MESSAGES.incorrect}`),
      `LOCKED: ${RESET_MESSAGES.temporarilyLocked}`,
    ];
    expect(answers).toEqual([...round, ...round, ...Array<string>(30 - 2 * round.length).fill(`LOCKED: ${RESET_MESSAGES.temporarilyLocked}`)]);
    expect(await sideSql(h.app).get("SELECT status, temporary_lock_count AS locks FROM users WHERE user_id = 'victim'")).toEqual({
      status: 'active',
      locks: 1,
    });
    // The round is spent: even the right code is not tried until the lock ends, so it cannot be found by guessing.
    expect(seen(await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.requestPasswordReset', { userId: 'victim', code: fresh('victim') }))).toBe(
      `LOCKED: ${RESET_MESSAGES.temporarilyLocked}`,
    );
    // An ID that names no account answers the same way, round for round.
    const unknown: string[] = [];
    for (let i = 0; i < 30; i += 1)
      unknown.push(seen(await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.requestPasswordReset', { userId: 'nobody.here', code: '000000' })));
    expect(unknown).toEqual(answers);
    // When the lock ends, the owner signs in as ever.
    h.clock.advance(POLICY.temporaryLockMinutes * MINUTE + 1);
    expect(
      seen(
        await h.app.dispatch({ clientId: 'victim-window' }, 'auth.signIn', { userId: 'victim', password: PASSWORD, code: fresh('victim'), agreeToTerms: true }),
      ),
    ).toBe('OK');
  });

  it("without the victim's authenticator code, an anonymous caller gets no email sent and no token, however it guesses", async () => {
    const sent = smtp.received.length;
    for (const code of ['000000', '123456', fresh('mallory'), '999999']) {
      expect(await h.refusal('mallory-window', 'auth.requestPasswordReset', { userId: 'victim', code })).toMatchObject({ code: 'SIGN_IN_FAILED' });
    }
    expect(smtp.received.length).toBe(sent);
    expect(await sideSql(h.app).get('SELECT count(*) AS n FROM password_resets')).toEqual({ n: 0 });
  });

  it("with the victim's authenticator code but not their email, guessing the one-time code locks the account and never sets the password", async () => {
    const start = await h.call('mallory-window', 'auth.requestPasswordReset', { userId: 'victim', code: fresh('victim') });
    if (start.delivery !== 'email') throw new Error('expected an email');
    const answers: string[] = [];
    for (let guess = 0; guess < POLICY.failuresBeforeLock + 1; guess += 1) {
      const result = await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.completePasswordReset', {
        resetId: start.resetId,
        code: String(guess).padStart(PASSWORD_RESET.codeDigits, '0'),
        newPassword: 'mallory owns this account now',
        confirmPassword: 'mallory owns this account now',
      });
      answers.push(seen(result));
    }
    expect(answers.slice(0, POLICY.failuresBeforeLock - 1).every((a) => a === `VALIDATION: ${RESET_MESSAGES.codeIncorrect}`)).toBe(true);
    expect(answers[POLICY.failuresBeforeLock - 1]).toBe(`LOCKED: ${RESET_MESSAGES.temporarilyLocked}`);
    expect(answers[POLICY.failuresBeforeLock]).toBe(`CONFLICT: ${RESET_MESSAGES.ended}`);
    h.clock.advance(POLICY.temporaryLockMinutes * MINUTE);
    expect(
      seen(
        await h.app.dispatch({ clientId: 'victim-window' }, 'auth.signIn', { userId: 'victim', password: PASSWORD, code: fresh('victim'), agreeToTerms: true }),
      ),
    ).toBe('OK');
  });

  it("the emailed code alone does not work with a token of its own making, nor with another reset's token", async () => {
    const mine = await h.call('mallory-window', 'auth.requestPasswordReset', { userId: 'mallory', code: fresh('mallory') });
    await smtp.waitForMessages(1);
    const victims = await h.call('victim-window', 'auth.requestPasswordReset', { userId: 'victim', code: fresh('victim') });
    await smtp.waitForMessages(2);
    const victimCode = /one-time code: (\d+)/.exec(smtp.received.at(-1)?.text ?? '')?.[1] ?? '';
    if (mine.delivery !== 'email' || victims.delivery !== 'email') throw new Error('expected emails');
    expect(
      seen(
        await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.completePasswordReset', {
          resetId: 'made-up-token',
          code: victimCode,
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        }),
      ),
    ).toBe(`NOT_FOUND: ${RESET_MESSAGES.ended}`);
    // Mallory's own token with the victim's code resets nobody's password (and counts against Mallory).
    expect(
      seen(
        await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.completePasswordReset', {
          resetId: mine.resetId,
          code: victimCode,
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        }),
      ),
    ).toBe(`VALIDATION: ${RESET_MESSAGES.codeIncorrect}`);
    expect((await h.userRow('mallory')).failed_attempts).toBe(1);
    expect((await h.userRow('victim')).failed_attempts).toBe(0);
  });

  it("an official's response ends a reset under way: after a temporary password, or revoked credentials, the emailed code no longer works", async () => {
    for (const action of ['resetPassword', 'revokeCredentials'] as const) {
      const start = await h.call('mallory-window', 'auth.requestPasswordReset', { userId: 'victim', code: fresh('victim') });
      await smtp.waitForMessages(1);
      const code = /one-time code: (\d+)/.exec(smtp.received.at(-1)?.text ?? '')?.[1] ?? '';
      if (start.delivery !== 'email') throw new Error('expected an email');
      await h.call('cms', 'users.accountAction', { userId: 'victim', action, code: fresh('cms') });
      const finished = await h.app.dispatch({ clientId: 'mallory-window' }, 'auth.completePasswordReset', {
        resetId: start.resetId,
        code,
        newPassword: 'mallory owns this account now',
        confirmPassword: 'mallory owns this account now',
      });
      expect(seen(finished), action).toBe(`CONFLICT: ${RESET_MESSAGES.ended}`);
      expect(await sideSql(h.app).get('SELECT end_reason FROM password_resets ORDER BY id DESC LIMIT 1'), action).toEqual({ end_reason: 'superseded' });
      if (action === 'resetPassword') {
        expect(await sideSql(h.app).get("SELECT must_change_password AS m FROM users WHERE user_id = 'victim'"), 'the temporary password still stands').toEqual(
          { m: 1 },
        );
      }
    }
  });

  it('replaying a used code and token fails, and the reset signs the user out everywhere', async () => {
    await h.signIn('victim-desk', users['victim']!);
    expect((await h.call('victim-desk', 'session.status', {})).state).toBe('active');
    const start = await h.call('victim-laptop', 'auth.requestPasswordReset', { userId: 'victim', code: fresh('victim') });
    await smtp.waitForMessages(1);
    const code = /one-time code: (\d+)/.exec(smtp.received.at(-1)?.text ?? '')?.[1] ?? '';
    if (start.delivery !== 'email') throw new Error('expected an email');
    const input = { resetId: start.resetId, code, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
    expect(await h.call('victim-laptop', 'auth.completePasswordReset', input)).toEqual({ userId: 'victim' });
    expect((await h.call('victim-desk', 'session.status', {})).state).toBe('none');
    expect(
      seen(
        await h.app.dispatch({ clientId: 'replayer' }, 'auth.completePasswordReset', {
          ...input,
          newPassword: 'replayed words of someone',
          confirmPassword: 'replayed words of someone',
        }),
      ),
    ).toBe(`CONFLICT: ${RESET_MESSAGES.used}`);
    expect((await h.auditActions()).filter((a) => a.startsWith('password_reset.'))).toEqual([
      PASSWORD_RESET_ACTIONS.requested,
      PASSWORD_RESET_ACTIONS.codeSent,
      PASSWORD_RESET_ACTIONS.completed,
      PASSWORD_RESET_ACTIONS.refused,
    ]);
  });
});

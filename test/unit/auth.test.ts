import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { CMS_ORG, Harness, PASSWORD, PROVIDER_ORG, STEP_MS } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('sign-in (QualityNet guide 5.3 and Table 5-2)', () => {
  let h: Harness;
  let users: Record<string, TestUser>;
  let official: TestUser;

  beforeEach(async () => {
    h = await Harness.create();
    users = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG],
      users: [
        { userId: 'Pat.Official', organization: '123', roles: [['iQIES Prod', 'Provider Security Official']] },
        { userId: 'pending.user', organization: '123', status: 'pending' },
        { userId: 'not.activated', organization: '123', status: 'not_activated' },
        { userId: 'old.user', organization: '123', lastSignInAt: T0minus(121 * DAY) },
      ],
    });
    official = users['Pat.Official']!;
  });
  afterEach(() => h.dispose());

  function T0minus(ms: number) {
    return Date.UTC(2026, 0, 15, 12) - ms;
  }

  const attempt = (user: TestUser | { userId: string; secret: string }, overrides: Partial<{ password: string; code: string }> = {}, client = 'c1') =>
    h.app.dispatch({ clientId: client }, 'auth.signIn', {
      userId: user.userId,
      password: overrides.password ?? PASSWORD,
      code: overrides.code ?? h.code(user.secret),
      agreeToTerms: true,
    });

  it('signs in with user ID in any case, the case-sensitive password and a fresh code, then shows the warning page', async () => {
    const result = await attempt({ ...official, userId: 'pat.OFFICIAL' });
    expect(result).toMatchObject({ ok: true, value: { state: 'warning', user: { userId: 'Pat.Official' } } });
    expect(await h.auditActions()).toContain('signin.succeeded');
    const accepted = await h.call('c1', 'auth.acceptWarning', {});
    expect(accepted.state).toBe('active');
    expect(accepted.user?.officialKind).toBe('provider');
  });

  it('refuses a wrong password with the table message, whichever factor was wrong', async () => {
    const wrongPassword = await attempt(official, { password: PASSWORD.toUpperCase() });
    h.nextStep();
    const wrongCode = await attempt(official, { code: h.code(official.secret, 5) });
    const unknownUser = await attempt({ userId: 'nobody', secret: official.secret });
    for (const r of [wrongPassword, wrongCode, unknownUser]) {
      expect(r).toEqual({ ok: false, error: { code: 'SIGN_IN_FAILED', message: SIGN_IN_MESSAGES.incorrect } });
    }
    expect((await h.userRow('Pat.Official')).failed_attempts).toBe(2);
  });

  it('requires agreement to the Terms & Conditions', async () => {
    const result = await h.app.dispatch({ clientId: 'c1' }, 'auth.signIn', {
      userId: official.userId,
      password: PASSWORD,
      code: h.code(official.secret),
      agreeToTerms: false,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'agreeToTerms' } });
  });

  it('never accepts the same code twice (replay)', async () => {
    const code = h.code(official.secret);
    expect((await attempt(official, { code })).ok).toBe(true);
    await h.call('c1', 'auth.signOut', {});
    const replay = await attempt(official, { code }, 'c2');
    expect(replay).toMatchObject({ ok: false, error: { message: SIGN_IN_MESSAGES.incorrect } });
    h.nextStep();
    expect((await attempt(official, {}, 'c2')).ok).toBe(true);
  });

  it('locks the account for 15 minutes after five consecutive failures', async () => {
    for (let i = 1; i <= 4; i += 1) {
      expect(await attempt(official, { password: 'wrong password here' })).toMatchObject({ ok: false, error: { code: 'SIGN_IN_FAILED' } });
    }
    expect(await attempt(official, { password: 'wrong password here' })).toEqual({
      ok: false,
      error: { code: 'LOCKED', message: SIGN_IN_MESSAGES.temporarilyLocked },
    });
    // The right factors do not help while locked.
    expect(await attempt(official)).toMatchObject({ ok: false, error: { message: SIGN_IN_MESSAGES.temporarilyLocked } });
    expect(await h.auditActions()).toContain('account.temporarily_locked');
    h.clock.advance(14 * MINUTE);
    expect(await attempt(official)).toMatchObject({ ok: false, error: { message: SIGN_IN_MESSAGES.temporarilyLocked } });
    h.clock.advance(MINUTE + STEP_MS);
    expect(await attempt(official)).toMatchObject({ ok: true });
    expect(await h.userRow('Pat.Official')).toMatchObject({ status: 'active', failed_attempts: 0 });
  });

  it('a success resets the count of failures', async () => {
    for (let i = 0; i < 4; i += 1) await attempt(official, { password: 'wrong password here' });
    expect((await attempt(official)).ok).toBe(true);
    h.nextStep();
    for (let i = 0; i < 4; i += 1) expect((await attempt(official, { password: 'wrong password here' }, 'c2')).ok).toBe(false);
    expect((await h.userRow('Pat.Official')).status).toBe('active');
  });

  it('a third temporary lock locks the account until an official resets the password', async () => {
    for (let lock = 1; lock <= 3; lock += 1) {
      for (let i = 0; i < 5; i += 1) await attempt(official, { password: 'wrong password here' });
      if (lock < 3) {
        expect(await h.userRow('Pat.Official')).toMatchObject({ status: 'active', temporary_lock_count: lock });
        expect((await h.userRow('Pat.Official')).locked_until).toBe(h.clock.now() + 15 * MINUTE);
        h.clock.advance(16 * MINUTE);
      }
    }
    expect((await h.userRow('Pat.Official')).status).toBe('locked');
    h.clock.advance(DAY);
    expect(await attempt(official)).toEqual({ ok: false, error: { code: 'LOCKED', message: SIGN_IN_MESSAGES.locked } });
    expect(await h.auditActions()).toContain('account.locked');
  });

  it('deactivates an account unused for more than 120 days on its next attempt', async () => {
    const result = await attempt(users['old.user']!);
    expect(result).toEqual({ ok: false, error: { code: 'LOCKED', message: SIGN_IN_MESSAGES.invalidStatus } });
    expect((await h.userRow('old.user')).status).toBe('deactivated');
    expect(await h.auditActions()).toContain('account.deactivated');
  });

  it('refuses pending and not-activated accounts with their messages', async () => {
    expect(await attempt(users['pending.user']!)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: SIGN_IN_MESSAGES.pending } });
    expect(await attempt(users['not.activated']!)).toEqual({
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'Account for user: \u201cnot.activated\u201d is not activated. Please contact your QualityNet Security Administrator',
      },
    });
  });

  it('I Deny on the warning page signs out', async () => {
    await attempt(official);
    expect(await h.refusal('c1', 'home.summary', {})).toMatchObject({ code: 'FORBIDDEN' });
    const denied = await h.call('c1', 'auth.denyWarning', {});
    expect(denied.state).toBe('none');
    expect(await h.refusal('c1', 'home.summary', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await h.auditActions()).toContain('warning.denied');
  });

  it('sessions belong to their client: another client is not signed in', async () => {
    await h.signIn('c1', official);
    expect((await h.call('c1', 'home.summary', {})).user.userId).toBe('Pat.Official');
    expect(await h.refusal('c2', 'home.summary', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('locks an idle session after 15 minutes; password and a fresh code unlock it', async () => {
    await h.signIn('c1', official);
    h.clock.advance(14 * MINUTE);
    await h.call('c1', 'session.activity', {});
    h.clock.advance(14 * MINUTE);
    expect((await h.call('c1', 'home.summary', {})).user.userId).toBe('Pat.Official');
    // Status polls are passive and do not keep the session open.
    h.clock.advance(MINUTE + 1);
    expect((await h.call('c1', 'session.status', {})).state).toBe('locked');
    expect(await h.refusal('c1', 'mfa.list', {})).toMatchObject({ code: 'SESSION_LOCKED' });
    expect(await h.refusal('c1', 'auth.unlock', { password: 'wrong password here', code: h.code(official.secret) })).toMatchObject({ code: 'SIGN_IN_FAILED' });
    h.nextStep();
    const unlocked = await h.call('c1', 'auth.unlock', { password: PASSWORD, code: h.code(official.secret) });
    expect(unlocked.state).toBe('active');
    expect(await h.auditActions()).toEqual(expect.arrayContaining(['session.idle_locked', 'unlock.failed', 'session.unlocked']));
  });

  it("home shows the sign-in before this one, so a stranger's sign-in stands out", async () => {
    await h.signIn('c1', official);
    const firstSignInAt = h.clock.now();
    expect((await h.call('c1', 'home.summary', {})).previousSignInAt).toBe(firstSignInAt - DAY);
    await h.call('c1', 'auth.signOut', {});
    h.clock.advance(2 * MINUTE);
    await h.signIn('c1', official);
    expect((await h.call('c1', 'home.summary', {})).previousSignInAt).toBe(firstSignInAt);
  });

  it('parallel wrong guesses are all counted: they cannot slip past the lockout', async () => {
    const guesses = Array.from({ length: 20 }, (_, i) => attempt(official, { code: String(100000 + i) }, `c${i}`));
    const results = await Promise.all(guesses);
    expect(results.filter((r) => !r.ok && r.error.code === 'SIGN_IN_FAILED')).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.error.code === 'LOCKED').length).toBe(16);
    expect((await h.userRow('Pat.Official')).locked_until).toBeGreaterThan(h.clock.now());
  });

  it('a pending account learns nothing without both factors, and stays pending after a lock runs out', async () => {
    const pending = users['pending.user']!;
    expect(await attempt(pending, { code: h.code(pending.secret, 5) })).toEqual({
      ok: false,
      error: { code: 'SIGN_IN_FAILED', message: SIGN_IN_MESSAGES.incorrect },
    });
    for (let i = 0; i < 4; i += 1) await attempt(pending, { password: 'wrong password here' });
    expect((await h.userRow('pending.user')).locked_until).not.toBeNull();
    h.clock.advance(16 * MINUTE);
    expect(await attempt(pending)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: SIGN_IN_MESSAGES.pending } });
    expect((await h.userRow('pending.user')).status).toBe('pending');
  });

  it('a session left on the warning page expires after 15 minutes', async () => {
    await attempt(official);
    h.clock.advance(15 * MINUTE);
    expect(await h.refusal('c1', 'auth.acceptWarning', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await h.auditActions()).toContain('session.expired');
  });

  it('a clock set back behind the last accepted code refuses and counts, never fails inside', async () => {
    expect((await attempt(official)).ok).toBe(true);
    h.clock.advance(-5 * MINUTE);
    const result = await attempt(official, {}, 'c2');
    expect(result).toEqual({ ok: false, error: { code: 'SIGN_IN_FAILED', message: SIGN_IN_MESSAGES.incorrect } });
    expect((await h.userRow('Pat.Official')).failed_attempts).toBe(1);
  });

  it('an account unused for exactly 120 days may still sign in', async () => {
    await sideSql(h.app).run('UPDATE users SET last_sign_in_at = ? WHERE user_id = ?', [h.clock.now() - 120 * DAY, 'Pat.Official']);
    expect((await attempt(official)).ok).toBe(true);
  });

  it('locked and deactivated accounts are refused before any factor is checked', async () => {
    await sideSql(h.app).run("UPDATE users SET status = 'deactivated' WHERE user_id = 'pending.user'");
    expect(await attempt(users['pending.user']!, { password: 'anything at all here' })).toEqual({
      ok: false,
      error: { code: 'LOCKED', message: SIGN_IN_MESSAGES.invalidStatus },
    });
    await sideSql(h.app).run("UPDATE users SET status = 'locked' WHERE user_id = 'Pat.Official'");
    expect(await attempt(official, { password: 'anything at all here' })).toEqual({ ok: false, error: { code: 'LOCKED', message: SIGN_IN_MESSAGES.locked } });
    expect((await h.userRow('Pat.Official')).failed_attempts).toBe(0);
  });

  it('a used code is refused, and unlock failures that lock the account end every session', async () => {
    const code = h.code(official.secret);
    await attempt(official, { code });
    await h.call('c1', 'auth.acceptWarning', {});
    h.nextStep();
    await h.signIn('c2', official);
    // The code c1 signed in with is still inside the window, but used.
    expect(await h.refusal('c3', 'auth.signIn', { userId: official.userId, password: PASSWORD, code, agreeToTerms: true })).toMatchObject({
      code: 'SIGN_IN_FAILED',
    });
    h.clock.advance(16 * MINUTE);
    expect((await h.call('c1', 'session.status', {})).state).toBe('locked');
    for (let i = 0; i < 3; i += 1) await h.refusal('c1', 'auth.unlock', { password: 'wrong password here', code: h.code(official.secret) });
    expect(await h.refusal('c1', 'auth.unlock', { password: 'wrong password here', code: h.code(official.secret) })).toMatchObject({ code: 'LOCKED' });
    expect((await h.call('c1', 'session.status', {})).state).toBe('none');
    expect((await h.call('c2', 'session.status', {})).state).toBe('none');
  });

  it('sign out ends the session and is audited', async () => {
    await h.signIn('c1', official);
    expect((await h.call('c1', 'auth.signOut', {})).state).toBe('none');
    expect(await h.refusal('c1', 'mfa.list', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await h.auditActions()).toContain('signout');
  });
});

describe('first-run setup', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  const form = (enrollmentId: string, code: string) => ({
    enrollmentId,
    userId: 'cms.first',
    firstName: 'Casey',
    lastName: 'First',
    email: 'casey.first@cms.example.gov',
    password: 'a long setup passphrase',
    organizationName: 'Centers for Medicare & Medicaid Services',
    credentialLabel: 'Work phone',
    code,
  });

  it('creates the first CMS Security Official with a confirmed credential, once', async () => {
    expect((await h.call('w', 'app.status', {})).needsSetup).toBe(true);
    const enrollment = await h.call('w', 'setup.begin', {});
    expect(enrollment.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(enrollment.otpauthUri).toContain(`secret=${enrollment.secret}`);
    const view = await h.call('w', 'setup.complete', form(enrollment.enrollmentId, h.code(enrollment.secret)));
    expect(view).toMatchObject({ state: 'warning', user: { userId: 'cms.first', officialKind: 'cms' } });
    expect((await h.call('other', 'app.status', {})).needsSetup).toBe(false);
    expect(await h.refusal('other', 'setup.begin', {})).toMatchObject({ code: 'SETUP_DONE' });
    expect(await h.auditActions()).toEqual(['setup.completed', 'credential.added']);
    // The key is sealed at rest.
    const raw = (await sideSql(h.app).get('SELECT secret_sealed FROM mfa_credentials')) as { secret_sealed: Buffer };
    expect(raw.secret_sealed.toString('latin1')).not.toContain(enrollment.secret.slice(0, 12));
  });

  it('refuses a wrong code, a weak password and a bad email, and creates nothing', async () => {
    const enrollment = await h.call('w', 'setup.begin', {});
    expect(await h.refusal('w', 'setup.complete', form(enrollment.enrollmentId, h.code(enrollment.secret, 3)))).toMatchObject({
      code: 'VALIDATION',
      field: 'code',
    });
    expect(await h.refusal('w', 'setup.complete', { ...form(enrollment.enrollmentId, h.code(enrollment.secret)), password: 'password1234' })).toMatchObject({
      code: 'VALIDATION',
      field: 'password',
    });
    expect(await h.refusal('w', 'setup.complete', { ...form(enrollment.enrollmentId, h.code(enrollment.secret)), email: 'not-an-email' })).toMatchObject({
      code: 'VALIDATION',
      field: 'email',
    });
    expect(await h.refusal('w', 'setup.complete', { ...form(enrollment.enrollmentId, h.code(enrollment.secret)), userId: 'has space' })).toMatchObject({
      code: 'VALIDATION',
      field: 'userId',
    });
    // Another client cannot finish this client's enrollment.
    expect(await h.refusal('intruder', 'setup.complete', form(enrollment.enrollmentId, h.code(enrollment.secret)))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.call('w', 'app.status', {})).needsSetup).toBe(true);
    expect(await h.auditActions()).toEqual([]);
  });

  it('forgets an unconfirmed key after 10 minutes', async () => {
    const enrollment = await h.call('w', 'setup.begin', {});
    h.clock.advance(10 * MINUTE + 1);
    expect(await h.refusal('w', 'setup.complete', form(enrollment.enrollmentId, h.code(enrollment.secret)))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'enrollmentId',
    });
    const fresh = await h.call('w', 'setup.begin', {});
    expect((await h.call('w', 'setup.complete', form(fresh.enrollmentId, h.code(fresh.secret)))).state).toBe('warning');
  });

  it('is refused once any user exists, even mid-enrollment', async () => {
    const enrollment = await h.call('w', 'setup.begin', {});
    await h.seed({ organizations: [CMS_ORG], users: [{ userId: 'someone', organization: 'CMS' }] });
    expect(await h.refusal('w', 'setup.complete', form(enrollment.enrollmentId, h.code(enrollment.secret)))).toMatchObject({ code: 'SETUP_DONE' });
  });
});

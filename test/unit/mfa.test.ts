import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, PASSWORD, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';

describe('my credentials (QualityNet guide 5.4.4.1)', () => {
  let h: Harness;
  let user: TestUser;
  beforeEach(async () => {
    h = await Harness.create();
    user = (await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] }))['pat']!;
    await h.signIn('c1', user);
  });
  afterEach(() => h.dispose());

  async function addCredential(label = ''): Promise<{ credentialId: string; secret: string }> {
    const enrollment = await h.call('c1', 'mfa.beginEnrollment', {});
    await h.call('c1', 'mfa.confirmEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret), label });
    return enrollment;
  }

  it('adds a credential confirmed by a fresh code, and it works for sign-in', async () => {
    const added = await addCredential('Home laptop');
    const list = await h.call('c1', 'mfa.list', {});
    expect(list.map((c) => c.credentialId)).toEqual([user.credentialId, added.credentialId]);
    expect(list[1]?.label).toBe('Home laptop');
    expect(await h.auditActions()).toContain('credential.added');
    await h.call('c1', 'auth.signOut', {});
    h.nextStep();
    await h.call('c2', 'auth.signIn', { userId: 'pat', password: PASSWORD, code: h.code(added.secret), agreeToTerms: true });
  });

  it('refuses a wrong confirmation code and links nothing', async () => {
    const enrollment = await h.call('c1', 'mfa.beginEnrollment', {});
    expect(
      await h.refusal('c1', 'mfa.confirmEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret, 4), label: '' }),
    ).toMatchObject({ code: 'VALIDATION', field: 'code' });
    expect(await h.call('c1', 'mfa.list', {})).toHaveLength(1);
  });

  it('allows at most five credentials', async () => {
    for (let i = 0; i < 4; i += 1) await addCredential();
    expect(await h.call('c1', 'mfa.list', {})).toHaveLength(5);
    expect(await h.refusal('c1', 'mfa.beginEnrollment', {})).toMatchObject({
      code: 'CONFLICT',
      message: 'You can link up to five credentials to a single user ID.',
    });
  });

  it('removes a credential given its ID and a fresh code from it', async () => {
    const added = await addCredential();
    h.nextStep();
    const left = await h.call('c1', 'mfa.remove', { credentialId: user.credentialId, code: h.code(user.secret) });
    expect(left.map((c) => c.credentialId)).toEqual([added.credentialId]);
    expect(await h.auditActions()).toContain('credential.removed');
  });

  it('refuses removal with a code from another credential, or a replayed code', async () => {
    const added = await addCredential();
    h.nextStep();
    expect(await h.refusal('c1', 'mfa.remove', { credentialId: user.credentialId, code: h.code(added.secret) })).toMatchObject({
      code: 'VALIDATION',
      field: 'code',
    });
    // The sign-in code of this step was already used on this credential.
    const used = h.code(user.secret, -1);
    expect(await h.refusal('c1', 'mfa.remove', { credentialId: user.credentialId, code: used })).toMatchObject({ code: 'VALIDATION' });
    expect(await h.call('c1', 'mfa.list', {})).toHaveLength(2);
  });

  it('audits wrong codes on removal, and five lock the session', async () => {
    const added = await addCredential();
    for (let i = 1; i <= 4; i += 1) {
      expect(await h.refusal('c1', 'mfa.remove', { credentialId: added.credentialId, code: String(200000 + i) })).toMatchObject({ code: 'VALIDATION' });
    }
    expect(await h.refusal('c1', 'mfa.remove', { credentialId: added.credentialId, code: '299999' })).toMatchObject({ code: 'SESSION_LOCKED' });
    expect((await h.call('c1', 'session.status', {})).state).toBe('locked');
    expect((await h.auditActions()).filter((a) => a === 'credential.remove_failed')).toHaveLength(5);
    expect(await h.call('c1', 'auth.unlock', { password: PASSWORD, code: h.code(user.secret, 1) })).toMatchObject({ state: 'active' });
    expect(await h.call('c1', 'mfa.list', {})).toHaveLength(2);
  });

  it('forgets an unconfirmed new key after 10 minutes', async () => {
    const enrollment = await h.call('c1', 'mfa.beginEnrollment', {});
    h.clock.advance(10 * 60_000 + 1);
    await h.call('c1', 'session.activity', {});
    expect(await h.refusal('c1', 'mfa.confirmEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret), label: '' })).toMatchObject(
      { code: 'NOT_FOUND', field: 'enrollmentId' },
    );
  });

  it('never removes the last credential', async () => {
    h.nextStep();
    expect(await h.refusal('c1', 'mfa.remove', { credentialId: user.credentialId, code: h.code(user.secret) })).toMatchObject({ code: 'CONFLICT' });
    expect(await h.call('c1', 'mfa.list', {})).toHaveLength(1);
  });

  it("refuses an unknown credential ID, and another user's enrollment", async () => {
    await addCredential();
    expect(await h.refusal('c1', 'mfa.remove', { credentialId: 'SOC999999999', code: '123456' })).toMatchObject({ code: 'NOT_FOUND', field: 'credentialId' });
    const other = (await h.seed({ users: [{ userId: 'other', organization: '123' }] }))['other']!;
    await h.signIn('c2', other);
    const enrollment = await h.call('c1', 'mfa.beginEnrollment', {});
    expect(await h.refusal('c2', 'mfa.confirmEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret), label: '' })).toMatchObject(
      { code: 'NOT_FOUND' },
    );
  });

  it('requires a signed-in session', async () => {
    expect(await h.refusal('stranger', 'mfa.list', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await h.refusal('stranger', 'mfa.beginEnrollment', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

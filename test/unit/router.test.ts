import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNELS, contract } from '../../shared/ipc/contract.js';
import { Harness, PROVIDER_ORG } from '../support/console-harness.js';
import { sideDb } from '../support/side-db.js';

describe('dispatch', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  it('answers an unknown channel with NOT_FOUND', async () => {
    for (const channel of ['nope', '__proto__', 'constructor', 42, null]) {
      expect(await h.app.dispatch({ clientId: 'c' }, channel, {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('validates input at runtime, naming the field, and refuses extra fields', async () => {
    expect(await h.refusal('c', 'auth.signIn', { userId: 'a', password: 'b', code: '12', agreeToTerms: true })).toMatchObject({
      code: 'VALIDATION',
      field: 'code',
    });
    expect(await h.refusal('c', 'auth.signIn', 'not an object')).toMatchObject({ code: 'VALIDATION' });
    expect(await h.refusal('c', 'app.status', { extra: 1 })).toMatchObject({ code: 'VALIDATION' });
    expect(await h.refusal('c', 'auth.signIn', { userId: 'a', password: 'b', code: '123456', agreeToTerms: true, isAdmin: true })).toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('refuses every non-public channel without a session', async () => {
    const closed = CHANNELS.filter((c) => contract[c].access !== 'public');
    expect(closed.length).toBeGreaterThan(5);
    for (const channel of closed) {
      const result = await h.app.dispatch({ clientId: 'nobody' }, channel, {});
      // Either the input is refused first, or the caller is: never a success.
      expect(result.ok).toBe(false);
      if (!result.ok && result.error.code !== 'VALIDATION') expect(result.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('turns an unexpected failure into INTERNAL without its details', async () => {
    const user = h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] })['pat']!;
    await h.signIn('c', user);
    sideDb(h.app).exec('DROP TABLE role_assignments');
    const result = await h.app.dispatch({ clientId: 'c' }, 'home.summary', {});
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong. Nothing was saved; please try again.' } });
  });
});

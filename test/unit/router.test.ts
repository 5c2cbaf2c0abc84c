import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNELS, contract } from '../../shared/ipc/contract.js';
import { createPartialDispatch } from '../../main/ipc/router.js';
import type { RouterOptions } from '../../main/ipc/router.js';
import { UNAVAILABLE_MESSAGE, WorkerRestartingError } from '../../main/ipc/failures.js';
import { Harness, PROVIDER_ORG } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';
import { CONTENTION_MESSAGE } from '../../main/store/invariant-error.js';
import { SqlError } from '../../main/store/sql.js';

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

  it('turns an unexpected failure into INTERNAL with a reference, without its details', async () => {
    const user = (await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] }))['pat']!;
    await h.signIn('c', user);
    // PostgreSQL will not drop a table others depend on (views, keys) without CASCADE; SQLite has no CASCADE.
    const db = sideSql(h.app);
    await db.run(db.dialect === 'sqlite' ? 'DROP TABLE role_assignments' : 'DROP TABLE role_assignments CASCADE');
    const result = await h.app.dispatch({ clientId: 'c' }, 'home.summary', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.reference).toMatch(/^[0-9a-f]{8}$/);
    expect(result.error.message).toBe(
      `Something went wrong (reference ${result.error.reference}). Nothing was saved; please try again. If it happens again, give this reference to your help desk.`,
    );
    expect(result.error.message).not.toMatch(/role_assignments|SQLITE|no such table/i);
  });
});

describe('dispatch: unexpected failures', () => {
  const noSessions = { resolve: () => Promise.resolve(null), touch: () => undefined };
  /** A router whose only channel (app.status) fails with `error`, logging what it reports. */
  const failingWith = (error: unknown) => {
    const logged: Array<{ channel: string; error: unknown; incident: string }> = [];
    const options: RouterOptions = { logError: (channel, e, incident) => logged.push({ channel, error: e, incident }) };
    const dispatch = createPartialDispatch({ 'app.status': () => Promise.reject(error) }, () => ({ code: 'RECOVERY', message: 'no' }), noSessions, options);
    return { dispatch, logged };
  };

  it('logs a bug with the channel and the reference the caller was shown, never the input', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const { dispatch, logged } = failingWith(bug);
    const result = await dispatch({ clientId: 'c' }, 'app.status', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const reference = result.ok ? null : result.error.reference;
    expect(logged).toEqual([{ channel: 'app.status', error: bug, incident: reference }]);
    expect(result.ok ? '' : result.error.message).toContain(`reference ${reference}`);
  });

  it('answers "not now" with UNAVAILABLE and a plain try-again, and logs no incident for it', async () => {
    for (const error of [
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      Object.assign(new Error('database table is locked'), { code: 'SQLITE_LOCKED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new WorkerRestartingError(),
    ]) {
      const { dispatch, logged } = failingWith(error);
      expect(await dispatch({ clientId: 'c' }, 'app.status', {})).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: UNAVAILABLE_MESSAGE } });
      expect(logged).toEqual([]);
    }
  });

  it('answers a PostgreSQL transaction that lost every race with CONFLICT and a try-again, and logs no incident for it', async () => {
    for (const code of ['40001', '40P01']) {
      const { dispatch, logged } = failingWith(new SqlError('could not serialize access due to concurrent update', code, 'postgres'));
      expect(await dispatch({ clientId: 'c' }, 'app.status', {})).toEqual({ ok: false, error: { code: 'CONFLICT', message: CONTENTION_MESSAGE } });
      expect(logged).toEqual([]);
    }
    // The same code from anything but PostgreSQL is not one of its races.
    const { dispatch } = failingWith(Object.assign(new Error('40001'), { code: '40001' }));
    expect(await dispatch({ clientId: 'c' }, 'app.status', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('a partial router refuses the channels it does not have before reading their input, and validates the ones it has', async () => {
    const { dispatch } = failingWith(new Error('unused'));
    expect(await dispatch({ clientId: 'c' }, 'auth.signIn', 'not even an object')).toEqual({ ok: false, error: { code: 'RECOVERY', message: 'no' } });
    expect(await dispatch({ clientId: 'c' }, 'app.status', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await dispatch({ clientId: 'c' }, 'nope', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

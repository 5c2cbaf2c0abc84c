import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { demoTotpKey, DEMO_PASSWORD } from '../../main/services/demo.js';
import { SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { Harness } from '../support/console-harness.js';
import { sideDb } from '../support/side-db.js';

describe('demo database', () => {
  let h: Harness | undefined;
  afterEach(() => h?.dispose());

  it('is only filled when asked for', async () => {
    h = await Harness.create();
    expect((await h.call('c', 'app.status', {})).needsSetup).toBe(true);
    expect(h.app.demoAccounts).toEqual([]);
  });

  it('fills a separate file with officials, users, requests and history; its officials sign in', async () => {
    h = await Harness.create({ demo: true });
    expect(h.app.databasePath).toMatch(/demo\.sqlite$/);
    const status = await h.call('c', 'app.status', {});
    expect(status).toMatchObject({ needsSetup: false, demo: true });
    expect(h.app.demoAccounts.map((a) => a.userId)).toEqual([
      'cms.official',
      'provider.so1',
      'provider.so2',
      'florida.so',
      'demo.user',
      'pending.user',
      'locked.user',
      'inperson.user',
      'surveyor.user',
      'cms.official2',
      'cms.analyst',
    ]);
    const counts = sideDb(h.app)
      .prepare(
        "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM role_requests WHERE status = 'pending') AS pending, (SELECT count(*) FROM role_requests WHERE status != 'pending') AS decided",
      )
      .get() as { users: number; pending: number; decided: number };
    expect(counts.users).toBeGreaterThan(30);
    expect(counts.pending).toBeGreaterThan(5);
    expect(counts.decided).toBeGreaterThan(3);
    for (const account of h.app.demoAccounts) {
      expect(account.totpKey).toBe(demoTotpKey(account.userId));
      const input = { userId: account.userId, password: DEMO_PASSWORD, code: h.code(account.totpKey), agreeToTerms: true as const };
      if (account.status === 'pending') {
        expect(await h.refusal(account.userId, 'auth.signIn', input)).toEqual({ code: 'FORBIDDEN', message: SIGN_IN_MESSAGES.pending });
      } else if (account.status === 'locked') {
        expect(await h.refusal(account.userId, 'auth.signIn', input)).toEqual({ code: 'LOCKED', message: SIGN_IN_MESSAGES.locked });
      } else {
        await h.call(account.userId, 'auth.signIn', input);
        await h.call(account.userId, 'auth.acceptWarning', {});
      }
    }
    const provider = await h.call('provider.so1', 'home.summary', {});
    expect(provider.user.officialKind).toBe('provider');
    expect(provider.organizations.map((o) => o.displayId)).toEqual(['123']);
    // The pending count is said on Home's action and in the navigation, no longer as an alert.
    expect(provider.alerts.some((a) => a.text.includes('pending role request'))).toBe(false);
    expect(provider.nav.find((item) => item.page === 'role-requests')?.badge).toBeGreaterThan(0);
    expect((await h.call('provider.so1', 'home.dashboard', {})).official?.pendingInQueue).toBeGreaterThan(0);
    expect((await h.call('florida.so', 'home.summary', {})).user.officialKind).toBe('state');
    expect((await h.call('demo.user', 'home.summary', {})).user.officialKind).toBeNull();
  });

  it('keeps its accounts from going stale: reopening months later moves old sign-ins forward', async () => {
    h = await Harness.create({ demo: true });
    h.clock.advance(200 * 86_400_000);
    await h.app.close();
    const reopened = await createConsole({ dataDir: h.dir, demo: true, clock: h.clock, keyProvider: new KeyFileProvider(join(h.dir, dataKeyFileName(true))) });
    h.app = reopened;
    const account = reopened.demoAccounts[0]!;
    await h.call('c', 'auth.signIn', { userId: account.userId, password: DEMO_PASSWORD, code: h.code(account.totpKey), agreeToTerms: true });
  });

  it('gives the same names and keys on every machine', () => {
    expect(demoTotpKey('cms.official')).toBe('HLKSCMCYM6O3CSINJP4NZD3EBRDQRUGF');
  });
});

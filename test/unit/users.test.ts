import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { USER_MESSAGES } from '../../main/services/users.js';
import { neutralizeFormula } from '../../main/services/csv-writer.js';
import { REAUTH_MESSAGES } from '../../main/services/reauth.js';
import { SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { CMS_ORG, Harness, PASSWORD, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const DAY = 86_400_000;
const PROD = 'iQIES Prod';
const TEST = 'iQIES Prod Test';
const NEW_PASSWORD = 'lantern harbor quilt morning';

describe('User Lookup, profiles and account administration (HARP and iQIES job aids, QualityNet 5.3.1)', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [
        CMS_ORG,
        PROVIDER_ORG,
        { displayId: '456', name: 'Bayview Home Health', kind: 'provider' },
        { displayId: 'FL', name: 'Florida', kind: 'state' },
      ],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        {
          userId: 'so1',
          organization: '123',
          roles: [
            [PROD, 'Provider Security Official'],
            [TEST, 'Provider Security Official'],
          ],
        },
        { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'fl', organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'alice', organization: '123', roles: [[PROD, 'Assessment Coordinator']] },
        { userId: 'bob', organization: '123', roles: [[PROD, 'Provider Basic User']] },
        { userId: 'carol', organization: '456', roles: [[PROD, 'Provider Basic User']] },
        { userId: 'dan', organization: '123' },
        { userId: 'locked.user', organization: '123', status: 'locked', roles: [[PROD, 'Provider Basic User']] },
      ],
    });
    // Names a person would search for; the directory follows renames (trigger).
    const rename = (...params: string[]) => sideSql(h.app).run('UPDATE users SET first_name = ?, last_name = ?, email = ? WHERE user_id = ?', params);
    await rename('Alice', 'Smith', 'alice.smith@sunrise.example', 'alice');
    await rename('Bob', 'Smithers', 'bob@sunrise.example', 'bob');
    await rename('Carol', 'Smith', 'carol@bayview.example', 'carol');
    await rename('Dan', 'Adams', 'dan@sunrise.example', 'dan');
    for (const id of ['cms', 'so1', 'so2', 'so456', 'fl', 'alice']) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(() => h.dispose());

  const search = (
    who: string,
    input: { program?: string; organization?: string; query?: string; direction?: 'asc' | 'desc'; after?: string; limit?: number },
  ) => h.call(who, 'lookup.search', { program: PROD, ...input });
  const ids = (rows: Array<{ userId: string }>) => rows.map((r) => r.userId);
  const code = (who: string) => {
    h.nextStep();
    return h.code(u[who]!.secret);
  };

  describe('lookup', () => {
    it('lists all users of the organization by default, in name order, with "Users (N)"', async () => {
      const page = await search('so1', { organization: '123' });
      expect(ids(page.rows)).toEqual(['so1', 'so2', 'locked.user', 'alice', 'bob'].sort((a, b) => order(a, b)));
      expect(page.total).toBe(5);
      // Dan has no role or request in 123: officials never see him.
      expect(ids(page.rows)).not.toContain('dan');
    });

    it('searches by last name prefix, first name prefix, user ID prefix, and exact email first, without case', async () => {
      expect(ids((await search('so1', { organization: '123', query: 'smi' })).rows)).toEqual(['alice', 'bob']);
      expect(ids((await search('so1', { organization: '123', query: 'BOB' })).rows)).toEqual(['bob']);
      expect(ids((await search('so1', { organization: '123', query: 'locked.' })).rows)).toEqual(['locked.user']);
      const exact = await search('so1', { query: 'ALICE.SMITH@SUNRISE.EXAMPLE' });
      expect(exact.rows[0]).toMatchObject({ userId: 'alice', exact: true });
      // An exact user ID comes first, before other prefix matches (so1, so2 also start with "so").
      const byId = await search('so1', { query: 'so2' });
      expect(byId.rows[0]).toMatchObject({ userId: 'so2', exact: true });
    });

    it('"All" means every organization the official administers; CMS sees every organization', async () => {
      expect(ids((await search('so1', { query: 'smith' })).rows)).toEqual(['alice', 'bob']);
      expect(ids((await search('cms', { query: 'smith' })).rows).sort()).toEqual(['alice', 'bob', 'carol']);
      expect((await search('cms', {})).total).toBe(9);
      expect((await h.call('so1', 'organizations.search', { query: '' })).organizations.map((o) => o.displayId)).toEqual(['123']);
      expect(await h.call('so1', 'lookup.options', {})).not.toHaveProperty('organizations');
      expect((await h.call('cms', 'lookup.options', {})).allOrganizations).toBe(true);
    });

    it('refuses other organizations, unknown programs and organizations, and ordinary users', async () => {
      expect(await h.refusal('so1', 'lookup.search', { program: PROD, organization: '456' })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.notYourOrganization,
      });
      expect(await h.refusal('so1', 'lookup.search', { program: 'Nope', organization: '123' })).toMatchObject({ code: 'VALIDATION', field: 'program' });
      expect(await h.refusal('so1', 'lookup.search', { program: PROD, organization: '999' })).toMatchObject({ code: 'VALIDATION', field: 'organization' });
      expect(await h.refusal('so1', 'lookup.search', { organization: '123' })).toMatchObject({ code: 'VALIDATION', field: 'program' });
      expect(await h.refusal('alice', 'lookup.search', { program: PROD })).toMatchObject({ code: 'FORBIDDEN', message: USER_MESSAGES.notOfficial });
      expect(await h.refusal('so1', 'lookup.search', { program: PROD, query: 'x'.repeat(255) })).toMatchObject({ code: 'VALIDATION', field: 'query' });
    });

    it('pages with a keyset cursor in both directions, every user once; a forged or foreign cursor is refused', async () => {
      for (const direction of ['asc', 'desc'] as const) {
        for (const query of ['', 's']) {
          const seen: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await search('cms', { direction, query, limit: 2, ...(after ? { after } : {}) });
            seen.push(...ids(page.rows));
            if (!page.nextCursor) break;
            after = page.nextCursor;
          }
          const all = ids((await search('cms', { direction, query, limit: 200 })).rows);
          expect(seen, `${direction} "${query}"`).toEqual(all);
          expect(new Set(seen).size).toBe(seen.length);
        }
      }
      // An exact match leads the first page and never comes back on a later one.
      const pages: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await search('cms', { query: 'alice', limit: 1, ...(cursor ? { after: cursor } : {}) });
        pages.push(...ids(page.rows));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(pages).toEqual(['alice']);
      // Two exact matches (a user ID and an email) whose last names also match: short pages in
      // either direction still list every match once, the exact ones first.
      await sideSql(h.app).run("UPDATE users SET user_id = 'smith' WHERE user_id = 'carol'");
      await sideSql(h.app).run("UPDATE users SET email = 'smith' WHERE user_id = 'bob'");
      const whole = ids((await search('cms', { query: 'smith', limit: 200 })).rows);
      expect(whole.slice(0, 2).sort()).toEqual(['bob', 'smith']);
      expect(whole.slice(2)).toEqual(['alice']);
      for (const direction of ['asc', 'desc'] as const) {
        for (const limit of [1, 2, 3]) {
          const seen: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await search('cms', { direction, query: 'smith', limit, ...(after ? { after } : {}) });
            seen.push(...ids(page.rows));
            if (!page.nextCursor) break;
            after = page.nextCursor;
          }
          expect([...seen].sort(), `${direction}, pages of ${limit}`).toEqual([...whole].sort());
          expect(
            seen.slice(0, Math.min(limit, 2)).every((x) => x === 'bob' || x === 'smith'),
            `${direction}, pages of ${limit}`,
          ).toBe(true);
        }
      }
      const first = await search('cms', { limit: 2 });
      expect(await h.refusal('cms', 'lookup.search', { program: PROD, limit: 2, direction: 'desc', after: first.nextCursor })).toMatchObject({
        code: 'VALIDATION',
        field: 'after',
      });
      expect(await h.refusal('cms', 'lookup.search', { program: PROD, after: 'forged' })).toMatchObject({ code: 'VALIDATION', field: 'after' });
      // Well-formed but naming what no stored name holds: a NUL, half a character.
      for (const lastName of ['Smi\u0000th', 'Smith\ud800', '\udc00Smith']) {
        const after = Buffer.from(JSON.stringify(['asc', '', lastName, 'Ann', 1])).toString('base64url');
        expect(await h.refusal('cms', 'lookup.search', { program: PROD, after }), JSON.stringify(lastName)).toMatchObject({
          code: 'VALIDATION',
          field: 'after',
        });
      }
      const fine = Buffer.from(JSON.stringify(['asc', '', 'A\ud83d\ude00', 'Ann', 1])).toString('base64url');
      expect((await search('cms', { after: fine })).rows.length).toBeGreaterThan(0);
    });

    it("a user in two of the official's organizations is listed once", async () => {
      await sideSql(h.app).run(
        "INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) SELECT 1, 1, o.id, r.id, 0 FROM organizations o, roles r WHERE o.display_id = '123' AND r.name = 'Provider Basic User'",
      );
      const cmsId = ((await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'cms'")) as { id: number }).id;
      await sideSql(h.app).run(
        "INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) SELECT CAST(? AS BIGINT), 1, o.id, r.id, 0 FROM organizations o, roles r WHERE o.display_id = '456' AND r.name = 'Provider Basic User'",
        [cmsId],
      );
      const so = ((await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'so1'")) as { id: number }).id;
      await sideSql(h.app).run(
        "INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) SELECT CAST(? AS BIGINT), 1, o.id, r.id, 0 FROM organizations o, roles r WHERE o.display_id = '456' AND r.name = 'Provider Security Official'",
        [so],
      );
      const all = await search('so1', { limit: 200 });
      expect(ids(all.rows).filter((x) => x === 'cms')).toHaveLength(1);
      expect(all.total).toBe(ids(all.rows).length);
    });

    it('counts the users of a program exactly as roles come and go', async () => {
      const counted = async () => ((await sideSql(h.app).get('SELECT n FROM program_user_counts WHERE program_id = 1')) as { n: number }).n;
      const distinct = async () =>
        ((await sideSql(h.app).get('SELECT count(DISTINCT user_id) AS n FROM user_directory WHERE program_id = 1')) as { n: number }).n;
      expect(await counted()).toBe(await distinct());
      await h.call('so1', 'users.removeRole', { userId: 'bob', program: PROD, organization: '123', role: 'Provider Basic User' });
      expect(await counted()).toBe(await distinct());
      expect(ids((await search('so1', { organization: '123' })).rows)).not.toContain('bob');
    });
  });

  describe('export', () => {
    it('writes the current result as CSV; its rows equal "Users (N)"; formulas are neutralized; audited', async () => {
      await sideSql(h.app).run("UPDATE users SET first_name = '=HYPERLINK(\"x\")' WHERE user_id = 'bob'");
      const result = await h.call('so1', 'lookup.export', { program: PROD, organization: '123' });
      expect(result.delivery?.kind).toBe('saved');
      const path = result.delivery?.kind === 'saved' ? result.delivery.path : '';
      const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
      const total = (await search('so1', { organization: '123' })).total;
      expect(rows).toHaveLength(total!);
      expect(result.count).toBe(total);
      expect(Object.keys(rows[0]!)).toEqual(['First Name', 'Last Name', 'User ID', 'Email', 'Phone', 'Status', 'Identity Proofing']);
      expect(rows.find((r) => r['User ID'] === 'bob')?.['First Name']).toBe('\'=HYPERLINK("x")');
      // States in words, as the screens show them; never the stored codes.
      const alice = rows.find((r) => r['User ID'] === 'alice');
      expect(alice).toMatchObject({ Status: 'Active', 'Identity Proofing': 'Identity proofed online' });
      for (const r of rows) expect(`${r.Status} ${r['Identity Proofing']}`).not.toMatch(/_|^[a-z]/);
      expect(await h.auditActions()).toContain('users.exported');
      const searched = await h.call('so1', 'lookup.export', { program: PROD, organization: '123', query: 'smi' });
      expect(searched.count).toBe(2);
    });

    it('neutralizes every formula prefix', () => {
      for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=x']) expect(neutralizeFormula(v)).toBe(`'${v}`);
      expect(neutralizeFormula('Smith')).toBe('Smith');
    });
  });

  describe('profile and roles', () => {
    it("shows Profile Information, status, proofing, credentials, last sign-in and the roles in the official's organizations", async () => {
      const profile = await h.call('so1', 'users.profile', { userId: 'alice' });
      expect(profile).toMatchObject({
        userId: 'alice',
        firstName: 'Alice',
        lastName: 'Smith',
        status: 'active',
        proofingState: 'proofed_remote',
        credentialCount: 1,
        self: false,
      });
      expect(profile.roles).toEqual([
        {
          program: PROD,
          organization: expect.objectContaining({ displayId: '123' }),
          role: 'Assessment Coordinator',
          removable: true,
          lastSecurityOfficial: false,
        },
      ]);
      expect(profile.actions).toEqual(['resetPassword', 'deactivate', 'revokeCredentials']);
      expect(await h.refusal('so1', 'users.profile', { userId: 'carol' })).toMatchObject({ code: 'NOT_FOUND', message: USER_MESSAGES.notFound });
      expect(await h.refusal('so1', 'users.profile', { userId: 'dan' })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.refusal('alice', 'users.profile', { userId: 'bob' })).toMatchObject({ code: 'FORBIDDEN' });
    });

    it("removes a role of the official's organization; the user is emailed; audited", async () => {
      const after = await h.call('so1', 'users.removeRole', { userId: 'alice', program: PROD, organization: '123', role: 'Assessment Coordinator' });
      expect(after.roles).toEqual([]);
      expect(await h.auditActions()).toContain('role.removed');
      const mail = await sideSql(h.app).get('SELECT to_address AS "to", subject FROM outbox WHERE kind = \'role.removed\'');
      expect(mail).toEqual({ to: 'alice.smith@sunrise.example', subject: 'Your role Assessment Coordinator was removed' });
      expect(await h.refusal('so1', 'users.removeRole', { userId: 'alice', program: PROD, organization: '123', role: 'Assessment Coordinator' })).toMatchObject(
        { code: 'NOT_FOUND' },
      );
    });

    it("refuses a role of another organization, one's own Security Official role, and changes nothing", async () => {
      const before = (await h.auditActions()).length;
      expect(
        await h.refusal('so456', 'users.removeRole', { userId: 'so1', program: PROD, organization: '123', role: 'Provider Security Official' }),
      ).toMatchObject({ code: 'NOT_FOUND' });
      expect(
        await h.refusal('so1', 'users.removeRole', { userId: 'so1', program: PROD, organization: '123', role: 'Provider Security Official' }),
      ).toMatchObject({ code: 'FORBIDDEN', message: USER_MESSAGES.ownOfficialRole });
      expect((await h.call('so1', 'users.profile', { userId: 'so1' })).roles.every((r) => !r.removable)).toBe(true);
      expect((await h.auditActions()).length).toBe(before);
    });

    it('removing the last Security Official of an organization warns and asks again', async () => {
      const profile = await h.call('cms', 'users.profile', { userId: 'so456' });
      expect(profile.roles[0]).toMatchObject({ role: 'Provider Security Official', lastSecurityOfficial: true });
      const first = await h.refusal('cms', 'users.removeRole', { userId: 'so456', program: PROD, organization: '456', role: 'Provider Security Official' });
      expect(first).toMatchObject({
        code: 'CONFLICT',
        field: 'confirmLastOfficial',
        message: USER_MESSAGES.lastOfficial('First3 Last3', 'Bayview Home Health'),
      });
      expect((await h.call('cms', 'users.profile', { userId: 'so456' })).roles).toHaveLength(1);
      await h.call('cms', 'users.removeRole', {
        userId: 'so456',
        program: PROD,
        organization: '456',
        role: 'Provider Security Official',
        confirmLastOfficial: true,
      });
      expect(await sideSql(h.app).get("SELECT details FROM audit_events WHERE action = 'role.removed'")).toEqual({
        details: expect.stringContaining('"lastSecurityOfficial":true'),
      });
    });
  });

  describe("account actions (each needs the official's fresh code)", () => {
    it('refuses a wrong or replayed code, audits it, and changes nothing', async () => {
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'locked.user', action: 'unlock', code: '000000' })).toMatchObject({
        code: 'VALIDATION',
        field: 'code',
        message: REAUTH_MESSAGES.codeInvalid,
      });
      const fresh = code('so1');
      await h.call('so1', 'users.accountAction', { userId: 'locked.user', action: 'unlock', code: fresh });
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'locked.user', action: 'deactivate', code: fresh })).toMatchObject({
        code: 'VALIDATION',
        field: 'code',
      });
      expect((await h.userRow('locked.user')).status).toBe('active');
      expect((await h.auditActions()).filter((a) => a === 'reauth.failed')).toHaveLength(2);
    });

    it("five wrong codes lock the official's session", async () => {
      for (let i = 0; i < 4; i += 1) await h.refusal('so1', 'users.accountAction', { userId: 'bob', action: 'deactivate', code: '000000' });
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'bob', action: 'deactivate', code: '000000' })).toMatchObject({ code: 'SESSION_LOCKED' });
      expect((await h.userRow('bob')).status).toBe('active');
    });

    it("nobody changes their own account, and a provider official cannot change another organization's official", async () => {
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'so1', action: 'resetPassword', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.ownAccount,
      });
      // so456 files a request at 123: so1 now sees them, but may not lock them out.
      await h.call('so456', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' });
      expect((await h.call('so1', 'users.profile', { userId: 'so456' })).actions).toEqual([]);
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'so456', action: 'deactivate', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.otherOfficial,
      });
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'carol', action: 'deactivate', code: code('so1') })).toMatchObject({ code: 'NOT_FOUND' });
      expect((await h.userRow('so456')).status).toBe('active');
    });

    it('unlock is refused when the account is not locked', async () => {
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'bob', action: 'unlock', code: code('so1') })).toMatchObject({
        code: 'CONFLICT',
        message: 'This account is not locked.',
      });
    });

    it("a reset password is shown once, works with the user's code, and must be changed first", async () => {
      const { temporaryPassword, profile } = await h.call('so1', 'users.accountAction', { userId: 'bob', action: 'resetPassword', code: code('so1') });
      expect(temporaryPassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
      expect(profile.mustChangePassword).toBe(true);
      expect(await sideSql(h.app).get('SELECT count(*) AS n FROM audit_events WHERE details LIKE ?', [`%${temporaryPassword}%`])).toEqual({ n: 0 });
      const view = await h.call('bob', 'auth.signIn', { userId: 'bob', password: temporaryPassword!, code: code('bob'), agreeToTerms: true });
      expect(view.state).toBe('password');
      expect(await h.refusal('bob', 'access.mine', {})).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('bob', 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: 'different words entirely' })).toMatchObject({
        field: 'confirmPassword',
      });
      expect(await h.refusal('bob', 'auth.changePassword', { newPassword: temporaryPassword!, confirmPassword: temporaryPassword! })).toMatchObject({
        field: 'newPassword',
      });
      expect(await h.refusal('bob', 'auth.changePassword', { newPassword: 'short', confirmPassword: 'short' })).toMatchObject({ field: 'newPassword' });
      expect((await h.call('bob', 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).state).toBe('warning');
      expect(await h.refusal('bob', 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).toMatchObject({ code: 'FORBIDDEN' });
      expect((await h.call('bob', 'auth.acceptWarning', {})).state).toBe('active');
      expect(await h.refusal('x', 'auth.signIn', { userId: 'bob', password: temporaryPassword!, code: code('bob'), agreeToTerms: true })).toMatchObject({
        code: 'SIGN_IN_FAILED',
      });
    });

    it('a temporary password stops working after 72 hours', async () => {
      const { temporaryPassword } = await h.call('so1', 'users.accountAction', { userId: 'bob', action: 'resetPassword', code: code('so1') });
      h.clock.advance(73 * 3_600_000);
      expect(await h.refusal('bob2', 'auth.signIn', { userId: 'bob', password: temporaryPassword!, code: code('bob'), agreeToTerms: true })).toMatchObject({
        code: 'FORBIDDEN',
        message: SIGN_IN_MESSAGES.temporaryPassword,
      });
    });

    it('a reset unlocks an account the third temporary lock locked', async () => {
      await h.call('so1', 'users.accountAction', { userId: 'locked.user', action: 'resetPassword', code: code('so1') });
      expect(await h.userRow('locked.user')).toMatchObject({ status: 'active', failed_attempts: 0, temporary_lock_count: 0 });
    });

    it("deactivate ends the user's sessions; reactivate restarts the 120-day count", async () => {
      await h.call('so1', 'users.accountAction', { userId: 'alice', action: 'deactivate', code: code('so1') });
      expect(await h.refusal('alice', 'access.mine', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
      h.clock.advance(200 * DAY);
      await sideSql(h.app).run("UPDATE users SET last_sign_in_at = ? WHERE user_id = 'so1'", [h.clock.now()]);
      h.nextStep();
      await h.signIn('so1-later', u['so1']!);
      await h.call('so1-later', 'users.accountAction', { userId: 'alice', action: 'reactivate', code: code('so1') });
      h.nextStep();
      await h.signIn('alice-again', u['alice']!);
      expect((await h.call('alice-again', 'session.status', {})).state).toBe('active');
      expect(await h.auditActions()).toEqual(expect.arrayContaining(['account.deactivated', 'account.reactivated']));
    });

    it('revoked credentials: the user signs in with the temporary password alone, sets a password, enrolls a credential', async () => {
      const { temporaryPassword, profile } = await h.call('so1', 'users.accountAction', { userId: 'bob', action: 'revokeCredentials', code: code('so1') });
      expect(profile.credentialCount).toBe(0);
      expect(await h.refusal('bob', 'auth.signIn', { userId: 'bob', password: temporaryPassword!, code: code('bob'), agreeToTerms: true })).toMatchObject({
        code: 'SIGN_IN_FAILED',
      });
      const view = await h.call('bob', 'auth.signInWithTemporaryPassword', { userId: 'BOB', password: temporaryPassword!, agreeToTerms: true });
      expect(view.state).toBe('password');
      expect((await h.call('bob', 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).state).toBe('enroll');
      expect(await h.refusal('bob', 'mfa.list', {})).toMatchObject({ code: 'FORBIDDEN' });
      const enrollment = await h.call('bob', 'auth.beginFirstEnrollment', {});
      expect((await h.call('bob', 'auth.completeFirstEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret) })).state).toBe(
        'warning',
      );
      expect(await h.auditActions()).toEqual(expect.arrayContaining(['account.credentials_revoked', 'password.changed', 'credential.added']));
    });

    it('the temporary-password sign-in refuses anyone with a credential or without a temporary password, and counts it', async () => {
      expect(await h.refusal('x', 'auth.signInWithTemporaryPassword', { userId: 'bob', password: PASSWORD, agreeToTerms: true })).toMatchObject({
        code: 'SIGN_IN_FAILED',
        message: SIGN_IN_MESSAGES.incorrect,
      });
      expect(await h.refusal('x', 'auth.signInWithTemporaryPassword', { userId: 'nobody', password: PASSWORD, agreeToTerms: true })).toMatchObject({
        code: 'SIGN_IN_FAILED',
      });
      expect((await h.userRow('bob')).failed_attempts).toBe(1);
    });
  });

  describe('create user', () => {
    const newUser = (overrides: Record<string, unknown> = {}) => ({
      userId: 'erin.new',
      firstName: 'Erin',
      lastName: 'Newhire',
      email: 'erin@sunrise.example',
      program: PROD,
      organization: '123',
      role: 'Assessment Coordinator',
      ...overrides,
    });

    it('creates a pending account with a temporary password and a request for its first role; first sign-in enrolls', async () => {
      const created = await h.call('so1', 'users.create', { ...newUser(), code: code('so1') });
      expect(created.profile).toMatchObject({ userId: 'erin.new', status: 'pending', mustChangePassword: true, credentialCount: 0 });
      expect(ids((await search('so1', { organization: '123', query: 'newh' })).rows)).toEqual(['erin.new']);
      expect((await h.call('so1', 'queue.page', {})).rows.map((r) => r.requestId)).toContain(created.requestId);
      expect(await h.auditActions()).toEqual(expect.arrayContaining(['user.created', 'request.filed']));
      expect(
        await h.refusal('erin', 'auth.signInWithTemporaryPassword', { userId: 'erin.new', password: created.temporaryPassword, agreeToTerms: true }),
      ).toMatchObject({
        code: 'FORBIDDEN',
        message: SIGN_IN_MESSAGES.pending,
      });
      const approved = await h.call('so2', 'users.accountAction', { userId: 'erin.new', action: 'approve', code: code('so2') });
      // The approving official hands over a new temporary password; the creator's first one no longer works.
      expect(approved.temporaryPassword).toEqual(expect.any(String));
      expect(
        await h.refusal('erin', 'auth.signInWithTemporaryPassword', { userId: 'erin.new', password: created.temporaryPassword, agreeToTerms: true }),
      ).toMatchObject({ code: 'SIGN_IN_FAILED' });
      expect(
        (await h.call('erin', 'auth.signInWithTemporaryPassword', { userId: 'erin.new', password: approved.temporaryPassword!, agreeToTerms: true })).state,
      ).toBe('password');
    });

    it('refuses bad input with the field named, taken user IDs and emails, and other organizations; creates nothing', async () => {
      const users = async () => ((await sideSql(h.app).get('SELECT count(*) AS n FROM users')) as { n: number }).n;
      const before = await users();
      expect(await h.refusal('so1', 'users.create', { ...newUser({ email: 'not-an-email' }), code: code('so1') })).toMatchObject({
        code: 'VALIDATION',
        field: 'email',
      });
      expect(await h.refusal('so1', 'users.create', { ...newUser({ firstName: 'x'.repeat(65) }), code: code('so1') })).toMatchObject({
        code: 'VALIDATION',
        field: 'firstName',
      });
      expect(await h.refusal('so1', 'users.create', { ...newUser({ lastName: '<script>' }), code: code('so1') })).toMatchObject({
        code: 'VALIDATION',
        field: 'lastName',
      });
      expect(await h.refusal('so1', 'users.create', { ...newUser({ program: 'Nope' }), code: code('so1') })).toMatchObject({
        code: 'VALIDATION',
        field: 'program',
      });
      expect(await h.refusal('so1', 'users.create', { ...newUser({ userId: 'ALICE' }), code: code('so1') })).toMatchObject({
        code: 'CONFLICT',
        field: 'userId',
        message: USER_MESSAGES.userIdTaken,
      });
      expect(await h.refusal('so1', 'users.create', { ...newUser({ email: 'BOB@sunrise.example' }), code: code('so1') })).toMatchObject({
        code: 'CONFLICT',
        field: 'email',
        message: USER_MESSAGES.emailTaken,
      });
      expect(await h.refusal('so1', 'users.create', { ...newUser({ organization: '456' }), code: code('so1') })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('alice', 'users.create', { ...newUser(), code: code('alice') })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await users()).toBe(before);
    });
  });

  describe('the 120-day rule', () => {
    it('deactivates accounts unused for more than 120 days, not one day less, audited', async () => {
      const set = (at: number, userId: string) => sideSql(h.app).run('UPDATE users SET last_sign_in_at = ? WHERE user_id = ?', [at, userId]);
      await set(h.clock.now() - 121 * DAY, 'bob');
      await set(h.clock.now() - 120 * DAY + 10 * 60_000, 'dan');
      expect(await h.app.services.users.sweepInactive()).toBe(1);
      expect((await h.userRow('bob')).status).toBe('deactivated');
      expect((await h.userRow('dan')).status).toBe('active');
      expect((await h.auditActions()).filter((a) => a === 'account.deactivated')).toHaveLength(1);
      // An official's reactivation restarts the count.
      await h.call('so1', 'users.accountAction', { userId: 'bob', action: 'reactivate', code: code('so1') });
      expect(await h.app.services.users.sweepInactive()).toBe(0);
    });
  });

  it('sign-in with the password alone stays impossible for an account that has a credential', async () => {
    expect(await h.refusal('x', 'auth.signIn', { userId: 'bob', password: PASSWORD, code: '', agreeToTerms: true })).toMatchObject({
      code: 'VALIDATION',
      field: 'code',
    });
  });
});

/** Seeded names are FirstN LastN in seed order; this is the order of LastN for the listed users. */
function order(a: string, b: string): number {
  const seq = ['cms', 'so1', 'so2', 'so456', 'fl', 'alice', 'bob', 'carol', 'dan', 'locked.user'];
  const last = (id: string) => ({ alice: 'Smith', bob: 'Smithers', carol: 'Smith', dan: 'Adams' })[id] ?? `Last${seq.indexOf(id)}`;
  return last(a).toLowerCase() < last(b).toLowerCase() ? -1 : 1;
}

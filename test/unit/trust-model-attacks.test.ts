import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DECISION_MESSAGES } from '../../main/services/officials.js';
import { REQUEST_MESSAGES } from '../../main/services/requests.js';
import { USER_MESSAGES } from '../../main/services/users.js';
import type { Harness, TestUser } from '../support/console-harness.js';
import { PROD, TrustConsole, proofIn } from '../support/trust-console.js';

/**
 * Attacks on the trust model, through dispatch only (the database is touched only to set up a
 * fixture or to read what was written): each one a reviewer tried, and what now stops it.
 */
const NEW_PASSWORD = 'Violet turbine orchard harbor 2027';

describe('attacks on the trust model', () => {
  let t: TrustConsole;
  let h: Harness;
  let u: Record<string, TestUser>;
  const db = () => t.sql;
  const code = (who: string) => t.code(who);
  const rowId = (userId: string) => t.rowId(userId);
  const holds = (userId: string) => t.holds(userId);
  const status = async (requestId: number) => (await db().get<{ status: string }>('SELECT status FROM role_requests WHERE id = ?', [requestId]))?.status;
  const auditCount = () => t.rowCount('audit_events');
  const file = (who: string, organization: string, role: string, program = PROD) => h.call(who, 'access.request', { program, organization, role });
  /** Takes over an account with a temporary password and no credential, as whoever holds the password. */
  const takeOver = async (clientId: string, userId: string, temporaryPassword: string) => {
    await h.call(clientId, 'auth.signInWithTemporaryPassword', { userId, password: temporaryPassword, agreeToTerms: true });
    await h.call(clientId, 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    const enrollment = await h.call(clientId, 'auth.beginFirstEnrollment', {});
    h.nextStep();
    await h.call(clientId, 'auth.completeFirstEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret) });
    await h.call(clientId, 'auth.acceptWarning', {});
  };

  beforeEach(async () => {
    t = await TrustConsole.create();
    h = t.h;
    u = t.users;
  });
  afterEach(() => h.dispose());

  describe('attacks a review found, now stopped', () => {
    it('the creator of an account cannot make it active by Deactivate then Reactivate', async () => {
      const created = await h.call('so1', 'users.create', {
        userId: 'mallory.new',
        firstName: 'Mallory',
        lastName: 'Newhire',
        email: 'mallory@sunrise.example',
        program: PROD,
        organization: '123',
        role: 'Provider Basic User',
        code: code('so1'),
      });
      // The front door is shut...
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'mallory.new', action: 'approve', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.createdAccount,
      });
      // ...the side door is not.
      await h.app.dispatch({ clientId: 'so1' }, 'users.accountAction', { userId: 'mallory.new', action: 'deactivate', code: code('so1') });
      await h.app.dispatch({ clientId: 'so1' }, 'users.accountAction', { userId: 'mallory.new', action: 'reactivate', code: code('so1') });
      expect((await h.userRow('mallory.new')).status).not.toBe('active');
      expect(
        (
          await h.app.dispatch({ clientId: 'mallory' }, 'auth.signInWithTemporaryPassword', {
            userId: 'mallory.new',
            password: created.temporaryPassword,
            agreeToTerms: true,
          })
        ).ok,
      ).toBe(false);
    });

    it("the creator's temporary password stops working when a second official approves the account, so they cannot act as it", async () => {
      const created = await h.call('so1', 'users.create', {
        userId: 'mallory.new',
        firstName: 'Mallory',
        lastName: 'Newhire',
        email: 'mallory@sunrise.example',
        program: PROD,
        organization: '123',
        role: 'Provider Security Official',
        code: code('so1'),
      });
      // The second official does everything right: proofs the real person in person, approves the account and the request.
      await h.call('so2', 'proofing.decide', proofIn('mallory.new'));
      await h.call('so2', 'users.accountAction', { userId: 'mallory.new', action: 'approve', code: code('so2') });
      expect((await h.call('so2', 'queue.approve', { requestIds: [created.requestId] })).results[0]).toMatchObject({ outcome: 'approved' });
      // The creator still holds the only password of the new Security Official.
      const signIn = await h.app.dispatch({ clientId: 'puppet' }, 'auth.signInWithTemporaryPassword', {
        userId: 'mallory.new',
        password: created.temporaryPassword,
        agreeToTerms: true,
      });
      expect.soft(signIn.ok, 'the temporary password the creator saw still opens the account after a second official approved it').toBe(false);
      if (!signIn.ok) return;
      await h.call('puppet', 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      const enrollment = await h.call('puppet', 'auth.beginFirstEnrollment', {});
      h.nextStep();
      await h.call('puppet', 'auth.completeFirstEnrollment', { enrollmentId: enrollment.enrollmentId, code: h.code(enrollment.secret) });
      await h.call('puppet', 'auth.acceptWarning', {});
      const own = await file('so1', '123', 'Assessment Coordinator');
      await h.call('puppet', 'queue.approve', { requestIds: [own.requestId] });
      expect(await holds('so1'), 'so1 got their own request approved by an account only so1 could sign in to').not.toContainEqual({
        role: 'Assessment Coordinator',
        org: '123',
      });
    });

    it('dual control: deactivating the other CMS official does not let one grant the CMS role alone', async () => {
      const { requestId } = await file('analyst', 'CMS', 'CMS Security Official');
      expect((await h.call('cms1', 'queue.preview', { requestIds: [requestId], action: 'approve' })).items[0]?.flags).toContain('first_of_dual_approval');
      await h.call('cms1', 'users.accountAction', { userId: 'cms2', action: 'deactivate', code: code('cms1') });
      const result = await h.call('cms1', 'queue.approve', { requestIds: [requestId] });
      await h.call('cms1', 'users.accountAction', { userId: 'cms2', action: 'reactivate', code: code('cms1') });
      expect(result.results[0]?.outcome).toBe('awaiting_second_approval');
      expect(await holds('analyst')).toEqual([]);
    });

    it("dual control: one CMS official cannot remove the other's CMS role", async () => {
      const { requestId } = await file('analyst', 'CMS', 'CMS Security Official');
      expect(
        await h.refusal('cms1', 'users.removeRole', {
          userId: 'cms2',
          program: PROD,
          organization: 'CMS',
          role: 'CMS Security Official',
          confirmLastOfficial: true,
        }),
      ).toMatchObject({ code: 'FORBIDDEN', message: USER_MESSAGES.cmsRoleStays });
      expect((await h.call('cms1', 'queue.approve', { requestIds: [requestId] })).results[0]?.outcome).toBe('awaiting_second_approval');
    });

    it('dual control: locking the second CMS official with wrong passwords does not let the first grant alone', async () => {
      const { requestId } = await file('analyst', 'CMS', 'CMS Security Official');
      // Unauthenticated: 3 x 5 wrong passwords, waiting out each 15-minute lock.
      for (let lock = 0; lock < 3; lock += 1) {
        for (let i = 0; i < 5; i += 1)
          await h.app.dispatch({ clientId: 'stranger' }, 'auth.signIn', {
            userId: 'cms2',
            password: 'wrong password here',
            code: '000000',
            agreeToTerms: true,
          });
        h.clock.advance(16 * 60_000);
      }
      expect((await h.userRow('cms2')).status).toBe('locked');
      await h.signIn('cms1-again', u.cms1!);
      const result = await h.call('cms1-again', 'queue.approve', { requestIds: [requestId] });
      expect(result.results[0]?.outcome).toBe('awaiting_second_approval');
      expect(await holds('analyst')).toEqual([]);
    });

    it('bulk: two CMS role requests in one approval are answered request by request', async () => {
      await db().run("UPDATE users SET status = 'deactivated' WHERE user_id = 'cms2'"); // fixture: the console has one CMS official
      const a = await file('analyst', 'CMS', 'CMS Security Official');
      const b = await file('analyst2', 'CMS', 'CMS Security Official');
      const result = await h.app.dispatch({ clientId: 'cms1' }, 'queue.approve', { requestIds: [a.requestId, b.requestId] });
      // Once analyst is granted, analyst2's request rightly needs two; the service should say so per request.
      expect(result).toMatchObject({ ok: true });
    });

    it('bulk: a request the database refuses in a later chunk is reported for itself; the approved ones are reported approved', async () => {
      await db().run("UPDATE users SET status = 'deactivated' WHERE user_id = 'cms2'"); // fixture: the console has one CMS official
      const orgs = Array.from({ length: 101 }, (_, i) => ({ displayId: `P${1000 + i}`, name: `Provider ${i}`, kind: 'provider' as const }));
      await h.seed({ organizations: orgs, users: [] });
      const ids: number[] = [];
      for (const o of orgs) ids.push((await file('demo', o.displayId, 'Provider Security Official')).requestId);
      const a = await file('analyst', 'CMS', 'CMS Security Official');
      const b = await file('analyst2', 'CMS', 'CMS Security Official');
      const audit = await auditCount();
      const result = await h.app.dispatch({ clientId: 'cms1' }, 'queue.approve', { requestIds: [...ids, a.requestId, b.requestId] });
      let approved = 0;
      for (const id of ids) if ((await status(id)) === 'approved') approved += 1;
      const auditAfter = await auditCount();
      // Either the call answers per request, or (as its error says, "nothing was written") nothing changed.
      expect.soft(result.ok ? 'answered' : `${result.error.code}: ${result.error.message}`).toBe('answered');
      expect(
        result.ok || (approved === 0 && auditAfter === audit),
        `call failed but ${approved} requests were approved and ${auditAfter - audit} audit events written`,
      ).toBe(true);
    });

    it('a provider official cannot take over an account with a pending request in another organization', async () => {
      const cmsRequest = await file('analyst', 'CMS', 'CMS Security Official');
      await file('analyst', '123', 'Provider Basic User'); // the tie that makes analyst visible to so1
      const taken = await h.app.dispatch({ clientId: 'so1' }, 'users.accountAction', { userId: 'analyst', action: 'revokeCredentials', code: code('so1') });
      expect.soft(taken, 'so1 may not take over an account with a pending request outside 123').toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      if (!taken.ok) return;
      await takeOver('puppet', 'analyst', (taken.value as { temporaryPassword: string }).temporaryPassword);
      // Two honest CMS officials approve the request the real analyst filed.
      await h.call('cms1', 'queue.approve', { requestIds: [cmsRequest.requestId] });
      await h.call('cms2', 'queue.approve', { requestIds: [cmsRequest.requestId] });
      expect((await h.call('puppet', 'session.status', {})).user?.officialKind, 'so1 now holds a CMS Security Official account').not.toBe('cms');
    });

    it('FSID: a State Security Official cannot enter or verify their own Federal Surveyor ID', async () => {
      // Only a Surveyor asks for an FSID: here the official also holds that role, granted by a second official of the state.
      const flso2 = await h.seed({ users: [{ userId: 'flso2', organization: 'FL', roles: [[PROD, 'State Security Official']] }] });
      await h.signIn('flso2', flso2.flso2!);
      const surveyorRole = await file('flso', 'FL', 'Surveyor');
      expect((await h.call('flso2', 'queue.approve', { requestIds: [surveyorRole.requestId] })).results[0]).toMatchObject({ outcome: 'approved' });
      await h.call('flso', 'fsid.request', {});
      expect(await h.refusal('flso', 'fsid.save', { userId: 'flso', fsid: 'SELF01' })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('flso', 'fsid.verify', { userId: 'flso' })).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('FSID: user IDs outside the state cannot be probed', async () => {
      const exists = await h.refusal('flso', 'fsid.verify', { userId: 'so456' });
      const absent = await h.refusal('flso', 'fsid.verify', { userId: 'no.such.user' });
      expect(exists).toEqual(absent);
    });

    it('refused decisions are audited (own request, account they created, out of scope)', async () => {
      const own = await file('so1', '123', 'Assessment Coordinator');
      const created = await h.call('so1', 'users.create', {
        userId: 'mallory.new',
        firstName: 'Mallory',
        lastName: 'Newhire',
        email: 'mallory@sunrise.example',
        program: PROD,
        organization: '123',
        role: 'Provider Basic User',
        code: code('so1'),
      });
      const before = await auditCount();
      const results = (await h.call('so1', 'queue.approve', { requestIds: [own.requestId, created.requestId] })).results;
      expect(results.map((r) => r.message)).toEqual([DECISION_MESSAGES.ownRequest, DECISION_MESSAGES.createdAccount]);
      expect((await h.call('so456', 'queue.approve', { requestIds: [own.requestId] })).results[0]?.outcome).toBe('not_found');
      const written = await db().all('SELECT action FROM audit_events WHERE id > ? AND request_id IN (?, ?)', [before, own.requestId, created.requestId]);
      expect(written.length, 'each refused approval is a decision attempt and should be audited').toBeGreaterThanOrEqual(2);
    });

    it('a CMS request filed by Create user is granted by the two CMS officials who did not create the account', async () => {
      const created = await h.call('cms1', 'users.create', {
        userId: 'newcms',
        firstName: 'Nia',
        lastName: 'Newcms',
        email: 'nia@cms.example',
        program: PROD,
        organization: 'CMS',
        role: 'CMS Security Official',
        code: code('cms1'),
      });
      await h.call('cms2', 'proofing.decide', proofIn('newcms'));
      await h.call('cms2', 'users.accountAction', { userId: 'newcms', action: 'approve', code: code('cms2') });
      const second = await h.call('cms2', 'queue.approve', { requestIds: [created.requestId] });
      const first = await h.call('cms1', 'queue.approve', { requestIds: [created.requestId] });
      // cms1 is counted towards "two needed" but may never give one: the request is stuck at 1 of 2.
      expect([second.results[0]?.outcome, first.results[0]?.outcome]).toContain('approved');
    });

    it('an official deactivated at another workstation reads nothing more through a session still open here', async () => {
      // Officials of each kind, each with a page they could read a moment ago.
      const reads = [
        ['so1', 'lookup.search', { program: PROD }],
        ['cms1', 'queue.page', {}],
        ['so456', 'history.page', {}],
        ['flso', 'fsid.search', {}],
        ['cms1', 'outbox.list', {}],
      ] as const;
      for (const [who, channel, input] of reads) await h.call(who, channel, input);
      expect((await h.call('so1', 'home.dashboard', {})).official).not.toBeNull();
      expect((await h.call('so1', 'session.status', {})).user?.officialKind).toBe('provider');
      // Deactivated in the shared database by someone else: this console's sessions were not closed.
      await db().run(`UPDATE users SET status = 'deactivated' WHERE user_id IN ('so1', 'cms1', 'so456', 'flso')`);
      for (const [who, channel, input] of reads) {
        expect(await h.refusal(who, channel, input), `${who} ${channel}`).toMatchObject({ code: 'FORBIDDEN' });
      }
      expect((await h.call('so1', 'home.dashboard', {})).official).toBeNull();
      // Nor does the console present them as an official any more.
      expect((await h.call('so1', 'session.status', {})).user?.officialKind).toBeNull();
      // Nor may they ask for a role again, their own organization's Security Official role included.
      const requests = await t.rowCount('role_requests');
      for (const role of ['Provider Basic User', 'Provider Security Official']) {
        expect(await h.refusal('so1', 'access.request', { program: PROD, organization: '456', role }), role).toMatchObject({ code: 'UNAUTHENTICATED' });
      }
      expect(await t.rowCount('role_requests')).toBe(requests);
    });
  });

  describe('holes: scope of account actions', () => {
    it("a pending request at 123 does not let 123's official change the account of the state agency's Surveyor", async () => {
      await file('surveyor', '123', 'Provider Basic User');
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'surveyor', action: 'deactivate', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.otherOrganizationRole,
      });
      // Nor can Florida's own official while 123 holds a request of theirs: the account is one for both; CMS can.
      expect(await h.refusal('flso', 'users.accountAction', { userId: 'surveyor', action: 'deactivate', code: code('flso') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.otherOrganizationRole,
      });
      await h.call('cms1', 'users.accountAction', { userId: 'surveyor', action: 'deactivate', code: code('cms1') });
      const undone = await h.app.dispatch({ clientId: 'so1' }, 'users.accountAction', { userId: 'surveyor', action: 'reactivate', code: code('so1') });
      expect(undone, 'surveyor holds a Florida role: only Florida (or CMS) should reactivate them').toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect((await h.userRow('surveyor')).status).toBe('deactivated');
    });
  });

  describe('attacks that held', () => {
    it('callers outside the organization, the requester, and CMS on ordinary roles cannot decide; the right official can', async () => {
      const { requestId } = await file('demo', '123', 'Assessment Coordinator');
      expect(await h.refusal('demo', 'queue.approve', { requestIds: [requestId] })).toMatchObject({ code: 'FORBIDDEN', message: REQUEST_MESSAGES.notOfficial });
      for (const who of ['so456', 'flso', 'cms1'])
        expect((await h.call(who, 'queue.approve', { requestIds: [requestId] })).results[0]?.outcome, who).toBe('not_found');
      const own = await file('so1', '123', 'Assessment Coordinator');
      expect((await h.call('so1', 'queue.approve', { requestIds: [own.requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.ownRequest,
      });
      expect((await h.call('so1', 'queue.reject', { requestIds: [own.requestId], reason: 'mine' })).results[0]).toMatchObject({ outcome: 'refused' });
      expect((await h.call('so2', 'queue.approve', { requestIds: [requestId, own.requestId] })).results.map((r) => r.outcome)).toEqual([
        'approved',
        'approved',
      ]);
    });

    it('a first official only by CMS, and nothing else there until then', async () => {
      const so = await file('demo', '789', 'Provider Security Official');
      const basic = await file('surveyor', '789', 'Provider Basic User');
      expect((await h.call('so1', 'queue.approve', { requestIds: [so.requestId] })).results[0]?.outcome).toBe('not_found');
      expect((await h.call('cms1', 'queue.approve', { requestIds: [basic.requestId] })).results[0]?.outcome).toBe('not_found');
      expect((await h.call('cms1', 'queue.preview', { requestIds: [so.requestId], action: 'approve' })).items[0]?.flags).toContain('first_official');
      expect((await h.call('cms1', 'queue.approve', { requestIds: [so.requestId] })).results[0]?.outcome).toBe('approved');
      expect((await h.call('demo', 'queue.approve', { requestIds: [basic.requestId] })).results[0]?.outcome).toBe('approved');
    });

    it('withdraw, refile and reopen: a withdrawn request stays withdrawn; only the official who rejected reopens', async () => {
      const first = await file('demo', '123', 'Assessment Coordinator');
      await h.call('demo', 'access.withdraw', { requestId: first.requestId });
      expect((await h.call('so1', 'queue.approve', { requestIds: [first.requestId] })).results[0]).toMatchObject({
        outcome: 'conflict',
        message: 'Withdrawn by the requester',
      });
      expect(await h.refusal('so1', 'queue.reopen', { requestId: first.requestId })).toMatchObject({ code: 'FORBIDDEN' });
      const again = await file('demo', '123', 'Assessment Coordinator');
      await h.call('so1', 'queue.reject', { requestIds: [again.requestId], reason: 'no' });
      expect(await h.refusal('so2', 'queue.reopen', { requestId: again.requestId })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('demo', 'queue.reopen', { requestId: again.requestId })).toMatchObject({ code: 'FORBIDDEN' });
      await h.call('so1', 'queue.reopen', { requestId: again.requestId });
      expect((await h.call('so2', 'queue.approve', { requestIds: [again.requestId] })).results[0]?.outcome).toBe('approved');
    });

    it('role removal ends power at once; a re-grant needs another official', async () => {
      const { requestId } = await file('demo', '123', 'Assessment Coordinator');
      await h.call('so2', 'users.removeRole', { userId: 'so1', program: PROD, organization: '123', role: 'Provider Security Official' });
      expect(await h.refusal('so1', 'queue.approve', { requestIds: [requestId] })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('so1', 'users.profile', { userId: 'demo' })).toMatchObject({ code: 'FORBIDDEN' });
      const back = await file('so1', '123', 'Provider Security Official');
      expect(await h.refusal('so1', 'queue.page', {})).toMatchObject({ code: 'FORBIDDEN' });
      expect((await h.call('so2', 'queue.approve', { requestIds: [back.requestId] })).results[0]?.outcome).toBe('approved');
      expect(await status(requestId)).toBe('pending');
    });

    it('concurrent approvals: two CMS officials at once grant once with two approvals; two provider officials at once decide once', async () => {
      const { requestId } = await file('analyst', 'CMS', 'CMS Security Official');
      const [a, b] = await Promise.all([
        h.call('cms1', 'queue.approve', { requestIds: [requestId] }),
        h.call('cms2', 'queue.approve', { requestIds: [requestId] }),
      ]);
      expect([a.results[0]?.outcome, b.results[0]?.outcome].sort()).toEqual(['approved', 'awaiting_second_approval']);
      expect((await db().get<{ n: number }>('SELECT count(*) AS n FROM request_approvals WHERE request_id = ?', [requestId]))?.n).toBe(2);
      const ordinary = await file('demo', '123', 'Assessment Coordinator');
      const [c, d] = await Promise.all([
        h.call('so1', 'queue.approve', { requestIds: [ordinary.requestId] }),
        h.call('so2', 'queue.approve', { requestIds: [ordinary.requestId] }),
      ]);
      expect([c.results[0]?.outcome, d.results[0]?.outcome].sort()).toEqual(['approved', 'conflict']);
      expect(
        (await db().get<{ n: number }>("SELECT count(*) AS n FROM audit_events WHERE action = 'request.approved' AND request_id = ?", [ordinary.requestId]))?.n,
      ).toBe(1);
    });

    it('the CMS role: never by a provider or state official, nor twice by one official; the database refuses a provider official approval row', async () => {
      const { requestId } = await file('so1', 'CMS', 'CMS Security Official');
      for (const who of ['so2', 'so456', 'flso'])
        expect((await h.call(who, 'queue.approve', { requestIds: [requestId] })).results[0]?.outcome).toBe('not_found');
      await h.call('cms1', 'queue.approve', { requestIds: [requestId] });
      expect((await h.call('cms1', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.alreadyApproved,
      });
      expect(await holds('so1')).toEqual([{ role: 'Provider Security Official', org: '123' }]);
      await expect(
        db().run('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, 1)', [requestId, await rowId('so2')]),
      ).rejects.toThrow();
    });

    it("history and archive scope: another organization's decisions are not found nor exportable", async () => {
      const { requestId } = await file('demo', '123', 'Assessment Coordinator');
      await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'no' });
      expect(await h.refusal('so456', 'history.view', { requestId })).toMatchObject({ code: 'NOT_FOUND' });
      expect((await h.call('so456', 'history.page', { search: String(requestId) })).rows).toEqual([]);
      expect(await h.refusal('so456', 'history.page', { search: '', organization: '123' })).toMatchObject({ code: 'FORBIDDEN' });
      expect((await h.call('so2', 'history.view', { requestId })).actionText).toMatch(/Rejected by so1@/);
      expect(await h.refusal('demo', 'history.page', { search: '' })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('so456', 'archive.export', { organizations: ['123'], from: 0, to: h.clock.now() })).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('a request whose requester lost proofing after filing waits, with the reason', async () => {
      const a = await file('demo', '123', 'Assessment Coordinator');
      await db().run("UPDATE users SET proofing_state = 'referred_in_person' WHERE user_id = 'demo'"); // fixture: proofing lost after filing
      expect((await h.call('so1', 'queue.approve', { requestIds: [a.requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.notProofed('First6 Last6'),
      });
      expect(await status(a.requestId)).toBe('pending');
    });
  });
});

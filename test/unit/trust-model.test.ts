import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTHORITY_CHANGED, DECISION_MESSAGES } from '../../main/services/officials.js';
import { USER_MESSAGES } from '../../main/services/users.js';
import { PROOFING_MESSAGES } from '../../main/services/proofing.js';
import { ROLE_NAMES, ORGANIZATION_KINDS } from '../../shared/domain.js';
import { ROLE_CATALOGUE, roleAllowedIn } from '../../shared/roles.js';
import { PASSWORD, type Harness } from '../support/console-harness.js';
import { PROD, TrustConsole, beforeStoreCall, bill, passport, proofIn } from '../support/trust-console.js';

const ORG_OF_KIND = { provider: '123', state: 'FL', cms: 'CMS' } as const;

/**
 * The trust model through dispatch, as the renderer calls it, against a real SQLite file: the role
 * catalogue, who decides, separation of duties, proofed before granted, dual control for the CMS
 * Security Official role, and power from live ties only. Each attack a review found is tried again
 * here and must now do no harm; where a service check could be skipped, the database is tried
 * directly and must refuse too.
 */
describe('trust model', () => {
  let t: TrustConsole;
  let h: Harness;
  const db = () => t.sql;
  const idOf = (who: string) => t.rowId(who);
  const code = (who: string) => t.code(who);
  const rowCount = (table: string) => t.rowCount(table);
  const holds = (userId: string) => t.holds(userId);

  beforeEach(async () => {
    t = await TrustConsole.create();
    h = t.h;
  });
  afterEach(() => h.dispose());

  describe('the role catalogue', () => {
    it('offers, for every role and every kind of organization, exactly the pairs the catalogue allows', async () => {
      const options = await h.call('demo', 'access.options', {});
      expect(options.catalogue).toEqual(ROLE_NAMES.map((role) => ({ role, organizationKinds: [...ROLE_CATALOGUE[role].organizationKinds] })));
      const lookup = await h.call('so1', 'lookup.options', {});
      expect(lookup.catalogue).toEqual(options.catalogue);
    });

    it('the database copy of the catalogue is the catalogue', async () => {
      const rows = await db().all('SELECT role_name AS role, organization_kind AS kind, tier FROM role_catalogue ORDER BY role_name, organization_kind');
      const expected = ROLE_NAMES.flatMap((role) => ROLE_CATALOGUE[role].organizationKinds.map((kind) => ({ role, kind, tier: ROLE_CATALOGUE[role].tier })));
      expect(rows).toEqual(expected.sort((a, b) => (a.role === b.role ? a.kind.localeCompare(b.kind) : a.role.localeCompare(b.role))));
    });

    it('every role x every kind of organization: a request outside the catalogue is refused and writes nothing', async () => {
      for (const role of ROLE_NAMES) {
        for (const kind of ORGANIZATION_KINDS) {
          const before = await rowCount('role_requests');
          const result = await h.app.dispatch({ clientId: 'demo' }, 'access.request', { program: 'iQIES Prod Test', organization: ORG_OF_KIND[kind], role });
          if (roleAllowedIn(role, kind)) {
            expect(result.ok, `${role} in ${kind}`).toBe(true);
            expect(await rowCount('role_requests')).toBe(before + 1);
          } else {
            expect(result, `${role} in ${kind}`).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'role' } });
            expect(await rowCount('role_requests')).toBe(before);
          }
        }
      }
    });

    it('every role x every kind of organization: the database refuses a pending request or an assignment outside the catalogue', async () => {
      const demoId = await idOf('demo');
      for (const role of ROLE_NAMES) {
        for (const kind of ORGANIZATION_KINDS) {
          if (roleAllowedIn(role, kind)) continue;
          const args = [demoId, ORG_OF_KIND[kind], role] as const;
          await expect(
            db().run(
              "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT CAST(? AS BIGINT), 2, o.id, r.id, 'pending', 0 FROM organizations o, roles r WHERE o.display_id = ? AND r.name = ?",
              args,
            ),
          ).rejects.toThrow(/role catalogue/);
          await expect(
            db().run(
              'INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) SELECT CAST(? AS BIGINT), 2, o.id, r.id, 0 FROM organizations o, roles r WHERE o.display_id = ? AND r.name = ?',
              args,
            ),
          ).rejects.toThrow(/role catalogue/);
        }
      }
      // Nor can a role, a tier or an organization's kind be changed to get round it.
      await expect(db().run("UPDATE roles SET security_official_kind = 'cms' WHERE name = 'Provider Basic User'")).rejects.toThrow();
      await expect(db().run("UPDATE organizations SET kind = 'cms' WHERE display_id = '123'")).rejects.toThrow();
      await expect(db().run("INSERT INTO roles (name, security_official_kind) VALUES ('Emperor', 'cms')")).rejects.toThrow();
      await expect(db().run("INSERT INTO organizations (display_id, name, kind) VALUES ('CMS2', 'Another CMS', 'cms')")).rejects.toThrow();
      await expect(db().run("UPDATE role_assignments SET organization_id = (SELECT id FROM organizations WHERE display_id = 'CMS')")).rejects.toThrow();
    });

    it('a provider user cannot become a CMS Security Official: refused at 123 and FL; at CMS no provider or state official sees it', async () => {
      for (const organization of ['123', 'FL']) {
        expect(await h.refusal('demo', 'access.request', { program: PROD, organization, role: 'CMS Security Official' })).toMatchObject({
          code: 'VALIDATION',
          field: 'role',
        });
      }
      const filed = await h.call('demo', 'access.request', { program: PROD, organization: 'CMS', role: 'CMS Security Official' });
      for (const official of ['so1', 'so2', 'flso']) {
        expect((await h.call(official, 'queue.approve', { requestIds: [filed.requestId] })).results[0]).toMatchObject({ outcome: 'not_found' });
        expect((await h.call(official, 'queue.page', {})).rows.map((r) => r.requestId)).not.toContain(filed.requestId);
      }
      expect(await holds('demo')).toEqual([{ role: 'Provider Basic User', org: '123' }]);
      expect((await h.call('demo', 'session.status', {})).user?.officialKind).toBeNull();
    });
  });

  describe('dual control of the CMS Security Official role', () => {
    it('needs two distinct CMS officials: the first is recorded as 1 of 2 and shown with who gave it; the second grants it', async () => {
      const { requestId } = await h.call('analyst', 'access.request', { program: PROD, organization: 'CMS', role: 'CMS Security Official' });
      const preview = await h.call('cms1', 'queue.preview', { requestIds: [requestId], action: 'approve' });
      expect(preview.items).toEqual([
        expect.objectContaining({
          requestId,
          userId: 'analyst',
          role: 'CMS Security Official',
          flags: ['security_official_role', 'first_of_dual_approval'],
          refusal: null,
        }),
      ]);
      expect((await h.call('cms1', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({ outcome: 'awaiting_second_approval' });
      expect(await holds('analyst')).toEqual([]);
      const row = (await h.call('cms2', 'queue.page', {})).rows.find((r) => r.requestId === requestId);
      expect(row?.approvals).toEqual({ given: 1, needed: 2, by: ['cms1@example.org'] });
      // The other CMS official is asked for the second approval; the approver and the requester are not.
      expect(await db().all('SELECT to_address AS "to" FROM outbox WHERE kind = \'request.second_approval\'')).toEqual([{ to: 'cms2@example.org' }]);
      // The same official twice is not two approvals.
      expect((await h.call('cms1', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.alreadyApproved,
      });
      expect((await h.call('cms2', 'queue.preview', { requestIds: [requestId], action: 'approve' })).items[0]?.flags).toEqual([
        'security_official_role',
        'second_of_dual_approval',
      ]);
      expect((await h.call('cms2', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({ outcome: 'approved' });
      expect(await holds('analyst')).toEqual([{ role: 'CMS Security Official', org: 'CMS' }]);
      expect(await h.auditActions()).toEqual(expect.arrayContaining(['request.approval_recorded', 'request.approved']));
      const approved = await db().get<{ details: string }>("SELECT details FROM audit_events WHERE action = 'request.approved'");
      expect(JSON.parse(approved!.details)).toMatchObject({ dualControl: true });
    });

    it('the database refuses a CMS grant with one approval while a second CMS official exists, whatever the path', async () => {
      const inserted = await db().get<{ id: number }>(
        "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT u.id, 1, o.id, r.id, 'pending', 0 FROM users u, organizations o, roles r WHERE u.user_id = 'analyst' AND o.display_id = 'CMS' AND r.name = 'CMS Security Official' RETURNING id",
      );
      const requestId = inserted!.id;
      const cms1 = await idOf('cms1');
      const approve = () => db().run("UPDATE role_requests SET status = 'approved', decided_by = ?, decided_at = 1 WHERE id = ?", [cms1, requestId]);
      await expect(approve()).rejects.toThrow(/two distinct CMS Security Officials/);
      await db().run('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, 1)', [requestId, cms1]);
      await expect(approve()).rejects.toThrow(/two distinct CMS Security Officials/);
      // Approvals come from CMS officials only, never the requester's own.
      const so1 = await idOf('so1');
      const analyst = await idOf('analyst');
      await expect(db().run('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, 1)', [requestId, so1])).rejects.toThrow();
      await expect(db().run('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, 1)', [requestId, analyst])).rejects.toThrow();
    });

    it('the database takes no decision and no first approval from a deactivated official; a locked one (an open session) still counts', async () => {
      const inserted = await db().get<{ id: number }>(
        "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT u.id, 1, o.id, r.id, 'pending', 0 FROM users u, organizations o, roles r WHERE u.user_id = 'analyst' AND o.display_id = 'CMS' AND r.name = 'CMS Security Official' RETURNING id",
      );
      const cmsRequest = inserted!.id;
      const { requestId: plain } = await h.call('demo', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' });
      const [cms1, so1] = [await idOf('cms1'), await idOf('so1')];
      await db().run("UPDATE users SET status = 'deactivated' WHERE id IN (?, ?)", [cms1, so1]);
      await expect(db().run('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, 1)', [cmsRequest, cms1])).rejects.toThrow(
        /given by another CMS Security Official/,
      );
      for (const [official, status] of [
        [so1, 'approved'],
        [so1, 'rejected'],
        [cms1, 'approved'],
      ] as const) {
        await expect(db().run('UPDATE role_requests SET status = ?, decided_by = ?, decided_at = 1 WHERE id = ?', [status, official, plain])).rejects.toThrow(
          /Only a Security Official of this organization or a CMS Security Official decides this request/,
        );
      }
      // Locked to new sign-ins, not deactivated: the decision is taken.
      await db().run("UPDATE users SET status = 'locked' WHERE id = ?", [so1]);
      await db().run("UPDATE role_requests SET status = 'rejected', decided_by = ?, decided_at = 1, reason = 'Not needed' WHERE id = ?", [so1, plain]);
      expect(await db().get('SELECT status FROM role_requests WHERE id = ?', [plain])).toEqual({ status: 'rejected' });
    });

    it('with one CMS official the grant is made alone, flagged in the dialog, marked in the audit trail and on Home', async () => {
      await db().run("UPDATE users SET status = 'deactivated' WHERE user_id = 'cms2'");
      const { requestId } = await h.call('analyst', 'access.request', { program: PROD, organization: 'CMS', role: 'CMS Security Official' });
      expect((await h.call('cms1', 'queue.preview', { requestIds: [requestId], action: 'approve' })).items[0]?.flags).toEqual([
        'security_official_role',
        'without_dual_control',
      ]);
      expect((await h.call('cms1', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({ outcome: 'approved' });
      const approved = await db().get<{ details: string }>("SELECT details FROM audit_events WHERE action = 'request.approved'");
      expect(JSON.parse(approved!.details)).toMatchObject({ dualControl: false });
      const home = await h.call('cms1', 'home.summary', {});
      expect(home.alerts.map((a) => a.text).join('\n')).toMatch(
        /Granted without dual control: First7 Last7 \(analyst\) became a CMS Security Official in iQIES Prod on [A-Z][a-z]{2} \d{1,2}, \d{4}, approved by /,
      );
      expect((await h.call('so1', 'home.summary', {})).alerts.map((a) => a.text).join('\n')).not.toMatch(/dual control/);
    });

    it('a provider or state official cannot approve it even when asked directly', async () => {
      const { requestId } = await h.call('analyst', 'access.request', { program: PROD, organization: 'CMS', role: 'CMS Security Official' });
      for (const official of ['so1', 'so456', 'flso']) {
        expect((await h.call(official, 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({ outcome: 'not_found' });
      }
      const so1 = await idOf('so1');
      await expect(db().run("UPDATE role_requests SET status = 'approved', decided_by = ?, decided_at = 1 WHERE id = ?", [so1, requestId])).rejects.toThrow();
    });
  });

  describe('separation of duties and proofed before granted', () => {
    const newUser = {
      userId: 'mallory.new',
      firstName: 'Mallory',
      lastName: 'Newhire',
      email: 'mallory@sunrise.example',
      program: PROD,
      organization: '123',
      role: 'Provider Security Official',
    };

    it('an official cannot mint an accomplice: the account they created waits for proofing, and they neither proof it, approve it, nor approve its request', async () => {
      const created = await h.call('so1', 'users.create', { ...newUser, code: code('so1') });
      const preview = await h.call('so1', 'queue.preview', { requestIds: [created.requestId], action: 'approve' });
      expect(preview.items[0]).toMatchObject({ flags: ['unproofed_requester', 'security_official_role'], refusal: DECISION_MESSAGES.createdAccount });
      expect((await h.call('so2', 'queue.preview', { requestIds: [created.requestId], action: 'approve' })).items[0]?.refusal).toBe(
        DECISION_MESSAGES.notProofed('Mallory Newhire'),
      );
      expect((await h.call('so1', 'queue.page', {})).rows.find((r) => r.requestId === created.requestId)?.blockedReason).toBe(DECISION_MESSAGES.createdAccount);
      expect((await h.call('so1', 'queue.approve', { requestIds: [created.requestId] })).results[0]).toMatchObject({ outcome: 'refused' });
      expect((await h.call('so2', 'queue.approve', { requestIds: [created.requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.notProofed('Mallory Newhire'),
      });
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'mallory.new', action: 'approve', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.createdAccount,
      });
      expect((await h.call('so1', 'users.profile', { userId: 'mallory.new' })).actions).not.toContain('approve');
      const proof = {
        accountId: 'mallory.new',
        appearedInPerson: true,
        decision: 'approve',
        documents: { photo: passport, address: bill, dateOfBirth: passport },
      } as const;
      expect(await h.refusal('so1', 'proofing.decide', proof)).toMatchObject({ code: 'FORBIDDEN', message: PROOFING_MESSAGES.createdAccount });
      expect((await h.call('so1', 'proofing.lookup', { accountId: 'mallory.new' })).refusal).toBe(PROOFING_MESSAGES.createdAccount);
      expect(await holds('mallory.new')).toEqual([]);
      expect(await rowCount('proofing_records')).toBe(0);

      // A second official proofs the person and approves: the creator still cannot approve the request.
      await h.call('so2', 'proofing.decide', proof);
      expect((await h.call('so1', 'queue.approve', { requestIds: [created.requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.createdAccount,
      });
      expect((await h.call('so2', 'queue.approve', { requestIds: [created.requestId] })).results[0]).toMatchObject({ outcome: 'approved' });
      expect(await holds('mallory.new')).toEqual([{ role: 'Provider Security Official', org: '123' }]);
    });

    it('the database refuses the creator approving or proofing, and anyone deciding their own request', async () => {
      const id = (who: string) => idOf(who);
      await db().run("UPDATE users SET created_by = ? WHERE user_id = 'demo'", [await id('so1')]);
      const fileRequest = async (requester: string): Promise<number> =>
        (await db().get<{ id: number }>(
          "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT CAST(? AS BIGINT), 1, o.id, r.id, 'pending', 0 FROM organizations o, roles r WHERE o.display_id = '123' AND r.name = 'Assessment Coordinator' RETURNING id",
          [await id(requester)],
        ))!.id;
      const requestId = await fileRequest('demo');
      const decide = async (by: string, status = 'approved') =>
        db().run('UPDATE role_requests SET status = ?, decided_by = ?, decided_at = 1 WHERE id = ?', [status, await id(by), requestId]);
      await expect(decide('so1')).rejects.toThrow(/created an account/);
      // An official's own request: neither approved nor rejected by themselves.
      const own = await fileRequest('so2');
      for (const status of ['approved', 'rejected']) {
        await expect(
          db().run('UPDATE role_requests SET status = ?, decided_by = ?, decided_at = 1 WHERE id = ?', [status, await id('so2'), own]),
        ).rejects.toThrow(/your own request/);
      }
      await expect(decide('so456')).rejects.toThrow(/Only a Security Official of this organization/);
      await expect(decide('flso', 'rejected')).rejects.toThrow(/Only a Security Official of this organization/);
      await expect(
        db().run(
          "INSERT INTO proofing_records (subject_id, official_id, decision, documents, appeared_in_person, decided_at) VALUES (?, ?, 'approved', '{}', 1, 0)",
          [await id('demo'), await id('so1')],
        ),
      ).rejects.toThrow(/created an account/);
      await expect(
        db().run(
          "INSERT INTO proofing_records (subject_id, official_id, decision, documents, appeared_in_person, decided_at) VALUES (?, ?, 'approved', '{}', 1, 0)",
          [await id('so2'), await id('so2')],
        ),
      ).rejects.toThrow();
      await decide('so2');
    });

    it('no role is granted to a person whose identity is not proofed, by the service or the database', async () => {
      const { requestId } = await h.call('demo', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' });
      await db().run("UPDATE users SET proofing_state = 'referred_in_person' WHERE user_id = 'demo'");
      expect((await h.call('so1', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({
        outcome: 'refused',
        message: DECISION_MESSAGES.notProofed('First6 Last6'),
      });
      const so1 = await idOf('so1');
      await expect(
        db().transaction(async (tx) => {
          await tx.run("UPDATE role_requests SET status = 'approved', decided_by = ?, decided_at = 1 WHERE id = ?", [so1, requestId]);
          await tx.run(
            'INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, request_id) SELECT requester_id, program_id, organization_id, role_id, 1, id FROM role_requests WHERE id = ?',
            [requestId],
          );
        }),
      ).rejects.toThrow(/not proofed/);
      expect(await holds('demo')).toEqual([{ role: 'Provider Basic User', org: '123' }]);
      // A rejection needs no proofing.
      expect((await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'Not yet proofed' })).results[0]).toMatchObject({ outcome: 'rejected' });
    });

    it('a path that skipped the service rules is refused by the database, request by request, with nothing written', async () => {
      const { requestId } = await h.call('demo', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' });
      await db().run("UPDATE users SET proofing_state = 'not_started' WHERE user_id = 'demo'");
      const so1 = await idOf('so1');
      const [record] = await h.app.store.requests.byIds([requestId]);
      const audit = await rowCount('audit_events');
      // The store straight, with a decision the officials' rules would have refused.
      const result = await h.app.store.requests.decide(so1, [
        {
          requestId,
          action: 'approve',
          reason: null,
          approvalsNeeded: null,
          audit: { action: 'request.approved', actorId: so1, requestId },
          outbox: [{ to: record!.requesterEmail, subject: 's', body: 'b', kind: 'request.decided', organizationId: null, requestId }],
        },
      ]);
      expect(result).toEqual({
        conflicts: [],
        recorded: [],
        refused: [{ requestId, message: 'No role is granted to a person whose identity is not proofed.' }],
      });
      expect(await rowCount('audit_events')).toBe(audit);
      expect((await db().get<{ status: string }>('SELECT status FROM role_requests WHERE id = ?', [requestId]))?.status).toBe('pending');
    });
  });

  describe('power comes from live ties only', () => {
    it('a withdrawn request leaves no power: the profile is not found and no temporary password can be had', async () => {
      const { requestId } = await h.call('surveyor', 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' });
      // While pending, so1 sees the person but cannot take over an account that holds a Florida role.
      const profile = await h.call('so1', 'users.profile', { userId: 'surveyor' });
      expect(profile.actions).not.toContain('revokeCredentials');
      expect(profile.actions).not.toContain('resetPassword');
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'surveyor', action: 'revokeCredentials', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.otherOrganizationRole,
      });
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'surveyor', action: 'resetPassword', code: code('so1') })).toMatchObject({
        code: 'FORBIDDEN',
        message: USER_MESSAGES.otherOrganizationRole,
      });
      await h.call('surveyor', 'access.withdraw', { requestId });
      expect(await h.refusal('so1', 'users.profile', { userId: 'surveyor' })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.refusal('so1', 'users.accountAction', { userId: 'surveyor', action: 'revokeCredentials', code: code('so1') })).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await h.refusal('so1', 'proofing.lookup', { accountId: 'surveyor' })).toMatchObject({ code: 'NOT_FOUND' });
      expect((await h.call('so1', 'lookup.search', { program: PROD, query: 'surveyor' })).rows).toEqual([]);
      // Its own state's official and CMS still can.
      expect((await h.call('flso', 'users.profile', { userId: 'surveyor' })).actions).toContain('resetPassword');
      expect((await h.call('cms1', 'users.profile', { userId: 'surveyor' })).actions).toContain('revokeCredentials');
      const creds = await rowCount('mfa_credentials');
      expect(creds).toBeGreaterThan(0);
    });

    it('a rejected request ends the tie too; a reopened one brings it back', async () => {
      const { requestId } = await h.call('surveyor', 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' });
      await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'Not ours' });
      expect(await h.refusal('so2', 'users.profile', { userId: 'surveyor' })).toMatchObject({ code: 'NOT_FOUND' });
      await h.call('so1', 'queue.reopen', { requestId });
      expect((await h.call('so2', 'users.profile', { userId: 'surveyor' })).userId).toBe('surveyor');
    });

    /**
     * A call reads the official's roles when it starts; here the official loses them (their
     * Security Official role removed, or their account deactivated) after every check of the
     * service and just before the store writes. Every kind of official, every write on a person:
     * the write is refused and nothing of it is written. Then, as a control, the same writes pass.
     */
    it.each([
      { official: 'so1', person: 'demo', organization: '123', role: 'Provider Basic User' },
      { official: 'flso', person: 'surveyor', organization: 'FL', role: 'Surveyor' },
      { official: 'cms1', person: 'demo', organization: '123', role: 'Provider Basic User' },
    ])('$official: authority lost between the check and the write writes nothing', async ({ official, person, organization, role }) => {
      const officialId = await idOf(official);
      const personId = await idOf(person);
      // The services' store is swapped for one that lets the loss commit just before the write.
      const writes = [
        { service: h.app.services.users, part: 'userAdmin', method: 'changeAccount', channel: 'users.accountAction' },
        { service: h.app.services.users, part: 'userAdmin', method: 'removeAssignment', channel: 'users.removeRole' },
        { service: h.app.services.proofing, part: 'proofing', method: 'record', channel: 'proofing.decide' },
      ] as const;
      const input = (channel: (typeof writes)[number]['channel']) =>
        channel === 'users.accountAction'
          ? { userId: person, action: 'resetPassword', code: code(official) }
          : channel === 'users.removeRole'
            ? { userId: person, program: PROD, organization, role }
            : proofIn(person);
      const officialRoles = () =>
        db().all<{ user_id: number; program_id: number; organization_id: number; role_id: number; granted_at: number }>(
          'SELECT user_id, program_id, organization_id, role_id, granted_at FROM role_assignments WHERE user_id = ? AND role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)',
          [officialId],
        );
      const held = await officialRoles();
      expect(held.length).toBeGreaterThan(0);
      const losses = {
        'role removed': {
          lose: () =>
            db().run('DELETE FROM role_assignments WHERE user_id = ? AND role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)', [
              officialId,
            ]),
          restore: async () => {
            if ((await officialRoles()).length > 0) return;
            for (const r of held) {
              await db().run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)', [
                r.user_id,
                r.program_id,
                r.organization_id,
                r.role_id,
                r.granted_at,
              ]);
            }
          },
        },
        deactivated: {
          lose: () => db().run("UPDATE users SET status = 'deactivated' WHERE id = ?", [officialId]),
          restore: () => db().run("UPDATE users SET status = 'active' WHERE id = ?", [officialId]),
        },
      };
      const written = async () => ({
        audit: await rowCount('audit_events'),
        outbox: await rowCount('outbox'),
        records: await rowCount('proofing_records'),
        person: await db().get('SELECT status, password_hash, proofing_state FROM users WHERE id = ?', [personId]),
        roles: await holds(person),
      });
      const run = async (write: (typeof writes)[number], loss: keyof typeof losses | null) => {
        // The person holds the role to be removed (given while proofed), and waits to be proofed again.
        if (!(await holds(person)).some((r) => r.role === role)) {
          await db().run("UPDATE users SET proofing_state = 'proofed_remote' WHERE id = ?", [personId]);
          await db().run(
            'INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) SELECT ?, p.id, o.id, r.id, 0 FROM programs p, organizations o, roles r WHERE p.name = ? AND o.display_id = ? AND r.name = ?',
            [personId, PROD, organization, role],
          );
        }
        await db().run("UPDATE users SET proofing_state = 'referred_in_person' WHERE id = ?", [personId]);
        let before: Awaited<ReturnType<typeof written>> | null = null;
        const restore = beforeStoreCall(write.service, write.part, write.method, async () => {
          if (loss !== null) await losses[loss].lose();
          before = await written();
        });
        try {
          const result = await h.app.dispatch({ clientId: official }, write.channel, input(write.channel));
          expect(before, `${write.channel}: the store was reached`).not.toBeNull();
          return { result, unchanged: JSON.stringify(await written()) === JSON.stringify(before) };
        } finally {
          restore();
          if (loss !== null) await losses[loss].restore();
        }
      };
      for (const write of writes) {
        for (const loss of Object.keys(losses) as Array<keyof typeof losses>) {
          const { result, unchanged } = await run(write, loss);
          expect(result, `${write.channel}, ${loss}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: AUTHORITY_CHANGED } });
          expect(unchanged, `${write.channel}, ${loss}: nothing written`).toBe(true);
        }
        const control = await run(write, null);
        expect(control.result, `${write.channel}, control`).toMatchObject({ ok: true });
        expect(control.unchanged, `${write.channel}, control`).toBe(false);
      }
    });

    it('a bulk decision by an official deactivated (or stripped of the role) since it began decides nothing more', async () => {
      const ids: number[] = [];
      for (const [who, role] of [
        ['demo', 'Assessment Coordinator'],
        ['surveyor', 'Provider Basic User'],
        ['analyst', 'Provider Basic User'],
      ] as const) {
        ids.push((await h.call(who, 'access.request', { program: PROD, organization: '123', role })).requestId);
      }
      const so1 = await idOf('so1');
      for (const lose of [
        () => db().run("UPDATE users SET status = 'deactivated' WHERE id = ?", [so1]),
        () => db().run('DELETE FROM role_assignments WHERE user_id = ?', [so1]),
      ]) {
        // The loss commits just before the first chunk is written, after every check of the service.
        const restore = beforeStoreCall(h.app.services.requests, 'requests', 'decide', lose);
        try {
          const { results } = await h.call('so1', 'queue.approve', { requestIds: ids });
          expect(results).toEqual(ids.map((requestId) => ({ requestId, outcome: 'refused', message: AUTHORITY_CHANGED })));
        } finally {
          restore();
        }
        expect(await db().all("SELECT id FROM role_requests WHERE status <> 'pending' AND decided_by = ?", [so1])).toEqual([]);
        await db().run("UPDATE users SET status = 'active' WHERE id = ?", [so1]);
      }
    });

    it('an FSID write or an account creation by an official deactivated since the call began writes nothing', async () => {
      const calls = [
        {
          who: 'flso',
          part: 'fsid',
          method: 'save',
          service: h.app.services.fsid,
          channel: 'fsid.save',
          input: () => ({ userId: 'surveyor', fsid: 'FL0042' }),
        },
        {
          who: 'so1',
          part: 'userAdmin',
          method: 'createAccount',
          service: h.app.services.users,
          channel: 'users.create',
          input: () => ({
            userId: 'erin.new',
            firstName: 'Erin',
            lastName: 'Newhire',
            email: 'erin@sunrise.example',
            program: PROD,
            organization: '123',
            role: 'Assessment Coordinator',
            code: code('so1'),
          }),
        },
      ] as const;
      for (const c of calls) {
        const officialId = await idOf(c.who);
        const counts = async () => ({ audit: await rowCount('audit_events'), users: await rowCount('users'), requests: await rowCount('role_requests') });
        let before: Awaited<ReturnType<typeof counts>> | null = null;
        const restore = beforeStoreCall(c.service, c.part, c.method, async () => {
          await db().run("UPDATE users SET status = 'deactivated' WHERE id = ?", [officialId]);
          before = await counts();
        });
        try {
          expect(await h.app.dispatch({ clientId: c.who }, c.channel, c.input()), c.channel).toMatchObject({
            ok: false,
            error: { code: 'FORBIDDEN', message: AUTHORITY_CHANGED },
          });
        } finally {
          restore();
        }
        expect(before, c.channel).not.toBeNull();
        expect(await counts(), c.channel).toEqual(before);
        expect(await db().get('SELECT fsid FROM users WHERE user_id = ?', ['surveyor'])).toEqual({ fsid: null });
        // Control: active again, the same call is taken.
        await db().run("UPDATE users SET status = 'active' WHERE id = ?", [officialId]);
        expect(await h.app.dispatch({ clientId: c.who }, c.channel, c.input()), c.channel).toMatchObject({ ok: true });
        await db().run("UPDATE users SET fsid = NULL, fsid_state = NULL WHERE user_id = 'surveyor'");
      }
    });

    it('a sign-in with the old password while an official resets it opens no session', async () => {
      // The reset commits after the attempt checked the old password, just before it is recorded.
      let reset: unknown = null;
      const restore = beforeStoreCall(h.app.services.auth, 'users', 'recordSignIn', async () => {
        reset ??= await h.app.dispatch({ clientId: 'so1' }, 'users.accountAction', { userId: 'demo', action: 'resetPassword', code: code('so1') });
      });
      try {
        const attempt = await h.app.dispatch({ clientId: 'intruder' }, 'auth.signIn', {
          userId: 'demo',
          password: PASSWORD,
          code: h.code(t.users['demo']!.secret),
          agreeToTerms: true,
        });
        expect(reset).toMatchObject({ ok: true });
        expect(attempt).toMatchObject({ ok: false, error: { code: 'SIGN_IN_FAILED' } });
      } finally {
        restore();
      }
      expect(await h.refusal('intruder', 'auth.acceptWarning', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(await h.refusal('intruder', 'access.mine', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it("an account holding only the official's roles can be handed a temporary password", async () => {
      const result = await h.call('so1', 'users.accountAction', { userId: 'demo', action: 'resetPassword', code: code('so1') });
      expect(result.temporaryPassword).toEqual(expect.any(String));
    });
  });
});

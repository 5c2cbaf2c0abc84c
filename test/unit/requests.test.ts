import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_MESSAGES } from '../../main/services/requests.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const DAY = 86_400_000;
const PROD = 'iQIES Prod';

describe('role requests (HARP and iQIES job aids)', () => {
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
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'fl', organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'alice', organization: '123' },
        { userId: 'bob', organization: '123' },
        { userId: 'carol', organization: '456' },
      ],
    });
    for (const id of Object.keys(u)) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(() => h.dispose());

  const file = (who: string, role = 'Assessment Coordinator', organization = '123') =>
    h.call(who, 'access.request', { program: PROD, organization, role, justification: 'Submits assessments' });
  const outbox = async () =>
    (await sideSql(h.app).all('SELECT to_address AS "to", subject, kind FROM outbox ORDER BY id')) as Array<{ to: string; subject: string; kind: string }>;

  it("a user files a request, gets a Request ID, and the organization's officials are emailed", async () => {
    const request = await file('alice');
    expect(request).toMatchObject({ status: 'pending', role: 'Assessment Coordinator', organization: { displayId: '123' } });
    expect(request.requestId).toBeGreaterThan(0);
    expect(await outbox()).toEqual([
      { to: 'so1@example.org', subject: 'Role Request from First4 Last4', kind: 'request.filed' },
      { to: 'so2@example.org', subject: 'Role Request from First4 Last4', kind: 'request.filed' },
    ]);
    expect(await h.auditActions()).toContain('request.filed');
    expect((await h.call('alice', 'access.mine', {})).requests.map((r) => r.requestId)).toEqual([request.requestId]);
  });

  it('refuses a duplicate pending request, a held role, and unknown program, organization or role by name', async () => {
    await file('alice');
    expect(await h.refusal('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' })).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await h.refusal('so1', 'access.request', { program: PROD, organization: '123', role: 'Provider Security Official' })).toMatchObject({
      code: 'CONFLICT',
      message: 'You already hold this role.',
    });
    expect(await h.refusal('alice', 'access.request', { program: 'Nope', organization: '123', role: 'Assessment Coordinator' })).toMatchObject({
      code: 'VALIDATION',
      field: 'program',
    });
    expect(await h.refusal('alice', 'access.request', { program: PROD, organization: '999', role: 'Assessment Coordinator' })).toMatchObject({
      code: 'VALIDATION',
      field: 'organization',
    });
    expect(await h.refusal('alice', 'access.request', { program: PROD, organization: '123', role: 'Emperor' })).toMatchObject({
      code: 'VALIDATION',
      field: 'role',
    });
  });

  it('the requester withdraws their own pending request; nobody else can', async () => {
    const { requestId } = await file('alice');
    expect(await h.refusal('bob', 'access.withdraw', { requestId })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.call('alice', 'access.withdraw', { requestId })).status).toBe('cancelled');
    expect(await h.refusal('alice', 'access.withdraw', { requestId })).toMatchObject({ code: 'CONFLICT' });
    expect(await h.auditActions()).toContain('request.withdrawn');
  });

  it('an official sees pending requests of their organizations; an official of another organization does not', async () => {
    const { requestId } = await file('alice');
    const page = await h.call('so1', 'queue.page', {});
    expect(page.rows.map((r) => r.requestId)).toEqual([requestId]);
    expect(page.total).toBe(1);
    expect((await h.call('fl', 'queue.page', {})).rows).toEqual([]);
    expect(await h.refusal('fl', 'queue.page', { organization: '123' })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('alice', 'queue.page', {})).toMatchObject({ code: 'FORBIDDEN', message: REQUEST_MESSAGES.notOfficial });
    expect((await h.call('so1', 'home.summary', {})).nav.find((n) => n.page === 'role-requests')?.badge).toBe(1);
  });

  it('approval creates the role, is audited, and emails the requester', async () => {
    const { requestId } = await file('alice');
    const { results } = await h.call('so1', 'queue.approve', { requestIds: [requestId] });
    expect(results).toEqual([{ requestId, outcome: 'approved', message: 'Approved' }]);
    const mine = await h.call('alice', 'access.mine', {});
    expect(mine.roles).toContainEqual({ program: PROD, organization: expect.objectContaining({ displayId: '123' }), role: 'Assessment Coordinator' });
    expect((await outbox()).at(-1)).toEqual({ to: 'alice@example.org', subject: `Your role request ${requestId} was approved`, kind: 'request.decided' });
    expect(await h.auditActions()).toContain('request.approved');
    expect((await h.call('so1', 'queue.page', {})).total).toBe(0);
  });

  it('a provider official of another organization cannot decide it', async () => {
    const { requestId } = await file('alice');
    expect(await h.call('fl', 'queue.approve', { requestIds: [requestId] })).toEqual({
      results: [{ requestId, outcome: 'not_found', message: REQUEST_MESSAGES.notFound }],
    });
    expect((await h.call('alice', 'access.mine', {})).requests[0]?.status).toBe('pending');
  });

  it('an ordinary user cannot use the queue at all', async () => {
    const { requestId } = await file('alice');
    for (const channel of ['queue.approve', 'queue.preview'] as const) {
      const input = channel === 'queue.preview' ? { requestIds: [requestId], action: 'approve' as const } : { requestIds: [requestId] };
      expect(await h.refusal('bob', channel, input)).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await h.refusal('bob', 'queue.reject', { requestIds: [requestId], reason: 'no' })).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('nobody decides their own request', async () => {
    const { requestId } = await file('so1', 'Assessment Coordinator');
    // The queue marks it as theirs (the grid does not let them select it), and only for them.
    expect((await h.call('so1', 'queue.page', {})).rows.find((r) => r.requestId === requestId)).toMatchObject({
      mine: true,
      blockedReason: REQUEST_MESSAGES.ownRequest,
    });
    expect((await h.call('so2', 'queue.page', {})).rows.find((r) => r.requestId === requestId)).toMatchObject({ mine: false, blockedReason: null });
    expect((await h.call('so1', 'queue.approve', { requestIds: [requestId] })).results[0]).toMatchObject({
      outcome: 'refused',
      message: REQUEST_MESSAGES.ownRequest,
    });
    expect((await h.call('so2', 'queue.approve', { requestIds: [requestId] })).results[0]?.outcome).toBe('approved');
  });

  it('a rejection needs a non-blank reason of at most 500 characters, which reaches the requester', async () => {
    const { requestId } = await file('alice');
    expect(await h.refusal('so1', 'queue.reject', { requestIds: [requestId], reason: '   ' })).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
      message: 'A Rejection Reason is required to Reject a request',
    });
    expect(await h.refusal('so1', 'queue.reject', { requestIds: [requestId], reason: 'x'.repeat(501) })).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    expect((await h.call('alice', 'access.mine', {})).requests[0]?.status).toBe('pending');
    await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'Not on our staff' });
    expect((await h.call('alice', 'access.mine', {})).requests[0]).toMatchObject({ status: 'rejected', reason: 'Not on our staff' });
    const mail = (await sideSql(h.app).get("SELECT body FROM outbox WHERE kind = 'request.decided'")) as { body: string };
    expect(mail.body).toContain('Reason: Not on our staff');
  });

  it('a request decided meanwhile is not decided twice; in a bulk the rest go through', async () => {
    const a = await file('alice');
    const b = await file('bob');
    await h.call('so2', 'queue.reject', { requestIds: [a.requestId], reason: 'Duplicate' });
    const { results } = await h.call('so1', 'queue.approve', { requestIds: [a.requestId, b.requestId] });
    expect(results).toContainEqual({
      requestId: a.requestId,
      outcome: 'conflict',
      message: expect.stringMatching(/^Already rejected by so2@example\.org on [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M$/),
    });
    expect(results).toContainEqual({ requestId: b.requestId, outcome: 'approved', message: 'Approved' });
  });

  it('a decision is all or nothing: a failure inside the transaction leaves no trace', async () => {
    const a = await file('alice');
    const b = await file('bob');
    const auditBefore = (await h.auditActions()).length;
    // A fault injected the way each engine writes a trigger: the decision's email cannot be queued.
    const db = sideSql(h.app);
    if (db.dialect === 'sqlite') {
      await db.run("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox WHEN NEW.kind = 'request.decided' BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    } else {
      await db.run(
        "CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.kind = 'request.decided' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$",
      );
      await db.run('CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox()');
    }
    expect(await h.refusal('so1', 'queue.approve', { requestIds: [a.requestId, b.requestId] })).toMatchObject({ code: 'INTERNAL' });
    if (db.dialect === 'sqlite') await db.run('DROP TRIGGER fail_outbox');
    else {
      await db.run('DROP TRIGGER fail_outbox ON outbox');
      await db.run('DROP FUNCTION fail_outbox()');
    }
    expect((await h.call('so1', 'queue.page', {})).total).toBe(2);
    expect((await h.call('alice', 'access.mine', {})).roles).toEqual([]);
    expect((await h.auditActions()).length).toBe(auditBefore);
  });

  it('the first Security Official of an organization can only be approved by CMS; later ones by an existing official', async () => {
    const first = await file('carol', 'Provider Security Official', '456');
    // Nobody administers 456 yet, so the email goes to CMS.
    expect((await outbox()).at(-1)).toMatchObject({ to: 'cms@example.org', subject: 'Role Request from First6 Last6' });
    const cmsQueue = await h.call('cms', 'queue.page', {});
    expect(cmsQueue.rows.map((r) => r.requestId)).toContain(first.requestId);
    expect(cmsQueue.blockedOrganizations.map((b) => b.organization.displayId)).toEqual(['456']);
    expect((await h.call('so1', 'queue.approve', { requestIds: [first.requestId] })).results[0]?.outcome).toBe('not_found');
    expect((await h.call('cms', 'queue.approve', { requestIds: [first.requestId] })).results[0]?.outcome).toBe('approved');
    // A second SO of 123 is approved by an existing SO of 123.
    const second = await file('alice', 'Provider Security Official', '123');
    expect((await h.call('so1', 'queue.approve', { requestIds: [second.requestId] })).results[0]?.outcome).toBe('approved');
  });

  it('while an organization has no Security Official nothing else there can be approved; the queue shows why', async () => {
    const coordinator = await file('carol', 'Assessment Coordinator', '456');
    const official = await file('carol', 'Provider Security Official', '456');
    // Nobody can approve the coordinator request: no official of 456 exists, and CMS decides only SO requests there.
    for (const who of ['so1', 'cms']) {
      expect((await h.call(who, 'queue.approve', { requestIds: [coordinator.requestId] })).results[0]?.outcome).toBe('not_found');
    }
    const cmsQueue = await h.call('cms', 'queue.page', {});
    expect(cmsQueue.blockedOrganizations).toEqual([
      { organization: expect.objectContaining({ displayId: '456' }), reason: REQUEST_MESSAGES.noOfficialYet('Bayview Home Health') },
    ]);
    // Once CMS approves the first official, that official decides the rest.
    expect((await h.call('cms', 'queue.approve', { requestIds: [official.requestId] })).results[0]?.outcome).toBe('approved');
    h.nextStep();
    await h.signIn('carol-as-so', u['carol']!);
    expect((await h.call('carol-as-so', 'queue.page', {})).rows.map((r) => r.requestId)).toEqual([coordinator.requestId]);
  });

  it('the preview lists what the official may not decide, and why', async () => {
    const own = await file('so1', 'Assessment Coordinator');
    const ok = await file('alice');
    const decided = await file('bob');
    await h.call('so2', 'queue.reject', { requestIds: [decided.requestId], reason: 'No' });
    const preview = await h.call('so1', 'queue.preview', { requestIds: [own.requestId, ok.requestId, decided.requestId, 999999], action: 'approve' });
    expect(preview.decidable).toEqual([ok.requestId]);
    expect(preview.refused.map((r) => [r.requestId, r.outcome])).toEqual([
      [own.requestId, 'refused'],
      [decided.requestId, 'conflict'],
      [999999, 'not_found'],
    ]);
  });

  it('marks requests pending for more than 30 days as stale and shows them first', async () => {
    const old = await file('alice');
    h.clock.advance(31 * DAY);
    await h.call('so1', 'session.activity', {}).catch(() => undefined);
    h.nextStep();
    await h.signIn('so1', u['so1']!);
    h.nextStep();
    await h.signIn('bob', u['bob']!);
    const fresh = await file('bob');
    const page = await h.call('so1', 'queue.page', {});
    expect(page.rows.map((r) => [r.requestId, r.stale])).toEqual([
      [old.requestId, true],
      [fresh.requestId, false],
    ]);
  });

  it('pages with a keyset cursor: every request exactly once, in order; a forged cursor is refused', async () => {
    const ids: number[] = [];
    for (const program of [PROD, 'iQIES Prod Test']) {
      for (const role of ['Assessment Coordinator', 'Provider Basic User']) {
        for (const who of ['alice', 'bob']) {
          ids.push((await h.call(who, 'access.request', { program, organization: '123', role })).requestId);
          h.clock.advance(1000);
        }
      }
    }
    for (const sort of ['requested', 'lastName'] as const) {
      const seen: number[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await h.call('so1', 'queue.page', { sort, limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.rows.map((r) => r.requestId));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      expect([...seen].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(seen).size).toBe(ids.length);
    }
    expect(await h.refusal('so1', 'queue.page', { after: 'not-a-cursor' })).toMatchObject({ code: 'VALIDATION', field: 'after' });
    const wrongSort = Buffer.from(JSON.stringify({ sort: 'lastName', lastName: 'x', firstName: 'y', id: 1 })).toString('base64url');
    expect(await h.refusal('so1', 'queue.page', { sort: 'requested', after: wrongSort })).toMatchObject({ code: 'VALIDATION', field: 'after' });
  });

  it("View shows the requester's profile and roles; out of scope reads as not found", async () => {
    const { requestId } = await file('alice');
    const view = await h.call('so1', 'queue.view', { requestId });
    expect(view.requester).toMatchObject({ userId: 'alice', status: 'active', proofingState: 'proofed_remote' });
    expect(view.canReopen).toBe(false);
    expect(await h.refusal('fl', 'queue.view', { requestId })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the official who rejected by mistake can reopen it within 24 hours; nobody else, and not later', async () => {
    const { requestId } = await file('alice');
    await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'Oops' });
    expect(await h.refusal('so2', 'queue.reopen', { requestId })).toMatchObject({ code: 'FORBIDDEN' });
    expect((await h.call('so1', 'queue.view', { requestId })).canReopen).toBe(true);
    expect((await h.call('so1', 'queue.reopen', { requestId })).status).toBe('pending');
    expect(await h.auditActions()).toContain('request.reopened');
    await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'Really no' });
    h.clock.advance(25 * 3_600_000);
    await h.signIn('so1-late', u['so1']!).catch(() => undefined);
    h.nextStep();
    await h.signIn('so1-late', u['so1']!);
    expect(await h.refusal('so1-late', 'queue.reopen', { requestId })).toMatchObject({ code: 'CONFLICT' });
  });

  it('warns an organization with a single Security Official', async () => {
    await sideSql(h.app).run("DELETE FROM role_assignments WHERE user_id = (SELECT id FROM users WHERE user_id = 'so2')");
    expect((await h.call('so1', 'queue.page', {})).singleOfficialOrganizations.map((o) => o.displayId)).toEqual(['123']);
  });

  it('the queue total and the badge come from counters that always equal the pending rows', async () => {
    const pendingRows = async () => ((await sideSql(h.app).get("SELECT count(*) AS n FROM role_requests WHERE status = 'pending'")) as { n: number }).n;
    const counted = async () => ((await sideSql(h.app).get('SELECT coalesce(sum(n), 0) AS n FROM pending_request_counts')) as { n: number }).n;
    const a = await file('alice');
    const b = await file('bob');
    const c = await file('alice', 'Provider Basic User');
    const so = await file('carol', 'Provider Security Official', '456');
    expect([await pendingRows(), await counted()]).toEqual([4, 4]);
    await h.call('so1', 'queue.approve', { requestIds: [a.requestId] });
    await h.call('so1', 'queue.reject', { requestIds: [b.requestId], reason: 'No' });
    await h.call('alice', 'access.withdraw', { requestId: c.requestId });
    expect([await pendingRows(), await counted()]).toEqual([1, 1]);
    await h.call('so1', 'queue.reopen', { requestId: b.requestId });
    expect([await pendingRows(), await counted()]).toEqual([2, 2]);
    expect((await h.call('so1', 'queue.page', {})).total).toBe(1);
    // CMS: its own organization's requests and Security Official requests anywhere.
    expect((await h.call('cms', 'queue.page', {})).total).toBe(1);
    expect((await h.call('cms', 'queue.page', { organization: '456' })).total).toBe(1);
    expect((await h.call('so1', 'queue.page', { program: 'iQIES Preview' })).total).toBe(0);
    expect((await h.call('so1', 'home.summary', {})).nav.find((n) => n.page === 'role-requests')?.badge).toBe(1);
    await h.call('cms', 'queue.approve', { requestIds: [so.requestId] });
    // Counters at zero are dropped, so a sum never reads more rows than there are pending kinds.
    expect(await sideSql(h.app).get('SELECT count(*) AS n FROM pending_request_counts WHERE n <= 0')).toEqual({ n: 0 });
    await expect(sideSql(h.app).run('UPDATE role_requests SET organization_id = 1 WHERE id = ?', [b.requestId])).rejects.toThrow(/keeps its organization/);
  });

  it("sorts by Last Name with the requester's current names, also after a rename", async () => {
    const a = await file('alice');
    const b = await file('bob');
    const byName = async () => (await h.call('so1', 'queue.page', { sort: 'lastName' })).rows.map((r) => [r.requestId, r.lastName]);
    expect(await byName()).toEqual([
      [a.requestId, 'Last4'],
      [b.requestId, 'Last5'],
    ]);
    await sideSql(h.app).run("UPDATE users SET last_name = 'Abbott' WHERE user_id = 'bob'");
    expect(await byName()).toEqual([
      [b.requestId, 'Abbott'],
      [a.requestId, 'Last4'],
    ]);
  });

  it('decides a bulk of 600 in chunks, all at once for the caller', async () => {
    const alice = (await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'alice'")) as { id: number };
    await sideSql(h.app).transaction(async (tx) => {
      for (let i = 0; i < 600; i += 1) {
        await tx.run(
          "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT CAST(? AS BIGINT), 1, o.id, r.id, 'pending', CAST(? AS BIGINT) FROM organizations o, roles r WHERE o.display_id = '123' AND r.name = 'Provider Basic User'",
          [alice.id, h.clock.now() - i],
        );
      }
    });
    const ids = ((await sideSql(h.app).all("SELECT id FROM role_requests WHERE status = 'pending'")) as Array<{ id: number }>).map((r) => r.id);
    const { results } = await h.call('so1', 'queue.reject', { requestIds: ids, reason: 'Bulk clean-up' });
    expect(results.filter((r) => r.outcome === 'rejected')).toHaveLength(600);
    expect((await h.auditActions()).filter((a) => a === 'request.rejected')).toHaveLength(600);
  });

  it('answers each request of a bulk once, read and judged a chunk at a time: refusals first, then the decisions in order', async () => {
    const alice = (await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'alice'")) as { id: number };
    await sideSql(h.app).transaction(async (tx) => {
      for (let i = 0; i < 300; i += 1) {
        await tx.run(
          "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT CAST(? AS BIGINT), 1, o.id, r.id, 'pending', CAST(? AS BIGINT) FROM organizations o, roles r WHERE o.display_id = '123' AND r.name = 'Provider Basic User'",
          [alice.id, h.clock.now() - i],
        );
      }
    });
    const ids = ((await sideSql(h.app).all("SELECT id FROM role_requests WHERE status = 'pending' ORDER BY id")) as Array<{ id: number }>).map((r) => r.id);
    const decidedBefore = ids[150]!;
    await h.call('so2', 'queue.reject', { requestIds: [decidedBefore], reason: 'Duplicate' });
    // Each named twice, the one decided before among them, and two IDs no request has: across many chunks.
    const named = [...ids, ...ids.slice(0, 40), 999_998, 999_999];
    const { results } = await h.call('so1', 'queue.reject', { requestIds: named, reason: 'Bulk clean-up' });
    expect(results.map((r) => r.requestId).sort((a, b) => a - b)).toEqual([...new Set(named)].sort((a, b) => a - b));
    expect(results.slice(0, 3).map((r) => [r.requestId, r.outcome])).toEqual([
      [decidedBefore, 'conflict'],
      [999_998, 'not_found'],
      [999_999, 'not_found'],
    ]);
    expect(results.slice(3).map((r) => r.requestId)).toEqual(ids.filter((id) => id !== decidedBefore));
    expect(new Set(results.slice(3).map((r) => r.outcome))).toEqual(new Set(['rejected']));
    expect((await h.auditActions()).filter((a) => a === 'request.rejected')).toHaveLength(300);
    expect((await h.call('so1', 'queue.page', {})).total).toBe(0);
  });
});

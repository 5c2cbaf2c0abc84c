import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const PROGRAMS = ['iQIES Prod', 'iQIES Prod Test', 'iQIES Preview', 'Hospital Quality Reporting'];
const PROVIDER_USERS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

/**
 * A bulk decision is judged a chunk at a time, with what earlier chunks changed: a Security
 * Official granted in one chunk counts for the requests of the next.
 */
describe('a bulk approval judges each chunk with what earlier chunks granted', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  it('a second CMS Security Official granted in the first chunk puts a later CMS request under dual control', async () => {
    const users = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG],
      users: [
        // The only CMS Security Official: a CMS role request needs one approval, until a second one is granted.
        { userId: 'cms1', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'analyst', organization: 'CMS' },
        { userId: 'analyst2', organization: 'CMS' },
        ...PROVIDER_USERS.map((userId) => ({ userId, organization: '123' })),
      ],
    });
    for (const id of ['cms1', 'analyst', 'analyst2']) {
      await h.signIn(id, users[id]!);
      h.nextStep();
    }
    const first = await h.call('analyst', 'access.request', { program: PROD, organization: 'CMS', role: 'CMS Security Official' });
    const db = sideSql(h.app);
    // 24 requests a CMS official decides (a provider's first Security Officials) between the two,
    // so that the second CMS request falls in a later chunk.
    await db.transaction(async (tx) => {
      for (const userId of PROVIDER_USERS) {
        for (const program of PROGRAMS) {
          await tx.run(
            "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT u.id, p.id, o.id, r.id, 'pending', ? FROM users u, programs p, organizations o, roles r WHERE u.user_id = ? AND p.name = ? AND o.display_id = '123' AND r.name = 'Provider Security Official'",
            [h.clock.now(), userId, program],
          );
        }
      }
    });
    const ordinary = (await db.all<{ id: number }>("SELECT id FROM role_requests WHERE status = 'pending' AND id <> ? ORDER BY id", [first.requestId])).map(
      (r) => r.id,
    );
    expect(ordinary).toHaveLength(24);
    const second = await h.call('analyst2', 'access.request', { program: PROD, organization: 'CMS', role: 'CMS Security Official' });

    const { results } = await h.call('cms1', 'queue.approve', { requestIds: [first.requestId, ...ordinary, second.requestId] });
    const outcome = (requestId: number) => results.find((r) => r.requestId === requestId)?.outcome;
    expect(outcome(first.requestId)).toBe('approved');
    expect(ordinary.map(outcome)).toEqual(ordinary.map(() => 'approved'));
    // Two CMS Security Officials now count: the second request waits for another official's approval.
    expect(outcome(second.requestId)).toBe('awaiting_second_approval');
  });
});

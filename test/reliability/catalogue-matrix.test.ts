import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_NAMES } from '../../shared/domain.js';
import type { RoleName } from '../../shared/domain.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';

/**
 * The authorization matrix's data dimension: every role requested in every kind of organization
 * (a provider with officials, a provider without any, a state agency, CMS), and each request that
 * may exist approved by every kind of official, through dispatch as the renderer calls it. Each
 * cell is written out by hand, so the table is a statement of the rules, not a copy of the code.
 *
 * Approvers, in column order: the Provider Security Official of 123, the one of another provider
 * (456), the State Security Official of Florida, and a CMS Security Official (the console has two,
 * so the CMS Security Official role needs both).
 */

const PROD = 'iQIES Prod';
const OFFICIALS = ['so123', 'so456', 'stateFL', 'cms'] as const;
type Approval = 'approved' | 'awaiting_second_approval' | 'refused' | 'not_found';
type Cells = Record<(typeof OFFICIALS)[number], Approval>;
const nf: Approval = 'not_found';
const cells = (so123: Approval, so456: Approval, stateFL: Approval, cms: Approval): Cells => ({ so123, so456, stateFL, cms });

/** Organizations by kind: 123 has a Security Official, 789 has none yet. */
const ORGS = ['123', '789', 'FL', 'CMS'] as const;
type Org = (typeof ORGS)[number];

/** null: the catalogue does not allow the pair, so the request itself is refused (VALIDATION). */
const MATRIX: Record<RoleName, Record<Org, Cells | null>> = {
  'Provider Security Official': {
    '123': cells('approved', nf, nf, 'approved'),
    // The first official of an organization: CMS only (iQIES job aid FAQ).
    '789': cells(nf, nf, nf, 'approved'),
    FL: null,
    CMS: null,
  },
  'State Security Official': { '123': null, '789': null, FL: cells(nf, nf, 'approved', 'approved'), CMS: null },
  'CMS Security Official': { '123': null, '789': null, FL: null, CMS: cells(nf, nf, nf, 'awaiting_second_approval') },
  'Assessment Coordinator': {
    '123': cells('approved', nf, nf, nf),
    // No official yet: nobody can approve an ordinary role there, and CMS's queue holds only official roles.
    '789': cells(nf, nf, nf, nf),
    FL: null,
    CMS: null,
  },
  'Provider Basic User': { '123': cells('approved', nf, nf, nf), '789': cells(nf, nf, nf, nf), FL: null, CMS: null },
  'State Agency General User': { '123': null, '789': null, FL: cells(nf, nf, 'approved', nf), CMS: null },
  Surveyor: { '123': null, '789': null, FL: cells(nf, nf, 'approved', nf), CMS: null },
};

const HOME: Record<Org, string> = { '123': '123', '789': '789', FL: 'FL', CMS: 'CMS' };

describe('role catalogue matrix: every role x every kind of organization x every kind of official', () => {
  let h: Harness;
  let u: Record<string, TestUser>;
  const requester = (role: RoleName, org: Org, official: string) => `r${ROLE_NAMES.indexOf(role)}_${org}_${official}`.toLowerCase();

  beforeAll(async () => {
    h = await Harness.create();
    const requesters = ROLE_NAMES.flatMap((role) =>
      ORGS.flatMap((org) => OFFICIALS.map((o) => ({ userId: requester(role, org, o), organization: HOME[org] }))),
    );
    u = await h.seed({
      organizations: [
        CMS_ORG,
        PROVIDER_ORG,
        { displayId: '456', name: 'Bayview Home Health', kind: 'provider' },
        { displayId: '789', name: 'Harbor Hospice', kind: 'provider' },
        { displayId: 'FL', name: 'Florida', kind: 'state' },
      ],
      users: [
        { userId: 'so123', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'stateFL', organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'cms2', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        ...requesters,
      ],
    });
    for (const id of ['so123', 'so456', 'stateFL', 'cms']) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  }, 120_000);
  afterAll(() => h.dispose());

  for (const role of ROLE_NAMES) {
    for (const org of ORGS) {
      const expected = MATRIX[role][org];
      it(`${role} at ${org}: ${expected === null ? 'refused by the catalogue' : OFFICIALS.map((o) => `${o} ${expected[o]}`).join(', ')}`, async () => {
        for (const official of OFFICIALS) {
          const who = requester(role, org, official);
          await h.signIn(who, u[who]!);
          h.nextStep();
          const filed = await h.app.dispatch({ clientId: who }, 'access.request', { program: PROD, organization: org, role });
          if (expected === null) {
            expect(filed).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'role' } });
            continue;
          }
          if (!filed.ok) throw new Error(`${who} could not file ${role} at ${org}: ${filed.error.message}`);
          const { requestId } = filed.value as { requestId: number };
          const decided = await h.call(official, 'queue.approve', { requestIds: [requestId] });
          expect(decided.results[0]?.outcome, `${official} approving ${role} at ${org}`).toBe(expected[official]);
          const granted = (await h.call(who, 'access.mine', {})).roles.some((r) => r.role === role && r.organization.displayId === org);
          expect(granted, `${role} at ${org} granted after ${official}`).toBe(expected[official] === 'approved');
        }
      });
    }
  }

  it('Create user offers only catalogue roles: each official may create each allowed role in their organization, no other', async () => {
    let n = 0;
    for (const [official, org] of [
      ['so123', '123'],
      ['stateFL', 'FL'],
      ['cms', 'CMS'],
    ] as const) {
      for (const role of ROLE_NAMES) {
        n += 1;
        h.nextStep();
        const result = await h.app.dispatch({ clientId: official }, 'users.create', {
          userId: `created${n}`,
          firstName: 'New',
          lastName: `Person${n}`,
          email: `created${n}@example.org`,
          program: PROD,
          organization: org,
          role,
          code: h.code(u[official]!.secret),
        });
        const allowed = MATRIX[role][org as Org] !== null;
        expect(result.ok, `${official} creating ${role} at ${org}`).toBe(allowed);
        if (!result.ok) expect(result.error).toMatchObject({ code: 'VALIDATION', field: 'role' });
      }
    }
  });
});

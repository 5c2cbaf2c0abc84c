import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../main/store/seed.js';
import { insertScenario } from '../../main/store/seed.js';
import { SqlRequestStore, type Decision, type QueueScope } from '../../main/store/requests-store.js';
import { slot, slotText } from '../../main/store/slots.js';
import type { SqlDatabase, SqlExecutor } from '../../main/store/sql.js';
import { StoreContext } from '../../main/store/store-context.js';
import { ENGINES, useStoreEngines, type StoreUnderTest } from '../support/store-engines.js';

const NOW = Date.UTC(2026, 10, 30, 15);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PROD = 'iQIES Prod';
const TEST = 'iQIES Test';
const BASIC = 'Provider Basic User';
const COORDINATOR = 'Assessment Coordinator';
const CMS_SO = 'CMS Security Official';

type Proofing = Scenario['users'][number]['proofingState'];
const person = (userId: string, firstName: string, lastName: string, homeOrganization: string, proofingState: Proofing = 'proofed_remote') => ({
  userId,
  firstName,
  lastName,
  email: `${userId}@example.org`,
  phone: '555-0100',
  dateOfBirth: '1980-01-01',
  addressLine1: '1 Main St',
  city: 'Baltimore',
  state: 'MD',
  zip: '21244',
  status: 'active' as const,
  passwordHash: 'x',
  createdAt: NOW - 400 * DAY,
  lastSignInAt: null,
  proofingState,
  homeOrganization,
});

const pending = (requester: string, organization: string, role: string, hoursAgo: number) => ({
  requester,
  program: PROD,
  organization,
  role,
  justification: `${requester} needs it`,
  status: 'pending' as const,
  requestedAt: NOW - hoursAgo * HOUR,
  decidedAt: null,
  decidedBy: null,
  reason: null,
});

/**
 * Officials of CMS, provider 123 (two), provider 456 and Florida; requesters at 123 whose last
 * names differ in case (adams, Baker, ...), one not proofed, one whose account so1 created
 * (set by each test that needs it), one request of so1's own, and a CMS staff member asking for
 * the CMS Security Official role.
 */
const scenario: Scenario = {
  programs: [PROD, TEST],
  roles: [
    { name: CMS_SO, securityOfficialKind: 'cms' },
    { name: 'Provider Security Official', securityOfficialKind: 'provider' },
    { name: 'State Security Official', securityOfficialKind: 'state' },
    { name: BASIC, securityOfficialKind: null },
    { name: COORDINATOR, securityOfficialKind: null },
    { name: 'Surveyor', securityOfficialKind: null },
  ],
  organizations: [
    { displayId: 'CMS', name: 'Centers for Medicare & Medicaid Services', kind: 'cms', stateCode: null },
    { displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider', stateCode: 'MD' },
    { displayId: '456', name: 'Bayview Home Health', kind: 'provider', stateCode: 'MD' },
    { displayId: 'FL', name: 'Florida', kind: 'state', stateCode: 'FL' },
  ],
  users: [
    person('cms1', 'Carla', 'Mendes', 'CMS'),
    person('cms2', 'Chris', 'Moss', 'CMS'),
    person('so1', 'Sam', 'Ortiz', '123'),
    person('so2', 'Sue', 'Olsen', '123'),
    person('so456', 'Sid', 'Park', '456'),
    person('flso', 'Flo', 'Reyes', 'FL'),
    person('ann', 'Ann', 'adams', '123'),
    person('bob', 'Bob', 'Baker', '123'),
    person('cal', 'Cal', 'Cole', '123'),
    person('dee', 'Dee', 'Diaz', '123'),
    person('zed', 'Zed', 'Young', '123', 'not_started'),
    person('pat', 'Pat', 'Quinn', '456'),
    person('analyst', 'Ana', 'Lyst', 'CMS'),
  ],
  credentials: [],
  assignments: [
    { userId: 'cms1', program: PROD, organization: 'CMS', role: CMS_SO, grantedAt: NOW - 300 * DAY },
    { userId: 'cms2', program: PROD, organization: 'CMS', role: CMS_SO, grantedAt: NOW - 300 * DAY },
    { userId: 'so1', program: PROD, organization: '123', role: 'Provider Security Official', grantedAt: NOW - 200 * DAY },
    { userId: 'so2', program: PROD, organization: '123', role: 'Provider Security Official', grantedAt: NOW - 200 * DAY },
    { userId: 'so456', program: PROD, organization: '456', role: 'Provider Security Official', grantedAt: NOW - 200 * DAY },
    { userId: 'flso', program: PROD, organization: 'FL', role: 'State Security Official', grantedAt: NOW - 200 * DAY },
    { userId: 'so1', program: TEST, organization: '456', role: BASIC, grantedAt: NOW - 100 * DAY },
  ],
  requests: [
    pending('ann', '123', BASIC, 9),
    pending('bob', '123', BASIC, 8),
    pending('cal', '123', COORDINATOR, 7),
    pending('dee', '123', BASIC, 6),
    pending('zed', '123', BASIC, 5),
    pending('so1', '123', COORDINATOR, 4),
    pending('pat', '456', BASIC, 3),
    pending('analyst', 'CMS', CMS_SO, 2),
    { ...pending('bob', '123', COORDINATOR, 30), status: 'rejected', decidedAt: NOW - HOUR, decidedBy: 'so1', reason: 'Not needed' },
  ],
};

interface Ids {
  user: Record<string, number>;
  org: Record<string, number>;
  role: Record<string, number>;
  program: Record<string, number>;
}

async function idsOf(db: SqlDatabase): Promise<Ids> {
  const map = async (sql: string) => Object.fromEntries((await db.all<{ k: string; id: number }>(sql)).map((r) => [r.k, r.id]));
  return {
    user: await map('SELECT user_id AS k, id FROM users'),
    org: await map('SELECT display_id AS k, id FROM organizations'),
    role: await map('SELECT name AS k, id FROM roles'),
    program: await map('SELECT name AS k, id FROM programs'),
  };
}

/** Everything a decision may write, to show that a refused or conflicting one wrote nothing. */
async function snapshot(db: SqlDatabase) {
  return {
    requests: await db.all('SELECT id, status, decided_at AS "decidedAt", decided_by AS "decidedBy", reason FROM role_requests ORDER BY id'),
    assignments: await db.all(
      'SELECT user_id AS "userId", organization_id AS "organizationId", role_id AS "roleId", request_id AS "requestId" FROM role_assignments ORDER BY id',
    ),
    approvals: await db.all('SELECT request_id AS "requestId", official_id AS "officialId" FROM request_approvals ORDER BY request_id, official_id'),
    audit: await db.all('SELECT id FROM audit_events ORDER BY id'),
    outbox: await db.all('SELECT id FROM outbox ORDER BY id'),
    counts: await db.all('SELECT organization_id AS o, program_id AS p, role_id AS r, n FROM pending_request_counts WHERE n > 0 ORDER BY o, p, r'),
  };
}

const auditRows = (db: SqlDatabase) =>
  db.all<{ action: string; actorId: number | null; requestId: number | null; details: string }>(
    'SELECT action, actor_id AS "actorId", request_id AS "requestId", details FROM audit_events ORDER BY id',
  );
const outboxRows = (db: SqlDatabase) =>
  db.all<{ to: string; subject: string; body: string; kind: string; requestId: number | null }>(
    'SELECT to_address AS "to", subject, body, kind, request_id AS "requestId" FROM outbox ORDER BY id',
  );
const requestRow = (db: SqlDatabase, id: number) =>
  db.get<{ status: string; decidedBy: number | null; decidedAt: number | null; reason: string | null }>(
    'SELECT status, decided_by AS "decidedBy", decided_at AS "decidedAt", reason FROM role_requests WHERE id = ?',
    [id],
  );

/** The database, counting the statements its transactions run (what a server charges a round trip for). */
function counting(db: SqlDatabase): { db: SqlDatabase; statements: () => number } {
  let n = 0;
  const count = (tx: SqlExecutor): SqlExecutor => ({
    dialect: tx.dialect,
    all: (sql, params) => ((n += 1), tx.all(sql, params)),
    get: (sql, params) => ((n += 1), tx.get(sql, params)),
    run: (sql, params) => ((n += 1), tx.run(sql, params)),
  });
  const wrapped: SqlDatabase = {
    dialect: db.dialect,
    all: (sql, params) => db.all(sql, params),
    get: (sql, params) => db.get(sql, params),
    run: (sql, params) => db.run(sql, params),
    transaction: (fn) => db.transaction((tx) => fn(count(tx))),
    close: () => db.close(),
  };
  return { db: wrapped, statements: () => n };
}

describe.each(ENGINES)('the requests store on %s', (engine) => {
  const engines = useStoreEngines();

  async function open(): Promise<StoreUnderTest & { store: SqlRequestStore; ids: Ids; req: (requester: string, role?: string) => Promise<number> }> {
    const opened = await engines.open(engine, NOW);
    await opened.db.transaction((tx) => insertScenario(tx, scenario));
    const ids = await idsOf(opened.db);
    const req = async (requester: string, role = BASIC) =>
      (await opened.db.get<{ id: number }>('SELECT id FROM role_requests WHERE requester_id = ? AND role_id = ? ORDER BY id DESC LIMIT 1', [
        ids.user[requester]!,
        ids.role[role]!,
      ]))!.id;
    return { ...opened, store: new SqlRequestStore(opened.context), ids, req };
  }

  const decision = (requestId: number, action: 'approve' | 'reject', extra: Partial<Decision> = {}): Decision => ({
    requestId,
    action,
    reason: action === 'reject' ? 'Not this role' : null,
    approvalsNeeded: null,
    audit: { action: action === 'approve' ? 'request.approved' : 'request.rejected', actorId: null, requestId },
    outbox: [{ to: 'someone@example.org', subject: `Request ${requestId}`, body: action, kind: 'request.decided', organizationId: null, requestId }],
    ...extra,
  });

  it('reads the catalogue: programs, roles, and lookups that miss', async () => {
    const { store, ids } = await open();
    expect(await store.programs()).toEqual([PROD, TEST]);
    expect((await store.roles()).map((r) => [r.name, r.securityOfficialKind])).toEqual(scenario.roles.map((r) => [r.name, r.securityOfficialKind]));
    expect(await store.programId(TEST)).toBe(ids.program[TEST]);
    expect(await store.programId('HARP')).toBeNull();
    expect(await store.organizationByDisplayId('FL')).toEqual({ id: ids.org['FL'], displayId: 'FL', name: 'Florida', kind: 'state' });
    expect(await store.organizationByDisplayId('999')).toBeNull();
  });

  it('reads people: profiles, roles held, Security Official emails and counts, CMS officials for dual control', async () => {
    const { store, ids, db } = await open();
    expect(await store.requesterProfile(ids.user['ann']!)).toEqual({
      userId: 'ann',
      firstName: 'Ann',
      lastName: 'adams',
      email: 'ann@example.org',
      phone: '555-0100',
      status: 'active',
      proofingState: 'proofed_remote',
      lastSignInAt: null,
    });
    expect(await store.requesterProfile(99_999)).toBeNull();
    const so1 = ids.user['so1']!;
    expect((await store.rolesOf(so1, 'all')).map((r) => [r.organization.displayId, r.program, r.role])).toEqual([
      ['456', TEST, BASIC],
      ['123', PROD, 'Provider Security Official'],
    ]);
    expect(await store.rolesOf(so1, [ids.org['456']!])).toEqual([
      { program: TEST, role: BASIC, organization: { id: ids.org['456'], displayId: '456', name: 'Bayview Home Health', kind: 'provider' } },
    ]);
    expect(await store.rolesOf(so1, [])).toEqual([]);
    expect(await store.securityOfficialEmails(ids.org['123']!)).toEqual(['so1@example.org', 'so2@example.org']);
    expect(await store.cmsOfficialEmails()).toEqual(['cms1@example.org', 'cms2@example.org']);
    const counts = await store.securityOfficialCounts([ids.org['123']!, ids.org['FL']!, 99_999]);
    expect([...counts]).toEqual([
      [ids.org['123'], 2],
      [ids.org['FL'], 1],
      [99_999, 0],
    ]);
    expect((await store.securityOfficialCounts([])).size).toBe(0);
    expect(await store.cmsOfficialIds(NOW)).toEqual([ids.user['cms1'], ids.user['cms2']].sort((a, b) => a! - b!));
    // Deactivated 10 days ago still counts for dual control; 40 days ago no longer does.
    await db.run("UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE user_id = 'cms2'", [NOW - 10 * DAY]);
    expect(await store.cmsOfficialIds(NOW)).toHaveLength(2);
    expect(await store.cmsOfficialEmails()).toEqual(['cms1@example.org']);
    await db.run("UPDATE users SET deactivated_at = ? WHERE user_id = 'cms2'", [NOW - 40 * DAY]);
    expect(await store.cmsOfficialIds(NOW)).toEqual([ids.user['cms1']]);
  });

  it('reads requests by id (in slices), by requester, and the catalogue violations an upgrade set aside', async () => {
    const { store, ids, db, req } = await open();
    const ann = await req('ann');
    const many = [ann, ...Array.from({ length: 450 }, (_, i) => 10_000 + i), await req('analyst', CMS_SO)];
    const found = await store.byIds(many);
    expect(found.map((r) => r.requesterUserId)).toEqual(['ann', 'analyst']);
    expect(found[0]).toMatchObject({
      id: ann,
      requesterId: ids.user['ann'],
      requesterFirstName: 'Ann',
      requesterLastName: 'adams',
      requesterEmail: 'ann@example.org',
      requesterProofingState: 'proofed_remote',
      requesterCreatedBy: null,
      program: PROD,
      programId: ids.program[PROD],
      organization: { id: ids.org['123'], displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider' },
      role: BASIC,
      roleId: ids.role[BASIC],
      securityOfficialKind: null,
      justification: 'ann needs it',
      status: 'pending',
      requestedAt: NOW - 9 * HOUR,
      decidedAt: null,
      decidedBy: null,
      decidedByEmail: null,
      reason: null,
    });
    expect(found[1]!.securityOfficialKind).toBe('cms');
    expect(await store.byIds([])).toEqual([]);
    const bobs = await store.forRequester(ids.user['bob']!);
    expect(bobs.map((r) => [r.role, r.status, r.decidedByEmail, r.reason])).toEqual([
      [BASIC, 'pending', null, null],
      [COORDINATOR, 'rejected', 'so1@example.org', 'Not needed'],
    ]);

    expect(await store.catalogueViolations(10)).toEqual([]);
    await db.run(
      `INSERT INTO role_catalogue_violations (found_at, kind, row_id, user_id, program_id, organization_id, role_id, request_id)
       VALUES (?, 'pending_request', ?, ?, ?, ?, ?, ?)`,
      [NOW - DAY, ann, ids.user['ann']!, ids.program[PROD]!, ids.org['123']!, ids.role[BASIC]!, ann],
    );
    expect(await store.catalogueViolations(10)).toEqual([
      { kind: 'pending_request', userId: 'ann', role: BASIC, program: PROD, organization: '123', foundAt: NOW - DAY },
    ]);
    expect(await store.catalogueViolations(0)).toEqual([]);
  });

  it('pages the queue by time and by last name (case-insensitive) with keyset cursors, and counts it', async () => {
    const { store, ids } = await open();
    const of123: QueueScope = { organizationIds: [ids.org['123']!], allSecurityOfficialRequests: false };
    const byTime = await store.queuePage(of123, null, 'requested', 4);
    expect(byTime.map((r) => r.requesterUserId)).toEqual(['ann', 'bob', 'cal', 'dee']);
    const last = byTime[3]!;
    expect(
      (await store.queuePage(of123, { sort: 'requested', requestedAt: last.requestedAt, id: last.id }, 'requested', 4)).map((r) => r.requesterUserId),
    ).toEqual(['zed', 'so1']);
    const byName = await store.queuePage(of123, null, 'lastName', 4);
    expect(byName.map((r) => r.requesterLastName)).toEqual(['adams', 'Baker', 'Cole', 'Diaz']);
    expect(
      (await store.queuePage(of123, { sort: 'lastName', lastName: 'Diaz', firstName: 'Dee', id: byName[3]!.id }, 'lastName', 4)).map(
        (r) => r.requesterLastName,
      ),
    ).toEqual(['Ortiz', 'Young']);
    // CMS: its own organization plus Security Official requests everywhere.
    const cms: QueueScope = { organizationIds: [ids.org['CMS']!], allSecurityOfficialRequests: true };
    expect((await store.queuePage(cms, null, 'requested', 10)).map((r) => r.requesterUserId)).toEqual(['analyst']);
    const nowhere: QueueScope = { organizationIds: [], allSecurityOfficialRequests: false };
    expect(await store.queuePage(nowhere, null, 'requested', 10)).toEqual([]);
    expect(await store.queuePage({ ...of123, programName: TEST }, null, 'requested', 10)).toEqual([]);
    expect(
      await store.queuePage(
        { organizationIds: [ids.org['123']!, ids.org['456']!], allSecurityOfficialRequests: false, organizationId: ids.org['456']! },
        null,
        'lastName',
        10,
      ),
    ).toHaveLength(1);

    expect(await store.queueCount(of123)).toBe(6);
    expect(await store.queueCount({ ...of123, programName: PROD })).toBe(6);
    expect(await store.queueCount({ ...of123, programName: TEST })).toBe(0);
    expect(await store.queueCount(cms)).toBe(1);
    expect(await store.queueCount({ organizationIds: [ids.org['123']!, ids.org['CMS']!], allSecurityOfficialRequests: true })).toBe(7);
    expect(await store.queueCount({ organizationIds: [], allSecurityOfficialRequests: true, organizationId: ids.org['123']! })).toBe(0);
    expect(await store.queueCount(nowhere)).toBe(0);
  });

  it("pages a CMS official's queue from its index ranges exactly as one query over every pending request did, both orders, with filters", async () => {
    const { db, store, ids } = await open();
    // Many requesters whose names tie and differ only in case, requests at tied times, in every
    // organization, for ordinary and Security Official roles, some decided.
    const lastNames = ['adams', 'Adams', 'Baker', 'baker', 'Cole'];
    const extra: Scenario = { ...scenario, assignments: [], requests: [], programs: [], roles: [], organizations: [] };
    const people = Array.from({ length: 30 }, (_, i) => person(`p${i}`, i % 3 === 0 ? 'Ann' : 'Bo', lastNames[i % lastNames.length]!, '123'));
    const allowed: Record<string, string[]> = {
      CMS: [CMS_SO],
      '123': ['Provider Security Official', BASIC, COORDINATOR],
      '456': ['Provider Security Official', BASIC, COORDINATOR],
      FL: ['State Security Official', 'Surveyor'],
    };
    const requests: Array<Scenario['requests'][number]> = [];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
    for (const p of people) {
      for (const org of Object.keys(allowed)) {
        for (const role of allowed[org]!) {
          if (next(3) !== 0) continue;
          const program = next(2) === 0 ? PROD : TEST;
          const request = { ...pending(p.userId, org, role, 1 + next(6)), program };
          requests.push(next(5) === 0 ? { ...request, status: 'rejected' as const, decidedAt: NOW - HOUR, decidedBy: 'cms1', reason: 'No' } : request);
        }
      }
    }
    await db.transaction((tx) => insertScenario(tx, { ...extra, users: people, requests }));
    const before = `SELECT r.id FROM role_requests r JOIN programs p ON p.id = r.program_id JOIN roles ro ON ro.id = r.role_id
      WHERE r.status = 'pending' AND (r.organization_id IN (ORGS) OR ro.security_official_kind IS NOT NULL)`;
    const oldQuery = async (orgs: number[], sort: 'requested' | 'lastName', program?: string) =>
      (
        await db.all<{ id: number }>(
          `${before.replace('ORGS', orgs.map(() => '?').join(','))}${program ? ' AND p.name = ?' : ''}
           ORDER BY ${sort === 'requested' ? 'r.requested_at, r.id' : 'r.requester_last_name, r.requester_first_name, r.id'}`,
          [...orgs, ...(program ? [program] : [])],
        )
      ).map((r) => r.id);
    const walk = async (scope: QueueScope, sort: 'requested' | 'lastName', limit: number) => {
      const out: number[] = [];
      let after: Parameters<SqlRequestStore['queuePage']>[1] = null;
      for (;;) {
        const page = await store.queuePage(scope, after, sort, limit + 1);
        out.push(...page.slice(0, limit).map((r) => r.id));
        const last = page[limit - 1];
        if (page.length <= limit || !last) break;
        after =
          sort === 'requested'
            ? { sort, requestedAt: last.requestedAt, id: last.id }
            : { sort, lastName: last.requesterLastName, firstName: last.requesterFirstName, id: last.id };
      }
      return out;
    };
    for (const orgs of [[ids.org['CMS']!], [ids.org['CMS']!, ids.org['456']!]]) {
      for (const sort of ['requested', 'lastName'] as const) {
        for (const program of [undefined, TEST]) {
          const expected = await oldQuery(orgs, sort, program);
          expect(expected.length).toBeGreaterThan(3);
          for (const limit of [1, 3, 7, 100]) {
            expect(await walk({ organizationIds: orgs, allSecurityOfficialRequests: true, programName: program }, sort, limit)).toEqual(expected);
          }
        }
      }
    }
    // Ordinary roles outside CMS's organizations stay out; Security Official roles everywhere are in.
    const cmsOnly = await walk({ organizationIds: [ids.org['CMS']!], allSecurityOfficialRequests: true }, 'requested', 100);
    const rows = await store.byIds(cmsOnly);
    expect(rows.every((r) => r.securityOfficialKind !== null || r.organization.id === ids.org['CMS'])).toBe(true);
    expect(new Set(rows.map((r) => r.securityOfficialKind))).toEqual(new Set(['provider', 'state', 'cms']));
  });

  it('reads a queue page, its total, the official counts, the programs and what dual control needs in one call, as the separate reads give them', async () => {
    const { store, ids, req } = await open();
    const scope: QueueScope = { organizationIds: [ids.org['CMS']!, ids.org['123']!], allSecurityOfficialRequests: true };
    const view = await store.queueView(scope, null, 'lastName', 3, [ids.org['456']!], NOW);
    const page = await store.queuePage(scope, null, 'lastName', 3);
    expect(view.records).toEqual(page);
    expect(view.total).toBe(await store.queueCount(scope));
    expect(view.total).toBe(7);
    expect(view.programs).toEqual(await store.programs());
    const orgs = [...new Set([...page.map((r) => r.organization.id), ids.org['456']!])];
    expect(view.officialCounts).toEqual(await store.securityOfficialCounts(orgs));
    expect(view.officialCounts.get(ids.org['456']!)).toBe(1);
    // No CMS role request on this page: nothing read for dual control.
    expect(page.some((r) => r.securityOfficialKind === 'cms')).toBe(false);
    expect(view.approvals.size).toBe(0);
    expect(view.cmsOfficials).toEqual([]);
    // The analyst's request for the CMS role is on the page by time: its approvals and the CMS officials come with it.
    expect((await store.decide(ids.user['cms1']!, [decision(await req('analyst', CMS_SO), 'approve', { approvalsNeeded: 2 })])).recorded).toHaveLength(1);
    const byTime = await store.queueView(scope, null, 'requested', 10, [], NOW);
    const cmsRequest = byTime.records.find((r) => r.securityOfficialKind === 'cms')!;
    expect(cmsRequest.requesterUserId).toBe('analyst');
    expect(byTime.cmsOfficials).toEqual(await store.cmsOfficialIds(NOW));
    expect(byTime.cmsOfficials).toEqual([ids.user['cms1'], ids.user['cms2']]);
    expect(byTime.approvals).toEqual(await store.approvalsFor([cmsRequest.id]));
    expect(byTime.approvals.get(cmsRequest.id)?.map((a) => a.officialId)).toEqual([ids.user['cms1']]);
  });

  it('files a request with its slots filled in the audit and the email text; a pending or held one changes nothing', async () => {
    const { store, ids, db } = await open();
    const ann = ids.user['ann']!;
    const before = await snapshot(db);
    const filed = await store.file(
      {
        requesterId: ann,
        programId: ids.program[PROD]!,
        organizationId: ids.org['123']!,
        roleId: ids.role[COORDINATOR]!,
        justification: 'Coordinates assessments',
      },
      [
        {
          action: 'request.filed',
          actorId: ann,
          requestId: slot('requestId'),
          organizationId: ids.org['123']!,
          details: { request: slot('requestId'), role: COORDINATOR },
        },
      ],
      [
        {
          to: 'so1@example.org',
          subject: `Role request ${slotText('requestId')}`,
          body: `Request ${slotText('requestId')} waits for you.`,
          kind: 'request.filed',
          organizationId: ids.org['123']!,
          requestId: slot('requestId'),
        },
      ],
    );
    if (typeof filed !== 'object') throw new Error(`not filed: ${filed}`);
    const { requestId } = filed;
    expect(await store.byIds([requestId])).toMatchObject([
      { requesterUserId: 'ann', role: COORDINATOR, status: 'pending', requestedAt: NOW, justification: 'Coordinates assessments' },
    ]);
    expect(await auditRows(db)).toEqual([
      { action: 'request.filed', actorId: ann, requestId, details: JSON.stringify({ request: requestId, role: COORDINATOR }) },
    ]);
    expect(await outboxRows(db)).toEqual([
      { to: 'so1@example.org', subject: `Role request ${requestId}`, body: `Request ${requestId} waits for you.`, kind: 'request.filed', requestId },
    ]);
    expect(await store.queueCount({ organizationIds: [ids.org['123']!], allSecurityOfficialRequests: false })).toBe(7);
    expect((await snapshot(db)).requests).toHaveLength(before.requests.length + 1);

    const after = await snapshot(db);
    const again = { requesterId: ann, programId: ids.program[PROD]!, organizationId: ids.org['123']!, roleId: ids.role[COORDINATOR]!, justification: 'Again' };
    const noAudit = [{ action: 'request.filed' as const, actorId: ann, requestId: slot('requestId') }];
    expect(await store.file(again, noAudit, [])).toBe('pending');
    const so1 = ids.user['so1']!;
    expect(await store.file({ ...again, requesterId: so1, roleId: ids.role['Provider Security Official']! }, noAudit, [])).toBe('held');
    expect(await snapshot(db)).toEqual(after);
  });

  it('refuses filing a role the catalogue does not allow in the organization, and writes nothing', async () => {
    const { store, ids, db } = await open();
    const before = await snapshot(db);
    const ann = ids.user['ann']!;
    await expect(
      store.file(
        { requesterId: ann, programId: ids.program[PROD]!, organizationId: ids.org['123']!, roleId: ids.role['Surveyor']!, justification: '' },
        [{ action: 'request.filed', actorId: ann, requestId: slot('requestId') }],
        [],
      ),
    ).rejects.toThrow('The role catalogue does not allow this role in this kind of organization.');
    expect(await snapshot(db)).toEqual(before);
  });

  it('withdraws only its requester’s pending request, once', async () => {
    const { store, ids, db, req } = await open();
    const ann = ids.user['ann']!;
    const request = await req('ann');
    const before = await snapshot(db);
    expect(await store.withdraw(request, ids.user['bob']!, [{ action: 'request.withdrawn', actorId: ids.user['bob']!, requestId: request }])).toBe(false);
    expect(await snapshot(db)).toEqual(before);
    expect(await store.withdraw(request, ann, [{ action: 'request.withdrawn', actorId: ann, requestId: request }])).toBe(true);
    expect(await requestRow(db, request)).toEqual({ status: 'cancelled', decidedBy: ann, decidedAt: NOW, reason: null });
    expect(await auditRows(db)).toEqual([{ action: 'request.withdrawn', actorId: ann, requestId: request, details: '{}' }]);
    const after = await snapshot(db);
    expect(await store.withdraw(request, ann, [{ action: 'request.withdrawn', actorId: ann, requestId: request }])).toBe(false);
    expect(await snapshot(db)).toEqual(after);
  });

  it('approves and rejects one request; the same decision a second time is a conflict and writes nothing', async () => {
    const { store, ids, db, req } = await open();
    const so1 = ids.user['so1']!;
    const ann = await req('ann');
    const bob = await req('bob');
    expect(await store.decide(so1, [decision(ann, 'approve')])).toEqual({ conflicts: [], recorded: [], refused: [] });
    expect(await requestRow(db, ann)).toEqual({ status: 'approved', decidedBy: so1, decidedAt: NOW, reason: null });
    expect(
      await db.all(
        'SELECT user_id AS "userId", role_id AS "roleId", granted_at AS "grantedAt", granted_by AS "grantedBy" FROM role_assignments WHERE request_id = ?',
        [ann],
      ),
    ).toEqual([{ userId: ids.user['ann'], roleId: ids.role[BASIC], grantedAt: NOW, grantedBy: so1 }]);
    expect(await store.decide(so1, [decision(bob, 'reject')])).toEqual({ conflicts: [], recorded: [], refused: [] });
    expect(await requestRow(db, bob)).toEqual({ status: 'rejected', decidedBy: so1, decidedAt: NOW, reason: 'Not this role' });
    expect(await db.all('SELECT 1 AS one FROM role_assignments WHERE request_id = ?', [bob])).toEqual([]);
    expect((await auditRows(db)).map((a) => [a.action, a.requestId])).toEqual([
      ['request.approved', ann],
      ['request.rejected', bob],
    ]);
    expect((await outboxRows(db)).map((o) => [o.subject, o.body])).toEqual([
      [`Request ${ann}`, 'approve'],
      [`Request ${bob}`, 'reject'],
    ]);

    const after = await snapshot(db);
    const so2 = ids.user['so2']!;
    expect(await store.decide(so2, [decision(ann, 'reject')])).toEqual({ conflicts: [ann], recorded: [], refused: [] });
    expect(await store.decide(so1, [decision(bob, 'approve')])).toEqual({ conflicts: [bob], recorded: [], refused: [] });
    expect(await snapshot(db)).toEqual(after);
  });

  it('lets only one of two officials deciding the same request at the same time take the decision', async () => {
    const { store, ids, db, req } = await open();
    const ann = await req('ann');
    const results = await Promise.all([store.decide(ids.user['so1']!, [decision(ann, 'approve')]), store.decide(ids.user['so2']!, [decision(ann, 'reject')])]);
    expect(results.map((r) => r.conflicts.length).sort()).toEqual([0, 1]);
    const winner = results[0]!.conflicts.length === 0 ? 'approved' : 'rejected';
    expect((await requestRow(db, ann))!.status).toBe(winner);
    expect(await db.all('SELECT 1 AS one FROM role_assignments WHERE request_id = ?', [ann])).toHaveLength(winner === 'approved' ? 1 : 0);
    expect(await auditRows(db)).toHaveLength(1);
    expect(await outboxRows(db)).toHaveLength(1);
  });

  it('decides a bulk chunk together: approvals and rejections, conflicts for requests decided before or named twice', async () => {
    const { store, ids, db, req } = await open();
    const so1 = ids.user['so1']!;
    const [ann, bob, cal] = [await req('ann'), await req('bob'), await req('cal', COORDINATOR)];
    const rejected = await req('bob', COORDINATOR);
    const result = await store.decide(so1, [
      decision(ann, 'approve'),
      decision(bob, 'reject'),
      decision(rejected, 'approve'),
      decision(cal, 'approve'),
      decision(ann, 'reject'),
    ]);
    expect(result).toEqual({ conflicts: [rejected, ann], recorded: [], refused: [] });
    expect((await requestRow(db, ann))!.status).toBe('approved');
    expect((await requestRow(db, bob))!.status).toBe('rejected');
    expect((await requestRow(db, cal))!.status).toBe('approved');
    expect((await requestRow(db, rejected))!.status).toBe('rejected');
    expect(await db.all('SELECT request_id AS "requestId" FROM role_assignments WHERE request_id IS NOT NULL ORDER BY request_id')).toEqual([
      { requestId: ann },
      { requestId: cal },
    ]);
    // Audit and email in the order of the chunk, for the decided ones only.
    expect((await auditRows(db)).map((a) => [a.action, a.requestId])).toEqual([
      ['request.approved', ann],
      ['request.rejected', bob],
      ['request.approved', cal],
    ]);
    expect((await outboxRows(db)).map((o) => o.requestId)).toEqual([ann, bob, cal]);
    expect(await store.queueCount({ organizationIds: [ids.org['123']!], allSecurityOfficialRequests: false })).toBe(3);
  });

  it('hands a request’s place in the directory to the ordinary role it grants in place; the directory and its counts equal a rebuild', async () => {
    const { store, ids, db, req } = await open();
    const so1 = ids.user['so1']!;
    // Cal asks for a second role at 123: a Security Official one, which the trust model reads.
    await db.run(
      "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at) VALUES (?, ?, ?, ?, 'x', 'pending', ?)",
      [ids.user['cal']!, ids.program[PROD]!, ids.org['123']!, ids.role['Provider Security Official']!, NOW - HOUR],
    );
    const calOfficial = await req('cal', 'Provider Security Official');
    // Every directory row removed while deciding, by user.
    if (db.dialect === 'sqlite') {
      await db.run('CREATE TABLE directory_removed (user_id INTEGER)');
      await db.run('CREATE TRIGGER directory_removed_log AFTER DELETE ON user_directory BEGIN INSERT INTO directory_removed VALUES (OLD.user_id); END');
    } else {
      await db.run('CREATE TABLE directory_removed (user_id BIGINT)');
      await db.run(
        'CREATE FUNCTION directory_removed_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO directory_removed VALUES (OLD.user_id); RETURN NULL; END $$',
      );
      await db.run('CREATE TRIGGER directory_removed_log AFTER DELETE ON user_directory FOR EACH ROW EXECUTE FUNCTION directory_removed_log()');
    }
    const [ann, bob, cal, dee] = [await req('ann'), await req('bob'), await req('cal', COORDINATOR), await req('dee')];
    expect(
      await store.decide(so1, [
        decision(ann, 'approve'),
        decision(bob, 'approve'),
        decision(cal, 'approve'),
        decision(calOfficial, 'approve'),
        decision(dee, 'reject'),
      ]),
    ).toEqual({
      conflicts: [],
      recorded: [],
      refused: [],
    });
    // Ann, Bob and Cal keep their rows, updated in place (the old order removed and wrote each
    // approved requester's row again); Dee, rejected, leaves the organization's directory.
    expect((await db.all<{ userId: number }>('SELECT user_id AS "userId" FROM directory_removed')).map((r) => r.userId)).toEqual([ids.user['dee']!]);
    const directory = await db.all(
      `SELECT user_id AS "userId", program_id AS "programId", organization_id AS "organizationId", last_name AS "lastName", first_name AS "firstName", reasons,
              active_last_use AS "activeLastUse", deactivated_at AS "deactivatedAt", referred_at AS "referredAt"
         FROM user_directory ORDER BY user_id, program_id, organization_id`,
    );
    const rebuilt = await db.all(
      `SELECT g.user_id AS "userId", g.program_id AS "programId", g.organization_id AS "organizationId", u.last_name AS "lastName", u.first_name AS "firstName",
              g.reasons,
              CASE WHEN u.status = 'active' THEN max(coalesce(u.last_sign_in_at, u.created_at), coalesce(u.reactivated_at, 0)) END AS "activeLastUse",
              CASE WHEN u.status = 'deactivated' THEN coalesce(u.deactivated_at, 0) END AS "deactivatedAt",
              CASE WHEN u.proofing_state = 'referred_in_person' THEN coalesce(u.proofing_referred_at, u.created_at) END AS "referredAt"
         FROM (SELECT m.user_id, m.program_id, m.organization_id, count(*) AS reasons
                 FROM (SELECT user_id, program_id, organization_id FROM role_assignments
                       UNION ALL
                       SELECT requester_id, program_id, organization_id FROM role_requests WHERE status = 'pending') m
                GROUP BY m.user_id, m.program_id, m.organization_id) g
         JOIN users u ON u.id = g.user_id
        ORDER BY g.user_id, g.program_id, g.organization_id`,
    );
    expect(directory).toEqual(rebuilt);
    expect(directory).toContainEqual(expect.objectContaining({ userId: ids.user['cal'], organizationId: ids.org['123'], reasons: 2 }));
    expect(await db.all('SELECT program_id AS "programId", n FROM program_user_counts WHERE n > 0 ORDER BY program_id')).toEqual(
      await db.all('SELECT program_id AS "programId", count(DISTINCT user_id) AS n FROM user_directory GROUP BY program_id ORDER BY program_id'),
    );
    expect(await db.all('SELECT request_id AS "requestId" FROM role_assignments WHERE request_id IS NOT NULL ORDER BY request_id')).toEqual(
      [ann, bob, cal, calOfficial].sort((a, b) => a - b).map((requestId) => ({ requestId })),
    );
  });

  it('goes on with the rest of a chunk when the trust model refuses some requests, which keep nothing', async () => {
    const { store, ids, db, req } = await open();
    const so1 = ids.user['so1']!;
    await db.run("UPDATE users SET created_by = ? WHERE user_id = 'dee'", [so1]);
    const [ann, bob, dee, zed, own] = [await req('ann'), await req('bob'), await req('dee'), await req('zed'), await req('so1', COORDINATOR)];
    const result = await store.decide(so1, [
      decision(ann, 'approve'),
      decision(dee, 'approve'),
      decision(zed, 'approve'),
      decision(own, 'reject'),
      decision(bob, 'reject'),
    ]);
    expect(result).toEqual({
      conflicts: [],
      recorded: [],
      refused: [
        { requestId: dee, message: 'The Security Official who created an account cannot approve its requests.' },
        { requestId: zed, message: 'No role is granted to a person whose identity is not proofed.' },
        { requestId: own, message: 'You cannot decide your own request' },
      ],
    });
    for (const id of [dee, zed, own]) expect(await requestRow(db, id)).toEqual({ status: 'pending', decidedBy: null, decidedAt: null, reason: null });
    expect((await requestRow(db, ann))!.status).toBe('approved');
    expect((await requestRow(db, bob))!.status).toBe('rejected');
    expect(await db.all('SELECT request_id AS "requestId" FROM role_assignments WHERE request_id IS NOT NULL')).toEqual([{ requestId: ann }]);
    expect((await auditRows(db)).map((a) => [a.action, a.requestId])).toEqual([
      ['request.approved', ann],
      ['request.rejected', bob],
    ]);
    expect((await outboxRows(db)).map((o) => o.requestId)).toEqual([ann, bob]);
  });

  it('changes nothing when the trust model refuses every request of a chunk', async () => {
    const { store, ids, db, req } = await open();
    const [ann, bob] = [await req('ann'), await req('bob')];
    const before = await snapshot(db);
    const message = 'Only a Security Official of this organization or a CMS Security Official decides this request.';
    expect(await store.decide(ids.user['so456']!, [decision(ann, 'approve'), decision(bob, 'reject')])).toEqual({
      conflicts: [],
      recorded: [],
      refused: [
        { requestId: ann, message },
        { requestId: bob, message },
      ],
    });
    expect(await snapshot(db)).toEqual(before);
  });

  it('decides and reopens nothing for an official deactivated or stripped of every Security Official role since the call began', async () => {
    const { store, ids, db, req } = await open();
    const so1 = ids.user['so1']!;
    const [ann, bob] = [await req('ann'), await req('bob')];
    const rejected = await req('bob', COORDINATOR);
    const audit = [{ action: 'request.reopened' as const, actorId: so1, requestId: rejected }];
    await db.run("UPDATE users SET status = 'deactivated' WHERE id = ?", [so1]);
    let before = await snapshot(db);
    expect(await store.decide(so1, [decision(ann, 'approve'), decision(bob, 'reject')])).toEqual({
      conflicts: [],
      recorded: [],
      refused: [],
      noAuthority: true,
    });
    expect(await store.reopen(rejected, so1, NOW - 2 * HOUR, audit)).toBe('no_authority');
    expect(await snapshot(db)).toEqual(before);
    await db.run("UPDATE users SET status = 'active' WHERE id = ?", [so1]);
    await db.run('DELETE FROM role_assignments WHERE user_id = ? AND role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)', [so1]);
    before = await snapshot(db);
    expect(await store.decide(so1, [decision(ann, 'approve')])).toEqual({ conflicts: [], recorded: [], refused: [], noAuthority: true });
    expect(await store.reopen(rejected, so1, NOW - 2 * HOUR, audit)).toBe('no_authority');
    expect(await snapshot(db)).toEqual(before);
  });

  it('records a first approval under dual control, refuses the same official twice, grants on the second official', async () => {
    const { store, ids, db, req } = await open();
    const [cms1, cms2] = [ids.user['cms1']!, ids.user['cms2']!];
    const analyst = await req('analyst', CMS_SO);
    const dual = (official: number): Decision =>
      decision(analyst, 'approve', {
        approvalsNeeded: 2,
        recorded: { audit: { action: 'request.approval_recorded', actorId: official, requestId: analyst }, outbox: [] },
      });
    expect(await store.decide(cms1, [dual(cms1)])).toEqual({ conflicts: [], recorded: [analyst], refused: [] });
    expect((await requestRow(db, analyst))!.status).toBe('pending');
    expect([...(await store.approvalsFor([analyst]))]).toEqual([[analyst, [{ officialId: cms1, email: 'cms1@example.org', approvedAt: NOW }]]]);
    const once = await snapshot(db);
    expect(await store.decide(cms1, [dual(cms1)])).toEqual({ conflicts: [analyst], recorded: [], refused: [] });
    expect(await snapshot(db)).toEqual(once);

    // A plain approval of the CMS role, without the second approval: the database refuses it.
    expect(await store.decide(cms2, [decision(analyst, 'approve')])).toEqual({
      conflicts: [],
      recorded: [],
      refused: [{ requestId: analyst, message: 'The CMS Security Official role needs the approval of two distinct CMS Security Officials.' }],
    });
    expect(await snapshot(db)).toEqual(once);

    const ann = await req('ann');
    // Dual control beside plain decisions in one chunk.
    expect(await store.decide(cms2, [decision(ann, 'approve'), dual(cms2)])).toEqual({ conflicts: [], recorded: [], refused: [] });
    expect(await requestRow(db, analyst)).toEqual({ status: 'approved', decidedBy: cms2, decidedAt: NOW, reason: null });
    expect(await db.all('SELECT user_id AS "userId" FROM role_assignments WHERE request_id = ?', [analyst])).toEqual([{ userId: ids.user['analyst'] }]);
    expect((await store.approvalsFor([analyst, ann]).then((m) => m.get(analyst)))!.map((a) => a.officialId)).toEqual([cms1, cms2]);
    expect((await store.approvalsFor([ann])).size).toBe(0);
    expect((await auditRows(db)).map((a) => a.action)).toEqual(['request.approval_recorded', 'request.approved', 'request.approved']);
    expect(await store.singleApprovalGrants(10)).toEqual([]);
  });

  it('lists a CMS Security Official role granted by a single official when no second one counted', async () => {
    const { store, ids, db, req } = await open();
    const cms1 = ids.user['cms1']!;
    await db.run("UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE user_id = 'cms2'", [NOW - 40 * DAY]);
    const analyst = await req('analyst', CMS_SO);
    expect(await store.decide(cms1, [decision(analyst, 'approve', { approvalsNeeded: 1 })])).toEqual({ conflicts: [], recorded: [], refused: [] });
    expect(await store.singleApprovalGrants(10)).toEqual([
      { requestId: analyst, userId: 'analyst', firstName: 'Ana', lastName: 'Lyst', program: PROD, decidedAt: NOW, approverEmail: 'cms1@example.org' },
    ]);
    expect(await store.singleApprovalGrants(0)).toEqual([]);
  });

  it('reopens a rejection only for the official who made it, since the time given, once', async () => {
    const { store, ids, db, req } = await open();
    const [so1, so2] = [ids.user['so1']!, ids.user['so2']!];
    const rejected = await req('bob', COORDINATOR);
    const audit = [{ action: 'request.reopened' as const, actorId: so1, requestId: rejected }];
    const before = await snapshot(db);
    expect(await store.reopen(rejected, so2, NOW - 2 * HOUR, audit)).toBe(false);
    expect(await store.reopen(rejected, so1, NOW - HOUR / 2, audit)).toBe(false);
    expect(await store.reopen(await req('ann'), so1, 0, audit)).toBe(false);
    expect(await snapshot(db)).toEqual(before);
    expect(await store.reopen(rejected, so1, NOW - 2 * HOUR, audit)).toBe(true);
    expect(await requestRow(db, rejected)).toEqual({ status: 'pending', decidedBy: null, decidedAt: null, reason: null });
    expect(await auditRows(db)).toEqual([{ action: 'request.reopened', actorId: so1, requestId: rejected, details: '{}' }]);
    const after = await snapshot(db);
    expect(await store.reopen(rejected, so1, NOW - 2 * HOUR, audit)).toBe(false);
    expect(await snapshot(db)).toEqual(after);
  });

  it('decides a chunk of 300 plain approvals in a few statements, not a few per request', async () => {
    const { db, clock, ids } = await open();
    const many = Array.from({ length: 300 }, (_, i) => `bulk${String(i).padStart(3, '0')}`);
    await db.transaction((tx) =>
      insertScenario(tx, {
        ...scenario,
        programs: [],
        roles: [],
        organizations: [],
        assignments: [],
        users: many.map((u) => person(u, 'Bulk', u, '123')),
        requests: many.map((u) => pending(u, '123', BASIC, 1)),
      }),
    );
    const requests = await db.all<{ id: number }>("SELECT id FROM role_requests WHERE status = 'pending' AND requested_at = ? ORDER BY id", [NOW - HOUR]);
    expect(requests).toHaveLength(300);
    const counted = counting(db);
    const store = new SqlRequestStore(new StoreContext(counted.db, clock));
    const result = await store.decide(
      ids.user['so1']!,
      requests.map((r) => decision(r.id, 'approve')),
    );
    expect(result).toEqual({ conflicts: [], recorded: [], refused: [] });
    expect(await db.get('SELECT count(*) AS n FROM role_assignments WHERE request_id IS NOT NULL')).toEqual({ n: 300 });
    expect(await db.get("SELECT count(*) AS n FROM audit_events WHERE action = 'request.approved'")).toEqual({ n: 300 });
    expect(await db.get("SELECT count(*) AS n FROM outbox WHERE kind = 'request.decided'")).toEqual({ n: 300 });
    // Savepoint, one UPDATE, one INSERT of grants, release; the audit append and the outbox in batches.
    expect(counted.statements()).toBeLessThan(40);
  });
});

import { describe, expect, it } from 'vitest';
import { PROGRAMS, ROLE_NAMES, SECURITY_OFFICIAL_ROLE, type OrganizationKind, type ProofingState, type UserStatus } from '../../shared/domain.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import { SqlAuditTrailStore, type AuditFilter, type AuditScope } from '../../main/store/audit-trail-store.js';
import { SqlHistoryStore, type HistoryFilter, type HistoryKey, type HistoryRecord, type HistoryScope } from '../../main/store/history-store.js';
import { SqlHomeStore } from '../../main/store/home-store.js';
import { insertScenario, type Scenario } from '../../main/store/seed.js';
import { ENGINES, useStoreEngines, type StoreUnderTest } from '../support/store-engines.js';
import { NO_CONTACT } from '../support/scenario-user.js';

/**
 * The read stores (Request History, Audit trail, Home) on SQLite and PostgreSQL over the same rows:
 * the same pages in the same order, the same keyset cursors, the same counts and figures.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 30, 15);
const PROD = 'iQIES Prod';
const HQR = 'Hospital Quality Reporting';

const soKind = (role: string): OrganizationKind | null =>
  (Object.entries(SECURITY_OFFICIAL_ROLE) as Array<[OrganizationKind, string]>).find(([, name]) => name === role)?.[0] ?? null;

type Person = [
  userId: string,
  first: string,
  last: string,
  org: string,
  extra?: { status?: UserStatus; lastSignInAt?: number | null; proofing?: ProofingState },
];
const PEOPLE: Person[] = [
  ['so1', 'Olive', 'Official', 'PRV1'],
  ['so2', 'Sam', 'Second', 'PRV2'],
  ['rthompson', 'Rob', 'Thompson', 'PRV1'],
  ['athompson', 'Amy', 'thompson', 'PRV1'],
  ['zthomas', 'Zed', 'Thomas', 'PRV2'],
  ['wzhang', 'Wei', 'Zhang', 'PRV1'],
  ['azimmer', 'Ann', 'Zimmer', 'PRV2'],
  ['usmith', 'Una', 'Smith_Jones', 'PRV1'],
  ['xsmith', 'Xia', 'SmithXJones', 'PRV1'],
  ['badams', 'Bo', 'Adams', 'ST1'],
  ['dormant1', 'Dora', 'Mant', 'PRV1', { lastSignInAt: NOW - 125 * DAY }],
  ['dormant2', 'Dan', 'Mant', 'PRV1', { lastSignInAt: NOW - 100 * DAY }],
  ['gone1', 'Gus', 'Gone', 'PRV2', { status: 'deactivated' }],
  ['referred1', 'Rita', 'Ferred', 'PRV1', { proofing: 'referred_in_person' }],
];

type Req = [requester: string, org: string, status: 'approved' | 'rejected' | 'cancelled' | 'pending', at: number, decidedBy?: string, program?: string];
/** Request ids are their place here, from 1, on both engines. */
const REQUESTS: Req[] = [
  ['rthompson', 'PRV1', 'approved', NOW - 1 * DAY, 'so1'], // 1
  ['athompson', 'PRV1', 'rejected', NOW - 2 * DAY, 'so1'], // 2
  ['zthomas', 'PRV2', 'approved', NOW - 2 * DAY, 'so2'], // 3: decided with 2, listed before it (larger id)
  ['wzhang', 'PRV1', 'approved', NOW - 10 * DAY, 'so1', HQR], // 4
  ['azimmer', 'PRV2', 'rejected', NOW - 20 * DAY, 'so2'], // 5
  ['usmith', 'PRV1', 'approved', NOW - 3 * DAY, 'so1'], // 6
  ['xsmith', 'PRV1', 'approved', NOW - 4 * DAY, 'so1'], // 7
  ['rthompson', 'PRV2', 'rejected', NOW - 5 * DAY, 'so2'], // 8
  ['badams', 'ST1', 'approved', NOW - 40 * DAY, 'so1'], // 9
  ['athompson', 'PRV1', 'approved', NOW - 6 * DAY, 'so1'], // 10
  ['wzhang', 'PRV1', 'cancelled', NOW - 1 * DAY], // 11: withdrawn, never in History
  ['dormant1', 'PRV1', 'pending', NOW - 2 * HOUR], // 12
  ['dormant2', 'PRV1', 'pending', NOW - 10 * DAY], // 13
  ['referred1', 'PRV1', 'pending', NOW - 45 * DAY], // 14
  ['gone1', 'PRV2', 'pending', NOW - 8 * DAY], // 15
];

const scenario: Scenario = {
  programs: PROGRAMS,
  roles: ROLE_NAMES.map((name) => ({ name, securityOfficialKind: soKind(name) })),
  organizations: [
    { displayId: 'PRV1', name: 'Alpha Clinic', kind: 'provider', stateCode: null },
    { displayId: 'PRV2', name: 'Beta Home', kind: 'provider', stateCode: null },
    { displayId: 'ST1', name: 'State Survey Agency', kind: 'state', stateCode: 'MD' },
    { displayId: 'CMS', name: 'CMS', kind: 'cms', stateCode: null },
  ],
  users: PEOPLE.map(([userId, firstName, lastName, org, extra]) => ({
    userId,
    firstName,
    lastName,
    email: `${userId}@example.org`,
    ...NO_CONTACT,
    status: extra?.status ?? 'active',
    passwordHash: 'x',
    createdAt: NOW - 200 * DAY,
    lastSignInAt: extra?.lastSignInAt === undefined ? NOW - DAY : extra.lastSignInAt,
    proofingState: extra?.proofing ?? 'proofed_remote',
    homeOrganization: org,
  })),
  credentials: [],
  assignments: [
    { userId: 'so1', program: PROD, organization: 'PRV1', role: 'Provider Security Official', grantedAt: NOW - 300 * DAY },
    { userId: 'so2', program: PROD, organization: 'PRV2', role: 'Provider Security Official', grantedAt: NOW - 300 * DAY },
  ],
  requests: REQUESTS.map(([requester, org, status, at, decidedBy, program]) => ({
    requester,
    program: program ?? PROD,
    organization: org,
    role: org === 'ST1' ? 'Surveyor' : 'Provider Basic User',
    justification: '',
    status,
    requestedAt: status === 'pending' ? at : at - HOUR,
    decidedAt: status === 'pending' ? null : at,
    decidedBy: decidedBy ?? null,
    reason: status === 'rejected' ? 'Not needed' : null,
  })),
};

/** Audit events, an hour apart from T0: [action, actor, subject, organization, request]. */
const T0 = NOW - 30 * DAY;
const EVENTS: Array<[AuditAction, string | null, string | null, string | null, number | null]> = [
  ['signin.succeeded', 'so1', null, null, null], // 1: PRV1 by so1's role
  ['request.approved', 'so1', 'rthompson', 'PRV1', 1], // 2
  ['request.rejected', 'so1', 'athompson', 'PRV1', 2], // 3
  ['request.approved', 'so2', 'zthomas', 'PRV2', 3], // 4
  ['role.removed', 'so1', 'rthompson', 'PRV1', null], // 5: about request 1's grant, without its id
  ['signin.failed', null, 'badams', null, null], // 6: ST1 by badams' home organization
  ['signin.succeeded', 'so2', null, null, null], // 7: PRV2
  ['request.filed', 'dormant1', 'dormant1', 'PRV1', 12], // 8
];

interface Ids {
  user: Record<string, number>;
  org: Record<string, number>;
  program: Record<string, number>;
}

async function arrange({ db, context, clock }: StoreUnderTest): Promise<Ids> {
  await db.transaction((tx) => insertScenario(tx, scenario));
  const map = async (sql: string) => Object.fromEntries((await db.all<{ k: string; id: number }>(sql)).map((r) => [r.k, r.id]));
  const ids: Ids = {
    user: await map('SELECT user_id AS k, id FROM users'),
    org: await map('SELECT display_id AS k, id FROM organizations'),
    program: await map('SELECT name AS k, id FROM programs'),
  };
  await db.run('UPDATE users SET deactivated_at = ? WHERE user_id = ?', [NOW - 3 * DAY, 'gone1']);
  await db.run('UPDATE users SET proofing_referred_at = ? WHERE user_id = ?', [NOW - 50 * DAY, 'referred1']);
  const of = (table: Record<string, number>, key: string | null) => (key === null ? null : (table[key] ?? null));
  for (const [i, [action, actor, subject, org, request]] of EVENTS.entries()) {
    clock.set(T0 + i * HOUR);
    await db.transaction((tx) =>
      context.appendAudit(tx, [
        { action, actorId: of(ids.user, actor), subjectUserId: of(ids.user, subject), organizationId: of(ids.org, org), requestId: request, details: { n: i } },
      ]),
    );
  }
  clock.set(NOW);
  return ids;
}

/** Every page of a History list, `limit` at a time, following each page's last row as the cursor. */
async function historyPages(store: SqlHistoryStore, scope: HistoryScope, filter: HistoryFilter, limit: number) {
  const pages: Array<{ ids: number[]; more: boolean; cursor: HistoryKey | null }> = [];
  let after: HistoryKey | null = null;
  for (let guard = 0; guard < 20; guard++) {
    const page = await store.page(scope, filter, after, limit);
    const last: HistoryRecord | undefined = page.rows.at(-1);
    const cursor: HistoryKey | null = !last
      ? null
      : filter.name
        ? { sort: 'name', lastName: last.lastName, firstName: last.firstName, decidedAt: last.decidedAt, id: last.id }
        : { sort: 'decided', decidedAt: last.decidedAt, id: last.id };
    pages.push({ ids: page.rows.map((r) => r.id), more: page.more, cursor });
    if (!page.more) return pages;
    after = cursor;
  }
  throw new Error('History paging did not end');
}

/** Every page of an Audit trail list, by event id. */
async function auditPages(store: SqlAuditTrailStore, scope: AuditScope, filter: AuditFilter, limit: number) {
  const pages: Array<{ ids: number[]; more: boolean }> = [];
  let before: number | null = null;
  for (let guard = 0; guard < 20; guard++) {
    const page = await store.page(scope, filter, before, limit);
    pages.push({ ids: page.rows.map((r) => r.id), more: page.more });
    if (!page.more) return pages;
    before = page.rows.at(-1)?.id ?? null;
  }
  throw new Error('Audit paging did not end');
}

const flat = (pages: Array<{ ids: number[] }>) => pages.flatMap((p) => p.ids);

describe.each(ENGINES)('Request History on %s', (engine) => {
  const engines = useStoreEngines();

  it('pages every decision newest first (ties by id), by keyset, whole or by organization; never a pending or withdrawn request', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlHistoryStore(u.context);
    const all = await historyPages(store, { kind: 'all' }, {}, 3);
    expect(all.map((p) => p.ids)).toEqual([[1, 3, 2], [6, 7, 8], [10, 4, 5], [9]]);
    expect(all.map((p) => p.more)).toEqual([true, true, true, false]);
    expect(all[0]?.cursor).toEqual({ sort: 'decided', decidedAt: NOW - 2 * DAY, id: 2 });
    // Two organizations: two index ranges merged into one order.
    const two = await historyPages(store, { kind: 'organizations', organizationIds: [ids.org.PRV2!, ids.org.PRV1!, ids.org.PRV2!] }, {}, 4);
    expect(two.map((p) => p.ids)).toEqual([[1, 3, 2, 6], [7, 8, 10, 4], [5]]);
    expect(flat(await historyPages(store, { kind: 'organizations', organizationIds: [ids.org.ST1!] }, {}, 5))).toEqual([9]);
    expect(await store.page({ kind: 'organizations', organizationIds: [] }, {}, null, 5)).toEqual({ rows: [], more: false });
    expect(await store.page({ kind: 'organizations', organizationIds: [ids.org.CMS!] }, {}, null, 5)).toEqual({ rows: [], more: false });
  });

  it('searches names by prefix whatever the case, lists them by name then newest first, and pages by the name keyset', async () => {
    const u = await engines.open(engine, NOW);
    await arrange(u);
    const store = new SqlHistoryStore(u.context);
    const thom = await historyPages(store, { kind: 'all' }, { name: { last: 'thom' } }, 2);
    // Thomas, then Thompson Amy (stored "thompson") and Thompson Rob; each name newest first.
    expect(thom.map((p) => p.ids)).toEqual([[3, 2], [10, 1], [8]]);
    expect(thom[0]?.cursor).toEqual({ sort: 'name', lastName: 'thompson', firstName: 'Amy', decidedAt: NOW - 2 * DAY, id: 2 });
    expect(flat(await historyPages(store, { kind: 'all' }, { name: { last: 'THOMPSON', first: 'r' } }, 5))).toEqual([1, 8]);
    // LIKE's wildcards are the name's own characters.
    expect(flat(await historyPages(store, { kind: 'all' }, { name: { last: 'smith_' } }, 5))).toEqual([6]);
    expect(flat(await historyPages(store, { kind: 'all' }, { name: { last: 'Smith' } }, 5))).toEqual([6, 7]);
    // A prefix ending in Z (its range ends where lower-case z ends).
    expect(flat(await historyPages(store, { kind: 'all' }, { name: { last: 'Z' } }, 5))).toEqual([4, 5]);
    expect(flat(await historyPages(store, { kind: 'all' }, { name: { last: 'z' } }, 5))).toEqual([4, 5]);
    expect(await store.page({ kind: 'all' }, { name: { last: 'Nobody' } }, null, 5)).toEqual({ rows: [], more: false });
    // A name cursor given to a list by date continues by date.
    const byDate = await store.page({ kind: 'all' }, {}, { sort: 'name', lastName: 'thompson', firstName: 'Amy', decidedAt: NOW - 2 * DAY, id: 2 }, 3);
    expect(byDate.rows.map((r) => r.id)).toEqual([6, 7, 8]);
  });

  it('filters by period, program, organization and decision', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlHistoryStore(u.context);
    const list = async (filter: HistoryFilter, scope: HistoryScope = { kind: 'all' }) => flat(await historyPages(store, scope, filter, 2));
    expect(await list({ from: NOW - 5 * DAY, to: NOW - 2 * DAY })).toEqual([3, 2, 6, 7, 8]);
    expect(await list({ programId: ids.program[HQR]! })).toEqual([4]);
    expect(await list({ status: 'rejected' })).toEqual([2, 8, 5]);
    expect(await list({ organizationId: ids.org.PRV2! })).toEqual([3, 8, 5]);
    expect(await list({ organizationId: ids.org.PRV2!, status: 'approved', name: { last: 'thomas' } })).toEqual([3]);
    expect(await list({ from: NOW })).toEqual([]);
  });

  it('reads one decision, its events, and the names, emails, programs and organizations the view shows', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlHistoryStore(u.context);
    expect(await store.byId(2)).toEqual({
      id: 2,
      requesterId: ids.user.athompson,
      firstName: 'Amy',
      lastName: 'thompson',
      program: PROD,
      programId: ids.program[PROD],
      organization: { id: ids.org.PRV1, displayId: 'PRV1', name: 'Alpha Clinic', kind: 'provider' },
      role: 'Provider Basic User',
      status: 'rejected',
      requestedAt: NOW - 2 * DAY - HOUR,
      decidedAt: NOW - 2 * DAY,
      decidedBy: ids.user.so1,
      decidedByEmail: 'so1@example.org',
      reason: 'Not needed',
    });
    expect(await store.byId(11)).toBeNull();
    expect(await store.byId(12)).toBeNull();
    expect(await store.byId(999)).toBeNull();

    const events = await store.eventsFor({ id: 1, requesterId: ids.user.rthompson!, organizationId: ids.org.PRV1!, since: T0 });
    expect(events.map((e) => [e.id, e.action, e.actorId, e.subjectUserId, e.organizationId, e.requestId])).toEqual([
      [2, 'request.approved', ids.user.so1, ids.user.rthompson, ids.org.PRV1, 1],
      [5, 'role.removed', ids.user.so1, ids.user.rthompson, ids.org.PRV1, null],
    ]);
    expect(events[0]).toMatchObject({ at: T0 + HOUR, details: '{"n":1}' });
    expect(events[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(events[1]?.prevHash).not.toBe(events[0]?.hash); // event 4 lies between them
    expect(await store.eventsFor({ id: 1, requesterId: ids.user.rthompson!, organizationId: ids.org.PRV1!, since: T0 + 5 * HOUR })).toHaveLength(1);

    expect(await store.emails([ids.user.so2!, ids.user.so1!, ids.user.so2!])).toEqual(
      new Map([
        [ids.user.so1, 'so1@example.org'],
        [ids.user.so2, 'so2@example.org'],
      ]),
    );
    expect(await store.emails([])).toEqual(new Map());
    expect(await store.userIds([ids.user.badams!, 424242])).toEqual(new Map([[ids.user.badams, 'badams']]));
    expect(await store.userIds([])).toEqual(new Map());

    expect((await store.programs()).map((p) => p.name)).toEqual([...PROGRAMS]);
    expect((await store.organizations()).map((o) => o.displayId)).toEqual(['PRV1', 'PRV2', 'CMS', 'ST1']);
    expect(await store.organizations([ids.org.ST1!, ids.org.PRV2!])).toEqual([
      { id: ids.org.PRV2, displayId: 'PRV2', name: 'Beta Home', kind: 'provider' },
      { id: ids.org.ST1, displayId: 'ST1', name: 'State Survey Agency', kind: 'state' },
    ]);
    expect(await store.organizations([])).toEqual([]);
    expect(await store.organizationByDisplayId('ST1')).toEqual({ id: ids.org.ST1, displayId: 'ST1', name: 'State Survey Agency', kind: 'state' });
    expect(await store.organizationByDisplayId('st1')).toBeNull();
    expect(await store.programId(HQR)).toBe(ids.program[HQR]);
    expect(await store.programId('Nope')).toBeNull();
  });

  it('counts decisions in a period and finds the span of decisions in scope', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlHistoryStore(u.context);
    const all: HistoryScope = { kind: 'all' };
    expect(await store.countDecisions(all, undefined, undefined, NOW - 30 * DAY, NOW)).toEqual({ approved: 6, rejected: 3 });
    expect(await store.countDecisions(all, ids.org.PRV1, undefined, NOW - 30 * DAY, NOW)).toEqual({ approved: 5, rejected: 1 });
    expect(await store.countDecisions(all, undefined, ids.program[HQR], NOW - 30 * DAY, NOW)).toEqual({ approved: 1, rejected: 0 });
    const mine: HistoryScope = { kind: 'organizations', organizationIds: [ids.org.PRV2!, ids.org.ST1!] };
    expect(await store.countDecisions(mine, undefined, undefined, NOW - 50 * DAY, NOW - 2 * DAY)).toEqual({ approved: 2, rejected: 2 });
    expect(await store.countDecisions({ kind: 'organizations', organizationIds: [] }, undefined, undefined, 0, NOW)).toEqual({ approved: 0, rejected: 0 });

    expect(await store.decidedSpan(all)).toEqual({ first: NOW - 40 * DAY, last: NOW - DAY });
    expect(await store.decidedSpan(mine)).toEqual({ first: NOW - 40 * DAY, last: NOW - 2 * DAY });
    expect(await store.decidedSpan(all, ids.org.PRV2)).toEqual({ first: NOW - 20 * DAY, last: NOW - 2 * DAY });
    expect(await store.decidedSpan(all, ids.org.CMS)).toBeNull();
    expect(await store.decidedSpan({ kind: 'organizations', organizationIds: [] })).toBeNull();
  });
});

describe.each(ENGINES)('Audit trail on %s', (engine) => {
  const engines = useStoreEngines();

  it('pages every event newest first by id, and narrows by action, organization, person, request and period', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlAuditTrailStore(u.context);
    const all: AuditScope = { kind: 'all' };
    const pages = await auditPages(store, all, {}, 3);
    expect(pages).toEqual([
      { ids: [8, 7, 6], more: true },
      { ids: [5, 4, 3], more: true },
      { ids: [2, 1], more: false },
    ]);
    const first = (await store.page(all, {}, null, 1)).rows[0];
    expect(first).toEqual({
      id: 8,
      at: T0 + 7 * HOUR,
      action: 'request.filed',
      actorUserId: 'dormant1',
      subjectUserId: 'dormant1',
      organization: { displayId: 'PRV1', name: 'Alpha Clinic', kind: 'provider' },
      requestId: 12,
      details: '{"n":7}',
    });
    expect((await store.page(all, {}, 7, 1)).rows[0]).toMatchObject({ id: 6, actorUserId: null, subjectUserId: 'badams', organization: null, requestId: null });

    const list = async (filter: AuditFilter, scope: AuditScope = all) => flat(await auditPages(store, scope, filter, 2));
    expect(await list({ actionPrefixes: ['signin.'] })).toEqual([7, 6, 1]);
    expect(await list({ actionPrefixes: ['request.approved', 'role.removed'] })).toEqual([5, 4, 2]);
    expect(await list({ actionPrefixes: ['request.'] })).toEqual([8, 4, 3, 2]);
    expect(await list({ requestId: 1 })).toEqual([2]);
    expect(await list({ subjectId: ids.user.rthompson })).toEqual([5, 2]);
    expect(await list({ from: T0 + 2 * HOUR, to: T0 + 5 * HOUR })).toEqual([6, 5, 4, 3]);
    expect(await list({ from: T0 + 2 * HOUR + 1, to: T0 + 5 * HOUR - 1 })).toEqual([5, 4]);
    expect(await list({ organizationId: ids.org.PRV1 })).toEqual([8, 5, 3, 2, 1]);
    expect(await list({ organizationId: ids.org.PRV1, actionPrefixes: ['request.'] })).toEqual([8, 3, 2]);

    const prv2: AuditScope = { kind: 'organizations', organizationIds: [ids.org.PRV2!] };
    expect(await list({}, prv2)).toEqual([7, 4]);
    expect(await list({}, { kind: 'organizations', organizationIds: [ids.org.PRV2!, ids.org.ST1!] })).toEqual([7, 6, 4]);
    expect(await list({ subjectId: ids.user.rthompson }, prv2)).toEqual([]);
    expect(await list({ subjectId: ids.user.rthompson }, { kind: 'organizations', organizationIds: [ids.org.PRV1!] })).toEqual([5, 2]);
    expect(await list({ actionPrefixes: ['signin.succeeded'] }, prv2)).toEqual([7]);

    // Nothing to find: empty answers, not errors.
    const none = { rows: [], more: false };
    expect(await store.page(prv2, { organizationId: ids.org.PRV1 }, null, 5)).toEqual(none);
    expect(await store.page({ kind: 'organizations', organizationIds: [] }, {}, null, 5)).toEqual(none);
    expect(await store.page(all, { actionPrefixes: ['mail.'] }, null, 5)).toEqual(none);
    expect(await store.page(all, { from: NOW }, null, 5)).toEqual(none);
    expect(await store.page(all, {}, 1, 5)).toEqual(none);
  });

  it('finds the distinct actions, the id range of a period, and a user by User ID whatever the case', async () => {
    const u = await engines.open(engine, NOW);
    const store = new SqlAuditTrailStore(u.context);
    expect(await store.actions()).toEqual([]);
    expect(await store.idBounds()).toBeNull();
    expect(await store.page({ kind: 'all' }, {}, null, 5)).toEqual({ rows: [], more: false });
    const ids = await arrange(u);
    expect(await store.actions()).toEqual(['request.approved', 'request.filed', 'request.rejected', 'role.removed', 'signin.failed', 'signin.succeeded']);
    expect(await store.idBounds()).toEqual({ first: 1, last: 8 });
    expect(await store.idBounds(T0 + HOUR, T0 + 3 * HOUR + 1)).toEqual({ first: 2, last: 4 });
    expect(await store.idBounds(T0 + 8 * HOUR)).toBeNull();
    expect(await store.idBounds(undefined, T0 - 1)).toBeNull();
    expect(await store.userRowId('SO1')).toBe(ids.user.so1);
    expect(await store.userRowId('nobody')).toBeNull();
  });
});

describe.each(ENGINES)('Home figures on %s', (engine) => {
  const engines = useStoreEngines();

  it('ages pending requests, names the busiest organizations, and counts decisions by week', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlHomeStore(u.context);
    expect(await store.pendingAges('all', NOW - 7 * DAY, NOW - 30 * DAY)).toEqual({ recent: 1, month: 2, older: 1 });
    expect(await store.pendingAges(ids.org.PRV1!, NOW - 7 * DAY, NOW - 30 * DAY)).toEqual({ recent: 1, month: 1, older: 1 });
    expect(await store.pendingAges(ids.org.PRV2!, NOW - 7 * DAY, NOW - 30 * DAY)).toEqual({ recent: 0, month: 1, older: 0 });
    expect(await store.pendingAges(ids.org.CMS!, NOW - 7 * DAY, NOW - 30 * DAY)).toEqual({ recent: 0, month: 0, older: 0 });
    // A window within one day: the edge counts alone.
    expect(await store.pendingAges('all', NOW - 3 * HOUR, NOW - 4 * HOUR)).toEqual({ recent: 1, month: 0, older: 3 });

    expect(await store.busiestOrganizations(5)).toEqual([
      { id: ids.org.PRV1, displayId: 'PRV1', name: 'Alpha Clinic', pending: 3 },
      { id: ids.org.PRV2, displayId: 'PRV2', name: 'Beta Home', pending: 1 },
    ]);
    expect(await store.busiestOrganizations(1)).toHaveLength(1);

    expect(await store.decisionsByWeek('all', NOW, 7 * DAY, 4)).toEqual([
      { week: 0, approved: 5, rejected: 2 },
      { week: 1, approved: 1, rejected: 0 },
      { week: 2, approved: 0, rejected: 1 },
      { week: 3, approved: 0, rejected: 0 },
    ]);
    expect(await store.decisionsByWeek([ids.org.PRV1!, ids.org.ST1!], NOW, 7 * DAY, 6)).toEqual([
      { week: 0, approved: 4, rejected: 1 },
      { week: 1, approved: 1, rejected: 0 },
      { week: 2, approved: 0, rejected: 0 },
      { week: 3, approved: 0, rejected: 0 },
      { week: 4, approved: 0, rejected: 0 },
      { week: 5, approved: 1, rejected: 0 },
    ]);
    expect(await store.decisionsByWeek([], NOW, 7 * DAY, 1)).toEqual([{ week: 0, approved: 0, rejected: 0 }]);
  });

  it('counts and lists unused, deactivated and referred accounts, account-wide and by organization', async () => {
    const u = await engines.open(engine, NOW);
    const ids = await arrange(u);
    const store = new SqlHomeStore(u.context);
    const prv1 = [ids.org.PRV1!];
    const person = (userId: string, firstName: string, lastName: string, at: number) => ({ rowId: ids.user[userId], userId, firstName, lastName, at });

    expect(await store.activeUnusedSinceCount('all', NOW - 120 * DAY)).toBe(1);
    expect(await store.activeUnusedSinceCount('all', NOW - 90 * DAY)).toBe(2);
    expect(await store.activeUnusedSinceCount('all', NOW - 250 * DAY)).toBe(0);
    expect(await store.activeUnusedSinceCount(prv1, NOW - 90 * DAY)).toBe(2);
    expect(await store.activeUnusedSinceCount([ids.org.PRV2!], NOW - 90 * DAY)).toBe(0);
    expect(await store.activeUnusedSinceCount([], NOW)).toBe(0);
    const dormant = [person('dormant1', 'Dora', 'Mant', NOW - 125 * DAY), person('dormant2', 'Dan', 'Mant', NOW - 100 * DAY)];
    expect(await store.activeUnusedSince('all', NOW - 90 * DAY, 5)).toEqual(dormant);
    expect(await store.activeUnusedSince(prv1, NOW - 90 * DAY, 5)).toEqual(dormant);
    expect(await store.activeUnusedSince([ids.org.PRV2!, ...prv1], NOW - 90 * DAY, 1)).toEqual(dormant.slice(0, 1));
    expect(await store.activeUnusedSince([], NOW, 5)).toEqual([]);

    expect(await store.deactivatedSinceCount('all', NOW - 30 * DAY)).toBe(1);
    expect(await store.deactivatedSinceCount('all', NOW - DAY)).toBe(0);
    expect(await store.deactivatedSinceCount([ids.org.PRV2!], NOW - 30 * DAY)).toBe(1);
    expect(await store.deactivatedSinceCount(prv1, NOW - 30 * DAY)).toBe(0);
    expect(await store.deactivatedSinceCount([], 0)).toBe(0);

    expect(await store.referredInPersonCount('all')).toBe(1);
    expect(await store.referredInPersonCount(prv1)).toBe(1);
    expect(await store.referredInPersonCount([ids.org.PRV2!])).toBe(0);
    expect(await store.referredInPersonCount([])).toBe(0);
    const referred = [person('referred1', 'Rita', 'Ferred', NOW - 50 * DAY)];
    expect(await store.referredInPerson('all', 5)).toEqual(referred);
    expect(await store.referredInPerson(prv1, 5)).toEqual(referred);
    expect(await store.referredInPerson([ids.org.PRV2!], 5)).toEqual([]);

    expect(await store.organizations([ids.org.ST1!, ids.org.PRV2!, ids.org.PRV1!])).toEqual([
      { id: ids.org.PRV1, displayId: 'PRV1', name: 'Alpha Clinic' },
      { id: ids.org.PRV2, displayId: 'PRV2', name: 'Beta Home' },
      { id: ids.org.ST1, displayId: 'ST1', name: 'State Survey Agency' },
    ]);
    expect(await store.organizations([])).toEqual([]);
  });
});

describe('the read stores answer the same on SQLite and PostgreSQL', () => {
  const engines = useStoreEngines();

  /** Every method's answers over the arranged rows, as data to compare. */
  async function transcript(u: StoreUnderTest): Promise<unknown[]> {
    const ids = await arrange(u);
    const history = new SqlHistoryStore(u.context);
    const audit = new SqlAuditTrailStore(u.context);
    const home = new SqlHomeStore(u.context);
    const orgs: HistoryScope = { kind: 'organizations', organizationIds: [ids.org.PRV1!, ids.org.PRV2!] };
    const out: unknown[] = [];
    for (const limit of [1, 2, 4]) {
      out.push(await historyPages(history, { kind: 'all' }, {}, limit));
      out.push(await historyPages(history, orgs, { status: 'approved' }, limit));
      out.push(await historyPages(history, { kind: 'all' }, { name: { last: 'T' } }, limit));
      out.push(await historyPages(history, orgs, { name: { last: 's' }, from: NOW - 30 * DAY }, limit));
      out.push(await auditPages(audit, { kind: 'all' }, {}, limit));
      out.push(
        await auditPages(audit, { kind: 'organizations', organizationIds: [ids.org.PRV1!, ids.org.ST1!] }, { actionPrefixes: ['signin.', 'request.'] }, limit),
      );
    }
    out.push((await history.page({ kind: 'all' }, {}, null, 20)).rows);
    out.push((await audit.page({ kind: 'all' }, {}, null, 20)).rows);
    out.push(await history.byId(9), await history.eventsFor({ id: 2, requesterId: ids.user.athompson!, organizationId: ids.org.PRV1!, since: 0 }));
    out.push([...(await history.emails(Object.values(ids.user)))], [...(await history.userIds(Object.values(ids.user)))]);
    out.push(await history.countDecisions({ kind: 'all' }, undefined, undefined, 0, NOW), await history.decidedSpan(orgs));
    out.push(await history.programs(), await history.organizations(), await history.organizationByDisplayId('PRV2'), await history.programId(PROD));
    out.push(await audit.actions(), await audit.idBounds(T0 + 30 * 60_000, T0 + 6 * HOUR), await audit.userRowId('BADAMS'));
    out.push(await home.pendingAges('all', NOW - 7 * DAY, NOW - 30 * DAY), await home.busiestOrganizations(10));
    out.push(await home.decisionsByWeek('all', NOW, 7 * DAY, 12), await home.decisionsByWeek([ids.org.PRV2!], NOW - 12 * HOUR, DAY, 30));
    for (const scope of ['all', [ids.org.PRV1!, ids.org.PRV2!]] as const) {
      out.push(await home.activeUnusedSinceCount(scope, NOW - 60 * DAY), await home.activeUnusedSince(scope, NOW, 20));
      out.push(await home.deactivatedSinceCount(scope, 0), await home.referredInPersonCount(scope), await home.referredInPerson(scope, 20));
    }
    out.push(await home.organizations(Object.values(ids.org)));
    return out;
  }

  it('gives the same pages, cursors, rows, counts and figures', async () => {
    const sqlite = await transcript(await engines.open('sqlite', NOW));
    const postgres = await transcript(await engines.open('postgres', NOW));
    expect(JSON.stringify(sqlite).length).toBeGreaterThan(5000);
    expect(postgres).toEqual(sqlite);
  });
});

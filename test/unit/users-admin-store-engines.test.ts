import { describe, expect, it } from 'vitest';
import type { UserStatus } from '../../shared/domain.js';
import type { OutboxDraft } from '../../main/store/outbox-rows.js';
import { insertScenario, type Scenario } from '../../main/store/seed.js';
import { slot, slotText, type Slotted } from '../../main/store/slots.js';
import type { SqlExecutor } from '../../main/store/sql.js';
import type { AuditDraft } from '../../main/store/types.js';
import { SqlUserAdminStore, compareNames, type LookupScope, type LookupUser, type NameKey } from '../../main/store/users-admin-store.js';
import { ENGINES, useStoreEngines, type Engine } from '../support/store-engines.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 15);

type Spec = {
  userId: string;
  first: string;
  last: string;
  home: string;
  status?: UserStatus;
  proofed?: boolean;
  lastSignInAt?: number | null;
  createdAt?: number;
};

const PEOPLE: Spec[] = [
  { userId: 'SOAlpha1', first: 'Sam', last: 'Official', home: 'PRV1' },
  { userId: 'SOAlpha2', first: 'Sara', last: 'Officer', home: 'PRV1' },
  { userId: 'SOBeta1', first: 'Pat', last: 'Other', home: 'PRV2' },
  { userId: 'CMSOne', first: 'Casey', last: 'Central', home: 'CMS' },
  { userId: 'StateOne', first: 'Sue', last: 'Statewide', home: 'ST1' },
  { userId: 'AnnB1', first: 'Ann', last: 'Baker', home: 'PRV1' },
  { userId: 'AnnB2', first: 'Ann', last: 'baker', home: 'PRV1' },
  { userId: 'BobB', first: 'bob', last: 'BAKER', home: 'PRV2' },
  { userId: 'ZoeA', first: 'Zoe', last: 'adams', home: 'PRV1', createdAt: NOW - 200 * DAY, lastSignInAt: NOW - 200 * DAY },
  { userId: 'Elodie', first: 'Élodie', last: 'Ćwik', home: 'PRV2' },
  { userId: 'AlBakerson', first: 'Al', last: 'Bakerson', home: 'PRV1', createdAt: NOW - 200 * DAY, lastSignInAt: NOW - 121 * DAY },
  { userId: 'YanOB', first: 'Yan', last: "O'Brien", home: 'PRV2' },
  { userId: 'DirkVD', first: 'Dirk', last: 'van Dyke', home: 'PRV1', createdAt: NOW - 200 * DAY, lastSignInAt: null },
  { userId: 'MiaZ', first: 'Mia', last: 'Zed', home: 'PRV1' },
  { userId: 'RaePending', first: 'Rae', last: 'Pending', home: 'PRV2', status: 'pending', proofed: false, lastSignInAt: null },
  { userId: 'KimLocked', first: 'Kim', last: 'Locked', home: 'PRV1', status: 'locked', createdAt: NOW - 200 * DAY, lastSignInAt: NOW - 200 * DAY },
];

const PSO = 'Provider Security Official';
const BASIC = 'Provider Basic User';
const ROLES: Array<[userId: string, program: string, organization: string, role: string]> = [
  ['SOAlpha1', 'iQIES', 'PRV1', PSO],
  ['SOAlpha2', 'iQIES', 'PRV1', PSO],
  ['SOBeta1', 'iQIES', 'PRV2', PSO],
  ['CMSOne', 'iQIES', 'CMS', 'CMS Security Official'],
  ['StateOne', 'iQIES', 'ST1', 'State Security Official'],
  ['AnnB1', 'iQIES', 'PRV1', BASIC],
  ['AnnB2', 'iQIES', 'PRV1', BASIC],
  ['AnnB2', 'iQIES', 'PRV2', BASIC],
  ['AnnB2', 'HARP', 'PRV2', BASIC],
  ['BobB', 'iQIES', 'PRV2', BASIC],
  ['ZoeA', 'iQIES', 'PRV1', BASIC],
  ['Elodie', 'iQIES', 'PRV2', BASIC],
  ['AlBakerson', 'iQIES', 'PRV1', BASIC],
  ['YanOB', 'iQIES', 'PRV2', BASIC],
  ['DirkVD', 'iQIES', 'PRV1', BASIC],
  ['MiaZ', 'HARP', 'PRV1', BASIC],
  ['KimLocked', 'iQIES', 'PRV1', BASIC],
];

const SCENARIO: Scenario = {
  programs: ['iQIES', 'HARP'],
  roles: [
    { name: PSO, securityOfficialKind: 'provider' },
    { name: 'State Security Official', securityOfficialKind: 'state' },
    { name: 'CMS Security Official', securityOfficialKind: 'cms' },
    { name: BASIC, securityOfficialKind: null },
    { name: 'Surveyor', securityOfficialKind: null },
  ],
  organizations: [
    { displayId: 'PRV1', name: 'Alpha Clinic', kind: 'provider', stateCode: 'MD' },
    { displayId: 'PRV2', name: 'Beta Clinic', kind: 'provider', stateCode: 'VA' },
    { displayId: 'ST1', name: 'State Agency', kind: 'state', stateCode: 'MD' },
    { displayId: 'CMS', name: 'CMS', kind: 'cms', stateCode: null },
  ],
  users: PEOPLE.map((p) => ({
    userId: p.userId,
    firstName: p.first,
    lastName: p.last,
    email: `${p.userId.toLowerCase()}@example.org`,
    phone: '410-555-0100',
    dateOfBirth: '1980-01-01',
    addressLine1: '1 Main St',
    city: 'Baltimore',
    state: 'MD',
    zip: '21201',
    status: p.status ?? 'active',
    passwordHash: 'hash-of-a-password',
    createdAt: p.createdAt ?? NOW - 30 * DAY,
    lastSignInAt: p.lastSignInAt === undefined ? NOW - DAY : p.lastSignInAt,
    proofingState: p.proofed === false ? 'not_started' : 'proofed_remote',
    homeOrganization: p.home,
  })),
  credentials: PEOPLE.filter((p) => p.proofed !== false).map((p) => ({
    userId: p.userId,
    credentialId: `SOCT-${p.userId}`,
    label: 'phone',
    secretSealed: Buffer.from('sealed'),
    createdAt: NOW - 30 * DAY,
  })),
  assignments: ROLES.map(([userId, program, organization, role]) => ({ userId, program, organization, role, grantedAt: NOW - 20 * DAY })),
  requests: [
    {
      requester: 'RaePending',
      program: 'iQIES',
      organization: 'PRV2',
      role: BASIC,
      justification: 'New hire',
      status: 'pending',
      requestedAt: NOW - DAY,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    },
  ],
};

interface Ids {
  user: Record<string, number>;
  org: Record<string, number>;
  program: Record<string, number>;
  role: Record<string, number>;
}

async function idsOf(db: SqlExecutor): Promise<Ids> {
  const map = async (sql: string) => Object.fromEntries((await db.all<{ k: string; id: number }>(sql)).map((r) => [r.k, r.id]));
  return {
    user: await map('SELECT user_id AS k, id FROM users'),
    org: await map('SELECT display_id AS k, id FROM organizations'),
    program: await map('SELECT name AS k, id FROM programs'),
    role: await map('SELECT name AS k, id FROM roles'),
  };
}

/** Every row a user-admin write could touch, to prove a refused call changed nothing. */
async function snapshot(db: SqlExecutor): Promise<Record<string, unknown[]>> {
  const tables = ['users', 'role_assignments', 'role_requests', 'mfa_credentials', 'user_directory', 'program_user_counts', 'audit_events', 'outbox'];
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = await db.all(`SELECT * FROM ${t} ORDER BY 1, 2`);
  return out;
}

const auditRows = (db: SqlExecutor) =>
  db.all<{
    action: string;
    actor_id: number | null;
    subject_user_id: number | null;
    organization_id: number | null;
    request_id: number | null;
    details: string;
  }>('SELECT action, actor_id, subject_user_id, organization_id, request_id, details FROM audit_events ORDER BY id');
const outboxRows = (db: SqlExecutor) =>
  db.all<{ to_address: string; subject: string; body: string; kind: string; organization_id: number | null; request_id: number | null; status: string }>(
    'SELECT to_address, subject, body, kind, organization_id, request_id, status FROM outbox ORDER BY id',
  );

const names = (rows: readonly { lastName: string; firstName: string }[]) => rows.map((r) => `${r.lastName}, ${r.firstName}`);

/** Walks every page of a browse by its keyset, as User Lookup's Next does. */
async function walk(store: SqlUserAdminStore, scope: LookupScope, direction: 'asc' | 'desc', limit: number, prefix?: string): Promise<LookupUser[][]> {
  const pages: LookupUser[][] = [];
  let after: NameKey | null = null;
  for (let guard = 0; guard < 50; guard += 1) {
    const page = await store.browse(scope, after, direction, limit, prefix);
    if (page.length === 0) break;
    pages.push(page);
    after = page[page.length - 1]!;
    if (page.length < limit) break;
  }
  return pages;
}

/** What each engine answered, compared after both have run. */
const answers: Partial<Record<Engine, Record<string, unknown>>> = {};

describe.each(ENGINES)('the user-admin store on %s', (engine) => {
  const engines = useStoreEngines();
  const open = async () => {
    const under = await engines.open(engine, NOW);
    await under.db.transaction((tx) => insertScenario(tx, SCENARIO));
    return { ...under, store: new SqlUserAdminStore(under.context), ids: await idsOf(under.db) };
  };
  const record = (key: string, value: unknown) => {
    answers[engine] ??= {};
    answers[engine][key] = value;
  };

  it('pages User Lookup in NOCASE name order by keyset, each user once, both ways, for one organization, several, many, or all', async () => {
    const { store, ids } = await open();
    const iqies = ids.program['iQIES']!;
    const inIqies = PEOPLE.filter((p) => ROLES.some(([u, program]) => u === p.userId && program === 'iQIES') || p.userId === 'RaePending');
    const expected = (people: Spec[]) =>
      people
        .map((p) => ({ lastName: p.last, firstName: p.first, id: ids.user[p.userId]! }))
        .sort(compareNames)
        .map((k) => `${k.lastName}, ${k.firstName}`);
    const all: LookupScope = { programId: iqies, organizationIds: 'all' };
    const allPages = await walk(store, all, 'asc', 4);
    expect(allPages.map((p) => p.length).slice(0, -1)).toEqual(Array(allPages.length - 1).fill(4));
    expect(names(allPages.flat())).toEqual(expected(inIqies));
    // NOCASE folds A-Z only: "adams" sorts with the A's, "Ćwik" after every ASCII letter, ties by id.
    expect(names(allPages.flat()).slice(0, 5)).toEqual(['adams, Zoe', 'Baker, Ann', 'baker, Ann', 'BAKER, bob', 'Bakerson, Al']);
    expect(names(allPages.flat()).at(-1)).toBe('Ćwik, Élodie');
    const backwards = await walk(store, all, 'desc', 3);
    expect(names(backwards.flat())).toEqual(expected(inIqies).reverse());

    const two: LookupScope = { programId: iqies, organizationIds: [ids.org['PRV1']!, ids.org['PRV2']!] };
    const inTwo = inIqies.filter(
      (p) => ROLES.some(([u, program, org]) => u === p.userId && program === 'iQIES' && (org === 'PRV1' || org === 'PRV2')) || p.userId === 'RaePending',
    );
    const twoPages = await walk(store, two, 'asc', 3);
    expect(names(twoPages.flat())).toEqual(expected(inTwo));
    expect(twoPages.flat().filter((u) => u.userId === 'AnnB2')).toHaveLength(1);
    // More organizations than the merge takes: one query sorted by the database, same order.
    const many: LookupScope = { programId: iqies, organizationIds: [ids.org['PRV1']!, ids.org['PRV2']!, ...Array.from({ length: 45 }, (_, i) => 9000 + i)] };
    const manyPages = await walk(store, many, 'asc', 3);
    expect(names(manyPages.flat())).toEqual(expected(inTwo));
    expect(names((await walk(store, many, 'desc', 5)).flat())).toEqual(expected(inTwo).reverse());

    const bakers = await walk(store, all, 'asc', 2, 'bAK');
    expect(names(bakers.flat())).toEqual(['Baker, Ann', 'baker, Ann', 'BAKER, bob', 'Bakerson, Al']);
    expect(names((await walk(store, many, 'asc', 2, 'bak')).flat())).toEqual(['Baker, Ann', 'baker, Ann', 'BAKER, bob', 'Bakerson, Al']);
    expect(await store.browse({ programId: iqies, organizationIds: [] }, null, 'asc', 5)).toEqual([]);

    const first = allPages[0]![0]!;
    expect(first).toEqual({
      id: ids.user['ZoeA'],
      userId: 'ZoeA',
      firstName: 'Zoe',
      lastName: 'adams',
      email: 'zoea@example.org',
      status: 'active',
      lockedUntil: null,
      phone: '410-555-0100',
      proofingState: 'proofed_remote',
    });
    record('pages', { all: allPages, backwards, two: twoPages, many: manyPages, bakers });
  });

  it('counts users in scope, exactly up to a cap (All from its counter, always exactly), and last-name prefixes up to a cap', async () => {
    const { store, ids } = await open();
    const iqies = ids.program['iQIES']!;
    const prv1 = ids.org['PRV1']!;
    const prv2 = ids.org['PRV2']!;
    const exact = (n: number) => ({ n, more: false });
    const counts = {
      all: await store.count({ programId: iqies, organizationIds: 'all' }, 1000),
      allSmallCap: await store.count({ programId: iqies, organizationIds: 'all' }, 2),
      harp: await store.count({ programId: ids.program['HARP']!, organizationIds: 'all' }, 1000),
      prv1: await store.count({ programId: iqies, organizationIds: [prv1] }, 1000),
      prv1AtCap: await store.count({ programId: iqies, organizationIds: [prv1] }, 8),
      prv1OverCap: await store.count({ programId: iqies, organizationIds: [prv1] }, 7),
      both: await store.count({ programId: iqies, organizationIds: [prv1, prv2] }, 1000),
      bothAtCap: await store.count({ programId: iqies, organizationIds: [prv1, prv2] }, 13),
      bothOverCap: await store.count({ programId: iqies, organizationIds: [prv1, prv2] }, 12),
      none: await store.count({ programId: iqies, organizationIds: [] }, 1000),
      bakers: await store.countLastNamePrefix({ programId: iqies, organizationIds: 'all' }, 'BAK', 100),
      bakersCapped: await store.countLastNamePrefix({ programId: iqies, organizationIds: 'all' }, 'bak', 2),
      bakersPrv2: await store.countLastNamePrefix({ programId: iqies, organizationIds: [prv2] }, 'baker', 100),
      bakersNone: await store.countLastNamePrefix({ programId: iqies, organizationIds: [] }, 'baker', 100),
    };
    // iQIES: 16 people but Mia (HARP only); AnnB2 is in both clinics and counts once.
    expect(counts).toEqual({
      all: exact(15),
      allSmallCap: exact(15),
      harp: exact(2),
      prv1: exact(8),
      prv1AtCap: exact(8),
      prv1OverCap: { n: 7, more: true },
      both: exact(13),
      bothAtCap: exact(13),
      bothOverCap: { n: 12, more: true },
      none: exact(0),
      bakers: 4,
      bakersCapped: 2,
      bakersPrv2: 2,
      bakersNone: 0,
    });
    record('counts', counts);
  });

  it('finds first names, user IDs and emails by prefix without case, capped, and exact user IDs and emails, only in scope', async () => {
    const { store, ids } = await open();
    const iqies = ids.program['iQIES']!;
    const all: LookupScope = { programId: iqies, organizationIds: 'all' };
    const prv2: LookupScope = { programId: iqies, organizationIds: [ids.org['PRV2']!] };
    const ann = await store.otherPrefixMatches(all, 'aNN', 10);
    expect(ann.users.map((u) => u.userId)).toEqual(['AnnB1', 'AnnB2']);
    expect(ann.truncated).toBe(false);
    const so = await store.otherPrefixMatches(all, 'so', 2);
    expect(so.truncated).toBe(true);
    expect(so.users.map((u) => u.userId)).toEqual(['SOAlpha1', 'SOAlpha2']);
    expect((await store.otherPrefixMatches(prv2, 'so', 10)).users.map((u) => u.userId)).toEqual(['SOBeta1']);
    // NOCASE folds A-Z only: "ÉLO" finds Élodie, "élo" does not.
    expect((await store.otherPrefixMatches(prv2, 'ÉLO', 10)).users.map((u) => u.userId)).toEqual(['Elodie']);
    expect((await store.otherPrefixMatches(prv2, 'élo', 10)).users.map((u) => u.userId)).toEqual([]);
    expect((await store.otherPrefixMatches({ programId: iqies, organizationIds: [] }, 'a', 10)).users).toEqual([]);
    // Mia is in HARP only: not found in iQIES by her user ID, email or first name.
    expect((await store.otherPrefixMatches(all, 'mia', 10)).users).toEqual([]);

    expect((await store.exactMatches(all, 'annb1')).map((u) => u.userId)).toEqual(['AnnB1']);
    expect((await store.exactMatches(all, 'BOBB@EXAMPLE.ORG')).map((u) => u.userId)).toEqual(['BobB']);
    expect(await store.exactMatches(prv2, 'annb1')).toEqual([]);
    expect(await store.exactMatches(all, 'miaz')).toEqual([]);
    expect(await store.exactMatches(all, 'annb')).toEqual([]);
    record('matches', { ann, so, exact: await store.exactMatches(all, 'RAEPENDING') });
  });

  it('says which organizations tie a user, by role or pending request', async () => {
    const { store, ids } = await open();
    const [prv1, prv2, st1] = [ids.org['PRV1']!, ids.org['PRV2']!, ids.org['ST1']!];
    expect(await store.tiedOrganizations(ids.user['AnnB2']!)).toEqual([prv1, prv2].sort((a, b) => a - b));
    expect(await store.tiedOrganizations(ids.user['RaePending']!)).toEqual([prv2]);
    expect(await store.tiedOrganizations(999_999)).toEqual([]);
    expect(await store.isInOrganizations(ids.user['AnnB2']!, [prv2])).toBe(true);
    expect(await store.isInOrganizations(ids.user['RaePending']!, [prv1, prv2])).toBe(true);
    expect(await store.isInOrganizations(ids.user['AnnB1']!, [prv2, st1])).toBe(false);
    expect(await store.isInOrganizations(ids.user['AnnB1']!, [])).toBe(false);
    expect(await store.isInOrganizations(ids.user['AnnB1']!, 'all')).toBe(true);
    expect(await store.isInOrganizations(999_999, 'all')).toBe(false);
  });

  it('reads a profile, its assignments in order, and counts an organization’s Security Officials', async () => {
    const { store, ids, db } = await open();
    await db.run('UPDATE users SET must_change_password = 1, middle_name = ? WHERE id = ?', ['Q', ids.user['AnnB2']!]);
    const profile = await store.profile(ids.user['AnnB2']!);
    expect(profile).toEqual({
      id: ids.user['AnnB2'],
      userId: 'AnnB2',
      firstName: 'Ann',
      middleName: 'Q',
      lastName: 'baker',
      dateOfBirth: '1980-01-01',
      email: 'annb2@example.org',
      phone: '410-555-0100',
      addressLine1: '1 Main St',
      addressLine2: '',
      city: 'Baltimore',
      state: 'MD',
      zip: '21201',
      country: 'US',
      status: 'active',
      lockedUntil: null,
      proofingState: 'proofed_remote',
      credentialCount: 1,
      lastSignInAt: NOW - DAY,
      mustChangePassword: true,
    });
    expect((await store.profile(ids.user['RaePending']!))?.credentialCount).toBe(0);
    expect((await store.profile(ids.user['AnnB1']!))?.mustChangePassword).toBe(false);
    expect(await store.profile(999_999)).toBeNull();
    const assignments = await store.assignments(ids.user['AnnB2']!);
    expect(assignments.map((a) => `${a.program}/${a.organization.name}/${a.role}`)).toEqual([
      'HARP/Beta Clinic/Provider Basic User',
      'iQIES/Alpha Clinic/Provider Basic User',
      'iQIES/Beta Clinic/Provider Basic User',
    ]);
    expect(assignments[1]).toEqual({
      id: expect.any(Number),
      requestId: null,
      program: 'iQIES',
      programId: ids.program['iQIES'],
      organization: { id: ids.org['PRV1'], displayId: 'PRV1', name: 'Alpha Clinic', kind: 'provider' },
      role: BASIC,
      roleId: ids.role[BASIC],
      securityOfficialKind: null,
    });
    expect((await store.assignments(ids.user['SOAlpha1']!))[0]?.securityOfficialKind).toBe('provider');
    expect(await store.assignments(ids.user['RaePending']!)).toEqual([]);
    expect(await store.securityOfficialCount(ids.org['PRV1']!)).toBe(2);
    expect(await store.securityOfficialCount(ids.org['PRV2']!)).toBe(1);
    expect(await store.securityOfficialCount(999_999)).toBe(0);
    record('profile', { profile: { ...profile, id: 0 }, assignments: assignments.map(({ id: _id, ...rest }) => rest) });
  });

  it('removes a role with its audit row and email; a role already gone or the last official is refused and changes nothing', async () => {
    const { store, ids, db } = await open();
    const prv1 = ids.org['PRV1']!;
    const assignmentOf = async (userId: string) =>
      (await db.get<{ id: number }>('SELECT id FROM role_assignments WHERE user_id = ? AND organization_id = ? ORDER BY id', [ids.user[userId]!, prv1]))!.id;
    const audit = (userId: string): AuditDraft[] => [
      { action: 'role.removed', actorId: ids.user['SOAlpha1']!, subjectUserId: ids.user[userId]!, organizationId: prv1, details: { role: BASIC } },
    ];
    const mail = (userId: string): OutboxDraft[] => [
      {
        to: `${userId.toLowerCase()}@example.org`,
        subject: 'Role removed',
        body: 'Your role was removed.',
        kind: 'role.removed',
        organizationId: prv1,
        requestId: null,
      },
    ];
    const ann = await assignmentOf('AnnB1');
    expect(await store.removeAssignment(ids.user['SOAlpha1']!, ann, audit('AnnB1'), mail('AnnB1'), null)).toBe(true);
    expect(await db.get('SELECT id FROM role_assignments WHERE id = ?', [ann])).toBeUndefined();
    expect(await store.isInOrganizations(ids.user['AnnB1']!, 'all')).toBe(false);
    expect(await auditRows(db)).toEqual([
      {
        action: 'role.removed',
        actor_id: ids.user['SOAlpha1'],
        subject_user_id: ids.user['AnnB1'],
        organization_id: prv1,
        request_id: null,
        details: '{"role":"Provider Basic User"}',
      },
    ]);
    expect(await outboxRows(db)).toEqual([
      {
        to_address: 'annb1@example.org',
        subject: 'Role removed',
        body: 'Your role was removed.',
        kind: 'role.removed',
        organization_id: prv1,
        request_id: null,
        status: 'owed',
      },
    ]);

    let before = await snapshot(db);
    expect(await store.removeAssignment(ids.user['SOAlpha1']!, ann, audit('AnnB1'), mail('AnnB1'))).toBe(false);
    expect(await snapshot(db)).toEqual(before);

    // Two officials: one may go; the other is then the last, and its removal is refused.
    const first = await assignmentOf('SOAlpha1');
    const second = await assignmentOf('SOAlpha2');
    expect(await store.removeAssignment(ids.user['SOAlpha1']!, first, audit('SOAlpha1'), mail('SOAlpha1'), prv1)).toBe(true);
    before = await snapshot(db);
    expect(await store.removeAssignment(ids.user['SOAlpha2']!, second, audit('SOAlpha2'), mail('SOAlpha2'), prv1)).toBe('last');
    expect(await snapshot(db)).toEqual(before);
    expect(await store.securityOfficialCount(prv1)).toBe(1);
  });

  it('when two officials remove the other two at once, one removal wins and the other finds it would leave none', async () => {
    const { store, ids, db } = await open();
    const prv1 = ids.org['PRV1']!;
    const rows = await db.all<{ id: number; user_id: number }>(
      'SELECT a.id, a.user_id FROM role_assignments a JOIN roles r ON r.id = a.role_id WHERE a.organization_id = ? AND r.security_official_kind IS NOT NULL ORDER BY a.id',
      [prv1],
    );
    expect(rows).toHaveLength(2);
    const results = await Promise.all(
      rows.map((row) =>
        store.removeAssignment(
          row.user_id,
          row.id,
          [{ action: 'role.removed', actorId: row.user_id, subjectUserId: row.user_id, organizationId: prv1 }],
          [],
          prv1,
        ),
      ),
    );
    expect([...results].sort()).toEqual(['last', true]);
    expect(await store.securityOfficialCount(prv1)).toBe(1);
    expect((await auditRows(db)).map((r) => r.action)).toEqual(['role.removed']);
  });

  it('changes an account only from the statuses given, with its audit and email; otherwise changes nothing', async () => {
    const { store, ids, db, clock } = await open();
    const kim = ids.user['KimLocked']!;
    await db.run('UPDATE users SET failed_attempts = 3, temporary_lock_count = 2, locked_until = ? WHERE id = ?', [NOW + DAY, kim]);
    const audit: AuditDraft[] = [{ action: 'account.unlocked', actorId: ids.user['SOAlpha1']!, subjectUserId: kim, organizationId: ids.org['PRV1']! }];
    const mail: OutboxDraft[] = [
      { to: 'kimlocked@example.org', subject: 'Unlocked', body: 'Your account is unlocked.', kind: 'account.unlocked', organizationId: null, requestId: null },
    ];

    let before = await snapshot(db);
    expect(await store.changeAccount(ids.user['SOAlpha1']!, kim, ['temporarily_locked'], { status: 'active', clearLocks: true }, audit, mail)).toBe(false);
    expect(await store.changeAccount(ids.user['SOAlpha1']!, kim, [], { status: 'active' }, audit, mail)).toBe(false);
    await expect(store.changeAccount(ids.user['SOAlpha1']!, kim, ['locked'], {}, audit, mail)).rejects.toThrow('must change something');
    expect(await store.changeAccount(ids.user['CMSOne']!, 999_999, ['locked'], { status: 'active' }, audit, mail)).toBe(false);
    expect(await snapshot(db)).toEqual(before);

    clock.advance(60_000);
    expect(
      await store.changeAccount(
        ids.user['SOAlpha1']!,
        kim,
        ['locked', 'temporarily_locked'],
        {
          status: 'active',
          passwordHash: 'new-hash',
          mustChangePassword: true,
          temporaryPasswordExpiresAt: NOW + 2 * DAY,
          clearLocks: true,
          reactivatedAt: NOW + 60_000,
          removeCredentials: true,
        },
        audit,
        mail,
      ),
    ).toBe(true);
    expect(
      await db.get(
        `SELECT status, password_hash, must_change_password, temporary_password_expires_at, failed_attempts, temporary_lock_count, locked_until, reactivated_at, deactivated_at
           FROM users WHERE id = ?`,
        [kim],
      ),
    ).toEqual({
      status: 'active',
      password_hash: 'new-hash',
      must_change_password: 1,
      temporary_password_expires_at: NOW + 2 * DAY,
      failed_attempts: 0,
      temporary_lock_count: 0,
      locked_until: null,
      reactivated_at: NOW + 60_000,
      deactivated_at: null,
    });
    expect(await db.get('SELECT count(*) AS n FROM mfa_credentials WHERE user_id = ?', [kim])).toEqual({ n: 0 });
    expect((await auditRows(db)).map((r) => [r.action, r.subject_user_id])).toEqual([['account.unlocked', kim]]);
    expect((await outboxRows(db)).map((r) => [r.to_address, r.kind])).toEqual([['kimlocked@example.org', 'account.unlocked']]);

    // Deactivation records when; the outbox is optional.
    clock.advance(60_000);
    const bob = ids.user['BobB']!;
    expect(
      await store.changeAccount(ids.user['SOBeta1']!, bob, ['active'], { status: 'deactivated' }, [
        { action: 'account.deactivated', actorId: null, subjectUserId: bob },
      ]),
    ).toBe(true);
    expect(await db.get('SELECT status, deactivated_at FROM users WHERE id = ?', [bob])).toEqual({ status: 'deactivated', deactivated_at: NOW + 120_000 });
    expect(await db.get('SELECT count(*) AS n FROM mfa_credentials WHERE user_id = ?', [bob])).toEqual({ n: 1 });
    expect((await outboxRows(db)).length).toBe(1);
    before = await snapshot(db);
    expect(
      await store.changeAccount(ids.user['SOBeta1']!, bob, ['active'], { status: 'deactivated' }, [
        { action: 'account.deactivated', actorId: null, subjectUserId: bob },
      ]),
    ).toBe(false);
    expect(await snapshot(db)).toEqual(before);
  });

  it('acts on an account or removes a role only for an active official who administers it now; otherwise nothing is written', async () => {
    const { store, ids, db } = await open();
    const who = (userId: string) => ids.user[userId]!;
    const reset = (official: number | 'self', userId: string) =>
      store.changeAccount(official, who(userId), ['active', 'locked'], { passwordHash: 'taken-over' }, [
        { action: 'account.password_reset', actorId: official === 'self' ? who(userId) : official, subjectUserId: who(userId) },
      ]);
    const basicIn = async (userId: string, org: string) =>
      (await db.get<{ id: number }>('SELECT id FROM role_assignments WHERE user_id = ? AND organization_id = ?', [who(userId), ids.org[org]!]))!.id;
    const remove = (official: number, assignment: number) =>
      store.removeAssignment(official, assignment, [{ action: 'role.removed', actorId: official, subjectUserId: null }], []);

    // Accounts: AnnB2 is tied to PRV1 and PRV2, so only CMS may act on it; the State official administers neither clinic.
    let before = await snapshot(db);
    expect(await reset(who('SOAlpha1'), 'AnnB2')).toBe('no_authority');
    expect(await reset(who('SOBeta1'), 'AnnB1')).toBe('no_authority');
    expect(await reset(who('StateOne'), 'AnnB1')).toBe('no_authority');
    expect(await reset(who('AnnB1'), 'ZoeA')).toBe('no_authority');
    expect(await remove(who('SOBeta1'), await basicIn('AnnB1', 'PRV1'))).toBe('no_authority');
    expect(await remove(who('StateOne'), await basicIn('AnnB1', 'PRV1'))).toBe('no_authority');
    expect(await snapshot(db)).toEqual(before);

    // The official's role removed, or the official deactivated, since the service read them.
    await db.run('DELETE FROM role_assignments WHERE user_id = ? AND organization_id = ?', [who('SOAlpha2'), ids.org['PRV1']!]);
    await db.run("UPDATE users SET status = 'deactivated' WHERE id = ?", [who('SOAlpha1')]);
    before = await snapshot(db);
    for (const official of ['SOAlpha1', 'SOAlpha2']) {
      expect(await reset(who(official), 'AnnB1'), official).toBe('no_authority');
      expect(await remove(who(official), await basicIn('ZoeA', 'PRV1')), official).toBe('no_authority');
    }
    expect(await snapshot(db)).toEqual(before);

    // Control: CMS acts on any account; the account holder's own change needs no official; an active official of the clinic acts on it.
    expect(await reset(who('CMSOne'), 'AnnB2')).toBe(true);
    expect(await reset('self', 'MiaZ')).toBe(true);
    await db.run("UPDATE users SET status = 'active' WHERE id = ?", [who('SOAlpha1')]);
    expect(await reset(who('SOAlpha1'), 'AnnB1')).toBe(true);
    expect(await remove(who('SOAlpha1'), await basicIn('ZoeA', 'PRV1'))).toBe(true);
    expect((await auditRows(db)).map((r) => r.action)).toEqual(['account.password_reset', 'account.password_reset', 'account.password_reset', 'role.removed']);
  });

  it('creates a pending account with its first request, filling the slots in audit and email; a taken user ID or email (any case) creates nothing', async () => {
    const { store, ids, db } = await open();
    const iqies = ids.program['iQIES']!;
    const prv2 = ids.org['PRV2']!;
    const official = ids.user['SOBeta1']!;
    const account = {
      userId: 'NewPerson',
      firstName: 'New',
      lastName: 'Person',
      email: 'new.person@example.org',
      passwordHash: 'temporary-hash',
      temporaryPasswordExpiresAt: NOW + 3 * DAY,
      organizationId: prv2,
      programId: iqies,
      roleId: ids.role[BASIC]!,
      createdBy: official,
    };
    const audit: Slotted<AuditDraft[]> = [
      { action: 'user.created', actorId: official, subjectUserId: slot('userRowId'), organizationId: prv2, details: { userId: 'NewPerson' } },
      { action: 'request.filed', actorId: official, subjectUserId: slot('userRowId'), organizationId: prv2, requestId: slot('requestId') },
    ];
    const outbox: Slotted<OutboxDraft[]> = [
      {
        to: 'new.person@example.org',
        subject: `Request ${slotText('requestId')} filed`,
        body: `Account row ${slotText('userRowId')}`,
        kind: 'request.filed',
        organizationId: prv2,
        requestId: slot('requestId'),
      },
    ];

    const before = await snapshot(db);
    // Made by an official of another clinic, or by one deactivated meanwhile: nothing is created.
    expect(await store.createAccount({ ...account, createdBy: ids.user['SOAlpha1']! }, audit, outbox)).toBe('no_authority');
    expect(await store.createAccount({ ...account, userId: 'annb1' }, audit, outbox)).toBe('userId');
    expect(await store.createAccount({ ...account, email: 'ANNB1@example.org' }, audit, outbox)).toBe('email');
    expect(await snapshot(db)).toEqual(before);

    const created = await store.createAccount(account, audit, outbox);
    if (typeof created === 'string') throw new Error(`refused: ${created}`);
    const { userRowId, requestId } = created;
    expect(
      await db.get(
        'SELECT user_id, status, must_change_password, temporary_password_expires_at, created_at, created_by, home_organization_id, proofing_state FROM users WHERE id = ?',
        [userRowId],
      ),
    ).toEqual({
      user_id: 'NewPerson',
      status: 'pending',
      must_change_password: 1,
      temporary_password_expires_at: NOW + 3 * DAY,
      created_at: NOW,
      created_by: official,
      home_organization_id: prv2,
      proofing_state: 'not_started',
    });
    expect(
      await db.get('SELECT requester_id, program_id, organization_id, role_id, status, requested_at FROM role_requests WHERE id = ?', [requestId]),
    ).toEqual({
      requester_id: userRowId,
      program_id: iqies,
      organization_id: prv2,
      role_id: ids.role[BASIC],
      status: 'pending',
      requested_at: NOW,
    });
    expect(await auditRows(db)).toEqual([
      { action: 'user.created', actor_id: official, subject_user_id: userRowId, organization_id: prv2, request_id: null, details: '{"userId":"NewPerson"}' },
      { action: 'request.filed', actor_id: official, subject_user_id: userRowId, organization_id: prv2, request_id: requestId, details: '{}' },
    ]);
    expect(await outboxRows(db)).toEqual([
      {
        to_address: 'new.person@example.org',
        subject: `Request ${requestId} filed`,
        body: `Account row ${userRowId}`,
        kind: 'request.filed',
        organization_id: prv2,
        request_id: requestId,
        status: 'owed',
      },
    ]);
    // The pending request puts the new account in its organization's directory.
    expect(await store.tiedOrganizations(userRowId)).toEqual([prv2]);
    expect(await store.createAccount({ ...account, email: 'other@example.org' }, audit, outbox)).toBe('userId');
  });

  it('finds accounts unused for the inactivity period by id range and deactivates those still unused, audited per account', async () => {
    const { store, ids, db, clock } = await open();
    const max = await store.maxUserId();
    expect(max).toBe(Math.max(...Object.values(ids.user)));
    const cutoff = NOW - 120 * DAY;
    const inactive = await store.inactiveBetween(cutoff, 0, max);
    // Zoe and Dirk (never signed in, created long ago); Al signed in 121 days ago; Kim is locked, not active.
    const expected = [ids.user['ZoeA']!, ids.user['AlBakerson']!, ids.user['DirkVD']!].sort((a, b) => a - b);
    expect(inactive).toEqual(expected);
    expect(await store.inactiveBetween(cutoff, ids.user['ZoeA']!, ids.user['DirkVD']! - 1)).toEqual(
      expected.filter((id) => id > ids.user['ZoeA']! && id < ids.user['DirkVD']!),
    );
    expect(await store.inactiveBetween(cutoff - 100 * DAY, 0, max)).toEqual([]);
    record(
      'inactive',
      inactive.map((id) => Object.keys(ids.user).find((k) => ids.user[k] === id)),
    );

    expect(await store.deactivateInactive([], cutoff, { action: 'account.deactivated', actorId: null, subjectUserId: slot('userRowId') })).toBe(0);
    // Al signs in before the sweep reaches him: he stays active.
    await db.run('UPDATE users SET last_sign_in_at = ? WHERE id = ?', [NOW, ids.user['AlBakerson']!]);
    clock.advance(1000);
    const n = await store.deactivateInactive([...inactive, ids.user['KimLocked']!], cutoff, {
      action: 'account.deactivated',
      actorId: null,
      subjectUserId: slot('userRowId'),
      details: { reason: 'inactive', userRowId: slot('userRowId') },
    });
    expect(n).toBe(2);
    const gone = [ids.user['ZoeA']!, ids.user['DirkVD']!].sort((a, b) => a - b);
    expect(await db.all(`SELECT id, status, deactivated_at FROM users WHERE status = 'deactivated' ORDER BY id`)).toEqual(
      gone.map((id) => ({ id, status: 'deactivated', deactivated_at: NOW + 1000 })),
    );
    expect(await auditRows(db)).toEqual(
      gone.map((id) => ({
        action: 'account.deactivated',
        actor_id: null,
        subject_user_id: id,
        organization_id: null,
        request_id: null,
        details: JSON.stringify({ reason: 'inactive', userRowId: id }),
      })),
    );
    const before = await snapshot(db);
    expect(await store.deactivateInactive(inactive, cutoff, { action: 'account.deactivated', actorId: null, subjectUserId: slot('userRowId') })).toBe(0);
    expect(await snapshot(db)).toEqual(before);
  });
});

describe('authority when officials act on each other at once, on postgres', () => {
  const engines = useStoreEngines();

  /**
   * Two officials of one clinic deactivate each other at the same moment, three times each. Each
   * reads its own account as active and writes the other's: serializable transactions must not
   * let both through (one runs again and finds itself deactivated), and none may fail.
   */
  it('exactly one of two officials deactivating each other succeeds; the other is told, and nothing fails', async () => {
    const under = await engines.open('postgres', NOW);
    await under.db.transaction((tx) => insertScenario(tx, SCENARIO));
    const ids = await idsOf(under.db);
    const store = new SqlUserAdminStore(under.context);
    const deactivate = (by: string, whom: string) =>
      store.changeAccount(ids.user[by]!, ids.user[whom]!, ['active'], { status: 'deactivated' }, [
        { action: 'account.deactivated', actorId: ids.user[by]!, subjectUserId: ids.user[whom]! },
      ]);
    const began = Date.now();
    const results = await Promise.all([0, 1, 2].flatMap(() => [deactivate('SOAlpha1', 'SOAlpha2'), deactivate('SOAlpha2', 'SOAlpha1')]));
    expect(results.filter((r) => r === true)).toHaveLength(1);
    expect(results.filter((r) => r === 'no_authority' || r === false)).toHaveLength(5);
    const statuses = await under.db.all<{ status: string }>('SELECT status FROM users WHERE id IN (?, ?) ORDER BY status', [
      ids.user['SOAlpha1']!,
      ids.user['SOAlpha2']!,
    ]);
    expect(statuses.map((r) => r.status)).toEqual(['active', 'deactivated']);
    expect((await auditRows(under.db)).map((r) => r.action)).toEqual(['account.deactivated']);
    // No lock waits a deadlock detector must break (that took a second each).
    expect(Date.now() - began).toBeLessThan(3000);
  });

  it('two dozen changes of one account at once all finish: each one changes it or is told it changed, none gives up', async () => {
    const under = await engines.open('postgres', NOW);
    await under.db.transaction((tx) => insertScenario(tx, SCENARIO));
    const ids = await idsOf(under.db);
    const store = new SqlUserAdminStore(under.context);
    const ann = ids.user['AnnB1']!;
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        store.changeAccount(ids.user['CMSOne']!, ann, ['active', 'locked'], { status: i % 2 === 0 ? 'locked' : 'active' }, [
          { action: 'account.unlocked', actorId: ids.user['CMSOne']!, subjectUserId: ann },
        ]),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect((await auditRows(under.db)).length).toBe(results.filter((r) => r.status === 'fulfilled' && r.value === true).length);
  });
});

describe('the user-admin store on both engines', () => {
  it('gives the same pages, counts, matches, profile and inactive accounts', () => {
    expect(answers.sqlite).toBeDefined();
    expect(answers.postgres).toEqual(answers.sqlite);
  });
});

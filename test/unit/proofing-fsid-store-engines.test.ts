import { describe, expect, it } from 'vitest';
import type { AuditAction } from '../../shared/audit-actions.js';
import type { ProofingState } from '../../shared/domain.js';
import { SqlFsidStore, type FsidKey, type FsidRecord, type FsidSearch } from '../../main/store/fsid-store.js';
import type { OutboxDraft } from '../../main/store/outbox-rows.js';
import { PgDatabase, type Isolation } from '../../main/store/postgres/pg-database.js';
import { SqlProofingStore, type NewProofingRecord } from '../../main/store/proofing-store.js';
import { insertScenario, type Scenario } from '../../main/store/seed.js';
import type { SqlDatabase, SqlExecutor } from '../../main/store/sql.js';
import { StoreContext } from '../../main/store/store-context.js';
import { DOCUMENT_TYPES } from '../../shared/proofing.js';
import { refusal } from '../support/sql-engines.js';
import { ENGINES, useStoreEngines, type Engine, type StoreUnderTest } from '../support/store-engines.js';
import { NO_CONTACT } from '../support/scenario-user.js';

const PROD = 'iQIES Prod';
const DAY = 86_400_000;
// Few names, mixed case and a few beyond letters: most rows tie on (last, first) case-folded, and
// '_' sorts between 'Z' and 'a' unless both sides fold to lower case first, as NOCASE does.
const LAST = ['Smith', 'smith', 'SMITH', 'Adams', '_Under', 'ortiz', 'Ortiz', 'Zhou', 'Émile'];
const FIRST = ['Ann', 'ann', 'Bo', 'BO', 'Cy', 'anna'];
const PEOPLE = 45;

/** With `waiting`, also people not proofed yet, each tied to Florida by a pending request (the FSID tests leave them out). */
function scenario(waiting: boolean): Scenario {
  const user = (
    userId: string,
    firstName: string,
    lastName: string,
    homeOrganization: string,
    status: 'active' | 'locked' = 'active',
    proofingState: ProofingState = 'proofed_remote',
  ) => ({
    userId,
    firstName,
    lastName,
    email: `${userId}@example.org`,
    ...NO_CONTACT,
    status,
    passwordHash: 'x',
    createdAt: Date.UTC(2026, 0, 1),
    lastSignInAt: null,
    proofingState,
    homeOrganization,
  });
  // Spread the names so that equal names are not in row-id order by accident of insertion.
  const people = Array.from({ length: PEOPLE }, (_, i) =>
    user(`p${String(i).padStart(3, '0')}`, FIRST[(i * 7) % FIRST.length]!, LAST[(i * 5) % LAST.length]!, 'FL'),
  );
  // People not proofed yet: no role, since roles need a proofed identity.
  const unproofed = Array.from({ length: waiting ? 12 : 0 }, (_, i) =>
    user(`w${String(i).padStart(3, '0')}`, FIRST[(i * 7) % FIRST.length]!, LAST[(i * 5) % LAST.length]!, 'FL', 'active', 'not_started'),
  );
  return {
    programs: [PROD],
    roles: [
      { name: 'State Security Official', securityOfficialKind: 'state' },
      { name: 'Provider Security Official', securityOfficialKind: 'provider' },
      { name: 'Surveyor', securityOfficialKind: null },
      { name: 'State Agency General User', securityOfficialKind: null },
    ],
    organizations: [
      { displayId: 'CMS', name: 'CMS', kind: 'cms', stateCode: null },
      { displayId: 'FL', name: 'Florida', kind: 'state', stateCode: 'FL' },
      { displayId: 'GA', name: 'Georgia', kind: 'state', stateCode: 'GA' },
      { displayId: 'PFL', name: 'Tampa Clinic', kind: 'provider', stateCode: 'FL' },
    ],
    users: [
      user('flso', 'Fay', 'Lowe', 'FL'),
      user('flso2', 'Finn', 'Lowe', 'FL'),
      user('fllocked', 'Flo', 'Lowe', 'FL', 'locked'),
      user('gaso', 'Gus', 'Agee', 'GA'),
      user('clinic', 'Cal', 'Inic', 'PFL'),
      user('cmsonly', 'Cass', 'Emes', 'CMS'),
      ...people,
      ...unproofed,
    ],
    credentials: [],
    assignments: [
      { userId: 'flso', program: PROD, organization: 'FL', role: 'State Security Official', grantedAt: 1 },
      { userId: 'flso2', program: PROD, organization: 'FL', role: 'State Security Official', grantedAt: 1 },
      { userId: 'fllocked', program: PROD, organization: 'FL', role: 'State Security Official', grantedAt: 1 },
      { userId: 'gaso', program: PROD, organization: 'GA', role: 'State Security Official', grantedAt: 1 },
      { userId: 'clinic', program: PROD, organization: 'PFL', role: 'Provider Security Official', grantedAt: 1 },
      ...people.map((p) => ({ userId: p.userId, program: PROD, organization: 'FL', role: 'Surveyor', grantedAt: 1 })),
      // Two roles for one person, and one in another state that a Florida search must not show.
      { userId: 'p001', program: PROD, organization: 'FL', role: 'State Agency General User', grantedAt: 1 },
      { userId: 'p002', program: PROD, organization: 'GA', role: 'State Agency General User', grantedAt: 1 },
    ],
    // Each waits on a request to Florida: the tie that lets Florida's officials proof them.
    requests: unproofed.map((w) => ({
      requester: w.userId,
      program: PROD,
      organization: 'FL',
      role: 'Surveyor',
      justification: 'Joining the survey team',
      status: 'pending' as const,
      requestedAt: 1,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    })),
  };
}

/** The proofing store, deciding by default on the state the unproofed people here start in. */
class ProofingUnderTest extends SqlProofingStore {
  override record(
    record: NewProofingRecord,
    newState: ProofingState | null,
    audit: Parameters<SqlProofingStore['record']>[2],
    outbox: OutboxDraft[],
    stateRead: ProofingState = 'not_started',
  ): ReturnType<SqlProofingStore['record']> {
    return super.record(record, newState, audit, outbox, stateRead);
  }
}

interface Fixture extends StoreUnderTest {
  fsid: SqlFsidStore;
  proofing: ProofingUnderTest;
  id: (userId: string) => number;
  org: (displayId: string) => number;
}

async function arrange(engines: ReturnType<typeof useStoreEngines>, engine: Engine, waiting = false): Promise<Fixture> {
  const t = await engines.open(engine);
  await t.db.transaction((tx) => insertScenario(tx, scenario(waiting)));
  const users = new Map((await t.db.all<{ k: string; id: number }>('SELECT user_id AS k, id FROM users')).map((r) => [r.k, r.id]));
  const orgs = new Map((await t.db.all<{ k: string; id: number }>('SELECT display_id AS k, id FROM organizations')).map((r) => [r.k, r.id]));
  const must = (map: Map<string, number>, k: string) => {
    const v = map.get(k);
    if (v === undefined) throw new Error(`no ${k}`);
    return v;
  };
  return { ...t, fsid: new SqlFsidStore(t.context), proofing: new ProofingUnderTest(t.context), id: (k) => must(users, k), org: (k) => must(orgs, k) };
}

/** The id of a decision the store recorded (a refusal fails the test here). */
function recorded(outcome: number | string): number {
  if (typeof outcome !== 'number') throw new Error(`The decision was refused: ${outcome}`);
  return outcome;
}

/** Everything a write may have touched, to show a refused call changed nothing. */
async function snapshot(db: SqlExecutor) {
  return {
    users: await db.all('SELECT id, proofing_state, proofing_reference, proofing_referred_at, fsid, fsid_state FROM users ORDER BY id'),
    records: await db.all('SELECT * FROM proofing_records ORDER BY id'),
    audit: await db.all('SELECT id, action, hash FROM audit_events ORDER BY id'),
    outbox: await db.all('SELECT id, to_address, kind FROM outbox ORDER BY id'),
  };
}

async function auditRows(db: SqlExecutor) {
  return db.all<{ action: string; actorId: number | null; subjectUserId: number | null; details: string }>(
    'SELECT action, actor_id AS "actorId", subject_user_id AS "subjectUserId", details FROM audit_events ORDER BY id',
  );
}

async function outboxRows(db: SqlExecutor) {
  return db.all<{ to: string; kind: string; status: string }>('SELECT to_address AS "to", kind, status FROM outbox ORDER BY id');
}

/** Every page of a search, with the key each next page starts after (what the opaque cursor carries). */
async function pageThrough(store: SqlFsidStore, search: Omit<FsidSearch, 'after' | 'limit'>, limit: number) {
  const pages: Array<{ userIds: string[]; total: number; more: boolean; next: FsidKey | null }> = [];
  let after: FsidKey | null = null;
  for (;;) {
    const page = await store.search({ ...search, after, limit });
    const last: FsidRecord | undefined = page.rows[page.rows.length - 1];
    const next = page.more && last ? { lastName: last.lastName, firstName: last.firstName, id: last.id } : null;
    pages.push({ userIds: page.rows.map((r) => r.userId), total: page.total, more: page.more, next });
    if (!next) return pages;
    expect(page.rows).toHaveLength(limit);
    after = next;
    expect(pages.length).toBeLessThan(100);
  }
}

/** The list's order worked out here: last name, first name, ASCII case folded (NOCASE), then row id. */
async function expectedOrder(db: SqlExecutor, keep: (u: { userId: string; first: string; last: string }) => boolean): Promise<string[]> {
  const rows = await db.all<{ id: number; userId: string; first: string; last: string }>(
    `SELECT DISTINCT u.id, u.user_id AS "userId", u.first_name AS "first", u.last_name AS "last"
       FROM users u JOIN role_assignments a ON a.user_id = u.id JOIN organizations o ON o.id = a.organization_id WHERE o.display_id = 'FL'`,
  );
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .filter(keep)
    .sort((a, b) => cmp(fold(a.last), fold(b.last)) || cmp(fold(a.first), fold(b.first)) || a.id - b.id)
    .map((r) => r.userId);
}

const SEARCHES: Array<{ name: string; search: (f: Fixture) => Omit<FsidSearch, 'after' | 'limit'> }> = [
  { name: 'everyone', search: (f) => ({ organizationIds: [f.org('FL')], query: '', roles: [], pendingOnly: false }) },
  { name: 'a last name prefix, any case', search: (f) => ({ organizationIds: [f.org('FL')], query: 'SMI', roles: [], pendingOnly: false }) },
  { name: 'first and last name prefixes', search: (f) => ({ organizationIds: [f.org('FL')], query: 'an or', roles: [], pendingOnly: false }) },
  { name: 'a user ID prefix', search: (f) => ({ organizationIds: [f.org('FL')], query: 'P01', roles: [], pendingOnly: false }) },
  { name: 'a non-ASCII prefix', search: (f) => ({ organizationIds: [f.org('FL')], query: 'Ém', roles: [], pendingOnly: false }) },
  {
    name: 'a role',
    search: (f) => ({ organizationIds: [f.org('FL')], query: '', roles: ['State Security Official', 'State Agency General User'], pendingOnly: false }),
  },
  { name: 'pending only', search: (f) => ({ organizationIds: [f.org('FL'), f.org('GA')], query: '', roles: [], pendingOnly: true }) },
];

/** Some FSIDs in several states, so the pending filter and the FSID match have rows to find. */
async function giveFsids(f: Fixture): Promise<void> {
  expect(await f.fsid.save(f.id('flso'), f.id('p003'), 'FS00003', [])).toBe('saved');
  expect(await f.fsid.save(f.id('flso'), f.id('p004'), 'FS00004', [])).toBe('saved');
  expect(await f.fsid.verify(f.id('flso'), f.id('p004'), [])).toBe(true);
  expect(await f.fsid.request(f.id('p005'), [], [])).toBe(true);
  expect(await f.fsid.request(f.id('gaso'), [], [])).toBe(true);
}

describe.each(ENGINES)('FSID store on %s', (engine) => {
  const engines = useStoreEngines();

  it('pages every search by keyset: each match once, in (last, first) NOCASE then id order', async () => {
    const f = await arrange(engines, engine);
    await giveFsids(f);
    const all = await pageThrough(f.fsid, SEARCHES[0]!.search(f), 7);
    const everyone = await expectedOrder(f.db, () => true);
    expect(everyone).toHaveLength(PEOPLE + 3);
    expect(all.flatMap((p) => p.userIds)).toEqual(everyone);
    expect(new Set(all.map((p) => p.total))).toEqual(new Set([everyone.length]));
    expect(all.at(-1)!.more).toBe(false);

    const smiths = await pageThrough(f.fsid, SEARCHES[1]!.search(f), 4);
    expect(smiths.flatMap((p) => p.userIds)).toEqual(await expectedOrder(f.db, (u) => /^smi/i.test(u.last) || /^smi/i.test(u.first)));
    expect(smiths.flatMap((p) => p.userIds).length).toBeGreaterThan(8);

    const two = await pageThrough(f.fsid, SEARCHES[2]!.search(f), 3);
    expect(two.flatMap((p) => p.userIds)).toEqual(await expectedOrder(f.db, (u) => /^an/i.test(u.first) && /^or/i.test(u.last)));

    const byId = await pageThrough(f.fsid, SEARCHES[3]!.search(f), 25);
    expect([...byId.flatMap((p) => p.userIds)].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p01${i}`));

    // NOCASE folds ASCII only: 'ém' does not find 'Émile'; 'Ém' does.
    expect((await pageThrough(f.fsid, SEARCHES[4]!.search(f), 25)).flatMap((p) => p.userIds)).toEqual(
      await expectedOrder(f.db, (u) => u.last.startsWith('Ém')),
    );
    expect((await f.fsid.search({ ...SEARCHES[4]!.search(f), query: 'ém', after: null, limit: 25 })).total).toBe(0);

    // An FSID matches whole and in any case, not by prefix.
    expect((await f.fsid.search({ ...SEARCHES[0]!.search(f), query: 'fs00003', after: null, limit: 25 })).rows.map((r) => r.userId)).toEqual(['p003']);
    expect((await f.fsid.search({ ...SEARCHES[0]!.search(f), query: 'FS0000', after: null, limit: 25 })).total).toBe(0);

    const roles = await f.fsid.search({ ...SEARCHES[5]!.search(f), after: null, limit: 25 });
    expect(roles.rows.map((r) => r.userId).sort()).toEqual(['fllocked', 'flso', 'flso2', 'p001']);
    // Roles are those in the searched organizations only: p002's Georgia role is not listed for Florida.
    const page = await f.fsid.search({ ...SEARCHES[0]!.search(f), query: 'p00', after: null, limit: 25 });
    const rolesOf = Object.fromEntries(page.rows.map((r) => [r.userId, r.roles]));
    expect(rolesOf.p001).toEqual(['State Agency General User', 'Surveyor']);
    expect(rolesOf.p002).toEqual(['Surveyor']);

    const pending = await f.fsid.search({ ...SEARCHES[6]!.search(f), after: null, limit: 25 });
    expect(pending.rows.map((r) => [r.userId, r.fsid, r.fsidState])).toEqual(
      expect.arrayContaining([
        ['p003', 'FS00003', 'pending'],
        ['p005', null, 'requested'],
        ['gaso', null, 'requested'],
      ]),
    );
    expect(pending.total).toBe(3);

    expect(await f.fsid.search({ ...SEARCHES[0]!.search(f), organizationIds: [], after: null, limit: 25 })).toEqual({ rows: [], total: 0, more: false });
  });

  it('a row added before the cursor meanwhile neither repeats nor shifts the rows after it', async () => {
    const f = await arrange(engines, engine);
    const search = SEARCHES[0]!.search(f);
    const first = await f.fsid.search({ ...search, after: null, limit: 10 });
    const last = first.rows.at(-1)!;
    // p041 (Zhou) moves to the first page, before the cursor.
    await f.db.run("UPDATE users SET last_name = 'Aaron' WHERE user_id = 'p041'");
    const rest = await pageThrough(f.fsid, search, 10);
    const restAfter = await f.fsid.search({ ...search, after: { lastName: last.lastName, firstName: last.firstName, id: last.id }, limit: 100 });
    const now = rest.flatMap((p) => p.userIds);
    expect(now.indexOf(last.userId)).toBe(first.rows.length);
    expect(restAfter.rows.map((r) => r.userId)).toEqual(now.slice(first.rows.length + 1));
  });

  it('row: the user over the given organizations, with their roles there; null when not a member', async () => {
    const f = await arrange(engines, engine);
    expect(await f.fsid.row(f.id('p001'), [f.org('FL')])).toEqual({
      id: f.id('p001'),
      userId: 'p001',
      firstName: FIRST[7 % FIRST.length],
      lastName: LAST[5 % LAST.length],
      fsid: null,
      fsidState: null,
      roles: ['State Agency General User', 'Surveyor'],
    });
    expect((await f.fsid.row(f.id('p002'), [f.org('GA')]))?.roles).toEqual(['State Agency General User']);
    expect(await f.fsid.row(f.id('p001'), [f.org('GA')])).toBeNull();
    expect(await f.fsid.row(f.id('cmsonly'), [f.org('FL'), f.org('GA')])).toBeNull();
    expect(await f.fsid.row(f.id('p001'), [])).toBeNull();
    expect(await f.fsid.row(999_999, [f.org('FL')])).toBeNull();
  });

  it('save: sets a pending FSID with its audit row; another user holding it in any case is "taken" and changes nothing', async () => {
    const f = await arrange(engines, engine);
    const audit = (subject: string) => [{ action: 'fsid.saved' as const, actorId: f.id('flso'), subjectUserId: f.id(subject), details: { fsid: 'AB12345' } }];
    expect(await f.fsid.save(f.id('flso'), f.id('p010'), 'AB12345', audit('p010'))).toBe('saved');
    expect(await f.fsid.own(f.id('p010'))).toEqual({ fsid: 'AB12345', fsidState: 'pending' });
    expect(await auditRows(f.db)).toEqual([{ action: 'fsid.saved', actorId: f.id('flso'), subjectUserId: f.id('p010'), details: '{"fsid":"AB12345"}' }]);

    const before = await snapshot(f.db);
    expect(await f.fsid.save(f.id('flso'), f.id('p011'), 'ab12345', audit('p011'))).toBe('taken');
    expect(await f.fsid.save(f.id('flso'), f.id('p011'), 'AB12345', audit('p011'))).toBe('taken');
    expect(await snapshot(f.db)).toEqual(before);

    // Saving one's own FSID again is no conflict; a verified one goes back to pending.
    expect(await f.fsid.verify(f.id('flso'), f.id('p010'), [])).toBe(true);
    expect(await f.fsid.save(f.id('flso'), f.id('p010'), 'AB12345', audit('p010'))).toBe('saved');
    expect(await f.fsid.own(f.id('p010'))).toEqual({ fsid: 'AB12345', fsidState: 'pending' });
    expect((await auditRows(f.db)).map((r) => r.action)).toEqual(['fsid.saved', 'fsid.saved']);
  });

  it('save: of many saves of one FSID at once, exactly one wins', async () => {
    const f = await arrange(engines, engine);
    const savers = ['p020', 'p021', 'p022', 'p023', 'p024', 'p025'];
    const results = await Promise.all(
      savers.map((u) =>
        f.fsid.save(f.id('flso'), f.id(u), 'RACE001', [{ action: 'fsid.saved', actorId: f.id('flso'), subjectUserId: f.id(u), details: { fsid: 'RACE001' } }]),
      ),
    );
    expect(results.filter((r) => r === 'saved')).toHaveLength(1);
    expect(results.filter((r) => r === 'taken')).toHaveLength(savers.length - 1);
    const winner = savers[results.indexOf('saved')]!;
    expect(await f.db.all('SELECT user_id AS "userId" FROM users WHERE fsid IS NOT NULL')).toEqual([{ userId: winner }]);
    expect(await auditRows(f.db)).toEqual([{ action: 'fsid.saved', actorId: f.id('flso'), subjectUserId: f.id(winner), details: '{"fsid":"RACE001"}' }]);
  });

  it('verify: only a pending FSID, once; remove: only one there is, once; each refusal changes nothing', async () => {
    const f = await arrange(engines, engine);
    const flso = f.id('flso');
    const p = f.id('p030');
    let before = await snapshot(f.db);
    expect(await f.fsid.verify(f.id('flso'), p, [{ action: 'fsid.verified', actorId: flso, subjectUserId: p }])).toBe(false);
    expect(await f.fsid.remove(f.id('flso'), p, [{ action: 'fsid.removed', actorId: flso, subjectUserId: p }])).toBe(false);
    expect(await snapshot(f.db)).toEqual(before);

    expect(await f.fsid.save(f.id('flso'), p, 'VV00001', [])).toBe('saved');
    expect(await f.fsid.verify(f.id('flso'), p, [{ action: 'fsid.verified', actorId: flso, subjectUserId: p }])).toBe(true);
    expect(await f.fsid.own(p)).toEqual({ fsid: 'VV00001', fsidState: 'verified' });
    before = await snapshot(f.db);
    expect(await f.fsid.verify(f.id('flso'), p, [{ action: 'fsid.verified', actorId: flso, subjectUserId: p }])).toBe(false);
    expect(await snapshot(f.db)).toEqual(before);

    expect(await f.fsid.remove(f.id('flso'), p, [{ action: 'fsid.removed', actorId: flso, subjectUserId: p, details: { fsid: 'VV00001' } }])).toBe(true);
    expect(await f.fsid.own(p)).toEqual({ fsid: null, fsidState: null });
    before = await snapshot(f.db);
    expect(await f.fsid.remove(f.id('flso'), p, [{ action: 'fsid.removed', actorId: flso, subjectUserId: p }])).toBe(false);
    expect(await snapshot(f.db)).toEqual(before);

    // A request without an FSID is removable too (the state alone), but never verifiable.
    const q = f.id('p031');
    expect(await f.fsid.request(q, [], [])).toBe(true);
    expect(await f.fsid.verify(f.id('flso'), q, [{ action: 'fsid.verified', actorId: flso, subjectUserId: q }])).toBe(false);
    expect(await f.fsid.remove(f.id('flso'), q, [{ action: 'fsid.removed', actorId: flso, subjectUserId: q }])).toBe(true);
    expect((await auditRows(f.db)).map((r) => `${r.action}:${r.subjectUserId}`)).toEqual([`fsid.verified:${p}`, `fsid.removed:${p}`, `fsid.removed:${q}`]);
  });

  it('request: once, with its audit row and email; again, or with an FSID, is refused and changes nothing', async () => {
    const f = await arrange(engines, engine);
    const p = f.id('p040');
    const outbox: OutboxDraft[] = [
      { to: 'flso@example.org', subject: 'FSID requested', body: 'p040 asks', kind: 'fsid.requested', organizationId: f.org('FL'), requestId: null },
      { to: 'flso2@example.org', subject: 'FSID requested', body: 'p040 asks', kind: 'fsid.requested', organizationId: f.org('FL'), requestId: null },
    ];
    expect(await f.fsid.request(p, [{ action: 'fsid.requested', actorId: p, subjectUserId: p }], outbox)).toBe(true);
    expect(await f.fsid.own(p)).toEqual({ fsid: null, fsidState: 'requested' });
    expect(await auditRows(f.db)).toEqual([{ action: 'fsid.requested', actorId: p, subjectUserId: p, details: '{}' }]);
    expect(await outboxRows(f.db)).toEqual([
      { to: 'flso@example.org', kind: 'fsid.requested', status: 'owed' },
      { to: 'flso2@example.org', kind: 'fsid.requested', status: 'owed' },
    ]);

    let before = await snapshot(f.db);
    expect(await f.fsid.request(p, [{ action: 'fsid.requested', actorId: p, subjectUserId: p }], outbox)).toBe(false);
    expect(await snapshot(f.db)).toEqual(before);

    const q = f.id('p041');
    expect(await f.fsid.save(f.id('flso'), q, 'HAS0001', [])).toBe('saved');
    before = await snapshot(f.db);
    expect(await f.fsid.request(q, [{ action: 'fsid.requested', actorId: q, subjectUserId: q }], outbox)).toBe(false);
    expect(await snapshot(f.db)).toEqual(before);
  });

  it("stateOrganizationsOf: the state agencies a user belongs to, else their home organization's state's", async () => {
    const f = await arrange(engines, engine);
    expect(await f.fsid.stateOrganizationsOf(f.id('p002'))).toEqual([f.org('FL'), f.org('GA')].sort((a, b) => a - b));
    expect(await f.fsid.stateOrganizationsOf(f.id('gaso'))).toEqual([f.org('GA')]);
    expect(await f.fsid.stateOrganizationsOf(f.id('clinic'))).toEqual([f.org('FL')]);
    expect(await f.fsid.stateOrganizationsOf(f.id('cmsonly'))).toEqual([]);
    expect(await f.fsid.stateOrganizationsOf(999_999)).toEqual([]);
  });

  it('own: the FSID and its state; nothing for an unknown user', async () => {
    const f = await arrange(engines, engine);
    expect(await f.fsid.own(f.id('p000'))).toEqual({ fsid: null, fsidState: null });
    expect(await f.fsid.save(f.id('flso'), f.id('p000'), 'OWN0001', [])).toBe('saved');
    expect(await f.fsid.own(f.id('p000'))).toEqual({ fsid: 'OWN0001', fsidState: 'pending' });
    expect(await f.fsid.own(999_999)).toEqual({ fsid: null, fsidState: null });
  });
});

describe.each(ENGINES)('FSID writes and authority on %s', (engine) => {
  const engines = useStoreEngines();

  it("only an active State Security Official of one of the person's state agencies writes an FSID; otherwise nothing is written", async () => {
    const f = await arrange(engines, engine);
    const p = f.id('p030');
    const audit = (action: 'fsid.saved' | 'fsid.verified' | 'fsid.removed', by: string) => [{ action, actorId: f.id(by), subjectUserId: p }];
    expect(await f.fsid.save(f.id('flso'), p, 'AU00001', audit('fsid.saved', 'flso'))).toBe('saved');
    // Georgia's official (p030 is Florida's), the provider's, CMS staff without the role, and one whose role was removed.
    await f.db.run('DELETE FROM role_assignments WHERE user_id = ?', [f.id('flso2')]);
    const before = await snapshot(f.db);
    for (const by of ['gaso', 'clinic', 'flso2', 'cmsonly']) {
      expect(await f.fsid.save(f.id(by), p, 'AU00002', audit('fsid.saved', by)), by).toBe('no_authority');
      expect(await f.fsid.verify(f.id(by), p, audit('fsid.verified', by)), by).toBe('no_authority');
      expect(await f.fsid.remove(f.id(by), p, audit('fsid.removed', by)), by).toBe('no_authority');
    }
    expect(await snapshot(f.db)).toEqual(before);
    // Control: a Florida official verifies it, even one whose account is locked to new sign-ins (a
    // lock takes nothing from a session already open; deactivation does).
    expect(await f.fsid.verify(f.id('fllocked'), p, audit('fsid.verified', 'fllocked'))).toBe(true);
  });
});

/**
 * Runs `write` in a transaction of its own on `db` and holds it open, uncommitted, until the
 * returned `commit` is called (which resolves once it has committed).
 */
async function holdUncommitted(db: SqlDatabase, write: (tx: SqlExecutor) => Promise<unknown>): Promise<{ commit: () => Promise<void> }> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const done = db.transaction(async (tx) => {
    await write(tx);
    holding();
    await gate;
  });
  await held;
  return {
    commit: async () => {
      release();
      await done;
    },
  };
}

/** Waits until more than `others` sessions of this database wait on a lock. */
async function untilWaitingOnLock(db: SqlExecutor, others = 0): Promise<void> {
  for (let i = 0; ; i += 1) {
    const waiting = await db.get<{ n: number }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    if (waiting!.n > others) return;
    expect(i).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FSID uniqueness under concurrent saves on postgres', () => {
  const engines = useStoreEngines();

  /**
   * Another save of the same FSID is made, and left uncommitted, before this save looks; this save
   * then waits on the unique index, and when the other commits it must answer 'taken', not fail or
   * write a second holder. At read committed only the unique index can catch it.
   */
  it.each(['serializable', 'read committed'] as const)('a save that loses the race after its check answers "taken" (%s)', async (isolation: Isolation) => {
    const f = await arrange(engines, 'postgres');
    const pool = (f.db as PgDatabase).pool;
    const db: SqlDatabase = PgDatabase.open({ connectionString: (pool.options as { connectionString: string }).connectionString }, { isolation });
    try {
      const store = new SqlFsidStore(new StoreContext(db, f.clock));
      const other = await holdUncommitted(db, (tx) => tx.run("UPDATE users SET fsid = 'RACE002', fsid_state = 'pending' WHERE id = ?", [f.id('p026')]));
      const saving = store.save(f.id('flso'), f.id('p027'), 'race002', [{ action: 'fsid.saved', actorId: f.id('flso'), subjectUserId: f.id('p027') }]);
      // Wait until the save is blocked on the other's row in the unique index, then let the other commit.
      await untilWaitingOnLock(f.db);
      await other.commit();
      expect(await saving).toBe('taken');
      expect(await f.db.all('SELECT user_id AS "userId", fsid FROM users WHERE fsid IS NOT NULL')).toEqual([{ userId: 'p026', fsid: 'RACE002' }]);
      expect(await auditRows(f.db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe('one proofing decision per person under concurrent decisions on postgres', () => {
  const engines = useStoreEngines();

  /**
   * Another official's approval of the same person is written, and left uncommitted, before this
   * decision is recorded; the decision must wait for it and then be refused (null), not record a
   * second outcome over the first.
   */
  it.each(['serializable', 'read committed'] as const)('a decision that loses the race records nothing (%s)', async (isolation: Isolation) => {
    const f = await arrange(engines, 'postgres', true);
    const pool = (f.db as PgDatabase).pool;
    const db: SqlDatabase = PgDatabase.open({ connectionString: (pool.options as { connectionString: string }).connectionString }, { isolation });
    try {
      const store = new ProofingUnderTest(new StoreContext(db, f.clock));
      const other = await holdUncommitted(db, (tx) => tx.run("UPDATE users SET proofing_state = 'proofed_in_person' WHERE id = ?", [f.id('w011')]));
      const deciding = [
        store.record(
          {
            subjectId: f.id('w011'),
            officialId: f.id('flso2'),
            decision: 'rejected',
            documents: {},
            appearedInPerson: true,
            reason: 'Documents expired',
            comments: 'Expired licence',
            suspectedFraud: false,
          },
          'rejected',
          [{ action: 'proofing.rejected', actorId: f.id('flso2'), subjectUserId: f.id('w011') }],
          [],
        ),
        store.record(
          {
            subjectId: f.id('w011'),
            officialId: f.id('flso'),
            decision: 'cancelled',
            documents: {},
            appearedInPerson: false,
            reason: null,
            comments: 'Came back later',
            suspectedFraud: false,
          },
          null,
          [{ action: 'proofing.cancelled', actorId: f.id('flso'), subjectUserId: f.id('w011') }],
          [],
        ),
      ];
      // Wait until both decisions are blocked on the person's row, then let the approval commit.
      await untilWaitingOnLock(f.db, 1);
      await other.commit();
      expect(await Promise.all(deciding)).toEqual(['changed', 'changed']);
      expect((await f.db.get<{ s: string }>('SELECT proofing_state AS s FROM users WHERE id = ?', [f.id('w011')]))?.s).toBe('proofed_in_person');
      expect(await f.db.all('SELECT id FROM proofing_records')).toEqual([]);
      expect(await auditRows(f.db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe.each(ENGINES)('proofing store on %s', (engine) => {
  const engines = useStoreEngines();

  const documents: NewProofingRecord['documents'] = {
    photo: { type: DOCUMENT_TYPES[0]!, issuer: 'FL', expiresOn: '2030-01-01', last4: '1234', inspection: 'physical' },
  };

  function decision(f: Fixture, subject: string, official: string, over: Partial<NewProofingRecord> = {}): NewProofingRecord {
    return {
      subjectId: f.id(subject),
      officialId: f.id(official),
      decision: 'approved',
      documents,
      appearedInPerson: true,
      reason: null,
      comments: null,
      suspectedFraud: false,
      ...over,
    };
  }

  it('record: the decision, the new state, its audit rows (naming the record) and its emails, in one transaction', async () => {
    const f = await arrange(engines, engine, true);
    const outbox: OutboxDraft[] = [
      { to: 'flso2@example.org', subject: 'Proofing decided', body: 'b', kind: 'proofing.fraud', organizationId: f.org('FL'), requestId: null },
    ];
    const id = await f.proofing.record(
      decision(f, 'w000', 'flso', { decision: 'rejected', reason: 'Suspected fraud', comments: 'Photo does not match', suspectedFraud: true }),
      'rejected',
      [{ action: 'proofing.rejected', actorId: f.id('flso'), subjectUserId: f.id('w000'), details: { reason: 'Suspected fraud' } }],
      outbox,
    );
    expect(await f.proofing.byId(recorded(id))).toEqual({
      id,
      subjectId: f.id('w000'),
      officialId: f.id('flso'),
      decision: 'rejected',
      documents,
      appearedInPerson: true,
      reason: 'Suspected fraud',
      comments: 'Photo does not match',
      suspectedFraud: true,
      decidedAt: f.clock.now(),
      officialName: 'Fay Lowe',
      officialEmail: 'flso@example.org',
      subjectUserId: 'w000',
      subjectName: `${FIRST[0]} ${LAST[0]}`,
    });
    expect((await f.db.get<{ s: string }>('SELECT proofing_state AS s FROM users WHERE id = ?', [f.id('w000')]))?.s).toBe('rejected');
    expect(await auditRows(f.db)).toEqual([
      { action: 'proofing.rejected', actorId: f.id('flso'), subjectUserId: f.id('w000'), details: JSON.stringify({ reason: 'Suspected fraud', recordId: id }) },
    ]);
    expect(await outboxRows(f.db)).toEqual([{ to: 'flso2@example.org', kind: 'proofing.fraud', status: 'owed' }]);

    // A cancelled visit leaves the state as it was.
    const cancelled = await f.proofing.record(decision(f, 'w001', 'flso', { decision: 'cancelled', appearedInPerson: false }), null, [], []);
    expect((await f.proofing.byId(recorded(cancelled)))?.appearedInPerson).toBe(false);
    expect((await f.db.get<{ s: string }>('SELECT proofing_state AS s FROM users WHERE id = ?', [f.id('w001')]))?.s).toBe('not_started');
  });

  it('record and setRemoteOutcome: a person proofed by the time of the write gets no second decision; nothing is written', async () => {
    const f = await arrange(engines, engine, true);
    const mail: OutboxDraft[] = [{ to: 'p009@example.org', subject: 's', body: 'b', kind: 'proofing.rejected', organizationId: null, requestId: null }];
    const audit = (action: AuditAction) => [{ action, actorId: f.id('flso2'), subjectUserId: f.id('w009') }];
    // The first official's approval commits; the second official read the person as not yet proofed.
    expect(await f.proofing.record(decision(f, 'w009', 'flso'), 'proofed_in_person', audit('proofing.approved'), [])).toEqual(expect.any(Number));
    const before = await snapshot(f.db);
    const rejection = decision(f, 'w009', 'flso2', { decision: 'rejected', reason: 'Documents expired', comments: 'Expired licence' });
    expect(await f.proofing.record(rejection, 'rejected', audit('proofing.rejected'), mail)).toBe('changed');
    expect(await f.proofing.record(decision(f, 'w009', 'flso2', { decision: 'cancelled' }), null, audit('proofing.cancelled'), mail)).toBe('changed');
    expect(await f.proofing.setRemoteOutcome(f.id('w009'), 'rejected', 'REF-9', audit('proofing.remote_outcome'))).toBe(false);
    expect(await snapshot(f.db)).toEqual(before);
    // Proofed online first: an in-person decision is refused the same way.
    expect(await f.proofing.setRemoteOutcome(f.id('w010'), 'proofed_remote', null, audit('proofing.remote_outcome'))).toBe(true);
    const after = await snapshot(f.db);
    expect(await f.proofing.record(decision(f, 'w010', 'flso'), 'proofed_in_person', audit('proofing.approved'), mail)).toBe('changed');
    expect(await snapshot(f.db)).toEqual(after);
    // Rejected meanwhile: not proofed, but not the state the second official decided on either.
    const earlier = decision(f, 'w005', 'flso', { decision: 'rejected', reason: 'Other', comments: 'Name differs' });
    expect(await f.proofing.record(earlier, 'rejected', audit('proofing.rejected'), [])).toEqual(expect.any(Number));
    const rejected = await snapshot(f.db);
    expect(await f.proofing.record(decision(f, 'w005', 'flso2'), 'proofed_in_person', audit('proofing.approved'), mail)).toBe('changed');
    expect(await snapshot(f.db)).toEqual(rejected);
    // Decided again on the state as it now is, it is recorded.
    expect(await f.proofing.record(decision(f, 'w005', 'flso2'), 'proofed_in_person', audit('proofing.approved'), [], 'rejected')).toEqual(expect.any(Number));
  });

  it("record: only an active official administering one of the person's organizations (or CMS) records; otherwise nothing is written", async () => {
    const f = await arrange(engines, engine, true);
    const mail: OutboxDraft[] = [{ to: 'w003@example.org', subject: 's', body: 'b', kind: 'proofing.approved', organizationId: null, requestId: null }];
    const attempt = (official: string) =>
      f.proofing.record(
        decision(f, 'w003', official),
        'proofed_in_person',
        [{ action: 'proofing.approved', actorId: f.id(official), subjectUserId: f.id('w003') }],
        mail,
      );
    // Georgia's official, the provider's, and Florida officials whose role was removed, or who were deactivated.
    await f.db.run('DELETE FROM role_assignments WHERE user_id = ?', [f.id('flso2')]);
    await f.db.run("UPDATE users SET status = 'deactivated' WHERE id = ?", [f.id('flso')]);
    const before = await snapshot(f.db);
    for (const official of ['gaso', 'flso2', 'flso', 'clinic']) expect(await attempt(official), official).toBe('no_authority');
    expect(await snapshot(f.db)).toEqual(before);
    // Control: Florida's official again, then the decision is recorded.
    await f.db.run("UPDATE users SET status = 'active' WHERE id = ?", [f.id('flso')]);
    expect(await attempt('flso')).toEqual(expect.any(Number));
  });

  it('record: nobody proofs their own identity, nor a missing user; a refusal changes nothing', async () => {
    const f = await arrange(engines, engine, true);
    await f.proofing.record(
      decision(f, 'w002', 'flso'),
      'proofed_in_person',
      [{ action: 'proofing.approved', actorId: f.id('flso'), subjectUserId: f.id('w002') }],
      [],
    );
    const before = await snapshot(f.db);
    const mail: OutboxDraft[] = [{ to: 'x@example.org', subject: 's', body: 'b', kind: 'proofing.approved', organizationId: null, requestId: null }];
    const own = await f.proofing
      .record(decision(f, 'flso', 'flso'), 'proofed_in_person', [{ action: 'proofing.approved', actorId: f.id('flso'), subjectUserId: f.id('flso') }], mail)
      .then(() => 'accepted', refusal);
    expect(own).toBe('rule: The Security Official who created an account cannot proof its identity, and nobody proofs their own.');
    const missing = await f.proofing
      .record({ ...decision(f, 'w003', 'flso'), subjectId: 999_999 }, 'proofed_in_person', [{ action: 'proofing.approved', actorId: f.id('flso') }], mail)
      .then(() => 'accepted', refusal);
    expect(missing).toBe('constraint');
    expect(await snapshot(f.db)).toEqual(before);
  });

  it('byId and history: newest first, the id breaking a tie in time; null and [] when there is none', async () => {
    const f = await arrange(engines, engine, true);
    const a = await f.proofing.record(decision(f, 'w004', 'flso', { decision: 'cancelled' }), null, [], []);
    const b = await f.proofing.record(decision(f, 'w004', 'flso2', { decision: 'cancelled' }), null, [], []);
    f.clock.advance(DAY);
    const c = await f.proofing.record(decision(f, 'w004', 'flso'), 'proofed_in_person', [], []);
    await f.proofing.record(decision(f, 'w005', 'flso'), 'proofed_in_person', [], []);
    const history = await f.proofing.history(f.id('w004'));
    expect(history.map((r) => r.id)).toEqual([c, b, a]);
    expect(history.map((r) => r.officialName)).toEqual(['Fay Lowe', 'Finn Lowe', 'Fay Lowe']);
    expect(await f.proofing.history(f.id('w006'))).toEqual([]);
    expect(await f.proofing.byId(999_999)).toBeNull();
  });

  it('setRemoteOutcome: state and reference with an audit row; an in-person referral keeps its first date', async () => {
    const f = await arrange(engines, engine, true);
    const p = f.id('w007');
    const referred = async () =>
      f.db.get<{ state: string; ref: string | null; at: number | null }>(
        'SELECT proofing_state AS state, proofing_reference AS ref, proofing_referred_at AS at FROM users WHERE id = ?',
        [p],
      );
    const first = f.clock.now();
    await f.proofing.setRemoteOutcome(p, 'referred_in_person', 'REF-1', [
      { action: 'proofing.remote_outcome', actorId: null, subjectUserId: p, details: { outcome: 'a' } },
    ]);
    expect(await referred()).toEqual({ state: 'referred_in_person', ref: 'REF-1', at: first });
    f.clock.advance(DAY);
    await f.proofing.setRemoteOutcome(p, 'referred_in_person', 'REF-2', [
      { action: 'proofing.remote_outcome', actorId: null, subjectUserId: p, details: { outcome: 'b' } },
    ]);
    expect(await referred()).toEqual({ state: 'referred_in_person', ref: 'REF-2', at: first });
    expect(await f.proofing.reference(p)).toBe('REF-2');
    await f.proofing.setRemoteOutcome(p, 'proofed_remote', null, [
      { action: 'proofing.remote_outcome', actorId: null, subjectUserId: p, details: { outcome: 'c' } },
    ]);
    expect(await referred()).toEqual({ state: 'proofed_remote', ref: null, at: null });
    expect(await f.proofing.reference(p)).toBeNull();
    expect(await f.proofing.reference(999_999)).toBeNull();
    expect((await auditRows(f.db)).map((r) => [r.action, r.subjectUserId, r.details])).toEqual([
      ['proofing.remote_outcome', p, '{"outcome":"a"}'],
      ['proofing.remote_outcome', p, '{"outcome":"b"}'],
      ['proofing.remote_outcome', p, '{"outcome":"c"}'],
    ]);
  });

  it("officialEmailsAround: the active Security Officials of the user's organizations but one, by email", async () => {
    const f = await arrange(engines, engine, true);
    // p002 is in Florida and Georgia; fllocked is locked; flso is the one left out.
    expect(await f.proofing.officialEmailsAround(f.id('p002'), f.id('flso'))).toEqual([
      { email: 'flso2@example.org', organizationId: f.org('FL') },
      { email: 'gaso@example.org', organizationId: f.org('GA') },
    ]);
    expect(await f.proofing.officialEmailsAround(f.id('clinic'), f.id('clinic'))).toEqual([]);
    expect(await f.proofing.officialEmailsAround(f.id('cmsonly'), f.id('flso'))).toEqual([]);
  });
});

describe('proofing and FSID stores answer the same on both engines', () => {
  const engines = useStoreEngines();

  async function transcript(engine: Engine) {
    const f = await arrange(engines, engine, true);
    await giveFsids(f);
    const searches: Record<string, unknown> = {};
    for (const s of SEARCHES) {
      for (const limit of [1, 6, 100]) searches[`${s.name}/${limit}`] = await pageThrough(f.fsid, s.search(f), limit);
    }
    const id = await f.proofing.record(
      {
        subjectId: f.id('w008'),
        officialId: f.id('flso'),
        decision: 'approved',
        documents: {},
        appearedInPerson: true,
        reason: null,
        comments: null,
        suspectedFraud: false,
      },
      'proofed_in_person',
      [{ action: 'proofing.approved', actorId: f.id('flso'), subjectUserId: f.id('w008') }],
      [],
    );
    return {
      searches,
      row: await f.fsid.row(f.id('p001'), [f.org('FL'), f.org('GA')]),
      states: await f.fsid.stateOrganizationsOf(f.id('clinic')),
      record: await f.proofing.byId(recorded(id)),
      history: await f.proofing.history(f.id('p008')),
      emails: await f.proofing.officialEmailsAround(f.id('p002'), f.id('gaso')),
      audit: await f.db.all('SELECT id, at, action, details, prev_hash, hash FROM audit_events ORDER BY id'),
    };
  }

  it('the same pages, cursors, rows and audit chain', async () => {
    const sqlite = await transcript('sqlite');
    const postgres = await transcript('postgres');
    expect(Object.keys(sqlite.searches)).toHaveLength(SEARCHES.length * 3);
    expect(postgres).toEqual(sqlite);
  });
});

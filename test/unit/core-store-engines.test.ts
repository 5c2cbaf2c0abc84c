import Database from 'better-sqlite3';
import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditHeadPayload, chainHash } from '../../main/store/audit-chain.js';
import { migrate } from '../../main/store/migrations/index.js';
import type { SqlOutboxStore } from '../../main/store/outbox-store.js';
import { staleReminderKey } from '../../main/store/outbox-store.js';
import type { OutboxDraft } from '../../main/store/outbox-rows.js';
import { insertScenario, type Scenario } from '../../main/store/seed.js';
import { slot } from '../../main/store/slots.js';
import type { SqlExecutor } from '../../main/store/sql.js';
import { SqlStore } from '../../main/store/sql-store.js';
import { SqliteStore } from '../../main/store/sqlite.js';
import type { AuditDraft, FirstOfficial, NewCredential } from '../../main/store/types.js';
import { FixedClock } from '../../main/clock.js';
import { ENGINES, useStoreEngines, type StoreUnderTest } from '../support/store-engines.js';
import { NO_CONTACT } from '../support/scenario-user.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 30, 15);

const person = (userId: string, org: string, status: Scenario['users'][number]['status'] = 'active'): Scenario['users'][number] => ({
  userId,
  firstName: userId.toUpperCase(),
  lastName: 'Tester',
  email: `${userId}@example.gov`,
  ...NO_CONTACT,
  status,
  passwordHash: 'hash',
  createdAt: T0 - 30 * DAY,
  lastSignInAt: T0 - 20 * DAY,
  proofingState: 'proofed_remote',
  homeOrganization: org,
});

/** Two organizations, their officials (one deactivated), a requester with pending requests, and a user with two credentials. */
const SCENARIO: Scenario = {
  programs: ['iQIES', 'HARP'],
  roles: [
    { name: 'Provider Security Official', securityOfficialKind: 'provider' },
    { name: 'Provider Basic User', securityOfficialKind: null },
  ],
  organizations: [
    { displayId: 'P1', name: 'Zeta Care', kind: 'provider', stateCode: 'MD' },
    { displayId: 'P2', name: 'Alpha Care', kind: 'provider', stateCode: 'VA' },
  ],
  users: [person('so1', 'P1'), person('so2', 'P1'), person('gone', 'P1', 'deactivated'), person('req', 'P1'), person('two', 'P2')],
  credentials: [
    { userId: 'two', credentialId: 'two-a', label: 'phone', secretSealed: Buffer.from([1, 2, 3]), createdAt: T0 - 10 * DAY },
    { userId: 'two', credentialId: 'two-b', label: 'key', secretSealed: Buffer.from([4, 5, 6]), createdAt: T0 - 5 * DAY },
    { userId: 'req', credentialId: 'req-a', label: 'only', secretSealed: Buffer.from([7]), createdAt: T0 - 5 * DAY },
  ],
  assignments: [
    { userId: 'so1', program: 'iQIES', organization: 'P1', role: 'Provider Security Official', grantedAt: T0 - 20 * DAY },
    { userId: 'so1', program: 'HARP', organization: 'P1', role: 'Provider Security Official', grantedAt: T0 - 20 * DAY },
    { userId: 'so1', program: 'iQIES', organization: 'P2', role: 'Provider Basic User', grantedAt: T0 - 20 * DAY },
    { userId: 'so2', program: 'iQIES', organization: 'P1', role: 'Provider Security Official', grantedAt: T0 - 20 * DAY },
    { userId: 'gone', program: 'HARP', organization: 'P1', role: 'Provider Security Official', grantedAt: T0 - 20 * DAY },
  ],
  requests: [
    {
      requester: 'req',
      program: 'iQIES',
      organization: 'P1',
      role: 'Provider Basic User',
      justification: 'old',
      status: 'pending',
      requestedAt: T0 - 9 * DAY,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    },
    {
      requester: 'req',
      program: 'HARP',
      organization: 'P1',
      role: 'Provider Basic User',
      justification: 'older',
      status: 'pending',
      requestedAt: T0 - 12 * DAY,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    },
    {
      requester: 'req',
      program: 'iQIES',
      organization: 'P2',
      role: 'Provider Basic User',
      justification: 'fresh',
      status: 'pending',
      requestedAt: T0 - 1 * DAY,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    },
  ],
};

const FIRST: FirstOfficial = {
  user: { userId: 'Chief', firstName: 'Chris', lastName: 'Chief', email: 'chief@cms.gov', passwordHash: 'hash' },
  organizationName: 'Centers for Medicare & Medicaid Services',
  credential: { credentialId: 'chief-1', label: 'phone', secretSealed: Buffer.from('sealed'), lastUsedStep: 100 },
  programs: ['iQIES', 'HARP'],
  roleName: 'CMS Security Official',
};

const count = async (on: SqlExecutor, table: string): Promise<number> => (await on.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;

/** Every table a core write touches, counted: a refused call must leave each as it was. */
const snapshot = async (on: SqlExecutor) => ({
  users: await on.all('SELECT * FROM users ORDER BY id'),
  credentials: await on.all('SELECT * FROM mfa_credentials ORDER BY id'),
  audit: await count(on, 'audit_events'),
  outbox: await on.all('SELECT * FROM outbox ORDER BY id'),
  meta: await on.all('SELECT * FROM console_meta ORDER BY key'),
});

const idOf = async (on: SqlExecutor, table: 'users' | 'organizations' | 'mfa_credentials', column: string, value: string): Promise<number> =>
  (await on.get<{ id: number }>(`SELECT id FROM ${table} WHERE ${column} = ?`, [value]))!.id;

const signed = (actor: number | null, action: AuditDraft['action'] = 'signin.succeeded'): AuditDraft[] => [{ action, actorId: actor, subjectUserId: actor }];

/** The password an attempt is checked against: the account's as it is now. */
async function passwordOf(store: SqlStore, id: number): Promise<{ passwordHash: string; mustChangePassword: boolean }> {
  const user = await store.users.byId(id);
  return { passwordHash: user?.passwordHash ?? '', mustChangePassword: user?.mustChangePassword ?? false };
}

describe.each(ENGINES)('the core store and the outbox on %s', (engine) => {
  const engines = useStoreEngines();

  /** The store over the engine under test. */
  async function open(seed = true): Promise<StoreUnderTest & { store: SqlStore; outbox: SqlOutboxStore }> {
    const opened = await engines.open(engine, T0);
    if (seed) await opened.db.transaction((tx) => insertScenario(tx, SCENARIO));
    const store = new SqlStore(opened.context);
    return { ...opened, store, outbox: store.outbox };
  }

  describe('meta', () => {
    it('reads nothing for an unknown key, then the value last set', async () => {
      const { store } = await open(false);
      expect(await store.meta.get('k')).toBeNull();
      await store.meta.set('k', 'one');
      await store.meta.set('k', 'two');
      expect(await store.meta.get('k')).toBe('two');
    });
  });

  describe('users', () => {
    it('counts, and finds by sign-in id (any case) and by row id', async () => {
      const { store, db } = await open();
      expect(await store.users.count()).toBe(SCENARIO.users.length);
      const so1 = await store.users.byUserId('SO1');
      expect(so1).toMatchObject({ userId: 'so1', firstName: 'SO1', status: 'active', mustChangePassword: false, failedAttempts: 0, lockedUntil: null });
      expect(so1?.id).toBe(await idOf(db, 'users', 'user_id', 'so1'));
      expect(await store.users.byId(so1!.id)).toEqual(so1);
      expect(await store.users.byUserId('nobody')).toBeNull();
      expect(await store.users.byId(999_999)).toBeNull();
    });

    it('creates the first official only while no user exists, with its organization, credential, roles and audit', async () => {
      const { store, db, clock } = await open(false);
      // A program already there (from an earlier attempt) is reused, not a conflict that aborts the transaction.
      await db.run('INSERT INTO programs (name) VALUES (?)', ['HARP']);
      const id = await store.users.createFirstOfficial(FIRST, [{ action: 'setup.completed', actorId: null }]);
      expect(id).toEqual(expect.any(Number));
      const user = await store.users.byId(id as number);
      expect(user).toMatchObject({ userId: 'Chief', status: 'active', proofingState: 'proofed_in_person', createdAt: clock.now() });
      const org = await db.get<{ id: number; display_id: string; kind: string }>('SELECT id, display_id, kind FROM organizations');
      expect(org).toMatchObject({ display_id: 'CMS', kind: 'cms', id: user!.homeOrganizationId });
      const holdings = await store.users.roleHoldings(id as number);
      expect(holdings.map((h) => [h.program, h.role, h.securityOfficialKind])).toEqual([
        ['HARP', 'CMS Security Official', 'cms'],
        ['iQIES', 'CMS Security Official', 'cms'],
      ]);
      expect(await count(db, 'programs')).toBe(2);
      const [credential] = await store.credentials.forUser(id as number);
      expect(credential).toMatchObject({ credentialId: 'chief-1', lastUsedStep: 100, createdAt: clock.now(), lastUsedAt: clock.now() });
      expect(credential!.secretSealed.equals(FIRST.credential.secretSealed)).toBe(true);
      const events = await store.audit.read(0, 10);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'setup.completed', actorId: id, subjectUserId: id, organizationId: org!.id, at: clock.now() });
      expect(await store.organizations.securityOfficialCount(org!.id)).toBe(1);

      const before = await snapshot(db);
      expect(await store.users.createFirstOfficial({ ...FIRST, user: { ...FIRST.user, userId: 'Second', email: 'second@cms.gov' } }, [])).toBe(false);
      expect(await snapshot(db)).toEqual(before);
      expect(await count(db, 'organizations')).toBe(1);
    });

    it('refuses to set up over a CMS organization it did not make, changing nothing', async () => {
      const { store, db } = await open(false);
      await db.run("INSERT INTO organizations (display_id, name, kind) VALUES ('CMS', 'Elsewhere', 'cms')");
      const before = await snapshot(db);
      await expect(store.users.createFirstOfficial(FIRST, [{ action: 'setup.completed', actorId: null }])).rejects.toThrow('CMS organization but no user');
      expect(await snapshot(db)).toEqual(before);
      expect(await count(db, 'programs')).toBe(0);
    });

    it('creates the first official once when two set-ups race', async () => {
      const { store, db } = await open(false);
      const results = await Promise.all([
        store.users.createFirstOfficial(FIRST, []),
        store.users.createFirstOfficial(
          { ...FIRST, user: { ...FIRST.user, userId: 'Other', email: 'other@cms.gov' }, credential: { ...FIRST.credential, credentialId: 'o-1' } },
          [],
        ),
      ]);
      expect(results.filter((r) => r !== false)).toHaveLength(1);
      expect(await count(db, 'users')).toBe(1);
      expect(await count(db, 'organizations')).toBe(1);
    });

    it('writes sign-in counters, dating a deactivation once, with their audit', async () => {
      const { store, db, clock } = await open();
      const id = await idOf(db, 'users', 'user_id', 'req');
      await store.users.updateSignInCounters(
        id,
        { status: 'temporarily_locked', failedAttempts: 3, temporaryLockCount: 1, lockedUntil: T0 + 60_000 },
        [{ action: 'account.temporarily_locked', actorId: null, subjectUserId: id }],
        'active',
      );
      expect(await store.users.byId(id)).toMatchObject({ status: 'temporarily_locked', failedAttempts: 3, temporaryLockCount: 1, lockedUntil: T0 + 60_000 });
      expect((await db.get<{ d: number | null }>('SELECT deactivated_at AS d FROM users WHERE id = ?', [id]))!.d).toBeNull();
      await store.users.updateSignInCounters(
        id,
        { status: 'deactivated', failedAttempts: 0, temporaryLockCount: 0, lockedUntil: null },
        [],
        'temporarily_locked',
      );
      clock.advance(DAY);
      await store.users.updateSignInCounters(id, { status: 'deactivated', failedAttempts: 1, temporaryLockCount: 0, lockedUntil: null }, [], 'deactivated');
      expect((await db.get<{ d: number | null }>('SELECT deactivated_at AS d FROM users WHERE id = ?', [id]))!.d).toBe(T0);
      expect(await store.users.byId(id)).toMatchObject({ status: 'deactivated', failedAttempts: 1 });
      expect((await store.audit.lastOfAction('account.temporarily_locked'))?.at).toBe(T0);
    });

    it('moves the status only from the one the counts were worked out from: a deactivation made meanwhile stays', async () => {
      const { store, db } = await open();
      const id = await idOf(db, 'users', 'user_id', 'req');
      // An official deactivates the account after a failed attempt read it as active.
      await db.run("UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE id = ?", [T0, id]);
      await store.users.updateSignInCounters(
        id,
        { status: 'active', failedAttempts: 1, temporaryLockCount: 0, lockedUntil: null },
        [{ action: 'signin.failed', actorId: null, subjectUserId: id }],
        'active',
      );
      expect(await store.users.byId(id)).toMatchObject({ status: 'deactivated', failedAttempts: 1 });
      await store.users.updateSignInCounters(id, { status: 'locked', failedAttempts: 0, temporaryLockCount: 3, lockedUntil: null }, [], 'active');
      expect(await store.users.byId(id)).toMatchObject({ status: 'deactivated', temporaryLockCount: 3 });
      expect((await store.audit.lastOfAction('signin.failed'))?.at).toBe(T0);
    });

    it('records a sign-in and consumes its code step; refuses an inactive account or a used step and changes nothing', async () => {
      const { store, db, clock } = await open();
      const id = await idOf(db, 'users', 'user_id', 'two');
      const credentialRowId = await idOf(db, 'mfa_credentials', 'credential_id', 'two-a');
      await db.run('UPDATE users SET failed_attempts = 2, temporary_lock_count = 1 WHERE id = ?', [id]);
      expect(await store.users.recordSignIn(id, { credentialRowId, step: 50 }, signed(id), await passwordOf(store, id))).toBe(true);
      expect(await store.users.byId(id)).toMatchObject({ failedAttempts: 0, temporaryLockCount: 0, lockedUntil: null, lastSignInAt: clock.now() });
      expect((await store.credentials.forUser(id))[0]).toMatchObject({ lastUsedStep: 50, lastUsedAt: clock.now() });
      expect((await store.audit.lastOfAction('signin.succeeded'))?.at).toBe(clock.now());

      clock.advance(60_000);
      const before = await snapshot(db);
      expect(await store.users.recordSignIn(id, { credentialRowId, step: 50 }, signed(id), await passwordOf(store, id))).toBe(false);
      expect(await store.users.recordSignIn(id, { credentialRowId, step: 49 }, signed(id), await passwordOf(store, id))).toBe(false);
      const gone = await idOf(db, 'users', 'user_id', 'gone');
      expect(await store.users.recordSignIn(gone, null, signed(gone), await passwordOf(store, gone))).toBe(false);
      expect(await snapshot(db)).toEqual(before);
      // Without a code (a temporary password and no credential): only the account's state matters.
      expect(await store.users.recordSignIn(id, null, signed(id), await passwordOf(store, id))).toBe(true);
      // An official reset the password after the attempt read it: the attempt signs in no one.
      const read = await passwordOf(store, id);
      await db.run("UPDATE users SET password_hash = 'reset-by-official', must_change_password = 1 WHERE id = ?", [id]);
      const reset = await snapshot(db);
      expect(await store.users.recordSignIn(id, null, signed(id), read)).toBe(false);
      expect(await store.users.recordSignIn(id, { credentialRowId, step: 90 }, signed(id), read)).toBe(false);
      expect(await snapshot(db)).toEqual(reset);
    });

    it('lets exactly one of two racing sign-ins with the same code through', async () => {
      const { store, db } = await open();
      const id = await idOf(db, 'users', 'user_id', 'two');
      const credentialRowId = await idOf(db, 'mfa_credentials', 'credential_id', 'two-a');
      const read = await passwordOf(store, id);
      const results = await Promise.all([1, 2, 3].map(() => store.users.recordSignIn(id, { credentialRowId, step: 77 }, signed(id), read)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await count(db, 'audit_events')).toBe(1);
    });

    it('lists role holdings by organization name, program and role', async () => {
      const { store, db } = await open();
      const holdings = await store.users.roleHoldings(await idOf(db, 'users', 'user_id', 'so1'));
      expect(holdings.map((h) => [h.organization.displayId, h.organization.name, h.organization.stateCode, h.program, h.role, h.securityOfficialKind])).toEqual(
        [
          ['P2', 'Alpha Care', 'VA', 'iQIES', 'Provider Basic User', null],
          ['P1', 'Zeta Care', 'MD', 'HARP', 'Provider Security Official', 'provider'],
          ['P1', 'Zeta Care', 'MD', 'iQIES', 'Provider Security Official', 'provider'],
        ],
      );
      expect(await store.users.roleHoldings(999_999)).toEqual([]);
    });

    it('gives a session the holdings only while the account may be signed in: a lock keeps them, deactivation takes them', async () => {
      const { store, db } = await open();
      const id = await idOf(db, 'users', 'user_id', 'so1');
      const all = await store.users.roleHoldings(id);
      expect(all).toHaveLength(3);
      for (const status of ['active', 'temporarily_locked', 'locked', 'deactivated', 'pending', 'not_activated']) {
        await db.run('UPDATE users SET status = ? WHERE id = ?', [status, id]);
        const kept = ['active', 'temporarily_locked', 'locked'].includes(status);
        expect(await store.users.sessionHoldings(id), status).toEqual(kept ? all : []);
        expect(await store.users.roleHoldings(id), status).toEqual(all);
      }
    });
  });

  describe('credentials', () => {
    const extra: NewCredential = { credentialId: 'two-c', label: 'tablet', secretSealed: Buffer.from([9, 9]), lastUsedStep: 12 };

    it('lists oldest first, and adds one below the maximum only, with its audit', async () => {
      const { store, db, clock } = await open();
      const id = await idOf(db, 'users', 'user_id', 'two');
      expect((await store.credentials.forUser(id)).map((c) => c.credentialId)).toEqual(['two-a', 'two-b']);
      const before = await snapshot(db);
      expect(await store.credentials.add(id, extra, 2, [{ action: 'credential.added', actorId: id }])).toBe(false);
      expect(await snapshot(db)).toEqual(before);
      const added = await store.credentials.add(id, extra, 3, [{ action: 'credential.added', actorId: id }]);
      expect(added).toMatchObject({ userId: id, credentialId: 'two-c', label: 'tablet', lastUsedStep: 12, createdAt: clock.now(), lastUsedAt: clock.now() });
      expect(added && added.secretSealed.equals(extra.secretSealed)).toBe(true);
      expect((await store.credentials.forUser(id)).map((c) => c.id)).toContain(added && added.id);
      expect(await count(db, 'audit_events')).toBe(1);
    });

    it('consumes a step only when newer than the last one', async () => {
      const { store, db } = await open();
      const rowId = await idOf(db, 'mfa_credentials', 'credential_id', 'two-b');
      expect(await store.credentials.consumeStep(rowId, 10)).toBe(true);
      expect(await store.credentials.consumeStep(rowId, 10)).toBe(false);
      expect(await store.credentials.consumeStep(rowId, 9)).toBe(false);
      expect(await store.credentials.consumeStep(rowId, 11)).toBe(true);
      expect(await store.credentials.consumeStep(999_999, 12)).toBe(false);
    });

    it('removes a credential after consuming its step; refuses the last one and a replayed step, changing nothing', async () => {
      const { store, db } = await open();
      const two = await idOf(db, 'users', 'user_id', 'two');
      const a = await idOf(db, 'mfa_credentials', 'credential_id', 'two-a');
      const b = await idOf(db, 'mfa_credentials', 'credential_id', 'two-b');
      await store.credentials.consumeStep(a, 30);
      let before = await snapshot(db);
      expect(await store.credentials.remove(two, b, 30, [{ action: 'credential.removed', actorId: two }])).toBe('removed');
      expect((await store.credentials.forUser(two)).map((c) => c.id)).toEqual([a]);
      expect(await count(db, 'audit_events')).toBe(before.audit + 1);

      before = await snapshot(db);
      expect(await store.credentials.remove(two, a, 31, [{ action: 'credential.removed', actorId: two }])).toBe('last');
      expect(await snapshot(db)).toEqual(before);

      const req = await idOf(db, 'users', 'user_id', 'req');
      await store.credentials.add(req, { credentialId: 'req-b', label: 'second', secretSealed: Buffer.from([1]), lastUsedStep: 40 }, 3, []);
      const reqB = await idOf(db, 'mfa_credentials', 'credential_id', 'req-b');
      before = await snapshot(db);
      expect(await store.credentials.remove(req, reqB, 40, [{ action: 'credential.removed', actorId: req }])).toBe('replayed');
      expect(await snapshot(db)).toEqual(before);
    });
  });

  describe('organizations', () => {
    it('counts the distinct holders of a Security Official role in an organization', async () => {
      const { store, db } = await open();
      // so1 twice (two programs), so2, and the deactivated official: three people.
      expect(await store.organizations.securityOfficialCount(await idOf(db, 'organizations', 'display_id', 'P1'))).toBe(3);
      expect(await store.organizations.securityOfficialCount(await idOf(db, 'organizations', 'display_id', 'P2'))).toBe(0);
    });
  });

  describe('audit', () => {
    it('appends a hash chain, reads it in pages, and names its head and the last event of an action', async () => {
      const { store, clock } = await open(false);
      expect(await store.audit.head()).toBeNull();
      expect(await store.audit.lastOfAction('signout')).toBeNull();
      await store.audit.append([
        { action: 'signout', actorId: null, details: { n: 1 } },
        { action: 'warning.accepted', actorId: null, organizationId: null },
      ]);
      clock.advance(1000);
      await store.audit.append([{ action: 'signout', actorId: null, details: { n: 2, ok: true, none: null } }]);
      await store.audit.append([]);
      const all = await store.audit.read(0, 10);
      expect(all.map((e) => e.id)).toEqual([1, 2, 3]);
      let prev = GENESIS_HASH;
      for (const row of all) {
        expect(row.prevHash).toBe(prev);
        expect(row.hash).toBe(chainHash(prev, row));
        prev = row.hash;
      }
      expect(all[2]).toMatchObject({ actorId: null, subjectUserId: null, organizationId: null, requestId: null, details: '{"n":2,"ok":true,"none":null}' });
      expect((await store.audit.read(1, 1)).map((e) => e.id)).toEqual([2]);
      expect(await store.audit.head()).toEqual({ id: 3, hash: prev });
      expect(await store.audit.lastOfAction('signout')).toEqual({ at: T0 + 1000, details: '{"n":2,"ok":true,"none":null}' });
    });

    it('signs the head with the console key once given, on every append and on demand', async () => {
      const { store, db } = await open(false);
      const head = () => db.get<{ event_id: number; hash: string; signature: string }>('SELECT event_id, hash, signature FROM audit_head WHERE singleton = 1');
      await store.audit.signHead();
      const unsigned = await head();
      expect(unsigned?.signature ?? null).toBeNull();
      await store.audit.append([{ action: 'signout', actorId: null }]);

      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      await store.signAuditHeadsWith('console-1', privateKey);
      await store.audit.signHead();
      const first = (await head())!;
      expect(first.event_id).toBe(1);
      expect(verify(null, auditHeadPayload('console-1', first.event_id, first.hash), publicKey, Buffer.from(first.signature, 'base64'))).toBe(true);
      await store.audit.append([{ action: 'signout', actorId: null }]);
      const second = (await head())!;
      expect(second.event_id).toBe(2);
      expect(second.hash).toBe((await store.audit.head())!.hash);
      expect(verify(null, auditHeadPayload('console-1', 2, second.hash), publicKey, Buffer.from(second.signature, 'base64'))).toBe(true);
    });
  });

  describe('demo', () => {
    it('seeds a scenario with its Federal Surveyor ID requests and marks the database a demo; moves aged sign-ins up to a week ago', async () => {
      const { store, db, clock } = await open(false);
      await store.demo.seed(SCENARIO, ['so2']);
      expect(await store.meta.get('demo')).toBe('1');
      expect(await db.all('SELECT user_id FROM users WHERE fsid_state = ? ORDER BY id', ['requested'])).toEqual([{ user_id: 'so2' }]);
      await store.demo.refreshActivity();
      expect((await store.users.byUserId('so1'))?.lastSignInAt).toBe(clock.now() - 7 * DAY);
    });
  });

  describe('outbox', () => {
    const draft = (to: string, organizationId: number | null, kind = 'request.filed'): OutboxDraft => ({
      to,
      subject: `About ${to}`,
      body: 'Body',
      kind,
      organizationId,
      requestId: null,
    });

    async function withMail() {
      const opened = await open();
      const p1 = await idOf(opened.db, 'organizations', 'display_id', 'P1');
      const p2 = await idOf(opened.db, 'organizations', 'display_id', 'P2');
      await opened.db.transaction((tx) => opened.context.queueEmail(tx, [draft('a@x.gov', p1)]));
      opened.clock.advance(1000);
      await opened.db.transaction((tx) => opened.context.queueEmail(tx, [draft('b@x.gov', p2), draft('c@x.gov', null, 'console.test')]));
      const ids = (await opened.db.all<{ id: number; to_address: string }>('SELECT id, to_address FROM outbox ORDER BY id')).map((r) => r.id);
      return { ...opened, p1, p2, ids: ids as [number, number, number] };
    }

    it('lists newest first, per organization scope and status; an empty scope sees nothing', async () => {
      const { outbox, p1, p2, ids } = await withMail();
      const [a, b, c] = ids;
      expect((await outbox.list({ kind: 'all' }, undefined, 10)).map((r) => r.id)).toEqual([c, b, a]);
      expect((await outbox.list({ kind: 'all' }, undefined, 2)).map((r) => r.id)).toEqual([c, b]);
      expect((await outbox.list({ kind: 'organizations', organizationIds: [p1, p2] }, undefined, 10)).map((r) => r.id)).toEqual([b, a]);
      expect((await outbox.list({ kind: 'organizations', organizationIds: [p2] }, 'owed', 10)).map((r) => r.id)).toEqual([b]);
      expect(await outbox.list({ kind: 'organizations', organizationIds: [] }, undefined, 10)).toEqual([]);
      await outbox.markSent(a, T0 + 5);
      expect((await outbox.list({ kind: 'all' }, 'sent', 10)).map((r) => r.id)).toEqual([a]);
      expect((await outbox.list({ kind: 'organizations', organizationIds: [p1] }, 'sent', 10)).map((r) => r.id)).toEqual([a]);
      expect((await outbox.list({ kind: 'all' }, 'owed', 10)).map((r) => r.id)).toEqual([c, b]);
      expect((await outbox.list({ kind: 'all' }, 'failed', 10)).map((r) => r.id)).toEqual([]);
      expect((await outbox.list({ kind: 'all' }, undefined, 10))[2]).toMatchObject({
        to: 'a@x.gov',
        subject: 'About a@x.gov',
        kind: 'request.filed',
        status: 'sent',
        attempts: 0,
        sentAt: T0 + 5,
        lastError: null,
        createdAt: T0,
        organizationId: p1,
        requestId: null,
      });
    });

    it('gives due ids earliest first, claims a due row once, and records its delivery or failure', async () => {
      const { outbox, ids, clock } = await withMail();
      const [a, b, c] = ids;
      const now = clock.now();
      expect(await outbox.dueIds(now, 10)).toEqual([a, b, c]);
      expect(await outbox.dueIds(T0, 10)).toEqual([a]);
      expect(await outbox.dueIds(now, 1)).toEqual([a]);
      const claimed = await outbox.claim(a, now, now + 60_000);
      expect(claimed).toMatchObject({ id: a, attempts: 1, nextAttemptAt: now + 60_000, status: 'owed' });
      expect(await outbox.claim(a, now, now + 60_000)).toBeNull();
      expect(await outbox.dueIds(now, 10)).toEqual([b, c]);
      await outbox.markAttemptFailed(a, { status: 'owed', nextAttemptAt: now + 5, lastError: 'refused' });
      expect((await outbox.list({ kind: 'all' }, undefined, 10)).find((r) => r.id === a)).toMatchObject({
        status: 'owed',
        lastError: 'refused',
        nextAttemptAt: now + 5,
      });
      expect(await outbox.claim(a, now + 5, now + 100)).toMatchObject({ attempts: 2 });
      await outbox.markSent(a, now + 6);
      // Only an owed row is marked: a sent one stays sent.
      await outbox.markAttemptFailed(a, { status: 'failed', nextAttemptAt: now + 7, lastError: 'late' });
      expect((await outbox.list({ kind: 'all' }, 'sent', 10))[0]).toMatchObject({ id: a, sentAt: now + 6, lastError: null });
      expect(await outbox.claim(a, now + 1_000_000, now + 2_000_000)).toBeNull();
      await outbox.markAttemptFailed(b, { status: 'failed', nextAttemptAt: now, lastError: 'gave up' });
      expect(await outbox.claim(b, now, now + 1)).toBeNull();
      expect(await outbox.claim(999_999, now, now + 1)).toBeNull();
    });

    it('never lets two senders claim the same row', async () => {
      const { outbox, ids, clock } = await withMail();
      const now = clock.now();
      for (const id of ids) {
        const claims = await Promise.all(Array.from({ length: 6 }, () => outbox.claim(id, now, now + 60_000)));
        expect(claims.filter((c) => c !== null)).toHaveLength(1);
      }
      const rows = await outbox.list({ kind: 'all' }, undefined, 10);
      expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
    });

    it('retries a failed row in scope with its audit slots filled; out of scope or unknown is not found, a sent row is sent', async () => {
      const { outbox, db, p1, p2, ids, clock } = await withMail();
      const [a, b, c] = ids;
      await outbox.markAttemptFailed(b, { status: 'failed', nextAttemptAt: T0, lastError: 'gave up' });
      await outbox.markSent(a, T0);
      const audit = {
        action: 'mail.retry' as const,
        actorId: null,
        organizationId: slot('organizationId'),
        requestId: slot('requestId'),
        details: { outboxId: slot('id'), kind: slot('kind'), was: slot('status'), attempts: slot('attempts') },
      };
      const before = await snapshot(db);
      expect(await outbox.retry(b, { kind: 'organizations', organizationIds: [p1] }, clock.now(), audit)).toEqual({ outcome: 'not_found' });
      expect(await outbox.retry(c, { kind: 'organizations', organizationIds: [p1, p2] }, clock.now(), audit)).toEqual({ outcome: 'not_found' });
      expect(await outbox.retry(999_999, { kind: 'all' }, clock.now(), audit)).toEqual({ outcome: 'not_found' });
      expect(await outbox.retry(a, { kind: 'all' }, clock.now(), audit)).toMatchObject({ outcome: 'sent', row: { id: a, status: 'sent' } });
      expect(await snapshot(db)).toEqual(before);

      clock.advance(DAY);
      const retried = await outbox.retry(b, { kind: 'organizations', organizationIds: [p2] }, clock.now(), audit);
      expect(retried).toMatchObject({ outcome: 'retried', row: { id: b, status: 'owed', nextAttemptAt: clock.now(), attempts: 0, lastError: 'gave up' } });
      const event = (await db.get<{ organization_id: number; request_id: number | null; details: string }>(
        "SELECT organization_id, request_id, details FROM audit_events WHERE action = 'mail.retry'",
      ))!;
      expect(event.organization_id).toBe(p2);
      expect(event.request_id).toBeNull();
      expect(JSON.parse(event.details)).toEqual({ outboxId: b, kind: 'request.filed', was: 'failed', attempts: 0 });
      expect(await outbox.dueIds(clock.now(), 10)).toContain(b);
    });

    it('finds stale requests per organization, oldest first, and the officials who can act on them', async () => {
      const { outbox, p1, db } = await withMail();
      const cutoff = T0 - 7 * DAY;
      expect(await outbox.staleOrganizations(cutoff)).toEqual([
        { organizationId: p1, displayId: 'P1', name: 'Zeta Care', staleCount: 2, oldestRequestedAt: T0 - 12 * DAY },
      ]);
      expect(await outbox.staleOrganizations(T0 - 20 * DAY)).toEqual([]);
      expect((await outbox.staleOrganizations(T0)).map((o) => [o.displayId, o.staleCount])).toEqual([
        ['P1', 2],
        ['P2', 1],
      ]);
      const lines = await outbox.staleRequests(p1, cutoff, 10);
      expect(lines.map((l) => [l.program, l.role, l.firstName, l.lastName, l.requestedAt])).toEqual([
        ['HARP', 'Provider Basic User', 'REQ', 'Tester', T0 - 12 * DAY],
        ['iQIES', 'Provider Basic User', 'REQ', 'Tester', T0 - 9 * DAY],
      ]);
      expect(lines[0]!.requestId).toEqual(expect.any(Number));
      expect(await outbox.staleRequests(p1, cutoff, 1)).toHaveLength(1);
      const officials = await outbox.securityOfficials(p1);
      expect(officials).toEqual([
        { userRowId: await idOf(db, 'users', 'user_id', 'so1'), email: 'so1@example.gov', firstName: 'SO1', lastName: 'Tester' },
        { userRowId: await idOf(db, 'users', 'user_id', 'so2'), email: 'so2@example.gov', firstName: 'SO2', lastName: 'Tester' },
      ]);
    });

    it('writes a stale reminder unless one was written within the gap, and keeps when', async () => {
      const { outbox, db, p1, p2 } = await withMail();
      const gap = DAY;
      expect(await outbox.lastStaleReminderAt(p1)).toBeNull();
      expect(await outbox.writeStaleReminder(p1, T0, gap, [draft('so1@x.gov', p1, 'request.stale'), draft('so2@x.gov', p1, 'request.stale')])).toBe(true);
      expect(await outbox.lastStaleReminderAt(p1)).toBe(T0);
      expect(await db.get('SELECT value FROM console_meta WHERE key = ?', [staleReminderKey(p1)])).toEqual({ value: String(T0) });
      const stale = await db.all<{ created_at: number; next_attempt_at: number }>(
        "SELECT created_at, next_attempt_at FROM outbox WHERE kind = 'request.stale'",
      );
      expect(stale).toEqual([
        { created_at: T0, next_attempt_at: T0 },
        { created_at: T0, next_attempt_at: T0 },
      ]);

      const before = await snapshot(db);
      expect(await outbox.writeStaleReminder(p1, T0 + gap - 1, gap, [draft('so1@x.gov', p1, 'request.stale')])).toBe(false);
      expect(await snapshot(db)).toEqual(before);
      // Another organization has its own schedule.
      expect(await outbox.writeStaleReminder(p2, T0 + 1, gap, [])).toBe(true);
      // The clock set back: the reminder is written, not held for the time the clock jumped.
      expect(await outbox.writeStaleReminder(p1, T0 - 1, gap, [])).toBe(true);
      expect(await outbox.lastStaleReminderAt(p1)).toBe(T0 - 1);
      expect(await outbox.writeStaleReminder(p1, T0 - 1 + gap, gap, [])).toBe(true);
      await db.run('INSERT INTO console_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
        staleReminderKey(p2),
        'garbled',
      ]);
      expect(await outbox.lastStaleReminderAt(p2)).toBeNull();
    });

    it('writes one stale reminder when two consoles race to write it', async () => {
      const { outbox, db, p1 } = await withMail();
      const results = await Promise.all([1, 2, 3].map(() => outbox.writeStaleReminder(p1, T0, DAY, [draft('so1@x.gov', p1, 'request.stale')])));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await count(db, "outbox WHERE kind = 'request.stale'")).toBe(1);
    });
  });
});

describe('the SQLite store', () => {
  it('verifies the live chain of its file, signed by the console’s key', async () => {
    const raw = new Database(':memory:');
    raw.pragma('foreign_keys = ON');
    migrate(raw);
    const store = new SqliteStore(raw, new FixedClock(T0));
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    await store.signAuditHeadsWith('console-1', privateKey);
    await store.audit.append([{ action: 'signout', actorId: null }]);
    await store.audit.append([{ action: 'signout', actorId: null }]);
    const key = { consoleId: 'console-1', publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) };
    const check = await store.audit.verifyLive(key, 0);
    expect(check).toMatchObject({ broken: null, total: 2, checked: 2, head: { signed: true, broken: null } });
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    expect((await store.audit.verifyLive({ consoleId: 'console-1', publicKeyDer: other }, 0)).head.signed).toBe(false);
    await store.close();
    expect(raw.open).toBe(false);
  });
});

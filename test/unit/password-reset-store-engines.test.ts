import { describe, expect, it } from 'vitest';
import type { UserStatus } from '../../shared/domain.js';
import { SqlPasswordResetStore } from '../../main/store/password-reset-store.js';
import { insertScenario, type Scenario } from '../../main/store/seed.js';
import type { SqlExecutor } from '../../main/store/sql.js';
import type { AuditDraft } from '../../main/store/types.js';
import { ENGINES, useStoreEngines, type Engine } from '../support/store-engines.js';
import { NO_CONTACT } from '../support/scenario-user.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 30, 15);
const PSO = 'Provider Security Official';
const CMS_SO = 'CMS Security Official';
const BASIC = 'Provider Basic User';

type Spec = { userId: string; first: string; last: string; home: string; status?: UserStatus; roles?: Array<[organization: string, role: string]> };

const PEOPLE: Spec[] = [
  { userId: 'Ulla', first: 'Ulla', last: 'User', home: 'PRV1', roles: [['PRV1', BASIC]] },
  { userId: 'SamO', first: 'Sam', last: 'Official', home: 'PRV1', roles: [['PRV1', PSO]] },
  { userId: 'AbeA', first: 'Abe', last: 'Aaron', home: 'PRV1', roles: [['PRV1', PSO]] },
  { userId: 'DanD', first: 'Dan', last: 'Deactivated', home: 'PRV1', status: 'deactivated', roles: [['PRV1', PSO]] },
  { userId: 'BeaB', first: 'Bea', last: 'Beta', home: 'PRV2', roles: [['PRV2', PSO]] },
  { userId: 'CarlC', first: 'Carl', last: 'Zentral', home: 'CMS', roles: [['CMS', CMS_SO]] },
  { userId: 'CoraC', first: 'Cora', last: 'Central', home: 'CMS', roles: [['CMS', CMS_SO]] },
  { userId: 'Hana', first: 'Hana', last: 'Home', home: 'PRV2' },
  { userId: 'Lone', first: 'Lone', last: 'Lonely', home: 'PRV3', roles: [['PRV3', BASIC]] },
  { userId: 'Rick', first: 'Rick', last: 'Requester', home: 'PRV3' },
];

const SCENARIO: Scenario = {
  programs: ['iQIES'],
  roles: [
    { name: PSO, securityOfficialKind: 'provider' },
    { name: CMS_SO, securityOfficialKind: 'cms' },
    { name: BASIC, securityOfficialKind: null },
  ],
  organizations: [
    { displayId: 'PRV1', name: 'Alpha Clinic', kind: 'provider', stateCode: 'MD' },
    { displayId: 'PRV2', name: 'Beta Clinic', kind: 'provider', stateCode: 'MD' },
    { displayId: 'PRV3', name: 'Gamma Clinic', kind: 'provider', stateCode: 'MD' },
    { displayId: 'CMS', name: 'CMS', kind: 'cms', stateCode: null },
  ],
  users: PEOPLE.map((p) => ({
    userId: p.userId,
    firstName: p.first,
    lastName: p.last,
    email: `${p.userId.toLowerCase()}@example.org`,
    ...NO_CONTACT,
    status: p.status ?? 'active',
    passwordHash: 'old-hash',
    createdAt: NOW - 30 * DAY,
    lastSignInAt: NOW - DAY,
    proofingState: 'proofed_remote',
    homeOrganization: p.home,
  })),
  credentials: PEOPLE.map((p) => ({
    userId: p.userId,
    credentialId: `SOCT-${p.userId}`,
    label: 'phone',
    secretSealed: Buffer.from('sealed'),
    createdAt: NOW - 30 * DAY,
  })),
  assignments: PEOPLE.flatMap((p) =>
    (p.roles ?? []).map(([organization, role]) => ({ userId: p.userId, program: 'iQIES', organization, role, grantedAt: NOW - 20 * DAY })),
  ),
  requests: [
    {
      requester: 'Rick',
      program: 'iQIES',
      organization: 'PRV1',
      role: BASIC,
      justification: 'Please',
      status: 'pending',
      requestedAt: NOW - DAY,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    },
  ],
};

const hex = (c: string) => c.repeat(64);

async function snapshot(db: SqlExecutor): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['users', 'mfa_credentials', 'password_resets', 'audit_events']) out[t] = await db.all(`SELECT * FROM ${t} ORDER BY id`);
  return out;
}

const auditRows = (db: SqlExecutor) =>
  db.all<{ action: string; actor_id: number | null; subject_user_id: number | null; details: string }>(
    'SELECT action, actor_id, subject_user_id, details FROM audit_events ORDER BY id',
  );

const answers: Partial<Record<Engine, Record<string, unknown>>> = {};

describe.each(ENGINES)('the password-reset store on %s', (engine) => {
  const engines = useStoreEngines();
  const open = async () => {
    const under = await engines.open(engine, NOW);
    await under.db.transaction((tx) => insertScenario(tx, SCENARIO));
    const users = Object.fromEntries((await under.db.all<{ k: string; id: number }>('SELECT user_id AS k, id FROM users')).map((r) => [r.k, r.id]));
    const credentials = Object.fromEntries(
      (await under.db.all<{ k: string; id: number }>('SELECT u.user_id AS k, c.id FROM mfa_credentials c JOIN users u ON u.id = c.user_id')).map((r) => [
        r.k,
        r.id,
      ]),
    );
    return {
      ...under,
      store: new SqlPasswordResetStore(under.context),
      users: users as Record<string, number>,
      credentials: credentials as Record<string, number>,
    };
  };
  const record = (key: string, value: unknown) => {
    answers[engine] ??= {};
    answers[engine][key] = value;
  };

  it('opens a reset once per authenticator time step, replacing the user’s open one, audited with its id; a replayed step writes nothing', async () => {
    const { store, db, clock, users, credentials } = await open();
    const ulla = users['Ulla']!;
    const audit: AuditDraft[] = [{ action: 'account.password_reset', actorId: ulla, subjectUserId: ulla, details: { via: 'email' } }];
    const first = await store.open(
      { userRowId: ulla, tokenHash: hex('a'), codeHash: hex('b'), expiresAt: NOW + 15 * MINUTE },
      { credentialRowId: credentials['Ulla']!, step: 100 },
      audit,
    );
    expect(typeof first).toBe('number');
    expect(await db.get('SELECT last_used_step, last_used_at FROM mfa_credentials WHERE id = ?', [credentials['Ulla']!])).toEqual({
      last_used_step: 100,
      last_used_at: NOW,
    });
    expect(await auditRows(db)).toEqual([
      { action: 'account.password_reset', actor_id: ulla, subject_user_id: ulla, details: JSON.stringify({ via: 'email', resetId: first }) },
    ]);

    const before = await snapshot(db);
    const step = { credentialRowId: credentials['Ulla']!, step: 100 };
    expect(await store.open({ userRowId: ulla, tokenHash: hex('c'), codeHash: hex('d'), expiresAt: NOW + 15 * MINUTE }, step, audit)).toBe(false);
    expect(await store.open({ userRowId: ulla, tokenHash: hex('c'), codeHash: hex('d'), expiresAt: NOW + 15 * MINUTE }, { ...step, step: 99 }, audit)).toBe(
      false,
    );
    // Another user's credential is not Ulla's to consume.
    expect(
      await store.open(
        { userRowId: ulla, tokenHash: hex('c'), codeHash: hex('d'), expiresAt: NOW + 15 * MINUTE },
        { credentialRowId: credentials['SamO']!, step: 500 },
        audit,
      ),
    ).toBe(false);
    expect(await snapshot(db)).toEqual(before);

    clock.advance(MINUTE);
    const second = await store.open({ userRowId: ulla, tokenHash: hex('c'), codeHash: hex('d'), expiresAt: NOW + 16 * MINUTE }, { ...step, step: 101 }, audit);
    expect(second).not.toBe(first);
    expect(await db.all('SELECT id, user_id, token_hash, code_hash, created_at, expires_at, ended_at, end_reason FROM password_resets ORDER BY id')).toEqual([
      {
        id: first,
        user_id: ulla,
        token_hash: hex('a'),
        code_hash: hex('b'),
        created_at: NOW,
        expires_at: NOW + 15 * MINUTE,
        ended_at: NOW + MINUTE,
        end_reason: 'replaced',
      },
      {
        id: second,
        user_id: ulla,
        token_hash: hex('c'),
        code_hash: hex('d'),
        created_at: NOW + MINUTE,
        expires_at: NOW + 16 * MINUTE,
        ended_at: null,
        end_reason: null,
      },
    ]);
    expect((await auditRows(db)).map((r) => JSON.parse(r.details) as unknown)).toEqual([
      { via: 'email', resetId: first },
      { via: 'email', resetId: second },
    ]);

    expect(await store.byTokenHash(hex('a'))).toEqual({
      id: first,
      userRowId: ulla,
      codeHash: hex('b'),
      createdAt: NOW,
      expiresAt: NOW + 15 * MINUTE,
      endedAt: NOW + MINUTE,
      endReason: 'replaced',
    });
    expect(await store.byTokenHash(hex('c'))).toMatchObject({ id: second, endedAt: null, endReason: null });
    expect(await store.byTokenHash(hex('e'))).toBeNull();
    record('open', { first, second, reset: await store.byTokenHash(hex('c')) });
  });

  it('when the same security code opens two resets at once, only one opens', async () => {
    const { store, db, users, credentials } = await open();
    const ulla = users['Ulla']!;
    const step = { credentialRowId: credentials['Ulla']!, step: 200 };
    const results = await Promise.all(
      ['a', 'c'].map((c) =>
        store.open({ userRowId: ulla, tokenHash: hex(c), codeHash: hex('b'), expiresAt: NOW + 15 * MINUTE }, step, [
          { action: 'account.password_reset', actorId: ulla, subjectUserId: ulla },
        ]),
      ),
    );
    expect(results.filter((r) => r === false)).toHaveLength(1);
    expect(await db.all('SELECT end_reason FROM password_resets')).toEqual([{ end_reason: null }]);
    expect(await auditRows(db)).toHaveLength(1);
  });

  it('ends an open reset once, audited; ending it again writes nothing', async () => {
    const { store, db, clock, users, credentials } = await open();
    const ulla = users['Ulla']!;
    const id = await store.open(
      { userRowId: ulla, tokenHash: hex('a'), codeHash: hex('b'), expiresAt: NOW + 15 * MINUTE },
      { credentialRowId: credentials['Ulla']!, step: 7 },
      [],
    );
    if (id === false) throw new Error('not opened');
    clock.advance(MINUTE);
    expect(await store.end(id, 'not_sent', [{ action: 'account.password_reset', actorId: null, subjectUserId: ulla, details: { sent: false } }])).toBe(true);
    expect(await store.byTokenHash(hex('a'))).toMatchObject({ endedAt: NOW + MINUTE, endReason: 'not_sent' });
    expect(await auditRows(db)).toEqual([{ action: 'account.password_reset', actor_id: null, subject_user_id: ulla, details: '{"sent":false}' }]);
    const before = await snapshot(db);
    expect(await store.end(id, 'too_many_tries', [{ action: 'account.password_reset', actorId: null, subjectUserId: ulla }])).toBe(false);
    expect(await store.end(999_999, 'too_many_tries', [{ action: 'account.password_reset', actorId: null, subjectUserId: ulla }])).toBe(false);
    expect(await snapshot(db)).toEqual(before);
  });

  it('completes an open, unexpired reset of an active account: new password, locks cleared, audited; otherwise changes nothing', async () => {
    const { store, db, clock, users, credentials } = await open();
    const ulla = users['Ulla']!;
    await db.run(
      'UPDATE users SET failed_attempts = 2, temporary_lock_count = 1, locked_until = ?, must_change_password = 1, temporary_password_expires_at = ? WHERE id = ?',
      [NOW - MINUTE, NOW + DAY, ulla],
    );
    const id = await store.open(
      { userRowId: ulla, tokenHash: hex('a'), codeHash: hex('b'), expiresAt: NOW + 15 * MINUTE },
      { credentialRowId: credentials['Ulla']!, step: 7 },
      [],
    );
    if (id === false) throw new Error('not opened');
    const audit: AuditDraft[] = [{ action: 'password.changed', actorId: ulla, subjectUserId: ulla, details: { passwordReset: true } }];

    let before = await snapshot(db);
    // Someone else's reset, and a reset past its 15 minutes.
    expect(await store.complete(id, users['SamO']!, 'new-hash', audit)).toBe(false);
    clock.advance(15 * MINUTE);
    expect(await store.complete(id, ulla, 'new-hash', audit)).toBe(false);
    expect(await snapshot(db)).toEqual(before);

    clock.set(NOW + 5 * MINUTE);
    expect(await store.complete(id, ulla, 'new-hash', audit)).toBe(true);
    expect(
      await db.get(
        'SELECT password_hash, must_change_password, temporary_password_expires_at, failed_attempts, temporary_lock_count, locked_until, status FROM users WHERE id = ?',
        [ulla],
      ),
    ).toEqual({
      password_hash: 'new-hash',
      must_change_password: 0,
      temporary_password_expires_at: null,
      failed_attempts: 0,
      temporary_lock_count: 0,
      locked_until: null,
      status: 'active',
    });
    expect(await store.byTokenHash(hex('a'))).toMatchObject({ endedAt: NOW + 5 * MINUTE, endReason: 'used' });
    expect(await auditRows(db)).toEqual([{ action: 'password.changed', actor_id: ulla, subject_user_id: ulla, details: '{"passwordReset":true}' }]);

    before = await snapshot(db);
    expect(await store.complete(id, ulla, 'newer-hash', audit)).toBe(false);
    expect(await snapshot(db)).toEqual(before);
  });

  it('does not complete a reset of an account that is not active, and leaves the reset open', async () => {
    const { store, db, users, credentials } = await open();
    const lone = users['Lone']!;
    await db.run("UPDATE users SET status = 'locked' WHERE id = ?", [lone]);
    const id = await store.open(
      { userRowId: lone, tokenHash: hex('f'), codeHash: hex('b'), expiresAt: NOW + 15 * MINUTE },
      { credentialRowId: credentials['Lone']!, step: 3 },
      [],
    );
    if (id === false) throw new Error('not opened');
    const before = await snapshot(db);
    expect(await store.complete(id, lone, 'new-hash', [{ action: 'password.changed', actorId: lone, subjectUserId: lone }])).toBe(false);
    expect(await snapshot(db)).toEqual(before);
    expect(await store.byTokenHash(hex('f'))).toMatchObject({ endedAt: null, endReason: null });
  });

  it('names the active Security Officials of the user’s organizations (roles and home, not requests), never the user; else CMS’s', async () => {
    const { store, users } = await open();
    const contacts = {
      ulla: await store.contactsFor(users['Ulla']!),
      sam: await store.contactsFor(users['SamO']!),
      hana: await store.contactsFor(users['Hana']!),
      lone: await store.contactsFor(users['Lone']!),
      rick: await store.contactsFor(users['Rick']!),
      cora: await store.contactsFor(users['CoraC']!),
      nobody: await store.contactsFor(999_999),
    };
    const abe = { firstName: 'Abe', lastName: 'Aaron', email: 'abea@example.org', organization: 'Alpha Clinic' };
    const samContact = { firstName: 'Sam', lastName: 'Official', email: 'samo@example.org', organization: 'Alpha Clinic' };
    const cms = [
      { firstName: 'Cora', lastName: 'Central', email: 'corac@example.org', organization: 'CMS' },
      { firstName: 'Carl', lastName: 'Zentral', email: 'carlc@example.org', organization: 'CMS' },
    ];
    expect(contacts).toEqual({
      ulla: [abe, samContact],
      sam: [abe],
      hana: [{ firstName: 'Bea', lastName: 'Beta', email: 'beab@example.org', organization: 'Beta Clinic' }],
      lone: cms,
      rick: cms,
      cora: [cms[1]],
      nobody: cms,
    });
    record('contacts', contacts);
  });
});

describe('the password-reset store on both engines', () => {
  it('gives the same resets and contacts', () => {
    expect(answers.sqlite).toBeDefined();
    expect(answers.postgres).toEqual(answers.sqlite);
  });
});

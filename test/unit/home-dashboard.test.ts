import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from '../support/console-harness.js';
import { SqliteStore } from '../../main/store/sqlite.js';
import { HomeService } from '../../main/services/home.js';
import { RequestService } from '../../main/services/requests.js';
import { sideDb } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';
import { PROD, TrustConsole } from '../support/trust-console.js';

/**
 * Home's dashboard against real SQLite with the FixedClock: the boundaries of every window, the
 * copies the triggers keep, and who sees which figures and names (through dispatch only; the
 * database is touched to build the fixture).
 */
const DAY = 86_400_000;
const WEEK = 7 * DAY;

describe('Home dashboard figures', () => {
  let t: TrustConsole;
  let h: Harness;
  const db = () => t.sql;
  const now = () => h.clock.now();
  const idIn = async (sql: string, param: string): Promise<number> => (await db().get<{ id: number }>(sql, [param]))!.id;
  const orgId = (displayId: string) => idIn('SELECT id FROM organizations WHERE display_id = ?', displayId);
  const programId = () => idIn('SELECT id FROM programs WHERE name = ?', PROD);
  const roleId = (name: string) => idIn('SELECT id FROM roles WHERE name = ?', name);
  const basicRole = (org: string) => (org === 'FL' ? 'Surveyor' : org === 'CMS' ? 'CMS Security Official' : 'Provider Basic User');
  let serial = 0;

  /** A person tied to an organization: by a role when proofed, else by a pending request. */
  const person = async (
    org: string,
    lastName: string,
    o: {
      lastSignInAt?: number | null;
      createdAt?: number;
      status?: string;
      proofing?: string;
      deactivatedAt?: number | null;
      referredAt?: number | null;
      reactivatedAt?: number | null;
    } = {},
  ): Promise<number> => {
    serial += 1;
    const proofing = o.proofing ?? 'proofed_remote';
    const inserted = await db().get<{ id: number }>(
      `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at, last_sign_in_at, proofing_state, home_organization_id,
                          deactivated_at, proofing_referred_at, reactivated_at)
       VALUES (?, 'Pat', ?, ?, ?, 'x', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        `p${serial}.${lastName.toLowerCase()}`,
        lastName,
        `p${serial}@example.org`,
        o.status ?? 'active',
        o.createdAt ?? now() - 400 * DAY,
        o.lastSignInAt === undefined ? now() - DAY : o.lastSignInAt,
        proofing,
        await orgId(org),
        o.deactivatedAt ?? null,
        o.referredAt ?? null,
        o.reactivatedAt ?? null,
      ],
    );
    const id = inserted!.id;
    if (proofing === 'proofed_remote' || proofing === 'proofed_in_person') {
      await db().run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)', [
        id,
        await programId(),
        await orgId(org),
        await roleId(basicRole(org)),
        now(),
      ]);
    } else {
      await request(org, id, now() - DAY);
    }
    return id;
  };
  const request = async (
    org: string,
    requesterId: number,
    requestedAt: number,
    status: 'pending' | 'approved' | 'rejected' = 'pending',
    decidedAt: number | null = null,
  ) =>
    db().run('INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      requesterId,
      await programId(),
      await orgId(org),
      await roleId(basicRole(org)),
      status,
      requestedAt,
      decidedAt,
    ]);
  const dashboard = async (who: string) => (await h.call(who, 'home.dashboard', {})).official;

  beforeEach(async () => {
    t = await TrustConsole.create();
    h = t.h;
  });
  afterEach(() => h.dispose());

  it('puts pending requests in 0-7, 8-30 and over 30 days by whole days of age, at the 7/8 and 30/31 boundaries', async () => {
    const who = await person('456', 'Requester');
    await request('456', who, now()); // 0 days
    await request('456', who, now() - 8 * DAY + 1); // 7 days and 23:59:59.999
    await request('456', who, now() - 8 * DAY); // 8 days
    await request('456', who, now() - 31 * DAY + 1); // 30 days and a bit
    await request('456', who, now() - 31 * DAY); // 31 days
    const figures = await dashboard('so456');
    // person() filed none: a proofed person is tied by a role.
    expect(figures?.pendingByAge).toEqual([{ label: 'Bayview Home Health', upTo7: 2, upTo30: 2, over30: 1 }]);
    const cms = await dashboard('cms1');
    expect(cms?.pendingByAge[0]).toEqual({ label: 'All organizations', upTo7: 2, upTo30: 2, over30: 1 });
    expect(cms?.pendingByAge.find((r) => r.label === 'Bayview Home Health')).toEqual({ label: 'Bayview Home Health', upTo7: 2, upTo30: 2, over30: 1 });
    // The queue's count is the same figure the Role Requests page shows.
    expect(figures?.pendingInQueue).toBe((await h.call('so456', 'queue.page', { sort: 'requested' })).total);
  });

  it('forecasts the 120-day rule within 14 and 30 days at their boundaries, counts from a reactivation, and follows a sign-in', async () => {
    const at14 = await person('456', 'Fourteen', { lastSignInAt: now() - 106 * DAY });
    await person('456', 'JustAfter14', { lastSignInAt: now() - 106 * DAY + 1 });
    await person('456', 'Thirty', { lastSignInAt: now() - 90 * DAY });
    await person('456', 'JustAfter30', { lastSignInAt: now() - 90 * DAY + 1 });
    await person('456', 'Reactivated', { lastSignInAt: now() - 200 * DAY, reactivatedAt: now() - 10 * DAY });
    await person('456', 'NeverSignedIn', { lastSignInAt: null, createdAt: now() - 100 * DAY });
    await person('456', 'Locked', { lastSignInAt: now() - 119 * DAY, status: 'locked' });
    await person('456', 'Gone', { status: 'deactivated', deactivatedAt: now() - 30 * DAY + 1 });
    await person('456', 'GoneLongAgo', { status: 'deactivated', deactivatedAt: now() - 30 * DAY });
    let d = (await dashboard('so456'))?.deactivation;
    expect(d?.within14Days).toBe(1);
    expect(d?.within30Days).toBe(4);
    expect(d?.deactivatedLast30Days).toBe(1);
    expect(d?.soonest.map((p) => p.lastName)).toEqual(['Fourteen', 'JustAfter14', 'NeverSignedIn', 'Thirty']);
    expect(d?.soonest[0]?.reachesLimitAt).toBe(now() + 14 * DAY);

    // Signing in (any write of users) moves the copy the dashboard reads, in the same transaction.
    await db().run('UPDATE users SET last_sign_in_at = ? WHERE id = ?', [now(), at14]);
    d = (await dashboard('so456'))?.deactivation;
    expect(d?.within14Days).toBe(0);
    expect(d?.soonest.map((p) => p.lastName)).not.toContain('Fourteen');
    // The daily check deactivates and dates the account: it moves to "deactivated in the last 30 days".
    await person('456', 'Overdue', { lastSignInAt: now() - 121 * DAY });
    expect((await dashboard('so456'))?.deactivation.within14Days).toBe(1);
    expect(await h.app.services.users.sweepInactive()).toBe(1);
    d = (await dashboard('so456'))?.deactivation;
    expect(d).toMatchObject({ within14Days: 0, deactivatedLast30Days: 2 });
  });

  it('counts decisions in the 12 weeks ending now, oldest week first, approved and rejected apart', async () => {
    const who = await person('456', 'Decided');
    await request('456', who, now() - 200 * DAY, 'approved', now()); // week 0 (the last)
    await request('456', who, now() - 200 * DAY, 'rejected', now() - WEEK + 1); // week 0
    await request('456', who, now() - 200 * DAY, 'approved', now() - WEEK); // week 1
    await request('456', who, now() - 200 * DAY, 'approved', now() - 12 * WEEK + 1); // week 11 (the first)
    await request('456', who, now() - 200 * DAY, 'approved', now() - 12 * WEEK); // outside
    await request('123', who, now() - 200 * DAY, 'approved', now()); // another organization
    const weeks = (await dashboard('so456'))?.decisionsByWeek ?? [];
    expect(weeks).toHaveLength(12);
    expect(weeks.map((w) => [w.approved, w.rejected])).toEqual([[1, 0], ...Array.from({ length: 9 }, () => [0, 0]), [1, 0], [1, 1]]);
    expect(weeks[11]?.endsAt).toBe(now());
    expect(weeks[0]?.startsAt).toBe(now() - 12 * WEEK + 1);
    const all = (await dashboard('cms1'))?.decisionsByWeek ?? [];
    expect(all[11]).toMatchObject({ approved: 2, rejected: 1 });
  });

  it('lists the in-person backlog oldest referral first, dating a referral when the proofing outcome arrives', async () => {
    await person('456', 'Newer', { proofing: 'referred_in_person', referredAt: now() - 2 * DAY });
    await person('456', 'Older', { proofing: 'referred_in_person', referredAt: now() - 20 * DAY });
    const phone = await person('456', 'PhoneFailed', { proofing: 'not_started' });
    await h.app.services.proofing.recordRemoteOutcome(phone, 'phone_failed', null);
    const backlog = (await dashboard('so456'))?.proofingBacklog;
    expect(backlog?.total).toBe(3);
    expect(backlog?.oldest.map((p) => [p.lastName, p.referredAt])).toEqual([
      ['Older', now() - 20 * DAY],
      ['Newer', now() - 2 * DAY],
      ['PhoneFailed', now()],
    ]);
  });

  it('gives every user their requests, proofing and next step; a new user with a pending request and no proofing sees both', async () => {
    const analyst = await t.rowId('analyst');
    await db().run("UPDATE users SET proofing_state = 'not_started' WHERE id = ?", [analyst]);
    await request('CMS', analyst, now() - DAY);
    const home = await h.call('analyst', 'home.dashboard', {});
    expect(home.official).toBeNull();
    expect(home.me.proofingState).toBe('not_started');
    expect(home.me.requests.map((r) => r.status)).toEqual(['pending']);
    expect(home.me.nextSteps.map((s) => s.text).join('\n')).toMatch(/Ask your Security Official to prove your identity in person/);
    expect(home.me.nextSteps.map((s) => s.text).join('\n')).toMatch(/can be approved only once your identity is proofed/);
    // A proofed user with no role and no request is sent to My Access.
    const other = await h.call('analyst2', 'home.dashboard', {});
    expect(other.me.nextSteps).toEqual([
      { text: 'You have no role yet. Request a role for your organization.', page: 'my-access', linkText: 'Request a role in My Access' },
    ]);
  });

  it('says mail is not set up, to officials only', async () => {
    expect((await dashboard('so1'))?.mailConfigured).toBe(false);
    expect(await dashboard('demo')).toBeNull();
  });

  // SQLite's own query plans (EXPLAIN QUERY PLAN) over the embedded file's indexes.
  it.skipIf(ON_POSTGRES)('reads every figure from an index: no query of the dashboard scans the users table', async () => {
    // users is read by row id, or through one of version 7's indexes, which hold only the accounts a figure is about.
    const tableScan =
      /^(SCAN|SEARCH) (users|u)\b(?! USING (COVERING )?INDEX (users_last_use|users_deactivated_at|users_referred)\b| USING INTEGER PRIMARY KEY)/;
    // The console's own connection lives on its database thread: the same services run here over
    // a store on the test's connection, whose statements the test can see.
    const seen = new Set<string>();
    const raw = sideDb(h.app);
    const prepare = raw.prepare.bind(raw);
    raw.prepare = ((sql: string) => {
      seen.add(sql);
      return prepare(sql);
    }) as typeof raw.prepare;
    try {
      const local = new SqliteStore(raw, h.clock);
      const home = new HomeService(
        local,
        h.app.services.sessions,
        new RequestService(local, h.clock, async () => 'queued' as const),
        h.clock,
        async () => false,
      );
      for (const who of ['cms1', 'so456']) {
        const session = await h.app.services.sessions.resolve(who);
        expect((await home.dashboard(session!)).official).toEqual(await dashboard(who));
      }
    } finally {
      raw.prepare = prepare;
    }
    const home = [...seen].filter((sql) =>
      /user_directory|pending_request_counts|proofing_state = 'referred_in_person'|status = 'active' AND max|deactivated_at >|decided_at >|requested_at/.test(
        sql,
      ),
    );
    expect(home.length).toBeGreaterThanOrEqual(12);
    for (const sql of home) {
      const params = (sql.match(/\?/g) ?? []).map(() => 0);
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
      expect(
        plan.filter((line) => tableScan.test(line)),
        `${sql}\n${plan.join('\n')}`,
      ).toEqual([]);
      expect(
        plan.filter((line) => /^SCAN (role_requests|user_directory)\b/.test(line)),
        `${sql}\n${plan.join('\n')}`,
      ).toEqual([]);
    }
  });
});

describe('Home dashboard scope: each official sees only their organizations', () => {
  let t: TrustConsole;
  let h: Harness;

  beforeEach(async () => {
    t = await TrustConsole.create();
    h = t.h;
    const db = t.sql;
    const now = h.clock.now();
    const idIn = async (sql: string, param: string): Promise<number> => (await db.get<{ id: number }>(sql, [param]))!.id;
    const org = (displayId: string) => idIn('SELECT id FROM organizations WHERE display_id = ?', displayId);
    const program = await idIn('SELECT id FROM programs WHERE name = ?', PROD);
    const role = (name: string) => idIn('SELECT id FROM roles WHERE name = ?', name);
    // In each organization: someone about to reach 120 days, and someone waiting for in-person proofing.
    for (const [displayId, name] of [
      ['123', 'Sunrise'],
      ['456', 'Bayview'],
      ['789', 'Harbor'],
      ['FL', 'Florida'],
    ] as const) {
      const r = displayId === 'FL' ? await role('Surveyor') : await role('Provider Basic User');
      const stale = (await db.get<{ id: number }>(
        `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at, last_sign_in_at, proofing_state, home_organization_id)
         VALUES (?, 'Stale', ?, ?, 'active', 'x', ?, ?, 'proofed_remote', ?) RETURNING id`,
        [`stale.${displayId}`, `Stale${name}`, `stale.${displayId}@example.org`, now - 400 * DAY, now - 110 * DAY, await org(displayId)],
      ))!.id;
      await db.run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)', [
        stale,
        program,
        await org(displayId),
        r,
        now,
      ]);
      const waiting = (await db.get<{ id: number }>(
        `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state, proofing_referred_at, home_organization_id)
         VALUES (?, 'Waiting', ?, ?, 'pending', 'x', ?, 'referred_in_person', ?, ?) RETURNING id`,
        [`waiting.${displayId}`, `Waiting${name}`, `waiting.${displayId}@example.org`, now - 10 * DAY, now - 5 * DAY, await org(displayId)],
      ))!.id;
      await db.run("INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) VALUES (?, ?, ?, ?, 'pending', ?)", [
        waiting,
        program,
        await org(displayId),
        r,
        now - 40 * DAY,
      ]);
    }
  });
  afterEach(() => h.dispose());

  const names = async (who: string) => {
    const official = (await h.call(who, 'home.dashboard', {})).official;
    if (!official) return null;
    return {
      organizations: official.pendingByAge.map((r) => r.label),
      people: [...official.deactivation.soonest.map((p) => p.lastName), ...official.proofingBacklog.oldest.map((p) => p.lastName)].sort(),
      pendingOver30: official.pendingByAge.reduce((s, r) => s + r.over30, 0),
    };
  };

  it('a provider official: their organization only', async () => {
    expect(await names('so1')).toEqual({ organizations: ['Sunrise Skilled Nursing Center'], people: ['StaleSunrise', 'WaitingSunrise'], pendingOver30: 1 });
    expect(await names('so456')).toEqual({ organizations: ['Bayview Home Health'], people: ['StaleBayview', 'WaitingBayview'], pendingOver30: 1 });
  });

  it('a state official: their state only', async () => {
    expect(await names('flso')).toEqual({ organizations: ['Florida'], people: ['StaleFlorida', 'WaitingFlorida'], pendingOver30: 1 });
  });

  it('a CMS official: every organization, including one without a Security Official', async () => {
    const cms = await names('cms1');
    expect(cms?.organizations[0]).toBe('All organizations');
    expect(cms?.people).toEqual([
      'StaleBayview',
      'StaleFlorida',
      'StaleHarbor',
      'StaleSunrise',
      'WaitingBayview',
      'WaitingFlorida',
      'WaitingHarbor',
      'WaitingSunrise',
    ]);
    expect(cms?.pendingOver30).toBeGreaterThanOrEqual(4);
  });

  it("a user who is not an official: no dashboard, no one else's name anywhere in the answer", async () => {
    for (const who of ['demo', 'surveyor', 'analyst']) {
      const home = await h.call(who, 'home.dashboard', {});
      expect(home.official).toBeNull();
      expect(JSON.stringify(home)).not.toMatch(/Stale|Waiting/);
    }
  });

  it('nobody signed in: refused', async () => {
    expect(await h.refusal('nobody', 'home.dashboard', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

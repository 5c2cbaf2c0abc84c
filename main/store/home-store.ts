import type { Database } from 'better-sqlite3';

/** Which organizations a figure covers: some, by row id, or every account (CMS). */
export type DashboardScope = readonly number[] | 'all';

export interface PendingAges {
  /** requested_at > recentAfter */
  recent: number;
  /** monthAfter < requested_at <= recentAfter */
  month: number;
  /** requested_at <= monthAfter */
  older: number;
}

export interface PendingOrganization {
  id: number;
  displayId: string;
  name: string;
  pending: number;
}

export interface WeekDecisions {
  /** 0: the 7 days ending now; 1: the 7 days before; ... */
  week: number;
  approved: number;
  rejected: number;
}

export interface DashboardPerson {
  rowId: number;
  userId: string;
  firstName: string;
  lastName: string;
  /** The time the figure is about: the last use, or the referral. */
  at: number;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
/** What the 120-day rule counts from; the same expression as the users_last_use index. */
const LAST_USE = 'max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0))';
const REFERRED_AT = 'coalesce(proofing_referred_at, created_at)';

/**
 * The Home dashboard's figures. Each is a range of an index (migrations 1, 3, 5 and 7) or a sum of
 * counters; none reads the users table row by row, so Home costs the same at a million users.
 */
export interface HomeStore {
  pendingAges(organizationId: number | 'all', recentAfter: number, monthAfter: number): Promise<PendingAges>;
  /** The organizations with the most pending requests (from the counters), most first. */
  busiestOrganizations(limit: number): Promise<PendingOrganization[]>;
  decisionsByWeek(scope: DashboardScope, now: number, weekMs: number, weeks: number): Promise<WeekDecisions[]>;
  /** Distinct active accounts whose last use is at or before `lastUseAtOrBefore`. */
  activeUnusedSinceCount(scope: DashboardScope, lastUseAtOrBefore: number): Promise<number>;
  activeUnusedSince(scope: DashboardScope, lastUseAtOrBefore: number, limit: number): Promise<DashboardPerson[]>;
  deactivatedSinceCount(scope: DashboardScope, since: number): Promise<number>;
  referredInPersonCount(scope: DashboardScope): Promise<number>;
  /** Accounts referred to in-person proofing, oldest referral first. */
  referredInPerson(scope: DashboardScope, limit: number): Promise<DashboardPerson[]>;
  /** Organizations by row id (names for the chart). */
  organizations(ids: readonly number[]): Promise<Array<{ id: number; displayId: string; name: string }>>;
}

export class SqliteHomeStore implements HomeStore {
  constructor(readonly db: Database) {}

  async pendingAges(organizationId: number | 'all', recentAfter: number, monthAfter: number): Promise<PendingAges> {
    if (organizationId === 'all') {
      // role_requests_pending (requested_at, id) WHERE status = 'pending'.
      return this.db
        .prepare(
          `SELECT (SELECT count(*) FROM role_requests WHERE status = 'pending' AND requested_at > ?) AS recent,
                  (SELECT count(*) FROM role_requests WHERE status = 'pending' AND requested_at > ? AND requested_at <= ?) AS month,
                  (SELECT count(*) FROM role_requests WHERE status = 'pending' AND requested_at <= ?) AS older`,
        )
        .get(recentAfter, monthAfter, recentAfter, monthAfter) as PendingAges;
    }
    // role_requests_queue (organization_id, status, requested_at, id).
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM role_requests WHERE organization_id = ? AND status = 'pending' AND requested_at > ?) AS recent,
                (SELECT count(*) FROM role_requests WHERE organization_id = ? AND status = 'pending' AND requested_at > ? AND requested_at <= ?) AS month,
                (SELECT count(*) FROM role_requests WHERE organization_id = ? AND status = 'pending' AND requested_at <= ?) AS older`,
      )
      .get(organizationId, recentAfter, organizationId, monthAfter, recentAfter, organizationId, monthAfter) as PendingAges;
  }

  async busiestOrganizations(limit: number): Promise<PendingOrganization[]> {
    return this.db
      .prepare(
        `SELECT o.id, o.display_id AS displayId, o.name, c.pending FROM
           (SELECT organization_id, sum(n) AS pending FROM pending_request_counts GROUP BY organization_id ORDER BY pending DESC, organization_id LIMIT ?) c
           JOIN organizations o ON o.id = c.organization_id ORDER BY c.pending DESC, o.id`,
      )
      .all(limit) as PendingOrganization[];
  }

  async decisionsByWeek(scope: DashboardScope, now: number, weekMs: number, weeks: number): Promise<WeekDecisions[]> {
    const since = now - weeks * weekMs;
    // The partial history indexes of version 5 (status rides in them): role_requests_decided, role_requests_org_decided.
    const rows = (
      scope === 'all'
        ? this.db
            .prepare(
              `SELECT (? - decided_at) / ? AS week, status, count(*) AS n FROM role_requests
                WHERE status IN ('approved', 'rejected') AND decided_at > ? AND decided_at <= ? GROUP BY week, status`,
            )
            .all(now, weekMs, since, now)
        : scope.length === 0
          ? []
          : this.db
              .prepare(
                `SELECT (? - decided_at) / ? AS week, status, count(*) AS n FROM role_requests
                  WHERE organization_id IN (${marks(scope.length)}) AND status IN ('approved', 'rejected') AND decided_at > ? AND decided_at <= ? GROUP BY week, status`,
              )
              .all(now, weekMs, ...scope, since, now)
    ) as Array<{ week: number; status: 'approved' | 'rejected'; n: number }>;
    const byWeek = Array.from({ length: weeks }, (_, week): WeekDecisions => ({ week, approved: 0, rejected: 0 }));
    for (const r of rows) {
      // decided_at > now - weeks * weekMs, so (now - decided_at) / weekMs < weeks.
      const w = byWeek[Math.min(weeks - 1, Math.floor(r.week))];
      if (w) w[r.status] += r.n;
    }
    return byWeek;
  }

  async activeUnusedSinceCount(scope: DashboardScope, lastUseAtOrBefore: number): Promise<number> {
    if (scope === 'all') {
      return (this.db.prepare(`SELECT count(*) AS n FROM users WHERE status = 'active' AND ${LAST_USE} <= ?`).get(lastUseAtOrBefore) as { n: number }).n;
    }
    if (scope.length === 0) return 0;
    // A user in two programs of one organization has two directory rows: count people.
    return (
      this.db
        .prepare(
          `SELECT count(DISTINCT user_id) AS n FROM user_directory
            WHERE organization_id IN (${marks(scope.length)}) AND active_last_use IS NOT NULL AND active_last_use <= ?`,
        )
        .get(...scope, lastUseAtOrBefore) as { n: number }
    ).n;
  }

  async activeUnusedSince(scope: DashboardScope, lastUseAtOrBefore: number, limit: number): Promise<DashboardPerson[]> {
    if (scope === 'all') {
      return this.db
        .prepare(
          `SELECT id AS rowId, user_id AS userId, first_name AS firstName, last_name AS lastName, ${LAST_USE} AS at FROM users
            WHERE status = 'active' AND ${LAST_USE} <= ? ORDER BY ${LAST_USE}, id LIMIT ?`,
        )
        .all(lastUseAtOrBefore, limit) as DashboardPerson[];
    }
    if (scope.length === 0) return [];
    return this.db
      .prepare(
        `SELECT u.id AS rowId, u.user_id AS userId, u.first_name AS firstName, u.last_name AS lastName, d.at FROM
           (SELECT user_id, min(active_last_use) AS at FROM user_directory
             WHERE organization_id IN (${marks(scope.length)}) AND active_last_use IS NOT NULL AND active_last_use <= ?
             GROUP BY user_id ORDER BY at, user_id LIMIT ?) d
           JOIN users u ON u.id = d.user_id ORDER BY d.at, u.id`,
      )
      .all(...scope, lastUseAtOrBefore, limit) as DashboardPerson[];
  }

  async deactivatedSinceCount(scope: DashboardScope, since: number): Promise<number> {
    if (scope === 'all') {
      return (this.db.prepare(`SELECT count(*) AS n FROM users WHERE status = 'deactivated' AND deactivated_at > ?`).get(since) as { n: number }).n;
    }
    if (scope.length === 0) return 0;
    return (
      this.db
        .prepare(
          `SELECT count(DISTINCT user_id) AS n FROM user_directory
            WHERE organization_id IN (${marks(scope.length)}) AND deactivated_at IS NOT NULL AND deactivated_at > ?`,
        )
        .get(...scope, since) as { n: number }
    ).n;
  }

  async referredInPersonCount(scope: DashboardScope): Promise<number> {
    if (scope === 'all') {
      return (this.db.prepare(`SELECT count(*) AS n FROM users WHERE proofing_state = 'referred_in_person'`).get() as { n: number }).n;
    }
    if (scope.length === 0) return 0;
    return (
      this.db
        .prepare(`SELECT count(DISTINCT user_id) AS n FROM user_directory WHERE organization_id IN (${marks(scope.length)}) AND referred_at IS NOT NULL`)
        .get(...scope) as { n: number }
    ).n;
  }

  async referredInPerson(scope: DashboardScope, limit: number): Promise<DashboardPerson[]> {
    if (scope === 'all') {
      return this.db
        .prepare(
          `SELECT id AS rowId, user_id AS userId, first_name AS firstName, last_name AS lastName, ${REFERRED_AT} AS at FROM users
            WHERE proofing_state = 'referred_in_person' ORDER BY ${REFERRED_AT}, id LIMIT ?`,
        )
        .all(limit) as DashboardPerson[];
    }
    if (scope.length === 0) return [];
    return this.db
      .prepare(
        `SELECT u.id AS rowId, u.user_id AS userId, u.first_name AS firstName, u.last_name AS lastName, d.at FROM
           (SELECT user_id, min(referred_at) AS at FROM user_directory
             WHERE organization_id IN (${marks(scope.length)}) AND referred_at IS NOT NULL
             GROUP BY user_id ORDER BY at, user_id LIMIT ?) d
           JOIN users u ON u.id = d.user_id ORDER BY d.at, u.id`,
      )
      .all(...scope, limit) as DashboardPerson[];
  }

  async organizations(ids: readonly number[]): Promise<Array<{ id: number; displayId: string; name: string }>> {
    if (ids.length === 0) return [];
    return this.db.prepare(`SELECT id, display_id AS displayId, name FROM organizations WHERE id IN (${marks(ids.length)}) ORDER BY name, id`).all(...ids) as Array<{
      id: number;
      displayId: string;
      name: string;
    }>;
  }
}

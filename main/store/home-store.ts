import type { Database, Statement } from 'better-sqlite3';
import { PROGRAMS } from '../../shared/domain.js';

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

type Metric = 'pending' | 'approved' | 'rejected' | 'active_use';
const DAY_MS = 86_400_000;
/** A person has one directory row per program and organization, so at most this many per organization. */
const PROGRAMS_MAX = PROGRAMS.length;
/** The far end of an open window (a day count SQLite and JavaScript both hold exactly). */
const END_OF_TIME = 8_640_000_000_000_000;
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
/** What the 120-day rule counts from; the same expression as the users_last_use index. */
const LAST_USE = 'max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0))';
// Every account-wide figure names its index (INDEXED BY): without statistics the planner prefers
// users_inactivity (status, last_sign_in_at), which reads every active account; a query the index
// cannot answer then fails at prepare instead of quietly reading a million rows.
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

  /** Home runs some 80 small statements a call: each is prepared once. */
  private readonly statements = new Map<string, Statement>();
  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * The `limit` people of some organizations whose directory `column` is smallest, from the
   * (organization_id, column, user_id) index: per organization in index order, then merged. A person
   * has at most one row per program in an organization, so limit * PROGRAMS_MAX rows hold `limit` people.
   */
  private earliest(column: 'active_last_use' | 'referred_at', organizationIds: readonly number[], atOrBefore: number, limit: number): DashboardPerson[] {
    const best = new Map<number, number>();
    const rows = this.sql(
      `SELECT user_id AS userId, ${column} AS at FROM user_directory
        WHERE organization_id = ? AND ${column} IS NOT NULL AND ${column} <= ? ORDER BY ${column}, user_id LIMIT ?`,
    );
    for (const id of organizationIds) {
      for (const r of rows.all(id, atOrBefore, limit * PROGRAMS_MAX) as Array<{ userId: number; at: number }>) {
        const known = best.get(r.userId);
        if (known === undefined || r.at < known) best.set(r.userId, r.at);
      }
    }
    const chosen = [...best].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, limit);
    const user = this.sql('SELECT id AS rowId, user_id AS userId, first_name AS firstName, last_name AS lastName FROM users WHERE id = ?');
    return chosen.flatMap(([rowId, at]) => {
      const u = user.get(rowId) as Omit<DashboardPerson, 'at'> | undefined;
      return u ? [{ ...u, at }] : [];
    });
  }

  /**
   * How many rows of a day-counted metric fall in (after, atOrBefore]: the whole days between from the
   * counters, the two edge days exactly from `exact` (an index range of one day each).
   */
  private windowCount(metric: Metric, organizationId: number, after: number, atOrBefore: number, exact: (after: number, atOrBefore: number) => number): number {
    if (atOrBefore <= after) return 0;
    const first = Math.floor(after / DAY_MS);
    const last = Math.floor(atOrBefore / DAY_MS);
    if (first === last) return exact(after, atOrBefore);
    const days = this.sql('SELECT coalesce(sum(n), 0) AS n FROM home_day_counts WHERE metric = ? AND organization_id = ? AND day > ? AND day < ?').get(
      metric,
      organizationId,
      first,
      last,
    ) as { n: number };
    // The first day from just after `after` to its end; the last from its start to `atOrBefore`.
    return exact(after, (first + 1) * DAY_MS - 1) + days.n + exact(last * DAY_MS - 1, atOrBefore);
  }

  private pendingExact(organizationId: number | 'all'): (after: number, atOrBefore: number) => number {
    // role_requests_pending (requested_at, id) WHERE status = 'pending'; role_requests_queue (organization_id, status, requested_at, id).
    const statement =
      organizationId === 'all'
        ? this.sql("SELECT count(*) AS n FROM role_requests WHERE status = 'pending' AND requested_at > ? AND requested_at <= ?")
        : this.sql("SELECT count(*) AS n FROM role_requests WHERE organization_id = ? AND status = 'pending' AND requested_at > ? AND requested_at <= ?");
    return (after, atOrBefore) =>
      (organizationId === 'all' ? (statement.get(after, atOrBefore) as { n: number }) : (statement.get(organizationId, after, atOrBefore) as { n: number })).n;
  }

  async pendingAges(organizationId: number | 'all', recentAfter: number, monthAfter: number): Promise<PendingAges> {
    const org = organizationId === 'all' ? 0 : organizationId;
    const exact = this.pendingExact(organizationId);
    const total = (
      organizationId === 'all'
        ? this.sql('SELECT coalesce(sum(n), 0) AS n FROM pending_by_organization').get()
        : this.sql('SELECT coalesce(sum(n), 0) AS n FROM pending_by_organization WHERE organization_id = ?').get(organizationId)
    ) as { n: number };
    // A request is never dated in the future; the window reaches to the end of today's counters all the same.
    const recent = this.windowCount('pending', org, recentAfter, END_OF_TIME, exact);
    const month = this.windowCount('pending', org, monthAfter, recentAfter, exact);
    return { recent, month, older: total.n - recent - month };
  }

  async busiestOrganizations(limit: number): Promise<PendingOrganization[]> {
    return this.sql(
      `SELECT o.id, o.display_id AS displayId, o.name, c.n AS pending FROM pending_by_organization c JOIN organizations o ON o.id = c.organization_id
          WHERE c.n > 0 ORDER BY c.n DESC, c.organization_id LIMIT ?`,
    ).all(limit) as PendingOrganization[];
  }

  async decisionsByWeek(scope: DashboardScope, now: number, weekMs: number, weeks: number): Promise<WeekDecisions[]> {
    const organizations = scope === 'all' ? [0] : scope;
    const exact = (status: 'approved' | 'rejected', organizationId: number) => {
      // The status is written into the SQL (one of two literals) so the planner can use the partial
      // history indexes of version 5 (status rides in them): role_requests_decided, role_requests_org_decided.
      const statement =
        organizationId === 0
          ? this.sql(
              `SELECT count(*) AS n FROM role_requests INDEXED BY role_requests_decided WHERE status IN ('approved', 'rejected') AND status = '${status}' AND decided_at > ? AND decided_at <= ?`,
            )
          : this.sql(
              `SELECT count(*) AS n FROM role_requests INDEXED BY role_requests_org_decided WHERE organization_id = ? AND status IN ('approved', 'rejected') AND status = '${status}' AND decided_at > ? AND decided_at <= ?`,
            );
      return (after: number, atOrBefore: number) =>
        (organizationId === 0 ? (statement.get(after, atOrBefore) as { n: number }) : (statement.get(organizationId, after, atOrBefore) as { n: number })).n;
    };
    return Array.from({ length: weeks }, (_, week): WeekDecisions => {
      const atOrBefore = now - week * weekMs;
      const after = atOrBefore - weekMs;
      let approved = 0;
      let rejected = 0;
      for (const org of organizations) {
        approved += this.windowCount('approved', org, after, atOrBefore, exact('approved', org));
        rejected += this.windowCount('rejected', org, after, atOrBefore, exact('rejected', org));
      }
      return { week, approved, rejected };
    });
  }

  async activeUnusedSinceCount(scope: DashboardScope, lastUseAtOrBefore: number): Promise<number> {
    if (scope === 'all') {
      const exact = this.sql(`SELECT count(*) AS n FROM users INDEXED BY users_last_use WHERE status = 'active' AND ${LAST_USE} > ? AND ${LAST_USE} <= ?`);
      return this.windowCount('active_use', 0, -1, lastUseAtOrBefore, (after, atOrBefore) => (exact.get(after, atOrBefore) as { n: number }).n);
    }
    if (scope.length === 0) return 0;
    // A user in two programs of one organization has two directory rows: count people.
    return (
      this.sql(
        `SELECT count(DISTINCT user_id) AS n FROM user_directory
            WHERE organization_id IN (${marks(scope.length)}) AND active_last_use IS NOT NULL AND active_last_use <= ?`,
      ).get(...scope, lastUseAtOrBefore) as { n: number }
    ).n;
  }

  async activeUnusedSince(scope: DashboardScope, lastUseAtOrBefore: number, limit: number): Promise<DashboardPerson[]> {
    if (scope === 'all') {
      return this.sql(
        `SELECT id AS rowId, user_id AS userId, first_name AS firstName, last_name AS lastName, ${LAST_USE} AS at FROM users INDEXED BY users_last_use
            WHERE status = 'active' AND ${LAST_USE} <= ? ORDER BY ${LAST_USE}, id LIMIT ?`,
      ).all(lastUseAtOrBefore, limit) as DashboardPerson[];
    }
    return this.earliest('active_last_use', scope, lastUseAtOrBefore, limit);
  }

  async deactivatedSinceCount(scope: DashboardScope, since: number): Promise<number> {
    if (scope === 'all') {
      return (
        this.sql(`SELECT count(*) AS n FROM users INDEXED BY users_deactivated_at WHERE status = 'deactivated' AND deactivated_at > ?`).get(since) as {
          n: number;
        }
      ).n;
    }
    if (scope.length === 0) return 0;
    return (
      this.sql(
        `SELECT count(DISTINCT user_id) AS n FROM user_directory
            WHERE organization_id IN (${marks(scope.length)}) AND deactivated_at IS NOT NULL AND deactivated_at > ?`,
      ).get(...scope, since) as { n: number }
    ).n;
  }

  async referredInPersonCount(scope: DashboardScope): Promise<number> {
    if (scope === 'all') {
      return (this.sql(`SELECT count(*) AS n FROM users INDEXED BY users_referred WHERE proofing_state = 'referred_in_person'`).get() as { n: number }).n;
    }
    if (scope.length === 0) return 0;
    return (
      this.sql(`SELECT count(DISTINCT user_id) AS n FROM user_directory WHERE organization_id IN (${marks(scope.length)}) AND referred_at IS NOT NULL`).get(
        ...scope,
      ) as { n: number }
    ).n;
  }

  async referredInPerson(scope: DashboardScope, limit: number): Promise<DashboardPerson[]> {
    if (scope === 'all') {
      return this.sql(
        `SELECT id AS rowId, user_id AS userId, first_name AS firstName, last_name AS lastName, ${REFERRED_AT} AS at FROM users INDEXED BY users_referred
            WHERE proofing_state = 'referred_in_person' ORDER BY ${REFERRED_AT}, id LIMIT ?`,
      ).all(limit) as DashboardPerson[];
    }
    return this.earliest('referred_at', scope, END_OF_TIME, limit);
  }

  async organizations(ids: readonly number[]): Promise<Array<{ id: number; displayId: string; name: string }>> {
    if (ids.length === 0) return [];
    return this.sql(`SELECT id, display_id AS displayId, name FROM organizations WHERE id IN (${marks(ids.length)}) ORDER BY name, id`).all(...ids) as Array<{
      id: number;
      displayId: string;
      name: string;
    }>;
  }
}

import { PROGRAMS } from '../../shared/domain.js';
import type { SqlValue } from './sql.js';
import type { StoreContext } from './store-context.js';

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
const REFERRED_AT = 'coalesce(proofing_referred_at, created_at)';
/** The indexes an account-wide figure names on SQLite (see SqlHomeStore.indexedBy). */
type AccountIndex = 'users_last_use' | 'users_deactivated_at' | 'users_referred' | 'role_requests_decided' | 'role_requests_org_decided';

/** A scalar subquery and its parameters: the parts of one figure, summed in one statement. */
interface Term {
  sql: string;
  params: SqlValue[];
}

/** The terms added up in one expression (one statement reads them all from the same state of the database). */
function sum(terms: readonly Term[]): Term {
  if (terms.length === 0) return { sql: '0', params: [] };
  return { sql: terms.map((t) => t.sql).join(' + '), params: terms.flatMap((t) => t.params) };
}

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

export class SqlHomeStore implements HomeStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Every account-wide figure names its index on SQLite (INDEXED BY): without statistics its planner
   * prefers users_inactivity (status, last_sign_in_at), which reads every active account, and a query
   * the index cannot answer then fails at prepare instead of quietly reading a million rows.
   * PostgreSQL has no such clause; its planner finds the partial index by the same expression.
   */
  private indexedBy(index: AccountIndex): string {
    return this.ctx.dialect === 'sqlite' ? ` INDEXED BY ${index}` : '';
  }

  private async count(term: Term): Promise<number> {
    return (await this.ctx.db.get<{ n: number }>(`SELECT ${term.sql} AS n`, term.params))?.n ?? 0;
  }

  /**
   * The `limit` people of some organizations whose directory `column` is smallest, from the
   * (organization_id, column, user_id) index: per organization in index order, then merged. A person
   * has at most one row per program in an organization, so limit * PROGRAMS_MAX rows hold `limit` people.
   */
  private async earliest(
    column: 'active_last_use' | 'referred_at',
    organizationIds: readonly number[],
    atOrBefore: number,
    limit: number,
  ): Promise<DashboardPerson[]> {
    const best = new Map<number, number>();
    const sql = `SELECT user_id AS "userId", ${column} AS at FROM user_directory
        WHERE organization_id = ? AND ${column} IS NOT NULL AND ${column} <= ? ORDER BY ${column}, user_id LIMIT ?`;
    for (const id of organizationIds) {
      for (const r of await this.ctx.db.all<{ userId: number; at: number }>(sql, [id, atOrBefore, limit * PROGRAMS_MAX])) {
        const known = best.get(r.userId);
        if (known === undefined || r.at < known) best.set(r.userId, r.at);
      }
    }
    const chosen = [...best].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, limit);
    if (chosen.length === 0) return [];
    const users = await this.ctx.db.all<Omit<DashboardPerson, 'at'>>(
      `SELECT id AS "rowId", user_id AS "userId", first_name AS "firstName", last_name AS "lastName" FROM users WHERE id IN (${marks(chosen.length)})`,
      chosen.map(([rowId]) => rowId),
    );
    const byId = new Map(users.map((u) => [u.rowId, u]));
    return chosen.flatMap(([rowId, at]) => {
      const u = byId.get(rowId);
      return u ? [{ ...u, at }] : [];
    });
  }

  /**
   * How many rows of a day-counted metric fall in (after, atOrBefore]: the whole days between from the
   * counters, the two edge days exactly from `exact` (an index range of one day each).
   */
  private window(metric: Metric, organizationId: number, after: number, atOrBefore: number, exact: (after: number, atOrBefore: number) => Term): Term {
    if (atOrBefore <= after) return sum([]);
    const first = Math.floor(after / DAY_MS);
    const last = Math.floor(atOrBefore / DAY_MS);
    if (first === last) return exact(after, atOrBefore);
    const days: Term = {
      sql: '(SELECT coalesce(sum(n), 0) FROM home_day_counts WHERE metric = ? AND organization_id = ? AND day > ? AND day < ?)',
      params: [metric, organizationId, first, last],
    };
    // The first day from just after `after` to its end; the last from its start to `atOrBefore`.
    return sum([exact(after, (first + 1) * DAY_MS - 1), days, exact(last * DAY_MS - 1, atOrBefore)]);
  }

  async pendingAges(organizationId: number | 'all', recentAfter: number, monthAfter: number): Promise<PendingAges> {
    const org = organizationId === 'all' ? 0 : organizationId;
    // role_requests_pending (requested_at, id) WHERE status = 'pending'; role_requests_queue (organization_id, requested_at, id) WHERE status = 'pending'.
    const exact = (after: number, atOrBefore: number): Term =>
      organizationId === 'all'
        ? { sql: "(SELECT count(*) FROM role_requests WHERE status = 'pending' AND requested_at > ? AND requested_at <= ?)", params: [after, atOrBefore] }
        : {
            sql: "(SELECT count(*) FROM role_requests WHERE organization_id = ? AND status = 'pending' AND requested_at > ? AND requested_at <= ?)",
            params: [organizationId, after, atOrBefore],
          };
    const total: Term =
      organizationId === 'all'
        ? { sql: '(SELECT coalesce(sum(n), 0) FROM pending_by_organization)', params: [] }
        : { sql: '(SELECT coalesce(sum(n), 0) FROM pending_by_organization WHERE organization_id = ?)', params: [organizationId] };
    // A request is never dated in the future; the window reaches to the end of today's counters all the same.
    const recent = this.window('pending', org, recentAfter, END_OF_TIME, exact);
    const month = this.window('pending', org, monthAfter, recentAfter, exact);
    // One statement, so the three figures add up to the total even while requests are filed and decided.
    const row = await this.ctx.db.get<{ total: number; recent: number; month: number }>(
      `SELECT ${total.sql} AS total, ${recent.sql} AS recent, ${month.sql} AS month`,
      [...total.params, ...recent.params, ...month.params],
    );
    const { total: n = 0, recent: r = 0, month: m = 0 } = row ?? {};
    return { recent: r, month: m, older: n - r - m };
  }

  async busiestOrganizations(limit: number): Promise<PendingOrganization[]> {
    return this.ctx.db.all<PendingOrganization>(
      `SELECT o.id, o.display_id AS "displayId", o.name, c.n AS pending FROM pending_by_organization c JOIN organizations o ON o.id = c.organization_id
          WHERE c.n > 0 ORDER BY c.n DESC, c.organization_id LIMIT ?`,
      [limit],
    );
  }

  async decisionsByWeek(scope: DashboardScope, now: number, weekMs: number, weeks: number): Promise<WeekDecisions[]> {
    const organizations = scope === 'all' ? [0] : scope;
    const exact =
      (status: 'approved' | 'rejected', organizationId: number) =>
      (after: number, atOrBefore: number): Term =>
        // The status is written into the SQL (one of two literals) so the planner can use the partial
        // history indexes of version 5 (status rides in them): role_requests_decided, role_requests_org_decided.
        organizationId === 0
          ? {
              sql: `(SELECT count(*) FROM role_requests${this.indexedBy('role_requests_decided')} WHERE status IN ('approved', 'rejected') AND status = '${status}' AND decided_at > ? AND decided_at <= ?)`,
              params: [after, atOrBefore],
            }
          : {
              sql: `(SELECT count(*) FROM role_requests${this.indexedBy('role_requests_org_decided')} WHERE organization_id = ? AND status IN ('approved', 'rejected') AND status = '${status}' AND decided_at > ? AND decided_at <= ?)`,
              params: [organizationId, after, atOrBefore],
            };
    const result: WeekDecisions[] = [];
    for (let week = 0; week < weeks; week++) {
      const atOrBefore = now - week * weekMs;
      const after = atOrBefore - weekMs;
      let approved = 0;
      let rejected = 0;
      for (const org of organizations) {
        const a = this.window('approved', org, after, atOrBefore, exact('approved', org));
        const r = this.window('rejected', org, after, atOrBefore, exact('rejected', org));
        const row = await this.ctx.db.get<{ approved: number; rejected: number }>(`SELECT ${a.sql} AS approved, ${r.sql} AS rejected`, [
          ...a.params,
          ...r.params,
        ]);
        approved += row?.approved ?? 0;
        rejected += row?.rejected ?? 0;
      }
      result.push({ week, approved, rejected });
    }
    return result;
  }

  async activeUnusedSinceCount(scope: DashboardScope, lastUseAtOrBefore: number): Promise<number> {
    if (scope === 'all') {
      const exact = (after: number, atOrBefore: number): Term => ({
        sql: `(SELECT count(*) FROM users${this.indexedBy('users_last_use')} WHERE status = 'active' AND ${LAST_USE} > ? AND ${LAST_USE} <= ?)`,
        params: [after, atOrBefore],
      });
      return this.count(this.window('active_use', 0, -1, lastUseAtOrBefore, exact));
    }
    if (scope.length === 0) return 0;
    // A user in two programs of one organization has two directory rows: count people.
    return this.count({
      sql: `(SELECT count(DISTINCT user_id) FROM user_directory
            WHERE organization_id IN (${marks(scope.length)}) AND active_last_use IS NOT NULL AND active_last_use <= ?)`,
      params: [...scope, lastUseAtOrBefore],
    });
  }

  async activeUnusedSince(scope: DashboardScope, lastUseAtOrBefore: number, limit: number): Promise<DashboardPerson[]> {
    if (scope === 'all') {
      return this.ctx.db.all<DashboardPerson>(
        `SELECT id AS "rowId", user_id AS "userId", first_name AS "firstName", last_name AS "lastName", ${LAST_USE} AS at FROM users${this.indexedBy('users_last_use')}
            WHERE status = 'active' AND ${LAST_USE} <= ? ORDER BY ${LAST_USE}, id LIMIT ?`,
        [lastUseAtOrBefore, limit],
      );
    }
    return this.earliest('active_last_use', scope, lastUseAtOrBefore, limit);
  }

  async deactivatedSinceCount(scope: DashboardScope, since: number): Promise<number> {
    if (scope === 'all') {
      return this.count({
        sql: `(SELECT count(*) FROM users${this.indexedBy('users_deactivated_at')} WHERE status = 'deactivated' AND deactivated_at > ?)`,
        params: [since],
      });
    }
    if (scope.length === 0) return 0;
    return this.count({
      sql: `(SELECT count(DISTINCT user_id) FROM user_directory
            WHERE organization_id IN (${marks(scope.length)}) AND deactivated_at IS NOT NULL AND deactivated_at > ?)`,
      params: [...scope, since],
    });
  }

  async referredInPersonCount(scope: DashboardScope): Promise<number> {
    if (scope === 'all') {
      return this.count({ sql: `(SELECT count(*) FROM users${this.indexedBy('users_referred')} WHERE proofing_state = 'referred_in_person')`, params: [] });
    }
    if (scope.length === 0) return 0;
    return this.count({
      sql: `(SELECT count(DISTINCT user_id) FROM user_directory WHERE organization_id IN (${marks(scope.length)}) AND referred_at IS NOT NULL)`,
      params: [...scope],
    });
  }

  async referredInPerson(scope: DashboardScope, limit: number): Promise<DashboardPerson[]> {
    if (scope === 'all') {
      return this.ctx.db.all<DashboardPerson>(
        `SELECT id AS "rowId", user_id AS "userId", first_name AS "firstName", last_name AS "lastName", ${REFERRED_AT} AS at FROM users${this.indexedBy('users_referred')}
            WHERE proofing_state = 'referred_in_person' ORDER BY ${REFERRED_AT}, id LIMIT ?`,
        [limit],
      );
    }
    return this.earliest('referred_at', scope, END_OF_TIME, limit);
  }

  async organizations(ids: readonly number[]): Promise<Array<{ id: number; displayId: string; name: string }>> {
    if (ids.length === 0) return [];
    return this.ctx.db.all<{ id: number; displayId: string; name: string }>(
      `SELECT id, display_id AS "displayId", name FROM organizations WHERE id IN (${marks(ids.length)}) ORDER BY name, id`,
      ids,
    );
  }
}

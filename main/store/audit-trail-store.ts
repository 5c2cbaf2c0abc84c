import type { OrganizationKind } from '../../shared/domain.js';
import { mergeRanges } from './keyset-merge.js';
import type { RangeQuery } from './keyset-merge.js';
import type { SqlValue } from './sql.js';
import type { StoreContext } from './store-context.js';

/** An audit event as the Audit trail shows it. */
export interface AuditTrailRecord {
  id: number;
  at: number;
  action: string;
  actorUserId: string | null;
  subjectUserId: string | null;
  organization: { displayId: string; name: string; kind: OrganizationKind } | null;
  requestId: number | null;
  details: string;
}

/** Every event (a CMS official, an archive), or the events of these organizations (audit_scope). */
export type AuditScope = { kind: 'all' } | { kind: 'organizations'; organizationIds: readonly number[] };

export interface AuditFilter {
  /** Actions whose name starts with one of these ("signin." or an exact name). */
  actionPrefixes?: readonly string[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
  organizationId?: number | undefined;
  /** Events about this user (row id). */
  subjectId?: number | undefined;
  requestId?: number | undefined;
}

const EVENT_SELECT = `
  SELECT e.id, e.at, e.action, a.user_id AS "actorUserId", s.user_id AS "subjectUserId",
         o.display_id AS "orgDisplayId", o.name AS "orgName", o.kind AS "orgKind", e.request_id AS "requestId", e.details
    FROM audit_events e
    LEFT JOIN users a ON a.id = e.actor_id
    LEFT JOIN users s ON s.id = e.subject_user_id
    LEFT JOIN organizations o ON o.id = e.organization_id`;

type EventRow = Omit<AuditTrailRecord, 'organization'> & { orgDisplayId: string | null; orgName: string | null; orgKind: OrganizationKind | null };

const toRecord = ({ orgDisplayId, orgName, orgKind, ...rest }: EventRow): AuditTrailRecord => ({
  ...rest,
  organization: orgDisplayId === null || orgName === null || orgKind === null ? null : { displayId: orgDisplayId, name: orgName, kind: orgKind },
});

/**
 * The audit trail, newest event first, keyset-paged by event id. Also opened on a review
 * archive. Each page is read from the narrowest index the filter allows (a request, a user, an
 * action, an organization's events) and merged when the filter spans several.
 */
export type AuditTrailStore = Pick<SqlAuditTrailStore, 'page' | 'userRowId'>;

export class SqlAuditTrailStore {
  constructor(private readonly ctx: StoreContext) {}

  async page(scope: AuditScope, filter: AuditFilter, beforeId: number | null, limit: number): Promise<{ rows: AuditTrailRecord[]; more: boolean }> {
    const bounds = await this.idBounds(filter.from, filter.to);
    if (bounds === null) return { rows: [], more: false };
    const upper = Math.min(bounds.last, beforeId === null ? Number.MAX_SAFE_INTEGER : beforeId - 1);
    if (upper < bounds.first) return { rows: [], more: false };
    if (scope.kind === 'organizations' && scope.organizationIds.length === 0) return { rows: [], more: false };
    const actions = filter.actionPrefixes === undefined ? null : await this.actionsMatching(filter.actionPrefixes);
    if (actions !== null && actions.length === 0) return { rows: [], more: false };

    // Conditions every row must meet, checked row by row (point lookups, never a materialized list).
    const post: string[] = [];
    const params: SqlValue[] = [];
    if (filter.from !== undefined) {
      post.push('e.at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      post.push('e.at <= ?');
      params.push(filter.to);
    }
    const organizations =
      filter.organizationId !== undefined ? [filter.organizationId] : scope.kind === 'organizations' ? [...new Set(scope.organizationIds)] : null;
    const byOrganization = organizations !== null && filter.requestId === undefined && filter.subjectId === undefined;
    if (organizations !== null && !byOrganization) {
      post.push(`EXISTS (SELECT 1 FROM audit_scope x WHERE x.organization_id IN (${marks(organizations.length)}) AND x.event_id = e.id)`);
      params.push(...organizations);
    }
    if (filter.organizationId !== undefined && scope.kind === 'organizations' && !scope.organizationIds.includes(filter.organizationId)) {
      return { rows: [], more: false };
    }
    if (actions !== null && (byOrganization || filter.requestId !== undefined || filter.subjectId !== undefined)) {
      post.push(`e.action IN (${marks(actions.length)})`);
      params.push(...actions);
    }

    // The driving index range: the narrowest the filter names. An official's own organizations
    // drive their trail (bounded by what happened there), a CMS official's by action or by id.
    const drivers: Array<{ from: string; where: string; order: string; params: SqlValue[] }> = [];
    const byId = { from: 'audit_events e', order: 'e.id DESC' };
    if (filter.requestId !== undefined) {
      drivers.push({ ...byId, where: 'e.request_id = ?', params: [filter.requestId] });
    } else if (filter.subjectId !== undefined) {
      drivers.push({ ...byId, where: 'e.subject_user_id = ?', params: [filter.subjectId] });
    } else if (byOrganization && organizations !== null) {
      for (const org of organizations) {
        drivers.push({
          from: 'audit_scope s JOIN audit_events e ON e.id = s.event_id',
          where: 's.organization_id = ?',
          order: 's.event_id DESC',
          params: [org],
        });
      }
    } else if (actions !== null) {
      for (const action of actions) drivers.push({ ...byId, where: 'e.action = ?', params: [action] });
    } else {
      drivers.push({ ...byId, where: '1 = 1', params: [] });
    }
    const ranges: Array<RangeQuery<AuditTrailRecord>> = drivers.map((driver) => {
      const idColumn = driver.order.startsWith('s.') ? 's.event_id' : 'e.id';
      const where = [driver.where, `${idColumn} BETWEEN ? AND ?`, ...post].join(' AND ');
      const sql = `${EVENT_SELECT} WHERE e.id IN (SELECT ${idColumn} FROM ${driver.from} WHERE ${where} ORDER BY ${driver.order} LIMIT ?) ORDER BY e.id DESC`;
      const args = [...driver.params, bounds.first, upper, ...params];
      return { read: async (n) => (await this.ctx.db.all<EventRow>(sql, [...args, n])).map(toRecord) };
    });
    return mergeRanges(
      ranges,
      limit,
      (a, b) => b.id - a.id,
      (r) => r.id,
    );
  }

  /** The distinct actions recorded (one index seek each, not a scan), e.g. for the filter. */
  async actions(): Promise<string[]> {
    const rows = await this.ctx.db.all<{ x: string }>(
      `WITH RECURSIVE a(x) AS (SELECT (SELECT min(action) FROM audit_events)
                               UNION ALL SELECT (SELECT min(action) FROM audit_events WHERE action > a.x) FROM a WHERE a.x IS NOT NULL)
       SELECT x FROM a WHERE x IS NOT NULL`,
    );
    return rows.map((r) => r.x);
  }

  private async actionsMatching(prefixes: readonly string[]): Promise<string[]> {
    return (await this.actions()).filter((action) => matchesActionFilter(prefixes, action));
  }

  /**
   * The id range whose events fall in [from, to]. Events are appended in time order, so a
   * binary search over the primary key finds both ends with a few dozen lookups, where an index
   * on time would cost every event another index entry.
   */
  async idBounds(from?: number, to?: number): Promise<{ first: number; last: number } | null> {
    // Two subqueries: SQLite answers min() or max() alone from the primary key, but both at once by a full scan.
    const ends = await this.ctx.db.get<{ first: number | null; last: number | null }>(
      'SELECT (SELECT min(id) FROM audit_events) AS first, (SELECT max(id) FROM audit_events) AS last',
    );
    if (ends === undefined || ends.first === null || ends.last === null) return null;
    const lowest = ends.first;
    const highest = ends.last;
    const timeAt = async (id: number) =>
      (await this.ctx.db.get<{ at: number }>('SELECT at FROM audit_events WHERE id >= ? ORDER BY id LIMIT 1', [id]))?.at ?? Number.POSITIVE_INFINITY;
    // The first id whose time is >= t.
    const firstAtOrAfter = async (t: number): Promise<number> => {
      let lo = lowest;
      let hi = highest + 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if ((await timeAt(mid)) >= t) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const first = from === undefined ? lowest : await firstAtOrAfter(from);
    const last = to === undefined ? highest : (await firstAtOrAfter(to + 1)) - 1;
    return first > last ? null : { first, last };
  }

  async userRowId(userId: string): Promise<number | null> {
    return (await this.ctx.db.get<{ id: number }>('SELECT id FROM users WHERE user_id = ? COLLATE NOCASE', [userId]))?.id ?? null;
  }
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Whether a recorded action is one a filter names: a name ending in "." names a family (every action starting with it), any other one action. */
export function matchesActionFilter(filter: readonly string[], action: string): boolean {
  return filter.some((p) => (p.endsWith('.') ? action.startsWith(p) : action === p));
}

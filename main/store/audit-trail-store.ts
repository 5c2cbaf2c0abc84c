import type { Database } from 'better-sqlite3';
import type { OrganizationKind } from '../../shared/domain.js';
import { mergeRanges } from './keyset-merge.js';
import type { RangeQuery } from './keyset-merge.js';

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
  SELECT e.id, e.at, e.action, a.user_id AS actorUserId, s.user_id AS subjectUserId,
         o.display_id AS orgDisplayId, o.name AS orgName, o.kind AS orgKind, e.request_id AS requestId, e.details
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
export type AuditTrailStore = Pick<SqliteAuditTrailStore, 'page' | 'userRowId'>;

export class SqliteAuditTrailStore {
  constructor(readonly db: Database) {}

  async page(scope: AuditScope, filter: AuditFilter, beforeId: number | null, limit: number): Promise<{ rows: AuditTrailRecord[]; more: boolean }> {
    const bounds = this.idBounds(filter.from, filter.to);
    if (bounds === null) return { rows: [], more: false };
    const upper = Math.min(bounds.last, beforeId === null ? Number.MAX_SAFE_INTEGER : beforeId - 1);
    if (upper < bounds.first) return { rows: [], more: false };
    if (scope.kind === 'organizations' && scope.organizationIds.length === 0) return { rows: [], more: false };
    const actions = filter.actionPrefixes === undefined ? null : this.actionsMatching(filter.actionPrefixes);
    if (actions !== null && actions.length === 0) return { rows: [], more: false };

    // Conditions every row must meet, checked row by row (point lookups, never a materialized list).
    const post: string[] = [];
    const params: Array<string | number> = [];
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
    const drivers: Array<{ from: string; where: string; order: string; params: Array<string | number> }> = [];
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
      drivers.push({ ...byId, where: '1', params: [] });
    }
    const ranges: Array<RangeQuery<AuditTrailRecord>> = drivers.map((driver) => {
      const idColumn = driver.order.startsWith('s.') ? 's.event_id' : 'e.id';
      const where = [driver.where, `${idColumn} BETWEEN ? AND ?`, ...post].join(' AND ');
      const statement = this.db.prepare(
        `${EVENT_SELECT} WHERE e.id IN (SELECT ${idColumn} FROM ${driver.from} WHERE ${where} ORDER BY ${driver.order} LIMIT ?) ORDER BY e.id DESC`,
      );
      const args = [...driver.params, bounds.first, upper, ...params];
      return { read: (n) => (statement.all(...args, n) as EventRow[]).map(toRecord) };
    });
    return mergeRanges(
      ranges,
      limit,
      (a, b) => b.id - a.id,
      (r) => r.id,
    );
  }

  /** The distinct actions recorded (one index seek each, not a scan), e.g. for the filter. */
  actionsSync(): string[] {
    return (
      this.db
        .prepare(
          `WITH RECURSIVE a(x) AS (SELECT (SELECT min(action) FROM audit_events)
                                   UNION ALL SELECT (SELECT min(action) FROM audit_events WHERE action > a.x) FROM a WHERE a.x IS NOT NULL)
           SELECT x FROM a WHERE x IS NOT NULL`,
        )
        .all() as Array<{ x: string }>
    ).map((r) => r.x);
  }

  private actionsMatching(prefixes: readonly string[]): string[] {
    return this.actionsSync().filter((action) => matchesActionFilter(prefixes, action));
  }

  /**
   * The id range whose events fall in [from, to]. Events are appended in time order, so a
   * binary search over the primary key finds both ends with a few dozen lookups, where an index
   * on time would cost every event another index entry.
   */
  idBounds(from?: number, to?: number): { first: number; last: number } | null {
    // Two statements: SQLite answers min() or max() alone from the primary key, but both at once by a full scan.
    const ends = this.db.prepare('SELECT (SELECT min(id) FROM audit_events) AS first, (SELECT max(id) FROM audit_events) AS last').get() as {
      first: number | null;
      last: number | null;
    };
    if (ends.first === null || ends.last === null) return null;
    const atOf = this.db.prepare('SELECT at FROM audit_events WHERE id >= ? ORDER BY id LIMIT 1');
    const timeAt = (id: number) => (atOf.get(id) as { at: number } | undefined)?.at ?? Number.POSITIVE_INFINITY;
    // The first id whose time is >= t.
    const firstAtOrAfter = (t: number): number => {
      let lo = ends.first as number;
      let hi = (ends.last as number) + 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (timeAt(mid) >= t) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const first = from === undefined ? ends.first : firstAtOrAfter(from);
    const last = to === undefined ? ends.last : firstAtOrAfter(to + 1) - 1;
    return first > last ? null : { first, last };
  }

  async userRowId(userId: string): Promise<number | null> {
    return (this.db.prepare('SELECT id FROM users WHERE user_id = ? COLLATE NOCASE').get(userId) as { id: number } | undefined)?.id ?? null;
  }
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Whether a recorded action is one a filter names: a name ending in "." names a family (every action starting with it), any other one action. */
export function matchesActionFilter(filter: readonly string[], action: string): boolean {
  return filter.some((p) => (p.endsWith('.') ? action.startsWith(p) : action === p));
}

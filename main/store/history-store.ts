import type { OrganizationKind } from '../../shared/domain.js';
import { mergeRanges } from './keyset-merge.js';
import type { RangeQuery } from './keyset-merge.js';
import type { OrganizationRow } from './requests-store.js';
import type { SqlValue } from './sql.js';
import type { StoreContext } from './store-context.js';
import { searchOrganizations } from './organization-search.js';
import type { OrganizationMatch, OrganizationSearch } from './organization-search.js';
import type { AuditEventRecord } from './types.js';

/** A decided request: a line of Request History. */
export interface HistoryRecord {
  id: number;
  requesterId: number;
  firstName: string;
  lastName: string;
  program: string;
  programId: number;
  organization: OrganizationRow;
  role: string;
  status: 'approved' | 'rejected';
  requestedAt: number;
  decidedAt: number;
  decidedBy: number | null;
  decidedByEmail: string | null;
  reason: string | null;
}

/** Whose decisions: every organization's (a CMS official, or an archive), or these organizations'. */
export type HistoryScope = { kind: 'all' } | { kind: 'organizations'; organizationIds: readonly number[] };

export interface HistoryFilter {
  /** Name prefixes, compared without regard to case: "Thom" or "Thompson, Rob". */
  name?: { last: string; first?: string | undefined } | undefined;
  /** Decided at or after / at or before (epoch ms). */
  from?: number | undefined;
  to?: number | undefined;
  programId?: number | undefined;
  organizationId?: number | undefined;
  status?: 'approved' | 'rejected' | undefined;
}

/** Newest decision first; a name search lists by name, then newest first. */
export type HistoryKey =
  { sort: 'decided'; decidedAt: number; id: number } | { sort: 'name'; lastName: string; firstName: string; decidedAt: number; id: number };

export interface HistoryPage {
  rows: HistoryRecord[];
  more: boolean;
}

const DECIDED = "r.status IN ('approved', 'rejected')";

const HISTORY_SELECT = `
  SELECT r.id, r.requester_id AS "requesterId", r.requester_first_name AS "firstName", r.requester_last_name AS "lastName",
         p.name AS program, r.program_id AS "programId", o.id AS "orgId", o.display_id AS "orgDisplayId", o.name AS "orgName", o.kind AS "orgKind",
         ro.name AS role, r.status, r.requested_at AS "requestedAt", r.decided_at AS "decidedAt", r.decided_by AS "decidedBy",
         d.email AS "decidedByEmail", r.reason
    FROM role_requests r
    JOIN programs p ON p.id = r.program_id
    JOIN organizations o ON o.id = r.organization_id
    JOIN roles ro ON ro.id = r.role_id
    LEFT JOIN users d ON d.id = r.decided_by`;

type HistoryRow = Omit<HistoryRecord, 'organization'> & { orgId: number; orgDisplayId: string; orgName: string; orgKind: OrganizationKind };

const toRecord = ({ orgId, orgDisplayId, orgName, orgKind, ...rest }: HistoryRow): HistoryRecord => ({
  ...rest,
  organization: { id: orgId, displayId: orgDisplayId, name: orgName, kind: orgKind },
});

/**
 * The smallest string greater than every string starting with the prefix (under NOCASE). NOCASE
 * compares ASCII letters folded to lower case, so the last letter is stepped from its lower-case
 * form: "Z" would step to "[", which sorts before "z" and would end the range before it starts.
 */
function prefixEnd(prefix: string): string {
  const folded = prefix.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const last = folded.codePointAt(folded.length - 1) ?? 0;
  return folded.slice(0, folded.length - 1) + String.fromCodePoint(last + 1);
}

const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function compareRecords(a: HistoryRecord, b: HistoryRecord, sort: 'decided' | 'name'): number {
  if (sort === 'name') {
    const byName = nocase(a.lastName, b.lastName) || nocase(a.firstName, b.firstName);
    if (byName !== 0) return byName;
  }
  return b.decidedAt - a.decidedAt || b.id - a.id;
}

/** SQLite's NOCASE: ASCII letters folded, everything else by code unit. */
function nocase(a: string, b: string): number {
  const x = a.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const y = b.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Request History queries (migration 005's indexes), on either engine. Also opened on a review
 * archive, which has the same tables: the History view reads either the same way.
 */
export type HistoryStore = Pick<
  SqlHistoryStore,
  | 'page'
  | 'byId'
  | 'eventsFor'
  | 'emails'
  | 'userIds'
  | 'countDecisions'
  | 'decidedSpan'
  | 'programs'
  | 'organizations'
  | 'searchOrganizations'
  | 'organizationByDisplayId'
  | 'programId'
>;

export class SqlHistoryStore {
  constructor(private readonly ctx: StoreContext) {}

  async page(scope: HistoryScope, filter: HistoryFilter, after: HistoryKey | null, limit: number): Promise<HistoryPage> {
    const sort = filter.name ? 'name' : 'decided';
    const organizations: Array<number | null> =
      filter.organizationId !== undefined ? [filter.organizationId] : scope.kind === 'all' ? [null] : [...new Set(scope.organizationIds)];
    if (organizations.length === 0) return { rows: [], more: false };
    const ranges: Array<RangeQuery<HistoryRecord>> = [];
    for (const organizationId of organizations) {
      for (const part of this.keysetParts(sort, after)) ranges.push(this.range(organizationId, filter, part));
    }
    return mergeRanges(
      ranges,
      limit,
      (a, b) => compareRecords(a, b, sort),
      (r) => r.id,
    );
  }

  /**
   * A name-sorted list mixes directions (name ascending, newest first within a name), which
   * one row-value comparison cannot express; after a cursor it is two index ranges in a row:
   * the rest of the cursor's name, then the names after it.
   */
  private keysetParts(sort: 'decided' | 'name', after: HistoryKey | null): Array<{ sql: string; params: SqlValue[] }> {
    if (after === null) return [{ sql: '', params: [] }];
    if (after.sort === 'decided' || sort === 'decided') {
      return [{ sql: ' AND (r.decided_at, r.id) < (?, ?)', params: [after.decidedAt, after.id] }];
    }
    return [
      {
        sql: ' AND r.requester_last_name = ? AND r.requester_first_name = ? AND (r.decided_at, r.id) < (?, ?)',
        params: [after.lastName, after.firstName, after.decidedAt, after.id],
      },
      { sql: ' AND (r.requester_last_name, r.requester_first_name) > (?, ?)', params: [after.lastName, after.firstName] },
    ];
  }

  private range(organizationId: number | null, filter: HistoryFilter, keyset: { sql: string; params: SqlValue[] }): RangeQuery<HistoryRecord> {
    let where = DECIDED;
    const params: SqlValue[] = [];
    if (organizationId !== null) {
      where += ' AND r.organization_id = ?';
      params.push(organizationId);
    }
    if (filter.name) {
      where += " AND r.requester_last_name >= ? AND r.requester_last_name < ? AND r.requester_last_name LIKE ? ESCAPE '\\'";
      params.push(filter.name.last, prefixEnd(filter.name.last), likePrefix(filter.name.last));
      if (filter.name.first) {
        where += " AND r.requester_first_name LIKE ? ESCAPE '\\'";
        params.push(likePrefix(filter.name.first));
      }
    }
    if (filter.from !== undefined) {
      where += ' AND r.decided_at >= ?';
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where += ' AND r.decided_at <= ?';
      params.push(filter.to);
    }
    if (filter.programId !== undefined) {
      where += ' AND r.program_id = ?';
      params.push(filter.programId);
    }
    if (filter.status !== undefined) {
      where += ' AND r.status = ?';
      params.push(filter.status);
    }
    where += keyset.sql;
    params.push(...keyset.params);
    const order = filter.name ? 'r.requester_last_name, r.requester_first_name, r.decided_at DESC, r.id DESC' : 'r.decided_at DESC, r.id DESC';
    // Rows are found by index, then joined for the page only.
    const sql = `${HISTORY_SELECT} WHERE r.id IN (SELECT r.id FROM role_requests r WHERE ${where} ORDER BY ${order} LIMIT ?) ORDER BY ${order}`;
    return { read: async (limit) => (await this.ctx.db.all<HistoryRow>(sql, [...params, limit])).map(toRecord) };
  }

  /** One decided request by its Request ID, or null (pending, withdrawn or no such request). */
  async byId(requestId: number): Promise<HistoryRecord | null> {
    const row = await this.ctx.db.get<HistoryRow>(`${HISTORY_SELECT} WHERE r.id = ? AND ${DECIDED}`, [requestId]);
    return row ? toRecord(row) : null;
  }

  /**
   * The audit events about a request: its filing, decisions, reopenings, and the removal of the
   * role it granted (user lookup writes role.removed with the request ID, or with the subject
   * and organization: both are found).
   */
  async eventsFor(request: { id: number; requesterId: number; organizationId: number; since: number }): Promise<AuditEventRecord[]> {
    return this.ctx.db.all<AuditEventRecord>(
      `SELECT id, at, actor_id AS "actorId", action, subject_user_id AS "subjectUserId", organization_id AS "organizationId",
              request_id AS "requestId", details, prev_hash AS "prevHash", hash
         FROM audit_events WHERE request_id = ?
       UNION
       SELECT id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash
         FROM audit_events WHERE subject_user_id = ? AND at >= ? AND action = 'role.removed' AND (organization_id = ? OR organization_id IS NULL)
       ORDER BY id LIMIT 200`,
      [request.id, request.requesterId, request.since, request.organizationId],
    );
  }

  /** Emails of users by row id (the actors of events), for the pop-up. */
  async emails(userIds: readonly number[]): Promise<Map<number, string>> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return new Map();
    const rows = await this.ctx.db.all<{ id: number; email: string }>(`SELECT id, email FROM users WHERE id IN (${marks(unique.length)})`, unique);
    return new Map(rows.map((r) => [r.id, r.email]));
  }

  /** The User IDs people know users by (the printable report names requesters by them). */
  async userIds(userRowIds: readonly number[]): Promise<Map<number, string>> {
    const unique = [...new Set(userRowIds)];
    if (unique.length === 0) return new Map();
    const rows = await this.ctx.db.all<{ id: number; userId: string }>(
      `SELECT id, user_id AS "userId" FROM users WHERE id IN (${marks(unique.length)})`,
      unique,
    );
    return new Map(rows.map((r) => [r.id, r.userId]));
  }

  /**
   * Decisions per action in [from, to], counted from the covering indexes: one statement per
   * week, so a report over years never holds the main process for long.
   */
  async countDecisions(
    scope: HistoryScope,
    organizationId: number | undefined,
    programId: number | undefined,
    from: number,
    to: number,
  ): Promise<{ approved: number; rejected: number }> {
    const organizations: Array<number | null> =
      organizationId !== undefined ? [organizationId] : scope.kind === 'all' ? [null] : [...new Set(scope.organizationIds)];
    const counts = { approved: 0, rejected: 0 };
    for (const org of organizations) {
      const rows = await this.ctx.db.all<{ status: 'approved' | 'rejected'; n: number }>(
        `SELECT r.status AS status, count(*) AS n FROM role_requests r
          WHERE ${DECIDED}${org === null ? '' : ' AND r.organization_id = ?'} AND r.decided_at >= ? AND r.decided_at <= ?${programId === undefined ? '' : ' AND r.program_id = ?'}
          GROUP BY r.status`,
        [...(org === null ? [] : [org]), from, to, ...(programId === undefined ? [] : [programId])],
      );
      for (const r of rows) counts[r.status] += r.n;
    }
    return counts;
  }

  /** The earliest and latest decision in scope (the default period of a report). */
  async decidedSpan(scope: HistoryScope, organizationId?: number): Promise<{ first: number; last: number } | null> {
    const organizations: Array<number | null> =
      organizationId !== undefined ? [organizationId] : scope.kind === 'all' ? [null] : [...new Set(scope.organizationIds)];
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const org of organizations) {
      const where = `${DECIDED}${org === null ? '' : ' AND r.organization_id = ?'}`;
      const args = org === null ? [] : [org];
      const newest = await this.ctx.db.get<{ at: number }>(
        `SELECT r.decided_at AS at FROM role_requests r WHERE ${where} ORDER BY r.decided_at DESC, r.id DESC LIMIT 1`,
        args,
      );
      const oldest = await this.ctx.db.get<{ at: number }>(
        `SELECT r.decided_at AS at FROM role_requests r WHERE ${where} ORDER BY r.decided_at ASC, r.id ASC LIMIT 1`,
        args,
      );
      if (newest) last = Math.max(last, newest.at);
      if (oldest) first = Math.min(first, oldest.at);
    }
    return Number.isFinite(first) ? { first, last } : null;
  }

  async programs(): Promise<Array<{ id: number; name: string }>> {
    return this.ctx.db.all<{ id: number; name: string }>('SELECT id, name FROM programs ORDER BY id');
  }

  async organizations(ids?: readonly number[]): Promise<OrganizationRow[]> {
    if (ids !== undefined) {
      if (ids.length === 0) return [];
      return this.ctx.db.all<OrganizationRow>(
        `SELECT id, display_id AS "displayId", name, kind FROM organizations WHERE id IN (${marks(ids.length)}) ORDER BY name, id`,
        ids,
      );
    }
    return this.ctx.db.all<OrganizationRow>('SELECT id, display_id AS "displayId", name, kind FROM organizations ORDER BY name, id');
  }

  /** The organization picker's search, here too so that it also finds an open archive's organizations. */
  async searchOrganizations(search: OrganizationSearch): Promise<OrganizationMatch[]> {
    return searchOrganizations(this.ctx.db, search);
  }

  async organizationByDisplayId(displayId: string): Promise<OrganizationRow | null> {
    return (
      (await this.ctx.db.get<OrganizationRow>('SELECT id, display_id AS "displayId", name, kind FROM organizations WHERE display_id = ?', [displayId])) ?? null
    );
  }

  async programId(name: string): Promise<number | null> {
    return (await this.ctx.db.get<{ id: number }>('SELECT id FROM programs WHERE name = ?', [name]))?.id ?? null;
  }
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

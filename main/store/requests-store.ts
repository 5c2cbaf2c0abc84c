import { NO_AUTHORITY, holdsAuthority, keepsSession } from './authority.js';
import { fillSlots } from './slots.js';
import type { Slotted } from './slots.js';
import { ORGANIZATION_KINDS } from '../../shared/domain.js';
import type { OrganizationKind, ProofingState, RequestStatus, UserStatus } from '../../shared/domain.js';
import type { OutboxDraft } from './outbox-rows.js';
import type { AuditDraft } from './types.js';
import { databaseRefusal } from './invariant-error.js';
import type { SqlExecutor, SqlValue } from './sql.js';
import type { StoreContext } from './store-context.js';

export interface OrganizationRow {
  id: number;
  displayId: string;
  name: string;
  kind: OrganizationKind;
}

/** A request with what the rules need to judge it. */
export interface RequestRecord {
  id: number;
  requesterId: number;
  requesterFirstName: string;
  requesterLastName: string;
  requesterEmail: string;
  requesterUserId: string;
  requesterProofingState: ProofingState;
  /** The official who created the requester's account, if one did. */
  requesterCreatedBy: number | null;
  program: string;
  programId: number;
  organization: OrganizationRow;
  role: string;
  roleId: number;
  /** The Security Official kind of the requested role, if it is one. */
  securityOfficialKind: OrganizationKind | null;
  justification: string;
  status: RequestStatus;
  requestedAt: number;
  decidedAt: number | null;
  decidedBy: number | null;
  decidedByEmail: string | null;
  reason: string | null;
}

export interface QueueScope {
  /** Organizations where the official holds a Security Official role. */
  organizationIds: readonly number[];
  /** CMS officials also see Security Official requests of every organization. */
  allSecurityOfficialRequests: boolean;
  programName?: string | undefined;
  organizationId?: number | undefined;
}

export type QueueKey = { sort: 'requested'; requestedAt: number; id: number } | { sort: 'lastName'; lastName: string; firstName: string; id: number };

export interface Decision {
  requestId: number;
  action: 'approve' | 'reject';
  reason: string | null;
  /**
   * For a role under dual control: how many distinct approvals grant it, this one included. The
   * approval is recorded; the request is approved only once that many are there.
   */
  approvalsNeeded: number | null;
  audit: AuditDraft;
  outbox: OutboxDraft[];
  /** Written instead of audit and outbox when this approval is recorded but more are needed. */
  recorded?: { audit: AuditDraft; outbox: OutboxDraft[] };
}

export interface DecideResult {
  /** Not pending any more: someone decided meanwhile. */
  conflicts: number[];
  /** A first approval recorded; more are needed. */
  recorded: number[];
  /** Refused by a rule the database keeps (the sentence it gave); nothing was written for them. */
  refused: Array<{ requestId: number; message: string }>;
  /** Set when the official holds no Security Official role any more, or was deactivated: nothing of the chunk was written. */
  noAuthority?: true;
}

/** An approval given towards a dual-control grant. */
export interface ApprovalRecord {
  officialId: number;
  email: string;
  approvedAt: number;
}

/** A role assignment or pending request found outside the role catalogue on upgrade. */
export interface CatalogueViolation {
  kind: 'assignment' | 'pending_request';
  userId: string;
  role: string;
  program: string;
  organization: string;
  foundAt: number;
}

/** A CMS Security Official role granted by a single official (no second one existed then). */
export interface SingleApprovalGrant {
  requestId: number;
  userId: string;
  firstName: string;
  lastName: string;
  program: string;
  decidedAt: number;
  approverEmail: string;
}

export interface QueueView {
  records: RequestRecord[];
  total: number;
  /** Distinct Security Officials by organization (0 when none). */
  officialCounts: Map<number, number>;
  programs: string[];
  /** Only for CMS Security Official role requests among the records; empty (and not read) when there are none. */
  approvals: Map<number, ApprovalRecord[]>;
  cmsOfficials: number[];
}

export interface RequesterProfile {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  status: UserStatus;
  proofingState: ProofingState;
  lastSignInAt: number | null;
}

/** Role requests and role assignments: the queries behind My Access and Role Requests. */
export interface RequestStore {
  programs(): Promise<string[]>;
  roles(): Promise<Array<{ id: number; name: string; securityOfficialKind: OrganizationKind | null }>>;
  programId(name: string): Promise<number | null>;
  organizationByDisplayId(displayId: string): Promise<OrganizationRow | null>;
  byIds(ids: readonly number[]): Promise<RequestRecord[]>;
  forRequester(userId: number): Promise<RequestRecord[]>;
  /** Files a request unless the same one is pending, the role is held, or the requester's account can no longer be signed in to: then says which. */
  file(
    request: { requesterId: number; programId: number; organizationId: number; roleId: number; justification: string },
    audit: Slotted<AuditDraft[]>,
    outbox: Slotted<OutboxDraft[]>,
  ): Promise<{ requestId: number } | 'pending' | 'held' | 'inactive'>;
  /** Cancels a pending request of its requester; false if it was not pending any more. */
  withdraw(requestId: number, requesterId: number, audit: AuditDraft[]): Promise<boolean>;
  queuePage(scope: QueueScope, after: QueueKey | null, sort: 'requested' | 'lastName', limit: number): Promise<RequestRecord[]>;
  queueCount(scope: QueueScope): Promise<number>;
  /**
   * What one queue page shows, read in one call: the page (`limit` rows at most), the total from
   * the counters, the Security Official counts of the page's organizations and of `alsoCount`,
   * the programs, and for CMS Security Official role requests on the page, their approvals and
   * the CMS officials who count for dual control at `at` (cmsOfficialIds).
   */
  queueView(
    scope: QueueScope,
    after: QueueKey | null,
    sort: 'requested' | 'lastName',
    limit: number,
    alsoCount: readonly number[],
    at: number,
  ): Promise<QueueView>;
  /**
   * Decides requests in one transaction (all or nothing): each is decided only if it is still
   * pending; the others are returned as conflicts and write nothing.
   */
  decide(officialId: number, decisions: readonly Decision[]): Promise<DecideResult>;
  /** The approvals given so far towards dual-control grants, by request. */
  approvalsFor(requestIds: readonly number[]): Promise<Map<number, ApprovalRecord[]>>;
  /**
   * Holders of the CMS Security Official role who count for dual control at `at`: accounts not
   * deactivated (locked ones count), or deactivated less than 30 days before.
   */
  cmsOfficialIds(at: number): Promise<number[]>;
  /** CMS Security Official roles granted with fewer than two approvals, newest first. */
  singleApprovalGrants(limit: number): Promise<SingleApprovalGrant[]>;
  /** Rows an older console let break the role catalogue, as the upgrade set them aside. */
  catalogueViolations(limit: number): Promise<CatalogueViolation[]>;
  /** Puts the official's recent rejection back in the queue; NO_AUTHORITY when they no longer administer its organization. */
  reopen(requestId: number, officialId: number, notBefore: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY>;
  securityOfficialEmails(organizationId: number): Promise<string[]>;
  cmsOfficialEmails(): Promise<string[]>;
  /** Security Official counts for organizations (0 when none). */
  securityOfficialCounts(organizationIds: readonly number[]): Promise<Map<number, number>>;
  rolesOf(userId: number, organizationIds: readonly number[] | 'all'): Promise<Array<{ program: string; organization: OrganizationRow; role: string }>>;
  requesterProfile(userId: number): Promise<RequesterProfile | null>;
}

const REQUEST_SELECT = `
  SELECT r.id, r.requester_id AS "requesterId", u.first_name AS "requesterFirstName", u.last_name AS "requesterLastName",
         u.email AS "requesterEmail", u.user_id AS "requesterUserId", u.proofing_state AS "requesterProofingState",
         u.created_by AS "requesterCreatedBy", p.name AS program, p.id AS "programId",
         o.id AS "orgId", o.display_id AS "orgDisplayId", o.name AS "orgName", o.kind AS "orgKind",
         ro.name AS role, ro.id AS "roleId", ro.security_official_kind AS "securityOfficialKind",
         r.justification, r.status, r.requested_at AS "requestedAt", r.decided_at AS "decidedAt",
         r.decided_by AS "decidedBy", d.email AS "decidedByEmail", r.reason
    FROM role_requests r
    JOIN users u ON u.id = r.requester_id
    JOIN programs p ON p.id = r.program_id
    JOIN organizations o ON o.id = r.organization_id
    JOIN roles ro ON ro.id = r.role_id
    LEFT JOIN users d ON d.id = r.decided_by`;

type RequestRow = Omit<RequestRecord, 'organization'> & { orgId: number; orgDisplayId: string; orgName: string; orgKind: OrganizationKind };

// Field by field: a rest pattern over a driver's row cost 4 to 8 ms a page of 100 on a loaded machine (about 0.3 ms this way).
const toRequest = (r: RequestRow): RequestRecord => ({
  id: r.id,
  requesterId: r.requesterId,
  requesterFirstName: r.requesterFirstName,
  requesterLastName: r.requesterLastName,
  requesterEmail: r.requesterEmail,
  requesterUserId: r.requesterUserId,
  requesterProofingState: r.requesterProofingState,
  requesterCreatedBy: r.requesterCreatedBy,
  program: r.program,
  programId: r.programId,
  organization: { id: r.orgId, displayId: r.orgDisplayId, name: r.orgName, kind: r.orgKind },
  role: r.role,
  roleId: r.roleId,
  securityOfficialKind: r.securityOfficialKind,
  justification: r.justification,
  status: r.status,
  requestedAt: r.requestedAt,
  decidedAt: r.decidedAt,
  decidedBy: r.decidedBy,
  decidedByEmail: r.decidedByEmail,
  reason: r.reason,
});

/** A CMS official deactivated this recently still counts for dual control (30 days, as in migration 6). */
const DUAL_CONTROL_MEMORY_MS = 30 * 86_400_000;

/** Requests read per statement: a slice takes a few milliseconds even on a cold cache. */
const BY_IDS_SLICE = 200;

/** Requests decided per set-based statement: one round trip for many rows, well under either engine's limit on parameters. */
const DECIDE_SLICE = 500;

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What became of one decision of a chunk; a refusal carries the rule's sentence. */
type Outcome = 'conflict' | 'recorded' | 'decided' | { refused: string };

/** Grants the roles of the requests named (granted now by the official), those that `where` keeps; a role already held stays as it is. */
const grantSql = (n: number, where: string) =>
  `INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
   SELECT r.requester_id, r.program_id, r.organization_id, r.role_id, CAST(? AS BIGINT), CAST(? AS BIGINT), r.id FROM role_requests r
    WHERE r.id IN (${marks(n)}) AND ${where}
   ON CONFLICT DO NOTHING`;

const UPDATE_PENDING = "UPDATE role_requests SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ? AND status = 'pending'";

export class SqlRequestStore implements RequestStore {
  constructor(private readonly ctx: StoreContext) {}

  async programs(): Promise<string[]> {
    return (await this.ctx.db.all<{ name: string }>('SELECT name FROM programs ORDER BY id')).map((r) => r.name);
  }

  async roles(): Promise<Array<{ id: number; name: string; securityOfficialKind: OrganizationKind | null }>> {
    return this.ctx.db.all<{ id: number; name: string; securityOfficialKind: OrganizationKind | null }>(
      'SELECT id, name, security_official_kind AS "securityOfficialKind" FROM roles ORDER BY id',
    );
  }

  async programId(name: string): Promise<number | null> {
    return (await this.ctx.db.get<{ id: number }>('SELECT id FROM programs WHERE name = ?', [name]))?.id ?? null;
  }

  async organizationByDisplayId(displayId: string): Promise<OrganizationRow | null> {
    return (
      (await this.ctx.db.get<OrganizationRow>('SELECT id, display_id AS "displayId", name, kind FROM organizations WHERE display_id = ?', [displayId])) ?? null
    );
  }

  async byIds(ids: readonly number[]): Promise<RequestRecord[]> {
    const out: RequestRecord[] = [];
    // Bound parameters are limited, so large bulk selections are read in slices; other work runs
    // between slices, so reading 10,000 requests never holds the main process for long.
    for (let i = 0; i < ids.length; i += BY_IDS_SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = ids.slice(i, i + BY_IDS_SLICE);
      out.push(...(await this.ctx.db.all<RequestRow>(`${REQUEST_SELECT} WHERE r.id IN (${marks(slice.length)})`, slice)).map(toRequest));
    }
    return out;
  }

  async forRequester(userId: number): Promise<RequestRecord[]> {
    return (await this.ctx.db.all<RequestRow>(`${REQUEST_SELECT} WHERE r.requester_id = ? ORDER BY r.requested_at DESC, r.id DESC`, [userId])).map(toRequest);
  }

  async file(
    request: { requesterId: number; programId: number; organizationId: number; roleId: number; justification: string },
    audit: Slotted<AuditDraft[]>,
    outbox: Slotted<OutboxDraft[]>,
  ): Promise<{ requestId: number } | 'pending' | 'held' | 'inactive'> {
    return this.ctx.db.transaction(async (tx): Promise<{ requestId: number } | 'pending' | 'held' | 'inactive'> => {
      // Read in the same transaction as the insert: an account deactivated meanwhile (at another
      // workstation, whose session here is still open) files nothing.
      if (!(await keepsSession(tx, request.requesterId))) return 'inactive';
      const same = [request.requesterId, request.programId, request.organizationId, request.roleId];
      if (await tx.get('SELECT 1 AS one FROM role_assignments WHERE user_id = ? AND program_id = ? AND organization_id = ? AND role_id = ?', same))
        return 'held';
      if (
        await tx.get(
          "SELECT 1 AS one FROM role_requests WHERE requester_id = ? AND program_id = ? AND organization_id = ? AND role_id = ? AND status = 'pending'",
          same,
        )
      ) {
        return 'pending';
      }
      const inserted = await tx.get<{ id: number }>(
        "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at) VALUES (?, ?, ?, ?, ?, 'pending', ?) RETURNING id",
        [...same, request.justification, this.ctx.clock.now()],
      );
      const requestId = inserted!.id;
      await this.ctx.appendAudit(tx, fillSlots<AuditDraft[]>(audit, { requestId }));
      await this.ctx.queueEmail(tx, fillSlots<OutboxDraft[]>(outbox, { requestId }));
      return { requestId };
    });
  }

  async withdraw(requestId: number, requesterId: number, audit: AuditDraft[]): Promise<boolean> {
    return this.ctx.db.transaction(async (tx) => {
      const done = await tx.run(
        "UPDATE role_requests SET status = 'cancelled', decided_at = ?, decided_by = ? WHERE id = ? AND requester_id = ? AND status = 'pending'",
        [this.ctx.clock.now(), requesterId, requestId, requesterId],
      );
      if (done.changes !== 1) return false;
      await this.ctx.appendAudit(tx, audit);
      return true;
    });
  }

  private scopeWhere(scope: QueueScope): { sql: string; params: Array<string | number> } {
    const params: Array<string | number> = [...scope.organizationIds];
    const inOrgs = scope.organizationIds.length > 0 ? `r.organization_id IN (${marks(scope.organizationIds.length)})` : '1 = 0';
    let sql = `r.status = 'pending' AND (${inOrgs}${scope.allSecurityOfficialRequests ? ' OR ro.security_official_kind IS NOT NULL' : ''})`;
    if (scope.programName !== undefined) {
      sql += ' AND p.name = ?';
      params.push(scope.programName);
    }
    if (scope.organizationId !== undefined) {
      sql += ' AND r.organization_id = ?';
      params.push(scope.organizationId);
    }
    return { sql, params };
  }

  async queuePage(scope: QueueScope, after: QueueKey | null, sort: 'requested' | 'lastName', limit: number): Promise<RequestRecord[]> {
    let keyset = '';
    const keyParams: SqlValue[] = [];
    if (after?.sort === 'requested') {
      keyset = ' AND (r.requested_at, r.id) > (?, ?)';
      keyParams.push(after.requestedAt, after.id);
    } else if (after?.sort === 'lastName') {
      keyset = ' AND (r.requester_last_name, r.requester_first_name, r.id) > (?, ?, ?)';
      keyParams.push(after.lastName, after.firstName, after.id);
    }
    // The requester's names copied onto the request (migration 003) are indexed for pending requests.
    const order = sort === 'requested' ? 'r.requested_at, r.id' : 'r.requester_last_name, r.requester_first_name, r.id';
    if (scope.allSecurityOfficialRequests && scope.organizationId === undefined) return this.cmsQueuePage(scope, keyset, keyParams, order, limit);
    const where = this.scopeWhere(scope);
    const rows = await this.ctx.db.all<RequestRow>(`${REQUEST_SELECT} WHERE ${where.sql}${keyset} ORDER BY ${order} LIMIT ?`, [
      ...where.params,
      ...keyParams,
      limit,
    ]);
    return rows.map(toRequest);
  }

  /**
   * The CMS scope (its organizations, and Security Official requests anywhere) as one index range
   * per organization and per Security Official role (migration 010), each cut at `limit` in the
   * page's order: the page's rows are all among them, so it never walks every pending request to
   * find the few in scope. The ranges give keys only (from their indexes); the page is chosen
   * from them, and only its rows are joined. One statement, so one round trip on either engine.
   */
  private async cmsQueuePage(scope: QueueScope, keyset: string, keyParams: readonly SqlValue[], order: string, limit: number): Promise<RequestRecord[]> {
    const program = scope.programName === undefined ? '' : ' AND r.program_id = (SELECT id FROM programs WHERE name = ?)';
    const programParams = scope.programName === undefined ? [] : [scope.programName];
    const ranges: string[] = [];
    const params: SqlValue[] = [];
    const range = (where: string, whereParams: readonly SqlValue[]) => {
      ranges.push(
        `SELECT * FROM (SELECT ${order} FROM role_requests r WHERE r.status = 'pending' AND ${where}${program}${keyset} ORDER BY ${order} LIMIT ?) range${ranges.length}`,
      );
      params.push(...whereParams, ...programParams, ...keyParams, limit);
    };
    for (const id of scope.organizationIds) range('r.organization_id = ?', [id]);
    // The role catalogue keeps one role per Security Official kind, so each is one equality.
    for (const kind of ORGANIZATION_KINDS) range('r.role_id = (SELECT id FROM roles WHERE security_official_kind = ?)', [kind]);
    // UNION: a request in two ranges (a CMS role requested in CMS) has the same key in both.
    const page = `SELECT id FROM (${ranges.join(' UNION ')}) keys ORDER BY ${order.replace(/\br\./g, '')} LIMIT ?`;
    const rows = await this.ctx.db.all<RequestRow>(`${REQUEST_SELECT} WHERE r.id IN (${page}) ORDER BY ${order}`, [...params, limit]);
    return rows.map(toRequest);
  }

  async queueView(
    scope: QueueScope,
    after: QueueKey | null,
    sort: 'requested' | 'lastName',
    limit: number,
    alsoCount: readonly number[],
    at: number,
  ): Promise<QueueView> {
    // Side by side: PostgreSQL runs them on several connections; SQLite one after another on its thread.
    const [records, total, programs] = await Promise.all([this.queuePage(scope, after, sort, limit), this.queueCount(scope), this.programs()]);
    const cmsRequests = records.filter((r) => r.securityOfficialKind === 'cms').map((r) => r.id);
    const [officialCounts, approvals, cmsOfficials] = await Promise.all([
      this.securityOfficialCounts([...new Set([...records.map((r) => r.organization.id), ...alsoCount])]),
      cmsRequests.length > 0 ? this.approvalsFor(cmsRequests) : new Map<number, ApprovalRecord[]>(),
      cmsRequests.length > 0 ? this.cmsOfficialIds(at) : [],
    ]);
    return { records, total, officialCounts, programs, approvals, cmsOfficials };
  }

  /**
   * A sum over the pending counters the triggers of migration 003 keep, not a count of rows.
   * The CMS scope (its organizations, or a Security Official role anywhere) is summed as two
   * disjoint parts, so each part is an index range rather than a scan of every counter.
   */
  async queueCount(scope: QueueScope): Promise<number> {
    const soRoles = '(SELECT id FROM roles WHERE security_official_kind IS NOT NULL)';
    let filter = '';
    const filterParams: Array<string | number> = [];
    if (scope.programName !== undefined) {
      filter += ' AND c.program_id = (SELECT id FROM programs WHERE name = ?)';
      filterParams.push(scope.programName);
    }
    if (scope.organizationId !== undefined) {
      filter += ' AND c.organization_id = ?';
      filterParams.push(scope.organizationId);
    }
    const parts: string[] = [];
    const params: Array<string | number> = [];
    if (scope.allSecurityOfficialRequests) {
      parts.push(`SELECT coalesce(sum(c.n), 0) FROM pending_request_counts c WHERE c.role_id IN ${soRoles}${filter}`);
      params.push(...filterParams);
    }
    if (scope.organizationIds.length > 0) {
      const notSo = scope.allSecurityOfficialRequests ? ` AND c.role_id NOT IN ${soRoles}` : '';
      parts.push(
        `SELECT coalesce(sum(c.n), 0) FROM pending_request_counts c WHERE c.organization_id IN (${marks(scope.organizationIds.length)})${notSo}${filter}`,
      );
      params.push(...scope.organizationIds, ...filterParams);
    }
    if (parts.length === 0) return 0;
    return (await this.ctx.db.get<{ n: number }>(`SELECT ${parts.map((p) => `(${p})`).join(' + ')} AS n`, params))!.n;
  }

  async decide(officialId: number, decisions: readonly Decision[]): Promise<DecideResult> {
    return this.ctx.db.transaction(async (tx): Promise<DecideResult> => {
      // Asked of every chunk: an official deactivated (or stripped of every Security Official role)
      // while a bulk decision runs decides nothing more. Each request's own rules are the triggers'.
      if (!(await holdsAuthority(tx, { officialId, over: 'any' }))) return { conflicts: [], recorded: [], refused: [], noAuthority: true };
      const now = this.ctx.clock.now();
      // First the whole chunk at once, in a savepoint: a rule the database refuses undoes it all,
      // and then each request is decided in a savepoint of its own, so that one refused request
      // is undone alone and the others of the chunk go through. (A refused statement aborts a
      // PostgreSQL transaction; rolling back to a savepoint is how it goes on.)
      let outcomes: Outcome[];
      await tx.run('SAVEPOINT decide_chunk');
      try {
        outcomes = await this.decideTogether(tx, officialId, now, decisions);
        await tx.run('RELEASE SAVEPOINT decide_chunk');
      } catch (error) {
        if (databaseRefusal(error) === null) throw error;
        await tx.run('ROLLBACK TO SAVEPOINT decide_chunk');
        await tx.run('RELEASE SAVEPOINT decide_chunk');
        outcomes = [];
        for (const d of decisions) outcomes.push(await this.decideAlone(tx, officialId, now, d));
      }
      const result: DecideResult = { conflicts: [], recorded: [], refused: [] };
      const audit: AuditDraft[] = [];
      const outbox: OutboxDraft[] = [];
      decisions.forEach((d, i) => {
        const outcome = outcomes[i]!;
        if (typeof outcome === 'object') result.refused.push({ requestId: d.requestId, message: outcome.refused });
        else if (outcome === 'conflict') result.conflicts.push(d.requestId);
        else if (outcome === 'recorded') {
          result.recorded.push(d.requestId);
          if (d.recorded) {
            audit.push(d.recorded.audit);
            outbox.push(...d.recorded.outbox);
          }
        } else {
          audit.push(d.audit);
          outbox.push(...d.outbox);
        }
      });
      // One append per transaction: the chain head is read once.
      await this.ctx.appendAudit(tx, audit);
      await this.ctx.queueEmail(tx, outbox);
      return result;
    });
  }

  /**
   * The chunk with few round trips: runs of plain decisions are set-based (an UPDATE of many rows
   * returning those still pending, then one INSERT of their grants); dual-control approvals are
   * decided one by one where they stand. Deciding a run together is never more lenient than one
   * by one (its rules read Security Official grants, and a run's come after its updates): whatever it lets
   * through, one by one would have let through the same way, and anything it refuses is decided
   * again one by one.
   */
  private async decideTogether(tx: SqlExecutor, officialId: number, now: number, decisions: readonly Decision[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array<Outcome>(decisions.length).fill('conflict');
    let run: number[] = [];
    const flush = async () => {
      if (run.length > 0) await this.decideRun(tx, officialId, now, decisions, run, outcomes);
      run = [];
    };
    for (const [i, d] of decisions.entries()) {
      if (d.action === 'approve' && d.approvalsNeeded !== null) {
        await flush();
        outcomes[i] = await this.decideOne(tx, officialId, now, d);
      } else run.push(i);
    }
    await flush();
    return outcomes;
  }

  /** Plain decisions (no dual control), by their indexes in `decisions`; fills their outcomes. */
  private async decideRun(
    tx: SqlExecutor,
    officialId: number,
    now: number,
    decisions: readonly Decision[],
    run: readonly number[],
    outcomes: Outcome[],
  ): Promise<void> {
    // One UPDATE per status and reason (a bulk decision shares both), in the order they first appear.
    const groups = new Map<string, { status: 'approved' | 'rejected'; reason: string | null; indexes: number[] }>();
    for (const i of run) {
      const d = decisions[i]!;
      const status = d.action === 'approve' ? 'approved' : 'rejected';
      const key = JSON.stringify([status, d.reason]);
      const group = groups.get(key) ?? { status, reason: d.reason, indexes: [] };
      group.indexes.push(i);
      groups.set(key, group);
    }
    const granted: number[] = [];
    for (const { status, reason, indexes } of groups.values()) {
      const updated = new Set<number>();
      for (const slice of slices([...new Set(indexes.map((i) => decisions[i]!.requestId))], DECIDE_SLICE)) {
        // The grants of ordinary roles go in before their requests leave pending: the requester's
        // directory row then gains the role's reason before it loses the request's, and is updated
        // in place, instead of being deleted with every index entry and written again. No rule of
        // the trust model reads ordinary roles, so the order changes no verdict; Security Official
        // roles, which the rules read, are granted after their requests, as one by one.
        if (status === 'approved')
          await tx.run(grantSql(slice.length, "r.status = 'pending' AND r.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NULL)"), [
            now,
            officialId,
            ...slice,
          ]);
        const rows = await tx.all<{ id: number }>(
          `UPDATE role_requests SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE status = 'pending' AND id IN (${marks(slice.length)}) RETURNING id`,
          [status, now, officialId, reason, ...slice],
        );
        for (const { id } of rows) updated.add(id);
      }
      // A request named twice is decided once, by the first; the later one finds it decided.
      for (const i of indexes) {
        const id = decisions[i]!.requestId;
        if (!updated.delete(id)) continue;
        outcomes[i] = 'decided';
        if (status === 'approved') granted.push(id);
      }
    }
    for (const slice of slices(granted, DECIDE_SLICE)) {
      await tx.run(grantSql(slice.length, 'r.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)'), [now, officialId, ...slice]);
    }
  }

  /** One decision in a savepoint of its own: a rule the database refuses undoes this request alone. */
  private async decideAlone(tx: SqlExecutor, officialId: number, now: number, d: Decision): Promise<Outcome> {
    await tx.run('SAVEPOINT decide_one');
    try {
      const outcome = await this.decideOne(tx, officialId, now, d);
      await tx.run('RELEASE SAVEPOINT decide_one');
      return outcome;
    } catch (error) {
      const message = databaseRefusal(error);
      if (message === null) throw error;
      await tx.run('ROLLBACK TO SAVEPOINT decide_one');
      await tx.run('RELEASE SAVEPOINT decide_one');
      return { refused: message };
    }
  }

  private async decideOne(tx: SqlExecutor, officialId: number, now: number, d: Decision): Promise<'conflict' | 'recorded' | 'decided'> {
    if (d.action === 'approve' && d.approvalsNeeded !== null) {
      // Dual control: the approval is recorded in the same transaction that counts them, so two
      // officials approving at once cannot both stop at "1 of 2".
      if (!(await tx.get("SELECT 1 AS one FROM role_requests WHERE id = ? AND status = 'pending'", [d.requestId]))) return 'conflict';
      const approval = await tx.run('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
        d.requestId,
        officialId,
        now,
      ]);
      if (approval.changes !== 1) return 'conflict';
      const approvals = await tx.get<{ n: number }>('SELECT count(*) AS n FROM request_approvals WHERE request_id = ?', [d.requestId]);
      if (approvals!.n < d.approvalsNeeded) return 'recorded';
    }
    const status = d.action === 'approve' ? 'approved' : 'rejected';
    // Only a pending request is decided: whoever decided it meanwhile (on PostgreSQL, a
    // transaction running beside this one) leaves nothing to change, and this is a conflict.
    if ((await tx.run(UPDATE_PENDING, [status, now, officialId, d.reason, d.requestId])).changes !== 1) return 'conflict';
    if (d.action === 'approve') {
      await tx.run(
        `INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
         SELECT requester_id, program_id, organization_id, role_id, CAST(? AS BIGINT), CAST(? AS BIGINT), id FROM role_requests WHERE id = ?
         ON CONFLICT DO NOTHING`,
        [now, officialId, d.requestId],
      );
    }
    return 'decided';
  }

  async approvalsFor(requestIds: readonly number[]): Promise<Map<number, ApprovalRecord[]>> {
    const out = new Map<number, ApprovalRecord[]>();
    for (const slice of slices(requestIds, BY_IDS_SLICE)) {
      const rows = await this.ctx.db.all<ApprovalRecord & { requestId: number }>(
        `SELECT a.request_id AS "requestId", a.official_id AS "officialId", u.email, a.approved_at AS "approvedAt"
           FROM request_approvals a JOIN users u ON u.id = a.official_id
          WHERE a.request_id IN (${marks(slice.length)}) ORDER BY a.request_id, a.approved_at`,
        slice,
      );
      for (const { requestId, ...approval } of rows) out.set(requestId, [...(out.get(requestId) ?? []), approval]);
    }
    return out;
  }

  async cmsOfficialIds(at: number): Promise<number[]> {
    return (
      await this.ctx.db.all<{ id: number }>(
        // A seek in role_assignments_org (the CMS organization, the CMS role), never a walk of every assignment.
        `SELECT DISTINCT a.user_id AS id FROM role_assignments a JOIN users u ON u.id = a.user_id
          WHERE a.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
            AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms')
            AND (u.status <> 'deactivated' OR u.deactivated_at > ?) ORDER BY a.user_id`,
        [at - DUAL_CONTROL_MEMORY_MS],
      )
    ).map((r) => r.id);
  }

  async catalogueViolations(limit: number): Promise<CatalogueViolation[]> {
    return this.ctx.db.all<CatalogueViolation>(
      `SELECT v.kind, u.user_id AS "userId", r.name AS role, p.name AS program, o.display_id AS organization, v.found_at AS "foundAt"
         FROM role_catalogue_violations v JOIN users u ON u.id = v.user_id JOIN roles r ON r.id = v.role_id
         JOIN programs p ON p.id = v.program_id JOIN organizations o ON o.id = v.organization_id
        ORDER BY v.id LIMIT ?`,
      [limit],
    );
  }

  async singleApprovalGrants(limit: number): Promise<SingleApprovalGrant[]> {
    return this.ctx.db.all<SingleApprovalGrant>(
      `SELECT q.id AS "requestId", u.user_id AS "userId", u.first_name AS "firstName", u.last_name AS "lastName", p.name AS program,
              q.decided_at AS "decidedAt", d.email AS "approverEmail"
         FROM role_assignments g JOIN role_requests q ON q.id = g.request_id JOIN users u ON u.id = q.requester_id
         JOIN programs p ON p.id = q.program_id JOIN users d ON d.id = q.decided_by
        -- Held CMS roles only (role_assignments_org): a few rows, never a walk of the history.
        WHERE g.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
          AND g.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms')
          AND (SELECT count(*) FROM request_approvals a WHERE a.request_id = q.id) < 2
        ORDER BY q.decided_at DESC, q.id DESC LIMIT ?`,
      [limit],
    );
  }

  async reopen(requestId: number, officialId: number, notBefore: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY> {
    return this.ctx.db.transaction(async (tx) => {
      const request = await tx.get<{ organizationId: number }>('SELECT organization_id AS "organizationId" FROM role_requests WHERE id = ?', [requestId]);
      if (request === undefined) return false;
      if (!(await holdsAuthority(tx, { officialId, over: 'organization', organizationId: request.organizationId }))) return NO_AUTHORITY;
      const done = await tx.run(
        "UPDATE role_requests SET status = 'pending', decided_at = NULL, decided_by = NULL, reason = NULL WHERE id = ? AND status = 'rejected' AND decided_by = ? AND decided_at >= ?",
        [requestId, officialId, notBefore],
      );
      if (done.changes !== 1) return false;
      await this.ctx.appendAudit(tx, audit);
      return true;
    });
  }

  async securityOfficialEmails(organizationId: number): Promise<string[]> {
    return (
      await this.ctx.db.all<{ email: string }>(
        `SELECT DISTINCT u.email FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
          WHERE a.organization_id = ? AND r.security_official_kind IS NOT NULL AND u.status = 'active' ORDER BY u.email`,
        [organizationId],
      )
    ).map((r) => r.email);
  }

  async cmsOfficialEmails(): Promise<string[]> {
    return (
      await this.ctx.db.all<{ email: string }>(
        `SELECT DISTINCT u.email FROM role_assignments a JOIN users u ON u.id = a.user_id
          WHERE a.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
            AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms') AND u.status = 'active' ORDER BY u.email`,
      )
    ).map((r) => r.email);
  }

  async securityOfficialCounts(organizationIds: readonly number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>(organizationIds.map((id) => [id, 0]));
    if (organizationIds.length === 0) return counts;
    // The roles as values, not a subquery: both engines then seek each (organization, Security
    // Official role) pair in role_assignments_org. With the subquery PostgreSQL read every
    // assignment of the organizations and filtered them (a CMS official's 94: 19,398 rows, 5 ms
    // against 0.7).
    const roles = (await this.ctx.db.all<{ id: number }>('SELECT id FROM roles WHERE security_official_kind IS NOT NULL ORDER BY id')).map((r) => r.id);
    if (roles.length === 0) return counts;
    const rows = await this.ctx.db.all<{ id: number; n: number }>(
      `SELECT a.organization_id AS id, count(DISTINCT a.user_id) AS n FROM role_assignments a
        WHERE a.role_id IN (${marks(roles.length)}) AND a.organization_id IN (${marks(organizationIds.length)}) GROUP BY a.organization_id`,
      [...roles, ...organizationIds],
    );
    for (const r of rows) counts.set(r.id, r.n);
    return counts;
  }

  async rolesOf(userId: number, organizationIds: readonly number[] | 'all'): Promise<Array<{ program: string; organization: OrganizationRow; role: string }>> {
    const limited = organizationIds !== 'all';
    if (limited && organizationIds.length === 0) return [];
    const rows = await this.ctx.db.all<OrganizationRow & { program: string; role: string }>(
      `SELECT p.name AS program, o.id, o.display_id AS "displayId", o.name, o.kind, r.name AS role
         FROM role_assignments a JOIN programs p ON p.id = a.program_id JOIN organizations o ON o.id = a.organization_id JOIN roles r ON r.id = a.role_id
        WHERE a.user_id = ?${limited ? ` AND a.organization_id IN (${marks(organizationIds.length)})` : ''}
        ORDER BY o.name, p.name, r.name`,
      [userId, ...(limited ? organizationIds : [])],
    );
    return rows.map(({ program, role, ...organization }) => ({ program, role, organization }));
  }

  async requesterProfile(userId: number): Promise<RequesterProfile | null> {
    return (
      (await this.ctx.db.get<RequesterProfile>(
        `SELECT user_id AS "userId", first_name AS "firstName", last_name AS "lastName", email, phone, status,
                proofing_state AS "proofingState", last_sign_in_at AS "lastSignInAt" FROM users WHERE id = ?`,
        [userId],
      )) ?? null
    );
  }
}

import { fillSlots } from './slots.js';
import type { Slotted } from './slots.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { OrganizationKind, ProofingState, RequestStatus, UserStatus } from '../../shared/domain.js';
import { appendAuditSync } from './audit-chain.js';
import { insertOutboxRowsSync } from './outbox-rows.js';
import type { OutboxDraft } from './outbox-rows.js';
import type { AuditDraft } from './types.js';
import { databaseRefusal } from './invariant-error.js';

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
  organizations(): Promise<OrganizationRow[]>;
  roles(): Promise<Array<{ id: number; name: string; securityOfficialKind: OrganizationKind | null }>>;
  programId(name: string): Promise<number | null>;
  organizationByDisplayId(displayId: string): Promise<OrganizationRow | null>;
  byIds(ids: readonly number[]): Promise<RequestRecord[]>;
  forRequester(userId: number): Promise<RequestRecord[]>;
  /** Files a request unless the same one is pending or the role is held: then says which. */
  file(
    request: { requesterId: number; programId: number; organizationId: number; roleId: number; justification: string },
    audit: Slotted<AuditDraft[]>,
    outbox: Slotted<OutboxDraft[]>,
  ): Promise<{ requestId: number } | 'pending' | 'held'>;
  /** Cancels a pending request of its requester; false if it was not pending any more. */
  withdraw(requestId: number, requesterId: number, audit: AuditDraft[]): Promise<boolean>;
  queuePage(scope: QueueScope, after: QueueKey | null, sort: 'requested' | 'lastName', limit: number): Promise<RequestRecord[]>;
  queueCount(scope: QueueScope): Promise<number>;
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
  reopen(requestId: number, officialId: number, notBefore: number, audit: AuditDraft[]): Promise<boolean>;
  securityOfficialEmails(organizationId: number): Promise<string[]>;
  cmsOfficialEmails(): Promise<string[]>;
  /** Security Official counts for organizations (0 when none). */
  securityOfficialCounts(organizationIds: readonly number[]): Promise<Map<number, number>>;
  rolesOf(userId: number, organizationIds: readonly number[] | 'all'): Promise<Array<{ program: string; organization: OrganizationRow; role: string }>>;
  requesterProfile(userId: number): Promise<RequesterProfile | null>;
}

const REQUEST_SELECT = `
  SELECT r.id, r.requester_id AS requesterId, u.first_name AS requesterFirstName, u.last_name AS requesterLastName,
         u.email AS requesterEmail, u.user_id AS requesterUserId, u.proofing_state AS requesterProofingState,
         u.created_by AS requesterCreatedBy, p.name AS program, p.id AS programId,
         o.id AS orgId, o.display_id AS orgDisplayId, o.name AS orgName, o.kind AS orgKind,
         ro.name AS role, ro.id AS roleId, ro.security_official_kind AS securityOfficialKind,
         r.justification, r.status, r.requested_at AS requestedAt, r.decided_at AS decidedAt,
         r.decided_by AS decidedBy, d.email AS decidedByEmail, r.reason
    FROM role_requests r
    JOIN users u ON u.id = r.requester_id
    JOIN programs p ON p.id = r.program_id
    JOIN organizations o ON o.id = r.organization_id
    JOIN roles ro ON ro.id = r.role_id
    LEFT JOIN users d ON d.id = r.decided_by`;

type RequestRow = Omit<RequestRecord, 'organization'> & { orgId: number; orgDisplayId: string; orgName: string; orgKind: OrganizationKind };

const toRequest = ({ orgId, orgDisplayId, orgName, orgKind, ...rest }: RequestRow): RequestRecord => ({
  ...rest,
  organization: { id: orgId, displayId: orgDisplayId, name: orgName, kind: orgKind },
});

/** A CMS official deactivated this recently still counts for dual control (30 days, as in migration 6). */
const DUAL_CONTROL_MEMORY_MS = 30 * 86_400_000;

/** Requests read per statement: a slice takes a few milliseconds even on a cold cache. */
const BY_IDS_SLICE = 200;

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

export class SqliteRequestStore implements RequestStore {
  constructor(
    readonly db: Database,
    readonly clock: Clock,
  ) {}

  async programs(): Promise<string[]> {
    return (this.db.prepare('SELECT name FROM programs ORDER BY id').all() as Array<{ name: string }>).map((r) => r.name);
  }

  async organizations(): Promise<OrganizationRow[]> {
    return this.db.prepare('SELECT id, display_id AS displayId, name, kind FROM organizations ORDER BY name').all() as OrganizationRow[];
  }

  async roles(): Promise<Array<{ id: number; name: string; securityOfficialKind: OrganizationKind | null }>> {
    return this.db.prepare('SELECT id, name, security_official_kind AS securityOfficialKind FROM roles ORDER BY id').all() as Array<{
      id: number;
      name: string;
      securityOfficialKind: OrganizationKind | null;
    }>;
  }

  async programId(name: string): Promise<number | null> {
    return (this.db.prepare('SELECT id FROM programs WHERE name = ?').get(name) as { id: number } | undefined)?.id ?? null;
  }

  async organizationByDisplayId(displayId: string): Promise<OrganizationRow | null> {
    return (
      (this.db.prepare('SELECT id, display_id AS displayId, name, kind FROM organizations WHERE display_id = ?').get(displayId) as
        OrganizationRow | undefined) ?? null
    );
  }

  async byIds(ids: readonly number[]): Promise<RequestRecord[]> {
    const out: RequestRecord[] = [];
    // SQLite limits bound parameters, so large bulk selections are read in slices; other work
    // runs between slices, so reading 10,000 requests never holds the main process for long.
    for (let i = 0; i < ids.length; i += BY_IDS_SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = ids.slice(i, i + BY_IDS_SLICE);
      out.push(...(this.db.prepare(`${REQUEST_SELECT} WHERE r.id IN (${marks(slice.length)})`).all(...slice) as RequestRow[]).map(toRequest));
    }
    return out;
  }

  async forRequester(userId: number): Promise<RequestRecord[]> {
    return (this.db.prepare(`${REQUEST_SELECT} WHERE r.requester_id = ? ORDER BY r.requested_at DESC, r.id DESC`).all(userId) as RequestRow[]).map(toRequest);
  }

  async file(
    request: { requesterId: number; programId: number; organizationId: number; roleId: number; justification: string },
    audit: Slotted<AuditDraft[]>,
    outbox: Slotted<OutboxDraft[]>,
  ): Promise<{ requestId: number } | 'pending' | 'held'> {
    return this.db
      .transaction((): { requestId: number } | 'pending' | 'held' => {
        const same = [request.requesterId, request.programId, request.organizationId, request.roleId];
        if (this.db.prepare('SELECT 1 FROM role_assignments WHERE user_id = ? AND program_id = ? AND organization_id = ? AND role_id = ?').get(...same))
          return 'held';
        if (
          this.db
            .prepare("SELECT 1 FROM role_requests WHERE requester_id = ? AND program_id = ? AND organization_id = ? AND role_id = ? AND status = 'pending'")
            .get(...same)
        ) {
          return 'pending';
        }
        const now = this.clock.now();
        const requestId = Number(
          this.db
            .prepare(
              "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
            )
            .run(...same, request.justification, now).lastInsertRowid,
        );
        appendAuditSync(this.db, now, fillSlots<AuditDraft[]>(audit, { requestId }));
        insertOutboxRowsSync(this.db, now, fillSlots<OutboxDraft[]>(outbox, { requestId }));
        return { requestId };
      })
      .immediate();
  }

  async withdraw(requestId: number, requesterId: number, audit: AuditDraft[]): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const now = this.clock.now();
        const done = this.db
          .prepare("UPDATE role_requests SET status = 'cancelled', decided_at = ?, decided_by = ? WHERE id = ? AND requester_id = ? AND status = 'pending'")
          .run(now, requesterId, requestId, requesterId);
        if (done.changes !== 1) return false;
        appendAuditSync(this.db, now, audit);
        return true;
      })
      .immediate();
  }

  private scopeWhere(scope: QueueScope): { sql: string; params: Array<string | number> } {
    const params: Array<string | number> = [...scope.organizationIds];
    const inOrgs = scope.organizationIds.length > 0 ? `r.organization_id IN (${marks(scope.organizationIds.length)})` : '0';
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
    const where = this.scopeWhere(scope);
    let keyset = '';
    const params = [...where.params];
    if (after?.sort === 'requested') {
      keyset = ' AND (r.requested_at, r.id) > (?, ?)';
      params.push(after.requestedAt, after.id);
    } else if (after?.sort === 'lastName') {
      keyset = ' AND (r.requester_last_name, r.requester_first_name, r.id) > (?, ?, ?)';
      params.push(after.lastName, after.firstName, after.id);
    }
    // The requester's names copied onto the request (migration 003) are indexed for pending requests.
    const order = sort === 'requested' ? 'r.requested_at, r.id' : 'r.requester_last_name, r.requester_first_name, r.id';
    const rows = this.db.prepare(`${REQUEST_SELECT} WHERE ${where.sql}${keyset} ORDER BY ${order} LIMIT ?`).all(...params, limit) as RequestRow[];
    return rows.map(toRequest);
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
    return (this.db.prepare(`SELECT ${parts.map((p) => `(${p})`).join(' + ')} AS n`).get(...params) as { n: number }).n;
  }

  async decide(officialId: number, decisions: readonly Decision[]): Promise<DecideResult> {
    return this.db
      .transaction((): DecideResult => {
        const now = this.clock.now();
        const update = this.db.prepare("UPDATE role_requests SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ? AND status = 'pending'");
        const grant = this.db.prepare(
          `INSERT OR IGNORE INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
           SELECT requester_id, program_id, organization_id, role_id, ?, ?, id FROM role_requests WHERE id = ?`,
        );
        const stillPending = this.db.prepare("SELECT 1 FROM role_requests WHERE id = ? AND status = 'pending'");
        const approval = this.db.prepare('INSERT INTO request_approvals (request_id, official_id, approved_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
        const approvals = this.db.prepare('SELECT count(*) AS n FROM request_approvals WHERE request_id = ?');
        const result: DecideResult = { conflicts: [], recorded: [], refused: [] };
        const audit: AuditDraft[] = [];
        const outbox: OutboxDraft[] = [];
        // One request's writes, in a savepoint of their own: a rule the database refuses for one
        // request undoes that request alone, and the others of the chunk go through.
        const decideOne = this.db.transaction((d: Decision): 'conflict' | 'recorded' | 'decided' => {
          if (d.action === 'approve' && d.approvalsNeeded !== null) {
            // Dual control: the approval is recorded in the same transaction that counts them, so two
            // officials approving at once cannot both stop at "1 of 2".
            if (!stillPending.get(d.requestId) || approval.run(d.requestId, officialId, now).changes !== 1) return 'conflict';
            if ((approvals.get(d.requestId) as { n: number }).n < d.approvalsNeeded) return 'recorded';
          }
          const status = d.action === 'approve' ? 'approved' : 'rejected';
          if (update.run(status, now, officialId, d.reason, d.requestId).changes !== 1) return 'conflict';
          if (d.action === 'approve') grant.run(now, officialId, d.requestId);
          return 'decided';
        });
        for (const d of decisions) {
          let outcome: 'conflict' | 'recorded' | 'decided';
          try {
            outcome = decideOne(d);
          } catch (error) {
            const message = databaseRefusal(error);
            if (message === null) throw error;
            result.refused.push({ requestId: d.requestId, message });
            continue;
          }
          if (outcome === 'conflict') result.conflicts.push(d.requestId);
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
        }
        // One append per transaction: the chain head is read once.
        appendAuditSync(this.db, now, audit);
        insertOutboxRowsSync(this.db, now, outbox);
        return result;
      })
      .immediate();
  }

  async approvalsFor(requestIds: readonly number[]): Promise<Map<number, ApprovalRecord[]>> {
    const out = new Map<number, ApprovalRecord[]>();
    for (let i = 0; i < requestIds.length; i += BY_IDS_SLICE) {
      const slice = requestIds.slice(i, i + BY_IDS_SLICE);
      const rows = this.db
        .prepare(
          `SELECT a.request_id AS requestId, a.official_id AS officialId, u.email, a.approved_at AS approvedAt
             FROM request_approvals a JOIN users u ON u.id = a.official_id
            WHERE a.request_id IN (${marks(slice.length)}) ORDER BY a.request_id, a.approved_at`,
        )
        .all(...slice) as Array<ApprovalRecord & { requestId: number }>;
      for (const { requestId, ...approval } of rows) out.set(requestId, [...(out.get(requestId) ?? []), approval]);
    }
    return out;
  }

  async cmsOfficialIds(at: number): Promise<number[]> {
    return (
      this.db
        .prepare(
          // A seek in role_assignments_org (the CMS organization, the CMS role), never a walk of every assignment.
          `SELECT DISTINCT a.user_id AS id FROM role_assignments a JOIN users u ON u.id = a.user_id
            WHERE a.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
              AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms')
              AND (u.status <> 'deactivated' OR u.deactivated_at > ?) ORDER BY a.user_id`,
        )
        .all(at - DUAL_CONTROL_MEMORY_MS) as Array<{ id: number }>
    ).map((r) => r.id);
  }

  async catalogueViolations(limit: number): Promise<CatalogueViolation[]> {
    return this.db
      .prepare(
        `SELECT v.kind, u.user_id AS userId, r.name AS role, p.name AS program, o.display_id AS organization, v.found_at AS foundAt
           FROM role_catalogue_violations v JOIN users u ON u.id = v.user_id JOIN roles r ON r.id = v.role_id
           JOIN programs p ON p.id = v.program_id JOIN organizations o ON o.id = v.organization_id
          ORDER BY v.id LIMIT ?`,
      )
      .all(limit) as CatalogueViolation[];
  }

  async singleApprovalGrants(limit: number): Promise<SingleApprovalGrant[]> {
    return this.db
      .prepare(
        `SELECT q.id AS requestId, u.user_id AS userId, u.first_name AS firstName, u.last_name AS lastName, p.name AS program,
                q.decided_at AS decidedAt, d.email AS approverEmail
           FROM role_assignments g JOIN role_requests q ON q.id = g.request_id JOIN users u ON u.id = q.requester_id
           JOIN programs p ON p.id = q.program_id JOIN users d ON d.id = q.decided_by
          -- Held CMS roles only (role_assignments_org): a few rows, never a walk of the history.
          WHERE g.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
            AND g.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms')
            AND (SELECT count(*) FROM request_approvals a WHERE a.request_id = q.id) < 2
          ORDER BY q.decided_at DESC, q.id DESC LIMIT ?`,
      )
      .all(limit) as SingleApprovalGrant[];
  }

  async reopen(requestId: number, officialId: number, notBefore: number, audit: AuditDraft[]): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const done = this.db
          .prepare(
            "UPDATE role_requests SET status = 'pending', decided_at = NULL, decided_by = NULL, reason = NULL WHERE id = ? AND status = 'rejected' AND decided_by = ? AND decided_at >= ?",
          )
          .run(requestId, officialId, notBefore);
        if (done.changes !== 1) return false;
        appendAuditSync(this.db, this.clock.now(), audit);
        return true;
      })
      .immediate();
  }

  async securityOfficialEmails(organizationId: number): Promise<string[]> {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT u.email FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
            WHERE a.organization_id = ? AND r.security_official_kind IS NOT NULL AND u.status = 'active' ORDER BY u.email`,
        )
        .all(organizationId) as Array<{ email: string }>
    ).map((r) => r.email);
  }

  async cmsOfficialEmails(): Promise<string[]> {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT u.email FROM role_assignments a JOIN users u ON u.id = a.user_id
            WHERE a.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
              AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms') AND u.status = 'active' ORDER BY u.email`,
        )
        .all() as Array<{ email: string }>
    ).map((r) => r.email);
  }

  async securityOfficialCounts(organizationIds: readonly number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>(organizationIds.map((id) => [id, 0]));
    if (organizationIds.length === 0) return counts;
    const rows = this.db
      .prepare(
        // Seeks (organization, Security Official role) in role_assignments_org instead of reading
        // every assignment of a large organization.
        `SELECT a.organization_id AS id, count(DISTINCT a.user_id) AS n FROM role_assignments a
          WHERE a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)
            AND a.organization_id IN (${marks(organizationIds.length)}) GROUP BY a.organization_id`,
      )
      .all(...organizationIds) as Array<{ id: number; n: number }>;
    for (const r of rows) counts.set(r.id, r.n);
    return counts;
  }

  async rolesOf(userId: number, organizationIds: readonly number[] | 'all'): Promise<Array<{ program: string; organization: OrganizationRow; role: string }>> {
    const limited = organizationIds !== 'all';
    if (limited && organizationIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT p.name AS program, o.id, o.display_id AS displayId, o.name, o.kind, r.name AS role
           FROM role_assignments a JOIN programs p ON p.id = a.program_id JOIN organizations o ON o.id = a.organization_id JOIN roles r ON r.id = a.role_id
          WHERE a.user_id = ?${limited ? ` AND a.organization_id IN (${marks(organizationIds.length)})` : ''}
          ORDER BY o.name, p.name, r.name`,
      )
      .all(userId, ...(limited ? organizationIds : [])) as Array<OrganizationRow & { program: string; role: string }>;
    return rows.map(({ program, role, ...organization }) => ({ program, role, organization }));
  }

  async requesterProfile(userId: number): Promise<RequesterProfile | null> {
    return (
      (this.db
        .prepare(
          `SELECT user_id AS userId, first_name AS firstName, last_name AS lastName, email, phone, status,
                  proofing_state AS proofingState, last_sign_in_at AS lastSignInAt FROM users WHERE id = ?`,
        )
        .get(userId) as RequesterProfile | undefined) ?? null
    );
  }
}

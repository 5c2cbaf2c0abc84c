import { NO_AUTHORITY, holdsAuthority } from './authority.js';
import { fillSlots } from './slots.js';
import type { Slotted } from './slots.js';
import type { OrganizationKind, ProofingState, UserStatus } from '../../shared/domain.js';
import type { OutboxDraft } from './outbox-rows.js';
import type { SqlValue } from './sql.js';
import type { StoreContext } from './store-context.js';
import type { AuditDraft } from './types.js';

/** Whose users an official may see: one program, and some organizations or all of them (CMS). */
export interface LookupScope {
  programId: number;
  organizationIds: readonly number[] | 'all';
}

/** The position of a row in name order; a keyset cursor carries one. */
export interface NameKey {
  lastName: string;
  firstName: string;
  id: number;
}

export type Direction = 'asc' | 'desc';

export interface LookupUser extends NameKey {
  userId: string;
  email: string;
  status: UserStatus;
  lockedUntil: number | null;
  phone: string;
  proofingState: ProofingState;
}

export interface ProfileRecord {
  id: number;
  userId: string;
  firstName: string;
  middleName: string;
  lastName: string;
  dateOfBirth: string | null;
  email: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  status: UserStatus;
  lockedUntil: number | null;
  proofingState: ProofingState;
  credentialCount: number;
  lastSignInAt: number | null;
  mustChangePassword: boolean;
}

export interface AssignmentRecord {
  id: number;
  /** The request that granted it, if one did. */
  requestId: number | null;
  program: string;
  programId: number;
  organization: { id: number; displayId: string; name: string; kind: OrganizationKind };
  role: string;
  roleId: number;
  securityOfficialKind: OrganizationKind | null;
}

/** What an account action writes to the user's row; absent fields stay as they are. */
export interface AccountChange {
  status?: UserStatus;
  passwordHash?: string;
  mustChangePassword?: boolean;
  temporaryPasswordExpiresAt?: number | null;
  /** Clears failed attempts, temporary locks and the lock time. */
  clearLocks?: boolean;
  reactivatedAt?: number;
  /** Unlinks every two-factor credential of the user. */
  removeCredentials?: boolean;
}

export interface NewAccount {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  passwordHash: string;
  temporaryPasswordExpiresAt: number;
  organizationId: number;
  programId: number;
  roleId: number;
  /** The official creating the account. */
  createdBy: number;
}

/** The queries behind User Lookup, the profile, role removal and the account actions. */
export interface UserAdminStore {
  /**
   * One page in name order after `after`, `limit` distinct users at most: everyone in scope, or
   * (with `lastNamePrefix`) those whose last name starts with it, without case.
   */
  browse(scope: LookupScope, after: NameKey | null, direction: Direction, limit: number, lastNamePrefix?: string): Promise<LookupUser[]>;
  /**
   * How many distinct users the scope holds: exactly from the program's counter for All, else
   * counted no further than `cap` + 1 (a large organization is never recounted row by row), with
   * `more` set when there are more than `cap`, and then `n` is `cap`.
   */
  count(scope: LookupScope, cap: number): Promise<{ n: number; more: boolean }>;
  /** How many users in scope have a last name starting with `prefix`, counting no further than `cap`. */
  countLastNamePrefix(scope: LookupScope, prefix: string, cap: number): Promise<number>;
  /**
   * Users in scope whose first name, user ID or email starts with `prefix` (no case): at most
   * `cap` of each kind, and whether any kind had more.
   */
  otherPrefixMatches(scope: LookupScope, prefix: string, cap: number): Promise<{ users: LookupUser[]; truncated: boolean }>;
  /** The user whose user ID or email is exactly `term` (no case), if in scope. */
  exactMatches(scope: LookupScope, term: string): Promise<LookupUser[]>;
  /**
   * A search's reads in one call: its exact matches; its other prefix matches (`matchCap` of each
   * kind); its last-name matches after `after`, `limit` of them and as many more as there are
   * exact matches (which a page leaves out of its name-ordered rest); and, when `countCap` is
   * given, how many last names match, counted no further than it.
   */
  searchReads(
    scope: LookupScope,
    query: string,
    after: NameKey | null,
    direction: Direction,
    limit: number,
    matchCap: number,
    countCap: number | null,
  ): Promise<SearchReads>;
  /** Whether the user holds a role or has a request in one of these organizations (any program). */
  isInOrganizations(userRowId: number, organizationIds: readonly number[] | 'all'): Promise<boolean>;
  /** The organizations a user is tied to: a role or a pending request there. */
  tiedOrganizations(userRowId: number): Promise<number[]>;
  profile(userRowId: number): Promise<ProfileRecord | null>;
  assignments(userRowId: number): Promise<AssignmentRecord[]>;
  /** Distinct Security Officials of an organization. */
  securityOfficialCount(organizationId: number): Promise<number>;
  /**
   * Removes one assignment with its audit row and email; false if it was already gone. With
   * `keepAnOfficialIn`, 'last' (and nothing removed) if that organization would be left without a
   * Security Official: another official may have removed one since the service counted them.
   */
  removeAssignment(
    officialId: number,
    assignmentId: number,
    audit: AuditDraft[],
    outbox: OutboxDraft[],
    keepAnOfficialIn?: number | null,
  ): Promise<boolean | 'last' | typeof NO_AUTHORITY>;
  /**
   * Applies an account action, only while the account is in one of `fromStatuses`; false otherwise.
   * `by` is the official acting (who must still administer every organization the person is tied
   * to: else NO_AUTHORITY and nothing written), or 'self' for the account holder's own change.
   */
  changeAccount(
    by: number | 'self',
    userRowId: number,
    fromStatuses: readonly UserStatus[],
    change: AccountChange,
    audit: AuditDraft[],
    outbox?: OutboxDraft[],
  ): Promise<boolean | typeof NO_AUTHORITY>;
  /** Creates a pending account and files its first role request; says which of user ID or email is taken. */
  createAccount(
    account: NewAccount,
    audit: Slotted<AuditDraft[]>,
    outbox: Slotted<OutboxDraft[]>,
  ): Promise<{ userRowId: number; requestId: number } | 'userId' | 'email' | typeof NO_AUTHORITY>;
  /** The highest user row id (the inactivity check walks ids in ranges up to it). */
  maxUserId(): Promise<number>;
  /** Active accounts with ids in (afterId, throughId] not used since `cutoff`. */
  inactiveBetween(cutoff: number, afterId: number, throughId: number): Promise<number[]>;
  /** Deactivates those still active and still unused since `cutoff`; returns how many. */
  /** `audit`'s slot `userRowId` is each deactivated account's row id. */
  deactivateInactive(ids: readonly number[], cutoff: number, audit: Slotted<AuditDraft>): Promise<number>;
}

const USER_FIELDS = `u.id, u.user_id AS "userId", u.first_name AS "firstName", u.last_name AS "lastName", u.email, u.status,
  u.locked_until AS "lockedUntil", u.phone, u.proofing_state AS "proofingState"`;

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');
/** A bound above every string that starts with the prefix, under NOCASE. */
const PREFIX_END = '\u{10FFFF}';
/**
 * At most this many of one read's statements at a time (per organization, for an official of
 * several): one search must not take every pooled connection from the other officials' calls.
 */
const READS_AT_ONCE = 3;

async function inGroups<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += READS_AT_ONCE) out.push(...(await Promise.all(items.slice(i, i + READS_AT_ONCE).map(read))));
  return out;
}

/** Up to this many organizations, a page is merged from one index range per organization. */
const MERGE_LIMIT = 40;

/**
 * Name order exactly as SQLite's NOCASE indexes keep it (last name, first name, then id):
 * NOCASE folds only A-Z, then compares UTF-8 bytes, so a merge in JavaScript and a keyset in
 * SQL never disagree, whatever the alphabet.
 */
export function compareNames(a: NameKey, b: NameKey): number {
  return compareNocase(a.lastName, b.lastName) || compareNocase(a.firstName, b.firstName) || a.id - b.id;
}

function compareNocase(a: string, b: string): number {
  // Unit by unit, without encoding: a page's merge sorts hundreds of names, and encoding each
  // to UTF-8 for every comparison cost a millisecond per search. UTF-8 bytes order as code
  // points do; UTF-16 units do too, except that a surrogate (half of a code point above U+FFFF)
  // must sort after every other unit.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = foldUnit(a.charCodeAt(i));
    const y = foldUnit(b.charCodeAt(i));
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

function foldUnit(unit: number): number {
  if (unit >= 0x41 && unit <= 0x5a) return unit + 0x20;
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

export interface SearchReads {
  exact: LookupUser[];
  others: { users: LookupUser[]; truncated: boolean };
  lastNames: LookupUser[];
  /** How many last-name matches were asked for: all of them came when `lastNames` is this long. */
  lastNamesAsked: number;
  lastNameCount: number | null;
}

export class SqlUserAdminStore implements UserAdminStore {
  constructor(private readonly ctx: StoreContext) {}

  async browse(scope: LookupScope, after: NameKey | null, direction: Direction, limit: number, lastNamePrefix?: string): Promise<LookupUser[]> {
    const orgs: ReadonlyArray<number | null> = scope.organizationIds === 'all' ? [null] : scope.organizationIds;
    if (orgs.length === 0) return [];
    if (orgs.length > MERGE_LIMIT) return this.browseMany(scope.programId, orgs as number[], after, direction, limit, lastNamePrefix);
    // One index range per organization (each already in name order; for All, one range of the
    // program), read at once and merged; a user of several organizations appears once. Each
    // range is read until it gives `limit` distinct users, so the merge is never short.
    const ranges = await inGroups(orgs, async (org) => {
      const users = new Map<number, LookupUser>();
      let key = after;
      for (;;) {
        const rows = await this.nameRange(scope.programId, org, key, direction, limit, lastNamePrefix);
        for (const row of rows) users.set(row.id, row);
        const last = rows[rows.length - 1];
        if (rows.length < limit || !last || users.size >= limit) return users.values();
        key = last;
      }
    });
    const merged = new Map<number, LookupUser>();
    for (const range of ranges) for (const u of range) merged.set(u.id, u);
    return [...merged.values()].sort((a, b) => (direction === 'asc' ? compareNames(a, b) : compareNames(b, a))).slice(0, limit);
  }

  async count(scope: LookupScope, cap: number): Promise<{ n: number; more: boolean }> {
    if (scope.organizationIds === 'all') {
      const n = (await this.ctx.db.get<{ n: number }>('SELECT coalesce((SELECT n FROM program_user_counts WHERE program_id = ?), 0) AS n', [scope.programId]))!
        .n;
      return { n, more: false };
    }
    const orgs = scope.organizationIds;
    if (orgs.length === 0) return { n: 0, more: false };
    // No counter per organization: read at most cap + 1 directory entries of the range, which
    // is enough to tell "exactly n" from "more than cap" (one row per user in one organization).
    const sql =
      orgs.length === 1
        ? 'SELECT count(*) AS n FROM (SELECT 1 AS one FROM user_directory WHERE program_id = ? AND organization_id = ? LIMIT ?) capped'
        : `SELECT count(*) AS n FROM (SELECT DISTINCT user_id FROM user_directory WHERE program_id = ? AND organization_id IN (${marks(orgs.length)}) LIMIT ?) capped`;
    const n = (await this.ctx.db.get<{ n: number }>(sql, [scope.programId, ...orgs, cap + 1]))!.n;
    return n > cap ? { n: cap, more: true } : { n, more: false };
  }

  async countLastNamePrefix(scope: LookupScope, prefix: string, cap: number): Promise<number> {
    const orgs = scope.organizationIds;
    if (orgs !== 'all' && orgs.length === 0) return 0;
    const inOrgs = orgs === 'all' ? '' : ` AND organization_id IN (${marks(orgs.length)})`;
    const row = await this.ctx.db.get<{ n: number }>(
      `SELECT count(DISTINCT user_id) AS n FROM (SELECT user_id FROM user_directory
        WHERE program_id = ?${inOrgs} AND last_name >= ? AND last_name < ? LIMIT ?) capped`,
      [scope.programId, ...(orgs === 'all' ? [] : orgs), prefix, `${prefix}${PREFIX_END}`, cap],
    );
    return row!.n;
  }

  async otherPrefixMatches(scope: LookupScope, prefix: string, cap: number): Promise<{ users: LookupUser[]; truncated: boolean }> {
    const lo = prefix;
    const hi = `${prefix}${PREFIX_END}`;
    const member = this.memberClause(scope);
    const orgs: ReadonlyArray<number | null> = scope.organizationIds === 'all' ? [null] : scope.organizationIds;
    // Every kind of match at once (on PostgreSQL, one round trip where there were three in a
    // row); ids from the indexes, then the users once.
    // User ID and email: their unique indexes, then membership.
    const prefixOf = (column: 'user_id' | 'email') =>
      this.ctx.db.all<{ id: number }>(
        `SELECT u.id FROM users u WHERE u.${column} >= ? COLLATE NOCASE AND u.${column} < ? COLLATE NOCASE AND ${member.sql} LIMIT ?`,
        [lo, hi, ...member.params, cap + 1],
      );
    const [byUserId, byEmail, byFirstName] = await Promise.all([
      prefixOf('user_id'),
      prefixOf('email'),
      // First names: the directory's first-name indexes, per organization or for the program.
      inGroups(orgs, (org) =>
        this.ctx.db.all<{ id: number }>(
          `SELECT DISTINCT user_id AS id FROM (SELECT user_id FROM user_directory
            WHERE program_id = ?${org === null ? '' : ' AND organization_id = ?'} AND first_name >= ? AND first_name < ? LIMIT ?) capped`,
          [scope.programId, ...(org === null ? [] : [org]), lo, hi, cap + 1],
        ),
      ),
    ]);
    const ids = new Set<number>();
    let truncated = false;
    for (const rows of [byUserId, byEmail, ...byFirstName]) {
      if (rows.length > cap) truncated = true;
      for (const row of rows.slice(0, cap)) ids.add(row.id);
    }
    return { users: await this.usersByIds([...ids]), truncated };
  }

  async exactMatches(scope: LookupScope, term: string): Promise<LookupUser[]> {
    const member = this.memberClause(scope);
    return this.ctx.db.all<LookupUser>(
      `SELECT ${USER_FIELDS} FROM users u WHERE u.id IN (
         SELECT id FROM users WHERE user_id = ? COLLATE NOCASE UNION SELECT id FROM users WHERE email = ? COLLATE NOCASE
       ) AND ${member.sql} ORDER BY u.id`,
      [term, term, ...member.params],
    );
  }

  async searchReads(
    scope: LookupScope,
    query: string,
    after: NameKey | null,
    direction: Direction,
    limit: number,
    matchCap: number,
    countCap: number | null,
  ): Promise<SearchReads> {
    // One call where the service made four, its reads all at once: each call from the console
    // crosses to the database thread and back, and each read is a round trip to PostgreSQL,
    // which cost more than an exact match's own query. The last names asked for cover the exact
    // matches the page leaves out of them, of which there are at most two (a user ID and an
    // email, each unique).
    const lastNamesAsked = limit + 2;
    const [exact, others, lastNames, lastNameCount] = await Promise.all([
      this.exactMatches(scope, query),
      this.otherPrefixMatches(scope, query, matchCap),
      this.browse(scope, after, direction, lastNamesAsked, query),
      countCap === null ? null : this.countLastNamePrefix(scope, query, countCap),
    ]);
    return { exact, others, lastNames, lastNamesAsked, lastNameCount };
  }

  async isInOrganizations(userRowId: number, organizationIds: readonly number[] | 'all'): Promise<boolean> {
    if (organizationIds === 'all') return (await this.ctx.db.get('SELECT 1 AS found FROM user_directory WHERE user_id = ? LIMIT 1', [userRowId])) !== undefined;
    if (organizationIds.length === 0) return false;
    const row = await this.ctx.db.get(
      `SELECT 1 AS found FROM user_directory WHERE user_id = ? AND organization_id IN (${marks(organizationIds.length)}) LIMIT 1`,
      [userRowId, ...organizationIds],
    );
    return row !== undefined;
  }

  async tiedOrganizations(userRowId: number): Promise<number[]> {
    const rows = await this.ctx.db.all<{ id: number }>('SELECT DISTINCT organization_id AS id FROM user_directory WHERE user_id = ? ORDER BY organization_id', [
      userRowId,
    ]);
    return rows.map((r) => r.id);
  }

  async profile(userRowId: number): Promise<ProfileRecord | null> {
    const row = await this.ctx.db.get<Omit<ProfileRecord, 'mustChangePassword'> & { mustChangePassword: number }>(
      `SELECT u.id, u.user_id AS "userId", u.first_name AS "firstName", u.middle_name AS "middleName", u.last_name AS "lastName",
              u.date_of_birth AS "dateOfBirth", u.email, u.phone, u.address_line1 AS "addressLine1", u.address_line2 AS "addressLine2",
              u.city, u.state, u.zip, u.country, u.status, u.locked_until AS "lockedUntil", u.proofing_state AS "proofingState",
              (SELECT count(*) FROM mfa_credentials c WHERE c.user_id = u.id) AS "credentialCount",
              u.last_sign_in_at AS "lastSignInAt", u.must_change_password AS "mustChangePassword"
         FROM users u WHERE u.id = ?`,
      [userRowId],
    );
    return row ? { ...row, mustChangePassword: row.mustChangePassword === 1 } : null;
  }

  async assignments(userRowId: number): Promise<AssignmentRecord[]> {
    const rows = await this.ctx.db.all<
      Omit<AssignmentRecord, 'organization'> & { orgId: number; orgDisplayId: string; orgName: string; orgKind: OrganizationKind }
    >(
      `SELECT a.id, a.request_id AS "requestId", p.name AS program, p.id AS "programId", o.id AS "orgId", o.display_id AS "orgDisplayId",
              o.name AS "orgName", o.kind AS "orgKind", r.name AS role, r.id AS "roleId", r.security_official_kind AS "securityOfficialKind"
         FROM role_assignments a JOIN programs p ON p.id = a.program_id JOIN organizations o ON o.id = a.organization_id JOIN roles r ON r.id = a.role_id
        WHERE a.user_id = ? ORDER BY p.name, o.name, r.name, a.id`,
      [userRowId],
    );
    return rows.map(({ orgId, orgDisplayId, orgName, orgKind, ...rest }) => ({
      ...rest,
      organization: { id: orgId, displayId: orgDisplayId, name: orgName, kind: orgKind },
    }));
  }

  async securityOfficialCount(organizationId: number): Promise<number> {
    const row = await this.ctx.db.get<{ n: number }>(
      `SELECT count(DISTINCT a.user_id) AS n FROM role_assignments a
        WHERE a.organization_id = ? AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL)`,
      [organizationId],
    );
    return row!.n;
  }

  async removeAssignment(
    officialId: number,
    assignmentId: number,
    audit: AuditDraft[],
    outbox: OutboxDraft[],
    keepAnOfficialIn: number | null = null,
  ): Promise<boolean | 'last' | typeof NO_AUTHORITY> {
    try {
      return await this.ctx.db.transaction(async (tx): Promise<boolean | typeof NO_AUTHORITY> => {
        const assignment = await tx.get<{ organizationId: number }>('SELECT organization_id AS "organizationId" FROM role_assignments WHERE id = ?', [
          assignmentId,
        ]);
        if (assignment === undefined) return false;
        if (!(await holdsAuthority(tx, { officialId, over: 'organization', organizationId: assignment.organizationId }))) return NO_AUTHORITY;
        if ((await tx.run('DELETE FROM role_assignments WHERE id = ?', [assignmentId])).changes !== 1) return false;
        if (keepAnOfficialIn !== null) {
          // Counted again inside the removal: another official may have removed one since the
          // service counted (on PostgreSQL, the loser of that race runs again and sees it).
          const left = await tx.get<{ found: number }>(
            `SELECT 1 AS found FROM role_assignments a
              WHERE a.organization_id = ? AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL) LIMIT 1`,
            [keepAnOfficialIn],
          );
          if (left === undefined) throw new LastOfficialRemoved();
        }
        await this.ctx.appendAudit(tx, audit);
        await this.ctx.queueEmail(tx, outbox);
        return true;
      });
    } catch (error) {
      if (error instanceof LastOfficialRemoved) return 'last';
      throw error;
    }
  }

  async changeAccount(
    by: number | 'self',
    userRowId: number,
    fromStatuses: readonly UserStatus[],
    change: AccountChange,
    audit: AuditDraft[],
    outbox: OutboxDraft[] = [],
  ): Promise<boolean | typeof NO_AUTHORITY> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    const set = (column: string, value: string | number | null) => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (change.status !== undefined) set('status', change.status);
    // When it happened: a CMS official deactivated lately still counts for dual control.
    if (change.status === 'deactivated') set('deactivated_at', this.ctx.clock.now());
    if (change.passwordHash !== undefined) set('password_hash', change.passwordHash);
    if (change.mustChangePassword !== undefined) set('must_change_password', change.mustChangePassword ? 1 : 0);
    if (change.temporaryPasswordExpiresAt !== undefined) set('temporary_password_expires_at', change.temporaryPasswordExpiresAt);
    if (change.reactivatedAt !== undefined) set('reactivated_at', change.reactivatedAt);
    if (change.clearLocks) sets.push('failed_attempts = 0', 'temporary_lock_count = 0', 'locked_until = NULL');
    if (sets.length === 0) throw new Error('An account change must change something');
    // No status to change from: nothing can match (and PostgreSQL refuses an empty IN list).
    if (fromStatuses.length === 0) return false;
    return this.ctx.db.transaction(async (tx): Promise<boolean | typeof NO_AUTHORITY> => {
      if (by !== 'self' && !(await holdsAuthority(tx, { officialId: by, over: 'account', userRowId }))) return NO_AUTHORITY;
      const updated = await tx.run(`UPDATE users SET ${sets.join(', ')} WHERE id = ? AND status IN (${marks(fromStatuses.length)})`, [
        ...params,
        userRowId,
        ...fromStatuses,
      ]);
      if (updated.changes !== 1) return false;
      if (change.removeCredentials) await tx.run('DELETE FROM mfa_credentials WHERE user_id = ?', [userRowId]);
      await this.ctx.appendAudit(tx, audit);
      await this.ctx.queueEmail(tx, outbox);
      return true;
    });
  }

  async createAccount(
    account: NewAccount,
    audit: Slotted<AuditDraft[]>,
    outbox: Slotted<OutboxDraft[]>,
  ): Promise<{ userRowId: number; requestId: number } | 'userId' | 'email' | typeof NO_AUTHORITY> {
    return this.ctx.db.transaction(async (tx): Promise<{ userRowId: number; requestId: number } | 'userId' | 'email' | typeof NO_AUTHORITY> => {
      // Its creator must still administer the organization the account is made for.
      if (!(await holdsAuthority(tx, { officialId: account.createdBy, over: 'organization', organizationId: account.organizationId }))) return NO_AUTHORITY;
      // Checked first, not caught: on PostgreSQL a refused insert would abort the transaction (and
      // a concurrent creation of the same name loses as a serialization failure, then runs again).
      if (await tx.get('SELECT 1 AS found FROM users WHERE user_id = ? COLLATE NOCASE', [account.userId])) return 'userId';
      if (await tx.get('SELECT 1 AS found FROM users WHERE email = ? COLLATE NOCASE', [account.email])) return 'email';
      const now = this.ctx.clock.now();
      const user = await tx.get<{ id: number }>(
        `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, must_change_password, temporary_password_expires_at,
                            created_at, proofing_state, home_organization_id, created_by)
         VALUES (?, ?, ?, ?, 'pending', ?, 1, ?, ?, 'not_started', ?, ?) RETURNING id`,
        [
          account.userId,
          account.firstName,
          account.lastName,
          account.email,
          account.passwordHash,
          account.temporaryPasswordExpiresAt,
          now,
          account.organizationId,
          account.createdBy,
        ],
      );
      const userRowId = user!.id;
      const request = await tx.get<{ id: number }>(
        "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at) VALUES (?, ?, ?, ?, ?, 'pending', ?) RETURNING id",
        [userRowId, account.programId, account.organizationId, account.roleId, 'Filed by a Security Official when the account was created', now],
      );
      const requestId = request!.id;
      await this.ctx.appendAudit(tx, fillSlots<AuditDraft[]>(audit, { userRowId, requestId }));
      await this.ctx.queueEmail(tx, fillSlots<OutboxDraft[]>(outbox, { userRowId, requestId }));
      return { userRowId, requestId };
    });
  }

  async maxUserId(): Promise<number> {
    return (await this.ctx.db.get<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM users'))!.n;
  }

  async inactiveBetween(cutoff: number, afterId: number, throughId: number): Promise<number[]> {
    const rows = await this.ctx.db.all<{ id: number }>(
      `SELECT id FROM users WHERE id > ? AND id <= ? AND status = 'active'
          AND max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)) < ? ORDER BY id`,
      [afterId, throughId, cutoff],
    );
    return rows.map((r) => r.id);
  }

  async deactivateInactive(ids: readonly number[], cutoff: number, audit: Slotted<AuditDraft>): Promise<number> {
    if (ids.length === 0) return 0;
    return this.ctx.db.transaction(async (tx): Promise<number> => {
      const now = this.ctx.clock.now();
      // Built afresh in each run of the transaction: PostgreSQL may run it again after a lost race.
      const events: AuditDraft[] = [];
      for (const id of ids) {
        const updated = await tx.run(
          `UPDATE users SET status = 'deactivated', deactivated_at = ? WHERE id = ? AND status = 'active'
              AND max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)) < ?`,
          [now, id, cutoff],
        );
        if (updated.changes === 1) events.push(fillSlots<AuditDraft>(audit, { userRowId: id }));
      }
      await this.ctx.appendAudit(tx, events);
      return events.length;
    });
  }

  /**
   * The users of one directory range (an organization's, or with org null the whole program's), in
   * order, read whole in the same statement: a second read of their rows would be a second round
   * trip on every page.
   */
  private nameRange(
    programId: number,
    org: number | null,
    after: NameKey | null,
    direction: Direction,
    limit: number,
    lastNamePrefix?: string,
  ): Promise<LookupUser[]> {
    const op = direction === 'asc' ? '>' : '<';
    const order = direction === 'asc' ? 'ASC' : 'DESC';
    const where = ['d.program_id = ?'];
    const params: SqlValue[] = [programId];
    if (org !== null) {
      where.push('d.organization_id = ?');
      params.push(org);
    }
    if (lastNamePrefix !== undefined) {
      where.push('d.last_name >= ?', 'd.last_name < ?');
      params.push(lastNamePrefix, `${lastNamePrefix}${PREFIX_END}`);
    }
    if (after) {
      where.push(`(d.last_name, d.first_name, d.user_id) ${op} (?, ?, ?)`);
      params.push(after.lastName, after.firstName, after.id);
    }
    return this.ctx.db.all<LookupUser>(
      `SELECT ${USER_FIELDS} FROM user_directory d JOIN users u ON u.id = d.user_id
        WHERE ${where.join(' AND ')} ORDER BY d.last_name ${order}, d.first_name ${order}, d.user_id ${order} LIMIT ?`,
      [...params, limit],
    );
  }

  /** An official of very many organizations: one query over all of them, sorted by the database. */
  private browseMany(
    programId: number,
    orgs: readonly number[],
    after: NameKey | null,
    direction: Direction,
    limit: number,
    lastNamePrefix?: string,
  ): Promise<LookupUser[]> {
    const op = direction === 'asc' ? '>' : '<';
    const order = direction === 'asc' ? 'ASC' : 'DESC';
    const prefix = lastNamePrefix === undefined ? '' : ' AND u.last_name >= ? COLLATE NOCASE AND u.last_name < ? COLLATE NOCASE';
    const keyset = after ? ` AND (u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id) ${op} (?, ?, ?)` : '';
    return this.ctx.db.all<LookupUser>(
      `SELECT ${USER_FIELDS} FROM users u
        WHERE u.id IN (SELECT d.user_id FROM user_directory d WHERE d.program_id = ? AND d.organization_id IN (${marks(orgs.length)}))${prefix}${keyset}
        ORDER BY u.last_name COLLATE NOCASE ${order}, u.first_name COLLATE NOCASE ${order}, u.id ${order} LIMIT ?`,
      [
        programId,
        ...orgs,
        ...(lastNamePrefix === undefined ? [] : [lastNamePrefix, `${lastNamePrefix}${PREFIX_END}`]),
        ...(after ? [after.lastName, after.firstName, after.id] : []),
        limit,
      ],
    );
  }

  /** Membership of the scope, as a condition on users aliased `u`. */
  private memberClause(scope: LookupScope): { sql: string; params: number[] } {
    if (scope.organizationIds === 'all') {
      return { sql: 'EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = u.id AND d.program_id = ?)', params: [scope.programId] };
    }
    const orgs = scope.organizationIds.length > 0 ? scope.organizationIds : [-1];
    return {
      sql: `EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = u.id AND d.program_id = ? AND d.organization_id IN (${marks(orgs.length)}))`,
      params: [scope.programId, ...orgs],
    };
  }

  private async usersByIds(ids: number[]): Promise<LookupUser[]> {
    const out: LookupUser[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const slice = ids.slice(i, i + 500);
      out.push(...(await this.ctx.db.all<LookupUser>(`SELECT ${USER_FIELDS} FROM users u WHERE u.id IN (${marks(slice.length)}) ORDER BY u.id`, slice)));
    }
    return out;
  }
}

/** Thrown inside removeAssignment's transaction to roll the removal back. */
class LastOfficialRemoved extends Error {}

import { NO_AUTHORITY, holdsAuthority } from './authority.js';
import type { FsidState } from '../../shared/ipc/contract.js';
import type { OutboxDraft } from './outbox-rows.js';
import { SqlError, type SqlValue } from './sql.js';
import type { StoreContext } from './store-context.js';
import type { AuditDraft } from './types.js';

export interface FsidRecord {
  id: number;
  userId: string;
  firstName: string;
  lastName: string;
  fsid: string | null;
  fsidState: FsidState | null;
  /** The user's roles in the searched organizations. */
  roles: string[];
}

/** Where a page of the FSID search starts: after this row, in the list's order (last name, first name, row id). */
export interface FsidKey {
  lastName: string;
  firstName: string;
  id: number;
}

export interface FsidSearch {
  organizationIds: readonly number[];
  query: string;
  roles: readonly string[];
  pendingOnly: boolean;
  /** Keyset paging: the last row of the previous page, or null for the first page. */
  after: FsidKey | null;
  limit: number;
}

/** Federal Surveyor IDs of the users of a state's organizations (iQIES job aid, section 6). */
export interface FsidStore {
  /** A page of the search; `more` when rows follow it. */
  search(search: FsidSearch): Promise<{ rows: FsidRecord[]; total: number; more: boolean }>;
  /** The user's FSID as a row over these organizations, or null when they are not a member of any. */
  row(userRowId: number, organizationIds: readonly number[]): Promise<FsidRecord | null>;
  /**
   * Sets (or replaces) an FSID, pending verification; 'taken' if another user has it. Each of these
   * three writes is by a State Security Official of one of the user's state agencies, asked again
   * as it writes: NO_AUTHORITY, and nothing written, when they no longer are.
   */
  save(officialId: number, userRowId: number, fsid: string, audit: AuditDraft[]): Promise<'saved' | 'taken' | typeof NO_AUTHORITY>;
  /** Verifies a pending FSID; false if it was not pending (any more). */
  verify(officialId: number, userRowId: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY>;
  /** Removes an FSID and its state; false if there was none. */
  remove(officialId: number, userRowId: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY>;
  /**
   * The state organizations whose officials handle a user's FSID: state agencies the user
   * belongs to, or else the state agency of their home organization's state.
   */
  stateOrganizationsOf(userRowId: number): Promise<number[]>;
  /** A user's own FSID and its state. */
  own(userRowId: number): Promise<{ fsid: string | null; fsidState: FsidState | null }>;
  /** A user's own request for an FSID; false if they already have or asked for one. */
  request(userRowId: number, audit: AuditDraft[], outbox: OutboxDraft[]): Promise<boolean>;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');
const PREFIX_END = '\u{10FFFF}';
const ROW_COLUMNS = 'u.id, u.user_id AS "userId", u.first_name AS "firstName", u.last_name AS "lastName", u.fsid, u.fsid_state AS "fsidState"';

/** Rolls back a save whose FSID another user's committed save took after this one looked. */
class FsidTaken extends Error {}

/** A unique index refused the statement (one of the user's unique columns: the FSID in an UPDATE that only sets it). */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof SqlError && (error.code === '23505' || error.code === 'SQLITE_CONSTRAINT_UNIQUE');
}

export class SqlFsidStore implements FsidStore {
  constructor(private readonly ctx: StoreContext) {}

  async search(s: FsidSearch): Promise<{ rows: FsidRecord[]; total: number; more: boolean }> {
    if (s.organizationIds.length === 0) return { rows: [], total: 0, more: false };
    const where: string[] = [`u.id IN (SELECT user_id FROM user_directory WHERE organization_id IN (${marks(s.organizationIds.length)}))`];
    const params: SqlValue[] = [...s.organizationIds];
    const query = s.query.trim();
    if (query !== '') {
      // "Enter first and/or last name, employee ID, or federal surveyor ID".
      // Prefix ranges, not LIKE: they read the name indexes, and NOCASE folds ASCII alike on both engines.
      const words = query.split(/\s+/).filter(Boolean);
      if (words.length >= 2) {
        where.push(
          '(u.first_name >= ? COLLATE NOCASE AND u.first_name < ? COLLATE NOCASE AND u.last_name >= ? COLLATE NOCASE AND u.last_name < ? COLLATE NOCASE)',
        );
        params.push(words[0] as string, `${words[0]}${PREFIX_END}`, words[1] as string, `${words[1]}${PREFIX_END}`);
      } else {
        const hi = `${query}${PREFIX_END}`;
        where.push(
          `((u.first_name >= ? COLLATE NOCASE AND u.first_name < ? COLLATE NOCASE) OR (u.last_name >= ? COLLATE NOCASE AND u.last_name < ? COLLATE NOCASE)
            OR (u.user_id >= ? COLLATE NOCASE AND u.user_id < ? COLLATE NOCASE) OR u.fsid = ? COLLATE NOCASE)`,
        );
        params.push(query, hi, query, hi, query, hi, query);
      }
    }
    if (s.roles.length > 0) {
      where.push(
        `EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id WHERE a.user_id = u.id AND a.organization_id IN (${marks(s.organizationIds.length)}) AND r.name IN (${marks(s.roles.length)}))`,
      );
      params.push(...s.organizationIds, ...s.roles);
    }
    // Job aid 6.3: "Show only users pending Federal Surveyor ID verification" lists a missing or pending FSID.
    if (s.pendingOnly) where.push("u.fsid_state IN ('requested', 'pending')");
    const sql = where.join(' AND ');
    const total = (await this.ctx.db.get<{ n: number }>(`SELECT count(*) AS n FROM users u WHERE ${sql}`, params))?.n ?? 0;
    // Keyset, in the order of the users_last_name index: a page costs the same however deep it is,
    // and rows added or removed meanwhile never repeat or skip one. The id breaks ties on the name.
    const keyset = s.after
      ? ` AND (u.last_name > ? COLLATE NOCASE OR (u.last_name = ? COLLATE NOCASE AND (u.first_name > ? COLLATE NOCASE
            OR (u.first_name = ? COLLATE NOCASE AND u.id > ?))))`
      : '';
    const keyParams = s.after ? [s.after.lastName, s.after.lastName, s.after.firstName, s.after.firstName, s.after.id] : [];
    const rows = await this.ctx.db.all<Omit<FsidRecord, 'roles'>>(
      `SELECT ${ROW_COLUMNS} FROM users u WHERE ${sql}${keyset} ORDER BY u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id LIMIT ?`,
      [...params, ...keyParams, s.limit + 1],
    );
    const page = rows.slice(0, s.limit);
    const roles = await this.rolesIn(
      page.map((r) => r.id),
      s.organizationIds,
    );
    return { rows: page.map((r) => ({ ...r, roles: roles.get(r.id) ?? [] })), total, more: rows.length > s.limit };
  }

  async row(userRowId: number, organizationIds: readonly number[]): Promise<FsidRecord | null> {
    if (organizationIds.length === 0) return null;
    const row = await this.ctx.db.get<Omit<FsidRecord, 'roles'>>(
      `SELECT ${ROW_COLUMNS} FROM users u
        WHERE u.id = ? AND EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = u.id AND d.organization_id IN (${marks(organizationIds.length)}))`,
      [userRowId, ...organizationIds],
    );
    if (!row) return null;
    return { ...row, roles: (await this.rolesIn([row.id], organizationIds)).get(row.id) ?? [] };
  }

  async save(officialId: number, userRowId: number, fsid: string, audit: AuditDraft[]): Promise<'saved' | 'taken' | typeof NO_AUTHORITY> {
    try {
      return await this.ctx.db.transaction(async (tx): Promise<'saved' | 'taken' | typeof NO_AUTHORITY> => {
        if (!(await holdsAuthority(tx, { officialId, over: 'state', userRowId }))) return NO_AUTHORITY;
        // The look answers the common case; the unique index answers a save of the same FSID that
        // commits after this look (PostgreSQL runs saves side by side): this one then rolls back.
        if (await tx.get('SELECT 1 AS taken FROM users WHERE fsid = ? COLLATE NOCASE AND id <> ?', [fsid, userRowId])) return 'taken';
        try {
          await tx.run("UPDATE users SET fsid = ?, fsid_state = 'pending' WHERE id = ?", [fsid, userRowId]);
        } catch (error) {
          if (isUniqueViolation(error)) throw new FsidTaken();
          throw error;
        }
        await this.ctx.appendAudit(tx, audit);
        return 'saved';
      });
    } catch (error) {
      if (error instanceof FsidTaken) return 'taken';
      throw error;
    }
  }

  async verify(officialId: number, userRowId: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY> {
    return this.change(officialId, "UPDATE users SET fsid_state = 'verified' WHERE id = ? AND fsid_state = 'pending' AND fsid IS NOT NULL", userRowId, audit);
  }

  async remove(officialId: number, userRowId: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY> {
    return this.change(
      officialId,
      'UPDATE users SET fsid = NULL, fsid_state = NULL WHERE id = ? AND (fsid IS NOT NULL OR fsid_state IS NOT NULL)',
      userRowId,
      audit,
    );
  }

  async request(userRowId: number, audit: AuditDraft[], outbox: OutboxDraft[]): Promise<boolean> {
    return this.ctx.db.transaction(async (tx) => {
      const done = await tx.run("UPDATE users SET fsid_state = 'requested' WHERE id = ? AND fsid IS NULL AND fsid_state IS NULL", [userRowId]);
      if (done.changes !== 1) return false;
      await this.ctx.appendAudit(tx, audit);
      await this.ctx.queueEmail(tx, outbox);
      return true;
    });
  }

  async stateOrganizationsOf(userRowId: number): Promise<number[]> {
    const member = await this.ctx.db.all<{ id: number }>(
      `SELECT DISTINCT o.id FROM user_directory d JOIN organizations o ON o.id = d.organization_id
        WHERE d.user_id = ? AND o.kind = 'state' ORDER BY o.id`,
      [userRowId],
    );
    if (member.length > 0) return member.map((r) => r.id);
    return (
      await this.ctx.db.all<{ id: number }>(
        `SELECT s.id FROM users u JOIN organizations h ON h.id = u.home_organization_id
           JOIN organizations s ON s.kind = 'state' AND s.state_code = h.state_code
          WHERE u.id = ? ORDER BY s.id`,
        [userRowId],
      )
    ).map((r) => r.id);
  }

  async own(userRowId: number): Promise<{ fsid: string | null; fsidState: FsidState | null }> {
    return (
      (await this.ctx.db.get<{ fsid: string | null; fsidState: FsidState | null }>('SELECT fsid, fsid_state AS "fsidState" FROM users WHERE id = ?', [
        userRowId,
      ])) ?? { fsid: null, fsidState: null }
    );
  }

  private change(officialId: number, sql: string, userRowId: number, audit: AuditDraft[]): Promise<boolean | typeof NO_AUTHORITY> {
    return this.ctx.db.transaction(async (tx): Promise<boolean | typeof NO_AUTHORITY> => {
      if (!(await holdsAuthority(tx, { officialId, over: 'state', userRowId }))) return NO_AUTHORITY;
      if ((await tx.run(sql, [userRowId])).changes !== 1) return false;
      await this.ctx.appendAudit(tx, audit);
      return true;
    });
  }

  /** The roles of each of these users in these organizations, in one statement for a whole page. */
  private async rolesIn(userRowIds: readonly number[], organizationIds: readonly number[]): Promise<Map<number, string[]>> {
    const roles = new Map<number, string[]>();
    if (userRowIds.length === 0 || organizationIds.length === 0) return roles;
    const rows = await this.ctx.db.all<{ userRowId: number; name: string }>(
      `SELECT DISTINCT a.user_id AS "userRowId", r.name FROM role_assignments a JOIN roles r ON r.id = a.role_id
        WHERE a.user_id IN (${marks(userRowIds.length)}) AND a.organization_id IN (${marks(organizationIds.length)}) ORDER BY a.user_id, r.name`,
      [...userRowIds, ...organizationIds],
    );
    for (const r of rows) roles.set(r.userRowId, [...(roles.get(r.userRowId) ?? []), r.name]);
    return roles;
  }
}

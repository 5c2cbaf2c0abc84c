import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { FsidState } from '../../shared/ipc/contract.js';
import { appendAuditSync } from './audit-chain.js';
import { insertOutboxRowsSync } from './outbox-rows.js';
import type { OutboxDraft } from './outbox-rows.js';
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
  /** Sets (or replaces) an FSID, pending verification; 'taken' if another user has it. */
  save(userRowId: number, fsid: string, audit: AuditDraft[]): Promise<'saved' | 'taken'>;
  /** Verifies a pending FSID; false if it was not pending (any more). */
  verify(userRowId: number, audit: AuditDraft[]): Promise<boolean>;
  /** Removes an FSID and its state; false if there was none. */
  remove(userRowId: number, audit: AuditDraft[]): Promise<boolean>;
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

export class SqliteFsidStore implements FsidStore {
  constructor(
    readonly db: Database,
    readonly clock: Clock,
  ) {}

  async search(s: FsidSearch): Promise<{ rows: FsidRecord[]; total: number; more: boolean }> {
    if (s.organizationIds.length === 0) return { rows: [], total: 0, more: false };
    const where: string[] = [`u.id IN (SELECT user_id FROM user_directory WHERE organization_id IN (${marks(s.organizationIds.length)}))`];
    const params: Array<string | number> = [...s.organizationIds];
    const query = s.query.trim();
    if (query !== '') {
      // "Enter first and/or last name, employee ID, or federal surveyor ID".
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
            OR (u.user_id >= ? AND u.user_id < ?) OR u.fsid = ? COLLATE NOCASE)`,
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
    const total = (this.db.prepare(`SELECT count(*) AS n FROM users u WHERE ${sql}`).get(...params) as { n: number }).n;
    // Keyset, in the order of the users_last_name index: a page costs the same however deep it is,
    // and rows added or removed meanwhile never repeat or skip one. The id breaks ties on the name.
    const keyset = s.after
      ? ` AND (u.last_name > ? COLLATE NOCASE OR (u.last_name = ? COLLATE NOCASE AND (u.first_name > ? COLLATE NOCASE
            OR (u.first_name = ? COLLATE NOCASE AND u.id > ?))))`
      : '';
    const keyParams = s.after ? [s.after.lastName, s.after.lastName, s.after.firstName, s.after.firstName, s.after.id] : [];
    const rows = this.db
      .prepare(
        `SELECT u.id, u.user_id AS userId, u.first_name AS firstName, u.last_name AS lastName, u.fsid, u.fsid_state AS fsidState
           FROM users u WHERE ${sql}${keyset} ORDER BY u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id LIMIT ?`,
      )
      .all(...params, ...keyParams, s.limit + 1) as Array<Omit<FsidRecord, 'roles'>>;
    const more = rows.length > s.limit;
    return { rows: rows.slice(0, s.limit).map((r) => ({ ...r, roles: this.rolesIn(r.id, s.organizationIds) })), total, more };
  }

  async row(userRowId: number, organizationIds: readonly number[]): Promise<FsidRecord | null> {
    if (organizationIds.length === 0) return null;
    const member = this.db
      .prepare(`SELECT 1 FROM user_directory WHERE user_id = ? AND organization_id IN (${marks(organizationIds.length)}) LIMIT 1`)
      .get(userRowId, ...organizationIds);
    if (!member) return null;
    const row = this.db
      .prepare('SELECT id, user_id AS userId, first_name AS firstName, last_name AS lastName, fsid, fsid_state AS fsidState FROM users WHERE id = ?')
      .get(userRowId) as Omit<FsidRecord, 'roles'> | undefined;
    return row ? { ...row, roles: this.rolesIn(row.id, organizationIds) } : null;
  }

  async save(userRowId: number, fsid: string, audit: AuditDraft[]): Promise<'saved' | 'taken'> {
    return this.db
      .transaction((): 'saved' | 'taken' => {
        if (this.db.prepare('SELECT 1 FROM users WHERE fsid = ? COLLATE NOCASE AND id <> ?').get(fsid, userRowId)) return 'taken';
        this.db.prepare("UPDATE users SET fsid = ?, fsid_state = 'pending' WHERE id = ?").run(fsid, userRowId);
        appendAuditSync(this.db, this.clock.now(), audit);
        return 'saved';
      })
      .immediate();
  }

  async verify(userRowId: number, audit: AuditDraft[]): Promise<boolean> {
    return this.change("UPDATE users SET fsid_state = 'verified' WHERE id = ? AND fsid_state = 'pending' AND fsid IS NOT NULL", userRowId, audit);
  }

  async remove(userRowId: number, audit: AuditDraft[]): Promise<boolean> {
    return this.change('UPDATE users SET fsid = NULL, fsid_state = NULL WHERE id = ? AND (fsid IS NOT NULL OR fsid_state IS NOT NULL)', userRowId, audit);
  }

  async request(userRowId: number, audit: AuditDraft[], outbox: OutboxDraft[]): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const done = this.db.prepare("UPDATE users SET fsid_state = 'requested' WHERE id = ? AND fsid IS NULL AND fsid_state IS NULL").run(userRowId);
        if (done.changes !== 1) return false;
        const now = this.clock.now();
        appendAuditSync(this.db, now, audit);
        insertOutboxRowsSync(this.db, now, outbox);
        return true;
      })
      .immediate();
  }

  async stateOrganizationsOf(userRowId: number): Promise<number[]> {
    const member = this.db
      .prepare(
        `SELECT DISTINCT o.id FROM user_directory d JOIN organizations o ON o.id = d.organization_id
          WHERE d.user_id = ? AND o.kind = 'state' ORDER BY o.id`,
      )
      .all(userRowId) as Array<{ id: number }>;
    if (member.length > 0) return member.map((r) => r.id);
    return (
      this.db
        .prepare(
          `SELECT s.id FROM users u JOIN organizations h ON h.id = u.home_organization_id
             JOIN organizations s ON s.kind = 'state' AND s.state_code = h.state_code
            WHERE u.id = ? ORDER BY s.id`,
        )
        .all(userRowId) as Array<{ id: number }>
    ).map((r) => r.id);
  }

  async own(userRowId: number): Promise<{ fsid: string | null; fsidState: FsidState | null }> {
    return (
      (this.db.prepare('SELECT fsid, fsid_state AS fsidState FROM users WHERE id = ?').get(userRowId) as
        { fsid: string | null; fsidState: FsidState | null } | undefined) ?? {
        fsid: null,
        fsidState: null,
      }
    );
  }

  private change(sql: string, userRowId: number, audit: AuditDraft[]): boolean {
    return this.db
      .transaction((): boolean => {
        if (this.db.prepare(sql).run(userRowId).changes !== 1) return false;
        appendAuditSync(this.db, this.clock.now(), audit);
        return true;
      })
      .immediate();
  }

  private rolesIn(userRowId: number, organizationIds: readonly number[]): string[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT r.name FROM role_assignments a JOIN roles r ON r.id = a.role_id
            WHERE a.user_id = ? AND a.organization_id IN (${marks(organizationIds.length)}) ORDER BY r.name`,
        )
        .all(userRowId, ...organizationIds) as Array<{ name: string }>
    ).map((r) => r.name);
  }
}

import type { SqlExecutor } from './sql.js';

/**
 * What an official's write on a person rests on, asked again inside the transaction that writes.
 * A service reads the official's roles when a call starts; another official may remove them, or
 * deactivate the official, before the write commits. The rules are the services' (an official
 * administers the organizations where they hold that kind of organization's Security Official
 * role; a CMS Security Official administers every one), read here from the rows as they are now.
 */
export type Authority =
  /** An account action: every organization the person is tied to is administered. */
  | { officialId: number; over: 'account'; userRowId: number }
  /** A role in one organization: that organization is administered. */
  | { officialId: number; over: 'organization'; organizationId: number }
  /** A person seen in the console (proofing): one of their organizations is administered. */
  | { officialId: number; over: 'member'; userRowId: number };

/** The answer a store gives when the official's authority is gone by the time of the write. */
export const NO_AUTHORITY = 'no_authority';

/**
 * Whether the official still has the authority, as of this transaction. On PostgreSQL the rows it
 * rests on are locked FOR SHARE until the transaction ends, so a concurrent removal or deactivation
 * waits for this write (or this read waits for it, and sees it); SQLite has one writer at a time.
 */
export async function holdsAuthority(tx: SqlExecutor, authority: Authority): Promise<boolean> {
  const share = tx.dialect === 'postgres' ? ' FOR SHARE' : '';
  const official = await tx.get<{ status: string }>(`SELECT status FROM users WHERE id = ?${share}`, [authority.officialId]);
  if (official?.status !== 'active') return false;
  const held = await tx.all<{ organizationId: number; kind: string }>(
    `SELECT a.organization_id AS "organizationId", o.kind
       FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN organizations o ON o.id = a.organization_id
      WHERE a.user_id = ? AND r.security_official_kind = o.kind${tx.dialect === 'postgres' ? ' FOR SHARE OF a' : ''}`,
    [authority.officialId],
  );
  if (held.some((h) => h.kind === 'cms')) return true;
  const administered = new Set(held.map((h) => h.organizationId));
  if (authority.over === 'organization') return administered.has(authority.organizationId);
  const ties = await tx.all<{ id: number }>('SELECT DISTINCT organization_id AS id FROM user_directory WHERE user_id = ?', [authority.userRowId]);
  if (authority.over === 'member') return ties.some((t) => administered.has(t.id));
  return ties.length > 0 && ties.every((t) => administered.has(t.id));
}

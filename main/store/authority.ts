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
  | { officialId: number; over: 'member'; userRowId: number }
  /** Any official work (decisions, whose rules per request the database's triggers keep): a Security Official not deactivated. */
  | { officialId: number; over: 'any' }
  /** A Federal Surveyor ID: a State Security Official of a state agency the person belongs to (CMS does not count here). */
  | { officialId: number; over: 'state'; userRowId: number };

/** The statuses in which an official's open session keeps its authority. */
export const SIGNED_IN_STATUSES: ReadonlySet<string> = new Set(['active', 'temporarily_locked', 'locked']);

/**
 * Whether the account may still act through a session already open, as of this transaction. A lock
 * only stops new sign-ins (anyone can cause one by failing them under the user ID); it takes nothing
 * from a session already open. Deactivation takes everything.
 */
export async function keepsSession(tx: SqlExecutor, userRowId: number): Promise<boolean> {
  const user = await tx.get<{ status: string }>('SELECT status FROM users WHERE id = ?', [userRowId]);
  return user !== undefined && SIGNED_IN_STATUSES.has(user.status);
}

/** The answer a store gives when the official's authority is gone by the time of the write. */
export const NO_AUTHORITY = 'no_authority';

/**
 * Whether the official still has the authority, as of this transaction. SQLite has one writer at a
 * time. On PostgreSQL the writing transactions are SERIALIZABLE: a removal or deactivation that
 * commits while this one runs either comes after it in the one serial order, or makes one of the
 * two fail and run again, when it sees the other. (Locking the rows FOR SHARE instead made two
 * officials acting on each other deadlock, a second each.)
 */
export async function holdsAuthority(tx: SqlExecutor, authority: Authority): Promise<boolean> {
  if (!(await keepsSession(tx, authority.officialId))) return false;
  const held = await tx.all<{ organizationId: number; kind: string }>(
    `SELECT a.organization_id AS "organizationId", o.kind
       FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN organizations o ON o.id = a.organization_id
      WHERE a.user_id = ? AND r.security_official_kind = o.kind`,
    [authority.officialId],
  );
  if (authority.over === 'state') {
    const states = new Set(held.filter((h) => h.kind === 'state').map((h) => h.organizationId));
    return (await tiesOf(tx, authority.userRowId)).some((id) => states.has(id));
  }
  if (held.some((h) => h.kind === 'cms')) return true;
  if (authority.over === 'any') return held.length > 0;
  const administered = new Set(held.map((h) => h.organizationId));
  if (authority.over === 'organization') return administered.has(authority.organizationId);
  const ties = await tiesOf(tx, authority.userRowId);
  if (authority.over === 'member') return ties.some((id) => administered.has(id));
  return ties.length > 0 && ties.every((id) => administered.has(id));
}

/** The organizations a person is tied to (a role or a pending request), as the directory keeps them. */
async function tiesOf(tx: SqlExecutor, userRowId: number): Promise<number[]> {
  return (await tx.all<{ id: number }>('SELECT DISTINCT organization_id AS id FROM user_directory WHERE user_id = ?', [userRowId])).map((r) => r.id);
}

import { AppError } from '../../shared/ipc/errors.js';
import type { OfficialKind } from '../../shared/domain.js';
import type { OrganizationRecord, Store, UserRecord } from '../store/types.js';
import { administeredOrganizations } from './home.js';
import { officialKindOf } from './sessions.js';
import type { Session } from './sessions.js';

/** A signed-in Security Official, with the organizations they administer. */
export interface Official {
  id: number;
  kind: OfficialKind;
  isCms: boolean;
  administered: Map<number, OrganizationRecord>;
}

export const NOT_OFFICIAL = 'Only Security Officials can do this.';

/** The session's user as an official, or FORBIDDEN with `message` when they hold no Security Official role. */
export async function officialOf(store: Store, session: Session, message: string = NOT_OFFICIAL): Promise<Official> {
  const holdings = await store.users.roleHoldings(session.userRowId);
  const kind = officialKindOf(holdings);
  if (kind === null) throw new AppError('FORBIDDEN', message);
  return { id: session.userRowId, kind, isCms: kind === 'cms', administered: new Map(administeredOrganizations(holdings).map((o) => [o.id, o])) };
}

/** Whether the official administers an organization (CMS officials administer every one). */
export function administers(official: Official, organizationId: number): boolean {
  return official.isCms || official.administered.has(organizationId);
}

/**
 * The user with this user ID, if the official may see them: they hold a role or have a request
 * in an organization the official administers (any, for CMS), or they are the official. Out of
 * scope reads as not found, so that user IDs cannot be probed.
 */
export async function visibleUser(store: Store, official: Official, userId: string, notFound: string): Promise<UserRecord> {
  const user = await store.users.byUserId(userId);
  if (!user) throw new AppError('NOT_FOUND', notFound);
  if (user.id === official.id) return user;
  const visible = await store.userAdmin.isInOrganizations(user.id, official.isCms ? 'all' : [...official.administered.keys()]);
  if (!visible) throw new AppError('NOT_FOUND', notFound);
  return user;
}

import type { HomeSummary } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import type { NavPage } from '../../shared/domain.js';
import type { OrganizationRecord, RoleHolding, Store } from '../store/types.js';
import type { RequestService } from './requests.js';
import type { Session, SessionRegistry } from './sessions.js';
import { officialKindOf } from './sessions.js';

type OfficialKind = ReturnType<typeof officialKindOf>;

/**
 * The pages this console has built, and who sees each. A page joins this list when its
 * capability lands, so the navigation never offers a dead link.
 */
const BUILT_PAGES: ReadonlyArray<{ page: NavPage; label: string; visible: (kind: OfficialKind, holdings: readonly RoleHolding[]) => boolean }> = [
  { page: 'my-access', label: 'My Access', visible: () => true },
  { page: 'user-lookup', label: 'User Lookup', visible: (kind) => kind !== null },
  { page: 'role-requests', label: 'Role Requests', visible: (kind) => kind !== null },
  { page: 'in-person-proofing', label: 'In-Person Proofing', visible: (kind) => kind !== null },
  // iQIES job aid, section 6: "only applicable to State SOs".
  {
    page: 'federal-surveyor-ids',
    label: 'Federal Surveyor IDs',
    visible: (_kind, holdings) => holdings.some((h) => h.securityOfficialKind === 'state' && h.organization.kind === 'state'),
  },
  { page: 'request-history', label: 'Request History', visible: (kind) => kind !== null },
  { page: 'audit-trail', label: 'Audit trail', visible: (kind) => kind !== null },
  { page: 'outbox', label: 'Outbox', visible: (kind) => kind !== null },
  { page: 'mail-settings', label: 'Mail settings', visible: (kind) => kind !== null },
  { page: 'backups', label: 'Backup and restore', visible: (kind) => kind !== null },
  { page: 'my-credentials', label: 'My credentials', visible: () => true },
];

export class HomeService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionRegistry,
    private readonly requests: RequestService,
  ) {}

  async summary(session: Session): Promise<HomeSummary> {
    const view = await this.sessions.view(session.clientId);
    const user = await this.store.users.byId(session.userRowId);
    if (!view.user || !user) throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
    const holdings = await this.store.users.roleHoldings(user.id);
    const kind = officialKindOf(holdings);
    const administered = administeredOrganizations(holdings);
    const alerts: HomeSummary['alerts'] = [];
    // HARP: "The Security Official widget shows how many pending requests there are in red highlight."
    const pending = await this.requests.pendingCount(session);
    if (pending !== null && pending > 0) {
      alerts.push({ kind: 'warning', text: `${pending.toLocaleString('en-US')} pending role request${pending === 1 ? '' : 's'} waiting for a Security Official decision.` });
    }
    for (const org of administered) {
      if ((await this.store.organizations.securityOfficialCount(org.id)) === 1) {
        // HARP job aid, "Helpful hint".
        alerts.push({
          kind: 'info',
          text: `${org.name} has only one Security Official. Consider adding a second Security Official to your organization to ensure someone is always available to approve requests.`,
        });
      }
    }
    return {
      user: view.user,
      organizations: uniqueOrganizations(holdings).map((o) => ({ displayId: o.displayId, name: o.name, kind: o.kind })),
      nav: BUILT_PAGES.filter((p) => p.visible(kind, holdings)).map((p) => ({ page: p.page, label: p.label, badge: p.page === 'role-requests' ? pending : null })),
      alerts,
      previousSignInAt: session.previousSignInAt,
    };
  }
}

function uniqueOrganizations(holdings: readonly RoleHolding[]): OrganizationRecord[] {
  const byId = new Map<number, OrganizationRecord>();
  for (const h of holdings) byId.set(h.organization.id, h.organization);
  return [...byId.values()];
}

/** Organizations where the user holds a Security Official role. */
export function administeredOrganizations(holdings: readonly RoleHolding[]): OrganizationRecord[] {
  return uniqueOrganizations(holdings.filter((h) => h.securityOfficialKind !== null));
}

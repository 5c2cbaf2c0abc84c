import { formatDate } from '../../shared/dates.js';
import type { HomeSummary } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import type { NavPage } from '../../shared/domain.js';
import type { OrganizationRecord, RoleHolding, Store } from '../store/types.js';
import type { RequestService } from './requests.js';
import type { Session, SessionRegistry } from './sessions.js';
import { administeredOrganizations, officialKindOf } from './officials.js';

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

  /**
   * What CMS officials must review: top-tier grants made without dual control (the console had
   * one CMS Security Official), and rows an older console let break the role catalogue.
   */
  private async trustAlerts(): Promise<HomeSummary['alerts']> {
    const alerts: HomeSummary['alerts'] = [];
    for (const g of await this.store.requests.singleApprovalGrants(5)) {
      alerts.push({
        kind: 'warning',
        text: `Granted without dual control: ${g.firstName} ${g.lastName} (${g.userId}) became a CMS Security Official in ${g.program} on ${formatDate(g.decidedAt)}, approved by ${g.approverEmail} alone while the console had no second CMS Security Official.`,
      });
    }
    const violations = await this.store.requests.catalogueViolations(6);
    if (violations.length > 0) {
      const shown = violations.slice(0, 5).map((v) => `${v.userId}: ${v.role} at ${v.organization} (${v.program})${v.kind === 'pending_request' ? ', pending' : ''}`);
      alerts.push({
        kind: 'warning',
        text: `Set aside on upgrade because the role catalogue does not allow them, and giving no access: ${shown.join('; ')}${violations.length > 5 ? '; and more' : ''}.`,
      });
    }
    return alerts;
  }

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
    if (kind === 'cms') alerts.push(...(await this.trustAlerts()));
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

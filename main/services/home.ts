import { formatDate } from '../../shared/dates.js';
import type { HomeDashboard, HomeSummary, MyRequestView } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import { isProofed, type NavPage, type OfficialKind, type ProofingState } from '../../shared/domain.js';
import { POLICY } from '../../shared/policy.js';
import type { Clock } from '../clock.js';
import type { DashboardScope } from '../store/home-store.js';
import type { OrganizationRecord, RoleHolding } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { RequestService } from './requests.js';
import type { Session, SessionRegistry } from './sessions.js';
import { administeredOrganizations, officialKindOf, stateOrganizations } from './officials.js';

/**
 * The pages this console has built, and who sees each. A page joins this list when its
 * capability lands, so the navigation never offers a dead link.
 */
const BUILT_PAGES: ReadonlyArray<{ page: NavPage; label: string; visible: (kind: OfficialKind | null, holdings: readonly RoleHolding[]) => boolean }> = [
  { page: 'my-access', label: 'My Access', visible: () => true },
  { page: 'user-lookup', label: 'User Lookup', visible: (kind) => kind !== null },
  { page: 'role-requests', label: 'Role Requests', visible: (kind) => kind !== null },
  { page: 'in-person-proofing', label: 'In-Person Proofing', visible: (kind) => kind !== null },
  // iQIES job aid, section 6: "only applicable to State SOs".
  {
    page: 'federal-surveyor-ids',
    label: 'Federal Surveyor IDs',
    visible: (_kind, holdings) => stateOrganizations(holdings).length > 0,
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
    private readonly clock: Clock,
    /** Whether an SMTP server is set up: otherwise emails wait in the Outbox. */
    private readonly mailConfigured: () => Promise<boolean>,
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
      const shown = violations
        .slice(0, 5)
        .map((v) => `${v.userId}: ${v.role} at ${v.organization} (${v.program})${v.kind === 'pending_request' ? ', pending' : ''}`);
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
    const holdings = await this.store.users.sessionHoldings(user.id);
    const kind = officialKindOf(holdings);
    const administered = administeredOrganizations(holdings);
    const alerts: HomeSummary['alerts'] = [];
    // The count is said once, in red on Home's "View Pending Role Requests" (home.dashboard), and
    // as the navigation's badge; the alert band keeps what has no other place.
    const pending = await this.requests.pendingCount(session, holdings);
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
      nav: BUILT_PAGES.filter((p) => p.visible(kind, holdings)).map((p) => ({
        page: p.page,
        label: p.label,
        badge: p.page === 'role-requests' ? pending : null,
      })),
      alerts,
      previousSignInAt: session.previousSignInAt,
    };
  }

  /**
   * Home at a glance: every user's own requests, proofing and next step; for officials, the
   * figures of the organizations they administer (CMS: every account), each from an index or a
   * counter (HomeStore), so Home costs the same at a million users.
   */
  async dashboard(session: Session): Promise<HomeDashboard> {
    const user = await this.store.users.byId(session.userRowId);
    if (!user) throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
    const mine = await this.requests.mine(session);
    const requests = mine.requests.filter((r) => r.status === 'pending' || r.decidedAt === null || r.decidedAt > this.clock.now() - 90 * DAY_MS).slice(0, 10);
    const me = {
      proofingState: user.proofingState,
      requests,
      hasRoles: mine.roles.length > 0,
      nextSteps: nextSteps(user.proofingState, mine.requests, mine.roles.length > 0),
    };
    const holdings = await this.store.users.sessionHoldings(user.id);
    const kind = officialKindOf(holdings);
    if (kind === null) return { me, official: null };
    const administered = administeredOrganizations(holdings).sort(byName);
    const scope: DashboardScope = kind === 'cms' ? 'all' : administered.map((o) => o.id);
    return { me, official: await this.officialFigures(session, holdings, scope, administered) };
  }

  private async officialFigures(
    session: Session,
    holdings: readonly RoleHolding[],
    scope: DashboardScope,
    administered: readonly OrganizationRecord[],
  ): Promise<NonNullable<HomeDashboard['official']>> {
    const home = this.store.home;
    const now = this.clock.now();
    // Age in whole days: 0-7 days is requested after now - 8 days; over 30 days is at or before now - 31 days.
    const recentAfter = now - 8 * DAY_MS;
    const monthAfter = now - 31 * DAY_MS;
    const ages = async (label: string, organizationId: number | 'all') => {
      const a = await home.pendingAges(organizationId, recentAfter, monthAfter);
      return { label, upTo7: a.recent, upTo30: a.month, over30: a.older };
    };
    const pendingByAge: NonNullable<HomeDashboard['official']>['pendingByAge'] = [];
    if (scope === 'all') {
      pendingByAge.push(await ages('All organizations', 'all'));
      for (const o of await home.busiestOrganizations(DASHBOARD.busiestOrganizations)) pendingByAge.push(await ages(o.name, o.id));
    } else {
      for (const o of administered) pendingByAge.push(await ages(o.name, o.id));
    }

    const weeks = await home.decisionsByWeek(scope, now, WEEK_MS, DASHBOARD.weeks);
    const decisionsByWeek = weeks
      .map((w) => ({ startsAt: now - (w.week + 1) * WEEK_MS + 1, endsAt: now - w.week * WEEK_MS, approved: w.approved, rejected: w.rejected }))
      .reverse();

    // QualityNet guide 5.3.1: deactivated after more than 120 days without use. An account reaches
    // 120 days within d days when its last use is at or before now + d days - 120 days.
    const limit = POLICY.inactivityDays * DAY_MS;
    const [in14, in30] = DASHBOARD.forecastDays.map((d) => now + d * DAY_MS - limit) as [number, number];
    const soonest = await home.activeUnusedSince(scope, in30, DASHBOARD.listLimit);
    const referred = await home.referredInPerson(scope, DASHBOARD.listLimit);
    return {
      scope: scope === 'all' ? 'all' : 'organizations',
      mailConfigured: await this.mailConfigured(),
      pendingInQueue: (await this.requests.pendingCount(session, holdings)) ?? 0,
      pendingByAge,
      decisionsByWeek,
      deactivation: {
        within14Days: await home.activeUnusedSinceCount(scope, in14),
        within30Days: await home.activeUnusedSinceCount(scope, in30),
        deactivatedLast30Days: await home.deactivatedSinceCount(scope, now - DASHBOARD.deactivatedDays * DAY_MS),
        soonest: soonest.map((p) => ({ userId: p.userId, firstName: p.firstName, lastName: p.lastName, lastUsedAt: p.at, reachesLimitAt: p.at + limit })),
      },
      proofingBacklog: {
        total: await home.referredInPersonCount(scope),
        oldest: referred.map((p) => ({ userId: p.userId, firstName: p.firstName, lastName: p.lastName, referredAt: p.at })),
      },
      asOf: now,
    };
  }
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Dashboard windows: pending ages (HARP's stale requests are those over 30 days), decisions, forecasts. */
export const DASHBOARD = { weeks: 12, forecastDays: [14, 30] as const, deactivatedDays: 30, listLimit: 10, busiestOrganizations: 8 } as const;

/** What a user does next, in the words of the job aids and of this console's pages. */
export function nextSteps(proofingState: ProofingState, requests: readonly MyRequestView[], hasRoles: boolean): HomeDashboard['me']['nextSteps'] {
  const steps: HomeDashboard['me']['nextSteps'] = [];
  const pending = requests.filter((r) => r.status === 'pending');
  if (!isProofed(proofingState)) {
    // QualityNet guide 5.2: identity proofing comes before any role; this console proofs in person.
    steps.push({
      text: 'Ask your Security Official to prove your identity in person: bring a photo identification, a document that confirms your address, and one that confirms your date of birth.',
      page: null,
      linkText: null,
    });
    if (pending.length > 0) {
      steps.push({
        text: `Your pending request${pending.length === 1 ? '' : 's'} can be approved only once your identity is proofed.`,
        page: null,
        linkText: null,
      });
    }
    return steps;
  }
  if (pending.length > 0) {
    steps.push({
      text: `A Security Official reviews your pending request${pending.length === 1 ? '' : 's'}. You will receive an email when ${pending.length === 1 ? 'it is' : 'each is'} approved or rejected.`,
      page: 'my-access',
      linkText: 'View your requests in My Access',
    });
  } else if (!hasRoles) {
    steps.push({ text: 'You have no role yet. Request a role for your organization.', page: 'my-access', linkText: 'Request a role in My Access' });
  }
  return steps;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name, 'en-US');
}

function uniqueOrganizations(holdings: readonly RoleHolding[]): OrganizationRecord[] {
  const byId = new Map<number, OrganizationRecord>();
  for (const h of holdings) byId.set(h.organization.id, h.organization);
  return [...byId.values()];
}

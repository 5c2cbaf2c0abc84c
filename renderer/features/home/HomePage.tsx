import { useEffect, type ReactNode } from 'react';
import { Alert, Button } from '@cmsgov/design-system';
import { SECURITY_OFFICIAL_ROLE, isProofed, type NavPage, type OrganizationKind } from '../../../shared/domain.js';
import type { HomeDashboard, HomeSummary } from '../../../shared/ipc/contract.js';
import { formatDate, formatDateTime } from '../../components/format.js';
import { PROOFING_STATE_LABELS, REQUEST_STATUS_LABELS, organizationLabel } from '../../components/labels.js';
import { PageHeading } from '../../components/PageHeading.js';
import { useSession } from '../session/store.js';
import { useUserLookup } from '../user-lookup/store.js';
import { DeactivationChart, DecisionsChart, PendingByAgeChart } from './DashboardCharts.js';
import { useHome } from './store.js';
import './home.css';

const KIND_LABELS: Record<OrganizationKind, string> = {
  provider: 'Provider',
  state: 'State agency',
  cms: 'CMS',
};

type Figures = NonNullable<HomeDashboard['official']>;

/** The landing page: who is signed in, what they asked for, what to do next, and for officials the day's work. */
export function HomePage() {
  const { summary, error, dashboard, dashboardError, loadDashboard } = useHome();
  const sessionUser = useSession((state) => state.session?.user ?? null);
  const navigationId = useSession((state) => state.navigationId);
  const user = summary?.user ?? sessionUser;

  useEffect(() => {
    void loadDashboard();
  }, [loadDashboard, navigationId]);

  return (
    <>
      <PageHeading focusKey={navigationId}>Welcome, {user?.firstName ?? ''}</PageHeading>

      {error && !summary && (
        <Alert variation="error" role="alert" className="ds-u-margin-y--3">
          <p className="ds-c-alert__text">{error}</p>
        </Alert>
      )}

      {summary && (
        <>
          <p className="ds-u-margin-top--1" data-testid="last-sign-in">
            {summary.previousSignInAt === null ? 'This is your first sign-in.' : `Last sign-in: ${formatDateTime(summary.previousSignInAt)}`}
          </p>

          {summary.user.officialKind !== null && <OfficialActions summary={summary} figures={dashboard?.official ?? null} />}

          <div className="soc-cards">
            <section className="soc-card" aria-labelledby="home-organizations-heading">
              <h2 id="home-organizations-heading" className="ds-text-heading--lg">
                Your organizations
              </h2>
              {summary.organizations.length === 0 ? (
                <p>You have no role in any organization yet.</p>
              ) : (
                <ul className="soc-plain-list" data-testid="organizations">
                  {summary.organizations.map((organization) => (
                    <li key={organization.displayId}>
                      <span className="ds-u-font-weight--bold">{organization.name}</span>
                      <span className="ds-u-display--block ds-u-font-size--sm">
                        {KIND_LABELS[organization.kind]} · ID {organization.displayId}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <MyAccessCard me={dashboard?.me ?? null} proofingState={summary.user.proofingState} />
          </div>

          {dashboardError && (
            <Alert variation="error" role="alert" className="ds-u-margin-y--3">
              <p className="ds-c-alert__text">{dashboardError}</p>
            </Alert>
          )}
          {dashboard?.official && <Dashboard figures={dashboard.official} organizations={summary.organizations} />}
        </>
      )}
    </>
  );
}

/** HARP Step 2: the Security Official widget, its actions, and the pending count in red. */
function OfficialActions({ summary, figures }: { summary: HomeSummary; figures: Figures | null }) {
  const navigate = useSession((state) => state.navigate);
  const offered = new Set(summary.nav.map((item) => item.page));
  const kind = summary.user.officialKind;
  const pending = figures?.pendingInQueue ?? summary.nav.find((item) => item.page === 'role-requests')?.badge ?? null;
  const action = (page: NavPage, label: string, extra?: ReactNode) =>
    offered.has(page) && (
      <Button variation={page === 'role-requests' ? 'solid' : undefined} onClick={() => navigate(page)} data-testid={`home-action-${page}`}>
        {label}
        {extra}
      </Button>
    );
  return (
    <section className="soc-home-official" aria-labelledby="home-official-heading" data-testid="official-widget">
      <h2 id="home-official-heading" className="ds-text-heading--lg">
        {kind === null ? 'Security Official' : SECURITY_OFFICIAL_ROLE[kind]}
      </h2>
      <div className="soc-button-row ds-u-margin-top--1">
        {action(
          'role-requests',
          'View Pending Role Requests',
          pending !== null ? (
            <span className={`ds-c-badge soc-home-count${pending > 0 ? ' ds-c-badge--alert' : ''}`} data-testid="home-pending-count">
              {pending.toLocaleString('en-US')}
              <span className="ds-u-visibility--screen-reader"> pending</span>
            </span>
          ) : undefined,
        )}
        {action('user-lookup', 'Search for Users')}
        {action('in-person-proofing', 'In-Person Proofing')}
      </div>
      {figures && !figures.mailConfigured && (
        <Alert variation="warn" className="ds-u-margin-top--3" data-testid="home-mail-off">
          <p className="ds-c-alert__text">
            No mail server is set up yet: emails to users wait in the Outbox.{' '}
            {offered.has('mail-settings') && (
              <a
                href="#mail-settings"
                onClick={(event) => {
                  event.preventDefault();
                  navigate('mail-settings');
                }}
              >
                Set up mail
              </a>
            )}
          </p>
        </Alert>
      )}
    </section>
  );
}

/** Every user: their identity proofing, their own role requests, and the next step. */
function MyAccessCard({ me, proofingState }: { me: HomeDashboard['me'] | null; proofingState: HomeSummary['user']['proofingState'] }) {
  const navigate = useSession((state) => state.navigate);
  return (
    <section className="soc-card" aria-labelledby="home-access-heading" data-testid="home-my-access">
      <h2 id="home-access-heading" className="ds-text-heading--lg">
        Your access
      </h2>
      <p data-testid="home-proofing">
        <span className="ds-u-font-weight--bold">Identity proofing:</span> {PROOFING_STATE_LABELS[me?.proofingState ?? proofingState]}
        {isProofed(me?.proofingState ?? proofingState) ? '.' : ''}
      </p>
      {me && me.requests.length > 0 && (
        <>
          <h3 className="ds-text-heading--md ds-u-margin-bottom--1">Your role requests</h3>
          <ul className="soc-plain-list soc-home-requests" data-testid="home-my-requests">
            {me.requests.map((r) => (
              <li key={r.requestId}>
                <span className={`ds-c-badge soc-home-status soc-home-status--${r.status}`}>{REQUEST_STATUS_LABELS[r.status]}</span> {r.role},{' '}
                {organizationLabel(r.organization)}, {r.program}
                <span className="ds-u-display--block ds-u-font-size--sm">
                  Request ID {r.requestId} · requested {formatDate(r.requestedAt)}
                  {r.decidedAt !== null ? ` · decided ${formatDate(r.decidedAt)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {me && me.nextSteps.length > 0 && (
        <>
          <h3 className="ds-text-heading--md ds-u-margin-bottom--1">What to do next</h3>
          <ul className="soc-home-steps" data-testid="home-next-steps">
            {me.nextSteps.map((step) => (
              <li key={step.text}>
                {step.text}
                {step.page !== null && step.linkText !== null && (
                  <>
                    {' '}
                    <a
                      href={`#${step.page}`}
                      onClick={(event) => {
                        event.preventDefault();
                        navigate(step.page as NavPage);
                      }}
                    >
                      {step.linkText}
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Dashboard({ figures, organizations }: { figures: Figures; organizations: HomeSummary['organizations'] }) {
  const navigate = useSession((state) => state.navigate);
  const showProfileOnArrival = useUserLookup((state) => state.showProfileOnArrival);
  // User Lookup opens the profile of the user chosen here instead of its list.
  const openProfile = (userId: string) => {
    showProfileOnArrival(userId);
    navigate('user-lookup');
  };
  const profileLink = (person: { userId: string; firstName: string; lastName: string }) => (
    <>
      <a
        href="#user-lookup"
        onClick={(event) => {
          event.preventDefault();
          openProfile(person.userId);
        }}
      >
        {person.lastName}, {person.firstName}
      </a>
      <span className="ds-u-display--block ds-u-font-size--sm soc-mono">{person.userId}</span>
    </>
  );
  const scope =
    figures.scope === 'all'
      ? 'every organization'
      : organizations.length === 1
        ? (organizations[0]?.name ?? 'your organization')
        : 'the organizations you administer';
  const { deactivation, proofingBacklog } = figures;
  return (
    <section className="soc-section" aria-labelledby="home-dashboard-heading" data-testid="home-dashboard">
      <h2 id="home-dashboard-heading" className="ds-text-heading--xl">
        Dashboard
      </h2>
      <p className="ds-u-margin-top--1">
        Figures for {scope}, as of {formatDateTime(figures.asOf)}.
      </p>
      <div className="soc-home-charts">
        <PendingByAgeChart rows={figures.pendingByAge} total={figures.pendingByAge.reduce((s, r) => s + r.upTo7 + r.upTo30 + r.over30, 0)} />
        <DecisionsChart weeks={figures.decisionsByWeek} />
        <DeactivationChart
          figures={deactivation}
          people={
            deactivation.soonest.length === 0 ? (
              <p>No account reaches 120 days without sign-in in the next 30 days.</p>
            ) : (
              <>
                <h4 className="ds-text-heading--md ds-u-margin-bottom--1">Next to be deactivated</h4>
                <table className="ds-c-table ds-c-table--compact soc-home-people" data-testid="home-deactivation-list">
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Reaches 120 days</th>
                    </tr>
                  </thead>
                  <tbody>
                    {deactivation.soonest.map((p) => (
                      <tr key={p.userId}>
                        <td>{profileLink(p)}</td>
                        <td>{formatDate(p.reachesLimitAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {deactivation.within30Days > deactivation.soonest.length && (
                  <p className="ds-u-font-size--sm">
                    The {deactivation.soonest.length} soonest of {deactivation.within30Days.toLocaleString('en-US')}. Search for Users lists them all.
                  </p>
                )}
              </>
            )
          }
        />
        <section className="soc-card soc-chart" aria-labelledby="home-backlog-heading" data-testid="home-proofing-backlog">
          <h3 id="home-backlog-heading" className="ds-text-heading--lg">
            Identity-proofing backlog
          </h3>
          <p className="soc-chart__summary">
            {proofingBacklog.total === 0
              ? 'Nobody is waiting for in-person proofing.'
              : `${proofingBacklog.total.toLocaleString('en-US')} ${proofingBacklog.total === 1 ? 'user was' : 'users were'} referred to in-person proofing. Oldest first:`}
          </p>
          {proofingBacklog.oldest.length > 0 && (
            <table className="ds-c-table ds-c-table--compact soc-home-people" data-testid="home-backlog-list">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Referred</th>
                </tr>
              </thead>
              <tbody>
                {proofingBacklog.oldest.map((p) => (
                  <tr key={p.userId}>
                    <td>{profileLink(p)}</td>
                    <td>{formatDate(p.referredAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {proofingBacklog.total > proofingBacklog.oldest.length && (
            <p className="ds-u-font-size--sm">
              The {proofingBacklog.oldest.length} oldest of {proofingBacklog.total.toLocaleString('en-US')}.
            </p>
          )}
          {proofingBacklog.total > 0 && (
            <p className="ds-u-margin-top--2">
              <a
                href="#in-person-proofing"
                onClick={(event) => {
                  event.preventDefault();
                  navigate('in-person-proofing');
                }}
              >
                Go to In-Person Proofing
              </a>
            </p>
          )}
        </section>
      </div>
    </section>
  );
}

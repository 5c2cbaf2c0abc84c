import { Alert } from '@cmsgov/design-system';
import { SECURITY_OFFICIAL_ROLE, type OrganizationKind } from '../../../shared/domain.js';
import { formatDateTime } from '../../components/format.js';
import { PROOFING_STATE_LABELS } from '../../components/labels.js';
import { PageHeading } from '../../components/PageHeading.js';
import { useSession } from '../session/store.js';
import { useHome } from './store.js';

const KIND_LABELS: Record<OrganizationKind, string> = {
  provider: 'Provider',
  state: 'State agency',
  cms: 'CMS',
};

/** The landing page: who is signed in, for which organizations, and what needs attention. */
export function HomePage() {
  const { summary, error } = useHome();
  const sessionUser = useSession((state) => state.session?.user ?? null);
  const navigationId = useSession((state) => state.navigationId);
  const user = summary?.user ?? sessionUser;

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
            {summary.previousSignInAt === null
              ? 'This is your first sign-in.'
              : `Last sign-in: ${formatDateTime(summary.previousSignInAt)}`}
          </p>
          <p className="ds-u-margin-top--0" data-testid="home-proofing">
            Identity proofing: {PROOFING_STATE_LABELS[summary.user.proofingState]}
          </p>

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

            {summary.user.officialKind !== null && (
              <section className="soc-card" aria-labelledby="home-official-heading" data-testid="official-widget">
                <h2 id="home-official-heading" className="ds-text-heading--lg">
                  Security Official
                </h2>
                <p>You are a {SECURITY_OFFICIAL_ROLE[summary.user.officialKind]}.</p>
                {summary.alerts.length === 0 ? (
                  <p>Nothing needs your attention right now.</p>
                ) : (
                  <ul className="soc-plain-list">
                    {summary.alerts.map((alert, index) => (
                      <li key={`${index}-${alert.text}`}>{alert.text}</li>
                    ))}
                  </ul>
                )}
              </section>
            )}
          </div>
        </>
      )}
    </>
  );
}

import { useEffect, useRef, useState, type ComponentType, type RefObject } from 'react';
import { Alert, Button, Dialog } from '@cmsgov/design-system';
import type { HomeSummary } from '../../../shared/ipc/contract.js';
import { AppFrame, MAIN_ID } from '../../components/AppFrame.js';
import { useDialogKeys } from '../../components/useDialogKeys.js';
import { CredentialsPage } from '../credentials/CredentialsPage.js';
import { useAuth } from '../auth/store.js';
import { MailSettingsPage } from '../mail-settings/MailSettingsPage.js';
import { BackupsPage } from '../backups/BackupsPage.js';
import { MyAccessPage } from '../my-access/MyAccessPage.js';
import { OutboxPage } from '../outbox/OutboxPage.js';
import { RoleRequestsPage } from '../role-requests/RoleRequestsPage.js';
import { UserLookupPage } from '../user-lookup/UserLookupPage.js';
import { InPersonProofingPage } from '../proofing/InPersonProofingPage.js';
import { FsidPage } from '../fsid/FsidPage.js';
import { RequestHistoryPage } from '../request-history/RequestHistoryPage.js';
import { AuditTrailPage } from '../audit-trail/AuditTrailPage.js';
import { STATUS_POLL_MS, useSession, type Page } from '../session/store.js';
import { NeedHelp } from '../help/NeedHelp.js';
import { HomePage } from './HomePage.js';
import { useHome } from './store.js';

/**
 * The pages this renderer has built. The main process decides which pages a user is offered
 * (`summary.nav`); the shell shows the intersection, so a link never leads nowhere.
 */
const PAGES: Partial<Record<Page, ComponentType>> = {
  home: HomePage,
  'my-access': MyAccessPage,
  'user-lookup': UserLookupPage,
  'in-person-proofing': InPersonProofingPage,
  'federal-surveyor-ids': FsidPage,
  'role-requests': RoleRequestsPage,
  'request-history': RequestHistoryPage,
  'audit-trail': AuditTrailPage,
  outbox: OutboxPage,
  'mail-settings': MailSettingsPage,
  backups: BackupsPage,
  'my-credentials': CredentialsPage,
};

interface NavEntry {
  page: Page;
  label: string;
  badge: number | null;
}

function navEntries(summary: HomeSummary | null): NavEntry[] {
  const offered = (summary?.nav ?? []).filter((item) => PAGES[item.page] !== undefined);
  return [{ page: 'home', label: 'Home', badge: null }, ...offered];
}

/** The signed-in console: header with the user and alerts, Security Official navigation, page. */
export function HomeShell() {
  const { summary, load } = useHome();
  const { page, navigationId, navigate, reportActivity } = useSession();
  const entries = navEntries(summary);
  const current = entries.some((entry) => entry.page === page) ? page : 'home';
  const PageView = PAGES[current] ?? HomePage;

  useEffect(() => {
    const timer = setInterval(() => void load(), STATUS_POLL_MS);
    return () => clearInterval(timer);
  }, [load]);
  // Each navigation brings the navigation's badges and the alerts up to date.
  useEffect(() => {
    void load();
  }, [load, navigationId]);

  // Input anywhere in the window keeps the session from the idle lock (the store throttles).
  useEffect(() => {
    const onInput = () => reportActivity();
    const options: AddEventListenerOptions = { capture: true, passive: true };
    window.addEventListener('keydown', onInput, options);
    window.addEventListener('pointerdown', onInput, options);
    window.addEventListener('wheel', onInput, options);
    return () => {
      window.removeEventListener('keydown', onInput, options);
      window.removeEventListener('pointerdown', onInput, options);
      window.removeEventListener('wheel', onInput, options);
    };
  }, [reportActivity]);

  const resetAuth = useAuth((state) => state.reset);
  const [confirmingLogOut, setConfirmingLogOut] = useState(false);
  const logOutRef = useRef<HTMLButtonElement>(null);
  const openLogOut = () => {
    resetAuth();
    setConfirmingLogOut(true);
  };
  const cancelLogOut = () => {
    setConfirmingLogOut(false);
    resetAuth();
    logOutRef.current?.focus();
  };

  return (
    <AppFrame headerActions={<HeaderUser onLogOut={openLogOut} logOutRef={logOutRef} />} headerBelow={<AlertsArea alerts={summary?.alerts ?? []} />}>
      <div className="soc-shell">
        <div className="soc-nav">
          <nav aria-label="Security Official">
            <ul className="ds-c-vertical-nav">
              {entries.map((entry) => (
                <li key={entry.page} className="ds-c-vertical-nav__item">
                  <a
                    href={`#${entry.page}`}
                    className={`ds-c-vertical-nav__label soc-nav__link${entry.page === current ? ' ds-c-vertical-nav__label--current' : ''}`}
                    aria-current={entry.page === current ? 'page' : undefined}
                    data-page={entry.page}
                    onClick={(event) => {
                      // In-app navigation; Electron refuses real navigations.
                      event.preventDefault();
                      navigate(entry.page);
                    }}
                  >
                    <span>{entry.label}</span>
                    {entry.badge !== null && entry.badge > 0 && <NavBadge count={entry.badge} />}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <NeedHelp />
        </div>
        <main id={MAIN_ID} tabIndex={-1} className="soc-main soc-main--shell">
          <PageView />
        </main>
      </div>
      <LogOutDialog isOpen={confirmingLogOut} onCancel={cancelLogOut} />
    </AppFrame>
  );
}

function NavBadge({ count }: { count: number }) {
  return (
    <>
      <span className="ds-c-badge ds-c-badge--alert soc-nav__badge" aria-hidden="true" data-testid="nav-badge">
        {count.toLocaleString()}
      </span>
      <span className="ds-u-visibility--screen-reader"> {count.toLocaleString()} pending</span>
    </>
  );
}

function HeaderUser({ onLogOut, logOutRef }: { onLogOut: () => void; logOutRef: RefObject<HTMLButtonElement | null> }) {
  const summaryUser = useHome((state) => state.summary?.user ?? null);
  const sessionUser = useSession((state) => state.session?.user ?? null);
  const user = summaryUser ?? sessionUser;

  return (
    <div className="soc-header__user">
      {user && (
        <p className="soc-header__who" data-testid="header-user">
          <span className="soc-header__user-name">
            {user.firstName} {user.lastName}
          </span>
          <span className="soc-header__org">{user.organization}</span>
        </p>
      )}
      <Button inputRef={logOutRef} size="small" onDark variation="ghost" className="soc-header__logout" onClick={onLogOut}>
        Log Out
      </Button>
    </div>
  );
}

/** QualityNet guide 5.4.5: Log Out asks for confirmation before the session ends. */
function LogOutDialog({ isOpen, onCancel }: { isOpen: boolean; onCancel: () => void }) {
  const { pending, error, signOut } = useAuth();
  const keys = useDialogKeys({ isOpen, onConfirm: () => void signOut(), canConfirm: !pending });
  return (
    <Dialog
      {...keys}
      isOpen={isOpen}
      onExit={onCancel}
      heading="Are you sure you want to log out?"
      size="narrow"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" aria-disabled={pending || undefined} onClick={() => void signOut()}>
            Log Out
          </Button>
          <Button variation="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      }
    >
      <p>Your session will end. You will need your password and a security code to log in again.</p>
      {error && (
        <Alert variation="error" role="alert">
          <p className="ds-c-alert__text">{error}</p>
        </Alert>
      )}
    </Dialog>
  );
}

function AlertsArea({ alerts }: { alerts: HomeSummary['alerts'] }) {
  return (
    <section className="soc-alerts" aria-labelledby="alerts-heading" data-testid="alerts">
      <h2 id="alerts-heading" className="soc-alerts__heading">
        Alerts
      </h2>
      {alerts.length === 0 ? (
        <p className="soc-alerts__empty">No alerts.</p>
      ) : (
        <ul className="soc-alerts__list">
          {alerts.map((alert, index) => (
            <li key={`${index}-${alert.text}`} className={`soc-alerts__item soc-alerts__item--${alert.kind}`}>
              <span className="soc-alerts__kind">{alert.kind === 'warning' ? 'Warning:' : 'Notice:'}</span> {alert.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

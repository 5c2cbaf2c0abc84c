import { useEffect } from 'react';
import { Alert, Button, Spinner } from '@cmsgov/design-system';
import { AppFrame, SimpleMain } from './components/AppFrame.js';
import { PageHeading } from './components/PageHeading.js';
import { ChangePasswordView } from './features/auth/ChangePasswordView.js';
import { FirstEnrollmentView } from './features/auth/FirstEnrollmentView.js';
import { LockView } from './features/auth/LockView.js';
import { SignInView } from './features/auth/SignInView.js';
import { WarningView } from './features/auth/WarningView.js';
import { HomeShell } from './features/home/HomeShell.js';
import { STATUS_POLL_MS, useSession } from './features/session/store.js';
import { SetupView } from './features/setup/SetupView.js';
import { RecoveryScreen } from './features/backups/RecoveryScreen.js';

/** Picks the full-window view from the session state the main process reported. */
export function App() {
  const { screen, boot, refreshStatus } = useSession();

  useEffect(() => {
    void boot();
  }, [boot]);

  // Signed in, the main process may lock or end the session on its own (idle lock, expiry).
  const signedIn = screen === 'changePassword' || screen === 'firstEnrollment' || screen === 'warning' || screen === 'home' || screen === 'locked';
  useEffect(() => {
    if (!signedIn) return;
    const timer = setInterval(() => void refreshStatus(), STATUS_POLL_MS);
    return () => clearInterval(timer);
  }, [signedIn, refreshStatus]);

  switch (screen) {
    case 'loading':
      return <LoadingView />;
    case 'unavailable':
      return <UnavailableView />;
    case 'recovery':
      return <RecoveryScreen />;
    case 'setup':
      return <SetupView />;
    case 'signIn':
      return <SignInView />;
    case 'changePassword':
      return <ChangePasswordView />;
    case 'firstEnrollment':
      return <FirstEnrollmentView />;
    case 'warning':
      return <WarningView />;
    case 'home':
      return <HomeShell />;
    case 'locked':
      return <LockView />;
  }
}

function LoadingView() {
  return (
    <AppFrame>
      <SimpleMain>
        <PageHeading>Security Official Console</PageHeading>
        <p className="ds-u-display--flex ds-u-align-items--center">
          <Spinner size="small" aria-valuetext="Loading" />
          <span className="ds-u-margin-left--1">Starting the console…</span>
        </p>
      </SimpleMain>
    </AppFrame>
  );
}

function UnavailableView() {
  const { bootError, boot } = useSession();
  return (
    <AppFrame>
      <SimpleMain>
        <PageHeading>The console could not start</PageHeading>
        <Alert variation="error" role="alert" className="ds-u-margin-y--3">
          <p className="ds-c-alert__text">{bootError}</p>
        </Alert>
        <Button variation="solid" onClick={() => void boot()}>
          Try again
        </Button>
      </SimpleMain>
    </AppFrame>
  );
}

import { useEffect } from 'react';
import { Alert, Button } from '@cmsgov/design-system';
import { POLICY } from '../../../shared/policy.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { PageHeading } from '../../components/PageHeading.js';
import { StepIndicator } from '../../components/StepIndicator.js';
import { useSession } from '../session/store.js';
import { useFirstEnrollment } from './first-enrollment-store.js';
import { ENROLLMENT_STEPS, useAuth } from './store.js';
import './auth.css';

/**
 * QualityNet guide 5.2, Figure 5-9, "Successful Two-Factor Enrollment": the last step of New User
 * Enrollment. From here the user goes on into the console (the warning page first) or exits.
 */
export function EnrollmentConfirmedView({ credentialId }: { credentialId: string }) {
  const acknowledge = useFirstEnrollment((state) => state.acknowledge);
  const { pending, signOut } = useAuth();
  const user = useSession((state) => state.session?.user ?? null);
  // Shown once: however this page is left (Continue, Log Out, the session ending), it is done.
  useEffect(() => acknowledge, [acknowledge]);

  return (
    <AppFrame>
      <SimpleMain>
        <StepIndicator label="New User Enrollment" steps={ENROLLMENT_STEPS} current={ENROLLMENT_STEPS.length - 1} />
        <PageHeading>Successful Two-Factor Enrollment</PageHeading>
        <Alert variation="success" heading="Enrollment confirmed" className="soc-confirmed">
          <p className="ds-c-alert__text" data-testid="enrollment-confirmed">
            {user ? `Your user ID ${user.userId}` : 'Your user ID'} is now linked to credential {credentialId}. Each time you log in, enter a fresh security
            code from it.
          </p>
        </Alert>
        <p className="ds-u-measure--wide">
          You can link up to {POLICY.maxCredentials - 1} more credentials later on My credentials: one on a work computer, one on a phone, one for use at home.
        </p>
        <div className="soc-button-row">
          <Button variation="solid" onClick={acknowledge}>
            Continue
          </Button>
          <Button aria-disabled={pending || undefined} onClick={() => void signOut().then(acknowledge)}>
            Log Out
          </Button>
        </div>
      </SimpleMain>
    </AppFrame>
  );
}

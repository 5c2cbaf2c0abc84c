import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Spinner, TextField } from '@cmsgov/design-system';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { EnrollmentDetails } from '../../components/EnrollmentDetails.js';
import { EnrollmentExpiredAlert } from '../../components/EnrollmentExpiredAlert.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { StepIndicator } from '../../components/StepIndicator.js';
import { PROOFING_STATE_LABELS } from '../../components/labels.js';
import { useSession } from '../session/store.js';
import { useFirstEnrollment } from './first-enrollment-store.js';
import { ENROLLMENT_STEPS, useAuth } from './store.js';
import { isProofed } from '../../../shared/domain.js';

/**
 * A new user (or one whose credentials were revoked) links a first authenticator before
 * anything else; a fresh code from it proves they hold it (QualityNet guide 5.2).
 */
export function FirstEnrollmentView() {
  const signOut = useAuth((state) => state.signOut);
  const { enrollment, replaced, pending, error, begin, complete } = useFirstEnrollment();
  const user = useSession((state) => state.session?.user ?? null);
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('');
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void begin();
  }, [begin]);
  useEffect(() => {
    if (error && !error.field) errorRef.current?.focus();
  }, [error]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!(await complete(code, label))) setCode('');
  }

  return (
    <AppFrame>
      <SimpleMain width="wide">
        <StepIndicator label="New User Enrollment" steps={ENROLLMENT_STEPS} current={2} />
        <PageHeading>Set up two-factor authentication</PageHeading>
        <p className="ds-u-margin-top--1 ds-u-measure--wide">
          Every sign-in needs a security code from an authenticator app. Link one to your user ID now; you can add up to four more later on My credentials.
        </p>
        {user && (
          <p data-testid="enrollment-proofing">
            Identity proofing: <span className="ds-u-font-weight--bold">{PROOFING_STATE_LABELS[user.proofingState]}</span>.
            {isProofed(user.proofingState) ? '' : ' Until your identity is proofed you cannot request roles; your Security Official can prove it in person.'}
          </p>
        )}
        {replaced && <EnrollmentExpiredAlert />}
        {error && !error.field && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-y--2">
              <p className="ds-c-alert__text">{error.message}</p>
            </Alert>
          </div>
        )}
        {enrollment ? (
          <form noValidate onSubmit={(event) => void submit(event)}>
            <EnrollmentDetails enrollment={enrollment} />
            <TextField
              id="first-enrollment-label"
              name="label"
              label="Name this credential (optional)"
              hint="For example: Work phone."
              maxLength={40}
              value={label}
              onChange={(event: ChangeEvent<HTMLInputElement>) => setLabel(event.target.value)}
            />
            <SecurityCodeField
              id="first-enrollment-code"
              value={code}
              onChange={setCode}
              required
              errorMessage={error?.field === 'code' ? error.message : undefined}
            />
            <div className="soc-button-row">
              <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
                Link credential
              </Button>
              <Button type="button" onClick={() => void signOut()}>
                Log Out
              </Button>
            </div>
          </form>
        ) : (
          !error && (
            <p className="ds-u-display--flex ds-u-align-items--center">
              <Spinner size="small" aria-valuetext="Loading" />
              <span className="ds-u-margin-left--1">Preparing a key…</span>
            </p>
          )
        )}
      </SimpleMain>
    </AppFrame>
  );
}

import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, TextField } from '@cmsgov/design-system';
import { POLICY } from '../../../shared/policy.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { PageHeading } from '../../components/PageHeading.js';
import { REQUIRED_LABEL, RequiredFieldNote } from '../../components/RequiredMark.js';
import { StepIndicator } from '../../components/StepIndicator.js';
import { useSession } from '../session/store.js';
import { ENROLLMENT_STEPS, useAuth } from './store.js';

/**
 * After a sign-in with a temporary password from a Security Official: a new password comes
 * first, before the warning page and anything else (QualityNet guide 5.3.1).
 */
export function ChangePasswordView() {
  const { pending, error, errorField, enrolling, changePassword, signOut, reset } = useAuth();
  const user = useSession((state) => state.session?.user ?? null);
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    reset();
    return reset;
  }, [reset]);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!(await changePassword(newPassword, confirmPassword))) setConfirmPassword('');
  }

  const fieldError = (field: string) => (errorField === field ? (error ?? undefined) : undefined);
  return (
    <AppFrame>
      <SimpleMain>
        {/* Only New User Enrollment has steps; a temporary password for an account with a credential does not. */}
        {enrolling && <StepIndicator label="New User Enrollment" steps={ENROLLMENT_STEPS} current={1} />}
        <PageHeading>Change your password</PageHeading>
        <p className="ds-u-margin-top--1">You signed in with a temporary password from your Security Official. Choose your own password to continue.</p>
        {user && (
          <p className="ds-u-font-size--sm">
            Signed in as {user.firstName} {user.lastName} ({user.userId})
          </p>
        )}
        {error && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
              <p className="ds-c-alert__text" data-testid="change-password-error">
                {error}
              </p>
            </Alert>
          </div>
        )}
        <form noValidate onSubmit={(event) => void submit(event)}>
          {user && <input type="hidden" name="username" autoComplete="username" value={user.userId} />}
          <RequiredFieldNote />
          <TextField
            id="change-newPassword"
            name="newPassword"
            label="New Password"
            labelClassName={REQUIRED_LABEL}
            required
            hint={`At least ${POLICY.passwordMinLength} characters. A few unrelated words make a strong password that is easy to type.`}
            type="password"
            autoComplete="new-password"
            value={newPassword}
            errorMessage={fieldError('newPassword')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setNewPassword(event.target.value)}
          />
          <TextField
            id="change-confirmPassword"
            name="confirmPassword"
            label="Confirm New Password"
            labelClassName={REQUIRED_LABEL}
            required
            type="password"
            autoComplete="new-password"
            value={confirmPassword}
            errorMessage={fieldError('confirmPassword')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setConfirmPassword(event.target.value)}
          />
          <div className="soc-button-row">
            <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
              Change Password
            </Button>
            <Button type="button" aria-disabled={pending || undefined} onClick={() => void signOut()}>
              Log Out
            </Button>
          </div>
        </form>
      </SimpleMain>
    </AppFrame>
  );
}

import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, TextField } from '@cmsgov/design-system';
import { contract } from '../../../shared/ipc/contract.js';
import type { PasswordResetStart } from '../../../shared/ipc/contract.js';
import { PASSWORD_RESET, POLICY } from '../../../shared/policy.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { ErrorSummary, errorFor } from '../../components/ErrorSummary.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { PageHeading } from '../../components/PageHeading.js';
import { REQUIRED_LABEL, RequiredFieldNote } from '../../components/RequiredMark.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { StepIndicator } from '../../components/StepIndicator.js';
import { formatTime } from '../../components/format.js';
import { useForgotPassword } from './forgot-password-store.js';
import { problemsOf } from './validation.js';
import './auth.css';

const RESET_STEPS = ['User ID and security code', 'One-time code and new password'] as const;

const IDS: Record<string, string> = {
  userId: 'forgot-userId',
  code: 'forgot-code',
  emailCode: 'forgot-emailCode',
  newPassword: 'forgot-newPassword',
  confirmPassword: 'forgot-confirmPassword',
};

/**
 * Forgot your Password? (QualityNet guide, Table 5-2: "Access and complete Forgot My Password,
 * located on the Sign-In page"). Only the holder of the account's authenticator gets a one-time
 * code by email; without a mail server, they are told which Security Officials can help.
 */
export function ForgotPasswordView({ onBack }: { onBack: () => void }) {
  const { start, restart } = useForgotPassword();
  // Every visit starts at the first step.
  useEffect(() => {
    restart();
    return restart;
  }, [restart]);

  return (
    <AppFrame>
      <SimpleMain>
        {start?.delivery !== 'officials' && <StepIndicator label="Forgot your Password?" steps={RESET_STEPS} current={start ? 1 : 0} />}
        <PageHeading focusKey={start?.delivery ?? 'identify'}>Forgot your Password?</PageHeading>
        {start === null && <IdentifyStep onBack={onBack} />}
        {start?.delivery === 'email' && <NewPasswordStep start={start} onBack={onBack} />}
        {start?.delivery === 'officials' && <ContactOfficials start={start} onBack={onBack} />}
      </SimpleMain>
    </AppFrame>
  );
}

/** A refusal about the whole form (a wrong code, a lock, an expired code), focused when it appears. */
function FormError({ error }: { error: FieldError | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error && !error.field) ref.current?.focus();
  }, [error]);
  if (!error || error.field) return null;
  return (
    <div ref={ref} tabIndex={-1} className="soc-focus-target">
      <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
        <p className="ds-c-alert__text" data-testid="forgot-password-error">
          {error.message}
        </p>
      </Alert>
    </div>
  );
}

function IdentifyStep({ onBack }: { onBack: () => void }) {
  const { pending, error, request } = useForgotPassword();
  const [userId, setUserId] = useState('');
  const [code, setCode] = useState('');
  const [problems, setProblems] = useState<FieldError[]>([]);
  // One array per change, not per render: the summary takes focus whenever its list changes.
  const shown = useMemo(() => (error?.field ? [error] : problems), [error, problems]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = problemsOf(contract['auth.requestPasswordReset'].input, { userId, code }, ['userId', 'code']);
    setProblems(found);
    if (found.length > 0) return;
    // A code is good once: whatever the answer, the next try needs the next one.
    if (!(await request(userId, code))) setCode('');
  }

  return (
    <>
      <p className="soc-lead ds-u-margin-bottom--3">
        Enter your User ID and a fresh security code from your authenticator app. If they are right, a one-time code is emailed to the address of your account,
        to set a new password with.
      </p>
      <ErrorSummary errors={shown} idFor={(field) => IDS[field] ?? field} />
      <FormError error={error} />
      <form noValidate onSubmit={(event) => void submit(event)}>
        <RequiredFieldNote />
        <TextField
          id={IDS['userId']}
          name="userId"
          label="User ID"
          labelClassName={REQUIRED_LABEL}
          required
          autoComplete="username"
          spellCheck={false}
          value={userId}
          errorMessage={errorFor(shown, 'userId')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setUserId(event.target.value)}
        />
        <SecurityCodeField id={IDS['code'] ?? 'forgot-code'} value={code} onChange={setCode} required errorMessage={errorFor(shown, 'code')} />
        <div className="soc-button-row">
          <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
            Continue
          </Button>
          <Button type="button" variation="ghost" onClick={onBack}>
            Back to Login
          </Button>
        </div>
      </form>
    </>
  );
}

function NewPasswordStep({ start, onBack }: { start: Extract<PasswordResetStart, { delivery: 'email' }>; onBack: () => void }) {
  const { pending, error, complete, restart } = useForgotPassword();
  const [emailCode, setEmailCode] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [problems, setProblems] = useState<FieldError[]>([]);
  // The contract calls the emailed code "code"; on this page that name is the authenticator's.
  const shown = useMemo(() => (error?.field ? [error] : problems).map((p) => (p.field === 'code' ? { ...p, field: 'emailCode' } : p)), [error, problems]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = problemsOf(contract['auth.completePasswordReset'].input, { resetId: start.resetId, code: emailCode, newPassword, confirmPassword }, [
      'code',
      'newPassword',
      'confirmPassword',
    ]);
    if (found.length === 0 && newPassword !== confirmPassword) found.push({ field: 'confirmPassword', message: 'The two passwords do not match' });
    setProblems(found);
    if (found.length > 0) return;
    if (await complete(emailCode, newPassword, confirmPassword)) onBack();
    else setConfirmPassword('');
  }

  return (
    <>
      <Alert role="status" heading="Check your email" className="ds-u-margin-bottom--3">
        <p className="ds-c-alert__text" data-testid="forgot-password-sent">
          A one-time code was emailed to {start.emailHint}. It works once, until {formatTime(start.expiresAt)} ({PASSWORD_RESET.codeMinutes} minutes), and only
          in this window.
        </p>
      </Alert>
      <ErrorSummary errors={shown} idFor={(field) => IDS[field] ?? field} />
      <FormError error={error} />
      <form noValidate onSubmit={(event) => void submit(event)}>
        <RequiredFieldNote />
        <TextField
          id={IDS['emailCode']}
          name="emailCode"
          label="One-time Code"
          labelClassName={REQUIRED_LABEL}
          required
          hint={`The ${PASSWORD_RESET.codeDigits}-digit code in the email.`}
          numeric
          autoComplete="one-time-code"
          maxLength={PASSWORD_RESET.codeDigits}
          size="medium"
          spellCheck={false}
          value={emailCode}
          errorMessage={errorFor(shown, 'emailCode')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setEmailCode(event.target.value)}
        />
        <TextField
          id={IDS['newPassword']}
          name="newPassword"
          label="New Password"
          labelClassName={REQUIRED_LABEL}
          required
          hint={`At least ${POLICY.passwordMinLength} characters. A few unrelated words make a strong password that is easy to type.`}
          type="password"
          autoComplete="new-password"
          value={newPassword}
          errorMessage={errorFor(shown, 'newPassword')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setNewPassword(event.target.value)}
        />
        <TextField
          id={IDS['confirmPassword']}
          name="confirmPassword"
          label="Confirm New Password"
          labelClassName={REQUIRED_LABEL}
          required
          type="password"
          autoComplete="new-password"
          value={confirmPassword}
          errorMessage={errorFor(shown, 'confirmPassword')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setConfirmPassword(event.target.value)}
        />
        <div className="soc-button-row">
          <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
            Reset Password
          </Button>
          <Button type="button" onClick={restart}>
            Start again
          </Button>
          <Button type="button" variation="ghost" onClick={onBack}>
            Back to Login
          </Button>
        </div>
      </form>
    </>
  );
}

function ContactOfficials({ start, onBack }: { start: Extract<PasswordResetStart, { delivery: 'officials' }>; onBack: () => void }) {
  const why =
    start.reason === 'mail_not_configured'
      ? 'This console cannot email you a one-time code: it has no mail server.'
      : 'The email with your one-time code could not be sent, so that code will not work.';
  return (
    <>
      <Alert variation="warn" heading="Contact your Security Official" className="ds-u-margin-y--3">
        <p className="ds-c-alert__text" data-testid="forgot-password-contact">
          {why} Your Security Official can reset your password and give you a temporary one.
        </p>
      </Alert>
      {start.officials.length > 0 ? (
        <>
          <h2 className="ds-text-heading--lg">Your Security Officials</h2>
          <ul className="soc-contact-list" data-testid="forgot-password-officials">
            {start.officials.map((official) => (
              <li key={`${official.email}-${official.organization}`}>
                <span className="ds-u-font-weight--bold">
                  {official.firstName} {official.lastName}
                </span>
                , {official.organization}
                <br />
                {official.email}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>Contact the QualityNet Help Desk at 1-(866)-288-8912 for assistance.</p>
      )}
      <div className="soc-button-row">
        <Button type="button" variation="solid" onClick={onBack}>
          Back to Login
        </Button>
      </div>
    </>
  );
}

import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Choice, TextField } from '@cmsgov/design-system';
import { contract } from '../../../shared/ipc/contract.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { ErrorSummary, errorFor } from '../../components/ErrorSummary.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { PageHeading } from '../../components/PageHeading.js';
import { REQUIRED_LABEL, RequiredFieldNote } from '../../components/RequiredMark.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { StepIndicator } from '../../components/StepIndicator.js';
import { useSession } from '../session/store.js';
import { ForgotPasswordView } from './ForgotPasswordView.js';
import { ENROLLMENT_STEPS, useAuth } from './store.js';
import { problemsOf } from './validation.js';
import './auth.css';

type Mode = 'login' | 'temporary' | 'forgot';

/** HARP's "Login" page, its variant for a first sign-in with a temporary password, or Forgot your Password?. */
export function SignInView() {
  const [mode, setMode] = useState<Mode>('login');
  switch (mode) {
    case 'temporary':
      return <TemporarySignIn onBack={() => setMode('login')} />;
    case 'forgot':
      return <ForgotPasswordView onBack={() => setMode('login')} />;
    case 'login':
      return <CodeSignIn onTemporary={() => setMode('temporary')} onForgot={() => setMode('forgot')} />;
  }
}

const SIGN_IN_FIELDS = ['userId', 'password', 'code', 'agreeToTerms'] as const;
const SIGN_IN_IDS: Record<string, string> = {
  userId: 'sign-in-userId',
  password: 'sign-in-password',
  code: 'sign-in-code',
  agreeToTerms: 'sign-in-agreeToTerms',
};

/** HARP's "Login" page: user ID, password, security code and the Terms & Conditions. */
function CodeSignIn({ onTemporary, onForgot }: { onTemporary: () => void; onForgot: () => void }) {
  const { pending, error, errorField, signIn, reset } = useAuth();
  const notice = useSession((state) => state.notice);
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [agreeToTerms, setAgreeToTerms] = useState(false);
  const [problems, setProblems] = useState<FieldError[]>([]);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    reset();
    return reset;
  }, [reset]);
  // A refusal about the whole form (wrong password, a lock) takes focus; field problems focus the summary.
  useEffect(() => {
    if (error && !errorField) errorRef.current?.focus();
  }, [error, errorField]);

  // What the main process said about one field joins the summary like the form's own findings.
  // One array per change, not per render: the summary takes focus whenever its list changes.
  const fieldProblems = useMemo<FieldError[]>(() => (error && errorField ? [{ field: errorField, message: error }] : problems), [error, errorField, problems]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = problemsOf(contract['auth.signIn'].input, { userId, password, code, agreeToTerms }, SIGN_IN_FIELDS);
    setProblems(found);
    if (found.length > 0) {
      reset();
      return;
    }
    const ok = await signIn({ userId, password, code, agreeToTerms });
    if (!ok) {
      // The guide asks users to re-enter the password; a used code is never valid twice.
      setPassword('');
      setCode('');
    }
  }

  return (
    <AppFrame>
      <SimpleMain>
        <PageHeading>Login</PageHeading>
        <p className="soc-lead ds-u-margin-bottom--3">Enter your user ID and password to login.</p>

        <ErrorSummary errors={fieldProblems} idFor={(field) => SIGN_IN_IDS[field] ?? field} />
        {error && !errorField && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
              <p className="ds-c-alert__text" data-testid="sign-in-error">
                {error}
              </p>
            </Alert>
          </div>
        )}
        {!error && fieldProblems.length === 0 && notice && (
          <Alert role="status" className="ds-u-margin-bottom--3">
            <p className="ds-c-alert__text" data-testid="sign-in-notice">
              {notice}
            </p>
          </Alert>
        )}

        <form noValidate onSubmit={(event) => void submit(event)}>
          <RequiredFieldNote />
          <TextField
            id={SIGN_IN_IDS['userId']}
            name="userId"
            label="User ID"
            labelClassName={REQUIRED_LABEL}
            required
            autoComplete="username"
            spellCheck={false}
            value={userId}
            errorMessage={errorFor(fieldProblems, 'userId')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setUserId(event.target.value)}
          />
          <TextField
            id={SIGN_IN_IDS['password']}
            name="password"
            label="Password"
            labelClassName={REQUIRED_LABEL}
            required
            type="password"
            autoComplete="current-password"
            value={password}
            errorMessage={errorFor(fieldProblems, 'password')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setPassword(event.target.value)}
          />
          {/* QualityNet guide, Table 5-2: the temporary-lock message sends the user to this link. */}
          <p className="ds-u-margin-top--1 ds-u-margin-bottom--0">
            <a
              href="#forgot-password"
              className="soc-link-button"
              onClick={(event) => {
                // A view of its own, not a navigation (Electron denies navigation).
                event.preventDefault();
                onForgot();
              }}
            >
              Forgot your Password?
            </a>
          </p>
          <SecurityCodeField
            id={SIGN_IN_IDS['code'] ?? 'sign-in-code'}
            value={code}
            onChange={setCode}
            required
            errorMessage={errorFor(fieldProblems, 'code')}
          />

          <details className="soc-disclosure ds-u-margin-top--3">
            <summary>Having trouble logging in?</summary>
            <p>
              Forgot your Password? resets it with a security code from your authenticator and a one-time code emailed to you. Your organization&apos;s Security
              Official can also unlock your account or give you a temporary password.
            </p>
          </details>

          <Choice
            id={SIGN_IN_IDS['agreeToTerms'] ?? 'sign-in-agreeToTerms'}
            type="checkbox"
            name="agreeToTerms"
            value="agree"
            label="I agree to the Terms & Conditions"
            labelClassName={REQUIRED_LABEL}
            required
            checked={agreeToTerms}
            errorMessage={errorFor(fieldProblems, 'agreeToTerms')}
            onChange={(event) => setAgreeToTerms(event.target.checked)}
            className="ds-u-margin-top--3"
          />
          <details className="soc-disclosure ds-u-margin-top--1">
            <summary>Read the Terms &amp; Conditions</summary>
            <TermsText />
          </details>

          <div className="ds-u-margin-top--4">
            <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
              Login
            </Button>
          </div>
        </form>
        {/* QualityNet guide 5.2, Figure 5-2: the Help box of the login page. */}
        <aside className="soc-help-box" aria-labelledby="new-user-heading">
          <h2 id="new-user-heading" className="ds-text-heading--md ds-u-margin-top--0">
            New user?
          </h2>
          <p className="ds-u-margin-y--1">With the temporary password your Security Official gave you (also after they removed a lost authenticator):</p>
          <Button size="small" onClick={onTemporary}>
            Start/Complete New User Enrollment
          </Button>
        </aside>
      </SimpleMain>
    </AppFrame>
  );
}

/**
 * The one sign-in without a security code, for an account that has no authenticator yet. The
 * main process accepts it only with a temporary password an official set, and only to set a
 * new password and link an authenticator.
 */
function TemporarySignIn({ onBack }: { onBack: () => void }) {
  const { pending, error, errorField, signInWithTemporaryPassword, reset } = useAuth();
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [agreeToTerms, setAgreeToTerms] = useState(false);
  const [problems, setProblems] = useState<FieldError[]>([]);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    reset();
    return reset;
  }, [reset]);
  useEffect(() => {
    if (error && !errorField) errorRef.current?.focus();
  }, [error, errorField]);

  const fieldProblems = useMemo<FieldError[]>(() => (error && errorField ? [{ field: errorField, message: error }] : problems), [error, errorField, problems]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = problemsOf(contract['auth.signInWithTemporaryPassword'].input, { userId, password, agreeToTerms }, TEMPORARY_FIELDS);
    setProblems(found);
    if (found.length > 0) {
      reset();
      return;
    }
    if (!(await signInWithTemporaryPassword({ userId, password, agreeToTerms }))) setPassword('');
  }

  return (
    <AppFrame>
      <SimpleMain>
        <StepIndicator label="New User Enrollment" steps={ENROLLMENT_STEPS} current={0} />
        <PageHeading>New User Enrollment</PageHeading>
        <p className="soc-lead ds-u-margin-bottom--3">
          Type your User ID, which is not case-sensitive, and the temporary password your Security Official gave you. You will choose your own password and link
          an authenticator app next.
        </p>
        <ErrorSummary errors={fieldProblems} idFor={(field) => TEMPORARY_IDS[field] ?? field} />
        {error && !errorField && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
              <p className="ds-c-alert__text" data-testid="sign-in-error">
                {error}
              </p>
            </Alert>
          </div>
        )}
        <form noValidate onSubmit={(event) => void submit(event)}>
          <RequiredFieldNote />
          <TextField
            id={TEMPORARY_IDS['userId']}
            name="userId"
            label="User ID"
            labelClassName={REQUIRED_LABEL}
            required
            autoComplete="username"
            spellCheck={false}
            value={userId}
            errorMessage={errorFor(fieldProblems, 'userId')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setUserId(event.target.value)}
          />
          <TextField
            id={TEMPORARY_IDS['password']}
            name="password"
            label="Temporary Password"
            labelClassName={REQUIRED_LABEL}
            required
            hint="As your Security Official gave it to you, with the dashes."
            type="password"
            autoComplete="one-time-code"
            value={password}
            errorMessage={errorFor(fieldProblems, 'password')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setPassword(event.target.value)}
          />
          <Choice
            id={TEMPORARY_IDS['agreeToTerms'] ?? 'temporary-agreeToTerms'}
            type="checkbox"
            name="agreeToTerms"
            value="agree"
            label="I agree to the Terms & Conditions"
            labelClassName={REQUIRED_LABEL}
            required
            checked={agreeToTerms}
            errorMessage={errorFor(fieldProblems, 'agreeToTerms')}
            onChange={(event) => setAgreeToTerms(event.target.checked)}
            className="ds-u-margin-top--3"
          />
          <details className="soc-disclosure ds-u-margin-top--1">
            <summary>Read the Terms &amp; Conditions</summary>
            <TermsText />
          </details>
          <div className="soc-button-row ds-u-margin-top--4">
            <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
              Login
            </Button>
            <Button type="button" variation="ghost" onClick={onBack}>
              Back to Login
            </Button>
          </div>
        </form>
      </SimpleMain>
    </AppFrame>
  );
}

const TEMPORARY_FIELDS = ['userId', 'password', 'agreeToTerms'] as const;
const TEMPORARY_IDS: Record<string, string> = { userId: 'temporary-userId', password: 'temporary-password', agreeToTerms: 'temporary-agreeToTerms' };

function TermsText() {
  return (
    <div className="ds-u-font-size--sm">
      <p>
        This console is a U.S. Government information system. You may use it only for the work your Security Official role authorizes: deciding role requests,
        managing users and credentials, and proving identities for your organizations.
      </p>
      <p>
        Keep your user ID, password and authenticator device to yourself; never share a security code. Report a lost or stolen authenticator to another Security
        Official at once. Every decision and every security-relevant action you take is recorded and may be audited.
      </p>
    </div>
  );
}

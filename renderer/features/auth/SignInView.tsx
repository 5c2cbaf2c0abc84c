import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Choice, TextField } from '@cmsgov/design-system';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { useSession } from '../session/store.js';
import { useAuth } from './store.js';

/** HARP's "Login" page, or its variant for a first sign-in with a temporary password. */
export function SignInView() {
  const [temporary, setTemporary] = useState(false);
  return temporary ? <TemporarySignIn onBack={() => setTemporary(false)} /> : <CodeSignIn onTemporary={() => setTemporary(true)} />;
}

/** HARP's "Login" page: user ID, password, security code and the Terms & Conditions. */
function CodeSignIn({ onTemporary }: { onTemporary: () => void }) {
  const { pending, error, errorField, signIn, reset } = useAuth();
  const notice = useSession((state) => state.notice);
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [agreeToTerms, setAgreeToTerms] = useState(false);
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

        {error && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
              <p className="ds-c-alert__text" data-testid="sign-in-error">
                {error}
              </p>
            </Alert>
          </div>
        )}
        {!error && notice && (
          <Alert role="status" className="ds-u-margin-bottom--3">
            <p className="ds-c-alert__text" data-testid="sign-in-notice">
              {notice}
            </p>
          </Alert>
        )}

        <form noValidate onSubmit={(event) => void submit(event)}>
          <TextField
            id="sign-in-userId"
            name="userId"
            label="User ID"
            autoComplete="username"
            spellCheck={false}
            value={userId}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setUserId(event.target.value)}
          />
          <TextField
            id="sign-in-password"
            name="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setPassword(event.target.value)}
          />
          <SecurityCodeField id="sign-in-code" value={code} onChange={setCode} />

          <details className="soc-disclosure ds-u-margin-top--3">
            <summary>Having trouble logging in?</summary>
            <p>Ask your organization&apos;s Security Official to unlock your account or reset your password.</p>
          </details>

          <Choice
            id="sign-in-agreeToTerms"
            type="checkbox"
            name="agreeToTerms"
            value="agree"
            label="I agree to the Terms & Conditions"
            checked={agreeToTerms}
            errorMessage={errorField === 'agreeToTerms' ? error ?? undefined : undefined}
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
          <p className="ds-u-margin-y--1">
            With the temporary password your Security Official gave you (also after they removed a lost authenticator):
          </p>
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
    if (!(await signInWithTemporaryPassword({ userId, password, agreeToTerms }))) setPassword('');
  }

  return (
    <AppFrame>
      <SimpleMain>
        <PageHeading>New User Enrollment</PageHeading>
        <p className="soc-lead ds-u-margin-bottom--3">
          Type your User ID, which is not case-sensitive, and the temporary password your Security Official gave you. You
          will choose your own password and link an authenticator app next.
        </p>
        {error && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
              <p className="ds-c-alert__text" data-testid="sign-in-error">
                {error}
              </p>
            </Alert>
          </div>
        )}
        <form noValidate onSubmit={(event) => void submit(event)}>
          <TextField
            id="temporary-userId"
            name="userId"
            label="User ID"
            autoComplete="username"
            spellCheck={false}
            value={userId}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setUserId(event.target.value)}
          />
          <TextField
            id="temporary-password"
            name="password"
            label="Temporary Password"
            hint="As your Security Official gave it to you, with the dashes."
            type="password"
            autoComplete="one-time-code"
            value={password}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setPassword(event.target.value)}
          />
          <Choice
            id="temporary-agreeToTerms"
            type="checkbox"
            name="agreeToTerms"
            value="agree"
            label="I agree to the Terms & Conditions"
            checked={agreeToTerms}
            errorMessage={errorField === 'agreeToTerms' ? error ?? undefined : undefined}
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

function TermsText() {
  return (
    <div className="ds-u-font-size--sm">
      <p>
        This console is a U.S. Government information system. You may use it only for the work your Security
        Official role authorizes: deciding role requests, managing users and credentials, and proving identities for
        your organizations.
      </p>
      <p>
        Keep your user ID, password and authenticator device to yourself; never share a security code. Report a lost
        or stolen authenticator to another Security Official at once. Every decision and every security-relevant
        action you take is recorded and may be audited.
      </p>
    </div>
  );
}

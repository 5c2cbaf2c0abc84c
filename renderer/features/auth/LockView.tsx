import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, TextField } from '@cmsgov/design-system';
import { POLICY } from '../../../shared/policy.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { useSession } from '../session/store.js';
import { useAuth } from './store.js';

/** Shown when the main process has locked an idle session; the page underneath is unmounted. */
export function LockView() {
  const { pending, error, unlock, signOut, reset } = useAuth();
  const user = useSession((state) => state.session?.user ?? null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
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
    if (!(await unlock({ password, code }))) {
      setPassword('');
      setCode('');
    }
  }

  return (
    <AppFrame>
      <SimpleMain>
        <PageHeading>Session locked</PageHeading>
        <p className="ds-u-margin-top--1">
          Your session was locked after {POLICY.idleLockMinutes} minutes without activity. Enter your password and a security code to continue.
        </p>
        {user && (
          <p className="ds-u-font-size--sm ds-u-color--muted">
            Signed in as {user.firstName} {user.lastName} ({user.userId})
          </p>
        )}
        {error && (
          <div ref={errorRef} tabIndex={-1} className="soc-focus-target">
            <Alert variation="error" role="alert" className="ds-u-margin-bottom--3">
              <p className="ds-c-alert__text">{error}</p>
            </Alert>
          </div>
        )}
        <form noValidate onSubmit={(event) => void submit(event)}>
          {/* Lets password managers pair the password with the account being unlocked. */}
          {user && <input type="hidden" name="username" autoComplete="username" value={user.userId} />}
          <TextField
            id="unlock-password"
            name="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setPassword(event.target.value)}
          />
          <SecurityCodeField id="unlock-code" value={code} onChange={setCode} />
          <div className="soc-button-row">
            <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
              Unlock
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

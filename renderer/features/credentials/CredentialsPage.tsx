import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, TextField } from '@cmsgov/design-system';
import { POLICY } from '../../../shared/policy.js';
import { EnrollmentDetails } from '../../components/EnrollmentDetails.js';
import { EnrollmentExpiredAlert } from '../../components/EnrollmentExpiredAlert.js';
import { ErrorSummary, errorFor, type FieldError } from '../../components/ErrorSummary.js';
import { formatDateTime } from '../../components/format.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { DESTRUCTIVE } from '../../components/useDialogKeys.js';
import { useSession } from '../session/store.js';
import { useCredentials } from './store.js';

export const MAX_CREDENTIALS_MESSAGE = 'You can link up to five credentials to a single user ID.';

/** QualityNet guide 5.4.4.1, "Managing Multifactor Credentials". */
export function CredentialsPage() {
  const { loaded, listError, success, load, dismissSuccess } = useCredentials();
  const navigationId = useSession((state) => state.navigationId);
  const successRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    dismissSuccess();
    void load();
  }, [load, dismissSuccess]);
  useEffect(() => {
    if (success) successRef.current?.focus();
  }, [success]);

  return (
    <>
      <PageHeading focusKey={navigationId}>My credentials</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        A credential is an authenticator app that gives you a security code when you log in. You can link up to five credentials to a single user ID: one on a
        work computer and one on a phone, for example.
      </p>

      {success && (
        <div ref={successRef} tabIndex={-1} className="soc-focus-target">
          <Alert variation="success" className="ds-u-margin-y--3">
            <p className="ds-c-alert__text" data-testid="credentials-success">
              {success}
            </p>
          </Alert>
        </div>
      )}

      <section aria-labelledby="credentials-table-heading" className="soc-section">
        <h2 id="credentials-table-heading" className="ds-text-heading--xl">
          Linked credentials
        </h2>
        {listError && (
          <Alert variation="error" role="alert" className="ds-u-margin-y--2">
            <p className="ds-c-alert__text">{listError}</p>
          </Alert>
        )}
        {loaded && <CredentialsTable />}
      </section>

      <AddCredential />
      <RemoveCredential />

      <Alert heading="If you lose a credential" className="ds-u-margin-top--4" headingLevel="2">
        <p className="ds-c-alert__text">
          If you lose a credential (if your phone is stolen, for example), ask another Security Official to remove it from your user ID. You cannot remove a
          credential unless you can record both the credential ID and a valid security code.
        </p>
      </Alert>
    </>
  );
}

function CredentialsTable() {
  const credentials = useCredentials((state) => state.credentials);
  if (credentials.length === 0) return <p>No credential is linked to your user ID.</p>;
  return (
    <div className="ds-c-table__wrapper">
      <table className="ds-c-table ds-c-table--compact soc-table" data-testid="credentials-table">
        <caption className="ds-u-visibility--screen-reader">
          Credentials linked to your user ID ({credentials.length} of {POLICY.maxCredentials})
        </caption>
        <thead>
          <tr>
            <th scope="col">Credential ID</th>
            <th scope="col">Name</th>
            <th scope="col">Added</th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        <tbody>
          {credentials.map((credential) => (
            <tr key={credential.credentialId}>
              <th scope="row" className="soc-mono ds-u-font-weight--normal">
                {credential.credentialId}
              </th>
              <td>{credential.label || '—'}</td>
              <td>{formatDateTime(credential.createdAt)}</td>
              <td>{formatDateTime(credential.lastUsedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const addIdFor = (field: string) => (field === 'label' ? 'add-credential-label' : `add-credential-${field}`);

function AddCredential() {
  const { credentials, enrollment, enrollPending, enrollErrors, beginEnrollment } = useCredentials();
  const atLimit = credentials.length >= POLICY.maxCredentials;

  return (
    <section aria-labelledby="add-credential-heading" className="soc-section">
      <h2 id="add-credential-heading" className="ds-text-heading--xl">
        Add a credential
      </h2>
      {!enrollment && (
        <>
          {enrollErrors.length > 0 && <ErrorAlert errors={enrollErrors} />}
          {atLimit ? (
            <p id="add-credential-limit" className="soc-limit-note">
              {MAX_CREDENTIALS_MESSAGE}
            </p>
          ) : (
            <p>Have the authenticator app you want to add open and ready, then start here.</p>
          )}
          <Button
            variation="solid"
            disabled={atLimit}
            aria-describedby={atLimit ? 'add-credential-limit' : undefined}
            aria-disabled={enrollPending || undefined}
            onClick={() => void beginEnrollment()}
          >
            Add a credential
          </Button>
        </>
      )}
      {/*
        Mounted from "Add a credential" until the key is confirmed or cancelled, so each start
        gets an empty form. A key that replaces an expired one keeps the form and the name typed
        in it; the form clears the code itself.
      */}
      {enrollment && <EnrollmentForm />}
    </section>
  );
}

function EnrollmentForm() {
  const { enrollment, keyExpired, enrollPending, enrollErrors, cancelEnrollment, confirmEnrollment } = useCredentials();
  const [label, setLabel] = useState('');
  const [code, setCode] = useState('');
  if (!enrollment) return null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!(await confirmEnrollment({ code, label }))) setCode('');
  }

  return (
    <form noValidate onSubmit={(event) => void submit(event)}>
      <ErrorSummary errors={enrollErrors} idFor={addIdFor} />
      {/* Keyed by the key: each new one gets its alert focused again and a fresh "Copy key". */}
      {keyExpired && <EnrollmentExpiredAlert key={`expired-${enrollment.enrollmentId}`} />}
      <EnrollmentDetails key={enrollment.enrollmentId} enrollment={enrollment} />
      <TextField
        id={addIdFor('label')}
        name="label"
        label="Credential name"
        hint="Optional. A name that tells your credentials apart, such as “Work phone”."
        maxLength={40}
        value={label}
        errorMessage={errorFor(enrollErrors, 'label')}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setLabel(event.target.value)}
      />
      <SecurityCodeField
        id={addIdFor('code')}
        value={code}
        hint="A fresh 6-digit code from the credential you are adding."
        errorMessage={errorFor(enrollErrors, 'code')}
        onChange={setCode}
      />
      <div className="soc-button-row">
        <Button type="submit" variation="solid" aria-disabled={enrollPending || undefined}>
          Add Credential
        </Button>
        <Button type="button" variation="ghost" onClick={cancelEnrollment}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

const removeIdFor = (field: string) => `remove-credential-${field}`;

function RemoveCredential() {
  const { removePending, removeErrors, remove } = useCredentials();
  const [credentialId, setCredentialId] = useState('');
  const [code, setCode] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await remove({ credentialId, code });
    if (ok) setCredentialId('');
    setCode('');
  }

  return (
    <section aria-labelledby="remove-credential-heading" className="soc-section">
      <h2 id="remove-credential-heading" className="ds-text-heading--xl">
        Remove a credential
      </h2>
      <p>Enter the credential ID of the authenticator app you want to unlink from your user ID, and a fresh security code from it.</p>
      <form noValidate onSubmit={(event) => void submit(event)}>
        {removeErrors.length > 0 && <ErrorAlert errors={removeErrors} />}
        <TextField
          id={removeIdFor('credentialId')}
          name="credentialId"
          label="Credential ID"
          spellCheck={false}
          autoComplete="off"
          size="medium"
          value={credentialId}
          errorMessage={errorFor(removeErrors, 'credentialId')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setCredentialId(event.target.value)}
        />
        <SecurityCodeField
          id={removeIdFor('code')}
          value={code}
          hint="A fresh 6-digit code from the credential you are removing."
          errorMessage={errorFor(removeErrors, 'code')}
          onChange={setCode}
        />
        <div className="soc-button-row">
          <Button type="submit" variation="solid" className={DESTRUCTIVE} aria-disabled={removePending || undefined}>
            Remove Credential
          </Button>
        </div>
      </form>
    </section>
  );
}

/** The main process's message, verbatim, above the form it is about. */
function ErrorAlert({ errors }: { errors: readonly FieldError[] }) {
  return (
    <Alert variation="error" role="alert" className="ds-u-margin-y--2">
      {errors.map((error, index) => (
        <p key={index} className="ds-c-alert__text">
          {error.message}
        </p>
      ))}
    </Alert>
  );
}

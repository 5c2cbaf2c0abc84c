import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Spinner, TextField } from '@cmsgov/design-system';
import { POLICY } from '../../../shared/policy.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { EnrollmentDetails } from '../../components/EnrollmentDetails.js';
import { EnrollmentExpiredAlert } from '../../components/EnrollmentExpiredAlert.js';
import { ErrorSummary, errorFor } from '../../components/ErrorSummary.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { useSetup, type SetupValues } from './store.js';

const DEFAULT_ORGANIZATION = 'Centers for Medicare & Medicaid Services';

const idFor = (field: string) => `setup-${field}`;

const initialValues: SetupValues = {
  userId: '',
  firstName: '',
  lastName: '',
  email: '',
  organizationName: DEFAULT_ORGANIZATION,
  password: '',
  confirmPassword: '',
  credentialLabel: '',
  code: '',
};

type TextKey = keyof SetupValues;

/** First run: creates the first CMS Security Official and links their first credential. */
export function SetupView() {
  const { enrollment, enrollmentStatus, enrollmentError, keyExpired, pending, errors, beginEnrollment, complete } = useSetup();
  const [values, setValues] = useState<SetupValues>(initialValues);

  useEffect(() => {
    void beginEnrollment();
  }, [beginEnrollment]);

  const bind = (key: TextKey) => ({
    id: idFor(key),
    name: key,
    value: values[key] ?? '',
    errorMessage: errorFor(errors, key),
    onChange: (event: ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [key]: event.target.value })),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const outcome = await complete(values);
    // A code from the expired key cannot confirm the new one.
    if (outcome.keyExpired) setValues((v) => ({ ...v, code: '' }));
  }

  return (
    <AppFrame>
      <SimpleMain width="wide">
        <PageHeading>Set up this console</PageHeading>
        <p className="ds-text-heading--lg ds-u-font-weight--normal ds-u-margin-top--1">This creates the first CMS Security Official of this console.</p>
        <p>
          The CMS Security Official approves the first Security Official of every organization, who then approves the people of their organization. Enter your
          own details; you will sign in with this user ID, your password and a security code from your authenticator app.
        </p>

        <ErrorSummary errors={errors} idFor={idFor} />

        <form noValidate onSubmit={(event) => void submit(event)}>
          <fieldset className="ds-c-fieldset soc-fieldset">
            <legend className="ds-c-label soc-legend">Your account</legend>
            <TextField label="User ID" autoComplete="username" spellCheck={false} {...bind('userId')} />
            <div className="soc-form-row">
              <TextField label="First Name" autoComplete="given-name" {...bind('firstName')} />
              <TextField label="Last Name" autoComplete="family-name" {...bind('lastName')} />
            </div>
            <TextField label="Email Address" type="email" autoComplete="email" {...bind('email')} />
            <TextField label="Organization" autoComplete="organization" {...bind('organizationName')} />
            <TextField
              label="Password"
              type="password"
              autoComplete="new-password"
              hint={`At least ${POLICY.passwordMinLength} characters. There are no other rules, but common and easy-to-guess passwords are refused.`}
              {...bind('password')}
            />
            <TextField label="Confirm Password" type="password" autoComplete="new-password" {...bind('confirmPassword')} />
          </fieldset>

          <section aria-labelledby="setup-credential-heading" className="soc-section">
            <h2 id="setup-credential-heading" className="ds-text-heading--xl">
              Two-factor credential
            </h2>
            {enrollmentStatus === 'loading' && (
              <p className="ds-u-display--flex ds-u-align-items--center">
                <Spinner size="small" aria-valuetext="Loading" />
                <span className="ds-u-margin-left--1">Preparing a new credential…</span>
              </p>
            )}
            {enrollmentStatus === 'failed' && (
              <Alert variation="error" heading="The credential could not be prepared">
                <p>{enrollmentError}</p>
                <Button type="button" size="small" onClick={() => void beginEnrollment()}>
                  Try again
                </Button>
              </Alert>
            )}
            {/* Keyed, so that each new key's alert takes focus again. */}
            {keyExpired && enrollment && <EnrollmentExpiredAlert key={enrollment.enrollmentId} />}
            {enrollment && <EnrollmentDetails enrollment={enrollment} />}
            <TextField
              label="Credential name"
              hint="Optional. A name that tells your credentials apart, such as “Work phone”."
              maxLength={40}
              {...bind('credentialLabel')}
            />
            <SecurityCodeField
              id={idFor('code')}
              value={values.code}
              errorMessage={errorFor(errors, 'code')}
              onChange={(code) => setValues((v) => ({ ...v, code }))}
            />
          </section>

          <div className="ds-u-margin-top--4">
            <Button type="submit" variation="solid" disabled={pending || !enrollment}>
              Set up console
            </Button>
          </div>
        </form>
      </SimpleMain>
    </AppFrame>
  );
}

import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Choice, TextField } from '@cmsgov/design-system';
import type { MailSettingsView } from '../../../shared/ipc/contract.js';
import { ErrorSummary, errorFor } from '../../components/ErrorSummary.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { PageHeading } from '../../components/PageHeading.js';
import { RequiredNote, required } from '../../components/RequiredNote.js';
import { useSession } from '../session/store.js';
import { SAVED_MESSAGE, formOf, useMailSettings, type MailSettingsForm } from './store.js';

export const NO_HOST_EXPLANATION = 'With no SMTP host, emails wait in the Outbox; nothing is lost.';
const fieldId = (field: string) => `mail-${field}`;

/** The SMTP server the console sends its emails through. */
export function MailSettingsPage() {
  const navigationId = useSession((state) => state.navigationId);
  const { settings, loadError, saved, formKey, open, test } = useMailSettings();

  useEffect(() => {
    void open();
  }, [open, navigationId]);

  return (
    <>
      <PageHeading focusKey={navigationId}>Mail settings</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        The console sends its emails (role requests to Security Officials, decisions to requesters) through this SMTP server. {NO_HOST_EXPLANATION}
      </p>
      {settings && !settings.canChange && (
        <p className="ds-u-measure--wide" data-testid="mail-settings-cms-only">
          Only a CMS Security Official can change these settings: every organization&apos;s emails go through this server.
        </p>
      )}
      {loadError && <ErrorAlert message={loadError} />}
      {saved && (
        <FocusAlert variation="success" focusKey={saved.key} testId="mail-settings-saved">
          <p className="ds-c-alert__text">{SAVED_MESSAGE}</p>
        </FocusAlert>
      )}
      {test && (
        <FocusAlert
          variation={test.result.sent ? 'success' : 'error'}
          heading={test.result.sent ? 'Test email sent' : 'Test email not sent'}
          focusKey={test.key}
          testId="mail-test-result"
        >
          <p className="ds-c-alert__text">{test.result.message}</p>
        </FocusAlert>
      )}
      {/* Keyed by each load and save, so the form starts from the stored settings (and no typed password stays). */}
      {settings && <SettingsForm key={formKey} settings={settings} />}
    </>
  );
}

function SettingsForm({ settings }: { settings: MailSettingsView }) {
  const { pending, errors, save, sendTest, testPending } = useMailSettings();
  const email = useSession((state) => state.session?.user?.email ?? '');
  const [form, setForm] = useState<MailSettingsForm>(() => formOf(settings));
  const text = (field: 'host' | 'port' | 'user' | 'from' | 'password') => (event: ChangeEvent<HTMLInputElement>) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    await save(form);
  }

  return (
    <form noValidate onSubmit={(event) => void onSubmit(event)} className="soc-narrow-form">
      <ErrorSummary errors={errors} idFor={fieldId} />
      {settings.canChange && <RequiredNote />}
      {/* Disabled as a whole for officials who may only read them. */}
      <fieldset className="ds-c-fieldset" disabled={!settings.canChange}>
        <legend className="ds-u-visibility--screen-reader">SMTP server</legend>
        <TextField
          id={fieldId('host')}
          name="host"
          label="SMTP host"
          hint="The mail server's name or address, such as smtp.example.org. Leave empty to keep emails in the Outbox."
          spellCheck={false}
          autoComplete="off"
          value={form.host}
          errorMessage={errorFor(errors, 'host')}
          onChange={text('host')}
        />
        <TextField
          id={fieldId('port')}
          name="port"
          label={required('Port')}
          aria-required
          hint="Usually 587 (STARTTLS) or 465 (TLS)."
          numeric
          size="small"
          value={form.port}
          errorMessage={errorFor(errors, 'port')}
          onChange={text('port')}
        />
        <Choice
          id={fieldId('secure')}
          type="checkbox"
          name="secure"
          value="tls"
          label="Use TLS"
          className="ds-u-margin-top--3"
          hint="TLS from the first byte (port 465). Without it, the console still uses STARTTLS when the server offers it."
          checked={form.secure}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setForm((current) => ({ ...current, secure: event.target.checked }))}
        />
        <TextField
          id={fieldId('user')}
          name="user"
          label="User name"
          hint="Optional. Leave empty if the server needs no sign-in."
          spellCheck={false}
          autoComplete="off"
          value={form.user}
          errorMessage={errorFor(errors, 'user')}
          onChange={text('user')}
        />
        <TextField
          id={fieldId('from')}
          name="from"
          label={required('From address')}
          aria-required
          hint="The sender of the console's emails, such as donotreply@example.org."
          type="email"
          spellCheck={false}
          autoComplete="off"
          value={form.from}
          errorMessage={errorFor(errors, 'from')}
          onChange={text('from')}
        />
        <TextField
          id={fieldId('password')}
          name="password"
          label="Password"
          hint={
            settings.passwordSet
              ? 'A password is stored (encrypted). Leave this empty to keep it, or type a new one to replace it.'
              : 'Optional, with a User name. Stored encrypted; it is never shown again.'
          }
          type="password"
          autoComplete="new-password"
          placeholder={settings.passwordSet ? 'Stored' : undefined}
          disabled={form.removePassword}
          value={form.password}
          errorMessage={errorFor(errors, 'password')}
          onChange={text('password')}
        />
        {settings.passwordSet && (
          <Choice
            id={fieldId('remove-password')}
            type="checkbox"
            name="removePassword"
            value="remove"
            label="Remove stored password"
            className="ds-u-margin-top--2"
            checked={form.removePassword}
            onChange={(event: ChangeEvent<HTMLInputElement>) =>
              setForm((current) => ({ ...current, removePassword: event.target.checked, password: event.target.checked ? '' : current.password }))
            }
          />
        )}
      </fieldset>
      {settings.canChange && (
        <div className="soc-button-row">
          <Button type="submit" variation="solid" aria-disabled={pending || undefined}>
            Save
          </Button>
          <Button type="button" aria-disabled={testPending || undefined} aria-describedby="mail-test-hint" onClick={() => void sendTest()}>
            {testPending ? 'Sending test email…' : 'Send test email'}
          </Button>
        </div>
      )}
      {settings.canChange && (
        <p id="mail-test-hint" className="ds-c-hint ds-u-margin-top--1">
          Send test email sends one email now to your own address{email ? ` (${email})` : ''}, with the saved settings: save a change first.
        </p>
      )}
    </form>
  );
}

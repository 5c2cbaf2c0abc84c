import { useState } from 'react';
import { Alert, Button, Choice } from '@cmsgov/design-system';
import { call, messageOf } from '../../api.js';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { formatDateTime } from '../../components/format.js';
import { PageHeading } from '../../components/PageHeading.js';
import { useSession } from '../session/store.js';
import { formatBytes } from './BackupsPage.js';

/**
 * Shown instead of sign-in when the start-up check failed: what is wrong, and the two
 * ways on: restore a good backup, or open the console read-only to review it.
 */
export function RecoveryScreen() {
  const recovery = useSession((state) => state.recovery);
  const boot = useSession((state) => state.boot);
  const backups = recovery?.backups ?? [];
  const latestGood = backups.find((b) => b.verified !== 'failed') ?? null;
  const [chosen, setChosen] = useState<string>(latestGood?.name ?? '');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(what: () => Promise<unknown>) {
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      await what();
      await boot();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setPending(false);
    }
  }

  return (
    <AppFrame>
      <SimpleMain width="wide">
        <PageHeading>The console needs to be recovered</PageHeading>
        <Alert variation="error" heading="The start-up check failed" headingLevel="2" className="ds-u-margin-y--3">
          <p className="ds-c-alert__text" data-testid="recovery-problem">
            {recovery?.problem}
          </p>
          <p className="ds-c-alert__text">Nothing has been changed. Decisions already saved in a good backup are kept.</p>
        </Alert>
        {error && (
          <Alert variation="error" role="alert" className="ds-u-margin-y--2">
            <p className="ds-c-alert__text">{error}</p>
          </Alert>
        )}
        <section aria-labelledby="recovery-restore-heading" className="soc-section">
          <h2 id="recovery-restore-heading" className="ds-text-heading--xl">
            Restore a backup
          </h2>
          {backups.length === 0 ? (
            <p>There is no backup of this console. Open it read-only, and ask your help desk.</p>
          ) : (
            <fieldset className="ds-c-fieldset">
              <legend className="ds-c-label">Backups, newest first</legend>
              {backups.map((backup) => (
                <Choice
                  key={backup.name}
                  id={`recovery-${backup.name}`}
                  type="radio"
                  name="backup"
                  value={backup.name}
                  disabled={backup.verified === 'failed'}
                  checked={chosen === backup.name}
                  label={`${formatDateTime(backup.createdAt)} (${formatBytes(backup.bytes)})`}
                  hint={
                    backup.verified === 'ok'
                      ? 'Checked'
                      : backup.verified === 'failed'
                        ? `Check failed: ${backup.problem ?? ''}`
                        : 'Not checked yet: it is checked when the console opens it'
                  }
                  onChange={() => setChosen(backup.name)}
                />
              ))}
            </fieldset>
          )}
          <div className="soc-button-row">
            <Button
              variation="solid"
              disabled={!chosen}
              aria-disabled={pending || undefined}
              onClick={() => void act(() => call('recovery.restore', { name: chosen }))}
            >
              {chosen === latestGood?.name ? 'Restore the latest good backup' : 'Restore the chosen backup'}
            </Button>
          </div>
          <p className="ds-u-font-size--sm">The current database is kept aside, not deleted.</p>
        </section>
        <section aria-labelledby="recovery-read-only-heading" className="soc-section">
          <h2 id="recovery-read-only-heading" className="ds-text-heading--xl">
            Or open read-only
          </h2>
          <p>Review history, the audit trail and users as they are. Nothing can be decided or changed; sign-ins are still recorded.</p>
          <Button aria-disabled={pending || undefined} onClick={() => void act(() => call('recovery.openReadOnly', {}))}>
            Open read-only
          </Button>
        </section>
      </SimpleMain>
    </AppFrame>
  );
}

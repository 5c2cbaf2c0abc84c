import { useEffect, useState, type FormEvent } from 'react';
import { Button, Dialog } from '@cmsgov/design-system';
import type { BackupInfo, BackupStatus } from '../../../shared/ipc/contract.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { formatDateTime } from '../../components/format.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { DESTRUCTIVE, useDialogKeys } from '../../components/useDialogKeys.js';
import { useSession } from '../session/store.js';
import { useBackups } from './store.js';
import { POSTGRESQL_BACKUP_DOCS } from '../../../shared/help.js';
import { ExternalLink } from '../help/NeedHelp.js';

const CHECK_LABELS: Record<BackupInfo['verified'], string> = { ok: 'Checked', failed: 'Check failed', unchecked: 'Not checked yet' };

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString()} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** A console on the organization's PostgreSQL database: its backups are the database operator's, not the console's. */
function OperatorBackups() {
  const navigationId = useSession((state) => state.navigationId);
  return (
    <>
      <PageHeading focusKey={navigationId}>Backup and restore</PageHeading>
      <div className="ds-c-alert ds-c-alert--warn ds-u-measure--wide ds-u-margin-top--2" data-testid="backups-by-operator">
        <div className="ds-c-alert__body">
          <h2 className="ds-c-alert__heading">Backups are made by your database operator</h2>
          <p className="ds-c-alert__text">
            This console keeps its data in your organization&apos;s PostgreSQL database, shared by every workstation. The console does not copy it: your
            database operator backs it up and restores it with PostgreSQL&apos;s own tools (pg_basebackup and point-in-time recovery).
          </p>
          <p className="ds-c-alert__text ds-u-margin-top--1">
            How to set that up is in the section &ldquo;Backups on PostgreSQL&rdquo; of the README that comes with the console, and in the{' '}
            <ExternalLink href={POSTGRESQL_BACKUP_DOCS}>PostgreSQL manual on continuous archiving and point-in-time recovery</ExternalLink>.
          </p>
        </div>
      </div>
    </>
  );
}

/** Backups of the console's database: daily and on demand, the newest 14 kept, and a restore. */
export function BackupsPage() {
  const navigationId = useSession((state) => state.navigationId);
  const { status, error, notice, load, backupNow, askRestore } = useBackups();
  useEffect(() => {
    void load();
  }, [load, navigationId]);
  const progress = status?.progress ?? null;
  if (status?.managedBy === 'database-operator') return <OperatorBackups />;
  return (
    <>
      <PageHeading focusKey={navigationId}>Backup and restore</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        The console backs its database up every day while it runs and keeps the newest 14 backups. Each backup is a consistent copy, checked by SQLite and by
        walking the audit trail. A restore is checked again first, and keeps the current database aside.
      </p>
      {status && !status.canRestore && (
        <p className="ds-u-measure--wide" data-testid="restore-cms-only">
          Only a CMS Security Official can restore a backup: a restore undoes every organization&apos;s decisions since the backup was made.
        </p>
      )}
      {error && <ErrorAlert message={error} />}
      {notice && (
        <FocusAlert variation="success" focusKey={notice.key} testId="backup-notice">
          <p className="ds-c-alert__text">{notice.text}</p>
        </FocusAlert>
      )}
      {status?.lastError && <ErrorAlert message={status.lastError} />}
      <div className="soc-button-row">
        <Button variation="solid" aria-disabled={status?.running || undefined} onClick={() => void backupNow()}>
          Back up now
        </Button>
      </div>
      {status?.running && <BackupProgress progress={progress} />}
      {!status?.running && notice && status?.finished && (
        <p className="soc-progress" data-testid="backup-finished">
          {finishedText(status.finished)}
        </p>
      )}
      <section aria-labelledby="backups-heading" className="soc-section">
        <h2 id="backups-heading" className="ds-text-heading--xl">
          Backups
        </h2>
        {!status || status.backups.length === 0 ? (
          <p>No backup yet.</p>
        ) : (
          <div className="ds-c-table__wrapper">
            <table className="ds-c-table ds-c-table--compact soc-table" data-testid="backups-table">
              <caption className="ds-u-visibility--screen-reader">Backups, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Made</th>
                  <th scope="col">File</th>
                  <th scope="col">Size</th>
                  <th scope="col">Check</th>
                  {status.canRestore && (
                    <th scope="col">
                      <span className="ds-u-visibility--screen-reader">Restore</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {status.backups.map((backup) => (
                  <tr key={backup.name} data-backup={backup.name}>
                    <td>{formatDateTime(backup.createdAt)}</td>
                    <td className="soc-mono soc-break">{backup.name}</td>
                    <td>{formatBytes(backup.bytes)}</td>
                    <td>
                      {CHECK_LABELS[backup.verified]}
                      {backup.problem && <span className="ds-u-display--block ds-u-font-size--sm">{backup.problem}</span>}
                    </td>
                    {status.canRestore && (
                      <td>
                        <Button
                          size="small"
                          variation="ghost"
                          disabled={backup.verified === 'failed'}
                          onClick={() => askRestore(backup)}
                          aria-label={`Restore ${backup.name}`}
                        >
                          Restore
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <RestoreDialog />
    </>
  );
}

const percentOf = (done: number, total: number) => (total > 0 ? Math.floor((done / total) * 100) : 0);

/** "Copying: 1,234 of 5,678 pages (22%)", then the copy's check, event by event. */
export function progressText(progress: BackupStatus['progress']): { copy: string; check: string | null; done: number; total: number } {
  if (!progress || progress.phase === 'starting' || progress.totalPages === 0) return { copy: 'Starting the backup…', check: null, done: 0, total: 0 };
  const pages = `${progress.copiedPages.toLocaleString()} of ${progress.totalPages.toLocaleString()} pages (${percentOf(progress.copiedPages, progress.totalPages)}%)`;
  const copied = progress.copiedPages === progress.totalPages;
  if (progress.phase === 'copying' && !copied) return { copy: `Copying: ${pages}`, check: null, done: progress.copiedPages, total: progress.totalPages };
  // SQLite's quick_check of the copy reports nothing until it ends: the bar waits without a total.
  if (progress.phase === 'copying') return { copy: `Copied: ${pages}`, check: 'Checking the copy with SQLite…', done: 0, total: 0 };
  const events = `${progress.checkedEvents.toLocaleString()} of ${progress.totalEvents.toLocaleString()} audit events (${percentOf(progress.checkedEvents, progress.totalEvents)}%)`;
  return { copy: `Copied: ${pages}`, check: `Checking the copy's audit trail: ${events}`, done: progress.checkedEvents, total: progress.totalEvents };
}

/** What the last backup copied and checked: "Copied 5,678 of 5,678 pages; checked 1,234 of 1,234 audit events." */
export function finishedText(finished: NonNullable<BackupStatus['finished']>): string {
  const pages = `Copied ${finished.copiedPages.toLocaleString()} of ${finished.totalPages.toLocaleString()} pages`;
  return finished.phase === 'checking'
    ? `${pages}; checked ${finished.checkedEvents.toLocaleString()} of ${finished.totalEvents.toLocaleString()} audit events.`
    : `${pages}.`;
}

function BackupProgress({ progress }: { progress: BackupStatus['progress'] }) {
  const text = progressText(progress);
  const current = text.check ?? text.copy;
  return (
    <div className="soc-progress" data-testid="backup-progress">
      {text.check && (
        <p className="ds-u-margin--0" data-testid="backup-progress-copied">
          {text.copy}
        </p>
      )}
      <label htmlFor="backup-progress-bar" data-testid="backup-progress-text">
        {current}
      </label>
      {/* Without a total yet (the worker is opening the database) the bar is indeterminate. */}
      <progress id="backup-progress-bar" max={text.total > 0 ? text.total : undefined} value={text.total > 0 ? text.done : undefined}>
        {current}
      </progress>
    </div>
  );
}

function RestoreDialog() {
  const { restoring, restorePending, restoreError, cancelRestore, confirmRestore } = useBackups();
  const [code, setCode] = useState('');
  const keys = useDialogKeys({ isOpen: restoring !== null, onConfirm: 'form', canConfirm: !restorePending });
  if (!restoring) return null;
  const close = () => {
    setCode('');
    cancelRestore();
  };
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    await confirmRestore(code);
    setCode('');
  };
  return (
    <Dialog
      {...keys}
      isOpen
      onExit={close}
      heading="Restore this backup?"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" className={DESTRUCTIVE} aria-disabled={restorePending || undefined} onClick={() => void submit()}>
            Restore
          </Button>
          <Button variation="ghost" onClick={close}>
            Cancel
          </Button>
        </div>
      }
    >
      <p>
        Restore the backup made {formatDateTime(restoring.createdAt)}? Every decision and change made since then is undone in this console. The current database
        is kept aside, not deleted. The console starts again and everyone signs in again.
      </p>
      <form noValidate onSubmit={(event) => void submit(event)}>
        <SecurityCodeField
          id="restore-code"
          value={code}
          onChange={setCode}
          hint="A fresh code from your own authenticator app confirms that it is you."
          errorMessage={restoreError?.field === 'code' ? restoreError.message : undefined}
        />
      </form>
      {restoreError && restoreError.field !== 'code' && <ErrorAlert message={restoreError.message} />}
    </Dialog>
  );
}

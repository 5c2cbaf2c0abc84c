import { useEffect } from 'react';
import { Button } from '@cmsgov/design-system';
import type { OutboxRow } from '../../../shared/ipc/contract.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { countOf, formatDateTime } from '../../components/format.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SelectField } from '../../components/SelectField.js';
import { useSession } from '../session/store.js';
import { useOutbox, type OutboxFilter } from './store.js';

// The stored status 'owed' reads as 'Queued': waiting to be sent, or to be tried again.
const STATUS_LABELS: Record<OutboxRow['status'], string> = { owed: 'Queued', sent: 'Sent', failed: 'Failed' };
const STATUS_BADGES: Record<OutboxRow['status'], string> = { owed: 'ds-c-badge--info', sent: 'ds-c-badge--success', failed: 'ds-c-badge--alert' };
const FILTERS = [
  { value: '', label: 'All' },
  { value: 'owed', label: 'Queued' },
  { value: 'sent', label: 'Sent' },
  { value: 'failed', label: 'Failed' },
];

/** The emails the console has queued, has sent and could not send. */
export function OutboxPage() {
  const navigationId = useSession((state) => state.navigationId);
  const { loaded, loading, error, notice, filter, rows, load, setFilter } = useOutbox();

  useEffect(() => {
    void load();
  }, [load, navigationId]);

  return (
    <>
      <PageHeading focusKey={navigationId}>Outbox</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        Every email the console sends: role requests to Security Officials, and decisions to requesters. Emails that cannot be sent yet are queued here and
        tried again; nothing is lost while the mail server is down or not set up.
      </p>
      {error && <ErrorAlert message={error} />}
      {notice && (
        <FocusAlert variation="success" focusKey={notice.key} testId="outbox-notice">
          <p className="ds-c-alert__text">{notice.text}</p>
        </FocusAlert>
      )}
      <div className="soc-filters">
        <SelectField id="outbox-status" name="status" label="Status" value={filter} options={FILTERS} onChange={(value) => setFilter(value as OutboxFilter)} />
        <div className="soc-filters__action">
          <Button aria-disabled={loading || undefined} onClick={() => void load()}>
            Refresh
          </Button>
        </div>
      </div>
      <section aria-labelledby="outbox-heading" className="soc-section">
        <h2 id="outbox-heading" className="ds-text-heading--xl">
          {countOf(rows.length, 'email')}
        </h2>
        {loaded && rows.length === 0 && <p>There are no emails{filter ? ` with the status ${STATUS_LABELS[filter]}` : ''}.</p>}
        {rows.length > 0 && <OutboxTable />}
      </section>
    </>
  );
}

function OutboxTable() {
  const { rows, retrying, retry } = useOutbox();
  return (
    <div className="ds-c-table__wrapper">
      <table className="ds-c-table ds-c-table--compact soc-table soc-outbox" data-testid="outbox-table">
        <caption className="ds-u-visibility--screen-reader">Emails, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">To</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Last error</th>
            <th scope="col">
              <span className="ds-u-visibility--screen-reader">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>{formatDateTime(row.createdAt)}</td>
              <td>
                <Address address={row.to} />
              </td>
              <td>{row.subject}</td>
              <td>
                <span className={`ds-c-badge ${STATUS_BADGES[row.status]}`}>{STATUS_LABELS[row.status]}</span>
                {row.sentAt !== null && <span className="ds-u-display--block ds-u-font-size--sm">{formatDateTime(row.sentAt)}</span>}
              </td>
              <td className="soc-nowrap">{row.attempts}</td>
              <td>{row.status === 'sent' ? '—' : formatDateTime(row.nextAttemptAt)}</td>
              <td className="soc-break">{row.lastError ?? '—'}</td>
              <td>
                {row.status !== 'sent' && (
                  <Button
                    size="small"
                    variation="ghost"
                    aria-label={`Retry the email to ${row.to}: ${row.subject}`}
                    aria-disabled={retrying !== null || undefined}
                    onClick={() => void retry(row.id)}
                  >
                    Retry
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An email address that may wrap only after its @. */
function Address({ address }: { address: string }) {
  const at = address.indexOf('@');
  if (at < 0) return <span className="soc-break">{address}</span>;
  return (
    <>
      {address.slice(0, at)}
      <wbr />
      {address.slice(at)}
    </>
  );
}

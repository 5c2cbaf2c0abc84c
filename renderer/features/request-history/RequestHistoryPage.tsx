import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Dialog, Spinner, TextField } from '@cmsgov/design-system';
import { HISTORY_ACTIONS, REOPEN_WINDOW_HOURS } from '../../../shared/domain.js';
import type { HistoryRow } from '../../../shared/ipc/contract.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { countOf, formatDate, formatDateTime } from '../../components/format.js';
import { organizationLabel } from '../../components/labels.js';
import { OrganizationPicker, type OrganizationChoice } from '../../components/OrganizationPicker.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SelectField } from '../../components/SelectField.js';
import { useDialogKeys } from '../../components/useDialogKeys.js';
import { VirtualGrid, type GridColumn } from '../../components/VirtualGrid.js';
import { ArchiveBanner, ArchiveSection } from '../archive/ArchivePanels.js';
import { useArchive } from '../archive/store.js';
import { useSession } from '../session/store.js';
import { useRequestHistory, type HistoryView } from './store.js';

/** iQIES job aid 5, "Request History" (Figure 11). */
export const HISTORY_INTRO = 'A history of your past approvals and rejections.';
export const SEARCH_LABEL = 'Search by Name or Request ID';

const ACTION_LABELS: Record<(typeof HISTORY_ACTIONS)[number], string> = { approved: 'Approved', rejected: 'Rejected' };
/** CSS: .soc-grid--history */
const HEADER_HEIGHT = 48;
const ROW_HEIGHT = 56;

export const nameOf = (row: { firstName: string; lastName: string }) => `${row.lastName}, ${row.firstName}`;

export function RequestHistoryPage() {
  const navigationId = useSession((state) => state.navigationId);
  const load = useRequestHistory((state) => state.load);
  const options = useRequestHistory((state) => state.options);
  const error = useRequestHistory((state) => state.error);
  const exportNotice = useRequestHistory((state) => state.exportNotice);
  const archive = useArchive((state) => state.open);

  useEffect(() => {
    void load();
  }, [load, navigationId]);

  return (
    <>
      <PageHeading focusKey={navigationId}>Request History</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        {HISTORY_INTRO}
        {archive
          ? ' Shown from the open archive.'
          : options?.scope === 'all'
            ? ' As a CMS Security Official you see every official’s decisions.'
            : ' Yours and your organizations’ other Security Officials’.'}
      </p>
      <ArchiveBanner />
      {error && error.field !== 'search' && <ErrorAlert message={error.message} />}
      {exportNotice && (
        <FocusAlert variation="success" focusKey={exportNotice.key} testId="history-export-notice">
          <p className="ds-c-alert__text">{exportNotice.text}</p>
        </FocusAlert>
      )}
      <SearchForm />
      <Filters />
      <Results />
      <ArchiveSection />
      <HistoryViewDialog />
    </>
  );
}

function SearchForm() {
  const draft = useRequestHistory((state) => state.draft);
  const error = useRequestHistory((state) => state.error);
  const { setDraft, search } = useRequestHistory.getState();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    search();
  };
  return (
    <form role="search" aria-label="Request History" className="soc-search" onSubmit={onSubmit}>
      <TextField
        id="history-search"
        name="search"
        label={SEARCH_LABEL}
        hint="A Request ID, a last name, “First Last” or “Last, First”. Leave it empty to see every decision."
        value={draft}
        className="soc-search__field"
        errorMessage={error?.field === 'search' ? error.message : undefined}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft(event.target.value)}
      />
      <Button type="submit" variation="solid" className="soc-search__button">
        Search
      </Button>
    </form>
  );
}

function Filters() {
  const filters = useRequestHistory((state) => state.filters);
  const options = useRequestHistory((state) => state.options);
  const error = useRequestHistory((state) => state.error);
  const archiveId = useArchive((state) => state.open?.archiveId);
  const { setFilters, clear } = useRequestHistory.getState();
  /** The organization chosen in the picker, so that the field shows its name, not only its ID. */
  const [chosen, setChosen] = useState<OrganizationChoice | null>(null);
  const filtered = Object.values(filters).some((value) => value !== '');
  return (
    <div className="soc-filters soc-history-filters" role="group" aria-label="Filters">
      <DateField id="history-from" name="from" label="From" value={filters.from} onChange={(from) => setFilters({ from })} />
      <DateField
        id="history-to"
        name="to"
        label="To"
        value={filters.to}
        errorMessage={error?.field === 'to' ? error.message : undefined}
        onChange={(to) => setFilters({ to })}
      />
      <SelectField
        id="history-program"
        name="program"
        label="Program"
        value={filters.program}
        options={[{ value: '', label: 'All' }, ...(options?.programs ?? []).map((program) => ({ value: program, label: program }))]}
        onChange={(program) => setFilters({ program })}
      />
      <OrganizationPicker
        id="history-organization"
        name="organization"
        label="Organization"
        allLabel="All"
        archiveId={archiveId}
        value={filters.organization}
        selected={chosen?.displayId === filters.organization ? chosen : null}
        onChange={(organization) => {
          setChosen(organization);
          setFilters({ organization: organization?.displayId ?? '' });
        }}
      />
      <SelectField
        id="history-action"
        name="action"
        label="Action"
        value={filters.action}
        options={[{ value: '', label: 'All' }, ...HISTORY_ACTIONS.map((action) => ({ value: action, label: ACTION_LABELS[action] }))]}
        onChange={(action) => setFilters({ action: action === 'approved' || action === 'rejected' ? action : '' })}
      />
      {filtered && (
        <div className="soc-filters__action">
          <Button variation="ghost" onClick={clear}>
            Clear search and filters
          </Button>
        </div>
      )}
    </div>
  );
}

function Results() {
  const rows = useRequestHistory((state) => state.rows);
  const loaded = useRequestHistory((state) => state.loaded);
  const loading = useRequestHistory((state) => state.loading);
  const loadingMore = useRequestHistory((state) => state.loadingMore);
  const hasMore = useRequestHistory((state) => state.nextCursor !== null);
  const searchedBy = useRequestHistory((state) => state.searchedBy);
  const search = useRequestHistory((state) => state.filters.search);
  const exporting = useRequestHistory((state) => state.exporting);
  const { loadMore, openPanel, exportCsv, exportPdf } = useRequestHistory.getState();

  if (!loaded) {
    return (
      <p className="ds-u-display--flex ds-u-align-items--center ds-u-margin-top--3">
        <Spinner size="small" aria-valuetext="Loading" />
        <span className="ds-u-margin-left--1">Loading Request History…</span>
      </p>
    );
  }
  const heading = hasMore ? `${rows.length.toLocaleString()}+ decisions` : countOf(rows.length, 'decision');
  const order = searchedBy === 'name' ? 'By name, then newest first.' : 'Newest decision first.';
  const columns: Array<GridColumn<HistoryRow>> = [
    {
      header: 'Requested',
      cell: (r) => (
        <time dateTime={new Date(r.requestedAt).toISOString()} title={formatDateTime(r.requestedAt)}>
          {formatDate(r.requestedAt)}
        </time>
      ),
    },
    { header: 'Request ID', cell: (r) => <span className="soc-grid__text soc-mono">{r.requestId}</span> },
    {
      header: 'Name',
      cell: (r) => (
        <>
          <span className="soc-grid__text">{nameOf(r)}</span>
          <span className="soc-grid__text soc-grid__sub">{organizationLabel(r.organization)}</span>
        </>
      ),
    },
    { header: 'Program', cell: (r) => <span className="soc-grid__text soc-grid__text--wrap">{r.program}</span> },
    {
      header: 'Completed',
      cell: (r) => (
        <>
          <time className="soc-grid__text" dateTime={new Date(r.decidedAt).toISOString()} title={formatDateTime(r.decidedAt)}>
            {formatDate(r.decidedAt)}
          </time>
          <span className={`soc-grid__text soc-grid__sub soc-action soc-action--${r.action}`}>{ACTION_LABELS[r.action]}</span>
        </>
      ),
    },
    {
      header: <span className="ds-u-visibility--screen-reader">View</span>,
      cell: (r) => (
        <button type="button" className="ds-c-button ds-c-button--ghost ds-c-button--small" tabIndex={-1} onClick={() => void openPanel(r.requestId)}>
          View<span className="ds-u-visibility--screen-reader"> request {r.requestId}</span>
        </button>
      ),
    },
  ];

  return (
    <section aria-labelledby="history-heading" className="soc-section soc-history">
      <div className="soc-history__head">
        <h2 id="history-heading" className="ds-text-heading--xl" data-testid="history-count">
          {heading}
        </h2>
        <div className="soc-history__exports">
          <Button size="small" aria-disabled={exporting !== null || undefined} onClick={() => void exportCsv()}>
            {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
          </Button>
          <Button size="small" aria-disabled={exporting !== null || undefined} onClick={() => void exportPdf()}>
            {exporting === 'pdf' ? 'Writing report…' : 'Printable report (PDF)'}
          </Button>
        </div>
      </div>
      {rows.length === 0 ? (
        !loading && (
          <p data-testid="history-empty">
            {search ? `No decision matches “${search}”.` : 'There are no approvals or rejections to show.'}{' '}
            {searchedBy === 'requestId' && 'A pending request is not in the history until it is decided.'}
          </p>
        )
      ) : (
        <>
          <p id="history-keys" className="soc-keys">
            {order} Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> move between decisions, <kbd>Enter</kbd> opens View.
          </p>
          <VirtualGrid
            rows={rows}
            columns={columns}
            rowKey={(r) => r.requestId}
            rowHeight={ROW_HEIGHT}
            headerHeight={HEADER_HEIGHT}
            hasMore={hasMore}
            loadingMore={loadingMore}
            loadMore={loadMore}
            onOpen={(r) => void openPanel(r.requestId)}
            labelledBy="history-heading"
            describedBy="history-keys"
            className="soc-grid--history"
            testId="history-grid"
            rowAttributes={(r) => ({ 'data-request-id': r.requestId })}
          />
        </>
      )}
      <p role="status" className="soc-queue__status">
        {loadingMore ? 'Loading more decisions…' : ''}
      </p>
    </section>
  );
}

/** iQIES job aid 5.3, the "Request ID" pop-up (Figure 12), with what followed the decision. */
function HistoryViewDialog() {
  const panel = useRequestHistory((state) => state.panel);
  const closePanel = useRequestHistory((state) => state.closePanel);
  const reopen = useRequestHistory((state) => state.reopen);
  const canReopen = panel?.canReopen === true;
  // A View, not a confirmation: Enter (which opened it from the list) never reopens; Reopen request is pressed.
  const keys = useDialogKeys({ isOpen: panel !== null });
  return (
    <Dialog
      {...keys}
      isOpen={panel !== null}
      onExit={closePanel}
      heading={panel ? `Request ID: ${panel.requestId}` : ''}
      size="full"
      data-testid="history-view"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          {canReopen && (
            <Button variation="solid" aria-disabled={panel?.reopenPending || undefined} onClick={() => void reopen()}>
              Reopen request
            </Button>
          )}
          <Button variation={canReopen ? 'ghost' : 'solid'} onClick={closePanel}>
            Close
          </Button>
        </div>
      }
    >
      {panel?.loading && (
        <p className="ds-u-display--flex ds-u-align-items--center">
          <Spinner size="small" aria-valuetext="Loading" />
          <span className="ds-u-margin-left--1">Loading the request…</span>
        </p>
      )}
      {panel?.error && (
        <Alert variation="error" role="alert">
          <p className="ds-c-alert__text">{panel.error}</p>
        </Alert>
      )}
      {panel?.reopened && (
        <Alert variation="success" className="ds-u-margin-bottom--2" data-testid="history-reopened">
          <p className="ds-c-alert__text">The request is pending again and back in the Role Requests queue.</p>
        </Alert>
      )}
      {panel?.reopenError && (
        <Alert variation="error" role="alert" className="ds-u-margin-bottom--2" data-testid="history-reopen-error">
          <p className="ds-c-alert__text">{panel.reopenError}</p>
        </Alert>
      )}
      {panel?.data && <ViewBody data={panel.data} />}
      {canReopen && (
        // Right above Reopen request, which it explains.
        <p className="ds-u-margin-top--3 ds-u-margin-bottom--0" data-testid="history-reopen-note">
          You rejected this request. You can reopen it within {REOPEN_WINDOW_HOURS} hours of your decision: it returns to the queue as pending.
        </p>
      )}
    </Dialog>
  );
}

function ViewBody({ data }: { data: HistoryView }) {
  return (
    <>
      <table className="ds-c-table ds-c-table--compact soc-table soc-view-table">
        <caption className="ds-u-visibility--screen-reader">The decision on request {data.requestId}</caption>
        <thead>
          <tr>
            <th scope="col">Completed</th>
            <th scope="col">Name</th>
            <th scope="col">Organization</th>
            <th scope="col">Role</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <time dateTime={new Date(data.decidedAt).toISOString()} title={formatDateTime(data.decidedAt)}>
                {formatDate(data.decidedAt)}
              </time>
            </td>
            <td>{nameOf(data)}</td>
            <td>{organizationLabel(data.organization)}</td>
            <td>{data.role}</td>
            <td data-testid="history-action" className="soc-break">
              {data.actionText}
            </td>
          </tr>
        </tbody>
      </table>
      <p className="ds-u-font-size--sm ds-u-margin-top--1">
        {data.program}; requested {formatDateTime(data.requestedAt)}.
      </p>
      <section aria-labelledby="view-events-heading" className="ds-u-margin-top--3">
        <h3 id="view-events-heading" className="ds-text-heading--lg">
          Everything recorded about this request
        </h3>
        {data.events.length === 0 ? (
          <p>No audit event names this request.</p>
        ) : (
          <ol className="soc-timeline" data-testid="history-events">
            {data.events.map((event) => (
              <li key={event.eventId} className={`soc-timeline__item${event.at > data.decidedAt ? ' soc-timeline__item--after' : ''}`}>
                <time dateTime={new Date(event.at).toISOString()} className="soc-timeline__time">
                  {formatDateTime(event.at)}
                </time>
                <span className="soc-timeline__text">{event.text}</span>
                {event.at > data.decidedAt && <span className="ds-c-badge ds-c-badge--warn soc-timeline__tag">After the decision</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type RefObject } from 'react';
import { Alert, Button, Spinner, TextField } from '@cmsgov/design-system';
import { AUDIT_CATEGORY_LABELS, auditActionWords, auditDetailFields, type AuditDetailField } from '../../../shared/audit-actions.js';
import { AUDIT_CATEGORIES, type AuditCategory } from '../../../shared/domain.js';
import type { AuditRow, AuditStatus } from '../../../shared/ipc/contract.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { countOf, formatDate, formatDateTime, formatTime } from '../../components/format.js';
import { organizationLabel } from '../../components/labels.js';
import { OrganizationPicker, type OrganizationChoice } from '../../components/OrganizationPicker.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SelectField } from '../../components/SelectField.js';
import { VirtualGrid, type GridColumn } from '../../components/VirtualGrid.js';
import { ArchiveBanner } from '../archive/ArchivePanels.js';
import { useArchive } from '../archive/store.js';
import { useSession } from '../session/store.js';
import { useAuditTrail } from './store.js';
import './audit-trail.css';

/** CSS: .soc-grid--audit */
const HEADER_HEIGHT = 48;
const ROW_HEIGHT = 56;
/** While the whole chain is being checked, the status line is asked for again this often. */
const STATUS_POLL_MS = 2_000;

/** Every security event an official may see, and whether the trail is intact. */
export function AuditTrailPage() {
  const navigationId = useSession((state) => state.navigationId);
  const load = useAuditTrail((state) => state.load);
  const error = useAuditTrail((state) => state.error);
  const exportNotice = useAuditTrail((state) => state.exportNotice);
  const checking = useAuditTrail((state) => state.status?.state === 'checking');
  const refreshStatus = useAuditTrail((state) => state.refreshStatus);
  const archive = useArchive((state) => state.open);

  useEffect(() => {
    void load();
  }, [load, navigationId]);
  useEffect(() => {
    if (!checking) return;
    const timer = setInterval(() => void refreshStatus(), STATUS_POLL_MS);
    return () => clearInterval(timer);
  }, [checking, refreshStatus]);

  return (
    <>
      <PageHeading focusKey={navigationId}>Audit trail</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        Every security event{archive ? ' in the open archive' : ''}: sign-ins, locks, credential changes, role requests and decisions, role removals, account
        actions and proofing decisions. Each event carries the hash of the one before it, so a change made outside the console is found.
      </p>
      <ArchiveBanner />
      <StatusLine />
      {error && error.field !== 'search' && <ErrorAlert message={error.message} />}
      {exportNotice && (
        <FocusAlert variation="success" focusKey={exportNotice.key} testId="audit-export-notice">
          <p className="ds-c-alert__text">{exportNotice.text}</p>
        </FocusAlert>
      )}
      <SearchAndFilters />
      <Events />
    </>
  );
}

export function statusText(status: AuditStatus): string {
  // The reason names the first broken row ("Event 6 is missing: ...").
  if (status.broken) return `Audit trail broken: ${status.broken.reason}.`;
  if (status.state === 'verified' && status.verifiedThrough !== null && status.verifiedAt !== null) {
    return `Audit trail verified through event ${status.verifiedThrough.toLocaleString()} at ${formatDateTime(status.verifiedAt)}`;
  }
  if (status.state === 'verified') return `Audit trail verified: ${countOf(status.checked, 'event')}, each hash and link intact.`;
  const share =
    status.total > 0
      ? ` (${Math.floor((100 * status.checked) / status.total)}%, ${status.checked.toLocaleString()} of ${status.total.toLocaleString()} events)`
      : '';
  return `Checking the whole audit trail${share}. The latest 10,000 events were checked at start.`;
}

/** "Audit trail verified through event N at <time>", or the red alarm naming the first broken row. */
function StatusLine() {
  const status = useAuditTrail((state) => state.status);
  const archive = useArchive((state) => state.open);
  if (!status) return null;
  if (status.state === 'broken') {
    return (
      <Alert
        variation="error"
        role="alert"
        heading="The audit trail was changed outside the console"
        headingLevel="2"
        className="ds-u-margin-y--2"
        data-testid="audit-status"
      >
        <p className="ds-c-alert__text ds-u-font-weight--bold">{statusText(status)}</p>
        <p className="ds-c-alert__text">
          {status.broken && status.broken.detectedAt > 0 ? `Found ${formatDateTime(status.broken.detectedAt)}. ` : ''}
          Events from the named row on cannot be trusted. Keep this console as it is and tell your CMS Security Official.
        </p>
      </Alert>
    );
  }
  if (archive) return null;
  return (
    <div className={`soc-audit-status soc-audit-status--${status.state}`} role="status" data-testid="audit-status">
      {status.state === 'checking' && <Spinner size="small" aria-valuetext="Checking" />}
      <p className="ds-u-margin--0">
        <span className="ds-u-font-weight--bold">{statusText(status)}</span>
        <span className="soc-audit-status__key">
          {' '}
          {status.signature.message}. Console key fingerprint <span className="soc-mono">{status.fingerprint}</span>.
        </span>
      </p>
    </div>
  );
}

function SearchAndFilters() {
  const filters = useAuditTrail((state) => state.filters);
  const draft = useAuditTrail((state) => state.draft);
  const archiveId = useArchive((state) => state.open?.archiveId);
  const error = useAuditTrail((state) => state.error);
  /** The organization chosen in the picker, so that the field shows its name, not only its ID. */
  const [chosen, setChosen] = useState<OrganizationChoice | null>(null);
  const { setDraft, search, setFilters, clear } = useAuditTrail.getState();
  const filtered = Object.values(filters).some((value) => value !== '');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    search();
  };
  return (
    <>
      <form role="search" aria-label="Audit trail" className="soc-search" onSubmit={onSubmit}>
        <TextField
          id="audit-search"
          name="search"
          label="Search by User ID or Request ID"
          hint="The events about one user, or about one request. Leave it empty to see every event."
          value={draft}
          className="soc-search__field"
          errorMessage={error?.field === 'search' ? error.message : undefined}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft(event.target.value)}
        />
        <Button type="submit" variation="solid" className="soc-search__button">
          Search
        </Button>
      </form>
      <div className="soc-filters soc-history-filters" role="group" aria-label="Filters">
        <SelectField
          id="audit-category"
          name="category"
          label="Kind of event"
          value={filters.category}
          options={[{ value: '', label: 'All' }, ...AUDIT_CATEGORIES.map((c) => ({ value: c, label: AUDIT_CATEGORY_LABELS[c] }))]}
          onChange={(category) => setFilters({ category: (AUDIT_CATEGORIES as readonly string[]).includes(category) ? (category as AuditCategory) : '' })}
        />
        <DateField id="audit-from" name="from" label="From" value={filters.from} onChange={(from) => setFilters({ from })} />
        <DateField
          id="audit-to"
          name="to"
          label="To"
          value={filters.to}
          errorMessage={error?.field === 'to' ? error.message : undefined}
          onChange={(to) => setFilters({ to })}
        />
        <OrganizationPicker
          id="audit-organization"
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
        {filtered && (
          <div className="soc-filters__action">
            <Button variation="ghost" onClick={clear}>
              Clear search and filters
            </Button>
          </div>
        )}
      </div>
    </>
  );
}

function fieldText(f: AuditDetailField): string {
  return `${f.label}: ${f.value}`;
}

/** The details on one line ("Role: …; Program: …"), cut at the cell's edge; "Show details" shows them all. */
function FieldsLine({ fields }: { fields: readonly AuditDetailField[] }) {
  return (
    <span className="soc-grid__text soc-audit-field" title={fields.map(fieldText).join('; ')}>
      {fields.map((f, i) => (
        <span key={f.key}>
          {i > 0 && '; '}
          <span className="soc-audit-field__label">{f.label}:</span> {f.value}
        </span>
      ))}
    </span>
  );
}

const DETAILS_PANEL_ID = 'audit-event-details';

function Events() {
  const rows = useAuditTrail((state) => state.rows);
  const loaded = useAuditTrail((state) => state.loaded);
  const loading = useAuditTrail((state) => state.loading);
  const loadingMore = useAuditTrail((state) => state.loadingMore);
  const hasMore = useAuditTrail((state) => state.nextCursor !== null);
  const exporting = useAuditTrail((state) => state.exporting);
  const { loadMore, exportCsv } = useAuditTrail.getState();
  const [openId, setOpenId] = useState<number | null>(null);
  const openRow = openId === null ? undefined : rows.find((r) => r.id === openId);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const focusHeading = useRef(false);

  useEffect(() => {
    if (!openRow || !focusHeading.current) return;
    focusHeading.current = false;
    headingRef.current?.focus();
    headingRef.current?.scrollIntoView({ block: 'nearest' });
  }, [openRow]);

  const toggle = (r: AuditRow) => {
    focusHeading.current = openId !== r.id;
    setOpenId(openId === r.id ? null : r.id);
  };
  const hide = () => {
    const id = openId;
    setOpenId(null);
    // Back to the event the details were of, or to the grid when it has scrolled away.
    const row = document.querySelector<HTMLElement>(`[data-testid="audit-grid"] [data-event-id="${id}"]`);
    (row ?? document.querySelector<HTMLElement>('[data-testid="audit-grid"]'))?.focus();
  };

  if (!loaded) {
    return (
      <p className="ds-u-display--flex ds-u-align-items--center ds-u-margin-top--3">
        <Spinner size="small" aria-valuetext="Loading" />
        <span className="ds-u-margin-left--1">Loading the audit trail…</span>
      </p>
    );
  }
  const columns: Array<GridColumn<AuditRow>> = [
    { header: 'Event', cell: (r) => <span className="soc-grid__text soc-mono">{r.id}</span> },
    {
      header: 'Time',
      // Reads as formatDateTime does ("Nov 29, 2026, 5:10 PM"), but breaks only before the time in a narrow window.
      cell: (r) => (
        <time className="soc-audit-time" dateTime={new Date(r.at).toISOString()}>
          <span>{formatDate(r.at)},</span> <span>{formatTime(r.at)}</span>
        </time>
      ),
    },
    {
      header: 'Action',
      cell: (r) => (
        <span className="soc-grid__text soc-grid__text--wrap soc-grid__action" title={auditActionWords(r.action)}>
          {auditActionWords(r.action)}
        </span>
      ),
    },
    {
      header: 'By / about',
      cell: (r) => (
        <>
          <span className="soc-grid__text">{r.actor ?? 'The console'}</span>
          {r.subject && r.subject !== r.actor && <span className="soc-grid__text soc-grid__sub">about {r.subject}</span>}
        </>
      ),
    },
    {
      header: 'Organization / request',
      cell: (r) =>
        r.organization === null && r.requestId === null ? (
          <span className="soc-grid__text">—</span>
        ) : (
          <>
            <span className="soc-grid__text">
              {[r.organization?.displayId, r.requestId !== null ? `Request ${r.requestId}` : null].filter(Boolean).join(' · ')}
            </span>
            {r.organization && r.organization.name !== r.organization.displayId && (
              <span className="soc-grid__text soc-grid__sub" title={r.organization.name}>
                {r.organization.name}
              </span>
            )}
          </>
        ),
    },
    {
      header: 'Details',
      cell: (r) => {
        const fields = auditDetailFields(r.detailValues);
        if (fields.length === 0) return <span className="soc-grid__text">—</span>;
        const open = openId === r.id;
        return (
          <>
            <FieldsLine fields={fields} />
            <button type="button" className="soc-audit-more" aria-expanded={open} aria-controls={DETAILS_PANEL_ID} onClick={() => toggle(r)}>
              {open ? 'Hide details' : 'Show details'}
              <span className="ds-u-visibility--screen-reader"> of event {r.id}</span>
            </button>
          </>
        );
      },
    },
  ];
  return (
    <section aria-labelledby="audit-heading" className="soc-section soc-history">
      <div className="soc-history__head">
        <h2 id="audit-heading" className="ds-text-heading--xl" data-testid="audit-count">
          {hasMore ? `${rows.length.toLocaleString()}+ events` : countOf(rows.length, 'event')}
        </h2>
        <div className="soc-history__exports">
          <Button size="small" aria-disabled={exporting || undefined} onClick={() => void exportCsv()}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </Button>
        </div>
      </div>
      {rows.length === 0 ? (
        !loading && <p data-testid="audit-empty">No event matches. Choose All in the filters, or clear the search.</p>
      ) : (
        <>
          <p id="audit-keys" className="soc-keys">
            Newest event first. Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> move between events, <kbd>Enter</kbd> shows all of an event&apos;s details.
          </p>
          <VirtualGrid
            rows={rows}
            columns={columns}
            rowKey={(r) => r.id}
            rowHeight={ROW_HEIGHT}
            headerHeight={HEADER_HEIGHT}
            hasMore={hasMore}
            loadingMore={loadingMore}
            loadMore={loadMore}
            onOpen={toggle}
            labelledBy="audit-heading"
            describedBy="audit-keys"
            className="soc-grid--audit"
            testId="audit-grid"
            rowAttributes={(r) => ({ 'data-event-id': r.id })}
          />
        </>
      )}
      <div id={DETAILS_PANEL_ID}>{openRow && <EventDetails row={openRow} headingRef={headingRef} onHide={hide} />}</div>
      <p role="status" className="soc-queue__status">
        {loadingMore ? 'Loading more events…' : ''}
      </p>
    </section>
  );
}

/** Every detail of one event, as labelled fields. */
function EventDetails({ row, headingRef, onHide }: { row: AuditRow; headingRef: RefObject<HTMLHeadingElement | null>; onHide: () => void }) {
  const fields = auditDetailFields(row.detailValues);
  return (
    <section className="soc-audit-details" aria-labelledby="audit-details-heading" data-testid="audit-event-details">
      <div className="soc-audit-details__head">
        <h3 id="audit-details-heading" ref={headingRef} tabIndex={-1} className="ds-text-heading--lg ds-u-margin--0">
          Event {row.id}: {auditActionWords(row.action)}
        </h3>
        <Button size="small" variation="ghost" onClick={onHide}>
          Hide details
        </Button>
      </div>
      <dl className="soc-audit-details__list">
        <div>
          <dt>Time</dt>
          <dd>
            <time dateTime={new Date(row.at).toISOString()}>{formatDateTime(row.at)}</time>
          </dd>
        </div>
        <div>
          <dt>By</dt>
          <dd>{row.actor ?? 'The console'}</dd>
        </div>
        {row.subject && row.subject !== row.actor && (
          <div>
            <dt>About</dt>
            <dd>{row.subject}</dd>
          </div>
        )}
        {row.organization && (
          <div>
            <dt>Organization</dt>
            <dd>{organizationLabel(row.organization)}</dd>
          </div>
        )}
        {row.requestId !== null && (
          <div>
            <dt>Request ID</dt>
            <dd>{row.requestId}</dd>
          </div>
        )}
        {fields.map((f) => (
          <div key={f.key}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
        <div>
          <dt>Recorded as</dt>
          <dd className="soc-mono">{row.action}</dd>
        </div>
      </dl>
    </section>
  );
}

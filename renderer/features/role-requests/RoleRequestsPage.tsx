import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Choice, Spinner, TextField } from '@cmsgov/design-system';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { countOf, dayStart, formatDate } from '../../components/format.js';
import { organizationLabel } from '../../components/labels.js';
import { mailNoticeText } from '../../components/mail-notice.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SelectField } from '../../components/SelectField.js';
import { useSession } from '../session/store.js';
import { DESTRUCTIVE } from '../../components/useDialogKeys.js';
import { ApproveDialog, RejectDialog } from './DecisionDialogs.js';
import { RequestPanelDialog } from './RequestPanel.js';
import { RequestsGrid } from './RequestsGrid.js';
import { decidedMessage, useRoleRequests, type DecisionResult } from './store.js';

/** HARP job aid, "Role Requests". */
export const ROLE_REQUESTS_INTRO = "Select one or more users via the associated checkbox to Approve or Reject the user's role request.";
export const NO_PENDING_REQUESTS = 'There are no pending role requests.';
/** HARP job aid, "Helpful hint", for one organization. */
export const singleOfficialHint = (organization: string) =>
  `Consider adding a second Security Official to ${organization} so someone is always available to approve requests.`;

const SORT_OPTIONS = [
  { value: 'requested', label: 'Requested (oldest first)' },
  { value: 'lastName', label: 'Last Name (A to Z)' },
];

/** Every pending request of every organization where the official holds a Security Official role. */
export function RoleRequestsPage() {
  const navigationId = useSession((state) => state.navigationId);
  const { load, dismissResult } = useRoleRequests.getState();
  const loadError = useRoleRequests((state) => state.loadError);
  const result = useRoleRequests((state) => state.result);

  useEffect(() => {
    dismissResult();
    void load();
  }, [load, dismissResult, navigationId]);

  return (
    <>
      <PageHeading focusKey={navigationId}>Role Requests</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">{ROLE_REQUESTS_INTRO}</p>
      {result && <ResultAlert result={result} />}
      <Banners />
      {loadError && <ErrorAlert message={loadError} />}
      <Filters />
      <Queue />
      <ApproveDialog />
      <RejectDialog />
      <RequestPanelDialog />
    </>
  );
}

function Banners() {
  const scope = useRoleRequests((state) => state.scope);
  if (!scope) return null;
  const { blockedOrganizations, singleOfficialOrganizations } = scope;
  return (
    <>
      {blockedOrganizations.length > 0 && (
        <Alert variation="warn" className="ds-u-margin-y--2" data-testid="blocked-organizations">
          {blockedOrganizations.length === 1 ? (
            <p className="ds-c-alert__text">{blockedOrganizations[0]?.reason}</p>
          ) : (
            <ul className="ds-c-list ds-u-margin-y--0">
              {blockedOrganizations.map((blocked) => (
                <li key={blocked.organization.displayId}>{blocked.reason}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
      {singleOfficialOrganizations.length > 0 && (
        <Alert heading="Helpful hint" headingLevel="2" className="ds-u-margin-y--2" data-testid="single-official-hint">
          {singleOfficialOrganizations.length === 1 ? (
            <p className="ds-c-alert__text">{singleOfficialHint(organizationLabel(singleOfficialOrganizations[0]!))}</p>
          ) : (
            <ul className="ds-c-list ds-u-margin-y--0">
              {singleOfficialOrganizations.map((organization) => (
                <li key={organization.displayId}>{singleOfficialHint(organizationLabel(organization))}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
    </>
  );
}

function ResultAlert({ result }: { result: DecisionResult }) {
  const openPanel = useRoleRequests((state) => state.openPanel);
  const verb = result.kind === 'approve' ? 'approved' : 'rejected';
  const recorded = result.recorded.length;
  const mail = mailNoticeText(result.mail, result.decided + recorded > 1 ? 'several' : 'one');
  return (
    <FocusAlert variation={result.decided > 0 || recorded > 0 ? 'success' : 'warn'} focusKey={result.key} testId="decision-result">
      {/* Only first approvals were given: "0 requests approved" would read as if nothing happened. */}
      {(result.decided > 0 || recorded === 0) && <p className="ds-c-alert__text ds-u-font-weight--bold">{decidedMessage(result.kind, result.decided)}</p>}
      {recorded > 0 && (
        <>
          <p className="ds-c-alert__text ds-u-font-weight--bold" data-testid="decision-recorded">
            Recorded: 1 of 2 approvals{recorded > 1 ? ` for ${countOf(recorded, 'request')}` : ''}. The request{recorded > 1 ? 's stay' : ' stays'} pending
            until a second CMS Security Official approves.
          </p>
          <ul className="ds-c-list ds-u-margin-y--0">
            {result.recorded.map((approval) => (
              <li key={approval.requestId}>
                Request {approval.requestId}
                {approval.who ? `: ${approval.who}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.notDecided.length > 0 && (
        <>
          <p className="ds-c-alert__text">These requests were not {verb}:</p>
          <ul className="ds-c-list ds-u-margin-y--0" data-testid="decision-problems">
            {result.notDecided.map((outcome) => (
              <li key={`${outcome.requestId}-${outcome.outcome}`}>
                Request {outcome.requestId}: {outcome.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.failure && (
        <p className="ds-c-alert__text">
          The rest were not {verb}: {result.failure}
        </p>
      )}
      {mail && (
        <p className="ds-c-alert__text" data-testid="decision-mail">
          {mail}
        </p>
      )}
      {result.rejectedIds.length > 0 && result.rejectedIds.length <= 10 && (
        <p className="ds-c-alert__text">
          Rejected by mistake? You can reopen your rejection within 24 hours from its View, here or in Request History:{' '}
          {result.rejectedIds.map((requestId, index) => (
            <span key={requestId}>
              {index > 0 && ', '}
              <button type="button" className="ds-c-button ds-c-button--ghost ds-c-button--small soc-inline-button" onClick={() => void openPanel(requestId)}>
                View request {requestId}
              </button>
            </span>
          ))}
        </p>
      )}
    </FocusAlert>
  );
}

function Filters() {
  const filters = useRoleRequests((state) => state.filters);
  const scope = useRoleRequests((state) => state.scope);
  const setFilters = useRoleRequests((state) => state.setFilters);
  return (
    <div className="soc-filters" role="group" aria-label="Filter and sort">
      <SelectField
        id="queue-program"
        name="program"
        label="Program"
        value={filters.program}
        options={[{ value: '', label: 'All' }, ...(scope?.programs ?? []).map((program) => ({ value: program, label: program }))]}
        onChange={(program) => setFilters({ program })}
      />
      <SelectField
        id="queue-organization"
        name="organization"
        label="Organization"
        value={filters.organization}
        options={[
          { value: '', label: 'All' },
          ...(scope?.organizations ?? []).map((organization) => ({ value: organization.displayId, label: organizationLabel(organization) })),
        ]}
        onChange={(organization) => setFilters({ organization })}
      />
      <SelectField
        id="queue-sort"
        name="sort"
        label="Sort by"
        value={filters.sort}
        options={SORT_OPTIONS}
        onChange={(sort) => setFilters({ sort: sort === 'lastName' ? 'lastName' : 'requested', goTo: '' })}
      />
      <GoTo key={filters.sort} />
    </div>
  );
}

/** What Go to shows: "from Jul 3, 2026" or "from “Smi”". */
export function goToWords(sort: 'requested' | 'lastName', goTo: string): string {
  if (sort === 'lastName') return `“${goTo}”`;
  // The day as typed, even one before 1970 (the list itself then starts at its first request).
  const at = dayStart(goTo);
  return Number.isFinite(at) ? formatDate(at) : goTo;
}

/**
 * Go to: a long queue is reached at a date (sorted by date) or a last name (sorted by last name)
 * instead of scrolled page by page; Back to the top starts it over.
 */
function GoTo() {
  const sort = useRoleRequests((state) => state.filters.sort);
  const goTo = useRoleRequests((state) => state.filters.goTo);
  const setFilters = useRoleRequests((state) => state.setFilters);
  const [draft, setDraft] = useState(goTo);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // A day the browser accepts but no clock can hold (after the year 275760) is not a place in the list.
    if (sort === 'requested' && draft !== '' && !Number.isFinite(dayStart(draft))) {
      setError('Enter a real date, as mm/dd/yyyy');
      return;
    }
    setError(null);
    setFilters({ goTo: draft.trim() });
  };
  const back = () => {
    setDraft('');
    setFilters({ goTo: '' });
  };
  return (
    <form className="soc-goto" aria-label="Go to" onSubmit={submit}>
      {sort === 'requested' ? (
        <DateField id="queue-goto" name="goTo" label="Go to date" value={draft} onChange={setDraft} errorMessage={error ?? undefined} />
      ) : (
        <TextField
          id="queue-goto"
          name="goTo"
          label="Go to last name"
          value={draft}
          spellCheck={false}
          autoComplete="off"
          className="soc-goto__name"
          onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft(event.target.value)}
        />
      )}
      <Button type="submit" className="soc-goto__button">
        Go
      </Button>
      {goTo !== '' && (
        <Button variation="ghost" className="soc-goto__button" onClick={back}>
          Back to the top
        </Button>
      )}
    </form>
  );
}

function Queue() {
  const rows = useRoleRequests((state) => state.rows);
  const total = useRoleRequests((state) => state.total);
  const scope = useRoleRequests((state) => state.scope);
  const loading = useRoleRequests((state) => state.loading);
  const loadingMore = useRoleRequests((state) => state.loadingMore);
  const hint = useRoleRequests((state) => state.hint);
  const filtered = useRoleRequests((state) => state.filters.program !== '' || state.filters.organization !== '');
  const goTo = useRoleRequests((state) => state.filters.goTo);
  const sort = useRoleRequests((state) => state.filters.sort);

  if (!scope) {
    return loading ? (
      <p className="ds-u-display--flex ds-u-align-items--center ds-u-margin-top--3">
        <Spinner size="small" aria-valuetext="Loading" />
        <span className="ds-u-margin-left--1">Loading role requests…</span>
      </p>
    ) : null;
  }

  return (
    <section aria-labelledby="queue-heading" className="soc-section soc-queue">
      <h2 id="queue-heading" className="ds-text-heading--xl" data-testid="queue-count">
        {countOf(total, 'pending request')}
      </h2>
      {goTo !== '' && (
        <p className="soc-goto__from" data-testid="queue-goto-from">
          {sort === 'requested' ? 'Requested' : 'Last names'} from {goToWords(sort, goTo)} on.
        </p>
      )}
      {rows.length === 0 ? (
        !loading &&
        (goTo !== '' && total > 0 ? (
          <p data-testid="queue-empty">No pending requests from {goToWords(sort, goTo)} on. Choose Back to the top to see the others.</p>
        ) : (
          <p data-testid="queue-empty">
            {NO_PENDING_REQUESTS}
            {filtered && ' Choose All in the filters to see every organization and program.'}
          </p>
        ))
      ) : (
        <>
          <Toolbar />
          <p id="queue-keys" className="soc-keys">
            Keyboard: <kbd>↑</kbd> <kbd>↓</kbd> move between requests, <kbd>Space</kbd> selects, <kbd>Enter</kbd> opens View, <kbd>A</kbd> opens Approve,{' '}
            <kbd>R</kbd> opens Reject.
          </p>
          <RequestsGrid labelledBy="queue-heading" describedBy="queue-keys" />
        </>
      )}
      <p role="status" className="soc-queue__status">
        {hint ?? (loadingMore ? 'Loading more requests…' : '')}
      </p>
    </section>
  );
}

function Toolbar() {
  const rows = useRoleRequests((state) => state.rows);
  const selected = useRoleRequests((state) => state.selected);
  const previewPending = useRoleRequests((state) => state.previewPending);
  const { selectAllLoaded, openDecision } = useRoleRequests.getState();
  const allRef = useRef<HTMLInputElement>(null);
  const barRef = useRef<HTMLDivElement>(null);
  const count = selected.size;
  // The official's own requests cannot be selected: "all" means all the others.
  const selectable = rows.filter((row) => !row.mine);
  const all = selectable.length > 0 && count >= selectable.length && selectable.every((row) => selected.has(row.requestId));
  const some = count > 0 && !all;

  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = some;
  }, [some]);

  // The toolbar sticks to the window's top as the page scrolls; the grid's header row sticks below it.
  useEffect(() => {
    const bar = barRef.current;
    const queue = bar?.closest<HTMLElement>('.soc-queue');
    if (!bar || !queue) return;
    const observer = new ResizeObserver(() => queue.style.setProperty('--soc-grid-sticky-top', `${bar.offsetHeight}px`));
    observer.observe(bar);
    return () => {
      observer.disconnect();
      queue.style.removeProperty('--soc-grid-sticky-top');
    };
  }, []);

  return (
    <div ref={barRef} className="soc-toolbar">
      <Choice
        type="checkbox"
        name="select-all"
        value="all"
        size="small"
        inputRef={allRef}
        checked={all}
        disabled={selectable.length === 0}
        label="Select all on this page"
        className="soc-toolbar__all"
        onChange={(event) => selectAllLoaded(event.target.checked)}
      />
      <span className="soc-toolbar__count" aria-live="polite">
        {count > 0 ? `${countOf(count, 'request')} selected` : 'None selected'}
      </span>
      <div className="soc-toolbar__actions">
        <Button variation="solid" disabled={count === 0} aria-disabled={previewPending || undefined} onClick={() => void openDecision('approve')}>
          {count > 0 ? `Approve (${count.toLocaleString()})` : 'Approve'}
        </Button>
        <Button
          variation="solid"
          className={DESTRUCTIVE}
          disabled={count === 0}
          aria-disabled={previewPending || undefined}
          onClick={() => void openDecision('reject')}
        >
          {count > 0 ? `Reject (${count.toLocaleString()})` : 'Reject'}
        </Button>
      </div>
    </div>
  );
}

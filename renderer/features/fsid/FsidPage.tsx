import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from 'react';
import { Alert, Button, Choice, Dialog, TextField } from '@cmsgov/design-system';
import { contract, type FsidRow } from '../../../shared/ipc/contract.js';
import { ErrorSummary, errorFor, type FieldError } from '../../components/ErrorSummary.js';
import { validateAll } from '../../components/formErrors.js';
import { RequiredNote, required } from '../../components/RequiredNote.js';
import './fsid.css';
import { ROLE_NAMES } from '../../../shared/domain.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { PageHeading } from '../../components/PageHeading.js';
import { DESTRUCTIVE, useDialogKeys } from '../../components/useDialogKeys.js';
import { useSession } from '../session/store.js';
import { useFsid } from './store.js';
import '../../components/grid.css';

const STATE_LABELS = { requested: 'Requested', pending: 'Pending', verified: 'Verified' } as const;

/** iQIES job aid, section 6: Federal Surveyor IDs, for State Security Officials. */
export function FsidPage() {
  const navigationId = useSession((state) => state.navigationId);
  const search = useFsid((state) => state.search);
  useEffect(() => {
    void search();
  }, [search, navigationId]);
  return (
    <>
      <PageHeading focusKey={navigationId}>Federal Surveyor IDs</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">Enter, verify or remove the Federal Surveyor IDs of the users of your state&apos;s organizations.</p>
      <SearchForUsers />
      <Results />
      <EnterDialog />
      <ConfirmDialog />
    </>
  );
}

function SearchForUsers() {
  const filters = useFsid((state) => state.filters);
  const loading = useFsid((state) => state.loading);
  const { setFilters, search, resetFilters } = useFsid.getState();
  const [advanced, setAdvanced] = useState(false);
  function submit(event: FormEvent) {
    event.preventDefault();
    void search();
  }
  return (
    <section aria-labelledby="fsid-search-heading" className="soc-section">
      <h2 id="fsid-search-heading" className="ds-text-heading--xl">
        Search for Users
      </h2>
      <form role="search" aria-label="Search for Users" noValidate onSubmit={submit}>
        <TextField
          id="fsid-query"
          name="query"
          label="Search"
          hint="Enter first and/or last name, employee ID, or federal surveyor ID"
          spellCheck={false}
          autoComplete="off"
          value={filters.query}
          className="soc-wide-field"
          onChange={(event: ChangeEvent<HTMLInputElement>) => setFilters({ query: event.target.value })}
        />
        <Button
          size="small"
          variation="ghost"
          className="ds-u-margin-top--1"
          aria-expanded={advanced}
          aria-controls="fsid-advanced"
          onClick={() => setAdvanced(!advanced)}
        >
          {advanced ? 'Hide Advanced Search' : 'Show Advanced Search'}
        </Button>
        <div id="fsid-advanced" hidden={!advanced} className="soc-advanced-search">
          <fieldset className="ds-c-fieldset">
            <legend className="ds-c-label">User Roles</legend>
            <p className="ds-c-hint">Select one or more</p>
            {ROLE_NAMES.map((role) => (
              <Choice
                key={role}
                id={`fsid-role-${role.replace(/\s+/g, '-')}`}
                type="checkbox"
                name="roles"
                value={role}
                label={role}
                size="small"
                checked={filters.roles.includes(role)}
                onChange={(event) => setFilters({ roles: event.target.checked ? [...filters.roles, role] : filters.roles.filter((r) => r !== role) })}
              />
            ))}
          </fieldset>
          <fieldset className="ds-c-fieldset">
            <legend className="ds-c-label">Federal Surveyor ID</legend>
            <Choice
              id="fsid-pending-only"
              type="checkbox"
              name="pendingOnly"
              value="yes"
              label="Show only users pending Federal Surveyor ID verification"
              checked={filters.pendingOnly}
              onChange={(event) => setFilters({ pendingOnly: event.target.checked })}
            />
          </fieldset>
        </div>
        <div className="soc-button-row">
          <Button type="submit" variation="solid" aria-disabled={loading || undefined}>
            Search
          </Button>
          <Button type="button" onClick={() => void resetFilters()}>
            Reset
          </Button>
        </div>
      </form>
    </section>
  );
}

function Results() {
  const rows = useFsid((state) => state.rows);
  const total = useFsid((state) => state.total);
  const page = useFsid((state) => state.pageCursors.length);
  const hasNext = useFsid((state) => state.nextCursor !== null);
  const pageSize = useFsid((state) => state.pageSize);
  const loading = useFsid((state) => state.loading);
  const error = useFsid((state) => state.error);
  const notice = useFsid((state) => state.notice);
  const searched = useFsid((state) => state.searched);
  const { nextPage, previousPage, openEnter } = useFsid.getState();
  if (error) return <ErrorAlert message={error} />;
  if (!searched) return null;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <section aria-labelledby="fsid-results-heading" className="soc-section">
      <h2 id="fsid-results-heading" className="ds-text-heading--xl" data-testid="fsid-count" aria-live="polite">
        Users ({total.toLocaleString()})
      </h2>
      {notice && (
        <FocusAlert variation="success" focusKey={notice.key} testId="fsid-notice">
          <p className="ds-c-alert__text">{notice.text}</p>
        </FocusAlert>
      )}
      {rows.length === 0 ? (
        <p>{loading ? 'Searching…' : 'No users match.'}</p>
      ) : (
        <div className="ds-c-table__wrapper soc-table-wrapper">
          <table className="ds-c-table ds-c-table--compact soc-table" data-testid="fsid-table">
            <caption className="ds-u-visibility--screen-reader">
              Users and their Federal Surveyor IDs, page {page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">User ID</th>
                <th scope="col">User Roles</th>
                <th scope="col">Federal Surveyor ID</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.userId} data-user-id={row.userId}>
                  <th scope="row">
                    {row.lastName}, {row.firstName}
                  </th>
                  <td className="soc-mono">{row.userId}</td>
                  <td>{row.roles.join(', ') || '—'}</td>
                  <td>
                    <span className="soc-mono">{row.fsid ?? ''}</span>{' '}
                    <button
                      type="button"
                      className="soc-icon-button"
                      aria-label={`${row.fsid ? 'Edit' : 'Enter'} Federal Surveyor ID for ${row.firstName} ${row.lastName}`}
                      title={row.fsid ? 'Edit Federal Surveyor ID' : 'Enter Federal Surveyor ID'}
                      onClick={() => openEnter(row)}
                    >
                      <span aria-hidden="true">✎</span>
                      {!row.fsid && <span className="soc-icon-button__text">Enter Federal Surveyor ID</span>}
                    </button>
                  </td>
                  <td>
                    <StatusMenu row={row} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(page > 1 || hasNext) && (
        <nav aria-label="Pages of users" className="soc-pager">
          <Button size="small" disabled={page <= 1 || loading} onClick={() => void previousPage()}>
            Previous page
          </Button>
          <span>
            Page {page} of {pages}
          </span>
          <Button size="small" disabled={!hasNext || loading} onClick={() => void nextPage()}>
            Next page
          </Button>
        </nav>
      )}
    </section>
  );
}

/** Where the floating menu goes: under its button, or above it when the window has no room below. */
const MENU_GAP = 4;
const WINDOW_MARGIN = 8;

/** Job aid 6.4, Figure 15: the drop-down under Pending offers Verify or Remove. */
function StatusMenu({ row }: { row: FsidRow }) {
  const openConfirm = useFsid((state) => state.openConfirm);
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  /** Where the button was when the list was placed beside it. */
  const placedAt = useRef<{ top: number; left: number } | null>(null);
  // Placed before paint, within the window, so the list never hangs off screen or pushes the table.
  useLayoutEffect(() => {
    if (!open) return;
    const button = buttonRef.current?.getBoundingClientRect();
    const menu = menuRef.current?.getBoundingClientRect();
    if (!button || !menu) return;
    const fitsBelow = button.bottom + MENU_GAP + menu.height <= window.innerHeight - WINDOW_MARGIN;
    const top = fitsBelow ? button.bottom + MENU_GAP : Math.max(WINDOW_MARGIN, button.top - MENU_GAP - menu.height);
    const left = Math.max(WINDOW_MARGIN, Math.min(button.right - menu.width, window.innerWidth - menu.width - WINDOW_MARGIN));
    placedAt.current = { top: button.top, left: button.left };
    setPlace({ top, left });
  }, [open]);
  useEffect(() => {
    if (open && place) menuRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open, place]);
  // A floating list would part from its button when the page scrolls or the window resizes: it closes instead, as does a click elsewhere.
  useEffect(() => {
    if (!open) return;
    const close = () => setOpen(false);
    // Only a scroll that moved the button parts the list from it. A scroll that ends as the list
    // opens (the page bringing a notice or the button into view) leaves both where they are.
    const scrolled = () => {
      const button = buttonRef.current?.getBoundingClientRect();
      const at = placedAt.current;
      if (!button || !at || Math.abs(button.top - at.top) > 1 || Math.abs(button.left - at.left) > 1) setOpen(false);
    };
    const outside = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener('resize', close);
    window.addEventListener('scroll', scrolled, true);
    document.addEventListener('mousedown', outside);
    return () => {
      window.removeEventListener('resize', close);
      window.removeEventListener('scroll', scrolled, true);
      document.removeEventListener('mousedown', outside);
    };
  }, [open]);
  if (row.fsidState === null) return <span>—</span>;
  if (row.fsid === null) return <span>{STATE_LABELS[row.fsidState]}</span>;
  const actions = row.fsidState === 'pending' ? (['verify', 'remove'] as const) : (['remove'] as const);
  const choose = (action: 'verify' | 'remove') => {
    setOpen(false);
    openConfirm(action, row);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
    }
  };
  return (
    <div className="soc-menu" ref={rootRef} onKeyDown={onKeyDown}>
      <button
        ref={buttonRef}
        type="button"
        className="soc-menu__button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`${STATE_LABELS[row.fsidState]}: actions for ${row.firstName} ${row.lastName}`}
        onClick={() => {
          setPlace(null);
          setOpen(!open);
        }}
      >
        {STATE_LABELS[row.fsidState]} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul
          ref={menuRef}
          className="soc-menu__list soc-menu__list--floating"
          data-testid="fsid-status-menu"
          style={place ? { top: place.top, left: place.left } : { top: 0, left: 0, visibility: 'hidden' }}
        >
          {actions.map((action) => (
            <li key={action}>
              <button type="button" className="soc-menu__item" onClick={() => choose(action)}>
                {action === 'verify' ? 'Verify' : 'Remove'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const fsidFieldId = () => 'fsid-value';

/** Job aid 6.4, Figure 14: "Enter Federal Surveyor ID", Save or Cancel. */
function EnterDialog() {
  const dialog = useFsid((state) => (state.dialog?.kind === 'enter' ? state.dialog : null));
  const { closeDialog, save } = useFsid.getState();
  const [value, setValue] = useState<string | null>(null);
  const keys = useDialogKeys({ isOpen: dialog !== null, onConfirm: 'form', canConfirm: !dialog?.pending });
  const [clientErrors, setClientErrors] = useState<FieldError[]>([]);
  const serverError = dialog?.error ?? null;
  // One array per change, so that the summary takes focus when errors appear, not on every render.
  const errors = useMemo<FieldError[]>(
    () => (clientErrors.length > 0 ? clientErrors : serverError ? [{ field: serverError.field === 'fsid' ? 'fsid' : null, message: serverError.message }] : []),
    [clientErrors, serverError],
  );
  if (!dialog) return null;
  const fsid = value ?? dialog.row.fsid ?? '';
  const close = () => {
    setValue(null);
    setClientErrors([]);
    closeDialog();
  };
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    // The contract's own rule, before anything is sent.
    const problems = validateAll(contract['fsid.save'].input, { userId: dialog.row.userId, fsid }, ['fsid']);
    setClientErrors(problems);
    if (problems.length > 0) return;
    await save(fsid);
    if (useFsid.getState().dialog === null) setValue(null);
  };
  return (
    <Dialog
      {...keys}
      isOpen
      onExit={close}
      heading="Enter Federal Surveyor ID"
      size="narrow"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" aria-disabled={dialog.pending || undefined} onClick={() => void submit()}>
            Save
          </Button>
          <Button variation="ghost" onClick={close}>
            Cancel
          </Button>
        </div>
      }
    >
      <ErrorSummary errors={errors} idFor={fsidFieldId} />
      <p>
        {dialog.row.firstName} {dialog.row.lastName} ({dialog.row.userId})
      </p>
      <RequiredNote />
      <form noValidate onSubmit={(event) => void submit(event)}>
        <TextField
          id="fsid-value"
          name="fsid"
          label={required('Federal Surveyor ID')}
          aria-required
          hint="1 to 10 letters or digits"
          maxLength={10}
          spellCheck={false}
          autoComplete="off"
          value={fsid}
          errorMessage={errorFor(errors, 'fsid')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setValue(event.target.value)}
        />
      </form>
    </Dialog>
  );
}

/** Job aid 6.4, Figure 16: "Are you sure?", then Verify or Remove. */
function ConfirmDialog() {
  const dialog = useFsid((state) => (state.dialog?.kind === 'confirm' ? state.dialog : null));
  const { closeDialog, confirm } = useFsid.getState();
  const keys = useDialogKeys({ isOpen: dialog !== null, onConfirm: () => void confirm(), canConfirm: !dialog?.pending });
  if (!dialog) return null;
  const verb = dialog.action === 'verify' ? 'Verify' : 'Remove';
  return (
    <Dialog
      {...keys}
      isOpen
      onExit={closeDialog}
      heading="Are you sure?"
      size="narrow"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button
            variation="solid"
            className={dialog.action === 'remove' ? DESTRUCTIVE : undefined}
            aria-disabled={dialog.pending || undefined}
            onClick={() => void confirm()}
          >
            {verb}
          </Button>
          <Button variation="ghost" onClick={closeDialog}>
            Cancel
          </Button>
        </div>
      }
    >
      <p>
        {verb} the Federal Surveyor ID <span className="soc-mono">{dialog.row.fsid}</span> of {dialog.row.firstName} {dialog.row.lastName}?
      </p>
      {dialog.error && (
        <Alert variation="error" role="alert">
          <p className="ds-c-alert__text">{dialog.error}</p>
        </Alert>
      )}
    </Dialog>
  );
}

import { useEffect, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Spinner, TextField } from '@cmsgov/design-system';
import { ErrorAlert } from '../../components/FocusAlert.js';
import { USER_STATUS_LABELS } from '../../components/labels.js';
import { OrganizationPicker } from '../../components/OrganizationPicker.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SelectField } from '../../components/SelectField.js';
import { useSession } from '../session/store.js';
import { CreateUserDialog } from './LookupDialogs.js';
import { ProfileView } from './ProfileView.js';
import { PAGE_SIZE, useUserLookup } from './store.js';
import '../../components/grid.css';

/** iQIES job aid 4.2, Figure 6. */
export const LOOKUP_INTRO = 'Search by first name, last name, user ID or email to find a user.';

/** HARP and iQIES job aids, "User Lookup": the list, or the profile of the user chosen in it. */
export function UserLookupPage() {
  const navigationId = useSession((state) => state.navigationId);
  const profileUserId = useUserLookup((state) => state.profileUserId);
  const { loadOptions, closeProfile, openProfile } = useUserLookup.getState();

  useEffect(() => {
    // The navigation link always leads to the list; a profile chosen on Home opens that profile.
    const arrival = useUserLookup.getState().profileOnArrival;
    if (arrival !== null) {
      useUserLookup.setState({ profileOnArrival: null });
      void openProfile(arrival);
    } else if (useUserLookup.getState().profileUserId !== null) closeProfile();
    void loadOptions();
  }, [loadOptions, closeProfile, openProfile, navigationId]);

  return profileUserId !== null ? <ProfileView /> : <LookupList />;
}

function LookupList() {
  const navigationId = useSession((state) => state.navigationId);
  const optionsError = useUserLookup((state) => state.optionsError);
  const openDialog = useUserLookup((state) => state.openDialog);
  return (
    <>
      <div className="soc-page-title-row">
        <PageHeading focusKey={navigationId}>User Lookup</PageHeading>
        <Button variation="solid" size="small" onClick={() => openDialog('create')}>
          Create user
        </Button>
      </div>
      <p className="ds-u-margin-top--1 ds-u-margin-bottom--0">{LOOKUP_INTRO}</p>
      <p className="ds-u-margin-top--0 ds-u-font-size--sm">All fields marked with an asterisk (*) are required.</p>
      {optionsError && <ErrorAlert message={optionsError} />}
      <SearchForm />
      <Results />
      <CreateUserDialog />
    </>
  );
}

function SearchForm() {
  const options = useUserLookup((state) => state.options);
  const draft = useUserLookup((state) => state.draft);
  const draftOrganization = useUserLookup((state) => state.draftOrganization);
  const loading = useUserLookup((state) => state.loading);
  const searchError = useUserLookup((state) => state.searchError);
  const { setDraft, chooseOrganization, search } = useUserLookup.getState();
  const fieldError = (field: string) => (searchError?.field === field ? searchError.message : undefined);

  function submit(event: FormEvent) {
    event.preventDefault();
    void search();
  }

  return (
    <form role="search" aria-label="User Lookup" noValidate className="soc-lookup-form" onSubmit={submit}>
      <SelectField
        id="lookup-program"
        name="program"
        label="Program *"
        value={draft.program}
        options={(options?.programs ?? []).map((program) => ({ value: program, label: program }))}
        errorMessage={fieldError('program')}
        onChange={(program) => setDraft({ program })}
      />
      <OrganizationPicker
        id="lookup-organization"
        name="organization"
        label="Organization *"
        allLabel="All"
        value={draft.organization}
        selected={draftOrganization}
        errorMessage={fieldError('organization')}
        onChange={chooseOrganization}
      />
      <div className="soc-lookup-form__search">
        <TextField
          id="lookup-query"
          name="query"
          label="Search"
          hint="First name, last name, user ID or email"
          spellCheck={false}
          autoComplete="off"
          value={draft.query}
          errorMessage={fieldError('query')}
          onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft({ query: event.target.value })}
        />
        <Button type="submit" variation="solid" aria-disabled={loading || undefined}>
          Search
        </Button>
      </div>
    </form>
  );
}

function Results() {
  const filters = useUserLookup((state) => state.filters);
  const rows = useUserLookup((state) => state.rows);
  const total = useUserLookup((state) => state.total);
  const totalAtLeast = useUserLookup((state) => state.totalAtLeast);
  const truncated = useUserLookup((state) => state.truncated);
  const loading = useUserLookup((state) => state.loading);
  const searchError = useUserLookup((state) => state.searchError);
  const direction = useUserLookup((state) => state.direction);
  const pageCursors = useUserLookup((state) => state.pageCursors);
  const nextCursor = useUserLookup((state) => state.nextCursor);
  const exportPending = useUserLookup((state) => state.exportPending);
  const exportMessage = useUserLookup((state) => state.exportMessage);
  const exportError = useUserLookup((state) => state.exportError);
  const { toggleDirection, nextPage, previousPage, exportUsers, openProfile } = useUserLookup.getState();

  if (searchError && searchError.field === null) return <ErrorAlert message={searchError.message} />;
  if (!filters) return null;
  const pageNumber = pageCursors.length;
  const first = (pageNumber - 1) * PAGE_SIZE + 1;

  return (
    <section aria-labelledby="users-heading" className="soc-section">
      <div className="soc-results-header">
        <h2 id="users-heading" className="ds-text-heading--xl ds-u-margin-y--0" data-testid="users-count" aria-live="polite">
          Users ({total === null ? '…' : `${total.toLocaleString()}${totalAtLeast ? ' or more' : ''}`})
        </h2>
        <Button size="small" onClick={() => void exportUsers()} aria-disabled={exportPending || rows.length === 0 || undefined} disabled={rows.length === 0}>
          {exportPending ? 'Exporting…' : 'Export Users'}
        </Button>
      </div>
      {exportMessage && (
        <Alert variation="success" className="ds-u-margin-y--2" role="status">
          <p className="ds-c-alert__text" data-testid="export-result">
            {exportMessage}
          </p>
        </Alert>
      )}
      {exportError && <ErrorAlert message={exportError} />}
      {truncated && (
        <Alert variation="warn" className="ds-u-margin-y--2">
          <p className="ds-c-alert__text">
            More users match by first name, user ID or email than are listed. Type more of the name, user ID or email to narrow the search.
          </p>
        </Alert>
      )}
      {rows.length === 0 ? (
        <p data-testid="no-users">{loading ? 'Searching…' : 'No users match. Check the program, the organization and the search.'}</p>
      ) : (
        <div className="ds-c-table__wrapper soc-table-wrapper">
          <table className="ds-c-table ds-c-table--compact soc-table" data-testid="users-table" aria-busy={loading || undefined}>
            <caption className="ds-u-visibility--screen-reader">
              Users {first.toLocaleString()} to {(first + rows.length - 1).toLocaleString()}
              {total !== null ? ` of ${total.toLocaleString()}${totalAtLeast ? ' or more' : ''}` : ''}, by name {direction === 'asc' ? 'A to Z' : 'Z to A'}
            </caption>
            <thead>
              <tr>
                <th scope="col" aria-sort={direction === 'asc' ? 'ascending' : 'descending'}>
                  <button type="button" className="soc-sort-button" onClick={() => void toggleDirection()}>
                    Name <span aria-hidden="true">{direction === 'asc' ? '▲' : '▼'}</span>
                    <span className="ds-u-visibility--screen-reader">, sort {direction === 'asc' ? 'Z to A' : 'A to Z'}</span>
                  </button>
                </th>
                <th scope="col">User ID</th>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.userId} data-user-id={row.userId}>
                  <td>
                    <button type="button" className="soc-link-button" onClick={() => void openProfile(row.userId)}>
                      {row.lastName}, {row.firstName}
                    </button>
                    {row.exact && <span className="ds-c-badge ds-u-margin-left--1">Exact match</span>}
                  </td>
                  <td className="soc-mono">{row.userId}</td>
                  <td className="soc-break">{row.email}</td>
                  <td>{USER_STATUS_LABELS[row.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(pageNumber > 1 || nextCursor) && (
        <nav aria-label="Pages of users" className="soc-pager">
          <Button size="small" onClick={() => void previousPage()} disabled={pageNumber < 2 || loading}>
            Previous page
          </Button>
          <span>Page {pageNumber.toLocaleString()}</span>
          <Button size="small" onClick={() => void nextPage()} disabled={!nextCursor || loading}>
            Next page
          </Button>
          {loading && <Spinner size="small" aria-valuetext="Loading" />}
        </nav>
      )}
    </section>
  );
}

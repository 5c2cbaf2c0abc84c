import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { Alert, Button, Choice, Dialog } from '@cmsgov/design-system';
import { ARCHIVE_EXTENSION } from '../../../shared/domain.js';
import type { ArchiveSummary } from '../../../shared/ipc/contract.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { countOf, dayEnd, dayStart, dayValue, formatDate, formatDateTime } from '../../components/format.js';
import { organizationLabel } from '../../components/labels.js';
import { OrganizationPicker, type OrganizationChoice } from '../../components/OrganizationPicker.js';
import { useDialogKeys } from '../../components/useDialogKeys.js';
import { call, messageOf } from '../../api.js';
import { canUploadFiles } from '../../files.js';
import { useArchive } from './store.js';

const DAY = 86_400_000;
/** Above this many organizations the dialog has the official find them by name or ID instead of listing checkboxes. */
const CHECKBOX_LIMIT = 20;

/**
 * Shown above History and the Audit trail while an archive is open: what it is, whether its
 * signature and chain verify (in words, green or red), whose key signed it, and how to leave.
 */
export function ArchiveBanner() {
  const open = useArchive((state) => state.open);
  const closeArchive = useArchive((state) => state.closeArchive);
  const ref = useRef<HTMLDivElement>(null);
  const archiveId = open?.archiveId;
  // The page changed under the user's feet: they land on what it now shows.
  useEffect(() => {
    if (archiveId) ref.current?.focus();
  }, [archiveId]);
  if (!open) return null;
  const trusted = open.signature.ok && open.chain.ok;
  const close = async () => {
    await closeArchive();
    document.querySelector<HTMLElement>('main h1')?.focus();
  };
  return (
    <div ref={ref} tabIndex={-1} className="soc-focus-target">
      <Alert
        variation={trusted ? 'success' : 'error'}
        heading={trusted ? 'Viewing an offline review archive (read-only)' : 'This archive does not verify: do not rely on it'}
        headingLevel="2"
        role={trusted ? undefined : 'alert'}
        className="ds-u-margin-y--2 soc-archive-banner"
        data-testid="archive-banner"
      >
        <ArchiveFacts archive={open} />
        <div className="soc-button-row ds-u-margin-top--2">
          <Button size="small" onClick={() => void close()}>
            Close archive
          </Button>
        </div>
      </Alert>
    </div>
  );
}

function ArchiveFacts({ archive }: { archive: ArchiveSummary }) {
  return (
    <>
      <p className="ds-c-alert__text">
        {archive.organizations.map(organizationLabel).join('; ') || 'No organization'}, decisions from {formatDate(archive.from)} to {formatDate(archive.to)}:{' '}
        {countOf(archive.history, 'decision')} and {countOf(archive.audit, 'audit event')}. Exported by {archive.createdBy} on{' '}
        {formatDateTime(archive.createdAt)}.
      </p>
      <ul className="ds-c-list soc-checks" aria-label="Verification">
        <li className={archive.signature.ok ? 'soc-check--ok' : 'soc-check--failed'} data-testid="archive-signature">
          <span className="soc-check__mark">{archive.signature.ok ? 'Signature verified:' : 'Signature FAILED:'}</span> {archive.signature.message}
        </li>
        <li className={archive.chain.ok ? 'soc-check--ok' : 'soc-check--failed'} data-testid="archive-chain">
          <span className="soc-check__mark">{archive.chain.ok ? 'Audit chain verified:' : 'Audit chain FAILED:'}</span> {archive.chain.message}
        </li>
        <li>
          <span className="soc-check__mark">Key fingerprint:</span> <span className="soc-mono">{archive.fingerprint}</span>{' '}
          {archive.ownConsole ? '(this console)' : '(another console: compare it with the fingerprint shown by the console that exported it)'}
        </li>
      </ul>
    </>
  );
}

/** Export archive and Open archive, under Request History. */
export function ArchiveSection() {
  const { open, opening, openError, notice, openArchive, showExport } = useArchive();
  const fileRef = useRef<HTMLInputElement>(null);
  const upload = canUploadFiles();

  const onPick = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) void openArchive(file);
  };

  return (
    <section aria-labelledby="archive-heading" className="soc-section soc-archive-section">
      <h2 id="archive-heading" className="ds-text-heading--xl">
        Offline review archive
      </h2>
      <p className="ds-u-measure--wide">
        Export the decisions and audit events of chosen organizations and period to one file, signed by this console, to review away from the office. Open an
        archive to review it here, read-only: its signature and audit chain are checked first.
      </p>
      {notice && (
        <FocusAlert variation="success" focusKey={notice.key} testId="archive-notice" className="ds-u-margin-y--2">
          <p className="ds-c-alert__text">{notice.text}</p>
        </FocusAlert>
      )}
      {openError && <ErrorAlert message={openError} />}
      <div className="soc-button-row ds-u-margin-top--2">
        {!open && <Button onClick={showExport}>Export archive</Button>}
        <Button aria-disabled={opening || undefined} onClick={() => (upload ? fileRef.current?.click() : void openArchive())}>
          {opening ? 'Opening archive…' : 'Open archive'}
        </Button>
        {upload && (
          <input
            ref={fileRef}
            type="file"
            accept={`.${ARCHIVE_EXTENSION}`}
            className="soc-hidden-file"
            hidden
            tabIndex={-1}
            aria-hidden="true"
            onChange={onPick}
          />
        )}
      </div>
      <ExportArchiveDialog />
    </section>
  );
}

function ExportArchiveDialog() {
  const { exportOpen, exportPending, exportError, hideExport, exportArchive } = useArchive();
  // The last twelve months, by default.
  const [from, setFrom] = useState(() => dayValue(Date.now() - 365 * DAY));
  const [to, setTo] = useState(() => dayValue(Date.now()));
  /** The official's organizations when they are few enough to tick; null: found by name or ID instead. */
  const [few, setFew] = useState<OrganizationChoice[] | null | undefined>(undefined);
  const [listError, setListError] = useState<string | null>(null);
  /** Organizations found and added (when there are too many to list), in the order added: unticking keeps them listed. */
  const [added, setAdded] = useState<ReadonlyArray<OrganizationChoice>>([]);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!exportOpen || few !== undefined) return;
    let live = true;
    call('organizations.search', { query: '', limit: CHECKBOX_LIMIT })
      .then((page) => {
        if (!live) return;
        setListError(null);
        setFew(!page.all && !page.more ? page.organizations : null);
      })
      .catch((error: unknown) => live && setListError(messageOf(error)));
    return () => {
      live = false;
    };
  }, [exportOpen, few]);
  const listed = few ?? added;
  const picked = listed.filter((o) => ticked.has(o.displayId)).map((o) => o.displayId);
  const errorFor = (field: string) => (exportError?.field === field ? exportError.message : undefined);

  const toggle = (displayId: string, on: boolean) =>
    setTicked((current) => {
      const next = new Set(current);
      if (on) next.add(displayId);
      else next.delete(displayId);
      return next;
    });
  const add = (organization: OrganizationChoice) => {
    setAdded((current) => (current.some((o) => o.displayId === organization.displayId) ? current : [...current, organization]));
    toggle(organization.displayId, true);
  };
  const submit = () => void exportArchive({ organizations: picked, from: from ? dayStart(from) : Number.NaN, to: to ? dayEnd(to) : Number.NaN });
  const keys = useDialogKeys({ isOpen: exportOpen, onConfirm: submit, canConfirm: !exportPending });

  return (
    <Dialog
      {...keys}
      isOpen={exportOpen}
      onExit={hideExport}
      heading="Export archive"
      data-testid="export-archive-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" aria-disabled={exportPending || undefined} onClick={submit}>
            {exportPending ? 'Exporting…' : 'Export'}
          </Button>
          <Button variation="ghost" onClick={hideExport}>
            Cancel
          </Button>
        </div>
      }
    >
      <p>
        One file with the decisions and audit events of the organizations and period you choose, and the names and emails they mention. No password, security
        key or mail setting is ever in it. This console signs it.
      </p>
      {exportError && exportError.field === null && <ErrorAlert message={exportError.message} />}
      {listError && <ErrorAlert message={listError} />}
      {few === null && (
        <OrganizationPicker
          id="archive-organization"
          name="organization"
          label="Add an organization"
          value=""
          onChange={(organization) => organization && add(organization)}
        />
      )}
      {(listed.length > 0 || errorFor('organizations')) && (
        <fieldset className="ds-c-fieldset soc-fieldset" aria-describedby={errorFor('organizations') ? 'archive-orgs-error' : undefined}>
          <legend className="ds-c-label">{few ? 'Organizations' : 'Organizations to export'}</legend>
          {errorFor('organizations') && (
            <p className="ds-c-inline-error" id="archive-orgs-error">
              {errorFor('organizations')}
            </p>
          )}
          {listed.map((organization) => (
            <Choice
              key={organization.displayId}
              type="checkbox"
              name="organizations"
              value={organization.displayId}
              size="small"
              label={organizationLabel(organization)}
              checked={picked.includes(organization.displayId)}
              onChange={(event) => toggle(organization.displayId, event.target.checked)}
            />
          ))}
        </fieldset>
      )}
      <div className="soc-form-row">
        <DateField id="archive-from" name="from" label="From" value={from} onChange={setFrom} errorMessage={errorFor('from')} />
        <DateField id="archive-to" name="to" label="To" value={to} onChange={setTo} errorMessage={errorFor('to')} />
      </div>
    </Dialog>
  );
}

import { useMemo, useState, type ChangeEvent } from 'react';
import { Alert, Button, Dialog, TextField } from '@cmsgov/design-system';
import { REJECTION_REASON_MAX } from '../../../shared/domain.js';
import type { DecisionPreviewItem } from '../../../shared/ipc/contract.js';
import { DECISION_FLAGS, DECISION_FLAG_LABELS, type DecisionFlag } from '../../../shared/roles.js';
import { countOf } from '../../components/format.js';
import { DESTRUCTIVE, useDialogKeys } from '../../components/useDialogKeys.js';
import { organizationLabel } from '../../components/labels.js';
import { useRoleRequests, type DecisionDialog } from './store.js';

/**
 * How many selected requests the pop-up lists one by one. The counts at its top cover the whole
 * selection, and what needs a look (refusals, then flagged requests) is listed first, so a bulk
 * decision of thousands still shows every request that asks for attention within the first
 * screens; past a few hundred rows nobody reads a pop-up row by row, and a capped list keeps the
 * rows of variable height (flags wrap) in a plain table that screen readers and the browser's
 * own scrolling and find handle as is.
 */
export const LISTED_MAX = 100;

/** Each flag's badge: the words carry the meaning, the colour only repeats it. */
const FLAG_BADGES: Record<DecisionFlag, string> = {
  security_official_role: 'ds-c-badge--info',
  first_official: 'ds-c-badge--warn',
  first_of_dual_approval: 'ds-c-badge--info',
  second_of_dual_approval: 'ds-c-badge--warn',
  without_dual_control: 'ds-c-badge--alert',
  unproofed_requester: 'ds-c-badge--warn',
};

/** The counts at the top: "2 Security Official roles", "1 waiting for identity proofing". */
const FLAG_COUNTS: Record<DecisionFlag, (n: number) => string> = {
  security_official_role: (n) => countOf(n, 'Security Official role'),
  first_official: (n) => countOf(n, 'first Security Official of an organization', 'first Security Officials of an organization'),
  first_of_dual_approval: (n) => `${countOf(n, 'CMS Security Official role')}: 1 of 2 approvals`,
  second_of_dual_approval: (n) => `${countOf(n, 'second approval')}: grants the CMS Security Official role`,
  without_dual_control: (n) => `${n.toLocaleString()} granted without dual control`,
  unproofed_requester: (n) => `${n.toLocaleString()} waiting for identity proofing`,
};

type Verb = 'approved' | 'rejected';

/**
 * Flags that say what an approval does: one official rejects outright, so the Reject pop-up does
 * not show them (it would tell the official a second one must act too).
 */
const APPROVAL_ONLY: ReadonlySet<DecisionFlag> = new Set(['first_of_dual_approval', 'second_of_dual_approval', 'without_dual_control']);

/** The flags that describe this decision. */
const flagsFor = (item: DecisionPreviewItem | null, verb: Verb): DecisionFlag[] =>
  (item?.flags ?? []).filter((flag) => verb === 'approved' || !APPROVAL_ONLY.has(flag));

/** iQIES job aid 3.3, "Approve Request" pop-up: confirms, and lists what will and will not be approved. */
export function ApproveDialog() {
  const dialog = useRoleRequests((state) => (state.dialog?.kind === 'approve' ? state.dialog : null));
  const { closeDecision, approve } = useRoleRequests.getState();
  const nothing = dialog !== null && dialog.decidable.length === 0;
  const keys = useDialogKeys({ isOpen: dialog !== null, onConfirm: () => void approve(), canConfirm: !nothing && !dialog?.pending });
  return (
    <Dialog
      {...keys}
      isOpen={dialog !== null}
      onExit={closeDecision}
      heading="Approve Request"
      size="full"
      className="soc-decision-dialog"
      data-testid="approve-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" disabled={nothing} aria-disabled={dialog?.pending || undefined} onClick={() => void approve()}>
            Approve
          </Button>
          <Button variation="ghost" onClick={closeDecision}>
            Cancel
          </Button>
        </div>
      }
    >
      {dialog && (
        <>
          <p className="ds-u-font-weight--bold ds-u-margin-top--0">
            {nothing ? 'None of the selected requests can be approved.' : `Approve ${countOf(dialog.decidable.length, 'request')}?`}
          </p>
          <DecisionList dialog={dialog} verb="approved" />
          <DialogError dialog={dialog} />
        </>
      )}
    </Dialog>
  );
}

/** iQIES job aid 3.3, "Reject Request" pop-up: a Rejection Reason is required. */
export function RejectDialog() {
  const dialog = useRoleRequests((state) => (state.dialog?.kind === 'reject' ? state.dialog : null));
  const { closeDecision, reject } = useRoleRequests.getState();
  const [reason, setReason] = useState('');
  const nothing = dialog !== null && dialog.decidable.length === 0;
  const close = () => {
    closeDecision();
    setReason('');
  };
  const submit = async () => {
    await reject(reason);
    if (useRoleRequests.getState().dialog === null) setReason('');
  };
  const fieldError = dialog?.error && (dialog.error.field === 'reason' || dialog.error.field === null) ? dialog.error.message : undefined;
  const keys = useDialogKeys({ isOpen: dialog !== null, onConfirm: () => void submit(), canConfirm: !nothing && !dialog?.pending });
  return (
    <Dialog
      {...keys}
      isOpen={dialog !== null}
      onExit={close}
      heading="Reject Request"
      size="full"
      className="soc-decision-dialog"
      data-testid="reject-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" className={DESTRUCTIVE} disabled={nothing} aria-disabled={dialog?.pending || undefined} onClick={() => void submit()}>
            Reject
          </Button>
          <Button variation="ghost" onClick={close}>
            Cancel
          </Button>
        </div>
      }
    >
      {dialog && (
        <>
          <p className="ds-u-font-weight--bold ds-u-margin-top--0">
            {nothing ? 'None of the selected requests can be rejected.' : `Reject ${countOf(dialog.decidable.length, 'request')}?`}
          </p>
          <DecisionList dialog={dialog} verb="rejected" />
          {!nothing && (
            <TextField
              id="rejection-reason"
              name="reason"
              label="Rejection Reason"
              requirementLabel="Required. The requester receives it by email."
              hint={`${REJECTION_REASON_MAX - reason.length} characters left. Enter starts a new line; Ctrl+Enter rejects.`}
              multiline
              rows={3}
              maxLength={REJECTION_REASON_MAX}
              className="soc-textarea"
              value={reason}
              errorMessage={fieldError}
              onChange={(event: ChangeEvent<HTMLTextAreaElement>) => setReason(event.target.value)}
            />
          )}
          {dialog.error && !fieldError && <DialogError dialog={dialog} />}
        </>
      )}
    </Dialog>
  );
}

/** One selected request as the pop-up lists it; `item` is null for a request the main process no longer knows. */
interface Entry {
  requestId: number;
  item: DecisionPreviewItem | null;
  /** Why it will not be decided, or null. */
  refusal: string | null;
}

interface DecisionView {
  /** Refused first, then the flagged ones, then the rest; each group in the order selected. */
  entries: Entry[];
  refusedCount: number;
  /** Per flag, over every selected request (a refused one keeps its flags: they may be why). */
  flagCounts: Array<{ flag: DecisionFlag; count: number }>;
}

function decisionView(dialog: DecisionDialog, verb: Verb): DecisionView {
  const byId = new Map(dialog.items.map((item) => [item.requestId, item]));
  const counts = new Map<DecisionFlag, number>();
  for (const item of dialog.items) for (const flag of flagsFor(item, verb)) counts.set(flag, (counts.get(flag) ?? 0) + 1);
  const refused: Entry[] = dialog.refused.map((outcome) => ({
    requestId: outcome.requestId,
    item: byId.get(outcome.requestId) ?? null,
    refusal: outcome.message,
  }));
  const flagged: Entry[] = [];
  const plain: Entry[] = [];
  for (const requestId of dialog.decidable) {
    const item = byId.get(requestId) ?? null;
    (flagsFor(item, verb).length > 0 ? flagged : plain).push({ requestId, item, refusal: null });
  }
  return {
    entries: [...refused, ...flagged, ...plain],
    refusedCount: refused.length,
    flagCounts: DECISION_FLAGS.filter((flag) => counts.has(flag)).map((flag) => ({ flag, count: counts.get(flag) ?? 0 })),
  };
}

/** The counts per flag, then every selected request (up to LISTED_MAX) with what the click does to it. */
function DecisionList({ dialog, verb }: { dialog: DecisionDialog; verb: Verb }) {
  const view = useMemo(() => decisionView(dialog, verb), [dialog, verb]);
  const { entries, refusedCount, flagCounts } = view;
  const listed = entries.slice(0, LISTED_MAX);
  const listedRefused = listed.filter((entry) => entry.refusal !== null);
  const listedDecided = listed.filter((entry) => entry.refusal === null);
  const unlisted = entries.length - listed.length;
  const decidedCount = entries.length - refusedCount;
  // Several requests scroll within the pop-up, so its question and buttons stay in view.
  const scrolls = entries.length > 1;
  return (
    <>
      {entries.length > 1 && (refusedCount > 0 || flagCounts.length > 0) && (
        <div className="soc-decision-counts" data-testid="decision-counts">
          <p id="decision-counts-label" className="soc-decision-counts__label">
            Of the {countOf(entries.length, 'selected request')}:
          </p>
          <ul className="soc-decision-counts__list" aria-labelledby="decision-counts-label">
            {refusedCount > 0 && (
              <li>
                <span className="ds-c-badge ds-c-badge--alert soc-flag">
                  {refusedCount.toLocaleString()} will not be {verb}
                </span>
              </li>
            )}
            {flagCounts.map(({ flag, count }) => (
              <li key={flag}>
                <span className={`ds-c-badge ${FLAG_BADGES[flag]} soc-flag`} data-flag={flag}>
                  {FLAG_COUNTS[flag](count)}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div
        className={scrolls ? 'soc-decision-list soc-decision-list--scroll' : 'soc-decision-list'}
        role="region"
        aria-label="The selected requests"
        // Scrollable, so keyboard users can scroll it (it holds no focusable control).
        tabIndex={scrolls ? 0 : undefined}
        data-testid="decision-list"
      >
        {listedRefused.length > 0 && (
          <div className="soc-refused" data-testid="refused-requests">
            <DecisionTable
              entries={listedRefused}
              caption={refusedCount === 1 ? `This request will not be ${verb}:` : `These requests will not be ${verb}:`}
              verb={verb}
            />
          </div>
        )}
        {listedDecided.length > 0 && (
          <div className="soc-decided" data-testid="decided-requests">
            <DecisionTable
              entries={listedDecided}
              caption={decidedCount === 1 ? `This request will be ${verb}:` : `These ${decidedCount.toLocaleString()} requests will be ${verb}:`}
              verb={verb}
            />
          </div>
        )}
        {unlisted > 0 && (
          <p className="soc-decision-list__rest" data-testid="decision-unlisted">
            And {countOf(unlisted, 'more selected request')}, not listed here one by one.{' '}
            {refusedCount > 0 || flagCounts.length > 0 ? 'The counts above include them.' : 'None of them has a flag.'}
          </p>
        )}
      </div>
    </>
  );
}

function DecisionTable({ entries, caption, verb }: { entries: Entry[]; caption: string; verb: Verb }) {
  return (
    <table className="ds-c-table ds-c-table--compact soc-decision-table">
      <caption className="soc-decision-table__caption">{caption}</caption>
      {/* Fixed column widths, so that the refused and the decided requests line up. */}
      <colgroup>
        <col className="soc-decision-table__col--id" />
        <col className="soc-decision-table__col--name" />
        <col className="soc-decision-table__col--user" />
        <col className="soc-decision-table__col--role" />
        <col />
        <col className="soc-decision-table__col--program" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Request ID</th>
          <th scope="col">Name</th>
          <th scope="col">User ID</th>
          <th scope="col">Role</th>
          <th scope="col">Organization</th>
          <th scope="col">Program</th>
        </tr>
      </thead>
      {entries.map((entry) => (
        // One body per request: its facts, then what the click does to it.
        <tbody key={entry.requestId} className="soc-decision-table__item" data-request-id={entry.requestId}>
          <tr>
            <th scope="row" className="ds-u-font-weight--normal">
              {entry.requestId}
            </th>
            <td className="ds-u-font-weight--bold">{entry.item?.name ?? '—'}</td>
            <td className="soc-decision-table__user">{entry.item?.userId ?? '—'}</td>
            <td>{entry.item?.role ?? '—'}</td>
            <td>{entry.item ? organizationLabel(entry.item.organization) : '—'}</td>
            <td>{entry.item?.program ?? '—'}</td>
          </tr>
          <EntryNotes entry={entry} verb={verb} />
        </tbody>
      ))}
    </table>
  );
}

function EntryNotes({ entry, verb }: { entry: Entry; verb: Verb }) {
  const flags = flagsFor(entry.item, verb);
  if (entry.refusal === null && flags.length === 0) return null;
  const who = entry.item ? `${entry.item.name}, request ${entry.requestId}` : `request ${entry.requestId}`;
  return (
    <tr className="soc-decision-table__notes">
      <td colSpan={6}>
        {entry.refusal !== null && (
          <p className="soc-decision-table__refusal">
            <span className="ds-c-badge ds-c-badge--alert soc-flag">Will not be {verb}</span> {entry.refusal}
          </p>
        )}
        {flags.length > 0 && (
          <ul className="soc-flags" aria-label={`Flags for ${who}`}>
            {flags.map((flag) => (
              <li key={flag}>
                <span className={`ds-c-badge ${FLAG_BADGES[flag]} soc-flag`} data-flag={flag}>
                  {DECISION_FLAG_LABELS[flag]}
                </span>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function DialogError({ dialog }: { dialog: DecisionDialog }) {
  if (!dialog.error) return null;
  return (
    <Alert variation="error" role="alert" className="ds-u-margin-top--2">
      <p className="ds-c-alert__text">{dialog.error.message}</p>
    </Alert>
  );
}

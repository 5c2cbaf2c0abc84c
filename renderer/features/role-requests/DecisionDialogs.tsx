import { useMemo, useState, type ChangeEvent } from 'react';
import { Alert, Button, Dialog, TextField } from '@cmsgov/design-system';
import { REJECTION_REASON_MAX } from '../../../shared/domain.js';
import type { DecisionOutcome } from '../../../shared/ipc/contract.js';
import { countOf } from '../../components/format.js';
import { useRoleRequests, type DecisionDialog } from './store.js';

/** iQIES job aid 3.3, "Approve Request" pop-up: confirms, and lists what will not be approved and why. */
export function ApproveDialog() {
  const dialog = useRoleRequests((state) => (state.dialog?.kind === 'approve' ? state.dialog : null));
  const { closeDecision, approve } = useRoleRequests.getState();
  const nothing = dialog !== null && dialog.decidable.length === 0;
  return (
    <Dialog
      isOpen={dialog !== null}
      onExit={closeDecision}
      heading="Approve Request"
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
          <p className="ds-u-font-weight--bold">
            {nothing ? 'None of the selected requests can be approved.' : `Approve ${countOf(dialog.decidable.length, 'request')}?`}
          </p>
          <RefusedList dialog={dialog} verb="approved" />
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
  return (
    <Dialog
      isOpen={dialog !== null}
      onExit={close}
      heading="Reject Request"
      data-testid="reject-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" disabled={nothing} aria-disabled={dialog?.pending || undefined} onClick={() => void submit()}>
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
          <p className="ds-u-font-weight--bold">
            {nothing ? 'None of the selected requests can be rejected.' : `Reject ${countOf(dialog.decidable.length, 'request')}?`}
          </p>
          <RefusedList dialog={dialog} verb="rejected" />
          {!nothing && (
            <TextField
              id="rejection-reason"
              name="reason"
              label="Rejection Reason"
              requirementLabel="Required. The requester receives it by email."
              hint={`${REJECTION_REASON_MAX - reason.length} characters left`}
              multiline
              rows={4}
              maxLength={REJECTION_REASON_MAX}
              autoFocus
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

function RefusedList({ dialog, verb }: { dialog: DecisionDialog; verb: string }) {
  const rows = useRoleRequests((state) => state.rows);
  const names = useMemo(() => {
    const wanted = new Set(dialog.refused.map((outcome) => outcome.requestId));
    const map = new Map<number, string>();
    for (const row of rows) if (wanted.has(row.requestId)) map.set(row.requestId, `${row.firstName} ${row.lastName}`);
    return map;
  }, [rows, dialog.refused]);
  if (dialog.refused.length === 0) return null;
  return (
    <div className="soc-refused" data-testid="refused-requests">
      <p>These requests will not be {verb}:</p>
      <ul className="ds-c-list">
        {dialog.refused.map((outcome: DecisionOutcome) => (
          <li key={outcome.requestId}>
            <span className="ds-u-font-weight--bold">
              Request {outcome.requestId}
              {names.has(outcome.requestId) ? ` (${names.get(outcome.requestId)})` : ''}:
            </span>{' '}
            {outcome.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function DialogError({ dialog }: { dialog: DecisionDialog }) {
  if (!dialog.error) return null;
  return (
    <Alert variation="error" role="alert">
      <p className="ds-c-alert__text">{dialog.error.message}</p>
    </Alert>
  );
}

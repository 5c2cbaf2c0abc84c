import type { ReactNode } from 'react';
import { Alert, Button, Dialog, Spinner } from '@cmsgov/design-system';
import { REOPEN_WINDOW_HOURS, STALE_AFTER_DAYS } from '../../../shared/domain.js';
import { formatAge, formatDateTime } from '../../components/format.js';
import { DESTRUCTIVE, useDialogKeys } from '../../components/useDialogKeys.js';
import { PROOFING_STATE_LABELS, REQUEST_STATUS_LABELS, USER_STATUS_LABELS, organizationLabel } from '../../components/labels.js';
import { approvalsBy, approvalsCount } from './approvals.js';
import { useRoleRequests, type QueueView } from './store.js';

/**
 * "View" (HARP job aid: the User Roles and Profile Information of the requester), with the
 * request itself; an official who rejected it by mistake may reopen it here for a day.
 */
export function RequestPanelDialog() {
  const panel = useRoleRequests((state) => state.panel);
  const previewPending = useRoleRequests((state) => state.previewPending);
  const { closePanel, reopen, openDecision } = useRoleRequests.getState();
  const canReopen = panel?.data?.canReopen === true;
  // A pending request is decided from its View too: the same pop-ups, for this request alone.
  const decidable = panel?.data?.request.status === 'pending' && !panel.reopened ? panel.requestId : null;
  // A View, not a confirmation: Enter confirms nothing here (Enter on the queue's row opened it).
  const keys = useDialogKeys({ isOpen: panel !== null });
  return (
    <Dialog
      {...keys}
      isOpen={panel !== null}
      onExit={closePanel}
      heading={panel ? `Request ID: ${panel.requestId}` : ''}
      size="wide"
      data-testid="request-panel"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          {decidable !== null && (
            <>
              <Button variation="solid" aria-disabled={previewPending || undefined} onClick={() => void openDecision('approve', [decidable])}>
                Approve
              </Button>
              <Button
                variation="solid"
                className={DESTRUCTIVE}
                aria-disabled={previewPending || undefined}
                onClick={() => void openDecision('reject', [decidable])}
              >
                Reject
              </Button>
            </>
          )}
          {canReopen && (
            <Button variation="solid" aria-disabled={panel?.reopenPending || undefined} onClick={() => void reopen()}>
              Reopen request
            </Button>
          )}
          <Button variation={canReopen || decidable !== null ? 'ghost' : 'solid'} onClick={closePanel}>
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
      {panel?.reopened && (
        <Alert variation="success" className="ds-u-margin-bottom--2">
          <p className="ds-c-alert__text">The request is pending again and back in the Role Requests queue.</p>
        </Alert>
      )}
      {panel?.error && (
        <Alert variation="error" role="alert" className="ds-u-margin-bottom--2">
          <p className="ds-c-alert__text">{panel.error}</p>
        </Alert>
      )}
      {panel?.data && <PanelBody data={panel.data} />}
    </Dialog>
  );
}

function PanelBody({ data }: { data: QueueView }) {
  const { request, requester, roles, canReopen } = data;
  // The View does not carry the approvals; the queue's row does, when it is loaded.
  const approvals = useRoleRequests((state) => state.rows.find((row) => row.requestId === request.requestId)?.approvals ?? null);
  return (
    <>
      <section aria-labelledby="panel-request-heading">
        <h3 id="panel-request-heading" className="ds-text-heading--lg ds-u-margin-top--0">
          Request
        </h3>
        {request.blockedReason && request.status === 'pending' && (
          <Alert variation="warn" className="ds-u-margin-bottom--2">
            <p className="ds-c-alert__text">{request.blockedReason}</p>
          </Alert>
        )}
        <dl className="soc-facts">
          <Fact term="Request ID">{request.requestId}</Fact>
          <Fact term="Status">
            {REQUEST_STATUS_LABELS[request.status]}
            {request.status === 'pending' && request.stale && (
              <span className="ds-c-badge ds-c-badge--warn ds-u-margin-left--1">Over {STALE_AFTER_DAYS} days</span>
            )}
          </Fact>
          <Fact term="Program">{request.program}</Fact>
          <Fact term="Organization">{organizationLabel(request.organization)}</Fact>
          <Fact term="Role">{request.role}</Fact>
          {approvals && request.status === 'pending' && (
            <Fact term="Approvals">
              <span className="ds-c-badge ds-c-badge--info soc-flag">{approvalsCount(approvals)}</span>
              <span className="ds-u-display--block ds-u-font-weight--normal ds-u-margin-top--1" data-testid="panel-approvals">
                {approvalsBy(approvals)}
              </span>
            </Fact>
          )}
          <Fact term="Requested">
            {formatDateTime(request.requestedAt)} ({formatAge(request.requestedAt)})
          </Fact>
          {request.status !== 'pending' && (
            <Fact term="Completed">
              {formatDateTime(request.decidedAt, '—')}
              {request.decidedBy ? ` by ${request.decidedBy}` : ''}
            </Fact>
          )}
          {request.reason && <Fact term="Rejection Reason">{request.reason}</Fact>}
          <Fact term="Justification" wide>
            {request.justification || 'None given.'}
          </Fact>
        </dl>
        {canReopen && (
          <p className="ds-u-font-size--sm">
            You rejected this request. You can reopen it within {REOPEN_WINDOW_HOURS} hours of your decision: it returns to the queue as pending.
          </p>
        )}
      </section>

      <section aria-labelledby="panel-profile-heading" className="ds-u-margin-top--3">
        <h3 id="panel-profile-heading" className="ds-text-heading--lg">
          Profile Information
        </h3>
        <dl className="soc-facts">
          <Fact term="First Name">{requester.firstName}</Fact>
          <Fact term="Last Name">{requester.lastName}</Fact>
          <Fact term="User ID">{requester.userId}</Fact>
          <Fact term="Email Address">{requester.email}</Fact>
          <Fact term="Phone Number">{requester.phone || 'N/A'}</Fact>
          <Fact term="Account status">{USER_STATUS_LABELS[requester.status]}</Fact>
          <Fact term="Identity proofing">{PROOFING_STATE_LABELS[requester.proofingState]}</Fact>
          <Fact term="Last sign-in">{formatDateTime(requester.lastSignInAt)}</Fact>
        </dl>
      </section>

      <section aria-labelledby="panel-roles-heading" className="ds-u-margin-top--3">
        <h3 id="panel-roles-heading" className="ds-text-heading--lg">
          User Roles
        </h3>
        {roles.length === 0 ? (
          <p>This user holds no role in your organizations.</p>
        ) : (
          <table className="ds-c-table ds-c-table--compact soc-table">
            <caption className="ds-u-visibility--screen-reader">The requester&rsquo;s roles in your organizations</caption>
            <thead>
              <tr>
                <th scope="col">Program</th>
                <th scope="col">Organization</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {roles.map((holding) => (
                <tr key={`${holding.program}|${holding.organization.displayId}|${holding.role}`}>
                  <td>{holding.program}</td>
                  <td>{organizationLabel(holding.organization)}</td>
                  <td>{holding.role}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Fact({ term, children, wide }: { term: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'soc-facts__item soc-facts__item--wide' : 'soc-facts__item'}>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField } from '@cmsgov/design-system';
import type { MyRequestView } from '../../../shared/ipc/contract.js';
import { ErrorSummary, errorFor } from '../../components/ErrorSummary.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { formatDate } from '../../components/format.js';
import { PROOFING_STATE_LABELS, REQUEST_STATUS_LABELS, organizationLabel } from '../../components/labels.js';
import { OrganizationPicker, type OrganizationChoice } from '../../components/OrganizationPicker.js';
import { PageHeading } from '../../components/PageHeading.js';
import { roleAfterOrganizationChange, rolesFor, rolesHint } from '../../components/roleCatalogue.js';
import { SelectField } from '../../components/SelectField.js';
import { useDialogKeys } from '../../components/useDialogKeys.js';
import { RequiredNote, required } from '../../components/RequiredNote.js';
import { useSession } from '../session/store.js';
import { useMyAccess, type RequestFormValues } from './store.js';
import { isProofed, type ProofingState } from '../../../shared/domain.js';

const JUSTIFICATION_MAX = 1000;
const fieldId = (field: string) => `request-${field}`;
const EMPTY_FORM: RequestFormValues = { program: '', organization: '', role: '', justification: '' };

/** Any signed-in user: request a role, follow one's requests, see one's roles. */
export function MyAccessPage() {
  const { loaded, loadError, success, load, dismissSuccess } = useMyAccess();
  const navigationId = useSession((state) => state.navigationId);

  useEffect(() => {
    dismissSuccess();
    void load();
  }, [load, dismissSuccess, navigationId]);

  return (
    <>
      <PageHeading focusKey={navigationId}>My Access</PageHeading>
      <p className="ds-u-margin-top--1 ds-u-measure--wide">
        Request a role in an organization. A Security Official of that organization approves or rejects it, and you receive an email either way.
      </p>
      {loadError && <ErrorAlert message={loadError} />}
      {success && (
        <FocusAlert variation="success" focusKey={success.key} testId="my-access-success">
          <p className="ds-c-alert__text">{success.text}</p>
        </FocusAlert>
      )}
      {loaded && (
        <>
          <ProofingNotice />
          <RequestForm />
          <MyRequests />
          <MyRoles />
          <MyFederalSurveyorId />
        </>
      )}
      <WithdrawDialog />
    </>
  );
}

function RequestForm() {
  const { options, submitPending, submitErrors, submit } = useMyAccess();
  const proofingState = useSession((state) => state.session?.user?.proofingState ?? null);
  const [values, setValues] = useState<RequestFormValues>(EMPTY_FORM);
  /** Why the role chosen was cleared when the organization changed, until a role is chosen again. */
  const [cleared, setCleared] = useState<string | null>(null);
  /** The organization chosen in the picker: its kind decides which roles are offered. */
  const [chosen, setChosen] = useState<OrganizationChoice | null>(null);
  if (!options) return null;
  const set = (field: keyof RequestFormValues) => (value: string) => setValues((current) => ({ ...current, [field]: value }));
  const organization = chosen !== null && chosen.displayId === values.organization ? chosen : undefined;
  // Only the roles the chosen organization's kind allows; none until an organization is chosen.
  const roles = organization ? rolesFor(options.catalogue, options.roles, organization) : [];
  // Until proofed, the form is shown (so the person sees what they will ask for) but cannot be filled.
  const blocked = proofingState !== null && !isProofed(proofingState);

  function chooseOrganization(next: OrganizationChoice | null) {
    const after = roleAfterOrganizationChange(options?.catalogue ?? [], values.role, next ?? undefined);
    setChosen(next);
    setValues((current) => ({ ...current, organization: next?.displayId ?? '', role: after.role }));
    if (after.cleared) setCleared(after.cleared);
    else if (!next) setCleared(null);
  }

  function chooseRole(role: string) {
    set('role')(role);
    setCleared(null);
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (await submit(values)) {
      setValues(EMPTY_FORM);
      setChosen(null);
      setCleared(null);
    }
  }

  return (
    <section aria-labelledby="request-role-heading" className="soc-section">
      <h2 id="request-role-heading" className="ds-text-heading--xl">
        Request a role
      </h2>
      <form noValidate onSubmit={(event) => void onSubmit(event)} aria-describedby={blocked ? 'proofing-notice-text' : undefined}>
        <ErrorSummary errors={submitErrors} idFor={fieldId} />
        <RequiredNote />
        <fieldset className="ds-c-fieldset soc-plain-fieldset" disabled={blocked}>
          <legend className="ds-u-visibility--screen-reader">Role request</legend>
          <div className="soc-form-row soc-form-row--top">
            <SelectField
              id={fieldId('program')}
              name="program"
              label={required('Program')}
              required
              placeholder="Select a program"
              value={values.program}
              options={options.programs.map((program) => ({ value: program, label: program }))}
              errorMessage={errorFor(submitErrors, 'program')}
              onChange={set('program')}
            />
            <OrganizationPicker
              id={fieldId('organization')}
              name="organization"
              label={required('Organization')}
              required
              purpose="access"
              placeholder="Select an organization"
              value={values.organization}
              selected={organization ?? null}
              errorMessage={errorFor(submitErrors, 'organization')}
              onChange={chooseOrganization}
            />
            <SelectField
              id={fieldId('role')}
              name="role"
              label={required('Role')}
              required
              placeholder={organization ? 'Select a role' : 'Select an organization first'}
              value={values.role}
              hint={cleared ?? rolesHint(organization)}
              liveHint
              hintBelow
              className={cleared ? 'soc-select--cleared' : undefined}
              options={roles.map((role) => ({ value: role, label: role }))}
              errorMessage={errorFor(submitErrors, 'role')}
              onChange={chooseRole}
            />
          </div>
          <TextField
            id={fieldId('justification')}
            name="justification"
            label="Justification"
            hint="Optional. Why you need this role, so the Security Official can decide quickly."
            multiline
            rows={3}
            maxLength={JUSTIFICATION_MAX}
            className="soc-textarea"
            value={values.justification}
            errorMessage={errorFor(submitErrors, 'justification')}
            onChange={(event: ChangeEvent<HTMLTextAreaElement>) => set('justification')(event.target.value)}
          />
          <div className="soc-button-row">
            <Button type="submit" variation="solid" aria-disabled={submitPending || undefined}>
              Submit Request
            </Button>
          </div>
        </fieldset>
      </form>
    </section>
  );
}

function MyRequests() {
  const { requests, askWithdraw } = useMyAccess();
  return (
    <section aria-labelledby="my-requests-heading" className="soc-section">
      <h2 id="my-requests-heading" className="ds-text-heading--xl">
        My requests
      </h2>
      {requests.length === 0 ? (
        <p>You have not requested a role yet.</p>
      ) : (
        <div className="ds-c-table__wrapper">
          <table className="ds-c-table ds-c-table--compact soc-table" data-testid="my-requests">
            <caption className="ds-u-visibility--screen-reader">My role requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Request ID</th>
                <th scope="col">Program</th>
                <th scope="col">Organization</th>
                <th scope="col">Role</th>
                <th scope="col">Requested</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="ds-u-visibility--screen-reader">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {requests.map((request) => (
                <tr key={request.requestId}>
                  <th scope="row" className="ds-u-font-weight--normal">
                    {request.requestId}
                  </th>
                  <td>{request.program}</td>
                  <td>{organizationLabel(request.organization)}</td>
                  <td>{request.role}</td>
                  <td>{formatDate(request.requestedAt)}</td>
                  <td>
                    <RequestStatus request={request} />
                  </td>
                  <td>
                    {request.status === 'pending' && (
                      <Button size="small" variation="ghost" aria-label={`Withdraw request ${request.requestId}`} onClick={() => askWithdraw(request)}>
                        Withdraw
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RequestStatus({ request }: { request: MyRequestView }) {
  return (
    <>
      <span className="ds-u-font-weight--bold">{REQUEST_STATUS_LABELS[request.status]}</span>
      {request.decidedAt !== null && request.status !== 'pending' && (
        <span className="ds-u-display--block ds-u-font-size--sm">{formatDate(request.decidedAt)}</span>
      )}
      {request.status === 'rejected' && request.reason && <span className="ds-u-display--block ds-u-font-size--sm">Rejection Reason: {request.reason}</span>}
    </>
  );
}

function MyRoles() {
  const roles = useMyAccess((state) => state.roles);
  return (
    <section aria-labelledby="my-roles-heading" className="soc-section">
      <h2 id="my-roles-heading" className="ds-text-heading--xl">
        My roles
      </h2>
      {roles.length === 0 ? (
        <p>You have no role yet.</p>
      ) : (
        <div className="ds-c-table__wrapper">
          <table className="ds-c-table ds-c-table--compact soc-table" data-testid="my-roles">
            <caption className="ds-u-visibility--screen-reader">The roles you hold</caption>
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
        </div>
      )}
    </section>
  );
}

function WithdrawDialog() {
  const { withdrawing, withdrawPending, withdrawError, cancelWithdraw, confirmWithdraw } = useMyAccess();
  const keys = useDialogKeys({ isOpen: withdrawing !== null, onConfirm: () => void confirmWithdraw(), canConfirm: !withdrawPending });
  return (
    <Dialog
      {...keys}
      isOpen={withdrawing !== null}
      onExit={cancelWithdraw}
      heading="Withdraw this request?"
      size="narrow"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" aria-disabled={withdrawPending || undefined} onClick={() => void confirmWithdraw()}>
            Withdraw
          </Button>
          <Button variation="ghost" onClick={cancelWithdraw}>
            Cancel
          </Button>
        </div>
      }
    >
      {withdrawing && (
        <p>
          Request {withdrawing.requestId}: {withdrawing.role} at {organizationLabel(withdrawing.organization)} ({withdrawing.program}). A Security Official will
          no longer see it.
        </p>
      )}
      {withdrawError && (
        <Alert variation="error" role="alert">
          <p className="ds-c-alert__text">{withdrawError}</p>
        </Alert>
      )}
    </Dialog>
  );
}

/** What an unproofed person does next, by where their proofing stands (QualityNet guide 5.2 and Table 5-1). */
const PROOFING_NEXT_STEP: Record<Exclude<ProofingState, 'proofed_remote' | 'proofed_in_person'>, string> = {
  not_started:
    'Ask your Security Official to prove your identity in person: bring a photo identification, a document that confirms your address, and one that confirms your date of birth. None may be expired.',
  referred_phone:
    'Your identity could not be verified online. Call Experian with the reference ID you were given to finish by phone; if that does not succeed, your Security Official proves your identity in person.',
  referred_in_person:
    'Ask your Security Official to prove your identity in person: bring a photo identification, a document that confirms your address, and one that confirms your date of birth. None may be expired.',
  rejected: 'The proofing of your identity was not approved. Contact your Security Official to find out why and what to bring.',
};

/** QualityNet guide 5.2: identity proofing comes before any role; said before the form, not after a submit. */
function ProofingNotice() {
  const proofingState = useSession((state) => state.session?.user?.proofingState ?? null);
  if (proofingState === null || proofingState === 'proofed_remote' || proofingState === 'proofed_in_person') return null;
  return (
    <Alert variation="warn" heading="You cannot request a role yet" headingLevel="2" className="ds-u-margin-y--3" data-testid="proofing-notice">
      <p className="ds-c-alert__text" id="proofing-notice-text">
        {PROOFING_STATE_LABELS[proofingState]}: you can request a role once your identity is proofed. {PROOFING_NEXT_STEP[proofingState]}
      </p>
    </Alert>
  );
}

/** A user asks for a Federal Surveyor ID; their state's Security Officials enter it (iQIES job aid, section 6). */
function MyFederalSurveyorId() {
  const fsid = useMyAccess((state) => state.fsid);
  const fsidMessage = useMyAccess((state) => state.fsidMessage);
  const requestFsid = useMyAccess((state) => state.requestFsid);
  if (!fsid || (!fsid.canRequest && fsid.fsid === null && fsid.fsidState === null)) return null;
  return (
    <section aria-labelledby="my-fsid-heading" className="soc-section">
      <h2 id="my-fsid-heading" className="ds-text-heading--xl">
        Federal Surveyor ID
      </h2>
      {fsid.fsid !== null ? (
        <p data-testid="my-fsid">
          Your Federal Surveyor ID is <span className="soc-mono">{fsid.fsid}</span> ({fsid.fsidState === 'verified' ? 'verified' : 'pending verification'}).
        </p>
      ) : fsid.fsidState === 'requested' ? (
        <p data-testid="my-fsid">
          You asked for a Federal Surveyor ID. It waits for your state&apos;s Security Officials in their console; they will enter it.
        </p>
      ) : (
        <>
          <p>Surveyors need a Federal Surveyor ID. Your state&apos;s Security Officials enter it when you ask.</p>
          <Button onClick={() => void requestFsid()}>Ask for a Federal Surveyor ID</Button>
        </>
      )}
      {fsidMessage && <ErrorAlert message={fsidMessage} />}
    </section>
  );
}

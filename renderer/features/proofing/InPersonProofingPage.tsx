import { useEffect, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Choice, TextField } from '@cmsgov/design-system';
import {
  DOCUMENT_KINDS,
  DOCUMENT_TYPES,
  EVIDENCE_KINDS,
  EVIDENCE_LABELS,
  INSPECTIONS,
  INSPECTION_LABELS,
  REJECTION_REASONS,
  assessIal2,
  type DocumentType,
  type EvidenceKind,
  type Inspection,
  type ProofingRejectionReason,
} from '../../../shared/proofing.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { ErrorSummary, errorFor } from '../../components/ErrorSummary.js';
import { isProofed } from '../../../shared/domain.js';
import { proofingFieldId } from './validation.js';
import '../../components/forms.css';
import { formatDateTime } from '../../components/format.js';
import { mailNoticeText } from '../../components/mail-notice.js';
import { PROOFING_DECISION_LABELS, PROOFING_STATE_LABELS } from '../../components/labels.js';
import { PageHeading } from '../../components/PageHeading.js';
import { SelectField } from '../../components/SelectField.js';
import { useSession } from '../session/store.js';
import { documentsOf } from './form.js';
import { useProofing } from './store.js';

/** QualityNet guide 5.4.4.2, Figure 5-18: the instruction beside the form, word for word. */
export const PROOFING_INSTRUCTION =
  'Please review and select the type of identification used for proofing the individual below and take appropriate action. If there are issues with the identification materials provided (i.e., an expired license or passport), you may choose to cancel this request and complete at the appropriate time. This is a choice to use instead of reject to give the user the ability to return with appropriate and correct identification materials.';

const DECIDED: Record<'approve' | 'cancel' | 'reject', (name: string) => string> = {
  approve: (name) => `Approved. The identity of ${name} is proofed in person.`,
  cancel: (name) => `Cancelled. ${name} may come back with the right documents.`,
  reject: (name) => `Rejected. The proofing of ${name} was not approved.`,
};

const today = () => new Date().toISOString().slice(0, 10);

/** In-Person Proofing: the person is in the room; the official records the documents and decides. */
export function InPersonProofingPage() {
  const navigationId = useSession((state) => state.navigationId);
  const reset = useProofing((state) => state.reset);
  useEffect(() => {
    reset();
  }, [reset, navigationId]);
  return (
    <>
      <PageHeading focusKey={navigationId}>In-Person Proofing</PageHeading>
      <Alert heading="Instruction" headingLevel="2" className="ds-u-margin-y--2 soc-measure">
        <p className="ds-c-alert__text">{PROOFING_INSTRUCTION}</p>
        <p className="ds-c-alert__text">The individual must be physically present in the room with you.</p>
      </Alert>
      <p className="ds-u-font-size--sm">
        * Required field, if approved<span className="ds-u-margin-left--2">** Required field, if rejected</span>
      </p>
      <AccountSearch />
      <Outcome />
      <Subject />
    </>
  );
}

function AccountSearch() {
  const accountId = useProofing((state) => state.accountId);
  const searching = useProofing((state) => state.searching);
  const searchError = useProofing((state) => state.searchError);
  const { setAccountId, search } = useProofing.getState();
  function submit(event: FormEvent) {
    event.preventDefault();
    void search();
  }
  return (
    <form role="search" aria-label="Find the account" noValidate className="soc-inline-form" onSubmit={submit}>
      <TextField
        id="proofing-accountId"
        name="accountId"
        label="* Account ID"
        hint="The person's user ID"
        spellCheck={false}
        autoComplete="off"
        value={accountId}
        errorMessage={searchError ?? undefined}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setAccountId(event.target.value)}
      />
      <Button type="submit" variation="solid" aria-disabled={searching || undefined}>
        Search
      </Button>
    </form>
  );
}

function Outcome() {
  const outcome = useProofing((state) => state.outcome);
  const receiptMessage = useProofing((state) => state.receiptMessage);
  const printReceipt = useProofing((state) => state.printReceipt);
  if (!outcome) return null;
  return (
    <FocusAlert variation={outcome.decision === 'reject' ? 'warn' : 'success'} focusKey={outcome.key} testId="proofing-outcome">
      <p className="ds-c-alert__text">{DECIDED[outcome.decision](outcome.name)}</p>
      {outcome.mail && (
        <p className="ds-c-alert__text" data-testid="proofing-mail">
          {mailNoticeText(outcome.mail)}
        </p>
      )}
      <p className="ds-c-alert__text">
        <Button size="small" onClick={() => void printReceipt()}>
          Print receipt
        </Button>{' '}
        <span role="status" data-testid="receipt-result">
          {receiptMessage}
        </span>
      </p>
    </FocusAlert>
  );
}

function Subject() {
  const subject = useProofing((state) => state.subject);
  if (!subject) return null;
  return (
    <section aria-labelledby="subject-heading" className="soc-section">
      <h2 id="subject-heading" className="ds-text-heading--xl">
        {subject.firstName} {subject.lastName}
      </h2>
      <dl className="soc-profile-grid" data-testid="proofing-subject">
        <div>
          <dt>Account ID</dt>
          <dd>{subject.userId}</dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd>
            {subject.firstName} {subject.lastName}
          </dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>{subject.state || 'N/A'}</dd>
        </div>
        <div>
          <dt>Identity proofing</dt>
          <dd data-testid="proofing-state">{PROOFING_STATE_LABELS[subject.proofingState]}</dd>
        </div>
        {subject.reference && (
          <div>
            <dt>Remote proofing reference ID</dt>
            <dd>{subject.reference}</dd>
          </div>
        )}
      </dl>
      {subject.history.length > 0 && (
        <>
          <h3 className="ds-text-heading--lg">Earlier decisions</h3>
          <ul className="soc-plain-list">
            {subject.history.map((record) => (
              <li key={record.recordId}>
                {formatDateTime(record.decidedAt)}: {PROOFING_DECISION_LABELS[record.decision]} by {record.official}
                {record.reason ? ` (${record.reason})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      <SubjectDecision />
    </section>
  );
}

/**
 * The decision form, or why there is none: already proofed is a fact, not an error (and right
 * after an Approve the green outcome above says it); a separation-of-duties refusal is an error.
 */
function SubjectDecision() {
  const subject = useProofing((state) => state.subject);
  const outcome = useProofing((state) => state.outcome);
  const errors = useProofing((state) => state.errors);
  if (!subject) return null;
  if (subject.refusal === null) {
    return (
      <>
        <ErrorSummary errors={errors} idFor={proofingFieldId} />
        <DecisionForm />
      </>
    );
  }
  if (!isProofed(subject.proofingState)) return <ErrorAlert message={subject.refusal} />;
  if (outcome?.decision === 'approve') return null;
  return (
    <Alert headingLevel="3" className="ds-u-margin-y--2" data-testid="proofing-already">
      <p className="ds-c-alert__text">{subject.refusal}</p>
    </Alert>
  );
}

function DecisionForm() {
  const form = useProofing((state) => state.form);
  const pending = useProofing((state) => state.pending);
  const errors = useProofing((state) => state.errors);
  const { updateForm, decide } = useProofing.getState();
  const ial2 = assessIal2(documentsOf(form), today());
  const approveBlocked = !ial2.reached
    ? ial2.why
    : !form.appearedInPerson
      ? 'Tick the affirmation that the individual appeared in person.'
      : form.suspectedFraud
        ? 'Suspected fraud: choose Reject.'
        : null;

  return (
    <form noValidate aria-label="Proofing decision" onSubmit={(event) => event.preventDefault()}>
      {EVIDENCE_KINDS.map((kind) => (
        <EvidenceFieldset key={kind} kind={kind} />
      ))}
      <div className={`soc-ial2 ${ial2.reached ? 'soc-ial2--reached' : ''}`} role="status" data-testid="ial2-status">
        <span className="ds-u-font-weight--bold">{ial2.reached ? 'IAL2 reached.' : 'IAL2 not reached.'}</span>{' '}
        {ial2.reached ? 'These documents are strong enough to approve.' : ial2.why}
      </div>
      <Choice
        id="proofing-appeared"
        type="checkbox"
        name="appearedInPerson"
        value="yes"
        label="* I affirm that the individual appeared in person before me and presented the documents above."
        checked={form.appearedInPerson}
        errorMessage={errorFor(errors, 'appearedInPerson')}
        aria-invalid={errorFor(errors, 'appearedInPerson') ? true : undefined}
        onChange={(event) => updateForm({ appearedInPerson: event.target.checked })}
      />
      <Choice
        id="proofing-fraud"
        type="checkbox"
        name="suspectedFraud"
        value="yes"
        label="Suspected fraud"
        hint="Rejects the proofing with the fraud reason and alerts the organization's other Security Officials."
        errorMessage={errorFor(errors, 'suspectedFraud')}
        aria-invalid={errorFor(errors, 'suspectedFraud') ? true : undefined}
        checked={form.suspectedFraud}
        onChange={(event) => updateForm({ suspectedFraud: event.target.checked })}
      />
      <div className="soc-form-row">
        <SelectField
          id="proofing-reason"
          name="reason"
          label="** Reason for Rejection"
          placeholder="Select a reason"
          value={form.suspectedFraud ? 'Suspected fraud' : form.reason}
          disabled={form.suspectedFraud}
          options={REJECTION_REASONS.map((reason) => ({ value: reason, label: reason }))}
          errorMessage={errorFor(errors, 'reason')}
          onChange={(reason) => updateForm({ reason: reason as ProofingRejectionReason | '' })}
        />
      </div>
      <TextField
        id="proofing-comments"
        name="comments"
        label="** Comments"
        multiline
        rows={3}
        maxLength={1000}
        value={form.comments}
        errorMessage={errorFor(errors, 'comments')}
        onChange={(event: ChangeEvent<HTMLTextAreaElement>) => updateForm({ comments: event.target.value })}
      />
      {/* QualityNet guide, Figure 5-19: CANCEL, REJECT, APPROVE. */}
      <div className="soc-button-row">
        <Button aria-disabled={pending || undefined} onClick={() => void decide('cancel')}>
          Cancel
        </Button>
        <Button aria-disabled={pending || undefined} onClick={() => void decide('reject')}>
          Reject
        </Button>
        <Button
          variation="solid"
          aria-disabled={pending || undefined}
          aria-describedby={approveBlocked ? 'approve-blocked' : undefined}
          onClick={() => void decide('approve')}
        >
          Approve
        </Button>
      </div>
      {approveBlocked && (
        <p id="approve-blocked" className="ds-u-font-size--sm" data-testid="approve-blocked">
          Before you can approve: {approveBlocked}
        </p>
      )}
    </form>
  );
}

function EvidenceFieldset({ kind }: { kind: EvidenceKind }) {
  const draft = useProofing((state) => state.form.documents[kind]);
  const errors = useProofing((state) => state.errors);
  const fieldError = (field: string) => errorFor(errors, `${kind}-${field}`);
  const photo = useProofing((state) => state.form.documents.photo);
  const updateDocument = useProofing((state) => state.updateDocument);
  const types = DOCUMENT_TYPES.filter((type) => (DOCUMENT_KINDS[type].evidence as readonly EvidenceKind[]).includes(kind));
  const photoServes = photo.type !== '' && (DOCUMENT_KINDS[photo.type].evidence as readonly EvidenceKind[]).includes(kind);
  const id = (field: string) => `proofing-${kind}-${field}`;
  const expires = draft.type !== '' && DOCUMENT_KINDS[draft.type].expires;
  return (
    <fieldset className="ds-c-fieldset soc-evidence" data-testid={`evidence-${kind}`}>
      <legend className="ds-c-label soc-evidence__legend">* {EVIDENCE_LABELS[kind]}</legend>
      {kind !== 'photo' && photoServes && (
        <Choice
          id={id('same')}
          type="checkbox"
          name={id('same')}
          value="yes"
          label="The same document as the Photo Identification"
          checked={draft.sameAsPhoto}
          onChange={(event) => updateDocument(kind, { sameAsPhoto: event.target.checked })}
        />
      )}
      {!(kind !== 'photo' && photoServes && draft.sameAsPhoto) && (
        <div className="soc-evidence__grid soc-form-row--top">
          <SelectField
            id={id('type')}
            name={id('type')}
            label="Document"
            placeholder="Select a document"
            required
            errorMessage={fieldError('type')}
            value={draft.type}
            options={types.map((type) => ({ value: type, label: `${DOCUMENT_KINDS[type].label} (${DOCUMENT_KINDS[type].strength})` }))}
            onChange={(type) => updateDocument(kind, { type: type as DocumentType | '' })}
          />
          <TextField
            id={id('issuer')}
            name={id('issuer')}
            label="Issuer"
            aria-required
            errorMessage={fieldError('issuer')}
            value={draft.issuer}
            maxLength={80}
            onChange={(event: ChangeEvent<HTMLInputElement>) => updateDocument(kind, { issuer: event.target.value })}
          />
          <TextField
            id={id('expiresOn')}
            name={id('expiresOn')}
            label={expires ? 'Expiry date' : 'Expiry date (if any)'}
            type="date"
            errorMessage={fieldError('expiresOn')}
            value={draft.expiresOn}
            onChange={(event: ChangeEvent<HTMLInputElement>) => updateDocument(kind, { expiresOn: event.target.value })}
          />
          <TextField
            id={id('last4')}
            name={id('last4')}
            label="Last 4 characters of the number"
            hint="Never the whole number"
            aria-required
            errorMessage={fieldError('last4')}
            maxLength={4}
            spellCheck={false}
            autoComplete="off"
            value={draft.last4}
            onChange={(event: ChangeEvent<HTMLInputElement>) => updateDocument(kind, { last4: event.target.value })}
          />
          <SelectField
            id={id('inspection')}
            name={id('inspection')}
            label="Inspection"
            errorMessage={fieldError('inspection')}
            value={draft.inspection}
            options={INSPECTIONS.map((inspection) => ({ value: inspection, label: INSPECTION_LABELS[inspection] }))}
            onChange={(inspection) => updateDocument(kind, { inspection: inspection as Inspection })}
          />
        </div>
      )}
    </fieldset>
  );
}

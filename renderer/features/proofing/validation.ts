import { contract } from '../../../shared/ipc/contract.js';
import { DOCUMENT_KINDS, EVIDENCE_KINDS, PROOFING_FORM_MESSAGES, assessIal2, type EvidenceKind } from '../../../shared/proofing.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { sortByOrder, validateAll } from '../../components/formErrors.js';
import { documentsOf, type ProofingForm } from './form.js';

export type Decision = 'approve' | 'cancel' | 'reject';

const DOCUMENT_FIELDS = ['type', 'issuer', 'expiresOn', 'last4', 'inspection'] as const;
/** Every field of the decision form, in the order it shows them: "photo-type", ..., "comments". */
export const PROOFING_FIELDS: readonly string[] = [
  ...EVIDENCE_KINDS.flatMap((kind) => DOCUMENT_FIELDS.map((field) => `${kind}-${field}`)),
  'appearedInPerson',
  'suspectedFraud',
  'reason',
  'comments',
];

/** The input id of a field of the decision form. */
export function proofingFieldId(field: string): string {
  if (field === 'appearedInPerson') return 'proofing-appeared';
  if (field === 'suspectedFraud') return 'proofing-fraud';
  return `proofing-${field}`;
}

/** Whether an evidence kind is shown by the Photo Identification itself ("The same document"). */
function servedByPhoto(form: ProofingForm, kind: EvidenceKind): boolean {
  const photo = form.documents.photo;
  return (
    kind !== 'photo' && form.documents[kind].sameAsPhoto && photo.type !== '' && (DOCUMENT_KINDS[photo.type].evidence as readonly EvidenceKind[]).includes(kind)
  );
}

/** The input the decision sends, as the contract takes it. */
export function decisionInput(accountId: string, decision: Decision, form: ProofingForm) {
  return {
    accountId,
    decision,
    documents: documentsOf(form),
    appearedInPerson: form.appearedInPerson,
    suspectedFraud: form.suspectedFraud,
    comments: form.comments,
    ...(form.reason !== '' ? { reason: form.reason } : {}),
  };
}

/**
 * Every problem of the form for this decision, at once: the contract's schema (each document's
 * issuer, expiry and number, named by its document), then the rules of the decision that the main
 * process applies too (a document for each evidence and IAL2 to approve, a reason and comments to
 * reject). Cancel asks for nothing more: the person may come back with the right documents.
 */
export function proofingErrors(accountId: string, decision: Decision, form: ProofingForm, today: string): FieldError[] {
  const documentLabel = (kind: string) => {
    const type = form.documents[kind as EvidenceKind]?.type;
    return type ? DOCUMENT_KINDS[type].label : 'document';
  };
  const errors = validateAll(contract['proofing.decide'].input, decisionInput(accountId, decision, form), PROOFING_FIELDS, {
    keyOf: (path) => {
      if (path[0] === 'documents' && typeof path[1] === 'string' && typeof path[2] === 'string') {
        // A document shown "the same" as the photo identification is fixed there.
        const kind = servedByPhoto(form, path[1] as EvidenceKind) ? 'photo' : path[1];
        return `${kind}-${path[2]}`;
      }
      return typeof path[0] === 'string' ? path[0] : null;
    },
    reword: (key, issue) => {
      const [kind, field] = key.split('-');
      if (!kind || !field) return undefined;
      if (field === 'last4') return PROOFING_FORM_MESSAGES.last4(documentLabel(kind));
      if (field === 'issuer' && issue.code === 'too_small') return PROOFING_FORM_MESSAGES.issuer(documentLabel(kind));
      if (field === 'issuer') return `${issue.message} (${documentLabel(kind)})`;
      return undefined;
    },
  });
  const add = (field: string, message: string) => {
    if (!errors.some((e) => e.field === field)) errors.push({ field, message });
  };
  for (const kind of EVIDENCE_KINDS) {
    if (servedByPhoto(form, kind)) continue;
    const draft = form.documents[kind];
    if (draft.type === '') {
      if (decision === 'approve') add(`${kind}-type`, PROOFING_FORM_MESSAGES.chooseDocument(kind));
      continue;
    }
    if (DOCUMENT_KINDS[draft.type].expires && draft.expiresOn === '')
      add(`${kind}-expiresOn`, PROOFING_FORM_MESSAGES.expiresOn(DOCUMENT_KINDS[draft.type].label));
  }
  if (decision === 'approve') {
    if (!form.appearedInPerson) add('appearedInPerson', PROOFING_FORM_MESSAGES.appeared);
    if (form.suspectedFraud) add('suspectedFraud', PROOFING_FORM_MESSAGES.fraudRejects);
    // Complete documents that still do not reach IAL2: said once, at the first document concerned.
    if (errors.length === 0) {
      const ial2 = assessIal2(documentsOf(form), today);
      const first = ial2.expired[0];
      const at = first === undefined ? 'photo-type' : `${servedByPhoto(form, first) ? 'photo' : first}-expiresOn`;
      if (!ial2.reached) add(at, ial2.why ?? 'These documents do not reach IAL2.');
    }
  }
  if (decision === 'reject') {
    if (!form.suspectedFraud && form.reason === '') add('reason', PROOFING_FORM_MESSAGES.reasonRequired);
    if (form.comments.trim() === '') add('comments', PROOFING_FORM_MESSAGES.commentsRequired);
  }
  return sortByOrder(errors, PROOFING_FIELDS);
}

import {
  DOCUMENT_KINDS,
  EVIDENCE_KINDS,
  type DocumentType,
  type EvidenceKind,
  type Inspection,
  type ProofingDocument,
  type ProofingRejectionReason,
} from '../../../shared/proofing.js';

// The decision form as typed, and the documents it sends: what the store holds and the validation reads.

/** One evidence selection as typed: every field a string until it is sent. */
export interface DocumentDraft {
  type: DocumentType | '';
  issuer: string;
  expiresOn: string;
  last4: string;
  inspection: Inspection;
  /** Address and date of birth may be confirmed by the photo identification itself. */
  sameAsPhoto: boolean;
}

export const EMPTY_DOCUMENT: DocumentDraft = { type: '', issuer: '', expiresOn: '', last4: '', inspection: 'physical', sameAsPhoto: false };

export interface ProofingForm {
  documents: Record<EvidenceKind, DocumentDraft>;
  appearedInPerson: boolean;
  suspectedFraud: boolean;
  reason: ProofingRejectionReason | '';
  comments: string;
}

export const emptyForm = (): ProofingForm => ({
  documents: { photo: { ...EMPTY_DOCUMENT }, address: { ...EMPTY_DOCUMENT }, dateOfBirth: { ...EMPTY_DOCUMENT } },
  appearedInPerson: false,
  suspectedFraud: false,
  reason: '',
  comments: '',
});

/** The documents as the contract takes them: complete drafts only, "same as photo" resolved. */
export function documentsOf(form: ProofingForm): Partial<Record<EvidenceKind, ProofingDocument>> {
  const out: Partial<Record<EvidenceKind, ProofingDocument>> = {};
  for (const kind of EVIDENCE_KINDS) {
    const photo = form.documents.photo;
    const photoServes = photo.type !== '' && (DOCUMENT_KINDS[photo.type].evidence as readonly EvidenceKind[]).includes(kind);
    const draft = kind !== 'photo' && form.documents[kind].sameAsPhoto && photoServes ? photo : form.documents[kind];
    if (draft.type === '') continue;
    out[kind] = {
      type: draft.type,
      issuer: draft.issuer,
      expiresOn: draft.expiresOn === '' ? null : draft.expiresOn,
      last4: draft.last4,
      inspection: draft.inspection,
    };
  }
  return out;
}

import { create } from 'zustand';
import type { MailNotice, ProofingSubject } from '../../../shared/ipc/contract.js';
import {
  DOCUMENT_KINDS,
  EVIDENCE_KINDS,
  type DocumentType,
  type EvidenceKind,
  type Inspection,
  type ProofingDocument,
  type ProofingRejectionReason,
} from '../../../shared/proofing.js';
import { call, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { serverError } from '../../components/formErrors.js';
import { PROOFING_FIELDS, decisionInput, proofingErrors } from './validation.js';
import { deliverFile } from '../../files.js';

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

const emptyForm = (): ProofingForm => ({
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

export interface DecisionOutcome {
  key: number;
  decision: 'approve' | 'cancel' | 'reject';
  recordId: number;
  name: string;
  /** What became of the email to the person (and any fraud alert). */
  mail: MailNotice | null;
}

interface ProofingState {
  accountId: string;
  subject: ProofingSubject | null;
  searchError: string | null;
  searching: boolean;
  form: ProofingForm;
  pending: boolean;
  /** Every problem the last Approve, Cancel or Reject found, each tied to its field where it has one. */
  errors: FieldError[];
  outcome: DecisionOutcome | null;
  receiptMessage: string | null;

  setAccountId(accountId: string): void;
  search(): Promise<void>;
  updateDocument(kind: EvidenceKind, patch: Partial<DocumentDraft>): void;
  updateForm(patch: Partial<Omit<ProofingForm, 'documents'>>): void;
  decide(decision: 'approve' | 'cancel' | 'reject'): Promise<void>;
  printReceipt(): Promise<void>;
  reset(): void;
}

let outcomeKey = 0;

/** In-Person Proofing: the account searched, the documents chosen, and the decision. */
export const useProofing = create<ProofingState>()((set, get) => ({
  accountId: '',
  subject: null,
  searchError: null,
  searching: false,
  form: emptyForm(),
  pending: false,
  errors: [],
  outcome: null,
  receiptMessage: null,

  setAccountId(accountId) {
    set({ accountId });
  },

  async search() {
    const { accountId, searching } = get();
    if (searching) return;
    set({ searching: true, searchError: null, subject: null, form: emptyForm(), errors: [], outcome: null, receiptMessage: null });
    try {
      set({ subject: await call('proofing.lookup', { accountId }), searching: false });
    } catch (error) {
      set({ searching: false, searchError: messageOf(error) });
    }
  },

  updateDocument(kind, patch) {
    set((state) => ({ form: { ...state.form, documents: { ...state.form.documents, [kind]: { ...state.form.documents[kind], ...patch } } } }));
  },

  updateForm(patch) {
    set((state) => ({ form: { ...state.form, ...patch } }));
  },

  async decide(decision) {
    const { subject, form, pending } = get();
    if (!subject || pending) return;
    // Every problem at once, before anything is sent; nothing changes until there is none.
    const problems = proofingErrors(subject.userId, decision, form, new Date().toISOString().slice(0, 10));
    if (problems.length > 0) {
      set({ errors: problems, outcome: null });
      return;
    }
    set({ pending: true, errors: [] });
    try {
      const result = await call('proofing.decide', decisionInput(subject.userId, decision, form));
      set({
        pending: false,
        subject: result.subject,
        form: emptyForm(),
        outcome: { key: ++outcomeKey, decision, recordId: result.recordId, name: `${subject.firstName} ${subject.lastName}`, mail: result.mail ?? null },
        receiptMessage: null,
      });
    } catch (error) {
      set({ pending: false, errors: [serverError(error, PROOFING_FIELDS)] });
    }
  },

  async printReceipt() {
    const { outcome } = get();
    if (!outcome) return;
    try {
      const { delivery } = await call('proofing.receipt', { recordId: outcome.recordId });
      set({ receiptMessage: delivery ? deliverFile(delivery) : null });
    } catch (error) {
      set({ receiptMessage: messageOf(error) });
    }
  },

  reset() {
    set({ accountId: '', subject: null, searchError: null, form: emptyForm(), errors: [], outcome: null, receiptMessage: null });
  },
}));

import { create } from 'zustand';
import type { MailNotice, ProofingSubject } from '../../../shared/ipc/contract.js';
import type { EvidenceKind } from '../../../shared/proofing.js';
import { call, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { serverError } from '../../components/formErrors.js';
import { emptyForm, type DocumentDraft, type ProofingForm } from './form.js';
import { PROOFING_FIELDS, decisionInput, proofingErrors } from './validation.js';
import { deliverFile } from '../../files.js';

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

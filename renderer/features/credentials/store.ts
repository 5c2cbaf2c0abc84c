import { create } from 'zustand';
import type { CredentialView, EnrollmentView } from '../../../shared/ipc/contract.js';
import { ApiError, call, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { useSession } from '../session/store.js';

/** QualityNet guide 5.4.4.1, the confirmations word for word. */
export const ADDED_MESSAGE = 'Your user ID is now linked to the new credential.';
export const REMOVED_MESSAGE = 'This credential is no longer linked to your user ID.';

interface CredentialsState {
  credentials: CredentialView[];
  loaded: boolean;
  listError: string | null;
  /** The confirmation of the last add or remove. */
  success: string | null;

  enrollment: EnrollmentView | null;
  enrollPending: boolean;
  enrollErrors: FieldError[];

  removePending: boolean;
  removeErrors: FieldError[];

  load(): Promise<void>;
  beginEnrollment(): Promise<void>;
  cancelEnrollment(): void;
  confirmEnrollment(values: { code: string; label: string }): Promise<boolean>;
  remove(values: { credentialId: string; code: string }): Promise<boolean>;
  dismissSuccess(): void;
}

function toFieldErrors(error: unknown): FieldError[] {
  return [{ field: error instanceof ApiError ? (error.field ?? null) : null, message: messageOf(error) }];
}

const initial = {
  credentials: [],
  loaded: false,
  listError: null,
  success: null,
  enrollment: null,
  enrollPending: false,
  enrollErrors: [],
  removePending: false,
  removeErrors: [],
};

export const useCredentials = create<CredentialsState>()((set, get) => ({
  ...initial,

  async load() {
    try {
      set({ credentials: await call('mfa.list', {}), loaded: true, listError: null });
    } catch (error) {
      set({ listError: messageOf(error) });
    }
  },

  async beginEnrollment() {
    if (get().enrollPending) return;
    set({ enrollPending: true, enrollErrors: [], success: null });
    try {
      set({ enrollment: await call('mfa.beginEnrollment', {}), enrollPending: false });
    } catch (error) {
      set({ enrollPending: false, enrollErrors: toFieldErrors(error) });
    }
  },

  cancelEnrollment() {
    set({ enrollment: null, enrollErrors: [] });
  },

  async confirmEnrollment({ code, label }) {
    const { enrollment, enrollPending } = get();
    if (!enrollment || enrollPending) return false;
    set({ enrollPending: true, enrollErrors: [], success: null });
    try {
      await call('mfa.confirmEnrollment', { enrollmentId: enrollment.enrollmentId, code, label });
      set({ enrollPending: false, enrollment: null, success: ADDED_MESSAGE });
      await get().load();
      return true;
    } catch (error) {
      set({ enrollPending: false, enrollErrors: toFieldErrors(error) });
      return false;
    }
  },

  async remove(values) {
    if (get().removePending) return false;
    set({ removePending: true, removeErrors: [], success: null });
    try {
      const credentials = await call('mfa.remove', values);
      set({ removePending: false, credentials, success: REMOVED_MESSAGE });
      return true;
    } catch (error) {
      set({ removePending: false, removeErrors: toFieldErrors(error) });
      return false;
    }
  },

  dismissSuccess() {
    set({ success: null });
  },
}));

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useCredentials.setState(initial);
  }
});

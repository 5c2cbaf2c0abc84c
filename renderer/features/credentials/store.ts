import { create } from 'zustand';
import type { CredentialView, EnrollmentView } from '../../../shared/ipc/contract.js';
import { call, fieldOf, isEnrollmentGone, messageOf } from '../../api.js';
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
  /** The previous key expired before it was confirmed; the form says so beside the new one. */
  keyExpired: boolean;
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
  return [{ field: fieldOf(error) ?? null, message: messageOf(error) }];
}

const initial = {
  credentials: [],
  loaded: false,
  listError: null,
  success: null,
  enrollment: null,
  keyExpired: false,
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
    await fetchEnrollment(false);
  },

  cancelEnrollment() {
    set({ enrollment: null, keyExpired: false, enrollErrors: [] });
  },

  async confirmEnrollment({ code, label }) {
    const { enrollment, enrollPending } = get();
    if (!enrollment || enrollPending) return false;
    set({ enrollPending: true, enrollErrors: [], keyExpired: false, success: null });
    try {
      await call('mfa.confirmEnrollment', { enrollmentId: enrollment.enrollmentId, code, label });
      set({ enrollPending: false, enrollment: null, success: ADDED_MESSAGE });
      await get().load();
      return true;
    } catch (error) {
      if (isEnrollmentGone(error)) {
        // Nothing typed can bring the key back, and the packaged app has no reload: replace
        // it at once (enrollPending stays set meanwhile, so the form cannot submit the old one).
        await fetchEnrollment(true);
      } else {
        set({ enrollPending: false, enrollErrors: toFieldErrors(error) });
      }
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

/**
 * Asks the main process for a key to enroll; the caller has set enrollPending. While it is
 * fetched, a key being replaced stays on screen so that the form, and the name typed in it,
 * stay too. If it fails, the form gives way to the error and the "Add a credential" button.
 */
async function fetchEnrollment(keyExpired: boolean): Promise<void> {
  try {
    useCredentials.setState({ enrollment: await call('mfa.beginEnrollment', {}), keyExpired, enrollPending: false });
  } catch (error) {
    useCredentials.setState({ enrollment: null, keyExpired: false, enrollPending: false, enrollErrors: toFieldErrors(error) });
  }
}

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useCredentials.setState(initial);
  }
});

import { create } from 'zustand';
import type { ChannelInput, EnrollmentView } from '../../../shared/ipc/contract.js';
import { call, codeOf, fieldOf, isEnrollmentGone, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';
import type { FieldError } from '../../components/ErrorSummary.js';

export type SetupValues = Omit<ChannelInput<'setup.complete'>, 'enrollmentId'> & { confirmPassword: string };

export const PASSWORD_MISMATCH_MESSAGE = 'Confirm Password does not match Password. Enter the same password in both fields.';

interface SetupState {
  enrollment: EnrollmentView | null;
  enrollmentStatus: 'idle' | 'loading' | 'ready' | 'failed';
  enrollmentError: string | null;
  /** The previous key expired before it was confirmed; the view says so beside the new one. */
  keyExpired: boolean;
  pending: boolean;
  errors: FieldError[];

  beginEnrollment(): Promise<void>;
  /**
   * Resolves to `{ keyExpired: true }` when the key had expired (a new one is then fetched at
   * once): the code typed for the old key is useless, so the form clears it and keeps the rest.
   */
  complete(values: SetupValues): Promise<{ keyExpired: boolean }>;
}

export const useSetup = create<SetupState>()((set, get) => ({
  enrollment: null,
  enrollmentStatus: 'idle',
  enrollmentError: null,
  keyExpired: false,
  pending: false,
  errors: [],

  async beginEnrollment() {
    // React's development double-mount must not start two enrollments.
    if (get().enrollmentStatus === 'loading' || get().enrollmentStatus === 'ready') return;
    set({ enrollmentStatus: 'loading', enrollmentError: null });
    try {
      set({ enrollment: await call('setup.begin', {}), enrollmentStatus: 'ready' });
    } catch (error) {
      if (codeOf(error) === 'SETUP_DONE') {
        set({ enrollmentStatus: 'idle' });
        await useSession.getState().boot();
        return;
      }
      set({ enrollmentStatus: 'failed', enrollmentError: messageOf(error) });
    }
  },

  async complete({ confirmPassword, ...values }) {
    const { enrollment, pending } = get();
    if (pending || !enrollment) return { keyExpired: false };
    if (confirmPassword !== values.password) {
      set({ errors: [{ field: 'confirmPassword', message: PASSWORD_MISMATCH_MESSAGE }] });
      return { keyExpired: false };
    }
    set({ pending: true, errors: [], keyExpired: false });
    try {
      const view = await call('setup.complete', { ...values, enrollmentId: enrollment.enrollmentId });
      set({ pending: false, enrollment: null, enrollmentStatus: 'idle' });
      useSession.getState().applySession(view);
    } catch (error) {
      set({ pending: false });
      if (codeOf(error) === 'SETUP_DONE') {
        set({ enrollment: null, enrollmentStatus: 'idle' });
        await useSession.getState().boot();
      } else if (isEnrollmentGone(error)) {
        // No field of the form can fix this, and the packaged app has no reload: fetch a new
        // key at once. Going through 'idle' lets beginEnrollment run (it skips a 'ready' key).
        set({ enrollment: null, enrollmentStatus: 'idle', keyExpired: true });
        await get().beginEnrollment();
        return { keyExpired: true };
      } else {
        set({ errors: [{ field: fieldOf(error) ?? null, message: messageOf(error) }] });
      }
    }
    return { keyExpired: false };
  },
}));

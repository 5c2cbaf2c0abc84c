import { create } from 'zustand';
import type { ChannelInput, EnrollmentView } from '../../../shared/ipc/contract.js';
import { ApiError, call, codeOf, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';
import type { FieldError } from '../../components/ErrorSummary.js';

export type SetupValues = Omit<ChannelInput<'setup.complete'>, 'enrollmentId'> & { confirmPassword: string };

export const PASSWORD_MISMATCH_MESSAGE = 'Confirm Password does not match Password. Enter the same password in both fields.';

interface SetupState {
  enrollment: EnrollmentView | null;
  enrollmentStatus: 'idle' | 'loading' | 'ready' | 'failed';
  enrollmentError: string | null;
  pending: boolean;
  errors: FieldError[];

  beginEnrollment(): Promise<void>;
  complete(values: SetupValues): Promise<void>;
}

export const useSetup = create<SetupState>()((set, get) => ({
  enrollment: null,
  enrollmentStatus: 'idle',
  enrollmentError: null,
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
    if (pending || !enrollment) return;
    if (confirmPassword !== values.password) {
      set({ errors: [{ field: 'confirmPassword', message: PASSWORD_MISMATCH_MESSAGE }] });
      return;
    }
    set({ pending: true, errors: [] });
    try {
      const view = await call('setup.complete', { ...values, enrollmentId: enrollment.enrollmentId });
      set({ pending: false, enrollment: null, enrollmentStatus: 'idle' });
      useSession.getState().applySession(view);
    } catch (error) {
      set({ pending: false });
      if (codeOf(error) === 'SETUP_DONE') {
        set({ enrollment: null, enrollmentStatus: 'idle' });
        await useSession.getState().boot();
        return;
      }
      const field = error instanceof ApiError ? error.field : undefined;
      set({ errors: [{ field: field ?? null, message: messageOf(error) }] });
    }
  },
}));

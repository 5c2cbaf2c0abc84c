import { create } from 'zustand';
import type { EnrollmentView } from '../../../shared/ipc/contract.js';
import { call, fieldOf, isEnrollmentGone, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';

interface FirstEnrollmentState {
  enrollment: EnrollmentView | null;
  /** The previous key expired and this one replaced it. */
  replaced: boolean;
  pending: boolean;
  error: { message: string; field: string | undefined } | null;
  /** The credential was linked: Successful Two-Factor Enrollment shows before the warning page. */
  confirmed: { credentialId: string } | null;
  /** Continue from Successful Two-Factor Enrollment. */
  acknowledge(): void;
  begin(): Promise<void>;
  complete(code: string, label: string): Promise<boolean>;
}

/** The first authenticator of an account that has none: a key, then a fresh code from it. */
export const useFirstEnrollment = create<FirstEnrollmentState>()((set, get) => ({
  enrollment: null,
  replaced: false,
  pending: false,
  error: null,
  confirmed: null,

  acknowledge() {
    set({ confirmed: null });
  },

  async begin() {
    try {
      set({ enrollment: await call('auth.beginFirstEnrollment', {}), replaced: false, error: null });
    } catch (error) {
      set({ error: { message: messageOf(error), field: undefined } });
    }
  },

  async complete(code, label) {
    const { enrollment, pending } = get();
    if (!enrollment || pending) return false;
    set({ pending: true, error: null });
    try {
      const view = await call('auth.completeFirstEnrollment', { enrollmentId: enrollment.enrollmentId, code, label });
      set({ pending: false, enrollment: null, confirmed: { credentialId: enrollment.credentialId } });
      useSession.getState().applySession(view);
      return true;
    } catch (error) {
      if (isEnrollmentGone(error)) {
        await get().begin();
        set({ pending: false, replaced: true });
      } else {
        set({ pending: false, error: { message: messageOf(error), field: fieldOf(error) } });
      }
      return false;
    }
  },
}));

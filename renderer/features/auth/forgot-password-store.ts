import { create } from 'zustand';
import type { PasswordResetStart } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { useSession } from '../session/store.js';

export const PASSWORD_RESET_NOTICE = 'Your password has been reset. Log in with your new password and a security code.';

interface ForgotPasswordState {
  /** The first step's answer: an emailed code to enter, or the officials to contact. */
  start: PasswordResetStart | null;
  pending: boolean;
  /** What the main process refused, about one field or (field null) the whole form. */
  error: FieldError | null;
  request(userId: string, code: string): Promise<boolean>;
  complete(code: string, newPassword: string, confirmPassword: string): Promise<boolean>;
  /** Back to the first step (a new security code is needed for a new one-time code). */
  restart(): void;
}

/** Forgot your Password?: User ID and a security code, then the emailed one-time code and a new password. */
export const useForgotPassword = create<ForgotPasswordState>()((set, get) => ({
  start: null,
  pending: false,
  error: null,

  async request(userId, code) {
    if (get().pending) return false;
    set({ pending: true, error: null });
    try {
      const start = await call('auth.requestPasswordReset', { userId, code });
      set({ pending: false, start });
      return true;
    } catch (error) {
      set({ pending: false, error: { field: fieldOf(error) ?? null, message: messageOf(error) } });
      return false;
    }
  },

  async complete(code, newPassword, confirmPassword) {
    const { start, pending } = get();
    if (pending || start?.delivery !== 'email') return false;
    set({ pending: true, error: null });
    try {
      await call('auth.completePasswordReset', { resetId: start.resetId, code, newPassword, confirmPassword });
      set({ pending: false, start: null });
      // Back on the Login page, which says what happened.
      useSession.getState().endSession(PASSWORD_RESET_NOTICE);
      return true;
    } catch (error) {
      set({ pending: false, error: { field: fieldOf(error) ?? null, message: messageOf(error) } });
      return false;
    }
  },

  restart() {
    set({ start: null, pending: false, error: null });
  },
}));

import { create } from 'zustand';
import { call, codeOf, messageOf } from '../../api.js';
import { SIGNED_OUT_NOTICE, useSession } from '../session/store.js';

/** QualityNet guide 5.2: the steps across the top of the New User Enrollment pages. */
export const ENROLLMENT_STEPS = ['Login', 'New password', 'Authenticator', 'Enrollment confirmed'] as const;

/** The contract's own wording for the unticked box, shown before any call is made. */
export const TERMS_REQUIRED_MESSAGE = 'You must agree to the Terms & Conditions';

export interface SignInValues {
  userId: string;
  password: string;
  code: string;
  agreeToTerms: boolean;
}

export interface TemporarySignInValues {
  userId: string;
  password: string;
  agreeToTerms: boolean;
}

export interface UnlockValues {
  password: string;
  code: string;
}

/** Sign-in, the warning page, unlock and sign-out: everything that moves a session along. */
interface AuthState {
  pending: boolean;
  /** The main process's message, verbatim (QualityNet guide, Table 5-2). */
  error: string | null;
  /** The input field the error is about, when the main process or the form named one. */
  errorField: string | null;
  /** Signed in with a temporary password and no authenticator: the New User Enrollment steps follow. */
  enrolling: boolean;

  reset(): void;
  signIn(values: SignInValues): Promise<boolean>;
  signInWithTemporaryPassword(values: TemporarySignInValues): Promise<boolean>;
  changePassword(newPassword: string, confirmPassword: string): Promise<boolean>;
  acceptWarning(): Promise<void>;
  denyWarning(): Promise<void>;
  unlock(values: UnlockValues): Promise<boolean>;
  signOut(): Promise<boolean>;
}

export const useAuth = create<AuthState>()((set, get) => {
  /** Runs one session-changing call, guarding against double submits. */
  async function run(action: () => Promise<void>): Promise<boolean> {
    if (get().pending) return false;
    set({ pending: true, error: null, errorField: null });
    try {
      await action();
      set({ pending: false });
      return true;
    } catch (error) {
      set({ pending: false, error: messageOf(error), errorField: fieldOf(error) });
      return false;
    }
  }

  return {
    pending: false,
    error: null,
    errorField: null,
    enrolling: false,

    reset() {
      set({ pending: false, error: null, errorField: null });
    },

    signIn({ userId, password, code, agreeToTerms }) {
      set({ enrolling: false });
      if (!agreeToTerms) {
        set({ error: TERMS_REQUIRED_MESSAGE, errorField: 'agreeToTerms' });
        return Promise.resolve(false);
      }
      return run(async () => {
        const view = await call('auth.signIn', { userId, password, code, agreeToTerms: true });
        useSession.getState().applySession(view);
      });
    },

    signInWithTemporaryPassword({ userId, password, agreeToTerms }) {
      if (!agreeToTerms) {
        set({ error: TERMS_REQUIRED_MESSAGE, errorField: 'agreeToTerms' });
        return Promise.resolve(false);
      }
      return run(async () => {
        const view = await call('auth.signInWithTemporaryPassword', { userId, password, agreeToTerms: true });
        set({ enrolling: true });
        useSession.getState().applySession(view);
      });
    },

    changePassword(newPassword, confirmPassword) {
      return run(async () => {
        useSession.getState().applySession(await call('auth.changePassword', { newPassword, confirmPassword }));
      });
    },

    async acceptWarning() {
      await run(async () => {
        useSession.getState().applySession(await call('auth.acceptWarning', {}));
      });
    },

    async denyWarning() {
      await run(async () => {
        useSession.getState().applySession(await call('auth.denyWarning', {}), SIGNED_OUT_NOTICE);
      });
    },

    unlock(values) {
      return run(async () => {
        useSession.getState().applySession(await call('auth.unlock', values));
      });
    },

    async signOut() {
      const ok = await run(async () => {
        try {
          await call('auth.signOut', {});
        } catch (error) {
          // Already gone is what the user asked for.
          if (codeOf(error) !== 'UNAUTHENTICATED') throw error;
        }
      });
      if (ok) useSession.getState().endSession(SIGNED_OUT_NOTICE);
      return ok;
    },
  };
});

function fieldOf(error: unknown): string | null {
  return typeof error === 'object' && error !== null && 'field' in error && typeof error.field === 'string' ? error.field : null;
}

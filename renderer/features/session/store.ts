import { create } from 'zustand';
import type { RecoveryView, SessionView } from '../../../shared/ipc/contract.js';
import type { NavPage } from '../../../shared/domain.js';
import { call, messageOf, onSessionError } from '../../api.js';

/** Which full-window view the app shows; decided by `app.status` and every SessionView after. */
export type Screen = 'loading' | 'unavailable' | 'recovery' | 'setup' | 'signIn' | 'changePassword' | 'firstEnrollment' | 'warning' | 'home' | 'locked';

/** A page inside the home shell. "home" is always there; the rest come from `home.summary`. */
export type Page = 'home' | NavPage;

export const SIGNED_OUT_NOTICE = 'You have been signed out.';
export const SESSION_ENDED_NOTICE = 'Your session has ended. Please log in again.';

/** The renderer reports input at most this often; the main process owns the idle clock. */
const ACTIVITY_THROTTLE_MS = 60_000;
export const STATUS_POLL_MS = 30_000;

interface SessionState {
  screen: Screen;
  demo: boolean;
  /** Opened read-only after a failed start-up check: a banner says so on every screen. */
  readOnly: boolean;
  /** Why the console is on its recovery screen, and the backups it can restore. */
  recovery: RecoveryView | null;
  session: SessionView | null;
  /** An informational message for the sign-in view ("You have been signed out."). */
  notice: string | null;
  /** Why the console could not start, when screen is "unavailable". */
  bootError: string | null;
  page: Page;
  /** Bumped on every navigation so the page heading takes focus even on the same page. */
  navigationId: number;
  lastActivityReportAt: number;

  boot(): Promise<void>;
  /** Moves the app to the view that matches a SessionView the main process returned. */
  applySession(view: SessionView, notice?: string | null): void;
  /** Back to sign-in with a notice, whatever the app was showing. */
  endSession(notice: string): void;
  refreshStatus(): Promise<void>;
  reportActivity(): void;
  navigate(page: Page): void;
  clearNotice(): void;
}

const SIGNED_IN_SCREENS: ReadonlySet<Screen> = new Set(['changePassword', 'firstEnrollment', 'warning', 'home', 'locked']);

function screenFor(state: SessionView['state']): Screen {
  switch (state) {
    case 'none':
      return 'signIn';
    case 'password':
      return 'changePassword';
    case 'enroll':
      return 'firstEnrollment';
    case 'warning':
      return 'warning';
    case 'active':
      return 'home';
    case 'locked':
      return 'locked';
  }
}

let idleTimer: ReturnType<typeof setTimeout> | undefined;
let bootInFlight: Promise<void> | null = null;

/**
 * Checks the status right after the moment the main process said it would lock, so the lock
 * screen appears on time rather than at the next poll. Clamped, because the main process may
 * run on a different (test) clock than the renderer.
 */
function scheduleIdleCheck(idleLockAt: number | null): void {
  clearTimeout(idleTimer);
  idleTimer = undefined;
  if (idleLockAt === null) return;
  const delay = Math.min(Math.max(idleLockAt - Date.now() + 1_000, 5_000), 16 * 60_000);
  idleTimer = setTimeout(() => void useSession.getState().refreshStatus(), delay);
}

export const useSession = create<SessionState>()((set, get) => ({
  screen: 'loading',
  demo: false,
  readOnly: false,
  recovery: null,
  session: null,
  notice: null,
  bootError: null,
  page: 'home',
  navigationId: 0,
  lastActivityReportAt: 0,

  boot() {
    bootInFlight ??= (async () => {
      set({ screen: 'loading', bootError: null });
      try {
        const status = await call('app.status', {});
        set({ demo: status.demo, readOnly: status.readOnly, recovery: status.recovery });
        if (status.recovery) {
          scheduleIdleCheck(null);
          set({ screen: 'recovery', session: status.session });
        } else if (status.needsSetup) {
          scheduleIdleCheck(null);
          set({ screen: 'setup', session: status.session });
        } else {
          get().applySession(status.session);
        }
      } catch (error) {
        set({ screen: 'unavailable', bootError: messageOf(error) });
      } finally {
        bootInFlight = null;
      }
    })();
    return bootInFlight;
  },

  applySession(view, notice = null) {
    const previous = get().screen;
    const screen = screenFor(view.state);
    const enteringShell = screen === 'home' && previous !== 'home';
    set({
      session: view,
      screen,
      notice: screen === 'signIn' ? notice : null,
      // A fresh sign-in starts on Home; unlocking returns to the page the user was on.
      ...(screen !== 'home' && screen !== 'locked' ? { page: 'home' as Page } : {}),
      // Accepting the warning or unlocking is itself activity in the main process.
      ...(enteringShell ? { lastActivityReportAt: Date.now() } : {}),
    });
    scheduleIdleCheck(view.state === 'active' ? view.idleLockAt : null);
  },

  endSession(notice) {
    get().applySession({ state: 'none', user: null, idleLockAt: null }, notice);
  },

  async refreshStatus() {
    const { screen } = get();
    if (!SIGNED_IN_SCREENS.has(screen)) return;
    try {
      const view = await call('session.status', {});
      // The user may have moved on (signed out, say) while the poll was in flight.
      if (get().screen !== screen) return;
      if (view.state === 'none') {
        // No session may mean the console found its database damaged and closed: say that instead.
        const status = await call('app.status', {}).catch(() => null);
        if (status?.recovery) {
          scheduleIdleCheck(null);
          set({ screen: 'recovery', recovery: status.recovery, session: status.session });
          return;
        }
        get().endSession(SESSION_ENDED_NOTICE);
      } else {
        get().applySession(view);
      }
    } catch {
      // A missed poll is not worth an error on screen; the next one will tell.
      scheduleIdleCheck(get().session?.idleLockAt ?? null);
    }
  },

  reportActivity() {
    const { screen, lastActivityReportAt } = get();
    if (screen !== 'home') return;
    const now = Date.now();
    if (now - lastActivityReportAt < ACTIVITY_THROTTLE_MS) return;
    set({ lastActivityReportAt: now });
    call('session.activity', {}).then(
      (view) => {
        if (get().screen === 'home' && view.state === 'active') {
          set({ session: view });
          scheduleIdleCheck(view.idleLockAt);
        }
      },
      () => {
        // SESSION_LOCKED and UNAUTHENTICATED are handled by the listener below.
      },
    );
  },

  navigate(page) {
    set((state) => ({ page, navigationId: state.navigationId + 1 }));
  },

  clearNotice() {
    set({ notice: null });
  },
}));

onSessionError((error) => {
  const { screen, session, applySession, endSession, boot } = useSession.getState();
  // The console found its database damaged after it opened: whatever was on screen, the recovery screen replaces it.
  if (error.code === 'RECOVERY') {
    if (screen !== 'recovery') void boot();
    return;
  }
  if (!SIGNED_IN_SCREENS.has(screen)) return;
  if (error.code === 'UNAUTHENTICATED') {
    endSession(SESSION_ENDED_NOTICE);
  } else if (error.code === 'SESSION_LOCKED' && screen !== 'locked') {
    applySession({ state: 'locked', user: session?.user ?? null, idleLockAt: null });
  }
});

import type { Clock } from '../clock.js';
import type { SessionView } from '../../shared/ipc/contract.js';
import { POLICY } from '../../shared/policy.js';
import type { Store } from '../store/store.js';
import { officialKindOf } from './officials.js';

/**
 * password: signed in with a temporary password that must be changed first; enroll: signed in
 * with no two-factor credential, one must be enrolled first. Both come before the warning page.
 */
export type SessionState = 'password' | 'enroll' | 'warning' | 'active' | 'locked';

export interface Session {
  clientId: string;
  userRowId: number;
  state: SessionState;
  lastActivityAt: number;
  /** When the user last signed in before this session began. */
  previousSignInAt: number | null;
  /** Wrong codes given in this session (removing a credential); too many lock the session. */
  codeFailures: number;
}

const IDLE_MS = POLICY.idleLockMinutes * 60_000;

/**
 * Sessions live in the main process only, keyed by the transport's client (a window's
 * webContents in Electron, a cookie-bound client in the browser host). The renderer holds
 * no token: it can only ask for its own client's session.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly store: Store,
  ) {}

  /** The client's session with the idle lock applied, or null. */
  async resolve(clientId: string): Promise<Session | null> {
    const session = this.sessions.get(clientId);
    if (!session) return null;
    const beforeWarning = session.state === 'warning' || session.state === 'password' || session.state === 'enroll';
    if (beforeWarning && this.clock.now() - session.lastActivityAt >= IDLE_MS) {
      // Never answered the warning page: not signed in, so nothing to unlock.
      this.close(clientId);
      await this.store.audit.append([{ action: 'session.expired', actorId: session.userRowId, subjectUserId: session.userRowId }]);
      return null;
    }
    if (session.state === 'active' && this.clock.now() - session.lastActivityAt >= IDLE_MS) {
      session.state = 'locked';
      await this.store.audit.append([{ action: 'session.idle_locked', actorId: session.userRowId, subjectUserId: session.userRowId }]);
    }
    return session;
  }

  open(clientId: string, userRowId: number, previousSignInAt: number | null, state: SessionState = 'warning'): Session {
    const session: Session = { clientId, userRowId, state, lastActivityAt: this.clock.now(), previousSignInAt, codeFailures: 0 };
    this.sessions.set(clientId, session);
    return session;
  }

  touch(session: Session): void {
    session.lastActivityAt = this.clock.now();
  }

  close(clientId: string): void {
    this.sessions.delete(clientId);
  }

  /** Ends every session of a user (e.g. when the account locks). */
  closeAllFor(userRowId: number): void {
    for (const [clientId, s] of this.sessions) if (s.userRowId === userRowId) this.sessions.delete(clientId);
  }

  async view(clientId: string): Promise<SessionView> {
    const session = await this.resolve(clientId);
    if (!session) return { state: 'none', user: null, idleLockAt: null };
    const user = await this.store.users.byId(session.userRowId);
    if (!user) {
      this.close(clientId);
      return { state: 'none', user: null, idleLockAt: null };
    }
    const holdings = await this.store.users.sessionHoldings(user.id);
    const home = holdings.find((h) => h.organization.id === user.homeOrganizationId) ?? holdings[0];
    return {
      state: session.state,
      user: {
        userId: user.userId,
        firstName: user.firstName,
        lastName: user.lastName,
        email: user.email,
        organization: home?.organization.name ?? '',
        officialKind: officialKindOf(holdings),
        proofingState: user.proofingState,
      },
      idleLockAt: session.state === 'active' ? session.lastActivityAt + IDLE_MS : null,
    };
  }
}

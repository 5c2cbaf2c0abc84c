import type { Clock } from '../clock.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import type { ChannelParsedInput, SessionView } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES, POLICY, SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { PROGRAMS, SECURITY_OFFICIAL_ROLE } from '../../shared/domain.js';
import type { AuditDraft, CredentialRecord, UserRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { EnrollmentRegistry } from './enrollments.js';
import { assertAcceptablePassword, burnPasswordCheck, hashPassword, prepareDecoyPasswordCheck, verifyPassword } from './passwords.js';
import type { SecretBox } from './secret-box.js';
import type { Session, SessionRegistry } from './sessions.js';
import { matchTotp, newTotpSecret } from './totp.js';
import { countFailure, KeyedMutex, resetsSpent, UnknownIdCounters } from './user-locks.js';
import type { FailureOutcome } from './user-locks.js';
import type { MfaService } from './mfa.js';

const DAY_MS = 86_400_000;

/** A temporary lock is a time, not a status: the account keeps its status (pending stays pending). */
export function isTemporarilyLocked(user: Pick<UserRecord, 'lockedUntil'>, now: number): boolean {
  return user.lockedUntil !== null && user.lockedUntil > now;
}

/** First-run setup, sign-in with two factors, the warning page, idle unlock and sign-out. */
export class AuthService {
  private readonly attempts = new KeyedMutex();
  /** Attempts on user IDs that name no account: counted as accounts' are, in memory only. */
  private readonly unknownAttempts = new KeyedMutex<string>();
  private readonly unknownIds = new UnknownIdCounters();
  /** A sealed key no account has, opened and compared against for an unknown user ID as an account's would be. */
  private readonly decoyCredential: CredentialRecord;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sessions: SessionRegistry,
    private readonly enrollments: EnrollmentRegistry,
    private readonly box: SecretBox,
    private readonly mfa: MfaService,
  ) {
    // Made now, not on the first unknown ID (which would then take twice as long); a failure shows there.
    prepareDecoyPasswordCheck().catch(() => undefined);
    const decoyId = 'DECOY';
    this.decoyCredential = {
      id: 0,
      userId: 0,
      credentialId: decoyId,
      label: '',
      secretSealed: box.seal(newTotpSecret(), decoyId),
      lastUsedStep: null,
      createdAt: 0,
      lastUsedAt: null,
    };
  }

  async needsSetup(): Promise<boolean> {
    return (await this.store.users.count()) === 0;
  }

  async beginSetup(clientId: string) {
    await this.assertSetupOpen();
    return this.enrollments.begin(clientId, null, (credentialId) => credentialId);
  }

  /** Creates the first CMS Security Official; only possible while no user exists. */
  async completeSetup(clientId: string, input: ChannelParsedInput<'setup.complete'>): Promise<SessionView> {
    await this.assertSetupOpen();
    assertAcceptablePassword(input.password, { userId: input.userId, email: input.email });
    const enrollment = this.enrollments.take(input.enrollmentId, clientId, null);
    const step = matchTotp(enrollment.secret, input.code, this.clock.now(), null);
    if (step === null) {
      throw new AppError('VALIDATION', 'The security code is not valid. Enter a fresh code from your authenticator app.', 'code');
    }
    const userRowId = await this.store.users.createFirstOfficial(
      {
        user: {
          userId: input.userId,
          firstName: input.firstName,
          lastName: input.lastName,
          email: input.email,
          passwordHash: await hashPassword(input.password),
        },
        organizationName: input.organizationName,
        credential: {
          credentialId: enrollment.credentialId,
          label: input.credentialLabel,
          secretSealed: this.box.seal(enrollment.secret, enrollment.credentialId),
          lastUsedStep: step,
        },
        programs: PROGRAMS,
        roleName: SECURITY_OFFICIAL_ROLE.cms,
      },
      [
        { action: 'setup.completed', actorId: null },
        { action: 'credential.added', actorId: null, details: { credentialId: enrollment.credentialId } },
      ],
    );
    if (userRowId === false) throw new AppError('SETUP_DONE', CONSOLE_MESSAGES.alreadySetUp);
    this.enrollments.finish(enrollment.enrollmentId);
    this.sessions.open(clientId, userRowId, null);
    return this.sessions.view(clientId);
  }

  /**
   * Sign-in as the job aids describe it. Every failure counts, whichever factor was wrong, and
   * the message never says which; the messages are the QualityNet guide's (Table 5-2).
   */
  async signIn(clientId: string, input: ChannelParsedInput<'auth.signIn'>): Promise<SessionView> {
    this.sessions.close(clientId);
    const found = await this.store.users.byUserId(input.userId);
    if (!found) return this.failUnknownUser(input.userId, input.password, input.code);
    const { user } = await this.verifyBothFactors(found.id, input.password, input.code, 'signin');
    // A password an official reset must be replaced before anything else (QualityNet guide 5.3.1).
    this.sessions.open(clientId, user.id, user.lastSignInAt, user.mustChangePassword ? 'password' : 'warning');
    return this.sessions.view(clientId);
  }

  /**
   * The one sign-in without a security code: a new account, or one whose credentials an
   * official revoked, has no authenticator yet. Only a temporary password an official set (and
   * handed over in person) opens it, and only to set a new password and enroll a credential.
   * Anyone else who tries this form gets the ordinary failure, counted.
   */
  async signInWithTemporaryPassword(clientId: string, input: ChannelParsedInput<'auth.signInWithTemporaryPassword'>): Promise<SessionView> {
    this.sessions.close(clientId);
    const found = await this.store.users.byUserId(input.userId);
    if (!found) return this.failUnknownUser(input.userId, input.password, null);
    const user = await this.attempts.run(found.id, async () => {
      const now = this.clock.now();
      const current = await this.store.users.byId(found.id);
      if (!current) throw new AppError('SIGN_IN_FAILED', SIGN_IN_MESSAGES.incorrect);
      await this.refuseUnavailable(current, now);
      const passwordOk = await verifyPassword(current.passwordHash, input.password);
      const credentials = await this.store.credentials.forUser(current.id);
      if (!passwordOk || credentials.length > 0 || !current.mustChangePassword) return this.recordFailure(current, 'signin.failed');
      await this.refuseWithProof(current, now);
      const recorded = await this.store.users.recordSignIn(
        current.id,
        null,
        [{ action: 'signin.succeeded', actorId: current.id, subjectUserId: current.id, details: { temporaryPassword: true } }],
        current,
      );
      if (!recorded) return this.recordFailure(current, 'signin.failed');
      return current;
    });
    this.sessions.open(clientId, user.id, user.lastSignInAt, 'password');
    return this.sessions.view(clientId);
  }

  /** Replaces a temporary password; then a first credential, if there is none, then the warning page. */
  async changePassword(session: Session, input: ChannelParsedInput<'auth.changePassword'>): Promise<SessionView> {
    const user = await this.store.users.byId(session.userRowId);
    if (!user) throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
    if (input.newPassword !== input.confirmPassword) throw new AppError('VALIDATION', 'The two passwords do not match', 'confirmPassword');
    assertAcceptablePassword(input.newPassword, { userId: user.userId, email: user.email }, 'newPassword');
    if (await verifyPassword(user.passwordHash, input.newPassword)) {
      throw new AppError('VALIDATION', 'Choose a new password, not the temporary one', 'newPassword');
    }
    const changed = await this.store.userAdmin.changeAccount(
      'self',
      user.id,
      ['active'],
      { passwordHash: await hashPassword(input.newPassword), mustChangePassword: false, temporaryPasswordExpiresAt: null },
      [{ action: 'password.changed', actorId: user.id, subjectUserId: user.id, details: { temporaryPassword: true } }],
    );
    if (!changed) {
      this.sessions.close(session.clientId);
      throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
    }
    const credentials = await this.store.credentials.forUser(user.id);
    session.state = credentials.length === 0 ? 'enroll' : 'warning';
    this.sessions.touch(session);
    return this.sessions.view(session.clientId);
  }

  /** A first credential, confirmed by a fresh code from it, moves the session on to the warning page. */
  async completeFirstEnrollment(session: Session, input: ChannelParsedInput<'auth.completeFirstEnrollment'>): Promise<SessionView> {
    await this.mfa.confirmEnrollment(session, input);
    session.state = 'warning';
    this.sessions.touch(session);
    return this.sessions.view(session.clientId);
  }

  async acceptWarning(session: Session): Promise<SessionView> {
    session.state = 'active';
    this.sessions.touch(session);
    await this.store.audit.append([{ action: 'warning.accepted', actorId: session.userRowId, subjectUserId: session.userRowId }]);
    return this.sessions.view(session.clientId);
  }

  /** "I Deny" signs out (QualityNet guide 5.3, Figure 5-13). */
  async denyWarning(session: Session): Promise<SessionView> {
    this.sessions.close(session.clientId);
    await this.store.audit.append([{ action: 'warning.denied', actorId: session.userRowId, subjectUserId: session.userRowId }]);
    return this.sessions.view(session.clientId);
  }

  async signOut(session: Session): Promise<SessionView> {
    this.sessions.close(session.clientId);
    await this.store.audit.append([{ action: 'signout', actorId: session.userRowId, subjectUserId: session.userRowId }]);
    return this.sessions.view(session.clientId);
  }

  /** Unlocks an idle-locked session with password and a fresh code; failures count as sign-in failures. */
  async unlock(session: Session, input: ChannelParsedInput<'auth.unlock'>): Promise<SessionView> {
    try {
      await this.verifyBothFactors(session.userRowId, input.password, input.code, 'unlock');
    } catch (error) {
      // A lock or deactivation ends the session; a plain wrong code leaves it locked.
      if (!(error instanceof AppError) || error.code !== 'SIGN_IN_FAILED') this.sessions.closeAllFor(session.userRowId);
      throw error;
    }
    session.state = 'active';
    this.sessions.touch(session);
    return this.sessions.view(session.clientId);
  }

  /**
   * The one check behind sign-in and unlock, one attempt at a time per account: refuses locked,
   * deactivated and long-unused accounts before any factor is looked at, checks both factors,
   * counts every failure, and consumes the code's time step on success.
   */
  private verifyBothFactors(
    userRowId: number,
    password: string,
    code: string,
    purpose: 'signin' | 'unlock',
  ): Promise<{ user: UserRecord; credential: CredentialRecord }> {
    return this.attempts.run(userRowId, async () => {
      const now = this.clock.now();
      const user = await this.store.users.byId(userRowId);
      if (!user) throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
      await this.refuseUnavailable(user, now);

      const passwordOk = await verifyPassword(user.passwordHash, password);
      const credentials = await this.store.credentials.forUser(user.id);
      const match = this.matchAnyCredential(credentials, code, now);
      const failed = purpose === 'signin' ? 'signin.failed' : 'unlock.failed';

      // Pending and not-activated accounts learn their status only with proof of the account:
      // the password, and the code too when they have a credential to give one.
      const proven = passwordOk && (match !== null || credentials.length === 0);
      if (user.status === 'pending' || user.status === 'not_activated') {
        if (!proven) return this.recordFailure(user, failed);
        await this.refuseWithProof(user, now);
      }
      if (!passwordOk || !match) return this.recordFailure(user, failed);
      await this.refuseWithProof(user, now);
      const action = purpose === 'signin' ? 'signin.succeeded' : 'session.unlocked';
      const recorded = await this.store.users.recordSignIn(
        user.id,
        { credentialRowId: match.credential.id, step: match.step },
        [{ action, actorId: user.id, subjectUserId: user.id, details: { credentialId: match.credential.credentialId } }],
        user,
      );
      // The step was consumed between our check and our write (a replay), or an official reset
      // the password or deactivated the account meanwhile.
      if (!recorded) return this.recordFailure(user, failed);
      return { user, credential: match.credential };
    });
  }

  /**
   * An attempt on a user ID that names no account, answered as an active account's failed
   * attempt would be, so that neither the answers nor their timing tell which IDs exist: the
   * same messages, the same count and locks (the shared rule, kept in memory), and the same
   * work (a password checked against a hash made with the same parameters, a sealed key opened
   * and a code compared). A lock refuses before any factor is checked, as for an account.
   * Nothing about the ID reaches the database but the one audit event every attempt gets.
   */
  private failUnknownUser(userId: string, password: string, code: string | null): Promise<never> {
    return this.unknownAttempts.run(userId.toLowerCase(), async () => {
      const now = this.clock.now();
      const state = this.unknownIds.get(userId);
      if (state.locked || isTemporarilyLocked(state, now)) {
        await this.store.audit.append([
          { action: 'signin.failed', actorId: null, details: { userId, reason: state.locked ? 'locked' : 'temporarily locked' } },
        ]);
        throw failureError(state.locked ? 'locked' : 'temporarilyLocked');
      }
      await burnPasswordCheck(password);
      // Whatever it answers (a random key matches one code in a few hundred thousand), this is a failure.
      if (code !== null) this.matchAnyCredential([this.decoyCredential], code, now);
      const { outcome, attempt, next } = countFailure(state, now);
      this.unknownIds.set(userId, { ...next, locked: outcome === 'locked' });
      await this.store.audit.append([{ action: 'signin.failed', actorId: null, details: { userId, attempt } }]);
      throw failureError(outcome);
    });
  }

  /** The credential a fresh code came from, and its time step, or null. */
  matchAnyCredential(credentials: readonly CredentialRecord[], code: string, now: number): { credential: CredentialRecord; step: number } | null {
    for (const credential of credentials) {
      const secret = this.box.open(credential.secretSealed, credential.credentialId);
      const step = matchTotp(secret, code, now, credential.lastUsedStep);
      if (step !== null) return { credential, step };
    }
    return null;
  }

  /**
   * Refusals shown only to someone who proved the account (QualityNet guide Table 5-2): pending
   * and not-activated accounts, and an expired temporary password.
   */
  private async refuseWithProof(user: UserRecord, now: number): Promise<void> {
    if (user.status === 'pending' || user.status === 'not_activated') {
      await this.audit(user, 'signin.refused', { reason: user.status });
      throw new AppError('FORBIDDEN', user.status === 'pending' ? SIGN_IN_MESSAGES.pending : SIGN_IN_MESSAGES.notActivated(user.userId));
    }
    if (user.mustChangePassword && user.temporaryPasswordExpiresAt !== null && user.temporaryPasswordExpiresAt <= now) {
      await this.audit(user, 'signin.refused', { reason: 'temporary password expired' });
      throw new AppError('FORBIDDEN', SIGN_IN_MESSAGES.temporaryPassword);
    }
  }

  private async assertSetupOpen(): Promise<void> {
    if (!(await this.needsSetup())) throw new AppError('SETUP_DONE', CONSOLE_MESSAGES.alreadySetUp);
  }

  /**
   * Refuses locked, deactivated and long-unused accounts before any factor is looked at. A
   * password reset passes a temporary lock (QualityNet guide Table 5-2: the lock message sends
   * the user to Forgot your Password?) and audits its refusals as its own.
   */
  async refuseUnavailable(user: UserRecord, now: number, options: { refusedAction?: AuditAction; passTemporaryLock?: boolean } = {}): Promise<void> {
    const refused = options.refusedAction ?? 'signin.refused';
    if (user.status === 'locked') {
      await this.audit(user, refused, { reason: 'locked' });
      throw new AppError('LOCKED', SIGN_IN_MESSAGES.locked);
    }
    if (isTemporarilyLocked(user, now) && !options.passTemporaryLock) {
      await this.audit(user, refused, { reason: 'temporarily locked' });
      throw new AppError('LOCKED', SIGN_IN_MESSAGES.temporarilyLocked);
    }
    if (user.status === 'deactivated') {
      await this.audit(user, refused, { reason: 'deactivated' });
      throw new AppError('LOCKED', SIGN_IN_MESSAGES.invalidStatus);
    }
    // An official's reactivation restarts the count (QualityNet guide 5.3.1: "> 120 days of non-use").
    const lastUse = Math.max(user.lastSignInAt ?? user.createdAt, user.reactivatedAt ?? 0);
    if (user.status === 'active' && now - lastUse > POLICY.inactivityDays * DAY_MS) {
      await this.store.users.updateSignInCounters(
        user.id,
        { status: 'deactivated', failedAttempts: user.failedAttempts, temporaryLockCount: user.temporaryLockCount, lockedUntil: null },
        [{ action: 'account.deactivated', actorId: null, subjectUserId: user.id, details: { reason: `unused for more than ${POLICY.inactivityDays} days` } }],
        user.status,
      );
      throw new AppError('LOCKED', SIGN_IN_MESSAGES.invalidStatus);
    }
  }

  /** Counts a failure, locks when the policy says so, and always throws the matching message. */
  private async recordFailure(user: UserRecord, action: AuditAction): Promise<never> {
    throw failureError(await this.countAccountFailure(user, action));
  }

  /**
   * Counts an account's failed attempt (sign-in, unlock, password reset: one count), locks when
   * the policy says so, ends the account's sessions on a lock, and says what the count came to.
   */
  async countAccountFailure(user: UserRecord, action: AuditAction, details: AuditDraft['details'] = {}): Promise<FailureOutcome> {
    const { outcome, attempt, next } = countFailure(user, this.clock.now());
    const events: AuditDraft[] = [{ action, actorId: null, subjectUserId: user.id, details: { ...details, attempt } }];
    if (outcome !== 'incorrect') this.sessions.closeAllFor(user.id);
    if (outcome === 'locked') {
      events.push({ action: 'account.locked', actorId: null, subjectUserId: user.id, details: { temporaryLocks: next.temporaryLockCount } });
    } else if (outcome === 'temporarilyLocked') {
      events.push({
        action: 'account.temporarily_locked',
        actorId: null,
        subjectUserId: user.id,
        details: { until: next.lockedUntil, temporaryLocks: next.temporaryLockCount },
      });
    }
    await this.store.users.updateSignInCounters(user.id, { status: outcome === 'locked' ? 'locked' : user.status, ...next }, events, user.status);
    return outcome;
  }

  /** One attempt at a time per account: sign-in, unlock and password reset wait for each other. */
  runForAccount<T>(userRowId: number, task: () => Promise<T>): Promise<T> {
    return this.attempts.run(userRowId, task);
  }

  /**
   * A password-reset attempt on a user ID that names no account, answered as an account's
   * failed reset would be: the same count as sign-in's (in memory), the same locks (a reset
   * passes a temporary lock, as for an account, and is refused on a lock for good), and the
   * same work (a sealed key opened and a code compared). Returns what the count came to.
   */
  failUnknownReset(userId: string, code: string, action: AuditAction): Promise<FailureOutcome> {
    return this.unknownAttempts.run(userId.toLowerCase(), async () => {
      const now = this.clock.now();
      const state = this.unknownIds.get(userId);
      if (state.locked) {
        await this.store.audit.append([{ action, actorId: null, details: { userId, reason: 'locked' } }]);
        throw failureError('locked');
      }
      if (resetsSpent(state, now)) {
        // As for an account: the lock's round of reset attempts is spent, nothing is counted.
        await this.store.audit.append([{ action, actorId: null, details: { userId, reason: 'temporarily locked' } }]);
        return 'temporarilyLocked';
      }
      this.matchAnyCredential([this.decoyCredential], code, now);
      const { outcome, attempt, next } = countFailure(state, now);
      this.unknownIds.set(userId, { ...next, locked: outcome === 'locked' });
      await this.store.audit.append([{ action, actorId: null, details: { userId, attempt } }]);
      return outcome;
    });
  }

  private audit(user: UserRecord, action: AuditAction, details: AuditDraft['details']): Promise<void> {
    return this.store.audit.append([{ action, actorId: null, subjectUserId: user.id, details }]);
  }
}

/** The QualityNet guide's message (Table 5-2) for each outcome of a failed attempt. */
export function failureError(outcome: FailureOutcome): AppError {
  switch (outcome) {
    case 'incorrect':
      return new AppError('SIGN_IN_FAILED', SIGN_IN_MESSAGES.incorrect);
    case 'temporarilyLocked':
      return new AppError('LOCKED', SIGN_IN_MESSAGES.temporarilyLocked);
    case 'locked':
      return new AppError('LOCKED', SIGN_IN_MESSAGES.locked);
  }
}

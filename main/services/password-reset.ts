import type { AuditAction } from '../../shared/audit-actions.js';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ChannelOutput, ChannelParsedInput, PasswordResetStart } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { PASSWORD_RESET, RESET_MESSAGES, SIGN_IN_MESSAGES } from '../../shared/policy.js';
import type { AuditDraft, UserRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { PasswordResetRecord } from '../store/password-reset-store.js';
import { failureError } from './auth.js';
import type { AuthService } from './auth.js';
import { assertAcceptablePassword, hashPassword } from './passwords.js';
import type { SecretBox } from './secret-box.js';
import type { SessionRegistry } from './sessions.js';
import type { FailureOutcome } from './user-locks.js';
import { resetsSpent } from './user-locks.js';
import { passwordResetCodeEmail } from './email-texts.js';

/** The audit actions of Forgot your Password?, one per step and refusal. */
type ResetStep = 'failed' | 'refused' | 'requested' | 'codeSent' | 'mailFailed' | 'noMail' | 'ended' | 'completed';

export const PASSWORD_RESET_ACTIONS: Record<ResetStep, AuditAction> = {
  /** A wrong security code or one-time code, or an unknown user ID: counted toward the sign-in lock. */
  failed: 'password_reset.failed',
  /** Refused before any code was looked at (locked, deactivated, pending, ended or expired reset). */
  refused: 'password_reset.refused',
  /** The authenticator was proven and a one-time code was made (kept only as a hash). */
  requested: 'password_reset.requested',
  /** The mail server accepted the email with the one-time code. */
  codeSent: 'password_reset.code_sent',
  /** The email could not be sent: the reset ended, and the user was told whom to contact. */
  mailFailed: 'password_reset.mail_failed',
  /** No mail server is set: the user was told whom to contact. */
  noMail: 'password_reset.no_mail',
  /** Too many wrong codes ended the reset. */
  ended: 'password_reset.ended',
  completed: 'password_reset.completed',
};

const MINUTE = 60_000;
const CODE_PURPOSE = 'password reset code';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Forgot your Password? (QualityNet guide, Table 5-2: the temporary-lock message sends the user
 * here). Two steps, each needing something only the account's owner has:
 *
 * 1. User ID and a fresh security code from the user's authenticator. An unknown ID, an account
 *    without a credential and a wrong code get the same answer, counted toward the same lock as
 *    sign-in, so this step tells no more about which IDs exist than sign-in does. With the code
 *    right, a one-time code is emailed to the account's address (never written anywhere in
 *    clear: not to the outbox, only its keyed hash to the database), and the window gets a
 *    token that ties step 2 to it. With no mail server, the user is told which Security
 *    Officials can reset the password instead.
 * 2. That token, the emailed code and a new password under the password policy. A wrong code
 *    counts toward the lock; the code works once, for PASSWORD_RESET.codeMinutes minutes. The
 *    new password clears the sign-in locks and ends every session of the account.
 */
export class PasswordResetService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly auth: AuthService,
    private readonly sessions: SessionRegistry,
    private readonly mail: { mailConfigured(): Promise<boolean>; sendNow(message: { to: string; subject: string; body: string }): Promise<void> },
  ) {}

  async request(input: ChannelParsedInput<'auth.requestPasswordReset'>): Promise<PasswordResetStart> {
    const found = await this.store.users.byUserId(input.userId);
    if (!found) throw resetFailure(await this.auth.failUnknownReset(input.userId, input.code, PASSWORD_RESET_ACTIONS.failed));
    return this.auth.runForAccount(found.id, async () => {
      const now = this.clock.now();
      const user = await this.store.users.byId(found.id);
      if (!user) throw new AppError('SIGN_IN_FAILED', RESET_MESSAGES.incorrect);
      await this.auth.refuseUnavailable(user, now, { refusedAction: PASSWORD_RESET_ACTIONS.refused, passTemporaryLock: true });
      await this.refuseSpentLock(user, now);
      const credentials = await this.store.credentials.forUser(user.id);
      const match = this.auth.matchAnyCredential(credentials, input.code, now);
      if (!match) return this.fail(user, { step: 'security code' });
      // As at sign-in, a pending or not-activated account learns its status only with proof.
      await this.refuseInactive(user);

      const officials = async () => this.store.passwordResets.contactsFor(user.id);
      if (!(await this.mail.mailConfigured())) {
        if (!(await this.store.credentials.consumeStep(match.credential.id, match.step))) return this.fail(user, { step: 'security code', replayed: true });
        const contacts = await officials();
        await this.audit(user, PASSWORD_RESET_ACTIONS.noMail, { credentialId: match.credential.credentialId, officials: contacts.length });
        return { delivery: 'officials', reason: 'mail_not_configured', officials: contacts };
      }

      const token = randomBytes(32).toString('base64url');
      const tokenHash = sha256(token);
      const code = String(randomInt(0, 10 ** PASSWORD_RESET.codeDigits)).padStart(PASSWORD_RESET.codeDigits, '0');
      const expiresAt = now + PASSWORD_RESET.codeMinutes * MINUTE;
      const resetId = await this.store.passwordResets.open(
        { userRowId: user.id, tokenHash, codeHash: this.codeHash(tokenHash, code), expiresAt },
        { credentialRowId: match.credential.id, step: match.step },
        [
          {
            action: PASSWORD_RESET_ACTIONS.requested,
            actorId: null,
            subjectUserId: user.id,
            details: { credentialId: match.credential.credentialId, to: user.email, until: expiresAt },
          },
        ],
      );
      // The code's step was used meanwhile (a replay of a code seen over the shoulder).
      if (resetId === false) return this.fail(user, { step: 'security code', replayed: true });
      try {
        await this.mail.sendNow({ to: user.email, ...passwordResetCodeEmail({ firstName: user.firstName, userId: user.userId, code }) });
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'unknown error';
        await this.store.passwordResets.end(resetId, 'not_sent', [
          { action: PASSWORD_RESET_ACTIONS.mailFailed, actorId: null, subjectUserId: user.id, details: { resetId, error: reason } },
        ]);
        return { delivery: 'officials', reason: 'mail_failed', officials: await officials() };
      }
      await this.audit(user, PASSWORD_RESET_ACTIONS.codeSent, { resetId, to: user.email });
      return { delivery: 'email', resetId: token, emailHint: maskEmail(user.email), expiresAt };
    });
  }

  async complete(input: ChannelParsedInput<'auth.completePasswordReset'>): Promise<ChannelOutput<'auth.completePasswordReset'>> {
    const tokenHash = sha256(input.resetId);
    const found = await this.store.passwordResets.byTokenHash(tokenHash);
    if (!found) {
      await this.store.audit.append([{ action: PASSWORD_RESET_ACTIONS.refused, actorId: null, details: { reason: 'unknown reset' } }]);
      throw new AppError('NOT_FOUND', RESET_MESSAGES.ended);
    }
    return this.auth.runForAccount(found.userRowId, async () => {
      const now = this.clock.now();
      const reset = await this.store.passwordResets.byTokenHash(tokenHash);
      const user = await this.store.users.byId(found.userRowId);
      if (!reset || !user) throw new AppError('NOT_FOUND', RESET_MESSAGES.ended);
      await this.refuseEnded(user, reset, now);
      await this.auth.refuseUnavailable(user, now, { refusedAction: PASSWORD_RESET_ACTIONS.refused, passTemporaryLock: true });
      await this.refuseSpentLock(user, now);
      await this.refuseInactive(user);
      // The password is judged before the code, and neither judgement writes: a weak password
      // can be fixed without a new code.
      if (input.newPassword !== input.confirmPassword) throw new AppError('VALIDATION', RESET_MESSAGES.passwordsDiffer, 'confirmPassword');
      assertAcceptablePassword(input.newPassword, { userId: user.userId, email: user.email }, 'newPassword');

      const expected = Buffer.from(reset.codeHash, 'hex');
      const given = Buffer.from(this.codeHash(tokenHash, input.code), 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        const outcome = await this.auth.countAccountFailure(user, PASSWORD_RESET_ACTIONS.failed, { step: 'one-time code', resetId: reset.id });
        if (outcome === 'incorrect') throw new AppError('VALIDATION', RESET_MESSAGES.codeIncorrect, 'code');
        // A lock ends this reset: starting again needs a fresh security code.
        await this.store.passwordResets.end(reset.id, 'too_many_tries', [
          { action: PASSWORD_RESET_ACTIONS.ended, actorId: null, subjectUserId: user.id, details: { resetId: reset.id, reason: 'too many tries' } },
        ]);
        throw resetFailure(outcome);
      }
      const passwordHash = await hashPassword(input.newPassword);
      const completed = await this.store.passwordResets.complete(reset.id, user.id, passwordHash, [
        { action: PASSWORD_RESET_ACTIONS.completed, actorId: user.id, subjectUserId: user.id, details: { resetId: reset.id } },
        { action: 'password.changed', actorId: user.id, subjectUserId: user.id, details: { passwordReset: true } },
      ]);
      if (!completed) throw new AppError('CONFLICT', RESET_MESSAGES.ended);
      // Whoever was signed in with the old password is signed out.
      this.sessions.closeAllFor(user.id);
      return { userId: user.userId };
    });
  }

  private codeHash(tokenHash: string, code: string): string {
    return this.box.digest(CODE_PURPOSE, `${tokenHash}:${code}`);
  }

  private async refuseEnded(user: UserRecord, reset: PasswordResetRecord, now: number): Promise<void> {
    if (reset.endReason !== null) {
      await this.audit(user, PASSWORD_RESET_ACTIONS.refused, { resetId: reset.id, reason: reset.endReason });
      throw new AppError('CONFLICT', reset.endReason === 'used' ? RESET_MESSAGES.used : RESET_MESSAGES.ended);
    }
    if (reset.expiresAt <= now) {
      await this.audit(user, PASSWORD_RESET_ACTIONS.refused, { resetId: reset.id, reason: 'expired' });
      throw new AppError('CONFLICT', RESET_MESSAGES.expired);
    }
  }

  private async refuseInactive(user: UserRecord): Promise<void> {
    if (user.status === 'pending' || user.status === 'not_activated') {
      await this.audit(user, PASSWORD_RESET_ACTIONS.refused, { reason: user.status });
      throw new AppError('FORBIDDEN', user.status === 'pending' ? SIGN_IN_MESSAGES.pending : SIGN_IN_MESSAGES.notActivated(user.userId));
    }
  }

  private async fail(user: UserRecord, details: AuditDraft['details']): Promise<never> {
    throw resetFailure(await this.auth.countAccountFailure(user, PASSWORD_RESET_ACTIONS.failed, details));
  }

  /** A temporary lock whose one round of reset attempts is spent: nothing more until it ends. */
  private async refuseSpentLock(user: UserRecord, now: number): Promise<void> {
    if (!resetsSpent(user, now)) return;
    await this.audit(user, PASSWORD_RESET_ACTIONS.refused, { reason: 'temporarily locked' });
    throw resetFailure('temporarilyLocked');
  }

  private audit(user: UserRecord, action: AuditAction, details: AuditDraft['details']): Promise<void> {
    return this.store.audit.append([{ action, actorId: null, subjectUserId: user.id, details }]);
  }
}

/** A counted failure's answer: the lock for good is sign-in's message (Table 5-2). */
function resetFailure(outcome: FailureOutcome): AppError {
  switch (outcome) {
    case 'incorrect':
      return new AppError('SIGN_IN_FAILED', RESET_MESSAGES.incorrect);
    case 'temporarilyLocked':
      return new AppError('LOCKED', RESET_MESSAGES.temporarilyLocked);
    case 'locked':
      return failureError('locked');
  }
}

/** j•••@example.org: enough for the owner to recognize, not the whole address. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}

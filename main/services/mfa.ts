import type { Clock } from '../clock.js';
import type { ChannelParsedInput, CredentialView, EnrollmentView } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES, POLICY } from '../../shared/policy.js';
import type { CredentialRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { EnrollmentRegistry } from './enrollments.js';
import type { SecretBox } from './secret-box.js';
import type { Session } from './sessions.js';
import { matchTotp } from './totp.js';
import { countWrongCode } from './reauth.js';

const toView = (c: CredentialRecord): CredentialView => ({
  credentialId: c.credentialId,
  label: c.label,
  createdAt: c.createdAt,
  lastUsedAt: c.lastUsedAt,
});

/** A user's own two-factor credentials (QualityNet guide 5.4.4.1, "Managing Multifactor Credentials"). */
export class MfaService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly enrollments: EnrollmentRegistry,
    private readonly box: SecretBox,
  ) {}

  async list(session: Session): Promise<CredentialView[]> {
    return (await this.store.credentials.forUser(session.userRowId)).map(toView);
  }

  async beginEnrollment(session: Session): Promise<EnrollmentView> {
    const existing = await this.store.credentials.forUser(session.userRowId);
    if (existing.length >= POLICY.maxCredentials) throw new AppError('CONFLICT', CONSOLE_MESSAGES.credentialLimit);
    const user = await this.store.users.byId(session.userRowId);
    return this.enrollments.begin(session.clientId, session.userRowId, (credentialId) => `${user?.userId ?? 'user'} (${credentialId})`);
  }

  /** Links the new credential once a fresh code from it proves the user holds it. */
  async confirmEnrollment(session: Session, input: ChannelParsedInput<'mfa.confirmEnrollment'>): Promise<CredentialView> {
    const enrollment = this.enrollments.take(input.enrollmentId, session.clientId, session.userRowId);
    const step = matchTotp(enrollment.secret, input.code, this.clock.now(), null);
    if (step === null) {
      throw new AppError('VALIDATION', 'The security code is not valid. Enter a fresh code from the new credential.', 'code');
    }
    const added = await this.store.credentials.add(
      session.userRowId,
      {
        credentialId: enrollment.credentialId,
        label: input.label,
        secretSealed: this.box.seal(enrollment.secret, enrollment.credentialId),
        lastUsedStep: step,
      },
      POLICY.maxCredentials,
      [{ action: 'credential.added', actorId: session.userRowId, subjectUserId: session.userRowId, details: { credentialId: enrollment.credentialId } }],
    );
    if (added === false) throw new AppError('CONFLICT', CONSOLE_MESSAGES.credentialLimit);
    this.enrollments.finish(enrollment.enrollmentId);
    return toView(added);
  }

  /**
   * Unlinks a credential given its ID and a fresh code from that same credential; the last
   * one cannot go, or the user could never sign in again.
   */
  async remove(session: Session, input: ChannelParsedInput<'mfa.remove'>): Promise<CredentialView[]> {
    const credentials = await this.store.credentials.forUser(session.userRowId);
    const target = credentials.find((c) => c.credentialId.toUpperCase() === input.credentialId.toUpperCase());
    if (!target) throw new AppError('NOT_FOUND', 'No credential with this Credential ID is linked to your user ID.', 'credentialId');
    if (credentials.length <= 1) throw new AppError('CONFLICT', CONSOLE_MESSAGES.onlyCredential);
    const secret = this.box.open(target.secretSealed, target.credentialId);
    const step = matchTotp(secret, input.code, this.clock.now(), target.lastUsedStep);
    if (step === null) return this.refuseCode(session, target);
    const outcome = await this.store.credentials.remove(session.userRowId, target.id, step, [
      { action: 'credential.removed', actorId: session.userRowId, subjectUserId: session.userRowId, details: { credentialId: target.credentialId } },
    ]);
    if (outcome === 'last') throw new AppError('CONFLICT', CONSOLE_MESSAGES.onlyCredential);
    if (outcome === 'replayed') return this.refuseCode(session, target);
    session.codeFailures = 0;
    return this.list(session);
  }

  private async refuseCode(session: Session, target: CredentialRecord): Promise<never> {
    await countWrongCode(this.store, session, {
      action: 'credential.remove_failed',
      actorId: session.userRowId,
      subjectUserId: session.userRowId,
      details: { credentialId: target.credentialId },
    });
    throw new AppError('VALIDATION', CONSOLE_MESSAGES.credentialCodeInvalid, 'code');
  }
}

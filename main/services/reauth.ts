import type { Clock } from '../clock.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES, POLICY } from '../../shared/policy.js';
import type { AuditDraft } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from './secret-box.js';
import type { Session } from './sessions.js';
import { matchTotp } from './totp.js';

export const REAUTH_MESSAGES = {
  codeInvalid: 'The security code is not valid. Enter a fresh code from your authenticator app.',
} as const;

/**
 * Re-authentication for actions that change another person's access (QualityNet guide 5.3.1,
 * "Security Administrator Action"): the official proves, with a fresh code from one of their
 * own credentials, that they are the one at the console. The code's time step is consumed, so
 * a code seen over the official's shoulder cannot be used again.
 */
export class Reauthentication {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  async confirm(session: Session, code: string, purpose: string): Promise<void> {
    const now = this.clock.now();
    for (const credential of await this.store.credentials.forUser(session.userRowId)) {
      const step = matchTotp(this.box.open(credential.secretSealed, credential.credentialId), code, now, credential.lastUsedStep);
      if (step !== null && (await this.store.credentials.consumeStep(credential.id, step))) {
        session.codeFailures = 0;
        return;
      }
    }
    await countWrongCode(this.store, session, { action: 'reauth.failed', actorId: session.userRowId, subjectUserId: session.userRowId, details: { purpose } });
    throw new AppError('VALIDATION', REAUTH_MESSAGES.codeInvalid, 'code');
  }
}

/**
 * A wrong code given inside a session is audited, and after five the session locks: whoever
 * sits at an unlocked console must not be able to guess the owner's codes.
 */
export async function countWrongCode(store: Store, session: Session, event: AuditDraft): Promise<void> {
  session.codeFailures += 1;
  await store.audit.append([{ ...event, details: { ...event.details, attempt: session.codeFailures } }]);
  if (session.codeFailures >= POLICY.failuresBeforeLock) {
    session.codeFailures = 0;
    session.state = 'locked';
    await store.audit.append([
      { action: 'session.locked', actorId: session.userRowId, subjectUserId: session.userRowId, details: { reason: 'wrong security codes' } },
    ]);
    throw new AppError('SESSION_LOCKED', CONSOLE_MESSAGES.sessionLocked);
  }
}

import type { Clock } from '../clock.js';
import type { EnrollmentView } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import { newCredentialId, newEnrollmentId, newTotpSecret, otpauthUri, qrDataUrl } from './totp.js';

interface PendingEnrollment {
  enrollmentId: string;
  clientId: string;
  /** null during first-run setup, before the user exists. */
  userRowId: number | null;
  credentialId: string;
  secret: string;
  createdAt: number;
}

/** Ten minutes to scan a code and type one back; then the unconfirmed key is forgotten. */
const ENROLLMENT_TTL_MS = 10 * 60_000;

/**
 * Keys being enrolled, held in memory only until a fresh code confirms them: an unconfirmed
 * key never reaches the disk.
 */
export class EnrollmentRegistry {
  private readonly pending = new Map<string, PendingEnrollment>();

  constructor(private readonly clock: Clock) {}

  async begin(clientId: string, userRowId: number | null, accountLabel: (credentialId: string) => string): Promise<EnrollmentView> {
    this.sweep();
    // One enrollment in flight per client: starting again replaces the previous key.
    for (const [id, p] of this.pending) if (p.clientId === clientId) this.pending.delete(id);
    const enrollment: PendingEnrollment = {
      enrollmentId: newEnrollmentId(),
      clientId,
      userRowId,
      credentialId: newCredentialId(),
      secret: newTotpSecret(),
      createdAt: this.clock.now(),
    };
    this.pending.set(enrollment.enrollmentId, enrollment);
    const uri = otpauthUri(enrollment.secret, accountLabel(enrollment.credentialId));
    return {
      enrollmentId: enrollment.enrollmentId,
      credentialId: enrollment.credentialId,
      secret: enrollment.secret,
      otpauthUri: uri,
      qrDataUrl: await qrDataUrl(uri),
    };
  }

  /** The enrollment, if it belongs to this client and user and has not expired. */
  take(enrollmentId: string, clientId: string, userRowId: number | null): PendingEnrollment {
    this.sweep();
    const p = this.pending.get(enrollmentId);
    if (!p || p.clientId !== clientId || p.userRowId !== userRowId) {
      throw new AppError('NOT_FOUND', CONSOLE_MESSAGES.enrollmentExpired, 'enrollmentId');
    }
    return p;
  }

  finish(enrollmentId: string): void {
    this.pending.delete(enrollmentId);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, p] of this.pending) if (now - p.createdAt > ENROLLMENT_TTL_MS) this.pending.delete(id);
  }
}

import { Alert } from '@cmsgov/design-system';

/**
 * The main process forgets an unconfirmed key after ten minutes (main/services/enrollments.ts);
 * by then the user has usually scanned it, so they must be told to scan the new one.
 */
export const ENROLLMENT_EXPIRED_MESSAGE = 'Your key expired after 10 minutes. Scan the new QR code (or enter the new key) and enter a fresh security code.';

/**
 * Shown above the key that replaced an expired one. It takes focus when it appears, so the user
 * lands beside the new QR code rather than on a submit button that would only fail again.
 */
export function EnrollmentExpiredAlert() {
  return (
    <Alert variation="warn" autoFocus className="ds-u-margin-y--2">
      <p className="ds-c-alert__text">{ENROLLMENT_EXPIRED_MESSAGE}</p>
    </Alert>
  );
}

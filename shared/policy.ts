/** Security policy constants, in one place so services, views and tests agree. */
export const POLICY = {
  /** QualityNet guide 5.4.4.1: "You can link up to five credentials to a single user ID." */
  maxCredentials: 5,
  /** Consecutive failed sign-ins before a temporary lock. */
  failuresBeforeLock: 5,
  temporaryLockMinutes: 15,
  /** The third temporary lock locks the account until an official resets the password. */
  temporaryLocksBeforeLock: 3,
  /** QualityNet guide 5.3.1: deactivated "after > 120 days of non-use". */
  inactivityDays: 120,
  idleLockMinutes: 15,
  /** A temporary password from an official works this long, and only to set a new one. */
  temporaryPasswordHours: 72,
  /**
   * A search pages through every last-name match; matches by first name, user ID or email are
   * listed up to this many of each kind (then the official is asked to type more).
   */
  lookupMatchCap: 100,
  /** User Lookup counts a search's matches, and an organization's users, up to this many, then shows "Users (1,000 or more)". */
  lookupCountCap: 1000,
  /** NIST SP 800-63B: at least 8, we ask 12; no composition rules. */
  passwordMinLength: 12,
  passwordMaxLength: 128,
  totp: { digits: 6, periodSeconds: 30, stepsEitherSide: 1, secretBytes: 20 },
} as const;

/**
 * QualityNet guide, Table 5-2 "Security Error Messages and Required User Action",
 * word for word: officials and users know these sentences from the job aids.
 */
export const SIGN_IN_MESSAGES = {
  incorrect: 'User ID or Password is incorrect. Check for accuracy and re-enter your User ID and Password',
  temporarilyLocked:
    "Your account has been temporarily locked because multiple attempts to sign in were unsuccessful. Click the 'Forgot your Password?' link to continue",
  locked: "Your account has been locked. Please contact your organization's QualityNet Security Administrator to unlock your account",
  pending: 'Your account is in pending status. It must be approved by your Security Administrator before you will be allowed to sign in',
  invalidStatus: 'Your account has been locked due to invalid user status. Contact the QualityNet Help Desk at 1-(866)-288-8912 for assistance',
  notActivated: (name: string) => `Account for user: \u201c${name}\u201d is not activated. Please contact your QualityNet Security Administrator`,
  temporaryPassword: "Please contact your organization's QualityNet Security Administrator to request a temporary password",
} as const;

/** Messages of the console's own, used by more than one place. */
export const CONSOLE_MESSAGES = {
  sessionEnded: 'Your session has ended. Please log in again.',
  sessionLocked: 'Your session is locked. Enter your password and a security code to continue.',
  alreadySetUp: 'This console is already set up. Sign in instead.',
  enrollmentExpired: 'This enrollment has expired. Start again to get a new key.',
  onlyCredential: 'This is your only credential. Add another credential before you remove this one.',
  credentialCodeInvalid: 'The security code is not valid for this credential. Enter a fresh code from it.',
  credentialLimit: 'You can link up to five credentials to a single user ID.',
} as const;

/** Forgot your Password?: the emailed one-time code. */
export const PASSWORD_RESET = {
  codeDigits: 8,
  codeMinutes: 15,
} as const;

/** What Forgot your Password? answers; the lock messages are sign-in's (QualityNet guide, Table 5-2). */
export const RESET_MESSAGES = {
  incorrect: 'User ID or Security Code is incorrect. Check for accuracy and re-enter your User ID and a fresh Security Code',
  temporarilyLocked:
    'Your account has been temporarily locked because multiple attempts were unsuccessful. Start again with a fresh Security Code; more unsuccessful attempts will lock your account',
  codeIncorrect: 'The one-time code is not correct. Enter the 8-digit code from the email exactly as it is written',
  expired: `This one-time code has expired (it works for ${PASSWORD_RESET.codeMinutes} minutes). Start again to get a new one`,
  used: 'This one-time code has already been used. Start again to get a new one',
  ended: 'This password reset has ended. Start again to get a new one-time code',
  passwordsDiffer: 'The two passwords do not match',
} as const;

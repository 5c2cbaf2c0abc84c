import { z } from 'zod';
import { PASSWORD_RESET, POLICY } from '../policy.js';
import { passwordSchema, securityCode } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { sessionView } from './session.js';
import { safeText } from './text.js';

// ---- Temporary passwords, changing a password, and Forgot your Password? (QualityNet guide, Table 5-2) ----

/** Forgot your Password?: who to contact when the code cannot be emailed. */
const resetContact = z.object({ firstName: z.string(), lastName: z.string(), email: z.string(), organization: z.string() });
const passwordResetStart = z.discriminatedUnion('delivery', [
  z.object({
    delivery: z.literal('email'),
    /** Ties the second step to the window that took the first; kept only as a hash. */
    resetId: z.string(),
    /** The address the code went to, partly hidden (j•••@example.org). */
    emailHint: z.string(),
    expiresAt: z.number(),
  }),
  z.object({ delivery: z.literal('officials'), reason: z.enum(['mail_not_configured', 'mail_failed']), officials: z.array(resetContact) }),
]);
export const oneTimeCode = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{${PASSWORD_RESET.codeDigits}}$`), `One-time Code is the ${PASSWORD_RESET.codeDigits}-digit code from the email`);

const newPasswordFields = {
  newPassword: passwordSchema,
  confirmPassword: passwordSchema,
};

export const passwordChannels = {
  'auth.signInWithTemporaryPassword': {
    access: 'public',
    passive: false,
    input: z
      .object({
        userId: safeText('User ID').min(1, 'User ID is required').max(64),
        password: z.string().min(1, 'Temporary Password is required').max(POLICY.passwordMaxLength),
        agreeToTerms: z.literal(true, 'You must agree to the Terms & Conditions'),
      })
      .strict(),
    output: sessionView,
  },
  'auth.changePassword': {
    access: 'password',
    passive: false,
    input: z.object(newPasswordFields).strict(),
    output: sessionView,
  },
  // ---- Forgot your Password? (QualityNet guide, Table 5-2) ----
  'auth.requestPasswordReset': {
    access: 'public',
    passive: false,
    input: z.object({ userId: safeText('User ID').min(1, 'User ID is required').max(64), code: securityCode }).strict(),
    output: passwordResetStart,
  },
  'auth.completePasswordReset': {
    access: 'public',
    passive: false,
    input: z.object({ resetId: z.string().min(1, 'Start again to get a new one-time code').max(64), code: oneTimeCode, ...newPasswordFields }).strict(),
    output: z.object({ userId: z.string() }),
  },
} as const satisfies Record<string, ChannelSpec>;

export type PasswordResetStart = z.output<typeof passwordResetStart>;
export type ResetContactView = z.output<typeof resetContact>;

import { z } from 'zod';
import { PROOFING_STATES } from '../domain.js';
import { POLICY } from '../policy.js';
import { recoveryView } from './backups.js';
import { empty, passwordSchema, securityCode, userIdSchema } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { optionalSafeText, requiredSafeText, safeText } from './text.js';

// ---- First run, sign-in, the government warning, the idle lock and the first two-factor credential ----

export const sessionUser = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  organization: z.string(),
  officialKind: z.enum(['cms', 'state', 'provider']).nullable(),
  /** Until proofed, a user cannot request roles (QualityNet guide 5.2). */
  proofingState: z.enum(PROOFING_STATES),
});

export const sessionView = z.object({
  /** password: a temporary password must be changed; enroll: a first credential must be enrolled. */
  state: z.enum(['none', 'password', 'enroll', 'warning', 'active', 'locked']),
  user: sessionUser.nullable(),
  /** Epoch ms at which the idle lock will lock this session, while active. */
  idleLockAt: z.number().nullable(),
});

export const enrollmentIdSchema = z.string().min(1).max(64);

export const enrollmentView = z.object({
  enrollmentId: z.string(),
  credentialId: z.string(),
  /** Base32 key, shown as text for authenticators that cannot scan. */
  secret: z.string(),
  otpauthUri: z.string(),
  /** The QR code of otpauthUri as an SVG data: URL. */
  qrDataUrl: z.string(),
});

export const sessionChannels = {
  'app.status': {
    access: 'public',
    passive: true,
    input: empty,
    output: z.object({
      needsSetup: z.boolean(),
      demo: z.boolean(),
      session: sessionView,
      /** The start-up check found a problem: the recovery screen, instead of sign-in. */
      recovery: recoveryView.nullable(),
      /** Opened read-only after a failed check: reviews work, nothing is decided or changed. */
      readOnly: z.boolean(),
    }),
  },
  'setup.begin': {
    access: 'public',
    passive: false,
    input: empty,
    output: enrollmentView,
  },
  'setup.complete': {
    access: 'public',
    passive: false,
    input: z
      .object({
        enrollmentId: enrollmentIdSchema,
        userId: userIdSchema,
        firstName: requiredSafeText('First Name', 64, 'name'),
        lastName: requiredSafeText('Last Name', 64, 'name'),
        email: z.string().trim().max(254).pipe(z.email('Email Address is not a valid email address')),
        password: passwordSchema,
        organizationName: requiredSafeText('Organization', 120),
        credentialLabel: optionalSafeText('Credential name', 40).default(''),
        code: securityCode,
      })
      .strict(),
    output: sessionView,
  },
  'auth.signIn': {
    access: 'public',
    passive: false,
    input: z
      .object({
        // Checked like typed text: an ID that names no account is written to the audit trail as typed.
        userId: safeText('User ID').min(1, 'User ID is required').max(64),
        password: z.string().min(1, 'Password is required').max(POLICY.passwordMaxLength),
        code: securityCode,
        agreeToTerms: z.literal(true, 'You must agree to the Terms & Conditions'),
      })
      .strict(),
    output: sessionView,
  },
  'auth.acceptWarning': { access: 'warning', passive: false, input: empty, output: sessionView },
  'auth.denyWarning': { access: 'warning', passive: false, input: empty, output: sessionView },
  'auth.signOut': { access: 'any', passive: false, input: empty, output: sessionView },
  'auth.unlock': {
    access: 'locked',
    passive: false,
    input: z.object({ password: z.string().min(1, 'Password is required').max(POLICY.passwordMaxLength), code: securityCode }).strict(),
    output: sessionView,
  },
  'session.status': { access: 'public', passive: true, input: empty, output: sessionView },
  'session.activity': { access: 'session', passive: false, input: empty, output: sessionView },
  'auth.beginFirstEnrollment': { access: 'enroll', passive: false, input: empty, output: enrollmentView },
  'auth.completeFirstEnrollment': {
    access: 'enroll',
    passive: false,
    input: z.object({ enrollmentId: enrollmentIdSchema, code: securityCode, label: optionalSafeText('Credential name', 40).default('') }).strict(),
    output: sessionView,
  },
} as const satisfies Record<string, ChannelSpec>;

export type SessionView = z.output<typeof sessionView>;
export type EnrollmentView = z.output<typeof enrollmentView>;

import { z } from 'zod';
import { NAV_PAGES, ORGANIZATION_KINDS } from '../domain.js';
import { POLICY } from '../policy.js';
import type { IpcResult } from './errors.js';

/**
 * The one IPC contract. Every channel names its input schema (validated at runtime in main:
 * the renderer is untrusted), its output schema, and who may call it:
 * - public:  no session (first run, sign-in, status)
 * - warning: signed in, the government warning page not yet accepted
 * - any:     any session, whatever its state (sign out)
 * - locked:  a session the idle lock has locked (unlock)
 * - session: a signed-in, unlocked session
 * `passive` channels (status polls) do not count as user activity for the idle lock.
 */
export type Access = 'public' | 'warning' | 'any' | 'locked' | 'session';

const text = (max: number) => z.string().trim().max(max);
const requiredText = (label: string, max: number) =>
  z.string().trim().min(1, `${label} is required`).max(max, `${label} is at most ${max} characters`);

export const securityCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'Security Code is the 6-digit code from your authenticator app');

export const userIdSchema = z
  .string()
  .trim()
  .min(3, 'User ID is at least 3 characters')
  .max(64, 'User ID is at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'User ID may contain letters, digits, dot, dash, underscore and @');

export const passwordSchema = z
  .string()
  .max(POLICY.passwordMaxLength, `Password is at most ${POLICY.passwordMaxLength} characters`);

const credentialIdSchema = z.string().trim().min(1, 'Credential ID is required').max(32);
const enrollmentIdSchema = z.string().min(1).max(64);
const empty = z.object({}).strict();

const sessionUser = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  organization: z.string(),
  officialKind: z.enum(['cms', 'state', 'provider']).nullable(),
});

export const sessionView = z.object({
  state: z.enum(['none', 'warning', 'active', 'locked']),
  user: sessionUser.nullable(),
  /** Epoch ms at which the idle lock will lock this session, while active. */
  idleLockAt: z.number().nullable(),
});

const enrollmentView = z.object({
  enrollmentId: z.string(),
  credentialId: z.string(),
  /** Base32 key, shown as text for authenticators that cannot scan. */
  secret: z.string(),
  otpauthUri: z.string(),
  /** The QR code of otpauthUri as an SVG data: URL. */
  qrDataUrl: z.string(),
});

const credentialView = z.object({
  credentialId: z.string(),
  label: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});

const navItem = z.object({ page: z.enum(NAV_PAGES), label: z.string(), badge: z.number().nullable() });

export const contract = {
  'app.status': {
    access: 'public',
    passive: true,
    input: empty,
    output: z.object({ needsSetup: z.boolean(), demo: z.boolean(), session: sessionView }),
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
        firstName: requiredText('First Name', 64),
        lastName: requiredText('Last Name', 64),
        email: z.string().trim().max(254).pipe(z.email('Email Address is not a valid email address')),
        password: passwordSchema,
        organizationName: requiredText('Organization', 120),
        credentialLabel: text(40).default(''),
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
        userId: z.string().trim().min(1, 'User ID is required').max(64),
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
  'home.summary': {
    access: 'session',
    passive: true,
    input: empty,
    output: z.object({
      user: sessionUser,
      organizations: z.array(z.object({ displayId: z.string(), name: z.string(), kind: z.enum(ORGANIZATION_KINDS) })),
      nav: z.array(navItem),
      alerts: z.array(z.object({ kind: z.enum(['info', 'warning']), text: z.string() })),
      /** The sign-in before this session's, so the user can spot one that was not theirs. */
      previousSignInAt: z.number().nullable(),
    }),
  },
  'mfa.list': { access: 'session', passive: false, input: empty, output: z.array(credentialView) },
  'mfa.beginEnrollment': { access: 'session', passive: false, input: empty, output: enrollmentView },
  'mfa.confirmEnrollment': {
    access: 'session',
    passive: false,
    input: z.object({ enrollmentId: enrollmentIdSchema, code: securityCode, label: text(40).default('') }).strict(),
    output: credentialView,
  },
  'mfa.remove': {
    access: 'session',
    passive: false,
    input: z.object({ credentialId: credentialIdSchema, code: securityCode }).strict(),
    output: z.array(credentialView),
  },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;
export type SessionView = z.output<typeof sessionView>;
export type EnrollmentView = z.output<typeof enrollmentView>;
export type CredentialView = z.output<typeof credentialView>;
export type HomeSummary = ChannelOutput<'home.summary'>;

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** The bridge both transports expose to the renderer as `window.api`. */
export interface ConsoleBridge {
  invoke(channel: string, input: unknown): Promise<IpcResult<unknown>>;
}

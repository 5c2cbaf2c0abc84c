import { z } from 'zod';
import { empty, securityCode } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { enrollmentIdSchema, enrollmentView } from './session.js';
import { optionalSafeText } from './text.js';

// ---- My credentials: the authenticator apps a user signs in with ----

const credentialIdSchema = z.string().trim().min(1, 'Credential ID is required').max(32);

const credentialView = z.object({
  credentialId: z.string(),
  label: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});

export const credentialChannels = {
  'mfa.list': { access: 'session', passive: false, input: empty, output: z.array(credentialView) },
  'mfa.beginEnrollment': { access: 'session', passive: false, input: empty, output: enrollmentView },
  'mfa.confirmEnrollment': {
    access: 'session',
    passive: false,
    input: z.object({ enrollmentId: enrollmentIdSchema, code: securityCode, label: optionalSafeText('Credential name', 40).default('') }).strict(),
    output: credentialView,
  },
  'mfa.remove': {
    access: 'session',
    passive: false,
    input: z.object({ credentialId: credentialIdSchema, code: securityCode }).strict(),
    output: z.array(credentialView),
  },
} as const satisfies Record<string, ChannelSpec>;

export type CredentialView = z.output<typeof credentialView>;

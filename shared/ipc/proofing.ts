import { z } from 'zod';
import { PROOFING_STATES } from '../domain.js';
import { DOCUMENT_TYPES, INSPECTIONS, REJECTION_REASONS } from '../proofing.js';
import type { DocumentType } from '../proofing.js';
import { mailNotice, requiredText } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { fileDelivery } from './files.js';
import { optionalSafeText, requiredSafeText } from './text.js';

// ---- In-person identity proofing (QualityNet guide 5.4.4.2) ----

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD');
const proofingDocument = z
  .object({
    type: z.enum(DOCUMENT_TYPES as [DocumentType, ...DocumentType[]]),
    issuer: requiredSafeText('Issuer', 80),
    expiresOn: isoDate.nullable(),
    last4: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{4}$/, 'Enter the last 4 letters or digits of the document number, never the whole number'),
    inspection: z.enum(INSPECTIONS),
  })
  .strict();

const proofingSubject = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  state: z.string(),
  country: z.string(),
  proofingState: z.enum(PROOFING_STATES),
  /** The remote proofing provider's reference ID, when it referred the person. */
  reference: z.string().nullable(),
  /** Why this official cannot proof this person now, or null. */
  refusal: z.string().nullable(),
  history: z.array(
    z.object({
      recordId: z.number(),
      decision: z.enum(['approved', 'cancelled', 'rejected']),
      decidedAt: z.number(),
      official: z.string(),
      reason: z.string().nullable(),
    }),
  ),
});

export const proofingChannels = {
  'proofing.lookup': {
    access: 'session',
    passive: false,
    input: z.object({ accountId: requiredText('Account ID', 64) }).strict(),
    output: proofingSubject,
  },
  'proofing.decide': {
    access: 'session',
    passive: false,
    input: z
      .object({
        accountId: requiredText('Account ID', 64),
        decision: z.enum(['approve', 'cancel', 'reject']),
        documents: z
          .object({ photo: proofingDocument.optional(), address: proofingDocument.optional(), dateOfBirth: proofingDocument.optional() })
          .strict()
          .default({}),
        appearedInPerson: z.boolean(),
        reason: z.enum(REJECTION_REASONS).optional(),
        comments: optionalSafeText('Comments', 1000, 'multiline').default(''),
        suspectedFraud: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ recordId: z.number(), subject: proofingSubject, mail: mailNotice.optional() }),
  },
  'proofing.receipt': {
    access: 'session',
    passive: false,
    input: z.object({ recordId: z.number().int().positive() }).strict(),
    output: z.object({ delivery: fileDelivery.nullable() }),
  },
} as const satisfies Record<string, ChannelSpec>;

export type ProofingSubject = z.output<typeof proofingSubject>;

import { z } from 'zod';
import { AUDIT_CATEGORIES } from '../domain.js';
import { archiveIdSchema } from './archives.js';
import { checkResult, moment, organizationRef, periodInOrder, text } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { savedFile } from './files.js';
import { optionalSafeText } from './text.js';

// ---- The audit trail: its events, the check of its chain, and its export ----

const auditFilters = {
  category: z.enum(AUDIT_CATEGORIES, 'Choose a kind of event from the list').optional(),
  from: moment('From').optional(),
  to: moment('To').optional(),
  organization: text(40).optional(),
  /** A User ID (the events about that user) or a Request ID. */
  search: optionalSafeText('Search', 64).default(''),
  archiveId: archiveIdSchema,
};

const auditRow = z.object({
  id: z.number(),
  at: z.number(),
  action: z.string(),
  actor: z.string().nullable(),
  subject: z.string().nullable(),
  organization: organizationRef.nullable(),
  requestId: z.number().nullable(),
  /** The event's details as "key: value" text; never a secret (none is ever audited). */
  details: z.string(),
  /** The same details as values, for the screen to show as labelled fields in words (shared/audit-actions.ts). */
  detailValues: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

const auditStatus = z.object({
  /** checking: the whole chain is being verified in the background; broken: the red alarm. */
  state: z.enum(['checking', 'verified', 'broken']),
  /** "Audit trail verified through event N at <time>". */
  verifiedThrough: z.number().nullable(),
  verifiedAt: z.number().nullable(),
  /** Events checked so far and in all, while checking. */
  checked: z.number(),
  total: z.number(),
  /** The first broken row: its event number and what is wrong with it. */
  broken: z.object({ eventId: z.number(), reason: z.string(), detectedAt: z.number() }).nullable(),
  /** The signature of the chain head (an archive: of the whole archive). */
  signature: checkResult,
  /** The signing key's fingerprint, to compare with the console that made an archive. */
  fingerprint: z.string(),
});

export const auditChannels = {
  'audit.page': {
    access: 'session',
    passive: false,
    input: z
      .object({
        ...auditFilters,
        after: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .superRefine(periodInOrder),
    output: z.object({ rows: z.array(auditRow), nextCursor: z.string().nullable() }),
  },
  'audit.status': {
    access: 'session',
    passive: true,
    input: z.object({ archiveId: archiveIdSchema }).strict(),
    output: auditStatus,
  },
  'audit.exportCsv': {
    access: 'session',
    passive: false,
    input: z.object(auditFilters).strict().superRefine(periodInOrder),
    output: savedFile,
  },
} as const satisfies Record<string, ChannelSpec>;

export type AuditRow = z.output<typeof auditRow>;
export type AuditStatus = z.output<typeof auditStatus>;

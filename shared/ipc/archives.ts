import { z } from 'zod';
import { checkResult, moment, organizationRef, periodInOrder, requiredText } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { savedFile, uploadTokenSchema } from './files.js';

// ---- Review archives: a signed file of history and audit events, opened again to review elsewhere ----

/** An open review archive, by the id archive.open returned; absent: this console's own data. */
export const archiveIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'The archive is no longer open; open it again')
  .optional();

const archiveSummary = z.object({
  archiveId: z.string(),
  fileName: z.string(),
  consoleId: z.string(),
  fingerprint: z.string(),
  /** Made by this console (its own key signed it). */
  ownConsole: z.boolean(),
  createdAt: z.number(),
  createdBy: z.string(),
  organizations: z.array(organizationRef),
  from: z.number(),
  to: z.number(),
  history: z.number(),
  audit: z.number(),
  chain: checkResult,
  signature: checkResult,
});

export const archiveChannels = {
  'archive.export': {
    access: 'session',
    passive: false,
    input: z
      .object({
        organizations: z.array(requiredText('Organization', 40)).min(1, 'Choose at least one organization').max(500, 'Choose at most 500 organizations'),
        from: moment('From'),
        to: moment('To'),
      })
      .strict()
      .superRefine(periodInOrder),
    output: savedFile.extend({ audit: z.number(), fingerprint: z.string() }),
  },
  'archive.open': {
    access: 'session',
    passive: false,
    input: z.object({ uploadToken: uploadTokenSchema }).strict(),
    /** archive: null when the user cancelled the open dialog. */
    output: z.object({ archive: archiveSummary.nullable() }),
  },
  'archive.close': {
    access: 'session',
    passive: false,
    input: z.object({ archiveId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Unknown archive') }).strict(),
    output: z.object({ closed: z.boolean() }),
  },
} as const satisfies Record<string, ChannelSpec>;

export type ArchiveSummary = z.output<typeof archiveSummary>;

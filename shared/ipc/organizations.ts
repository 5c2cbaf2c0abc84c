import { z } from 'zod';
import { archiveIdSchema } from './archives.js';
import { organizationRef, text } from './fields.js';
import type { ChannelSpec } from './fields.js';

// ---- The organization picker: the organizations a field may name, asked for as they type ----

/**
 * Which organizations a field may name: `official`, those a Security Official acts on and
 * reviews (every one for CMS); `access`, any organization a signed-in user may ask a role in
 * (My Access). With an archiveId: the organizations of that open review archive.
 */
export const ORGANIZATION_PURPOSES = ['official', 'access'] as const;

export const ORGANIZATION_SEARCH_LIMIT = { default: 20, max: 50 } as const;

export const organizationChannels = {
  'organizations.search': {
    access: 'session',
    passive: false,
    input: z
      .object({
        /** A display ID (or its beginning), or the beginning of the name or of any word of it; empty lists from the start. */
        query: text(100).default(''),
        limit: z.number().int().min(1).max(ORGANIZATION_SEARCH_LIMIT.max).default(ORGANIZATION_SEARCH_LIMIT.default),
        /** Opaque keyset cursor from the previous page. */
        cursor: z.string().max(512).optional(),
        purpose: z.enum(ORGANIZATION_PURPOSES).default('official'),
        /** Reviewing an open archive: its organizations instead of this console's. */
        archiveId: archiveIdSchema,
      })
      .strict()
      .refine((input) => input.archiveId === undefined || input.purpose === 'official', {
        message: 'An archive is reviewed by Security Officials, not searched for an access request',
        path: ['archiveId'],
      }),
    output: z.object({
      organizations: z.array(organizationRef),
      /** More organizations match than are listed: type more, or ask for the next page. */
      more: z.boolean(),
      nextCursor: z.string().nullable(),
      /** A CMS official: every organization is in their scope, however many there are now (the field is always a search). */
      all: z.boolean(),
    }),
  },
} as const satisfies Record<string, ChannelSpec>;

import { z } from 'zod';
import { organizationRef, text } from './fields.js';
import type { ChannelSpec } from './fields.js';

// ---- The organization picker: the organizations an official may act on, asked for as they type ----

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
      })
      .strict(),
    output: z.object({
      organizations: z.array(organizationRef),
      /** More organizations match than are listed: type more, or ask for the next page. */
      more: z.boolean(),
      nextCursor: z.string().nullable(),
      /** A CMS official: every organization is in scope, however many there are now. */
      all: z.boolean(),
    }),
  },
} as const satisfies Record<string, ChannelSpec>;

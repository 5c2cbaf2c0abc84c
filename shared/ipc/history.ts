import { z } from 'zod';
import { HISTORY_ACTIONS } from '../domain.js';
import { archiveIdSchema } from './archives.js';
import { moment, organizationRef, periodInOrder, text } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { savedFile } from './files.js';
import { requestIdSchema } from './requests.js';
import { optionalSafeText } from './text.js';

// ---- Request History: decided requests, their events, and their exports ----

const historyFilters = {
  /**
   * A Request ID (digits) or a name: "Thompson", "Robert Thompson" or "Thompson, Robert". Empty: all.
   * Searches are normalized like the names they look for (a decomposed "Jose\u0301" finds "José"),
   * and refuse control and invisible characters rather than drop them: no stored name holds
   * one, and an export writes its search into the audit trail.
   */
  search: optionalSafeText('Search', 100).default(''),
  from: moment('From').optional(),
  to: moment('To').optional(),
  program: text(80).optional(),
  organization: text(40).optional(),
  action: z.enum(HISTORY_ACTIONS, 'Action is Approved or Rejected').optional(),
  archiveId: archiveIdSchema,
};

const historyRow = z.object({
  requestId: z.number(),
  requestedAt: z.number(),
  decidedAt: z.number(),
  firstName: z.string(),
  lastName: z.string(),
  program: z.string(),
  organization: organizationRef,
  role: z.string(),
  action: z.enum(HISTORY_ACTIONS),
  /** The email of the official who decided. */
  decidedBy: z.string().nullable(),
});

const requestEvent = z.object({
  eventId: z.number(),
  at: z.number(),
  action: z.string(),
  /** In words: "Approved by so1@example.org", "Reopened by ...", "Role removed by ...". */
  text: z.string(),
});

export const historyChannels = {
  'history.options': {
    access: 'session',
    passive: false,
    input: z.object({ archiveId: archiveIdSchema }).strict(),
    output: z.object({
      programs: z.array(z.string()),
      /** all: a CMS official or an archive; organizations: the official's own (the organization picker lists them). */
      scope: z.enum(['all', 'organizations']),
    }),
  },
  'history.page': {
    access: 'session',
    passive: false,
    input: z
      .object({
        ...historyFilters,
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(512).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .superRefine(periodInOrder),
    output: z.object({
      rows: z.array(historyRow),
      nextCursor: z.string().nullable(),
      /** How the search was read: everything, one Request ID, or a name. */
      searchedBy: z.enum(['all', 'requestId', 'name']),
    }),
  },
  'history.view': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema, archiveId: archiveIdSchema }).strict(),
    output: historyRow.extend({
      reason: z.string().nullable(),
      /** iQIES job aid 5.3, Action: "Approved by <email>" or "Rejected by <email>: <reason>". */
      actionText: z.string(),
      /** Everything recorded about the request, oldest first: filed, decided, reopened, role removed. */
      events: z.array(requestEvent),
    }),
  },
  'history.exportCsv': {
    access: 'session',
    passive: false,
    input: z.object(historyFilters).strict().superRefine(periodInOrder),
    output: savedFile,
  },
  'history.exportPdf': {
    access: 'session',
    passive: false,
    input: z.object(historyFilters).strict().superRefine(periodInOrder),
    output: savedFile,
  },
} as const satisfies Record<string, ChannelSpec>;

export type HistoryRow = z.output<typeof historyRow>;

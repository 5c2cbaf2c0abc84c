import { z } from 'zod';
import { PROOFING_STATES, REJECTION_REASON_MAX, REQUEST_STATUSES, USER_STATUSES } from '../domain.js';
import { DECISION_FLAGS } from '../roles.js';
import { catalogueView, empty, mailNotice, moment, organizationRef, requiredText, text } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { optionalSafeText, requiredSafeText, safeText } from './text.js';

// ---- My Access (a user's own role requests and roles) and the Role Requests queue officials decide ----

export const requestIdSchema = z.number().int('Request ID is a whole number').positive('Request ID is a whole number').max(Number.MAX_SAFE_INTEGER);
const requestIdList = z.array(requestIdSchema).min(1, 'Select at least one request').max(10_000, 'Select at most 10,000 requests at once');
const roleHoldingView = z.object({ program: z.string(), organization: organizationRef, role: z.string() });

export const myRequestView = z.object({
  requestId: z.number(),
  program: z.string(),
  organization: organizationRef,
  role: z.string(),
  justification: z.string(),
  status: z.enum(REQUEST_STATUSES),
  requestedAt: z.number(),
  decidedAt: z.number().nullable(),
  reason: z.string().nullable(),
});

const queueRow = z.object({
  requestId: z.number(),
  firstName: z.string(),
  lastName: z.string(),
  organization: organizationRef,
  role: z.string(),
  program: z.string(),
  requestedAt: z.number(),
  /** Pending for more than STALE_AFTER_DAYS. */
  stale: z.boolean(),
  /** Why this official cannot approve it, when they cannot (e.g. the first-SO rule). */
  blockedReason: z.string().nullable(),
  /** A CMS Security Official role needs two distinct CMS officials: who approved so far. */
  approvals: z.object({ given: z.number(), needed: z.number(), by: z.array(z.string()) }).nullable(),
  /** The official's own request: shown in the queue, never theirs to decide. */
  mine: z.boolean(),
});

/** One selected request as the Approve and Reject dialogs list it, with what the click would do. */
const decisionPreviewItem = z.object({
  requestId: z.number(),
  name: z.string(),
  userId: z.string(),
  role: z.string(),
  organization: organizationRef,
  program: z.string(),
  flags: z.array(z.enum(DECISION_FLAGS)),
  /** Why this official may not make this decision, or null. */
  refusal: z.string().nullable(),
});

export const QUEUE_SORTS = ['requested', 'lastName'] as const;

const decisionOutcome = z.object({
  requestId: z.number(),
  /** awaiting_second_approval: the first of two CMS approvals was recorded; the request stays pending. */
  outcome: z.enum(['approved', 'awaiting_second_approval', 'rejected', 'refused', 'conflict', 'not_found']),
  message: z.string(),
});

export const requestChannels = {
  'access.options': {
    access: 'session',
    passive: false,
    input: empty,
    // Organizations are found with the organization picker (organizations.search, purpose access), not listed here.
    output: z.object({ programs: z.array(z.string()), roles: z.array(z.string()), catalogue: catalogueView }),
  },
  'access.request': {
    access: 'session',
    passive: false,
    input: z
      .object({
        program: requiredText('Program', 80),
        organization: requiredText('Organization', 40),
        role: requiredText('Role', 80),
        justification: optionalSafeText('Justification', 1000, 'multiline').default(''),
      })
      .strict(),
    output: myRequestView,
  },
  'access.mine': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ requests: z.array(myRequestView), roles: z.array(roleHoldingView) }),
  },
  'access.withdraw': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema }).strict(),
    output: myRequestView,
  },
  'queue.page': {
    access: 'session',
    passive: false,
    input: z
      .object({
        program: text(80).optional(),
        organization: text(40).optional(),
        sort: z.enum(QUEUE_SORTS).default('requested'),
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(512).optional(),
        /**
         * The first page starts here instead of at the top: the first request made at or after a
         * moment (sorted by date), or the first last name at or after these letters (sorted by
         * last name), so that a long queue is reached without paging through it.
         */
        seek: z
          .union([z.object({ requestedFrom: moment('Go to date') }).strict(), z.object({ lastName: requiredSafeText('Go to last name', 64, 'name') }).strict()])
          .optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .superRefine((input, ctx) => {
        if (input.seek === undefined) return;
        if (input.after !== undefined)
          ctx.addIssue({ code: 'custom', path: ['seek'], message: 'Go to starts a list; a next page goes on from its cursor instead' });
        if ('requestedFrom' in input.seek && input.sort !== 'requested')
          ctx.addIssue({ code: 'custom', path: ['seek'], message: 'Go to a date needs the list sorted by date' });
        if ('lastName' in input.seek && input.sort !== 'lastName')
          ctx.addIssue({ code: 'custom', path: ['seek'], message: 'Go to a last name needs the list sorted by last name' });
      }),
    output: z.object({
      rows: z.array(queueRow),
      nextCursor: z.string().nullable(),
      total: z.number(),
      /** Organizations where no request can be approved: no Security Official yet. */
      blockedOrganizations: z.array(z.object({ organization: organizationRef, reason: z.string() })),
      /** Organizations the official administers that have a single Security Official. */
      singleOfficialOrganizations: z.array(organizationRef),
      organizations: z.array(organizationRef),
      programs: z.array(z.string()),
    }),
  },
  'queue.preview': {
    access: 'session',
    passive: false,
    input: z.object({ requestIds: requestIdList, action: z.enum(['approve', 'reject']) }).strict(),
    output: z.object({ decidable: z.array(z.number()), refused: z.array(decisionOutcome), items: z.array(decisionPreviewItem) }),
  },
  'queue.approve': {
    access: 'session',
    passive: false,
    input: z.object({ requestIds: requestIdList }).strict(),
    output: z.object({ results: z.array(decisionOutcome), mail: mailNotice.optional() }),
  },
  'queue.reject': {
    access: 'session',
    passive: false,
    input: z
      .object({
        requestIds: requestIdList,
        reason: safeText('Rejection Reason', 'multiline')
          .min(1, 'A Rejection Reason is required to Reject a request')
          .max(REJECTION_REASON_MAX, `The Rejection Reason is at most ${REJECTION_REASON_MAX} characters`),
      })
      .strict(),
    output: z.object({ results: z.array(decisionOutcome), mail: mailNotice.optional() }),
  },
  'queue.view': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema }).strict(),
    output: z.object({
      request: myRequestView.extend({ decidedBy: z.string().nullable(), stale: z.boolean(), blockedReason: z.string().nullable() }),
      requester: z.object({
        userId: z.string(),
        firstName: z.string(),
        lastName: z.string(),
        email: z.string(),
        phone: z.string(),
        status: z.enum(USER_STATUSES),
        proofingState: z.enum(PROOFING_STATES),
        lastSignInAt: z.number().nullable(),
      }),
      /** The requester's roles in the organizations this official administers. */
      roles: z.array(roleHoldingView),
      /** Whether this official may reopen it now (own rejection, within 24 hours). */
      canReopen: z.boolean(),
    }),
  },
  'queue.reopen': {
    access: 'session',
    passive: false,
    input: z.object({ requestId: requestIdSchema }).strict(),
    output: myRequestView,
  },
} as const satisfies Record<string, ChannelSpec>;

export type QueueRow = z.output<typeof queueRow>;
export type DecisionOutcome = z.output<typeof decisionOutcome>;
export type DecisionPreviewItem = z.output<typeof decisionPreviewItem>;
export type MyRequestView = z.output<typeof myRequestView>;
export type QueueSort = (typeof QUEUE_SORTS)[number];

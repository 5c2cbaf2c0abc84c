import { z } from 'zod';
import { NAV_PAGES, ORGANIZATION_KINDS, PROOFING_STATES } from '../domain.js';
import { empty } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { myRequestView } from './requests.js';
import { sessionUser } from './session.js';

// ---- Home: the navigation, the alerts, and the dashboard ----

const navItem = z.object({ page: z.enum(NAV_PAGES), label: z.string(), badge: z.number().nullable() });

const dashboardPerson = z.object({ userId: z.string(), firstName: z.string(), lastName: z.string() });
const homeDashboard = z.object({
  /** Every user's own state: their role requests, their identity proofing, and what to do next. */
  me: z.object({
    proofingState: z.enum(PROOFING_STATES),
    requests: z.array(myRequestView),
    hasRoles: z.boolean(),
    nextSteps: z.array(z.object({ text: z.string(), page: z.enum(NAV_PAGES).nullable(), linkText: z.string().nullable() })),
  }),
  /** Security Officials only; scoped to the organizations they administer (CMS: every account). */
  official: z
    .object({
      scope: z.enum(['all', 'organizations']),
      mailConfigured: z.boolean(),
      /** What the Role Requests queue shows (HARP: the widget's count, in red). */
      pendingInQueue: z.number(),
      pendingByAge: z.array(z.object({ label: z.string(), upTo7: z.number(), upTo30: z.number(), over30: z.number() })),
      /** Oldest week first; each week is the 7 days ending at `endsAt`. */
      decisionsByWeek: z.array(z.object({ startsAt: z.number(), endsAt: z.number(), approved: z.number(), rejected: z.number() })),
      deactivation: z.object({
        within14Days: z.number(),
        within30Days: z.number(),
        deactivatedLast30Days: z.number(),
        /** The accounts that reach 120 days without sign-in soonest (within 30 days), soonest first. */
        soonest: z.array(dashboardPerson.extend({ lastUsedAt: z.number(), reachesLimitAt: z.number() })),
      }),
      proofingBacklog: z.object({ total: z.number(), oldest: z.array(dashboardPerson.extend({ referredAt: z.number() })) }),
      asOf: z.number(),
    })
    .nullable(),
});

const homeSummary = z.object({
  user: sessionUser,
  organizations: z.array(z.object({ displayId: z.string(), name: z.string(), kind: z.enum(ORGANIZATION_KINDS) })),
  nav: z.array(navItem),
  alerts: z.array(z.object({ kind: z.enum(['info', 'warning']), text: z.string() })),
  /** The sign-in before this session's, so the user can spot one that was not theirs. */
  previousSignInAt: z.number().nullable(),
});

export const homeChannels = {
  'home.summary': { access: 'session', passive: true, input: empty, output: homeSummary },
  'home.dashboard': { access: 'session', passive: true, input: empty, output: homeDashboard },
} as const satisfies Record<string, ChannelSpec>;

export type HomeSummary = z.output<typeof homeSummary>;
export type HomeDashboard = z.output<typeof homeDashboard>;

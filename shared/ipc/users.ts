import { z } from 'zod';
import { PROOFING_STATES, USER_STATUSES } from '../domain.js';
import { catalogueView, empty, mailNotice, organizationRef, requiredText, securityCode, text, userIdSchema } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { fileDelivery } from './files.js';
import { optionalSafeText, requiredSafeText } from './text.js';

// ---- User lookup, profiles and account administration (HARP and iQIES job aids, QualityNet guide 5.3.1) ----

const emailSchema = z.string().trim().max(254, 'Email Address is at most 254 characters').pipe(z.email('Email Address is not a valid email address'));
const nameSchema = (label: string) =>
  requiredSafeText(label, 64, 'name').regex(/^[^<>{}[\]\\/;:"=|]+$/u, `${label} may not contain < > { } [ ] \\ / ; : " = or |`);

export const LOOKUP_SORTS = ['asc', 'desc'] as const;
export const ACCOUNT_ACTIONS = ['approve', 'unlock', 'resetPassword', 'deactivate', 'reactivate', 'revokeCredentials'] as const;

const lookupFilters = {
  program: requiredText('Program', 80),
  /** An organization's display ID, or empty for All. */
  organization: text(40).default(''),
  /** First name, last name, user ID or email; empty lists everyone in scope. */
  query: optionalSafeText('Search', 254).default(''),
  direction: z.enum(LOOKUP_SORTS).default('asc'),
};

const lookupRow = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  status: z.enum(USER_STATUSES),
  /** The exact User ID or Email match of a search, shown first. */
  exact: z.boolean(),
});

const profileRole = z.object({
  program: z.string(),
  organization: organizationRef,
  role: z.string(),
  /** Whether this official may remove it (their organization, not their own Security Official role). */
  removable: z.boolean(),
  /** The only Security Official of its organization: removing it leaves nobody to approve there. */
  lastSecurityOfficial: z.boolean(),
});

const userProfile = z.object({
  userId: z.string(),
  firstName: z.string(),
  middleName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string().nullable(),
  email: z.string(),
  phone: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string(),
  city: z.string(),
  state: z.string(),
  zip: z.string(),
  country: z.string(),
  status: z.enum(USER_STATUSES),
  proofingState: z.enum(PROOFING_STATES),
  credentialCount: z.number(),
  lastSignInAt: z.number().nullable(),
  mustChangePassword: z.boolean(),
  /** The user's roles in the organizations this official administers (all of them for CMS). */
  roles: z.array(profileRole),
  /** The account actions this official may take now. */
  actions: z.array(z.enum(ACCOUNT_ACTIONS)),
  /** The official is looking at their own profile. */
  self: z.boolean(),
});

export const userChannels = {
  'lookup.options': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({
      programs: z.array(z.string()),
      /** CMS officials look up users of every organization; the organization picker asks for them (organizations.search). */
      allOrganizations: z.boolean(),
      roles: z.array(z.string()),
      catalogue: catalogueView,
    }),
  },
  'lookup.search': {
    access: 'session',
    passive: false,
    input: z
      .object({
        ...lookupFilters,
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(1024).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.object({
      rows: z.array(lookupRow),
      /** "Users (N)": given with the first page only. */
      total: z.number().nullable(),
      /** The total is a lower bound ("Users (1,000 or more)"): counting stopped at the cap. */
      totalAtLeast: z.boolean(),
      /** A search matched more users (by first name, user ID or email) than it lists; refine it. */
      truncated: z.boolean(),
      nextCursor: z.string().nullable(),
    }),
  },
  'lookup.export': {
    access: 'session',
    passive: false,
    input: z.object(lookupFilters).strict(),
    /** delivery is null when the user cancelled the save dialog. */
    output: z.object({ delivery: fileDelivery.nullable(), count: z.number() }),
  },
  'users.profile': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64) }).strict(),
    output: userProfile,
  },
  'users.removeRole': {
    access: 'session',
    passive: false,
    input: z
      .object({
        userId: requiredText('User ID', 64),
        program: requiredText('Program', 80),
        organization: requiredText('Organization', 40),
        role: requiredText('Role', 80),
        /** Asked again: removing the last Security Official of an organization. */
        confirmLastOfficial: z.boolean().default(false),
      })
      .strict(),
    output: userProfile.extend({ mail: mailNotice.optional() }),
  },
  'users.accountAction': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64), action: z.enum(ACCOUNT_ACTIONS), code: securityCode }).strict(),
    output: z.object({
      profile: userProfile,
      /** Shown once, to hand to the user; never stored in clear and never emailed. */
      temporaryPassword: z.string().nullable(),
      mail: mailNotice.optional(),
    }),
  },
  'users.create': {
    access: 'session',
    passive: false,
    input: z
      .object({
        userId: userIdSchema,
        firstName: nameSchema('First Name'),
        lastName: nameSchema('Last Name'),
        email: emailSchema,
        program: requiredText('Program', 80),
        organization: requiredText('Organization', 40),
        role: requiredText('Role', 80),
        code: securityCode,
      })
      .strict(),
    output: z.object({ profile: userProfile, temporaryPassword: z.string(), requestId: z.number(), mail: mailNotice.optional() }),
  },
} as const satisfies Record<string, ChannelSpec>;

export type LookupRow = z.output<typeof lookupRow>;
export type UserProfile = z.output<typeof userProfile>;
export type ProfileRole = z.output<typeof profileRole>;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];
export type LookupDirection = (typeof LOOKUP_SORTS)[number];

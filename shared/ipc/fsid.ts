import { z } from 'zod';
import { empty, mailNotice, requiredText } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { optionalSafeText } from './text.js';

// ---- Federal Surveyor IDs (iQIES job aid, section 6; State Security Officials only) ----

export const FSID_STATES = ['requested', 'pending', 'verified'] as const;
const fsidRow = z.object({
  userId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  roles: z.array(z.string()),
  fsid: z.string().nullable(),
  fsidState: z.enum(FSID_STATES).nullable(),
});
const fsidSchema = z
  .string()
  .trim()
  .min(1, 'Federal Surveyor ID is required')
  .max(10, 'A Federal Surveyor ID is 1 to 10 letters or digits')
  .regex(/^[A-Za-z0-9]+$/, 'A Federal Surveyor ID is 1 to 10 letters or digits');

export const fsidChannels = {
  'fsid.search': {
    access: 'session',
    passive: false,
    input: z
      .object({
        /** First and/or last name, user ID, or Federal Surveyor ID. */
        query: optionalSafeText('Search', 80).default(''),
        roles: z.array(requiredText('Role', 80)).max(10).default([]),
        pendingOnly: z.boolean().default(false),
        /** Opaque keyset cursor from the previous page. */
        after: z.string().max(1024).optional(),
      })
      .strict(),
    output: z.object({ rows: z.array(fsidRow), total: z.number(), pageSize: z.number(), nextCursor: z.string().nullable() }),
  },
  'fsid.save': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64), fsid: fsidSchema }).strict(),
    output: fsidRow,
  },
  'fsid.verify': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64) }).strict(),
    output: fsidRow,
  },
  'fsid.remove': {
    access: 'session',
    passive: false,
    input: z.object({ userId: requiredText('User ID', 64) }).strict(),
    output: fsidRow,
  },
  /** A user asks for a Federal Surveyor ID; the state's officials are emailed. */
  'fsid.request': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ fsid: z.string().nullable(), fsidState: z.enum(FSID_STATES).nullable(), mail: mailNotice.optional() }),
  },
  'fsid.mine': {
    access: 'session',
    passive: false,
    input: empty,
    output: z.object({ fsid: z.string().nullable(), fsidState: z.enum(FSID_STATES).nullable(), canRequest: z.boolean() }),
  },
} as const satisfies Record<string, ChannelSpec>;

export type FsidRow = z.output<typeof fsidRow>;
export type FsidState = (typeof FSID_STATES)[number];

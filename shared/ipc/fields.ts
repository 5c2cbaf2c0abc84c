import { z } from 'zod';
import { ORGANIZATION_KINDS } from '../domain.js';
import { POLICY } from '../policy.js';

/**
 * Who may call a channel:
 * - public:  no session (first run, sign-in, status)
 * - warning: signed in, the government warning page not yet accepted
 * - any:     any session, whatever its state (sign out)
 * - locked:  a session the idle lock has locked (unlock)
 * - session: a signed-in, unlocked session
 * - password: signed in with a temporary password, which must be changed first
 * - enroll:    signed in without a two-factor credential, which must be enrolled first
 * `passive` channels (status polls) do not count as user activity for the idle lock.
 */
export type Access = 'public' | 'warning' | 'any' | 'locked' | 'session' | 'password' | 'enroll';

/** What every channel of the contract states: its input schema, its output schema, and who may call it. */
export interface ChannelSpec {
  access: Access;
  passive: boolean;
  input: z.ZodType;
  output: z.ZodType;
}

/**
 * For values matched against known rows (programs, organizations, roles, IDs to look up), never
 * stored as typed. Text that is stored, mailed or echoed into the audit trail or a file uses
 * shared/ipc/text.ts, which normalizes it and refuses control and invisible characters.
 */
/** No row holds a NUL, and PostgreSQL refuses one in any text: it is refused here, on either engine. */
const noNul = (value: string): boolean => !value.includes('\u0000');
const NUL_MESSAGE = 'This value contains a character that is not allowed';

export const text = (max: number) => z.string().trim().max(max).refine(noNul, NUL_MESSAGE);
export const requiredText = (label: string, max: number) =>
  z.string().trim().min(1, `${label} is required`).max(max, `${label} is at most ${max} characters`).refine(noNul, `${label}: ${NUL_MESSAGE.toLowerCase()}`);

export const securityCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'Security Code is the 6-digit code from your authenticator app');

export const userIdSchema = z
  .string()
  .trim()
  .min(3, 'User ID is at least 3 characters')
  .max(64, 'User ID is at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'User ID may contain letters, digits, dot, dash, underscore and @');

export const passwordSchema = z.string().max(POLICY.passwordMaxLength, `Password is at most ${POLICY.passwordMaxLength} characters`);

export const empty = z.object({}).strict();

export const organizationRef = z.object({ displayId: z.string(), name: z.string(), kind: z.enum(ORGANIZATION_KINDS) });

/** The role catalogue as the forms use it: which role may be requested in which kind of organization. */
export const catalogueView = z.array(z.object({ role: z.string(), organizationKinds: z.array(z.enum(ORGANIZATION_KINDS)) }));

/**
 * What became of the emails a call wrote to the outbox, so the page never claims one was sent:
 * 'queued': a mail server is set up and delivery picks them up shortly; 'not_configured': no
 * mail server is set up yet, they wait in the Outbox. Absent when the call wrote no email.
 */
export const mailNotice = z.enum(['queued', 'not_configured']);
export type MailNotice = z.infer<typeof mailNotice>;

/** A moment as epoch milliseconds; the renderer turns the dates people pick into these. */
export const moment = (label: string) =>
  z
    .number(`${label} is not a valid date`)
    .int(`${label} is not a valid date`)
    .min(0, `${label} is not a valid date`)
    .max(8.64e15, `${label} is not a valid date`);

export const periodInOrder = (value: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx) => {
  if (value.from !== undefined && value.to !== undefined && value.from > value.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'The To date is before the From date' });
  }
};

/** A check of the audit chain or of a signature: whether it held, and what was found, in words. */
export const checkResult = z.object({ ok: z.boolean(), message: z.string() });

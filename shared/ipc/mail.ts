import { z } from 'zod';
import { empty } from './fields.js';
import type { ChannelSpec } from './fields.js';
import { optionalSafeText } from './text.js';

// ---- The Outbox of emails the console owes, and the mail server it sends them through ----

const outboxRow = z.object({
  id: z.number(),
  to: z.string(),
  subject: z.string(),
  kind: z.string(),
  status: z.enum(['owed', 'sent', 'failed']),
  attempts: z.number(),
  nextAttemptAt: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  sentAt: z.number().nullable(),
});

const mailSettingsView = z.object({
  host: z.string(),
  port: z.number(),
  secure: z.boolean(),
  user: z.string(),
  from: z.string(),
  /** Whether an SMTP password is stored; the password itself never leaves main. */
  passwordSet: z.boolean(),
  /** CMS Security Officials change the settings; other officials see them. */
  canChange: z.boolean(),
});

export const MAIL_TEST_PROBLEMS = ['not_configured', 'connection_refused', 'authentication_failed', 'timeout', 'other'] as const;
/** Whether the test email left, and if not, why: said plainly. */
const mailTestResult = z.object({
  sent: z.boolean(),
  to: z.string(),
  problem: z.enum(MAIL_TEST_PROBLEMS).nullable(),
  message: z.string(),
});

export const mailChannels = {
  'outbox.list': {
    access: 'session',
    passive: false,
    input: z.object({ status: z.enum(['owed', 'sent', 'failed']).optional() }).strict(),
    output: z.array(outboxRow),
  },
  'outbox.retry': {
    access: 'session',
    passive: false,
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: outboxRow,
  },
  'mail.settings': { access: 'session', passive: false, input: empty, output: mailSettingsView },
  'mail.saveSettings': {
    access: 'session',
    passive: false,
    input: z
      .object({
        // A line break in either would be a command of its own to the SMTP server.
        host: optionalSafeText('SMTP host', 253),
        port: z.number().int().min(1, 'Port is 1 to 65535').max(65535, 'Port is 1 to 65535'),
        secure: z.boolean(),
        user: optionalSafeText('User name', 254),
        from: z.string().trim().max(254).pipe(z.email('From is not a valid email address')),
        /** Omitted: keep the stored password; empty string: remove it. */
        password: z.string().max(512).optional(),
      })
      .strict(),
    output: mailSettingsView,
  },
  /** A test email to the signed-in CMS official's own address, through the saved settings. */
  'mail.sendTest': { access: 'session', passive: false, input: empty, output: mailTestResult },
} as const satisfies Record<string, ChannelSpec>;

export type OutboxRow = z.output<typeof outboxRow>;
export type MailSettingsView = z.output<typeof mailSettingsView>;
export type MailTestResult = z.output<typeof mailTestResult>;

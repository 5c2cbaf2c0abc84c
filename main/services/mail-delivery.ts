import nodemailer from 'nodemailer';
import type { Clock } from '../clock.js';
import type { OutboxRecord, OutboxStore } from '../store/outbox-store.js';
import { isLoopbackHost, isMailConfigured } from './mail-settings.js';
import type { MailSettingsStore, MailSettingsWithPassword } from './mail-settings.js';

export interface DeliveryPolicy {
  /** Due rows read per query; a run keeps reading batches until none is due. */
  batchSize: number;
  /** After this many failed attempts a row is 'failed' (the Outbox's Retry puts it back). */
  maxAttempts: number;
  /** Wait after the first failure; doubled after each further one, up to maxBackoffMs. */
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** Up to this share of the wait is added at random, so rows failed together do not retry in a herd. */
  jitterRatio: number;
  /**
   * How long a row being sent stays claimed. Longer than one send can take (the timeouts below),
   * so only a console that died mid-send lets a claim run out.
   */
  leaseMs: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  /** How long stop() waits for a send in flight before it lets the caller close the database. */
  stopGraceMs: number;
}

export const DELIVERY_POLICY: DeliveryPolicy = {
  batchSize: 20,
  maxAttempts: 8,
  firstBackoffMs: 60_000,
  maxBackoffMs: 3_600_000,
  jitterRatio: 0.1,
  leaseMs: 120_000,
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 30_000,
  stopGraceMs: 2_000,
};

export const DEFAULT_DELIVERY_INTERVAL_MS = 15_000;

export interface DeliveryReport {
  /** False when no SMTP server is configured: nothing was tried, every row still waits. */
  configured: boolean;
  sent: number;
  /** Failed this time, queued again for later. */
  retrying: number;
  /** Failed for the last allowed time: now 'failed'. */
  failed: number;
}

/** The wait before the next attempt, after `attempts` failed ones: 1, 2, 4, ... minutes, at most an hour, plus jitter. */
export function backoffMs(attempts: number, policy: DeliveryPolicy, random: () => number): number {
  const base = Math.min(policy.firstBackoffMs * 2 ** Math.max(0, attempts - 1), policy.maxBackoffMs);
  return base + Math.floor(base * policy.jitterRatio * random());
}

/** The forms in which the SMTP password could appear in a server's reply or a library's message. */
export function secretsOf(settings: Pick<MailSettingsWithPassword, 'user' | 'password'>): string[] {
  const { user, password } = settings;
  if (!password) return [];
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  // AUTH LOGIN sends base64(password); AUTH PLAIN sends base64("\0user\0password").
  return [password, b64(password), b64(`\u0000${user}\u0000${password}`), b64(`${user}\u0000${user}\u0000${password}`)].sort((a, b) => b.length - a.length);
}

const MAX_ERROR_LENGTH = 500;

/**
 * What went wrong, fit for the Outbox page and the log: the library's code and message, with
 * any form of the password and any user:password@ in a URL taken out, on one line.
 */
export function describeSmtpError(error: unknown, secrets: readonly string[]): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'Unknown error';
  const code = typeof e.code === 'string' ? e.code : null;
  let text = code && !message.startsWith(code) ? `${code}: ${message}` : message;
  text = text.replace(/\/\/[^\s/@]+@/g, '//[redacted]@');
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * Errors about one message (a recipient or the content refused). Anything else (connection
 * refused, timeout, TLS, authentication) concerns the server: the run ends there, and the rows
 * not yet tried keep their place and their attempt count.
 */
const MESSAGE_LEVEL_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

function isMessageLevel(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && MESSAGE_LEVEL_CODES.has(code);
}

interface SmtpSender {
  send(row: OutboxRecord): Promise<void>;
  close(): void;
}

/** How the console reaches its SMTP server, for the outbox and for a test email alike. */
function transportOptions(settings: MailSettingsWithPassword, policy: DeliveryPolicy) {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    // The password never crosses a network in clear: with credentials, a server that is not on
    // this machine must offer STARTTLS (or be reached over TLS, `secure`).
    requireTLS: !settings.secure && settings.user !== '' && !isLoopbackHost(settings.host),
    connectionTimeout: policy.connectionTimeoutMs,
    greetingTimeout: policy.greetingTimeoutMs,
    socketTimeout: policy.socketTimeoutMs,
    logger: false,
    debug: false,
  };
}

function smtpSender(settings: MailSettingsWithPassword, policy: DeliveryPolicy): SmtpSender {
  // One connection for the whole run, closed at its end.
  const transporter = nodemailer.createTransport({ ...transportOptions(settings, policy), pool: true, maxConnections: 1, maxMessages: 100 });
  const domain = settings.from.slice(settings.from.lastIndexOf('@') + 1) || 'localhost';
  return {
    async send(row) {
      await transporter.sendMail({
        from: settings.from,
        to: row.to,
        subject: row.subject,
        text: row.body,
        // The same Message-ID on every attempt of a row, so a resend after a crash is recognisable as one email.
        messageId: `<outbox.${row.id}.${row.createdAt}@${domain}>`,
        // RFC 3834: an automatic message; out-of-office replies are not sent back to it.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
    close: () => transporter.close(),
  };
}

export type TestEmailProblem = 'connection_refused' | 'authentication_failed' | 'timeout' | 'other';

/** Why a send failed, in the few kinds an official can act on; the rest are told in the library's words. */
export function classifySmtpError(error: unknown): TestEmailProblem {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'EAUTH') return 'authentication_failed';
  if (/ECONNREFUSED/.test(message) || code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ETIMEDOUT' || /timeout|ETIMEDOUT/i.test(message)) return 'timeout';
  return 'other';
}

/**
 * One email now, outside the outbox (a test of the settings): resolves when the server accepted
 * it, rejects with the library's error otherwise. One connection, closed at the end.
 */
export async function sendOneEmail(
  settings: MailSettingsWithPassword,
  policy: DeliveryPolicy,
  mail: { to: string; subject: string; text: string },
): Promise<void> {
  const transporter = nodemailer.createTransport(transportOptions(settings, policy));
  try {
    await transporter.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, headers: { 'Auto-Submitted': 'auto-generated' } });
  } finally {
    transporter.close();
  }
}

/**
 * Delivers the outbox over SMTP: a timer (every `intervalMs`) plus kick() after a commit that
 * queues mail. Runs never overlap: at most one runs and one waits, and kicks meanwhile join the
 * waiting one.
 *
 * At-least-once: a row is claimed (attempts + 1, next attempt pushed a lease ahead) in its own
 * write before the SMTP conversation, and marked sent only after the server accepted it. A crash
 * between the two leaves the row queued, due again when the lease ends: at worst the email goes
 * out twice (with the same Message-ID), never not at all. Marking it sent first would risk losing it.
 */
export class MailDelivery {
  private timer: NodeJS.Timeout | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private closing = false;
  /** The run waiting to start, which new requests join. */
  private waiting: Promise<DeliveryReport> | null = null;
  /** Settles when the last run queued so far has finished. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly clock: Clock,
    private readonly settings: MailSettingsStore,
    private readonly policy: DeliveryPolicy = DELIVERY_POLICY,
    private readonly random: () => number = Math.random,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(intervalMs: number = DEFAULT_DELIVERY_INTERVAL_MS): void {
    if (this.timer) return;
    this.closing = false;
    this.timer = setInterval(() => this.kick(), Math.max(10, intervalMs));
    // Mail delivery never keeps the process alive on its own.
    this.timer.unref();
    this.kick();
  }

  /** Deliver soon (on the next turn of the event loop). Does nothing unless start() was called. */
  kick(): void {
    if (!this.timer || this.scheduled) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = null;
      this.deliverNow().catch((error: unknown) => this.log(`Mail delivery stopped on an error: ${describeSmtpError(error, [])}`));
    });
    this.scheduled.unref();
  }

  /** One delivery run, after the one in progress if any; resolves with what it did. */
  deliverNow(): Promise<DeliveryReport> {
    if (this.waiting) return this.waiting;
    const run = this.tail.then(() => {
      this.waiting = null;
      return this.run();
    });
    this.waiting = run;
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Stops the timer and new claims; waits a little for a send in flight (its row is safe either way). */
  async stop(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([this.tail, new Promise<void>((resolve) => (grace = setTimeout(resolve, this.policy.stopGraceMs).unref()))]);
    clearTimeout(grace);
  }

  private async run(): Promise<DeliveryReport> {
    const report: DeliveryReport = { configured: true, sent: 0, retrying: 0, failed: 0 };
    if (this.closing) return report;
    let due = await this.outbox.dueIds(this.clock.now(), this.policy.batchSize);
    if (due.length === 0) return report;
    const settings = await this.settings.load();
    // No server yet: nothing is sent and nothing is dropped; the rows wait as they are.
    if (!isMailConfigured(settings)) return { ...report, configured: false };
    const secrets = secretsOf(settings);
    const sender = smtpSender(settings, this.policy);
    try {
      while (due.length > 0) {
        for (const id of due) {
          if (this.closing) return report;
          const outcome = await this.attempt(id, sender, secrets);
          if (outcome === 'sent') report.sent += 1;
          else if (outcome === 'retrying') report.retrying += 1;
          else if (outcome === 'failed') report.failed += 1;
          if (outcome === 'server-down') {
            report.retrying += 1;
            return report;
          }
        }
        due = await this.outbox.dueIds(this.clock.now(), this.policy.batchSize);
      }
      return report;
    } finally {
      sender.close();
      if (report.sent + report.retrying + report.failed > 0) {
        this.log(`Mail: ${report.sent} sent, ${report.retrying} to be retried, ${report.failed} failed.`);
      }
    }
  }

  private async attempt(id: number, sender: SmtpSender, secrets: readonly string[]): Promise<'sent' | 'retrying' | 'failed' | 'server-down' | 'skipped'> {
    const claimedAt = this.clock.now();
    const row = await this.outbox.claim(id, claimedAt, claimedAt + this.policy.leaseMs);
    if (!row) return 'skipped';
    try {
      await sender.send(row);
    } catch (error) {
      const lastError = describeSmtpError(error, secrets);
      const now = this.clock.now();
      const giveUp = row.attempts >= this.policy.maxAttempts;
      const nextAttemptAt = giveUp ? now : now + backoffMs(row.attempts, this.policy, this.random);
      await this.record(() => this.outbox.markAttemptFailed(row.id, { status: giveUp ? 'failed' : 'owed', nextAttemptAt, lastError }));
      this.log(
        `Mail: email ${row.id} not delivered (attempt ${row.attempts} of ${this.policy.maxAttempts}); ` +
          `${giveUp ? 'marked failed' : `next try at ${new Date(nextAttemptAt).toISOString()}`}: ${lastError}`,
      );
      if (giveUp) return 'failed';
      return isMessageLevel(error) ? 'retrying' : 'server-down';
    }
    await this.record(() => this.outbox.markSent(row.id, this.clock.now()));
    return 'sent';
  }

  /** A write after stop() may find the database closed; the claim keeps the row queued, so that is safe. */
  private async record(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!this.closing) throw error;
    }
  }
}

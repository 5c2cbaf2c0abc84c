import { slot } from '../store/slots.js';
import type { Clock } from '../clock.js';
import type { ChannelOutput, ChannelParsedInput, MailNotice, MailSettingsView, MailTestResult, OutboxRow } from '../../shared/ipc/contract.js';
import { STALE_AFTER_DAYS } from '../../shared/domain.js';
import { AppError } from '../../shared/ipc/errors.js';
import type { OutboxDraft } from '../store/outbox-rows.js';
import type { OutboxRecord, OutboxScope } from '../store/outbox-store.js';
import type { Store } from '../store/store.js';
import { DEFAULT_DELIVERY_INTERVAL_MS, DELIVERY_POLICY, MailDelivery, classifySmtpError, describeSmtpError, secretsOf, sendOneEmail } from './mail-delivery.js';
import type { DeliveryPolicy, DeliveryReport } from './mail-delivery.js';
import { isMailConfigured, isValidMailHost } from './mail-settings.js';
import type { MailSettingsStore, MailSettingsWithPassword } from './mail-settings.js';
import type { Session } from './sessions.js';
import { administeredOrganizations, officialKindOf } from './officials.js';
import { staleReminderEmail, testEmail } from './email-texts.js';

const DAY_MS = 86_400_000;
/** Stale requests: the organization's officials are reminded once a week while any exist. */
export const STALE_REMINDER_GAP_MS = 7 * DAY_MS;
/** How often the console looks for stale requests while it runs (and once at start). */
export const STALE_CHECK_INTERVAL_MS = DAY_MS;
/** The Outbox page shows the newest rows; this many at most. */
export const OUTBOX_LIST_LIMIT = 200;
/** Stale requests named in one reminder; the rest are counted. */
const STALE_LINES_PER_EMAIL = 25;

const OUTBOX_FORBIDDEN = 'Only Security Officials can see the Outbox.';
const MAIL_SETTINGS_FORBIDDEN = 'Only Security Officials can see or change the Mail settings.';
export const MAIL_SETTINGS_CMS_ONLY = "Only a CMS Security Official can change the Mail settings: every organization's emails go through this server.";
const OUTBOX_NOT_FOUND = 'This email is not in your Outbox.';

/** What Send test email says, in plain words: sent, or why not and what to check. */
export const MAIL_TEST_MESSAGES = {
  sent: (to: string, server: string) => `A test email was sent to ${to} through ${server}. Check that it arrived.`,
  notConfigured: 'No test email was sent: no SMTP host and From address are saved yet. Enter them and Save first.',
  connection_refused: (server: string, _error: string) =>
    `No test email was sent: the connection to ${server} was refused. Check the SMTP host and port, and that the mail server is running.`,
  authentication_failed: (server: string, _error: string) =>
    `No test email was sent: ${server} refused the User name and password (authentication failed). Check them, Save, and try again.`,
  timeout: (server: string, _error: string) => `No test email was sent: ${server} did not answer in time. Check the SMTP host and port.`,
  other: (server: string, error: string) => `No test email was sent through ${server}: ${error}`,
} as const;

export interface NotificationOptions {
  mailSettings: MailSettingsStore;
  /** Delivery tuning (tests shorten the timeouts). */
  delivery?: Partial<DeliveryPolicy>;
  /** The jitter of retry times; tests fix it. */
  random?: () => number;
}

export interface StartOptions {
  /** How often the outbox is looked at without a kick; default 15 s. */
  intervalMs?: number;
  /** How often stale requests are looked for; default daily (and once at start). */
  staleCheckIntervalMs?: number;
  /** The check at start waits for this (the start-up file check): it writes a reminder to every organization's officials. */
  firstStaleCheckAfter?: Promise<unknown>;
  /** One line per delivery run or failure; never a password or a message body. */
  log?: (line: string) => void;
}

export interface StaleReminderReport {
  /** Organizations whose officials were reminded now. */
  organizations: number;
  emails: number;
}

/**
 * The outbox: emails queued, sent and failed, shown to Security Officials with retry; delivery
 * over SMTP with retry and backoff (mail-delivery.ts); the mail settings; the weekly reminder
 * of stale requests.
 *
 * Services that send mail write outbox rows in their own transactions (StoreContext.queueEmail) and
 * then call mailQueued(), so that mail goes out at once when delivery runs, waits when it cannot,
 * and the official is told which.
 */
export class NotificationService {
  private readonly delivery: MailDelivery;
  private readonly mailSettingsStore: MailSettingsStore;
  private readonly policy: DeliveryPolicy;
  private readonly random: () => number;
  private log: (line: string) => void = () => undefined;
  private staleTimer: NodeJS.Timeout | null = null;
  private staleRun: Promise<unknown> = Promise.resolve();

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    options: NotificationOptions,
  ) {
    this.mailSettingsStore = options.mailSettings;
    this.policy = { ...DELIVERY_POLICY, ...options.delivery };
    this.random = options.random ?? Math.random;
    this.delivery = new MailDelivery(store.outbox, clock, this.mailSettingsStore, this.policy, this.random, (line) => this.log(line));
  }

  // ---- Delivery and reminders in the background ----

  /** Starts delivery (timer + kicks) and the stale-request check (now, then daily). Timers never keep the process alive. */
  start(options: StartOptions = {}): void {
    if (this.delivery.running) return;
    if (options.log) this.log = options.log;
    this.delivery.start(options.intervalMs ?? DEFAULT_DELIVERY_INTERVAL_MS);
    this.staleTimer = setInterval(() => this.checkStaleInBackground(), options.staleCheckIntervalMs ?? STALE_CHECK_INTERVAL_MS);
    this.staleTimer.unref();
    if (!options.firstStaleCheckAfter) this.checkStaleInBackground();
    else
      void options.firstStaleCheckAfter.then(() => {
        // Stopped meanwhile (the console closed or went to its recovery screen): nothing to check.
        if (this.staleTimer) this.checkStaleInBackground();
      });
  }

  /** Stops both timers; the console calls this before it closes the database. */
  async stop(): Promise<void> {
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = null;
    await Promise.all([this.delivery.stop(), this.staleRun]);
  }

  /**
   * Deliver soon: call after committing outbox rows (mailQueued() does). Debounced (many kicks, one run), never two
   * runs at once, and a no-op until start() (so unit tests that queue mail send none).
   */
  kick(): void {
    this.delivery.kick();
  }

  /**
   * After a commit that queued emails: deliver soon, and say what the official may be told. No
   * mail server set up means the emails only wait in the Outbox; the page must not say they were sent.
   */
  async mailQueued(): Promise<MailNotice> {
    this.kick();
    return isMailConfigured(await this.mailSettingsStore.load()) ? 'queued' : 'not_configured';
  }

  /** One delivery run now (after any in progress), whether or not start() was called (but not after stop()). Tests use it. */
  deliverNow(): Promise<DeliveryReport> {
    return this.delivery.deliverNow();
  }

  /**
   * Sends one email now, never through the outbox: for a one-time code, which must not be kept
   * anywhere in clear. Throws (without the SMTP password) when there is no server or it fails.
   */
  async sendNow(message: { to: string; subject: string; body: string }): Promise<void> {
    const settings = await this.mailSettingsStore.load();
    if (!isMailConfigured(settings)) throw new Error('No mail server is set.');
    try {
      await sendOneEmail(settings, this.policy, { to: message.to, subject: message.subject, text: message.body });
    } catch (error) {
      throw new Error(describeSmtpError(error, secretsOf(settings)));
    }
  }

  private checkStaleInBackground(): void {
    this.staleRun = this.staleRun
      .then(() => this.sendStaleReminders())
      .then((report) => {
        if (report.emails > 0) this.log(`Mail: stale-request reminders queued for ${report.emails} official(s) of ${report.organizations} organization(s).`);
      })
      .catch((error: unknown) => this.log(`Stale-request check failed: ${error instanceof Error ? error.message : 'unknown error'}`));
  }

  // ---- Outbox (officials) ----

  async list(session: Session, input: ChannelParsedInput<'outbox.list'>): Promise<ChannelOutput<'outbox.list'>> {
    const scope = await this.officialScope(session, OUTBOX_FORBIDDEN);
    return (await this.store.outbox.list(scope, input.status, OUTBOX_LIST_LIMIT)).map(outboxView);
  }

  async retry(session: Session, input: ChannelParsedInput<'outbox.retry'>): Promise<ChannelOutput<'outbox.retry'>> {
    const scope = await this.officialScope(session, OUTBOX_FORBIDDEN);
    const result = await this.store.outbox.retry(input.id, scope, this.clock.now(), {
      action: 'mail.retry',
      actorId: session.userRowId,
      organizationId: slot('organizationId'),
      requestId: slot('requestId'),
      details: { outboxId: slot('id'), kind: slot('kind'), status: slot('status'), attempts: slot('attempts') },
    });
    if (result.outcome === 'not_found') throw new AppError('NOT_FOUND', OUTBOX_NOT_FOUND);
    if (result.outcome === 'sent') throw new AppError('CONFLICT', 'This email was already sent; there is nothing to retry.');
    this.kick();
    return outboxView(result.row);
  }

  // ---- Mail settings (officials) ----

  /** Whether mail can be sent at all: otherwise every email waits in the Outbox. */
  async mailConfigured(): Promise<boolean> {
    return isMailConfigured(await this.mailSettingsStore.load());
  }

  async mailSettings(session: Session): Promise<ChannelOutput<'mail.settings'>> {
    const scope = await this.officialScope(session, MAIL_SETTINGS_FORBIDDEN);
    return settingsView(await this.mailSettingsStore.load(), scope.kind === 'all');
  }

  async saveMailSettings(session: Session, input: ChannelParsedInput<'mail.saveSettings'>): Promise<ChannelOutput<'mail.saveSettings'>> {
    // The server carries every organization's mail (names, decisions, temporary-password notices):
    // whoever sets it could read or stop all of it, so it is not one organization's official's call.
    if ((await this.officialScope(session, MAIL_SETTINGS_FORBIDDEN)).kind !== 'all') throw new AppError('FORBIDDEN', MAIL_SETTINGS_CMS_ONLY);
    const host = input.host.trim();
    if (host !== '' && !isValidMailHost(host)) {
      throw new AppError('VALIDATION', 'Host is not a valid host name or IP address', 'host');
    }
    if (input.password !== undefined && input.password !== '' && input.user === '') {
      throw new AppError('VALIDATION', 'Enter the User the password belongs to', 'user');
    }
    // Omitted: keep the stored password; empty: remove it.
    const password = input.password === undefined ? undefined : input.password === '' ? null : input.password;
    const settings = { host, port: input.port, secure: input.secure, user: input.user, from: input.from };
    await this.mailSettingsStore.save(settings, password);
    await this.store.audit.append([
      {
        action: 'mail.settings_changed',
        actorId: session.userRowId,
        // Never the password: only whether it changed.
        details: { ...settings, password: password === undefined ? 'kept' : password === null ? 'removed' : 'changed' },
      },
    ]);
    // Mail that waited for a server may go now.
    this.kick();
    return settingsView(await this.mailSettingsStore.load(), true);
  }

  /**
   * Send test email: one email to the CMS official's own address through the saved settings, now
   * (not through the outbox), so that a wrong host, port or password shows at once. Whatever the
   * outcome, it is audited and said plainly; the password never appears in either.
   */
  async sendTestEmail(session: Session): Promise<MailTestResult> {
    if ((await this.officialScope(session, MAIL_SETTINGS_FORBIDDEN)).kind !== 'all') throw new AppError('FORBIDDEN', MAIL_SETTINGS_CMS_ONLY);
    const official = await this.store.users.byId(session.userRowId);
    if (!official) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Please log in again.');
    const to = official.email;
    const settings = await this.mailSettingsStore.load();
    const server = `${settings.host}:${settings.port}`;
    let result: MailTestResult;
    let error: string | null = null;
    if (!isMailConfigured(settings)) {
      result = { sent: false, to, problem: 'not_configured', message: MAIL_TEST_MESSAGES.notConfigured };
    } else {
      try {
        const email = testEmail({ server, officialName: `${official.firstName} ${official.lastName}` });
        await sendOneEmail(settings, this.policy, { to, subject: email.subject, text: email.body });
        result = { sent: true, to, problem: null, message: MAIL_TEST_MESSAGES.sent(to, server) };
      } catch (caught) {
        error = describeSmtpError(caught, secretsOf(settings));
        const problem = classifySmtpError(caught);
        result = { sent: false, to, problem, message: MAIL_TEST_MESSAGES[problem](server, error) };
      }
    }
    await this.store.audit.append([
      {
        action: result.sent ? 'mail.test_sent' : 'mail.test_failed',
        actorId: session.userRowId,
        details: { to, server: settings.host === '' ? null : server, problem: result.problem, error },
      },
    ]);
    return result;
  }

  // ---- Stale requests ----

  /**
   * Requests pending for more than STALE_AFTER_DAYS earn their organization's Security
   * Officials a reminder email, once a week per organization while any exist. The last reminder
   * is recorded with the outbox rows (one transaction), so a restart does not repeat it early.
   */
  async sendStaleReminders(): Promise<StaleReminderReport> {
    const report: StaleReminderReport = { organizations: 0, emails: 0 };
    const now = this.clock.now();
    const cutoff = now - STALE_AFTER_DAYS * DAY_MS;
    for (const organization of await this.store.outbox.staleOrganizations(cutoff)) {
      const last = await this.store.outbox.lastStaleReminderAt(organization.organizationId);
      if (last !== null && last <= now && now - last < STALE_REMINDER_GAP_MS) continue;
      const officials = await this.store.outbox.securityOfficials(organization.organizationId);
      // Nobody to remind yet (no Security Official): the first one approved will be.
      if (officials.length === 0) continue;
      const lines = await this.store.outbox.staleRequests(organization.organizationId, cutoff, STALE_LINES_PER_EMAIL);
      const drafts: OutboxDraft[] = officials.map((official) => ({
        to: official.email,
        ...staleReminderEmail(official.firstName, organization, lines, now),
        kind: 'request.stale',
        organizationId: organization.organizationId,
        requestId: null,
      }));
      if (await this.store.outbox.writeStaleReminder(organization.organizationId, now, STALE_REMINDER_GAP_MS, drafts)) {
        report.organizations += 1;
        report.emails += drafts.length;
      }
      // Long lists of organizations: let other work in between.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (report.emails > 0) this.kick();
    return report;
  }

  // ---- Who may see what ----

  /** Security Officials only: CMS officials see every row, others the rows of the organizations they administer. */
  private async officialScope(session: Session, forbidden: string): Promise<OutboxScope> {
    const holdings = await this.store.users.sessionHoldings(session.userRowId);
    const kind = officialKindOf(holdings);
    if (kind === null) throw new AppError('FORBIDDEN', forbidden);
    if (kind === 'cms') return { kind: 'all' };
    const organizationIds = administeredOrganizations(holdings).map((o) => o.id);
    return { kind: 'organizations', organizationIds };
  }
}

function outboxView(row: OutboxRecord): OutboxRow {
  return {
    id: row.id,
    to: row.to,
    subject: row.subject,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
  };
}

function settingsView(s: MailSettingsWithPassword, canChange: boolean): MailSettingsView {
  return { host: s.host, port: s.port, secure: s.secure, user: s.user, from: s.from, passwordSet: s.password !== null && s.password !== '', canChange };
}

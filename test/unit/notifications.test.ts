import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { SecretBox } from '../../main/services/secret-box.js';
import { FileMailSettingsStore, mailSettingsFileName } from '../../main/services/mail-settings-file.js';
import { DELIVERY_POLICY, describeSmtpError, secretsOf } from '../../main/services/mail-delivery.js';
import { MAIL_SETTINGS_CMS_ONLY } from '../../main/services/notifications.js';
import { insertOutboxRows } from '../../main/store/outbox-rows.js';
import type { OutboxDraft } from '../../main/store/outbox-rows.js';
import { CMS_ORG, Harness, PROVIDER_ORG, tableRows } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { SmtpTestServer, closedPort } from '../support/smtp-test-server.js';
import { mailNoticeText } from '../../renderer/components/mail-notice.js';
import { sideDb, sideSql } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const OTHER_ORG = { displayId: '456', name: 'Lakeside Home Health', kind: 'provider' as const };
const FROM = 'donotreply@console.example';
const SMTP_PASSWORD = 'S3cret-smtp-pa55word!';
const MINUTE = 60_000;

describe('the outbox: emails owed, delivered over SMTP, retried', () => {
  let h: Harness;
  let users: Record<string, TestUser>;
  let servers: SmtpTestServer[];

  beforeEach(async () => {
    h = await Harness.create();
    servers = [];
    users = await h.seed({
      organizations: [PROVIDER_ORG, OTHER_ORG, CMS_ORG],
      users: [
        { userId: 'cms-official', organization: 'CMS', roles: [['iQIES Prod', 'CMS Security Official']] },
        { userId: 'provider-official', organization: '123', roles: [['iQIES Prod', 'Provider Security Official']] },
        { userId: 'other-official', organization: '456', roles: [['iQIES Prod', 'Provider Security Official']] },
        { userId: 'pat', organization: '123', roles: [['iQIES Prod', 'Assessment Coordinator']] },
      ],
    });
    await h.signIn('cms', users['cms-official']!);
    await h.signIn('so', users['provider-official']!);
    await h.signIn('other', users['other-official']!);
    await h.signIn('pat', users['pat']!);
  });
  afterEach(async () => {
    await h.dispose();
    await Promise.all(servers.map((s) => s.close()));
  });

  const orgId = async (displayId: string): Promise<number> =>
    ((await sideSql(h.app).get('SELECT id FROM organizations WHERE display_id = ?', [displayId])) as { id: number }).id;

  async function owe(...drafts: Array<Partial<OutboxDraft>>): Promise<number[]> {
    const before = ((await sideSql(h.app).get('SELECT coalesce(max(id), 0) AS n FROM outbox')) as { n: number }).n;
    const organizationId = await orgId('123');
    await sideSql(h.app).transaction((tx) =>
      insertOutboxRows(
        tx,
        h.clock.now(),
        drafts.map((d, i) => ({
          to: `pat${i}@example.org`,
          subject: `Role Request from Pat ${i}`,
          body: `Pat ${i} asks for Assessment Coordinator at ${PROVIDER_ORG.name}.`,
          kind: 'request.filed',
          organizationId,
          requestId: null,
          ...d,
        })),
      ),
    );
    return drafts.map((_d, i) => before + i + 1);
  }

  async function row(id: number) {
    return (await sideSql(h.app).get('SELECT * FROM outbox WHERE id = ?', [id])) as {
      status: string;
      attempts: number;
      next_attempt_at: number;
      last_error: string | null;
      sent_at: number | null;
    };
  }

  async function server(options: Parameters<typeof SmtpTestServer.start>[0] = {}): Promise<SmtpTestServer> {
    const s = await SmtpTestServer.start(options);
    servers.push(s);
    return s;
  }

  async function configure(port: number, extra: { user?: string; password?: string } = {}): Promise<void> {
    await h.call('cms', 'mail.saveSettings', {
      host: '127.0.0.1',
      port,
      secure: false,
      user: extra.user ?? '',
      from: FROM,
      ...(extra.password !== undefined ? { password: extra.password } : {}),
    });
  }

  it("tells the official truthfully what became of a decision's email: queued with no mail server set up, queued for delivery once one is", async () => {
    const decideOne = async (role: string) => {
      const { requestId } = await h.call('pat', 'access.request', { program: 'iQIES Prod', organization: '123', role });
      return h.call('so', 'queue.approve', { requestIds: [requestId] });
    };
    const unset = await decideOne('Provider Basic User');
    expect(unset.results.map((r) => r.outcome)).toEqual(['approved']);
    expect(unset.mail).toBe('not_configured');
    expect(mailNoticeText(unset.mail)).toBe('The email is queued: no mail server is set up yet.');
    // Nothing decided, nothing emailed: nothing said about mail.
    expect(await h.call('so', 'queue.approve', { requestIds: [987_654] })).not.toHaveProperty('mail');
    expect(mailNoticeText(undefined)).toBeNull();

    await configure(await closedPort());
    const removed = await h.call('so', 'users.removeRole', { userId: 'pat', program: 'iQIES Prod', organization: '123', role: 'Provider Basic User' });
    expect(removed.mail).toBe('queued');
    const set = await decideOne('Provider Basic User');
    expect(set.mail).toBe('queued');
    expect(mailNoticeText(set.mail)).not.toMatch(/was (sent|emailed)/);
    // The emails wait in the Outbox, not sent: the page said so.
    expect(await sideSql(h.app).get("SELECT count(*) AS n FROM outbox WHERE status = 'sent'")).toEqual({ n: 0 });
  });

  it('delivers owed emails to the SMTP server, with their subject, recipient and body, and marks them sent', async () => {
    const smtp = await server();
    await configure(smtp.port);
    const [first, second] = await owe({}, { to: 'lee@example.org', subject: 'Your role request was approved', body: 'Approved.\nWelcome.' });

    const report = await h.app.services.notifications.deliverNow();

    expect(report).toEqual({ configured: true, sent: 2, retrying: 0, failed: 0 });
    expect(smtp.received.map((m) => [m.subject, m.to && !Array.isArray(m.to) ? m.to.text : null, m.text?.trim(), m.from?.text])).toEqual([
      ['Role Request from Pat 0', 'pat0@example.org', `Pat 0 asks for Assessment Coordinator at ${PROVIDER_ORG.name}.`, FROM],
      ['Your role request was approved', 'lee@example.org', 'Approved.\nWelcome.', FROM],
    ]);
    // One Message-ID per row, the same on every attempt, so a resend is recognisable.
    expect(smtp.received[0]!.messageId).toMatch(new RegExp(`^<outbox\\.${first}\\.\\d+@console\\.example>$`));
    expect(smtp.received[0]!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(await row(first!)).toMatchObject({ status: 'sent', attempts: 1, sent_at: h.clock.now(), last_error: null });
    expect(await row(second!)).toMatchObject({ status: 'sent', attempts: 1 });
    const listed = await h.call('so', 'outbox.list', { status: 'sent' });
    expect(listed.map((r) => r.id)).toEqual([second, first]);
    // Nothing is due any more: another run sends nothing twice.
    expect(await h.app.services.notifications.deliverNow()).toEqual({ configured: true, sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it('keeps an email owed while the server is down, backing off 1, 2, 4 minutes, and delivers it when the server is back', async () => {
    const port = await closedPort();
    await configure(port);
    const [id] = await owe({});
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const report = await h.app.services.notifications.deliverNow();
      expect(report).toMatchObject({ sent: 0, retrying: 1, failed: 0 });
      const r = await row(id!);
      expect(r).toMatchObject({ status: 'owed', attempts: attempt, sent_at: null });
      expect(r.last_error).toMatch(/ECONNREFUSED/);
      waits.push(r.next_attempt_at - h.clock.now());
      // Not due before its time: a run now tries nothing.
      expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 0, retrying: 0 });
      h.clock.set(r.next_attempt_at);
    }
    for (const [i, wait] of waits.entries()) {
      const base = MINUTE * 2 ** i;
      expect(wait).toBeGreaterThanOrEqual(base);
      expect(wait).toBeLessThan(base * (1 + DELIVERY_POLICY.jitterRatio));
    }

    const smtp = await server({ port });
    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 1 });
    expect(smtp.received.map((m) => m.subject)).toEqual(['Role Request from Pat 0']);
    expect(await row(id!)).toMatchObject({ status: 'sent', attempts: 4, last_error: null });
  });

  it('ends a run at the first server failure: the emails not tried keep their place and attempt count', async () => {
    await configure(await closedPort());
    const [first, second, third] = await owe({}, {}, {});
    await h.app.services.notifications.deliverNow();
    expect([(await row(first!)).attempts, (await row(second!)).attempts, (await row(third!)).attempts]).toEqual([1, 0, 0]);
    expect([(await row(second!)).status, (await row(third!)).status]).toEqual(['owed', 'owed']);
  });

  it('fails an email after eight attempts (waits capped at an hour); Retry makes it owed again, audited, and it goes out', async () => {
    const port = await closedPort();
    await configure(port);
    const [id] = await owe({});
    const waits: number[] = [];
    for (let attempt = 1; attempt <= DELIVERY_POLICY.maxAttempts; attempt += 1) {
      await h.app.services.notifications.deliverNow();
      const r = await row(id!);
      expect(r.attempts).toBe(attempt);
      if (attempt < DELIVERY_POLICY.maxAttempts) {
        expect(r.status).toBe('owed');
        waits.push(r.next_attempt_at - h.clock.now());
        h.clock.set(r.next_attempt_at);
      }
    }
    expect((await row(id!)).status).toBe('failed');
    // 1, 2, 4, ... minutes, at most an hour, each plus up to 10% jitter.
    expect(waits).toHaveLength(7);
    for (const [i, wait] of waits.entries()) {
      const base = Math.min(2 ** i, 60) * MINUTE;
      expect(wait).toBeGreaterThanOrEqual(base);
      expect(wait).toBeLessThan(base * (1 + DELIVERY_POLICY.jitterRatio));
    }
    // A failed email is never picked up again by itself.
    h.clock.advance(24 * 60 * MINUTE);
    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 0, retrying: 0, failed: 0 });

    // Hours went by: the official signs in again.
    await h.signIn('so-later', users['provider-official']!);
    const failed = await h.call('so-later', 'outbox.list', { status: 'failed' });
    expect(failed).toEqual([expect.objectContaining({ id, status: 'failed', attempts: 8, lastError: expect.stringMatching(/ECONNREFUSED/) })]);
    const retried = await h.call('so-later', 'outbox.retry', { id: id! });
    expect(retried).toMatchObject({ id, status: 'owed', attempts: 8, nextAttemptAt: h.clock.now() });
    expect(await h.auditActions()).toContain('mail.retry');

    const smtp = await server({ port });
    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);
    expect(await h.refusal('so-later', 'outbox.retry', { id: id! })).toMatchObject({ code: 'CONFLICT' });
  });

  it('with no SMTP server configured sends nothing and drops nothing; saving settings lets the mail go', async () => {
    const ids = await owe({}, {});
    expect(await h.app.services.notifications.deliverNow()).toEqual({ configured: false, sent: 0, retrying: 0, failed: 0 });
    await h.call('cms', 'mail.saveSettings', { host: '', port: 25, secure: false, user: '', from: FROM });
    h.clock.advance(7 * 24 * 60 * MINUTE);
    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ configured: false, sent: 0 });
    for (const id of ids) expect(await row(id)).toMatchObject({ status: 'owed', attempts: 0, last_error: null });

    const smtp = await server();
    await h.signIn('cms-later', users['cms-official']!);
    await h.call('cms-later', 'mail.saveSettings', { host: '127.0.0.1', port: smtp.port, secure: false, user: '', from: FROM });
    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 2 });
    expect(smtp.received).toHaveLength(2);
  });

  it('a send cut off by a crash is resent after the claim runs out, never lost', async () => {
    const smtp = await server();
    await configure(smtp.port);
    const [id] = await owe({});
    // The console took the row for sending and died before it could record the outcome.
    const claimed = await h.app.store.outbox.claim(id!, h.clock.now(), h.clock.now() + DELIVERY_POLICY.leaseMs);
    expect(claimed).toMatchObject({ attempts: 1 });
    await h.reopen();

    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 0 });
    expect(await row(id!)).toMatchObject({ status: 'owed', attempts: 1 });
    h.clock.advance(DELIVERY_POLICY.leaseMs);
    expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 1 });
    expect(await row(id!)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
  });

  it('once started, a kick delivers at once; runs never overlap; close() stops it', async () => {
    const smtp = await server({ delayMs: 50 });
    await configure(smtp.port);
    const notifications = h.app.services.notifications;
    notifications.start({ intervalMs: 3_600_000 });
    await owe({}, {}, {});
    notifications.kick();
    notifications.kick();
    const concurrent = [notifications.deliverNow(), notifications.deliverNow()];
    notifications.kick();
    await smtp.waitForMessages(3);
    await Promise.all(concurrent);
    expect(smtp.received).toHaveLength(3);
    // One run at a time: one connection at a time, and no email twice.
    expect(smtp.maxConcurrentConnections).toBe(1);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(3);
    await h.app.close();
    // After close, kicks do nothing (and the closed database is not touched).
    notifications.kick();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('a kick before start() sends nothing: services that owe mail can kick in unit tests', async () => {
    const smtp = await server();
    await configure(smtp.port);
    await owe({});
    h.app.services.notifications.kick();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(smtp.received).toHaveLength(0);
  });

  describe('who sees which emails', () => {
    it('a provider official sees the emails of the organizations they administer, newest first; CMS sees every one', async () => {
      const [own1] = await owe({ organizationId: await orgId('123') });
      h.clock.advance(1000);
      const [other] = await owe({ organizationId: await orgId('456') });
      h.clock.advance(1000);
      const [consoleWide] = await owe({ organizationId: null, kind: 'console' });
      h.clock.advance(1000);
      const [own2] = await owe({ organizationId: await orgId('123') });

      expect((await h.call('so', 'outbox.list', {})).map((r) => r.id)).toEqual([own2, own1]);
      expect((await h.call('other', 'outbox.list', {})).map((r) => r.id)).toEqual([other]);
      expect((await h.call('cms', 'outbox.list', {})).map((r) => r.id)).toEqual([own2, consoleWide, other, own1]);
      expect(await h.call('so', 'outbox.list', { status: 'failed' })).toEqual([]);
      expect(await h.call('so', 'outbox.list', {})).toEqual([
        expect.objectContaining({
          id: own2,
          to: 'pat0@example.org',
          subject: 'Role Request from Pat 0',
          kind: 'request.filed',
          status: 'owed',
          attempts: 0,
          lastError: null,
          sentAt: null,
        }),
        expect.objectContaining({ id: own1 }),
      ]);
    });

    it('retrying an email outside the official’s organizations is NOT_FOUND, like one that does not exist', async () => {
      const [other] = await owe({ organizationId: await orgId('456') });
      const [consoleWide] = await owe({ organizationId: null });
      expect(await h.refusal('so', 'outbox.retry', { id: other! })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.refusal('so', 'outbox.retry', { id: consoleWide! })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.refusal('so', 'outbox.retry', { id: 99_999 })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.auditActions()).not.toContain('mail.retry');
      expect(await h.call('cms', 'outbox.retry', { id: consoleWide! })).toMatchObject({ id: consoleWide, status: 'owed' });
      expect(await h.call('other', 'outbox.retry', { id: other! })).toMatchObject({ id: other, status: 'owed' });
    });

    it('an ordinary user is FORBIDDEN the outbox and the mail settings', async () => {
      const [id] = await owe({});
      expect(await h.refusal('pat', 'outbox.list', {})).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('pat', 'outbox.retry', { id: id! })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('pat', 'mail.settings', {})).toMatchObject({ code: 'FORBIDDEN' });
      expect(await h.refusal('pat', 'mail.saveSettings', { host: 'smtp.example.org', port: 587, secure: false, user: '', from: FROM })).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect((await h.call('so', 'mail.settings', {})).host).toBe('');
    });
  });

  describe('mail settings', () => {
    it("a provider official sees them but cannot change them: every organization's mail goes through this server", async () => {
      await h.call('cms', 'mail.saveSettings', { host: 'smtp.example.org', port: 587, secure: false, user: '', from: FROM });
      expect(await h.call('so', 'mail.settings', {})).toMatchObject({ host: 'smtp.example.org', canChange: false });
      const audits = (await h.auditActions()).length;
      expect(await h.refusal('so', 'mail.saveSettings', { host: 'evil.example.net', port: 25, secure: false, user: '', from: FROM })).toMatchObject({
        code: 'FORBIDDEN',
        message: MAIL_SETTINGS_CMS_ONLY,
      });
      expect((await h.call('cms', 'mail.settings', {})).host).toBe('smtp.example.org');
      expect(await h.auditActions()).toHaveLength(audits);
    });

    it('shows whether a password is set, never the password; omitted keeps it, empty removes it; each save is audited without it', async () => {
      expect(await h.call('cms', 'mail.settings', {})).toEqual({ host: '', port: 587, secure: false, user: '', from: '', passwordSet: false, canChange: true });
      const saved = await h.call('cms', 'mail.saveSettings', {
        host: 'smtp.example.org',
        port: 465,
        secure: true,
        user: 'console',
        from: FROM,
        password: SMTP_PASSWORD,
      });
      expect(saved).toEqual({ host: 'smtp.example.org', port: 465, secure: true, user: 'console', from: FROM, passwordSet: true, canChange: true });

      const kept = await h.call('cms', 'mail.saveSettings', { host: 'smtp2.example.org', port: 587, secure: false, user: 'console', from: FROM });
      expect(kept).toMatchObject({ host: 'smtp2.example.org', passwordSet: true });
      const store = h.app.services.notifications['mailSettingsStore'] as FileMailSettingsStore;
      expect((await store.load()).password).toBe(SMTP_PASSWORD);

      const removed = await h.call('cms', 'mail.saveSettings', {
        host: 'smtp2.example.org',
        port: 587,
        secure: false,
        user: 'console',
        from: FROM,
        password: '',
      });
      expect(removed.passwordSet).toBe(false);
      expect((await store.load()).password).toBeNull();

      const audits = (await sideSql(h.app).all("SELECT details FROM audit_events WHERE action = 'mail.settings_changed' ORDER BY id")) as Array<{
        details: string;
      }>;
      expect(audits.map((a) => JSON.parse(a.details).password)).toEqual(['changed', 'kept', 'removed']);
      expect(audits.map((a) => a.details).join('\n')).not.toContain(SMTP_PASSWORD);
    });

    it('refuses a host that is not a host name or address, a From that is not an email, and a password without a user', async () => {
      expect(await h.refusal('cms', 'mail.saveSettings', { host: 'smtp example.org', port: 587, secure: false, user: '', from: FROM })).toMatchObject({
        code: 'VALIDATION',
        field: 'host',
      });
      expect(await h.refusal('cms', 'mail.saveSettings', { host: 'smtp://smtp.example.org', port: 587, secure: false, user: '', from: FROM })).toMatchObject({
        code: 'VALIDATION',
        field: 'host',
      });
      expect(await h.refusal('cms', 'mail.saveSettings', { host: 'smtp.example.org', port: 587, secure: false, user: '', from: 'nobody' })).toMatchObject({
        code: 'VALIDATION',
        field: 'from',
      });
      expect(await h.refusal('cms', 'mail.saveSettings', { host: 'smtp.example.org', port: 0, secure: false, user: '', from: FROM })).toMatchObject({
        code: 'VALIDATION',
        field: 'port',
      });
      expect(
        await h.refusal('cms', 'mail.saveSettings', { host: 'smtp.example.org', port: 587, secure: false, user: '', from: FROM, password: 'x' }),
      ).toMatchObject({ code: 'VALIDATION', field: 'user' });
      expect((await h.call('so', 'mail.settings', {})).host).toBe('');
      expect(await h.call('cms', 'mail.saveSettings', { host: '::1', port: 25, secure: false, user: '', from: FROM })).toMatchObject({ host: '::1' });
    });

    it('the SMTP password is never in plain text: not in the settings file, the database, last_error or the log', async () => {
      const smtp = await server({ credentials: { user: 'console', password: 'something-else' }, echoRejectedPassword: true });
      await configure(smtp.port, { user: 'console', password: SMTP_PASSWORD });
      const [id] = await owe({});
      const log: string[] = [];
      h.app.services.notifications.start({ intervalMs: 3_600_000, log: (line) => log.push(line) });
      await h.app.services.notifications.deliverNow();
      await h.app.services.notifications.stop();

      // The server was sent the real password (it was unsealed for the login) and echoed it back.
      expect(smtp.logins).toEqual([{ user: 'console', password: SMTP_PASSWORD }]);
      const r = await row(id!);
      expect(r).toMatchObject({ status: 'owed', attempts: 1 });
      expect(r.last_error).toMatch(/EAUTH.*Invalid password \[redacted\] \(\[redacted\]\) for console/);
      expect(log.join('\n')).toMatch(/not delivered/);

      const b64 = Buffer.from(SMTP_PASSWORD).toString('base64');
      const file = join(h.dir, mailSettingsFileName(false));
      const settingsText = readFileSync(file, 'utf8');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(settingsText)).toMatchObject({ host: '127.0.0.1', user: 'console', passwordSealed: expect.any(String) });
      // The embedded file's bytes (checkpointed, so the WAL is in it); on PostgreSQL, every row.
      let databaseBytes: string;
      if (ON_POSTGRES) databaseBytes = [...(await tableRows(h)).values()].flat().join('\n');
      else {
        sideDb(h.app).pragma('wal_checkpoint(TRUNCATE)');
        databaseBytes = readFileSync(h.app.databasePath).toString('latin1');
      }
      for (const haystack of [settingsText, databaseBytes, log.join('\n'), r.last_error ?? '']) {
        expect(haystack).not.toContain(SMTP_PASSWORD);
        expect(haystack).not.toContain(b64);
      }
    });

    it('logs in with the stored password and delivers', async () => {
      const smtp = await server({ credentials: { user: 'console', password: SMTP_PASSWORD } });
      await configure(smtp.port, { user: 'console', password: SMTP_PASSWORD });
      await owe({});
      expect(await h.app.services.notifications.deliverNow()).toMatchObject({ sent: 1 });
      expect(smtp.received).toHaveLength(1);
    });

    it('a password sealed under another data key reads as no password', async () => {
      const file = join(h.dir, 'elsewhere-mail-settings.json');
      const keys = new KeyFileProvider(join(h.dir, 'elsewhere.key'));
      await new FileMailSettingsStore(file, new SecretBox(keys.loadOrCreateKey())).save(
        { host: 'h', port: 25, secure: false, user: 'u', from: FROM },
        SMTP_PASSWORD,
      );
      const other = new FileMailSettingsStore(file, new SecretBox(Buffer.alloc(32, 7)));
      expect(await other.load()).toMatchObject({ host: 'h', user: 'u', password: null });
    });
  });
});

describe('describing an SMTP failure', () => {
  it('takes every form of the password and any credentials in a URL out of the message', () => {
    const secrets = secretsOf({ user: 'me', password: 'hunter2!' });
    const plain = Buffer.from('\u0000me\u0000hunter2!').toString('base64');
    const text = describeSmtpError(
      Object.assign(
        new Error(`Invalid login: 535 hunter2! ${Buffer.from('hunter2!').toString('base64')} ${plain} smtp://me:hunter2!@mail.example.org\n next line`),
        { code: 'EAUTH' },
      ),
      secrets,
    );
    expect(text).toBe('EAUTH: Invalid login: 535 [redacted] [redacted] [redacted] smtp://[redacted]@mail.example.org next line');
    expect(describeSmtpError('not an error', [])).toBe('Unknown error');
    expect(describeSmtpError(new Error('x'.repeat(2000)), [])).toHaveLength(500);
  });
});

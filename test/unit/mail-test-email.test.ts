import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAIL_SETTINGS_CMS_ONLY, MAIL_TEST_MESSAGES } from '../../main/services/notifications.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { SmtpTestServer, closedPort } from '../support/smtp-test-server.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const FROM = 'donotreply@console.example';
const SMTP_PASSWORD = 'Test-smtp-pa55word!';

describe("Send test email: the Mail settings tried now, to the CMS official's own address", () => {
  let h: Harness;
  let users: Record<string, TestUser>;
  let servers: SmtpTestServer[];

  beforeEach(async () => {
    h = await Harness.create();
    servers = [];
    users = await h.seed({
      organizations: [PROVIDER_ORG, CMS_ORG, { displayId: 'FL', name: 'Florida', kind: 'state' }],
      users: [
        { userId: 'cms-official', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'provider-official', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'state-official', organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'pat', organization: '123', roles: [[PROD, 'Assessment Coordinator']] },
      ],
    });
    for (const [client, id] of [
      ['cms', 'cms-official'],
      ['provider', 'provider-official'],
      ['state', 'state-official'],
      ['pat', 'pat'],
    ] as const) {
      await h.signIn(client, users[id]!);
      h.nextStep();
    }
  });
  afterEach(async () => {
    await h.dispose();
    await Promise.all(servers.map((s) => s.close()));
  });

  async function server(options: Parameters<typeof SmtpTestServer.start>[0] = {}): Promise<SmtpTestServer> {
    const s = await SmtpTestServer.start(options);
    servers.push(s);
    return s;
  }

  const testAudits = async () =>
    (
      (await sideSql(h.app).all("SELECT action, details FROM audit_events WHERE action LIKE 'mail.test_%' ORDER BY id")) as Array<{
        action: string;
        details: string;
      }>
    ).map((r) => ({
      action: r.action,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));

  it('sends one email to the signed-in CMS official through the saved server, says so, and audits it', async () => {
    const smtp = await server();
    await h.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port: smtp.port, secure: false, user: '', from: FROM });

    const result = await h.call('cms', 'mail.sendTest', {});

    expect(result).toEqual({
      sent: true,
      to: 'cms-official@example.org',
      problem: null,
      message: MAIL_TEST_MESSAGES.sent('cms-official@example.org', `127.0.0.1:${smtp.port}`),
    });
    expect(smtp.received.map((m) => [m.subject, m.to && !Array.isArray(m.to) ? m.to.text : null, m.from?.text])).toEqual([
      ['Test email from the Security Official Console', 'cms-official@example.org', FROM],
    ]);
    // Sent now, outside the outbox: nothing waits there for it.
    expect(await sideSql(h.app).get('SELECT count(*) AS n FROM outbox')).toEqual({ n: 0 });
    expect(await testAudits()).toEqual([{ action: 'mail.test_sent', details: expect.objectContaining({ to: 'cms-official@example.org', problem: null }) }]);
  });

  it('says plainly why not: not configured, connection refused, authentication failed (the password never shown)', async () => {
    expect(await h.call('cms', 'mail.sendTest', {})).toMatchObject({ sent: false, problem: 'not_configured', message: MAIL_TEST_MESSAGES.notConfigured });

    const port = await closedPort();
    await h.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port, secure: false, user: '', from: FROM });
    const refused = await h.call('cms', 'mail.sendTest', {});
    expect(refused).toMatchObject({ sent: false, problem: 'connection_refused' });
    expect(refused.message).toContain(`the connection to 127.0.0.1:${port} was refused`);

    const smtp = await server({ credentials: { user: 'console', password: 'the right one' }, echoRejectedPassword: true });
    await h.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port: smtp.port, secure: false, user: 'console', from: FROM, password: SMTP_PASSWORD });
    const denied = await h.call('cms', 'mail.sendTest', {});
    expect(denied).toMatchObject({ sent: false, problem: 'authentication_failed' });
    expect(denied.message).toContain('authentication failed');
    expect(smtp.received).toHaveLength(0);

    const audits = await testAudits();
    expect(audits.map((a) => [a.action, a.details['problem']])).toEqual([
      ['mail.test_failed', 'not_configured'],
      ['mail.test_failed', 'connection_refused'],
      ['mail.test_failed', 'authentication_failed'],
    ]);
    const everything = JSON.stringify([denied, audits]);
    expect(everything).not.toContain(SMTP_PASSWORD);
    expect(everything).not.toContain(Buffer.from(SMTP_PASSWORD).toString('base64'));
  });

  it('is refused to provider and state officials and to non-officials, through dispatch: nothing sent, nothing audited', async () => {
    const smtp = await server();
    await h.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port: smtp.port, secure: false, user: '', from: FROM });
    expect(await h.refusal('provider', 'mail.sendTest', {})).toEqual({ code: 'FORBIDDEN', message: MAIL_SETTINGS_CMS_ONLY });
    expect(await h.refusal('state', 'mail.sendTest', {})).toEqual({ code: 'FORBIDDEN', message: MAIL_SETTINGS_CMS_ONLY });
    expect(await h.refusal('pat', 'mail.sendTest', {})).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('nobody', 'mail.sendTest', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    // Input is empty by contract: anything else is refused before any send.
    expect(await h.refusal('cms', 'mail.sendTest', { to: 'someone@else.example' } as never)).toMatchObject({ code: 'VALIDATION' });
    expect(smtp.received).toHaveLength(0);
    expect(await testAudits()).toEqual([]);
  });
});

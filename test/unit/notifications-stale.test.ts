import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_AFTER_DAYS } from '../../shared/domain.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const OTHER_ORG = { displayId: '456', name: 'Lakeside Home Health', kind: 'provider' as const };
const DAY = 86_400_000;
const SUBJECT = `Role requests waiting more than 30 days at ${PROVIDER_ORG.name}`;

describe('stale requests: the organization’s officials are reminded once a week', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
    await h.seed({
      organizations: [PROVIDER_ORG, OTHER_ORG, CMS_ORG, { displayId: '789', name: 'Hilltop Hospice', kind: 'provider' }],
      users: [
        { userId: 'cms-official', organization: 'CMS', roles: [['iQIES Prod', 'CMS Security Official']] },
        { userId: 'provider-official', organization: '123', roles: [['iQIES Prod', 'Provider Security Official']] },
        // A second official of 123, holding the role in two programs: still one email.
        {
          userId: 'second-official',
          organization: '123',
          roles: [
            ['iQIES Prod', 'Provider Security Official'],
            ['iQIES Preview', 'Provider Security Official'],
          ],
        },
        { userId: 'gone-official', organization: '123', status: 'deactivated', roles: [['iQIES Prod', 'Provider Security Official']] },
        { userId: 'other-official', organization: '456', roles: [['iQIES Prod', 'Provider Security Official']] },
        { userId: 'pat', organization: '123', roles: [['iQIES Prod', 'Provider Basic User']] },
        { userId: 'lee', organization: '456' },
        { userId: 'kim', organization: '789' },
        { userId: 'new-official', organization: '789' },
      ],
    });
  });
  afterEach(() => h.dispose());

  /** A pending request filed `daysAgo` days ago (written directly: a fixture, not the feature). */
  async function pending(requester: string, organization: string, daysAgo: number, status = 'pending'): Promise<number> {
    const result = await sideSql(h.app).get<{ id: number }>(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at)
         VALUES ((SELECT id FROM users WHERE user_id = ?), (SELECT id FROM programs WHERE name = 'iQIES Prod'),
                 (SELECT id FROM organizations WHERE display_id = ?), (SELECT id FROM roles WHERE name = 'Assessment Coordinator'), ?, ?) RETURNING id`,
      [requester, organization, status, h.clock.now() - daysAgo * DAY],
    );
    return result!.id;
  }

  const reminders = async () =>
    (await sideSql(h.app).all(
      'SELECT to_address AS "to", subject, body, organization_id AS "organizationId" FROM outbox WHERE kind = \'request.stale\' ORDER BY id',
    )) as Array<{
      to: string;
      subject: string;
      body: string;
      organizationId: number;
    }>;

  it('emails each Security Official of the organization with requests pending more than 30 days, and nobody else', async () => {
    const stale = await pending('pat', '123', STALE_AFTER_DAYS + 1);
    await pending('pat', '123', 3);
    await pending('lee', '456', STALE_AFTER_DAYS - 1);

    expect(await h.app.services.notifications.sendStaleReminders()).toEqual({ organizations: 1, emails: 2 });

    const sent = await reminders();
    expect(sent.map((r) => [r.to, r.subject])).toEqual([
      ['provider-official@example.org', SUBJECT],
      ['second-official@example.org', SUBJECT],
    ]);
    expect(sent[0]!.body).toContain(`Request ID ${stale}:`);
    expect(sent[0]!.body).toContain('1 role request has been waiting more than 30 days');
    expect(sent[0]!.body).toContain('Dear First1,');
    // The date the way the console writes one for people, not ISO.
    expect(sent[0]!.body).toMatch(/requested [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M \(\d+ days ago\)/);
    // Officials of 123 see it in their Outbox.
    expect(sent.every((r) => r.organizationId === sent[0]!.organizationId)).toBe(true);
  });

  it('says nothing when no request is stale, or when the stale ones were decided', async () => {
    await pending('pat', '123', 10);
    await pending('pat', '123', STALE_AFTER_DAYS + 5, 'approved');
    await pending('lee', '456', STALE_AFTER_DAYS + 5, 'cancelled');
    expect(await h.app.services.notifications.sendStaleReminders()).toEqual({ organizations: 0, emails: 0 });
    expect(await reminders()).toEqual([]);
  });

  it('reminds once a week per organization while stale requests remain, and stops when they are decided', async () => {
    const stale = await pending('pat', '123', STALE_AFTER_DAYS + 1);
    const notifications = h.app.services.notifications;
    expect((await notifications.sendStaleReminders()).emails).toBe(2);
    expect((await notifications.sendStaleReminders()).emails).toBe(0);
    h.clock.advance(6 * DAY);
    // 456 becomes stale meanwhile: its own week starts now, independent of 123's.
    await pending('lee', '456', STALE_AFTER_DAYS + 1);
    expect(await notifications.sendStaleReminders()).toEqual({ organizations: 1, emails: 1 });
    expect((await reminders()).at(-1)!.to).toBe('other-official@example.org');
    h.clock.advance(DAY);
    expect(await notifications.sendStaleReminders()).toEqual({ organizations: 1, emails: 2 });
    expect((await reminders()).slice(-2).map((r) => r.to)).toEqual(['provider-official@example.org', 'second-official@example.org']);

    await sideSql(h.app).run(
      "UPDATE role_requests SET status = 'rejected', decided_at = ?, decided_by = (SELECT id FROM users WHERE user_id = 'cms-official') WHERE id = ?",
      [h.clock.now(), stale],
    );
    h.clock.advance(7 * DAY);
    expect(await notifications.sendStaleReminders()).toEqual({ organizations: 1, emails: 1 });
    expect((await reminders()).at(-1)!.to).toBe('other-official@example.org');
  });

  it('remembers the last reminder across a restart of the console (same database)', async () => {
    await pending('pat', '123', STALE_AFTER_DAYS + 1);
    expect((await h.app.services.notifications.sendStaleReminders()).emails).toBe(2);
    h.clock.advance(DAY);
    await h.reopen();
    // start() checks at once; closing waits for that check.
    h.app.services.notifications.start({ intervalMs: 3_600_000 });
    await h.app.services.notifications.stop();
    expect(await reminders()).toHaveLength(2);

    h.clock.advance(6 * DAY);
    expect((await h.app.services.notifications.sendStaleReminders()).emails).toBe(2);
    expect(await reminders()).toHaveLength(4);
  });

  it('the check at start writes the week’s reminders', async () => {
    await pending('pat', '123', STALE_AFTER_DAYS + 2);
    h.app.services.notifications.start({ intervalMs: 3_600_000 });
    await h.app.services.notifications.stop();
    expect((await reminders()).map((r) => r.to)).toEqual(['provider-official@example.org', 'second-official@example.org']);
  });

  it('an organization without a Security Official gets no reminder until it has one', async () => {
    await pending('kim', '789', STALE_AFTER_DAYS + 1);
    expect(await h.app.services.notifications.sendStaleReminders()).toEqual({ organizations: 0, emails: 0 });
    await sideSql(h.app).run(
      `INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at)
         VALUES ((SELECT id FROM users WHERE user_id = 'new-official'), (SELECT id FROM programs WHERE name = 'iQIES Prod'),
                 (SELECT id FROM organizations WHERE display_id = '789'), (SELECT id FROM roles WHERE name = 'Provider Security Official'), ?)`,
      [h.clock.now()],
    );
    h.clock.advance(DAY);
    expect(await h.app.services.notifications.sendStaleReminders()).toEqual({ organizations: 1, emails: 1 });
    expect((await reminders())[0]).toMatchObject({ to: 'new-official@example.org', subject: 'Role requests waiting more than 30 days at Hilltop Hospice' });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FSID_MESSAGES } from '../../main/services/fsid.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';

describe('Federal Surveyor IDs (iQIES job aid, section 6)', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: 'FL', name: 'Florida', kind: 'state' }, { displayId: 'GA', name: 'Georgia', kind: 'state' }],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'fl', organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'ga', organization: 'GA', roles: [[PROD, 'State Security Official']] },
        { userId: 'sam', organization: 'FL', roles: [[PROD, 'Surveyor']] },
        { userId: 'tess', organization: 'FL', roles: [[PROD, 'State Agency General User']] },
        { userId: 'gus', organization: 'GA', roles: [[PROD, 'Surveyor']] },
        { userId: 'pat', organization: '123', roles: [[PROD, 'Provider Basic User']] },
      ],
    });
    await sideSql(h.app).run("UPDATE users SET first_name = 'Samuel', last_name = 'Ortiz' WHERE user_id = 'sam'");
    for (const id of ['cms', 'so1', 'fl', 'ga', 'sam', 'pat', 'tess']) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(() => h.dispose());

  const ids = (rows: Array<{ userId: string }>) => rows.map((r) => r.userId);

  it("a user asks for an FSID; the state's officials are emailed (queued: no mail server is set up); it shows as pending verification", async () => {
    expect(await h.call('sam', 'fsid.mine', {})).toEqual({ fsid: null, fsidState: null, canRequest: true });
    expect(await h.call('sam', 'fsid.request', {})).toEqual({ fsid: null, fsidState: 'requested', mail: 'not_configured' });
    expect(await h.refusal('sam', 'fsid.request', {})).toMatchObject({ code: 'CONFLICT', message: FSID_MESSAGES.alreadyAsked });
    const mail = await sideSql(h.app).all("SELECT to_address AS t, subject FROM outbox WHERE kind = 'fsid.requested'");
    expect(mail).toEqual([{ t: 'fl@example.org', subject: 'Federal Surveyor ID requested by Samuel Ortiz' }]);
    expect(ids((await h.call('fl', 'fsid.search', { pendingOnly: true })).rows)).toEqual(['sam']);
  });

  it('a state official enters, verifies and removes an FSID; each is audited', async () => {
    const saved = await h.call('fl', 'fsid.save', { userId: 'sam', fsid: 'fl0042' });
    expect(saved).toMatchObject({ userId: 'sam', fsid: 'FL0042', fsidState: 'pending', roles: ['Surveyor'] });
    expect((await h.call('fl', 'fsid.verify', { userId: 'sam' })).fsidState).toBe('verified');
    expect(await h.refusal('fl', 'fsid.verify', { userId: 'sam' })).toMatchObject({ code: 'CONFLICT', message: FSID_MESSAGES.notPending });
    expect(await h.call('fl', 'fsid.save', { userId: 'sam', fsid: 'FL0043' })).toMatchObject({ fsid: 'FL0043', fsidState: 'pending' });
    expect(await h.call('fl', 'fsid.remove', { userId: 'sam' })).toMatchObject({ fsid: null, fsidState: null });
    expect(await h.refusal('fl', 'fsid.remove', { userId: 'sam' })).toMatchObject({ code: 'CONFLICT' });
    expect((await h.auditActions()).filter((a) => a.startsWith('fsid.'))).toEqual(['fsid.saved', 'fsid.verified', 'fsid.saved', 'fsid.removed']);
  });

  it('an FSID is 1 to 10 letters or digits, and unique', async () => {
    for (const fsid of ['', 'ABCDEFGHIJK', 'FL-0042', 'FL 42']) {
      expect(await h.refusal('fl', 'fsid.save', { userId: 'sam', fsid }), fsid).toMatchObject({ code: 'VALIDATION', field: 'fsid' });
    }
    await h.call('fl', 'fsid.save', { userId: 'sam', fsid: 'FL0042' });
    expect(await h.refusal('fl', 'fsid.save', { userId: 'tess', fsid: 'fl0042' })).toMatchObject({
      code: 'CONFLICT',
      field: 'fsid',
      message: FSID_MESSAGES.taken,
    });
  });

  it('provider and CMS officials are refused, and state officials of another state', async () => {
    for (const who of ['so1', 'cms', 'pat']) {
      expect(await h.refusal(who, 'fsid.search', {}), who).toMatchObject({ code: 'FORBIDDEN', message: FSID_MESSAGES.stateOnly });
      expect(await h.refusal(who, 'fsid.save', { userId: 'sam', fsid: 'X1' }), who).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await h.refusal('ga', 'fsid.save', { userId: 'sam', fsid: 'GA1' })).toMatchObject({ code: 'NOT_FOUND', message: FSID_MESSAGES.notFound });
    expect(await h.refusal('ga', 'fsid.verify', { userId: 'sam' })).toMatchObject({ code: 'NOT_FOUND', message: FSID_MESSAGES.notFound });
    expect(ids((await h.call('ga', 'fsid.search', {})).rows)).not.toContain('sam');
    expect((await h.auditActions()).filter((a) => a.startsWith('fsid.'))).toEqual([]);
  });

  it('searches by first and/or last name, user ID, FSID and role', async () => {
    await h.call('fl', 'fsid.save', { userId: 'tess', fsid: 'FL7' });
    expect(ids((await h.call('fl', 'fsid.search', { query: 'ortiz' })).rows)).toEqual(['sam']);
    expect(ids((await h.call('fl', 'fsid.search', { query: 'samuel ort' })).rows)).toEqual(['sam']);
    expect(ids((await h.call('fl', 'fsid.search', { query: 'fl7' })).rows)).toEqual(['tess']);
    expect(ids((await h.call('fl', 'fsid.search', { roles: ['Surveyor'] })).rows)).toEqual(['sam']);
    expect((await h.call('fl', 'fsid.search', {})).total).toBe(3);
  });

  it('only a Surveyor is offered to ask for an FSID; anyone else is refused, and nothing is mailed or audited', async () => {
    // pat: a provider's user; tess: a user of the state agency without a Surveyor role; fl: its State Security Official.
    for (const who of ['pat', 'tess', 'fl']) {
      expect((await h.call(who, 'fsid.mine', {})).canRequest, who).toBe(false);
      expect(await h.refusal(who, 'fsid.request', {}), who).toMatchObject({ code: 'FORBIDDEN', message: FSID_MESSAGES.surveyorsOnly });
    }
    expect(await sideSql(h.app).get("SELECT count(*) AS n FROM outbox WHERE kind = 'fsid.requested'")).toEqual({ n: 0 });
    expect((await h.auditActions()).filter((a) => a === 'fsid.requested')).toEqual([]);
    expect((await h.call('sam', 'fsid.mine', {})).canRequest).toBe(true);
  });

  it('only state officials are offered the page', async () => {
    const page = async (who: string) => (await h.call(who, 'home.summary', {})).nav.some((n) => n.page === 'federal-surveyor-ids');
    expect(await page('fl')).toBe(true);
    expect(await page('so1')).toBe(false);
    expect(await page('cms')).toBe(false);
  });
});

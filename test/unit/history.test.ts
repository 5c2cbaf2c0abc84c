import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_MESSAGES, parseSearch } from '../../main/services/history.js';
import { REVIEW_MESSAGES } from '../../main/services/review.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const TEST = 'iQIES Prod Test';
const DAY = 86_400_000;

describe('Request History (iQIES job aid 5)', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: '456', name: 'Bayview Home Health', kind: 'provider' }],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
        { userId: 'bob', organization: '123' },
        { userId: 'carol', organization: '456' },
      ],
    });
    const rename = (...params: string[]) => sideSql(h.app).run('UPDATE users SET first_name = ?, last_name = ? WHERE user_id = ?', params);
    await rename('Robert', 'Thompson', 'alice');
    await rename('Maria', 'Thomas', 'bob');
    await rename('Carol', 'Okafor', 'carol');
    for (const id of Object.keys(u)) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(() => h.dispose());

  const file = async (who: string, role: string, organization = '123', program = PROD) =>
    (await h.call(who, 'access.request', { program, organization, role })).requestId;
  const approve = (official: string, requestId: number) => h.call(official, 'queue.approve', { requestIds: [requestId] });
  const reject = (official: string, requestId: number, reason: string) => h.call(official, 'queue.reject', { requestIds: [requestId], reason });
  const ids = (rows: Array<{ requestId: number }>) => rows.map((r) => r.requestId);

  /** Four decisions an hour apart: two at 123 (by so1 and so2), one at 456, one Security Official request approved by CMS. */
  async function decideFour() {
    const a = await file('alice', 'Assessment Coordinator');
    await approve('so1', a);
    h.clock.advance(60_000);
    const b = await file('bob', 'Provider Basic User', '123', TEST);
    await reject('so2', b, 'Not on our staff');
    h.clock.advance(60_000);
    const c = await file('carol', 'Assessment Coordinator', '456');
    await approve('so456', c);
    h.clock.advance(60_000);
    const d = await file('bob', 'Provider Security Official');
    await approve('cms', d);
    return { a, b, c, d };
  }

  it("lists decisions newest first; a provider official sees their own and their organization's other officials', never another organization's", async () => {
    const { a, b, c, d } = await decideFour();
    expect(ids((await h.call('so1', 'history.page', {})).rows)).toEqual([d, b, a]);
    expect(ids((await h.call('so456', 'history.page', {})).rows)).toEqual([c]);
    // CMS officials see every official's decisions.
    expect(ids((await h.call('cms', 'history.page', {})).rows)).toEqual([d, c, b, a]);
    const first = (await h.call('so1', 'history.page', {})).rows.at(-1);
    expect(first).toMatchObject({
      requestId: a,
      firstName: 'Robert',
      lastName: 'Thompson',
      program: PROD,
      action: 'approved',
      decidedBy: 'so1@example.org',
      organization: { displayId: '123' },
    });
  });

  it("refuses ordinary users, and organizations outside the official's scope", async () => {
    await decideFour();
    expect(await h.refusal('alice', 'history.page', {})).toMatchObject({ code: 'FORBIDDEN', message: REVIEW_MESSAGES.notOfficial });
    expect(await h.refusal('alice', 'history.view', { requestId: 1 })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('so1', 'history.page', { organization: '456' })).toMatchObject({ code: 'FORBIDDEN', field: 'organization' });
    expect(await h.refusal('so1', 'history.page', { organization: '999' })).toMatchObject({ code: 'VALIDATION', field: 'organization' });
    expect((await h.call('cms', 'history.page', { organization: '456' })).rows).toHaveLength(1);
  });

  it('finds a decision by Request ID only within scope; out of scope reads as absent', async () => {
    const { a, c } = await decideFour();
    expect(await h.call('so1', 'history.page', { search: String(a) })).toMatchObject({ rows: [{ requestId: a }], nextCursor: null, searchedBy: 'requestId' });
    expect((await h.call('so1', 'history.page', { search: ` ${c} ` })).rows).toEqual([]);
    expect(await h.refusal('so1', 'history.view', { requestId: c })).toMatchObject({ code: 'NOT_FOUND', message: HISTORY_MESSAGES.notFound });
    // A pending request is not history.
    const pending = await file('alice', 'Provider Basic User');
    expect((await h.call('so1', 'history.page', { search: String(pending) })).rows).toEqual([]);
  });

  it('searches by name: a last name\'s start, "First Last" and "Last, First", whatever the case', async () => {
    const { a, b, d } = await decideFour();
    expect(parseSearch('Thompson, Robert')).toEqual({ kind: 'name', last: 'Thompson', first: 'Robert' });
    expect(parseSearch('Robert Thompson')).toEqual({ kind: 'name', first: 'Robert', last: 'Thompson' });
    expect(parseSearch('  60942372 ')).toEqual({ kind: 'requestId', requestId: 60942372 });
    const search = async (text: string) => {
      const page = await h.call('so1', 'history.page', { search: text });
      expect(page.searchedBy).toBe('name');
      return ids(page.rows);
    };
    // By name, then newest first within a name: Thomas (b, d) before Thompson (a).
    expect(await search('thom')).toEqual([d, b, a]);
    expect(await search('THOMPSON')).toEqual([a]);
    expect(await search('Robert Thompson')).toEqual([a]);
    expect(await search('Thomas, Maria')).toEqual([d, b]);
    expect(await search('Thomas, Rob')).toEqual([]);
    expect(await search('Okafor')).toEqual([]);
    expect(await search('100%_')).toEqual([]);
  });

  it('filters by action, program and period, and pages by keyset in every order', async () => {
    const { a, b, d } = await decideFour();
    expect(ids((await h.call('so1', 'history.page', { action: 'rejected' })).rows)).toEqual([b]);
    expect(ids((await h.call('so1', 'history.page', { program: TEST })).rows)).toEqual([b]);
    expect(await h.refusal('so1', 'history.page', { program: 'Nope' })).toMatchObject({ code: 'VALIDATION', field: 'program' });
    const decidedAt = (await h.call('so1', 'history.page', {})).rows.map((r) => r.decidedAt);
    expect(ids((await h.call('so1', 'history.page', { from: decidedAt[1], to: decidedAt[1] })).rows)).toEqual([b]);
    expect(ids((await h.call('so1', 'history.page', { from: decidedAt[0]! + 1 })).rows)).toEqual([]);
    expect(await h.refusal('so1', 'history.page', { from: 2 * DAY, to: DAY })).toMatchObject({
      code: 'VALIDATION',
      field: 'to',
      message: 'The To date is before the From date',
    });

    // Two per page, both orders.
    const walk = async (search: string) => {
      const seen: number[] = [];
      let after: string | undefined;
      for (let i = 0; i < 5; i += 1) {
        const page = await h.call('so1', 'history.page', { search, limit: 2, ...(after ? { after } : {}) });
        seen.push(...ids(page.rows));
        if (!page.nextCursor) return seen;
        after = page.nextCursor;
      }
      throw new Error('paging did not end');
    };
    expect(await walk('')).toEqual([d, b, a]);
    expect(await walk('Thom')).toEqual([d, b, a]);
    const cursor = (await h.call('so1', 'history.page', { limit: 1 })).nextCursor!;
    expect(await h.refusal('so1', 'history.page', { search: 'Thom', after: cursor })).toMatchObject({ code: 'VALIDATION', field: 'after' });
    expect(await h.refusal('so1', 'history.page', { after: 'not-a-cursor' })).toMatchObject({ code: 'VALIDATION', field: 'after' });
    expect(await h.refusal('so1', 'history.page', { search: 'x'.repeat(101) })).toMatchObject({ code: 'VALIDATION', field: 'search' });
  });

  it('View shows the Request ID pop-up: Completed, Name, Organization, Role and "Approved by" or "Rejected by <email>: <reason>"', async () => {
    const { a, b } = await decideFour();
    const approved = await h.call('so1', 'history.view', { requestId: a });
    expect(approved).toMatchObject({
      requestId: a,
      lastName: 'Thompson',
      firstName: 'Robert',
      role: 'Assessment Coordinator',
      action: 'approved',
      actionText: 'Approved by so1@example.org',
    });
    expect(approved.organization).toEqual({ displayId: '123', name: PROVIDER_ORG.name, kind: 'provider' });
    expect(approved.events.map((e) => e.text)).toEqual(['Requested by alice@example.org', 'Approved by so1@example.org']);
    const rejected = await h.call('so2', 'history.view', { requestId: b });
    expect(rejected.actionText).toBe('Rejected by so2@example.org: Not on our staff');
  });

  it('View lists the reopening and the role removal that followed a decision', async () => {
    const a = await file('alice', 'Assessment Coordinator');
    await reject('so1', a, 'Wrong role');
    h.clock.advance(60_000);
    await h.call('so1', 'queue.reopen', { requestId: a });
    h.clock.advance(60_000);
    await approve('so2', a);
    h.clock.advance(60_000);
    const alice = (await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'alice'")) as { id: number };
    const so1 = (await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'so1'")) as { id: number };
    const org = (await sideSql(h.app).get("SELECT id FROM organizations WHERE display_id = '123'")) as { id: number };
    // As user lookup records a removal: by subject and organization, without the request ID.
    await h.app.store.audit.append([
      {
        action: 'role.removed',
        actorId: so1.id,
        subjectUserId: alice.id,
        organizationId: org.id,
        details: { program: PROD, role: 'Assessment Coordinator', reason: 'Left the organization' },
      },
      // Another role of hers, removed the same day: not this request's.
      { action: 'role.removed', actorId: so1.id, subjectUserId: alice.id, organizationId: org.id, details: { program: PROD, role: 'Provider Basic User' } },
    ]);
    const view = await h.call('so1', 'history.view', { requestId: a });
    expect(view.actionText).toBe('Approved by so2@example.org');
    expect(view.events.map((e) => e.text)).toEqual([
      'Requested by alice@example.org',
      'Rejected by so1@example.org: Wrong role',
      'Reopened by so1@example.org',
      'Approved by so2@example.org',
      'Role removed by so1@example.org: Left the organization',
    ]);
  });

  it('shows Request History and the Audit trail in the navigation of officials only', async () => {
    const pages = async (who: string) => (await h.call(who, 'home.summary', {})).nav.map((n) => n.page);
    expect(await pages('so1')).toEqual(expect.arrayContaining(['request-history', 'audit-trail']));
    expect(await pages('alice')).not.toContain('request-history');
    expect(await pages('alice')).not.toContain('audit-trail');
  });
});

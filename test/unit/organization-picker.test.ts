import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORGANIZATION_MESSAGES } from '../../main/services/organizations.js';
import type { Harness } from '../support/console-harness.js';
import { tableChecksums } from '../support/console-harness.js';
import { TrustConsole } from '../support/trust-console.js';

/**
 * The organization picker through dispatch: each official finds only the organizations they may
 * act on (CMS all of them, a provider or state official their own), whatever they type; anyone
 * asking for a role finds any organization; bad input is refused with VALIDATION and changes
 * nothing.
 */

describe('organization picker', () => {
  let t: TrustConsole;
  let h: Harness;

  beforeEach(async () => {
    t = await TrustConsole.create();
    h = t.h;
  });
  afterEach(() => h.dispose());

  const found = async (who: string, query: string, limit?: number) =>
    (await h.call(who, 'organizations.search', { query, ...(limit === undefined ? {} : { limit }) })).organizations.map((o) => o.displayId);

  /** Queries that would match every organization of the fixture, one way or another. */
  const PROBES = ['', '1', '4', '7', '123', '456', '789', 'CMS', 'cms', 'FL', 'fl', 'b', 'bay', 'harbor', 'h', 's', 'c', 'center', 'Florida', '%', '_'];

  it('a CMS official finds every organization, the exact display ID first and then by name', async () => {
    expect(await found('cms1', '')).toEqual(['456', 'CMS', 'FL', '789', '123']);
    expect(await found('cms1', 'fl')).toEqual(['FL']);
    expect(await found('cms1', '456')).toEqual(['456']);
    expect(await found('cms1', 'h')).toEqual(['456', '789']);
    expect(await found('cms1', 'center')).toEqual(['CMS', '123']);
  });

  it('a provider official never finds another organization, whatever the query', async () => {
    for (const query of PROBES) {
      const ids = await found('so456', query);
      expect(
        ids.every((id) => id === '456'),
        `query ${JSON.stringify(query)}`,
      ).toBe(true);
    }
    expect(await found('so456', '')).toEqual(['456']);
    expect((await h.call('so456', 'organizations.search', { query: '' })).all).toBe(false);
    expect(await found('so456', 'bay')).toEqual(['456']);
    expect(await found('so1', '456')).toEqual([]);
    expect(await found('so1', 'sunrise')).toEqual(['123']);
  });

  it("a state official finds the state's organization and no other", async () => {
    for (const query of PROBES) {
      const ids = await found('flso', query);
      expect(
        ids.every((id) => id === 'FL'),
        `query ${JSON.stringify(query)}`,
      ).toBe(true);
    }
    expect(await found('flso', 'flo')).toEqual(['FL']);
  });

  it('says when more match than it lists, and the next page goes on where the last ended', async () => {
    const first = await h.call('cms1', 'organizations.search', { query: '', limit: 2 });
    expect(first.organizations.map((o) => o.displayId)).toEqual(['456', 'CMS']);
    expect(first.more).toBe(true);
    const second = await h.call('cms1', 'organizations.search', { query: '', limit: 2, cursor: first.nextCursor! });
    expect(second.organizations.map((o) => o.displayId)).toEqual(['FL', '789']);
    const third = await h.call('cms1', 'organizations.search', { query: '', limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({
      organizations: [{ displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider' }],
      more: false,
      nextCursor: null,
      all: true,
    });
    // A cursor belongs to its query: with another one it would skip matches.
    expect(await h.refusal('cms1', 'organizations.search', { query: 'b', limit: 2, cursor: first.nextCursor! })).toEqual({
      code: 'VALIDATION',
      message: ORGANIZATION_MESSAGES.staleCursor,
    });
  });

  it('is for Security Officials only', async () => {
    expect(await h.refusal('demo', 'organizations.search', { query: '' })).toMatchObject({ code: 'FORBIDDEN', message: ORGANIZATION_MESSAGES.notOfficial });
    expect(await h.refusal('nobody-signed-in', 'organizations.search', { query: '' })).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('for a role request (My Access), every signed-in user finds any organization, as the form always offered', async () => {
    const everyOrganization = await found('cms1', '');
    for (const who of ['demo', 'so1', 'so456', 'flso', 'cms1']) {
      const page = await h.call(who, 'organizations.search', { query: '', purpose: 'access' });
      expect(
        page.organizations.map((o) => o.displayId),
        who,
      ).toEqual(everyOrganization);
      // Not an official's every-organization scope: a console of a few organizations lists them plainly.
      expect(page.all, who).toBe(false);
      // The kind comes along: the form offers only the roles the organization's kind allows.
      expect(page.organizations.find((o) => o.displayId === 'FL')?.kind).toBe('state');
    }
    expect((await h.call('demo', 'organizations.search', { query: 'bay', purpose: 'access' })).organizations.map((o) => o.displayId)).toEqual(['456']);
    expect(await h.refusal('nobody-signed-in', 'organizations.search', { query: '', purpose: 'access' })).toMatchObject({ code: 'UNAUTHENTICATED' });
    // A role request's search widens nothing else: the same official's own search is still their own.
    expect(await found('so456', '')).toEqual(['456']);
  });

  it('an archive that is not open (or not this official’s) is not found, and is never searched for a role request', async () => {
    expect(await h.refusal('cms1', 'organizations.search', { query: '', archiveId: 'a'.repeat(20) })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.refusal('demo', 'organizations.search', { query: '', archiveId: 'a'.repeat(20) })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('cms1', 'organizations.search', { query: '', purpose: 'access', archiveId: 'a'.repeat(20) })).toMatchObject({
      code: 'VALIDATION',
      field: 'archiveId',
    });
  });

  it('a cursor is good only for the search that made it: another purpose (or place) is refused, never widened', async () => {
    const wide = await h.call('so456', 'organizations.search', { query: '', limit: 1, purpose: 'access' });
    expect(wide.nextCursor).not.toBeNull();
    for (const who of ['so456', 'flso', 'cms1']) {
      expect(await h.refusal(who, 'organizations.search', { query: '', limit: 1, cursor: wide.nextCursor! })).toEqual({
        code: 'VALIDATION',
        message: ORGANIZATION_MESSAGES.staleCursor,
      });
    }
    const cms = await h.call('cms1', 'organizations.search', { query: '', limit: 1 });
    expect(await h.refusal('cms1', 'organizations.search', { query: '', limit: 1, purpose: 'access', cursor: cms.nextCursor! })).toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('refuses bad input with VALIDATION and changes nothing', async () => {
    const before = await tableChecksums(h);
    const bad: unknown[] = [
      { query: 'x'.repeat(101) },
      { query: 'Sun\u0000rise' },
      { query: '', limit: 0 },
      { query: '', limit: 51 },
      { query: '', limit: 2.5 },
      { query: '', cursor: 'not a cursor' },
      { query: '', cursor: 'x'.repeat(513) },
      { query: '', extra: true },
      { query: 42 },
      { query: '', purpose: 'everything' },
      { query: '', archiveId: '../../etc' },
    ];
    for (const input of bad) {
      expect((await h.refusal('cms1', 'organizations.search', input)).code, JSON.stringify(input)).toBe('VALIDATION');
    }
    expect(await tableChecksums(h)).toEqual(before);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertScenario } from '../../main/store/seed.js';
import type { Harness } from '../support/console-harness.js';
import { tableChecksums } from '../support/console-harness.js';
import { NO_CONTACT } from '../support/scenario-user.js';
import { PROD, TrustConsole } from '../support/trust-console.js';

/**
 * Go to, on the Role Requests queue, through dispatch: a first page that starts at a date (sorted
 * by date) or at a last name (sorted by last name) holds exactly the rows the official would reach
 * by paging from the top, and its next pages go on as paging would. It never reaches a request
 * outside the official's scope, for every kind of official, and bad input is refused with
 * VALIDATION and changes nothing.
 */

const DAY = 86_400_000;
const LAST_NAMES = ['Adams', 'Baker', 'Brown', 'Smith', 'Smith', 'Smithers', 'Zimmer', 'de la Cruz', 'Ávila'];
const ORGANIZATIONS = ['123', '456', 'FL', 'CMS'];
const ROLE_OF: Record<string, string> = { '123': 'Provider Basic User', '456': 'Provider Basic User', FL: 'Surveyor', CMS: 'CMS Security Official' };
const OFFICIALS = ['so1', 'so456', 'flso', 'cms1'];

describe('Role Requests: Go to a date or a last name', () => {
  let t: TrustConsole;
  let h: Harness;
  let start = 0;

  beforeEach(async () => {
    t = await TrustConsole.create();
    h = t.h;
    start = h.clock.now() - 40 * DAY;
    // Requesters with these last names in every kind of organization, asking on different days.
    const users = ORGANIZATIONS.flatMap((org, o) =>
      LAST_NAMES.map((lastName, i) => ({
        userId: `req${o}x${i}`,
        firstName: `F${(i * 7 + o) % 5}`,
        lastName,
        email: `req${o}x${i}@example.org`,
        ...NO_CONTACT,
        status: 'active' as const,
        passwordHash: 'x',
        createdAt: start - DAY,
        lastSignInAt: null,
        proofingState: 'proofed_remote' as const,
        homeOrganization: org,
      })),
    );
    await t.sql.transaction((tx) =>
      insertScenario(tx, {
        programs: [],
        roles: [],
        organizations: [],
        users,
        credentials: [],
        assignments: [],
        requests: users.map((u, n) => ({
          requester: u.userId,
          program: PROD,
          organization: u.homeOrganization,
          role: ROLE_OF[u.homeOrganization]!,
          justification: '',
          status: 'pending' as const,
          // Two requests share some days, at the same moment, so ties are broken by Request ID.
          requestedAt: start + Math.floor((n * 5) / 3) * (DAY / 2),
          decidedAt: null,
          decidedBy: null,
          reason: null,
        })),
      }),
    );
  });
  afterEach(() => h.dispose());

  type Row = { requestId: number; requestedAt: number; lastName: string; firstName: string };
  const rowOf = (r: { requestId: number; requestedAt: number; lastName: string; firstName: string }): Row => ({
    requestId: r.requestId,
    requestedAt: r.requestedAt,
    lastName: r.lastName,
    firstName: r.firstName,
  });

  /** Every row the official reaches by paging from `first` on, `limit` at a time. */
  async function walk(who: string, input: Record<string, unknown>, limit: number): Promise<Row[]> {
    const rows: Row[] = [];
    let page = await h.call(who, 'queue.page', { ...input, limit });
    for (let guard = 0; guard < 200; guard += 1) {
      rows.push(...page.rows.map(rowOf));
      if (page.nextCursor === null) return rows;
      const { seek: _seek, ...rest } = input;
      page = await h.call(who, 'queue.page', { ...rest, limit, after: page.nextCursor });
    }
    throw new Error('the pages never ended');
  }

  it('a date: every kind of official lands on the first request made that day or later, and pages on as from the top', async () => {
    for (const who of OFFICIALS) {
      const whole = await walk(who, { sort: 'requested' }, 4);
      expect(whole.length, who).toBeGreaterThan(3);
      for (const offset of [-DAY, 0, 3 * DAY, 7 * DAY + 1, 12 * DAY, 50 * DAY]) {
        const from = start + offset;
        for (const limit of [1, 3, 100]) {
          const landed = await walk(who, { sort: 'requested', seek: { requestedFrom: from } }, limit);
          expect(landed, `${who} from +${offset / DAY} days, ${limit} a page`).toEqual(whole.filter((r) => r.requestedAt >= from));
        }
      }
      // The total is the queue's, wherever the page starts.
      const seek = await h.call(who, 'queue.page', { sort: 'requested', seek: { requestedFrom: start + 50 * DAY } });
      expect(seek.rows).toEqual([]);
      expect(seek.total, who).toBe(whole.length);
    }
  });

  it('a last name: lands on the first requester at or after the letters, as paging by last name reaches them', async () => {
    for (const who of OFFICIALS) {
      const whole = await walk(who, { sort: 'lastName' }, 5);
      // The queue sorts last names without case for ASCII letters (both engines), by code point otherwise.
      const fold = (name: string) => name.replace(/[A-Z]/g, (c) => c.toLowerCase());
      const from = (letters: string) => whole.filter((r) => fold(r.lastName) >= fold(letters));
      for (const letters of ['A', 'Smith', 'Smithers', 'Sz', 'Z', 'Zz', 'de', 'Á', '%', '_', "O'", 'Sm%']) {
        for (const limit of [1, 2, 100]) {
          expect(await walk(who, { sort: 'lastName', seek: { lastName: letters } }, limit), `${who} ${letters} ${limit}`).toEqual(from(letters));
        }
      }
      // Typed in any case.
      expect(await walk(who, { sort: 'lastName', seek: { lastName: 'smi' } }, 3)).toEqual(from('Smi'));
      expect(await walk(who, { sort: 'lastName', seek: { lastName: 'DE LA' } }, 3)).toEqual(from('de la'));
      // Within the official's scope only, whatever the letters.
      const scoped = new Set(whole.map((r) => r.requestId));
      expect((await walk(who, { sort: 'lastName', seek: { lastName: 'A' } }, 100)).every((r) => scoped.has(r.requestId))).toBe(true);
    }
  });

  it('with a filter: Go to stays within the organization and program chosen', async () => {
    const whole = await walk('so456', { sort: 'requested', organization: '456', program: PROD }, 100);
    expect(whole.length).toBe(LAST_NAMES.length);
    const from = whole[4]!.requestedAt;
    expect(await walk('so456', { sort: 'requested', organization: '456', program: PROD, seek: { requestedFrom: from } }, 2)).toEqual(
      whole.filter((r) => r.requestedAt >= from),
    );
    expect(await walk('so456', { sort: 'requested', program: 'iQIES Prod Test', seek: { requestedFrom: start } }, 2)).toEqual([]);
    expect(await h.refusal('so1', 'queue.page', { sort: 'requested', organization: '456', seek: { requestedFrom: from } })).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('refuses bad input with VALIDATION and changes nothing', async () => {
    const before = await tableChecksums(h);
    const first = await h.call('so1', 'queue.page', { sort: 'requested', limit: 1 });
    const bad: unknown[] = [
      { sort: 'requested', seek: { lastName: 'Smith' } },
      { sort: 'lastName', seek: { requestedFrom: start } },
      { sort: 'requested', seek: { requestedFrom: start }, after: first.nextCursor },
      { sort: 'requested', seek: { requestedFrom: 'yesterday' } },
      { sort: 'requested', seek: { requestedFrom: 1.5 } },
      { sort: 'requested', seek: { requestedFrom: Number.NaN } },
      { sort: 'lastName', seek: { lastName: '' } },
      { sort: 'lastName', seek: { lastName: '   ' } },
      { sort: 'lastName', seek: { lastName: 'Sm\u0000ith' } },
      { sort: 'lastName', seek: { lastName: 'x'.repeat(65) } },
      // Characters no name field takes: a lone surrogate, a zero-width space, a right-to-left override.
      { sort: 'lastName', seek: { lastName: '\uD83D' } },
      { sort: 'lastName', seek: { lastName: 'Sm\u200Bith' } },
      { sort: 'lastName', seek: { lastName: '\u202Eevil' } },
      { sort: 'lastName', seek: { lastName: 'Smith', requestedFrom: start } },
      { sort: 'lastName', seek: 'Smith' },
      { sort: 'lastName', seek: {} },
    ];
    for (const input of bad) {
      expect((await h.refusal('so1', 'queue.page', input)).code, JSON.stringify(input)).toBe('VALIDATION');
    }
    expect(await h.refusal('demo', 'queue.page', { sort: 'lastName', seek: { lastName: 'Smith' } })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await tableChecksums(h)).toEqual(before);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FSID_MESSAGES } from '../../main/services/fsid.js';
import { CMS_ORG, Harness } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const PEOPLE = 320;
// Few names, in mixed case: most rows tie on the sort key (last name, first name, case-insensitive) and only the row id orders them.
const LAST = ['Smith', 'smith', 'SMITH', 'Adams', 'Ortiz', 'ortiz', 'Zhou'];
const FIRST = ['Ann', 'ann', 'Bo', 'BO', 'Cy'];

describe('Federal Surveyor ID search pages by keyset', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    const people = Array.from({ length: PEOPLE }, (_, i) => ({
      userId: `p${String(i).padStart(3, '0')}`,
      organization: 'FL',
      roles: [[PROD, 'Surveyor']] as Array<[string, string]>,
    }));
    u = await h.seed({
      organizations: [CMS_ORG, { displayId: 'FL', name: 'Florida', kind: 'state' }],
      users: [{ userId: 'fl', organization: 'FL', roles: [[PROD, 'State Security Official']] }, ...people],
    });
    // Spread the names so that equal names are not in row-id order by accident of insertion.
    for (const [i, p] of people.entries()) {
      await sideSql(h.app).run('UPDATE users SET first_name = ?, last_name = ? WHERE user_id = ?', [
        FIRST[(i * 7) % FIRST.length]!,
        LAST[(i * 3) % LAST.length]!,
        p.userId,
      ]);
    }
    await h.signIn('fl', u.fl!);
  });
  afterEach(() => h.dispose());

  /** The list's order, worked out here: last name, first name (ASCII case folded, as SQLite's NOCASE), then row id. */
  async function expectedOrder(): Promise<string[]> {
    const rows = (await sideSql(h.app).all(
      `SELECT u.id, u.user_id AS "userId", u.first_name AS first, u.last_name AS last FROM users u JOIN organizations o ON o.id = u.home_organization_id WHERE o.display_id = 'FL'`,
    )) as Array<{ id: number; userId: string; first: string; last: string }>;
    const fold = (s: string) => s.toLowerCase();
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return rows.sort((a, b) => cmp(fold(a.last), fold(b.last)) || cmp(fold(a.first), fold(b.first)) || a.id - b.id).map((r) => r.userId);
  }

  async function pageThrough(input: { query?: string; pendingOnly?: boolean } = {}): Promise<{ seen: string[]; pages: number; totals: number[] }> {
    const seen: string[] = [];
    const totals: number[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await h.call('fl', 'fsid.search', { ...input, ...(after ? { after } : {}) });
      pages += 1;
      totals.push(page.total);
      expect(page.rows.length).toBeLessThanOrEqual(page.pageSize);
      seen.push(...page.rows.map((r) => r.userId));
      if (page.nextCursor === null) return { seen, pages, totals };
      expect(page.rows).toHaveLength(page.pageSize);
      after = page.nextCursor;
      expect(pages).toBeLessThan(100);
    }
  }

  it('returns every row exactly once, in the list order, ties on the name included', async () => {
    const expected = await expectedOrder();
    expect(expected).toHaveLength(PEOPLE + 1);
    const { seen, pages, totals } = await pageThrough();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil((PEOPLE + 1) / 25));
    expect(new Set(totals)).toEqual(new Set([PEOPLE + 1]));
  });

  it('pages a search the same way: only its matches, each once, in order', async () => {
    const { seen } = await pageThrough({ query: 'smith' });
    const smiths: string[] = [];
    for (const id of await expectedOrder()) {
      if (/^smith$/i.test(((await sideSql(h.app).get('SELECT last_name AS l FROM users WHERE user_id = ?', [id])) as { l: string }).l)) smiths.push(id);
    }
    expect(smiths.length).toBeGreaterThan(25);
    expect(seen).toEqual(smiths);
  });

  it('a row added before the cursor meanwhile does not repeat or shift the rows that follow', async () => {
    const expected = await expectedOrder();
    const first = await h.call('fl', 'fsid.search', {});
    // Someone named to sort first: it is before the cursor, so the next page is unchanged.
    await sideSql(h.app).run("UPDATE users SET last_name = 'Aaron' WHERE user_id = ?", [expected[expected.length - 1]!]);
    const second = await h.call('fl', 'fsid.search', { after: first.nextCursor! });
    expect(second.rows.map((r) => r.userId)).toEqual(expected.slice(25, 50));
  });

  it('refuses a cursor that is not one it gave, or belongs to another search, with VALIDATION', async () => {
    const first = await h.call('fl', 'fsid.search', {});
    const cursor = first.nextCursor!;
    const forged = Buffer.from(JSON.stringify(['', 'Smith', 'Ann', 'x']), 'utf8').toString('base64url');
    for (const after of ['not a cursor', Buffer.from('{"id":1}').toString('base64url'), forged, cursor.slice(0, -3)]) {
      expect(await h.refusal('fl', 'fsid.search', { after }), after).toMatchObject({ code: 'VALIDATION', message: FSID_MESSAGES.badCursor, field: 'after' });
    }
    expect(await h.refusal('fl', 'fsid.search', { query: 'smith', after: cursor })).toMatchObject({ code: 'VALIDATION', field: 'after' });
    // A page number is no longer part of the request.
    expect(await h.refusal('fl', 'fsid.search', { page: 2 } as never)).toMatchObject({ code: 'VALIDATION' });
  });
});

import { describe, expect, it } from 'vitest';
import { searchOrganizations } from '../../main/store/organization-search.js';
import type { OrganizationKey, OrganizationSearch } from '../../main/store/organization-search.js';
import { insertScenario } from '../../main/store/seed.js';
import type { Scenario } from '../../main/store/seed.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { ENGINES, useStoreEngines } from '../support/store-engines.js';

/**
 * The organization picker's query, the same cases on both engines: what matches (display ID
 * prefix, name or name-word prefix, any case), the exact display ID first, name order, the
 * scope, and keyset pages that add up to the whole list.
 */

const ORGANIZATIONS: Scenario['organizations'] = [
  { displayId: 'CMS', name: 'Centers for Medicare & Medicaid Services', kind: 'cms', stateCode: null },
  { displayId: 'FL', name: 'Florida', kind: 'state', stateCode: 'FL' },
  { displayId: 'GA', name: 'Georgia', kind: 'state', stateCode: 'GA' },
  { displayId: '100001', name: 'Sunrise Skilled Nursing Center', kind: 'provider', stateCode: 'FL' },
  { displayId: '100002', name: 'Bayview Home Health', kind: 'provider', stateCode: 'GA' },
  { displayId: '100010', name: 'Mathew Park Long-Term Care Hospital', kind: 'provider', stateCode: 'FL' },
  { displayId: '100011', name: 'Florida Hospice of Tampa', kind: 'provider', stateCode: 'FL' },
  { displayId: '200001', name: '100% Care_Home', kind: 'provider', stateCode: 'GA' },
  { displayId: '200002', name: 'Bayview Home Health', kind: 'provider', stateCode: 'FL' },
];

const SCENARIO: Scenario = { programs: [], roles: [], organizations: ORGANIZATIONS, users: [], credentials: [], assignments: [], requests: [] };

describe.each(ENGINES)('organization search on %s', (engine) => {
  const engines = useStoreEngines();

  async function opened(): Promise<{ db: SqlDatabase; idOf: (displayId: string) => number }> {
    const { db } = await engines.open(engine);
    await db.transaction((tx) => insertScenario(tx, SCENARIO));
    const ids = new Map(
      (await db.all<{ id: number; displayId: string }>('SELECT id, display_id AS "displayId" FROM organizations')).map((r) => [r.displayId, r.id]),
    );
    return { db, idOf: (displayId) => ids.get(displayId)! };
  }

  const ids = async (db: SqlDatabase, search: Partial<OrganizationSearch>) =>
    (await searchOrganizations(db, { scope: 'all', query: '', limit: 50, after: null, ...search })).map((o) => o.displayId);

  it('lists every organization in name order, display ID breaking ties, when nothing is typed', async () => {
    const { db } = await opened();
    expect(await ids(db, {})).toEqual(['200001', '100002', '200002', 'CMS', 'FL', '100011', 'GA', '100010', '100001']);
    expect(await ids(db, { limit: 3 })).toEqual(['200001', '100002', '200002']);
  });

  it('matches the beginning of the display ID, of the name or of any word of it, in any case', async () => {
    const { db } = await opened();
    expect(await ids(db, { query: '1000' })).toEqual(['100002', '100011', '100010', '100001']);
    expect(await ids(db, { query: 'nurs' })).toEqual(['100001']);
    expect(await ids(db, { query: 'SUNRISE skilled' })).toEqual(['100001']);
    expect(await ids(db, { query: 'term' })).toEqual(['100010']);
    expect(await ids(db, { query: 'long-term' })).toEqual(['100010']);
    expect(await ids(db, { query: 'home' })).toEqual(['100002', '200002']);
    // Inside a word is not a match: "rise" is not the start of any word of "Sunrise".
    expect(await ids(db, { query: 'rise' })).toEqual([]);
    expect(await ids(db, { query: 'zzz' })).toEqual([]);
  });

  it('puts the organization whose display ID is exactly the query first, then the name matches', async () => {
    const { db } = await opened();
    // "fl" is Florida's display ID (typed in lower case) and the start of another name.
    expect(await ids(db, { query: 'fl' })).toEqual(['FL', '100011']);
    expect(await ids(db, { query: '100010' })).toEqual(['100010']);
    expect(await ids(db, { query: 'fl', limit: 1 })).toEqual(['FL']);
  });

  it('takes % and _ as the characters they are, not as wildcards', async () => {
    const { db } = await opened();
    expect(await ids(db, { query: '100%' })).toEqual(['200001']);
    expect(await ids(db, { query: '%' })).toEqual([]);
    expect(await ids(db, { query: '_' })).toEqual([]);
    expect(await ids(db, { query: '1_0' })).toEqual([]);
  });

  it('keeps to the scope it is given, whatever the query, even the exact display ID of another organization', async () => {
    const { db, idOf } = await opened();
    const scope = [idOf('100001'), idOf('FL')];
    expect(await ids(db, { scope })).toEqual(['FL', '100001']);
    expect(await ids(db, { scope, query: '100002' })).toEqual([]);
    expect(await ids(db, { scope, query: 'bay' })).toEqual([]);
    expect(await ids(db, { scope, query: 'fl' })).toEqual(['FL']);
    expect(await ids(db, { scope, query: '', limit: 1 })).toEqual(['FL']);
    expect(await ids(db, { scope: [] })).toEqual([]);
  });

  it('pages by keyset: the pages add up to the whole list, with no organization twice', async () => {
    const { db } = await opened();
    for (const query of ['', '1', 'b']) {
      const whole = await ids(db, { query });
      const walked: string[] = [];
      let after: OrganizationKey | null = null;
      for (let guard = 0; guard < 20; guard += 1) {
        const page = await searchOrganizations(db, { scope: 'all', query, limit: 2, after });
        walked.push(...page.map((o) => o.displayId));
        const last = page[page.length - 1];
        if (page.length < 2 || !last) break;
        after = { name: last.name, displayId: last.displayId };
      }
      // The exact match leads the first page only; later pages never repeat it.
      expect(walked).toEqual(whole);
    }
  });
});

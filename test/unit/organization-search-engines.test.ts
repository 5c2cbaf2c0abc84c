import { describe, expect, it } from 'vitest';
import { searchOrganizations } from '../../main/store/organization-search.js';
import { OrganizationService } from '../../main/services/organizations.js';
import type { Session } from '../../main/services/sessions.js';
import type { OrganizationAfter, OrganizationSearch } from '../../main/store/organization-search.js';
import { insertScenario } from '../../main/store/seed.js';
import type { Scenario } from '../../main/store/seed.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import type { Store } from '../../main/store/store.js';
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
      let after: OrganizationAfter = null;
      for (let guard = 0; guard < 20; guard += 1) {
        const page = await searchOrganizations(db, { scope: 'all', query, limit: 2, after });
        walked.push(...page.map((o) => o.displayId));
        const last = page[page.length - 1];
        if (page.length < 2 || !last) break;
        after = { displayId: last.displayId };
      }
      // The exact match leads the first page only; later pages never repeat it.
      expect(walked).toEqual(whole);
    }
  });
});

/** Organizations whose display IDs begin with another's, and names too long for a cursor that carried them. */
const PAGED: Scenario['organizations'] = [
  { displayId: 'CMS', name: 'Centers for Medicare & Medicaid Services', kind: 'cms', stateCode: null },
  { displayId: '12', name: 'Zulu Care', kind: 'provider', stateCode: 'FL' },
  { displayId: '120', name: 'Alpha Care', kind: 'provider', stateCode: 'FL' },
  { displayId: '121', name: 'Beta Care', kind: 'provider', stateCode: 'FL' },
  { displayId: '122', name: `Ärztehaus ${'Überlänge '.repeat(40)}`, kind: 'provider', stateCode: 'FL' },
  { displayId: '123', name: `Ärztehaus ${'Überlänge '.repeat(41)}`, kind: 'provider', stateCode: 'FL' },
];

describe.each(ENGINES)('organization picker pages through the service on %s', (engine) => {
  const engines = useStoreEngines();

  /** The real service and query; the store around them answers only what a CMS official's search reads. */
  async function cmsService(): Promise<OrganizationService> {
    const { db } = await engines.open(engine);
    await db.transaction((tx) => insertScenario(tx, { ...SCENARIO, organizations: PAGED }));
    const cms = (await db.get<{ id: number; name: string }>("SELECT id, name FROM organizations WHERE display_id = 'CMS'"))!;
    const store = {
      users: {
        sessionHoldings: () => Promise.resolve([{ securityOfficialKind: 'cms', organization: { id: cms.id, displayId: 'CMS', name: cms.name, kind: 'cms' } }]),
      },
      organizations: { search: (search: OrganizationSearch) => searchOrganizations(db, search) },
    } as unknown as Store;
    return new OrganizationService(store, { source: () => null });
  }

  async function walk(service: OrganizationService, query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard += 1) {
      const page = await service.search({ userRowId: 1 } as unknown as Session, {
        query,
        limit,
        purpose: 'official',
        ...(cursor === undefined ? {} : { cursor }),
      });
      seen.push(...page.organizations.map((o) => o.displayId));
      if (page.nextCursor === null) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('the pages never ended');
  }

  it('walks every match once, the exact display ID first, whatever the page size', async () => {
    const service = await cmsService();
    const whole = await walk(service, '12', 50);
    expect(whole).toEqual(['12', '120', '121', '122', '123']);
    for (const limit of [1, 2, 3, 4]) expect(await walk(service, '12', limit)).toEqual(whole);
    for (const limit of [1, 2, 5]) expect(await walk(service, '', limit)).toEqual(await walk(service, '', 50));
  });

  it('keeps a cursor short whatever the names and the query', async () => {
    const service = await cmsService();
    const page = await service.search({ userRowId: 1 } as unknown as Session, { query: 'Ärztehaus', limit: 1, purpose: 'official' });
    expect(page.organizations.map((o) => o.displayId)).toEqual(['122']);
    expect(page.nextCursor!.length).toBeLessThan(100);
    expect(await walk(service, 'Ärztehaus', 1)).toEqual(['122', '123']);
    // Both engines fold the case of ASCII letters only (PostgreSQL's lower() under the C character type).
    expect(await walk(service, 'ärztehaus', 1)).toEqual([]);
    expect(await walk(service, 'äRZTEHAUS', 1)).toEqual([]);
    expect(await walk(service, 'ÄRZTEHAUS', 1)).toEqual(['122', '123']);
  });
});

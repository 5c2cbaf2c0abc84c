import type { OrganizationKind } from '../../shared/domain.js';
import type { SqlExecutor, SqlValue } from './sql.js';

export interface OrganizationMatch {
  id: number;
  displayId: string;
  name: string;
  kind: OrganizationKind;
}

/**
 * Where the next page starts: `null` is the first page (led by the exact display ID); `start` is
 * the name-ordered matches from their beginning (the first page held only the exact match);
 * otherwise after the organization with this display ID, in name order.
 */
export type OrganizationAfter = null | 'start' | { displayId: string };

export interface OrganizationSearch {
  /** 'all' for a CMS official; else the organizations the official administers. */
  scope: 'all' | readonly number[];
  /** What the official typed; empty lists from the start, in name order. */
  query: string;
  /** Rows wanted; the caller asks for one more than it shows, to know whether there are more. */
  limit: number;
  after: OrganizationAfter;
}

const COLUMNS = 'SELECT id, display_id AS "displayId", name, kind FROM organizations';
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
/** lower() of both engines (PostgreSQL's under the C character type the console requires) folds ASCII letters only; so does the query. */
const lowerAscii = (s: string) => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The organization picker's query, the same text on both engines. A match is an organization
 * whose display ID begins with the query, or whose name or any word of it does (hyphenated
 * words count as words), ignoring case. The exact display ID leads the first page; the rest
 * follow in name order (display ID breaks ties), which the index on (name, display_id, kind)
 * gives without sorting, so a common prefix stops after `limit` rows. Case is ignored for ASCII
 * letters only, alike on both engines: an accented capital matches only as typed.
 */
export async function searchOrganizations(db: SqlExecutor, search: OrganizationSearch): Promise<OrganizationMatch[]> {
  if (search.scope !== 'all' && search.scope.length === 0) return [];
  const scopeSql = search.scope === 'all' ? '' : ` AND id IN (${marks(search.scope.length)})`;
  const scopeParams: SqlValue[] = search.scope === 'all' ? [] : [...search.scope];
  const query = search.query.trim();
  const exact: OrganizationMatch[] = [];
  if (query !== '' && search.after === null) {
    // Display IDs are stored as issued (digits, or upper-case codes such as FL and CMS): the
    // unique index finds one typed in either case.
    const found = await db.get<OrganizationMatch>(`${COLUMNS} WHERE display_id IN (?, ?)${scopeSql}`, [query, query.toUpperCase(), ...scopeParams]);
    if (found) exact.push(found);
  }
  let where = `WHERE 1 = 1${scopeSql}`;
  const params: SqlValue[] = [...scopeParams];
  if (query !== '') {
    const lowered = escapeLike(lowerAscii(query));
    where += ` AND (lower(display_id) LIKE ? ESCAPE '\\' OR (' ' || lower(replace(name, '-', ' '))) LIKE ? ESCAPE '\\')`;
    params.push(`${lowered}%`, `% ${lowered.replace(/-/g, ' ')}%`);
  }
  if (query !== '') {
    // The exact match leads the first page only: every page of the name-ordered rest leaves it out.
    where += ' AND display_id NOT IN (?, ?)';
    params.push(query, query.toUpperCase());
  }
  if (search.after !== null && search.after !== 'start') {
    // The key is read back by display ID: a cursor stays short whatever an organization's name.
    where += ' AND (name, display_id) > (SELECT name, display_id FROM organizations WHERE display_id = ?)';
    params.push(search.after.displayId);
  }
  const rest = await db.all<OrganizationMatch>(`${COLUMNS} ${where} ORDER BY name, display_id LIMIT ?`, [...params, Math.max(0, search.limit - exact.length)]);
  return [...exact, ...rest];
}

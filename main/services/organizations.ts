import type { ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { createHash } from 'node:crypto';
import type { OrganizationAfter } from '../store/organization-search.js';
import type { Store } from '../store/store.js';
import { officialOf } from './officials.js';
import type { Session } from './sessions.js';

export const ORGANIZATION_MESSAGES = {
  notOfficial: 'Only Security Officials can choose an organization.',
  staleCursor: 'This list of organizations changed meanwhile. Search again.',
} as const;

/**
 * The organization picker: the organizations an official may act on, found by display ID or
 * name as they type, a page at a time, instead of every organization shipped to every filter.
 * The scope is the trust model's: a CMS Security Official all of them; a provider or state
 * Security Official those they administer, whatever the query.
 */
export class OrganizationService {
  constructor(private readonly store: Store) {}

  async search(session: Session, input: ChannelParsedInput<'organizations.search'>): Promise<ChannelOutput<'organizations.search'>> {
    const official = await officialOf(this.store, session, ORGANIZATION_MESSAGES.notOfficial);
    const query = input.query.trim();
    const after = input.cursor === undefined ? null : decodeCursor(input.cursor, query);
    const rows = await this.store.organizations.search({
      scope: official.isCms ? 'all' : [...official.administered.keys()],
      query,
      limit: input.limit + 1,
      after,
    });
    const page = rows.slice(0, input.limit);
    const more = rows.length > input.limit;
    // The first page may lead with the exact display ID; the next page goes on in name order
    // after the last name-ordered row, or from the beginning when there was none.
    const leadsWithExact = after === null && query !== '' && (page[0]?.displayId === query || page[0]?.displayId === query.toUpperCase());
    const nameOrdered = leadsWithExact ? page.slice(1) : page;
    const last = nameOrdered[nameOrdered.length - 1];
    return {
      organizations: page.map((o) => ({ displayId: o.displayId, name: o.name, kind: o.kind })),
      more,
      nextCursor: more ? encodeCursor(query, last ? { displayId: last.displayId } : 'start') : null,
      all: official.isCms,
    };
  }
}

/** A cursor names its query by a short digest: the query itself may be 100 characters of any script. */
const queryDigest = (query: string) => createHash('sha256').update(query, 'utf8').digest('base64url').slice(0, 16);

function encodeCursor(query: string, after: Exclude<OrganizationAfter, null>): string {
  return Buffer.from(JSON.stringify([queryDigest(query), after === 'start' ? '' : after.displayId]), 'utf8').toString('base64url');
}

/** A cursor is only good for the query that made it: another query's would skip matches. */
function decodeCursor(cursor: string, query: string): Exclude<OrganizationAfter, null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('VALIDATION', ORGANIZATION_MESSAGES.staleCursor);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !parsed.every((v) => typeof v === 'string' && !v.includes('\u0000')) ||
    parsed[0] !== queryDigest(query)
  ) {
    throw new AppError('VALIDATION', ORGANIZATION_MESSAGES.staleCursor);
  }
  const displayId = parsed[1] as string;
  return displayId === '' ? 'start' : { displayId };
}

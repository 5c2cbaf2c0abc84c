import type { ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { createHash } from 'node:crypto';
import type { OrganizationAfter } from '../store/organization-search.js';
import type { OrganizationMatch, OrganizationSearch } from '../store/organization-search.js';
import type { Store } from '../store/store.js';
import { officialOf } from './officials.js';
import { REVIEW_MESSAGES, type ArchiveSources } from './review.js';
import type { Session } from './sessions.js';

export const ORGANIZATION_MESSAGES = {
  notOfficial: 'Only Security Officials can choose an organization.',
  staleCursor: 'This list of organizations changed meanwhile. Search again.',
} as const;

/**
 * The organization picker: the organizations a field may name, found by display ID or name as
 * they type, a page at a time, instead of every organization shipped to every filter. The scope
 * is the trust model's: a CMS Security Official all of them; a provider or state Security
 * Official those they administer, whatever the query; an official reviewing an open archive,
 * the archive's; anyone asking for a role (My Access), any organization, as its form always
 * offered.
 */
export class OrganizationService {
  constructor(
    private readonly store: Store,
    private readonly archives: ArchiveSources,
  ) {}

  async search(session: Session, input: ChannelParsedInput<'organizations.search'>): Promise<ChannelOutput<'organizations.search'>> {
    const query = input.query.trim();
    const after = input.cursor === undefined ? null : decodeCursor(input.cursor, searchKey(input, query));
    const { find, scope, all } = await this.scopeOf(session, input);
    const rows = await find({ scope, query, limit: input.limit + 1, after });
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
      nextCursor: more ? encodeCursor(searchKey(input, query), last ? { displayId: last.displayId } : 'start') : null,
      all,
    };
  }

  /** Where to search and within what: the one place that decides who may name which organization. */
  private async scopeOf(
    session: Session,
    input: ChannelParsedInput<'organizations.search'>,
  ): Promise<{ find: (search: OrganizationSearch) => Promise<OrganizationMatch[]>; scope: OrganizationSearch['scope']; all: boolean }> {
    // Any organization, but not an official's every-organization scope: a console with a few
    // organizations lists them plainly on the request form, as it always did.
    if (input.purpose === 'access') return { find: (search) => this.store.organizations.search(search), scope: 'all', all: false };
    const official = await officialOf(this.store, session, ORGANIZATION_MESSAGES.notOfficial);
    if (input.archiveId !== undefined) {
      // An archive holds only what its exporter could see, so all of it is in scope; it is a
      // fixed set, listed plainly when short.
      const archive = this.archives.source(session.clientId, session.userRowId, input.archiveId);
      if (!archive) throw new AppError('NOT_FOUND', REVIEW_MESSAGES.archiveClosed, 'archiveId');
      return { find: (search) => archive.history.searchOrganizations(search), scope: 'all', all: false };
    }
    return {
      find: (search) => this.store.organizations.search(search),
      scope: official.isCms ? 'all' : [...official.administered.keys()],
      all: official.isCms,
    };
  }
}

/** What a cursor is good for: the same words, searched for the same purpose in the same place. */
const searchKey = (input: ChannelParsedInput<'organizations.search'>, query: string) => JSON.stringify([query, input.purpose, input.archiveId ?? '']);

/** A cursor names its search by a short digest: the query itself may be 100 characters of any script. */
const queryDigest = (key: string) => createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 16);

function encodeCursor(key: string, after: Exclude<OrganizationAfter, null>): string {
  return Buffer.from(JSON.stringify([queryDigest(key), after === 'start' ? '' : after.displayId]), 'utf8').toString('base64url');
}

/** A cursor is only good for the search that made it: another query's would skip matches. */
function decodeCursor(cursor: string, key: string): Exclude<OrganizationAfter, null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('VALIDATION', ORGANIZATION_MESSAGES.staleCursor);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((v) => typeof v === 'string' && !v.includes('\u0000')) || parsed[0] !== queryDigest(key)) {
    throw new AppError('VALIDATION', ORGANIZATION_MESSAGES.staleCursor);
  }
  const displayId = parsed[1] as string;
  return displayId === '' ? 'start' : { displayId };
}

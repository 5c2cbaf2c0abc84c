import type { ChannelOutput, ChannelParsedInput, FsidRow, MailNotice } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import type { FsidKey, FsidRecord } from '../store/fsid-store.js';
import type { OutboxDraft } from '../store/outbox-rows.js';
import type { UserRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import { AUTHORITY_CHANGED, stateOrganizations } from './officials.js';
import { NO_AUTHORITY } from '../store/authority.js';
import type { Session } from './sessions.js';
import { fsidRequestedEmail } from './email-texts.js';

export const FSID_MESSAGES = {
  stateOnly: 'Only State Security Officials manage Federal Surveyor IDs.',
  notFound: 'No user with this User ID.',
  own: 'You cannot enter, verify or remove your own Federal Surveyor ID. Another State Security Official must do it.',
  taken: 'This Federal Surveyor ID belongs to another user.',
  notPending: 'Only a Federal Surveyor ID pending verification can be verified.',
  nothingToRemove: 'This user has no Federal Surveyor ID to remove.',
  noState: 'None of your organizations is in a state with a state agency. Ask your Security Official.',
  alreadyAsked: 'You already have or asked for a Federal Surveyor ID.',
  surveyorsOnly: 'Only users with a Surveyor role ask for a Federal Surveyor ID. Request the Surveyor role first.',
  badCursor: 'The page cursor is not valid; start from the first page.',
} as const;

const PAGE_SIZE = 25;

/**
 * Federal Surveyor IDs (iQIES job aid, section 6): State Security Officials, and only they,
 * enter, verify and remove the FSIDs of users of their state's organizations. Users ask for one.
 */
export class FsidService {
  constructor(
    private readonly store: Store,
    /** Called after a commit that queued emails: delivers soon, and says whether a mail server is set up. */
    private readonly onMailQueued: () => Promise<MailNotice> = async () => 'not_configured',
  ) {}

  async search(session: Session, input: ChannelParsedInput<'fsid.search'>): Promise<ChannelOutput<'fsid.search'>> {
    const organizationIds = await this.stateOrganizations(session);
    const after = input.after === undefined ? null : decodeCursor(input.after, input.query);
    const { rows, total, more } = await this.store.fsid.search({
      organizationIds,
      query: input.query,
      roles: input.roles,
      pendingOnly: input.pendingOnly,
      after,
      limit: PAGE_SIZE,
    });
    const last = rows[rows.length - 1];
    const nextCursor = more && last ? encodeCursor(input.query, last) : null;
    return { rows: rows.map(toRow), total, pageSize: PAGE_SIZE, nextCursor };
  }

  /** "Enter Federal Surveyor ID" (job aid 6.4, Figure 14): a new or changed FSID waits for verification. */
  async save(session: Session, input: ChannelParsedInput<'fsid.save'>): Promise<FsidRow> {
    const { organizationIds, user } = await this.target(session, input.userId);
    const fsid = input.fsid.toUpperCase();
    const saved = await this.store.fsid.save(session.userRowId, user.id, fsid, [
      { action: 'fsid.saved', actorId: session.userRowId, subjectUserId: user.id, details: { fsid, previous: await this.previousFsid(user.id) } },
    ]);
    if (saved === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    if (saved === 'taken') throw new AppError('CONFLICT', FSID_MESSAGES.taken, 'fsid');
    return this.row(user.id, organizationIds);
  }

  /** "Verify", after "Are you sure?" (job aid 6.4, Figures 15 and 16). */
  async verify(session: Session, input: ChannelParsedInput<'fsid.verify'>): Promise<FsidRow> {
    const { organizationIds, user } = await this.target(session, input.userId);
    const done = await this.store.fsid.verify(session.userRowId, user.id, [{ action: 'fsid.verified', actorId: session.userRowId, subjectUserId: user.id }]);
    if (done === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    if (!done) throw new AppError('CONFLICT', FSID_MESSAGES.notPending);
    return this.row(user.id, organizationIds);
  }

  /** "Remove", after "Are you sure?". */
  async remove(session: Session, input: ChannelParsedInput<'fsid.remove'>): Promise<FsidRow> {
    const { organizationIds, user } = await this.target(session, input.userId);
    const previous = await this.previousFsid(user.id);
    const done = await this.store.fsid.remove(session.userRowId, user.id, [
      { action: 'fsid.removed', actorId: session.userRowId, subjectUserId: user.id, details: { fsid: previous } },
    ]);
    if (done === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    if (!done) throw new AppError('CONFLICT', FSID_MESSAGES.nothingToRemove);
    return this.row(user.id, organizationIds);
  }

  async mine(session: Session): Promise<ChannelOutput<'fsid.mine'>> {
    const own = await this.store.fsid.own(session.userRowId);
    const states = await this.store.fsid.stateOrganizationsOf(session.userRowId);
    const surveyor = await this.isSurveyor(session.userRowId);
    return { ...own, canRequest: surveyor && own.fsid === null && own.fsidState === null && states.length > 0 };
  }

  /** A user asks for an FSID; the state's officials are emailed (job aid 6, "Notes"). */
  async request(session: Session): Promise<ChannelOutput<'fsid.request'>> {
    const user = await this.store.users.byId(session.userRowId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Please log in again.');
    // The job aid's Federal Surveyor IDs are for surveyors: nobody else has one to ask for.
    if (!(await this.isSurveyor(user.id))) throw new AppError('FORBIDDEN', FSID_MESSAGES.surveyorsOnly);
    const states = await this.store.fsid.stateOrganizationsOf(user.id);
    if (states.length === 0) throw new AppError('CONFLICT', FSID_MESSAGES.noState);
    const name = `${user.firstName} ${user.lastName}`;
    const outbox: OutboxDraft[] = [];
    for (const organizationId of states) {
      for (const to of await this.store.requests.securityOfficialEmails(organizationId)) {
        outbox.push({
          to,
          ...fsidRequestedEmail({ name, userId: user.userId }),
          kind: 'fsid.requested',
          organizationId,
          requestId: null,
        });
      }
    }
    const done = await this.store.fsid.request(user.id, [{ action: 'fsid.requested', actorId: user.id, subjectUserId: user.id }], outbox);
    if (!done) throw new AppError('CONFLICT', FSID_MESSAGES.alreadyAsked);
    // No State Security Official to email yet: nothing was queued, so nothing is said about mail.
    const mail = outbox.length > 0 ? await this.onMailQueued() : null;
    const own = await this.store.fsid.own(user.id);
    return mail ? { ...own, mail } : own;
  }

  private async isSurveyor(userRowId: number): Promise<boolean> {
    return (await this.store.users.roleHoldings(userRowId)).some((h) => h.role === 'Surveyor');
  }

  /** The state organizations where this user is a State Security Official; anyone else is refused. */
  private async stateOrganizations(session: Session): Promise<number[]> {
    const holdings = await this.store.users.sessionHoldings(session.userRowId);
    const ids = stateOrganizations(holdings).map((o) => o.id);
    if (ids.length === 0) throw new AppError('FORBIDDEN', FSID_MESSAGES.stateOnly);
    return ids;
  }

  private async target(session: Session, userId: string): Promise<{ organizationIds: number[]; user: UserRecord }> {
    const organizationIds = await this.stateOrganizations(session);
    const user = await this.store.users.byUserId(userId);
    // Someone outside the official's states reads as absent, so user IDs cannot be probed.
    if (!user || !(await this.store.fsid.row(user.id, organizationIds))) throw new AppError('NOT_FOUND', FSID_MESSAGES.notFound);
    if (user.id === session.userRowId) throw new AppError('FORBIDDEN', FSID_MESSAGES.own);
    return { organizationIds, user };
  }

  private async row(userRowId: number, organizationIds: number[]): Promise<FsidRow> {
    const row = await this.store.fsid.row(userRowId, organizationIds);
    if (!row) throw new AppError('NOT_FOUND', FSID_MESSAGES.notFound);
    return toRow(row);
  }

  private async previousFsid(userRowId: number): Promise<string | null> {
    return (await this.store.fsid.own(userRowId)).fsid;
  }
}

function toRow(r: FsidRecord): FsidRow {
  return { userId: r.userId, firstName: r.firstName, lastName: r.lastName, roles: r.roles, fsid: r.fsid, fsidState: r.fsidState };
}

/** The opaque cursor of the next page: the search it belongs to and the last row listed. */
function encodeCursor(query: string, last: FsidRecord): string {
  return Buffer.from(JSON.stringify([query, last.lastName, last.firstName, last.id]), 'utf8').toString('base64url');
}

/** A cursor of another search, or one that was altered, is refused: the list starts again from the first page. */
function decodeCursor(cursor: string, query: string): FsidKey {
  const bad = new AppError('VALIDATION', FSID_MESSAGES.badCursor, 'after');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad;
  const [q, lastName, firstName, id] = parsed as unknown[];
  if (q !== query || typeof lastName !== 'string' || typeof firstName !== 'string' || !Number.isSafeInteger(id)) throw bad;
  return { lastName, firstName, id: id as number };
}

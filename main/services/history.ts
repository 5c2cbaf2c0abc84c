import { auditActionWords } from '../../shared/audit-actions.js';
import type { ChannelOutput, ChannelParsedInput, HistoryRow } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import type { HistoryFilter, HistoryKey, HistoryRecord } from '../store/history-store.js';
import type { AuditEventRecord } from '../store/types.js';
import type { ReviewScopes, ReviewSource } from './review.js';
import type { Session } from './sessions.js';

export const HISTORY_MESSAGES = {
  notFound: 'No such request in your Request History.',
  badCursor: 'The page cursor is not valid; start from the first page.',
} as const;

export type HistoryFilterInput = Pick<ChannelParsedInput<'history.page'>, 'search' | 'from' | 'to' | 'program' | 'organization' | 'action' | 'archiveId'>;

/** How the one search box of the job aid is read ("Search by Name or Request ID"). */
export type ParsedSearch = { kind: 'all' } | { kind: 'requestId'; requestId: number } | { kind: 'name'; last: string; first?: string };

/**
 * Digits are a Request ID; "Last, First" and "First Last" name both parts; one word is the
 * start of a last name. Case does not matter.
 */
export function parseSearch(search: string): ParsedSearch {
  const text = search.trim().replace(/\s+/g, ' ');
  if (text === '') return { kind: 'all' };
  if (/^\d{1,15}$/.test(text)) return { kind: 'requestId', requestId: Number(text) };
  if (text.includes(',')) {
    const [last = '', ...rest] = text.split(',');
    const first = rest.join(',').trim();
    return first ? { kind: 'name', last: last.trim(), first } : { kind: 'name', last: last.trim() };
  }
  const words = text.split(' ');
  if (words.length === 1) return { kind: 'name', last: text };
  return { kind: 'name', first: words[0] ?? '', last: words.slice(1).join(' ') };
}

/** iQIES job aid 5.3: "Approved by <email>" or "Rejected by <email>: <reason>". */
export function actionText(r: Pick<HistoryRecord, 'status' | 'decidedByEmail' | 'reason'>): string {
  const by = r.decidedByEmail ?? 'an official no longer in this console';
  return r.status === 'approved' ? `Approved by ${by}` : `Rejected by ${by}${r.reason ? `: ${r.reason}` : ''}`;
}

export function toHistoryRow(r: HistoryRecord): HistoryRow {
  return {
    requestId: r.id,
    requestedAt: r.requestedAt,
    decidedAt: r.decidedAt,
    firstName: r.firstName,
    lastName: r.lastName,
    program: r.program,
    organization: { displayId: r.organization.displayId, name: r.organization.name, kind: r.organization.kind },
    role: r.role,
    action: r.status,
    decidedBy: r.decidedByEmail,
  };
}

/**
 * Request History (iQIES job aid 5): the decisions an official may review, newest first,
 * searchable by name or Request ID, filtered by period, program, organization and action,
 * keyset-paged; and the Request ID pop-up with what followed the decision.
 */
export class HistoryService {
  constructor(private readonly scopes: ReviewScopes) {}

  async options(session: Session, input: ChannelParsedInput<'history.options'>): Promise<ChannelOutput<'history.options'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const programs = (await source.history.programs()).map((p) => p.name);
    return { programs, scope: source.historyScope.kind };
  }

  async page(session: Session, input: ChannelParsedInput<'history.page'>): Promise<ChannelOutput<'history.page'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const { filter, search } = await this.filterOf(source, input);
    if (search.kind === 'requestId') {
      const found = await this.searchedDecision(source, search.requestId, filter);
      const rows = found ? [toHistoryRow(found)] : [];
      return { rows, nextCursor: null, searchedBy: 'requestId' };
    }
    const sort = search.kind === 'name' ? 'name' : 'decided';
    const after = input.after === undefined ? null : decodeCursor(input.after, sort);
    const page = await source.history.page(source.historyScope, filter, after, input.limit);
    const last = page.rows[page.rows.length - 1];
    return {
      rows: page.rows.map(toHistoryRow),
      nextCursor: page.more && last ? encodeHistoryCursor(last, sort) : null,
      searchedBy: search.kind,
    };
  }

  async view(session: Session, input: ChannelParsedInput<'history.view'>): Promise<ChannelOutput<'history.view'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const record = await this.inScope(source, input.requestId);
    if (!record) throw new AppError('NOT_FOUND', HISTORY_MESSAGES.notFound);
    const found = await source.history.eventsFor({
      id: record.id,
      requesterId: record.requesterId,
      organizationId: record.organization.id,
      since: record.requestedAt,
    });
    // A removal found by user and organization (not by request ID) counts only for this request's role.
    const events = found.filter((e) => e.requestId === record.id || sameRole(e.details, record));
    const emails = await source.history.emails(events.map((e) => e.actorId).filter((id): id is number => id !== null));
    return {
      ...toHistoryRow(record),
      reason: record.reason,
      actionText: actionText(record),
      events: events.map((e) => ({ eventId: e.id, at: e.at, action: e.action, text: eventText(e, emails) })),
    };
  }

  /** The filters of a request, checked against the official's scope. */
  async filterOf(source: ReviewSource, input: HistoryFilterInput): Promise<{ filter: HistoryFilter; search: ParsedSearch }> {
    const search = parseSearch(input.search);
    const filter: HistoryFilter = {
      ...(search.kind === 'name' ? { name: { last: search.last, first: search.first } } : {}),
      from: input.from,
      to: input.to,
      organizationId: await this.scopes.organizationFilter(source, input.organization),
      programId: await this.scopes.programFilter(source, input.program),
      status: input.action,
    };
    return { filter, search };
  }

  /** A search by Request ID: the decision if the official may see it and it passes the filters (the page and its exports alike). */
  async searchedDecision(source: ReviewSource, requestId: number, filter: HistoryFilter): Promise<HistoryRecord | null> {
    const found = await this.inScope(source, requestId);
    return found && matches(found, filter) ? found : null;
  }

  /** A decided request the official may see; out of scope reads as absent, so IDs cannot be probed. */
  private async inScope(source: ReviewSource, requestId: number): Promise<HistoryRecord | null> {
    const record = await source.history.byId(requestId);
    if (!record) return null;
    if (source.historyScope.kind === 'organizations' && !source.historyScope.organizationIds.includes(record.organization.id)) return null;
    return record;
  }
}

function sameRole(details: string, r: HistoryRecord): boolean {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(details) as Record<string, unknown>;
  } catch {
    return false;
  }
  return (d.role === undefined || d.role === r.role) && (d.program === undefined || d.program === r.program);
}

function matches(r: HistoryRecord, f: HistoryFilter): boolean {
  return (
    (f.from === undefined || r.decidedAt >= f.from) &&
    (f.to === undefined || r.decidedAt <= f.to) &&
    (f.organizationId === undefined || r.organization.id === f.organizationId) &&
    (f.status === undefined || r.status === f.status) &&
    (f.programId === undefined || r.programId === f.programId)
  );
}

/** An audit event about a request, in the words of the pop-up. */
export function eventText(e: AuditEventRecord, emails: Map<number, string>): string {
  const by = e.actorId === null ? 'the console' : (emails.get(e.actorId) ?? `user ${e.actorId}`);
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(e.details) as Record<string, unknown>;
  } catch {
    details = {};
  }
  const reason = typeof details.reason === 'string' && details.reason !== '' ? `: ${details.reason}` : '';
  switch (e.action) {
    case 'request.filed':
      return `Requested by ${by}`;
    case 'request.approved':
      return `Approved by ${by}`;
    case 'request.rejected':
      return `Rejected by ${by}${reason}`;
    case 'request.reopened':
      return `Reopened by ${by}`;
    case 'request.withdrawn':
      return `Withdrawn by ${by}`;
    case 'role.removed':
      return `Role removed by ${by}${reason}`;
    case 'request.approval_recorded':
      return `First of two approvals given by ${by}`;
    default:
      return `${auditActionWords(e.action)} (${by})`;
  }
}

/** The opaque keyset cursor of a page ending at this row (exported for the benchmark, which jumps to a depth). */
export function encodeHistoryCursor(r: Pick<HistoryRecord, 'id' | 'decidedAt' | 'lastName' | 'firstName'>, sort: 'decided' | 'name'): string {
  const key: HistoryKey =
    sort === 'decided' ? { sort, decidedAt: r.decidedAt, id: r.id } : { sort, lastName: r.lastName, firstName: r.firstName, decidedAt: r.decidedAt, id: r.id };
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: 'decided' | 'name'): HistoryKey {
  const bad = new AppError('VALIDATION', HISTORY_MESSAGES.badCursor, 'after');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  const k = key as Record<string, unknown>;
  if (typeof k !== 'object' || k === null || k.sort !== sort || !Number.isSafeInteger(k.id) || !Number.isSafeInteger(k.decidedAt)) throw bad;
  if (sort === 'decided') return { sort, decidedAt: k.decidedAt as number, id: k.id as number };
  if (typeof k.lastName === 'string' && typeof k.firstName === 'string') {
    return { sort, lastName: k.lastName, firstName: k.firstName, decidedAt: k.decidedAt as number, id: k.id as number };
  }
  throw bad;
}

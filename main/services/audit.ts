import type { AuditCategory } from '../../shared/domain.js';
import type { AuditRow, ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import type { AuditFilter, AuditTrailRecord } from '../store/audit-trail-store.js';
import type { ArchiveService } from './archives.js';
import type { AuditIntegrity } from './audit-integrity.js';
import { HISTORY_MESSAGES } from './history.js';
import { REVIEW_MESSAGES } from './review.js';
import type { ReviewScopes, ReviewSource } from './review.js';
import type { Session } from './sessions.js';

/**
 * Which audit actions each kind of event covers: a name ending in "." is a family (every
 * action starting with it), any other an exact action. Families keep working as capabilities
 * add actions (user lookup's role.removed and account actions, proofing decisions).
 */
export const AUDIT_CATEGORY_ACTIONS: Record<AuditCategory, readonly string[]> = {
  'sign-in': ['signin.', 'signout', 'warning.', 'session.', 'unlock.', 'setup.', 'password_reset.'],
  credentials: ['credential.'],
  accounts: ['account.', 'user.', 'password.'],
  requests: ['request.'],
  roles: ['role.'],
  proofing: ['proofing.', 'fsid.'],
  exports: ['history.exported', 'audit.exported', 'report.exported', 'archive.'],
  integrity: ['audit.chain_broken'],
  mail: ['mail.'],
};

export type AuditFilterInput = Pick<ChannelParsedInput<'audit.page'>, 'category' | 'from' | 'to' | 'organization' | 'search' | 'archiveId'>;

/** Details that are moments (epoch ms), shown as ISO 8601 times. */
const TIME_KEYS = new Set(['from', 'to', 'until', 'at']);

/** An event's details as "key: value" text. Nothing secret is ever audited, so all may be shown. */
export function detailsText(details: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details;
  }
  if (typeof parsed !== 'object' || parsed === null) return String(parsed);
  return Object.entries(parsed as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${TIME_KEYS.has(k) && typeof v === 'number' ? new Date(v).toISOString() : typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
}

export function toAuditRow(r: AuditTrailRecord): AuditRow {
  return {
    id: r.id,
    at: r.at,
    action: r.action,
    actor: r.actorUserId,
    subject: r.subjectUserId,
    organization: r.organization,
    requestId: r.requestId,
    details: detailsText(r.details),
  };
}

/**
 * The Audit trail: every security event an official may see, newest first, filtered
 * by kind, period, organization, and a User ID or Request ID; and its integrity status line.
 */
export class AuditService {
  constructor(
    private readonly scopes: ReviewScopes,
    private readonly integrity: AuditIntegrity,
    private readonly archives: ArchiveService,
  ) {}

  async page(session: Session, input: ChannelParsedInput<'audit.page'>): Promise<ChannelOutput<'audit.page'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const filter = await this.filterOf(source, input);
    if (filter === null) return { rows: [], nextCursor: null };
    let before: number | null = null;
    if (input.after !== undefined) {
      if (!/^\d{1,15}$/.test(input.after)) throw new AppError('VALIDATION', HISTORY_MESSAGES.badCursor, 'after');
      before = Number(input.after);
    }
    const page = await source.audit.page(source.auditScope, filter, before, input.limit);
    const last = page.rows[page.rows.length - 1];
    return { rows: page.rows.map(toAuditRow), nextCursor: page.more && last ? String(last.id) : null };
  }

  async status(session: Session, input: ChannelParsedInput<'audit.status'>): Promise<ChannelOutput<'audit.status'>> {
    await this.scopes.official(session);
    if (input.archiveId === undefined) return this.integrity.status();
    const check = this.archives.check(session.clientId, session.userRowId, input.archiveId);
    if (!check) throw new AppError('NOT_FOUND', REVIEW_MESSAGES.archiveClosed, 'archiveId');
    return {
      state: check.broken || !check.chain.ok || !check.signature.ok ? 'broken' : 'verified',
      verifiedThrough: null,
      verifiedAt: null,
      checked: check.events,
      total: check.events,
      broken: check.broken ? { ...check.broken, detectedAt: 0 } : null,
      signature: check.signature,
      fingerprint: check.fingerprint,
    };
  }

  /** null: the filter names a user who does not exist, so nothing can match. */
  async filterOf(source: ReviewSource, input: AuditFilterInput): Promise<AuditFilter | null> {
    const filter: AuditFilter = {
      from: input.from,
      to: input.to,
      organizationId: await this.scopes.organizationFilter(source, input.organization),
      actionPrefixes: input.category === undefined ? undefined : AUDIT_CATEGORY_ACTIONS[input.category],
    };
    const search = input.search.trim();
    if (/^\d{1,15}$/.test(search)) filter.requestId = Number(search);
    else if (search !== '') {
      const id = await source.audit.userRowId(search);
      if (id === null) return null;
      filter.subjectId = id;
    }
    return filter;
  }
}

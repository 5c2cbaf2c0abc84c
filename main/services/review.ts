import { AppError } from '../../shared/ipc/errors.js';
import type { AuditScope, AuditTrailStore } from '../store/audit-trail-store.js';
import type { HistoryScope, HistoryStore } from '../store/history-store.js';
import type { OrganizationRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import { administeredOrganizations, officialKindOf } from './officials.js';
import type { Session } from './sessions.js';

export const REVIEW_MESSAGES = {
  notOfficial: 'Only Security Officials can see Request History and the Audit trail.',
  notYours: 'This organization is not one you administer.',
  unknownOrganization: (displayId: string) => `Unknown organization: ${displayId}`,
  unknownProgram: (name: string) => `Unknown program: ${name}`,
  archiveClosed: 'The archive is no longer open; open it again.',
} as const;

export interface Official {
  id: number;
  email: string;
  isCms: boolean;
  /** Organizations where they hold a Security Official role. */
  administered: OrganizationRecord[];
}

/**
 * What an official reviews, and where from: this console's own data within their scope, or
 * an opened review archive (everything in it: it was scoped when it was exported).
 */
export interface ReviewSource {
  official: Official;
  history: HistoryStore;
  audit: AuditTrailStore;
  historyScope: HistoryScope;
  auditScope: AuditScope;
  /** Set when reading an archive: the views are read-only and say so. */
  archiveId: string | null;
}

/** Opened archives, as the review services need them (main/services/archives.ts). */
export interface ArchiveSources {
  source(clientId: string, userRowId: number, archiveId: string): { history: HistoryStore; audit: AuditTrailStore } | null;
}

/**
 * Request History and the Audit trail: who may see what. CMS Security Officials see every
 * organization's decisions and events; other officials those of the organizations where they
 * hold a Security Official role: their own decisions and their organizations' other officials'
 * (iQIES job aid 5: "all approvals and rejections the SO has made").
 */
export class ReviewScopes {
  constructor(
    private readonly store: Store,
    private readonly archives: ArchiveSources,
  ) {}

  async official(session: Session): Promise<Official> {
    const holdings = await this.store.users.sessionHoldings(session.userRowId);
    const kind = officialKindOf(holdings);
    if (kind === null) throw new AppError('FORBIDDEN', REVIEW_MESSAGES.notOfficial);
    const user = await this.store.users.byId(session.userRowId);
    return { id: session.userRowId, email: user?.email ?? '', isCms: kind === 'cms', administered: administeredOrganizations(holdings) };
  }

  async source(session: Session, archiveId: string | undefined): Promise<ReviewSource> {
    const official = await this.official(session);
    if (archiveId !== undefined) {
      const archive = this.archives.source(session.clientId, session.userRowId, archiveId);
      if (!archive) throw new AppError('NOT_FOUND', REVIEW_MESSAGES.archiveClosed, 'archiveId');
      return { official, ...archive, historyScope: { kind: 'all' }, auditScope: { kind: 'all' }, archiveId };
    }
    const organizationIds = official.administered.map((o) => o.id);
    return {
      official,
      history: this.store.history,
      audit: this.store.auditTrail,
      historyScope: official.isCms ? { kind: 'all' } : { kind: 'organizations', organizationIds },
      auditScope: official.isCms ? { kind: 'all' } : { kind: 'organizations', organizationIds },
      archiveId: null,
    };
  }

  /** An organization filter by display id, refused when outside the official's scope. */
  async organizationFilter(source: ReviewSource, displayId: string | undefined): Promise<number | undefined> {
    if (displayId === undefined || displayId === '') return undefined;
    const org = await source.history.organizationByDisplayId(displayId);
    if (!org) throw new AppError('VALIDATION', REVIEW_MESSAGES.unknownOrganization(displayId), 'organization');
    if (source.historyScope.kind === 'organizations' && !source.historyScope.organizationIds.includes(org.id)) {
      throw new AppError('FORBIDDEN', REVIEW_MESSAGES.notYours, 'organization');
    }
    return org.id;
  }

  async programFilter(source: ReviewSource, name: string | undefined): Promise<number | undefined> {
    if (name === undefined || name === '') return undefined;
    const id = await source.history.programId(name);
    if (id === null) throw new AppError('VALIDATION', REVIEW_MESSAGES.unknownProgram(name), 'program');
    return id;
  }
}

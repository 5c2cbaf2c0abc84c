import type { ArchiveCheck, ArchiveManifest } from './archive-file.js';
import type { AuditTrailStore } from './audit-trail-store.js';
import type { HistoryStore } from './history-store.js';
import type { OrganizationRow } from './requests-store.js';

/**
 * What the main process and an opened archive's worker thread (archive-worker.ts) say to each
 * other. The worker opens, checks and verifies the archive once, then answers the History and
 * Audit stores' calls on that one connection; the main process never reads the file itself.
 */

/**
 * The store methods a worker answers. Typed against the stores' interfaces, so that a method
 * added to either is a compile error here until it is listed (and nothing else can be called).
 */
export const ARCHIVE_STORE_METHODS = {
  history: {
    page: true,
    byId: true,
    eventsFor: true,
    emails: true,
    userIds: true,
    countDecisions: true,
    decidedSpan: true,
    programs: true,
    organizations: true,
    searchOrganizations: true,
    organizationByDisplayId: true,
    programId: true,
  } satisfies Record<keyof HistoryStore, true>,
  audit: { page: true, userRowId: true } satisfies Record<keyof AuditTrailStore, true>,
} as const;

export type ArchiveStoreName = keyof typeof ARCHIVE_STORE_METHODS;

export interface ArchiveWorkerData {
  archivePath: string;
}

export interface ArchiveRequest {
  id: number;
  store: ArchiveStoreName;
  method: string;
  args: unknown[];
}

export type ArchiveReply =
  | { type: 'opened'; manifest: ArchiveManifest; check: ArchiveCheck; organizations: OrganizationRow[] }
  | { type: 'refused'; name: string; message: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; name: string; message: string };

import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { Clock } from '../clock.js';
import { ARCHIVE_EXTENSION } from '../../shared/domain.js';
import type { ArchiveSummary, ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, ArchiveFormatError, manifestText } from '../store/archive-file.js';
import type { ArchiveCheck, ArchiveManifest } from '../store/archive-file.js';
import { ArchiveReader } from '../store/archive-worker-client.js';
import type { AuditTrailStore } from '../store/audit-trail-store.js';
import type { AuditWorkers } from '../store/audit-worker-client.js';
import type { HistoryStore } from '../store/history-store.js';
import type { DatabaseLocation, Store } from '../store/store.js';
import type { ConsoleIdentity } from './console-identity.js';
import type { FileTransfer } from './files.js';
import { safeFileName } from './files.js';
import type { ArchiveSources, ReviewScopes } from './review.js';
import { REVIEW_MESSAGES } from './review.js';
import type { Session } from './sessions.js';

export const ARCHIVE_MESSAGES = {
  notAnArchive: 'This file is not a console review archive.',
  chooseAgain: 'The file is no longer available. Choose the archive again.',
  failed: 'The archive could not be written. Nothing was saved; please try again.',
} as const;

/** Archives one client may have open at once; opening another closes the oldest. */
const OPEN_PER_CLIENT = 3;

interface Opened {
  archiveId: string;
  clientId: string;
  userRowId: number;
  /** The archive's worker thread: every read of the file happens there. */
  reader: ArchiveReader;
  summary: ArchiveSummary;
  openedAt: number;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Offline review archives: "Export archive" writes one file holding the history and
 * audit events of chosen organizations and period, signed by this console; "Open archive" shows
 * one read-only in the same History and Audit views, after checking its schema and integrity and
 * verifying its signature and chain. An opened archive is only ever read, and only in its own
 * worker thread: nothing in it is written into this console's database, and no read of it runs
 * on the main thread.
 */
export class ArchiveService implements ArchiveSources {
  private readonly opened = new Map<string, Opened>();

  constructor(
    private readonly store: Store,
    /** Where an export copies its rows from, on its own connection in a worker thread. */
    private readonly database: DatabaseLocation,
    private readonly identity: ConsoleIdentity,
    private readonly clock: Clock,
    private readonly files: FileTransfer,
    private readonly workers: AuditWorkers,
    private readonly scopes: ReviewScopes,
  ) {}

  async export(session: Session, input: ChannelParsedInput<'archive.export'>): Promise<ChannelOutput<'archive.export'>> {
    const official = await this.scopes.official(session);
    const organizationIds: number[] = [];
    for (const displayId of new Set(input.organizations)) {
      const org = await this.store.history.organizationByDisplayId(displayId);
      if (!org) throw new AppError('VALIDATION', REVIEW_MESSAGES.unknownOrganization(displayId), 'organizations');
      if (!official.isCms && !official.administered.some((o) => o.id === org.id)) throw new AppError('FORBIDDEN', REVIEW_MESSAGES.notYours, 'organizations');
      organizationIds.push(org.id);
    }
    const names = input.organizations.length === 1 ? safeFileName(input.organizations[0] ?? 'organization') : `${input.organizations.length}-organizations`;
    const target = await this.files.save(session.clientId, `Request-history-archive-${names}-${day(input.from)}-to-${day(input.to)}.${ARCHIVE_EXTENSION}`);
    if (!target) return { delivery: null, rows: 0, audit: 0, fingerprint: this.identity.fingerprint };
    try {
      const result = await this.workers.run({
        kind: 'export-archive',
        source: this.database,
        archivePath: target.path,
        organizationIds,
        from: input.from,
        to: input.to,
      });
      if (result.kind !== 'export-archive') throw new Error('unexpected worker result');
      const manifest: ArchiveManifest = {
        format: ARCHIVE_FORMAT,
        version: ARCHIVE_FORMAT_VERSION,
        consoleId: this.identity.consoleId,
        publicKey: this.identity.publicKeyDer.toString('base64'),
        createdAt: this.clock.now(),
        createdBy: official.email,
        ...result.manifest,
      };
      const text = manifestText(manifest);
      await this.workers.run({ kind: 'write-manifest', archivePath: target.path, text, signature: this.identity.sign(Buffer.from(text, 'utf8')) });
      const delivery = await target.commit();
      const rows = manifest.counts.role_requests ?? 0;
      const audit = manifest.counts.audit_events ?? 0;
      await this.store.audit.append([
        {
          action: 'archive.exported',
          actorId: official.id,
          subjectUserId: official.id,
          details: { organizations: input.organizations.join(', '), from: input.from, to: input.to, requests: rows, events: audit },
        },
      ]);
      return { delivery, rows, audit, fingerprint: this.identity.fingerprint };
    } catch (error) {
      await target.abort();
      if (error instanceof AppError) throw error;
      throw new AppError('INTERNAL', ARCHIVE_MESSAGES.failed);
    }
  }

  async open(session: Session, input: ChannelParsedInput<'archive.open'>): Promise<ChannelOutput<'archive.open'>> {
    const official = await this.scopes.official(session);
    const path = await this.files.open(session.clientId, {
      uploadToken: input.uploadToken,
      filterName: 'Console review archive',
      extensions: [ARCHIVE_EXTENSION],
    });
    if (path === null) {
      if (input.uploadToken !== undefined) throw new AppError('NOT_FOUND', ARCHIVE_MESSAGES.chooseAgain, 'uploadToken');
      return { archive: null };
    }
    let reader: ArchiveReader;
    try {
      reader = await ArchiveReader.open(path, { closedError: () => new AppError('NOT_FOUND', REVIEW_MESSAGES.archiveClosed, 'archiveId') });
    } catch (error) {
      throw new AppError('VALIDATION', error instanceof ArchiveFormatError ? error.message : ARCHIVE_MESSAGES.notAnArchive, 'uploadToken');
    }
    const archiveId = randomBytes(18).toString('base64url');
    const m = reader.manifest;
    const check = reader.check;
    const summary: ArchiveSummary = {
      archiveId,
      fileName: basename(path).startsWith('upload-') ? 'the uploaded archive' : basename(path),
      consoleId: m.consoleId,
      fingerprint: check.fingerprint,
      ownConsole: m.consoleId === this.identity.consoleId && m.publicKey === this.identity.publicKeyDer.toString('base64'),
      createdAt: m.createdAt,
      createdBy: m.createdBy,
      organizations: reader.organizations.map(({ displayId, name, kind }) => ({ displayId, name, kind })),
      from: m.from,
      to: m.to,
      history: m.counts?.role_requests ?? 0,
      audit: m.counts?.audit_events ?? 0,
      chain: check.chain,
      signature: check.signature,
    };
    this.closeOldest(session.clientId);
    this.opened.set(archiveId, { archiveId, clientId: session.clientId, userRowId: session.userRowId, reader, summary, openedAt: this.clock.now() });
    await this.store.audit.append([
      {
        action: 'archive.opened',
        actorId: official.id,
        subjectUserId: official.id,
        details: { consoleId: m.consoleId, signature: check.signature.ok, chain: check.chain.ok, from: m.from, to: m.to },
      },
    ]);
    return { archive: summary };
  }

  async close(session: Session, input: ChannelParsedInput<'archive.close'>): Promise<ChannelOutput<'archive.close'>> {
    const entry = this.opened.get(input.archiveId);
    if (!entry || entry.clientId !== session.clientId || entry.userRowId !== session.userRowId) return { closed: false };
    await this.forget(entry);
    return { closed: true };
  }

  source(clientId: string, userRowId: number, archiveId: string): { history: HistoryStore; audit: AuditTrailStore } | null {
    const entry = this.entry(clientId, userRowId, archiveId);
    return entry ? { history: entry.reader.history, audit: entry.reader.audit } : null;
  }

  /** The verification of an opened archive, for its Audit view status line. */
  check(clientId: string, userRowId: number, archiveId: string): ArchiveCheck | null {
    return this.entry(clientId, userRowId, archiveId)?.reader.check ?? null;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.opened.values()].map((entry) => this.forget(entry)));
  }

  /** An open archive of this client and user; one whose worker has stopped is forgotten. */
  private entry(clientId: string, userRowId: number, archiveId: string): Opened | null {
    const entry = this.opened.get(archiveId);
    if (!entry || entry.clientId !== clientId || entry.userRowId !== userRowId) return null;
    if (!entry.reader.isOpen) {
      void this.forget(entry);
      return null;
    }
    return entry;
  }

  private closeOldest(clientId: string): void {
    const mine = [...this.opened.values()].filter((e) => e.clientId === clientId).sort((a, b) => a.openedAt - b.openedAt);
    while (mine.length >= OPEN_PER_CLIENT) {
      const oldest = mine.shift();
      if (oldest) void this.forget(oldest);
    }
  }

  private async forget(entry: Opened): Promise<void> {
    this.opened.delete(entry.archiveId);
    await entry.reader.close();
  }
}

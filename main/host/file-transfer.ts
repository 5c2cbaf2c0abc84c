import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../clock.js';
import type { FileTransfer, OpenRequest, SaveTarget } from '../services/files.js';
import { safeFileName } from '../services/files.js';
import { ensurePrivateFile, ensurePrivateFolder } from '../store/private-files.js';
import type { UploadResult } from '../../shared/ipc/contract.js';

/** A download or an upload is kept this long, then removed. */
const KEEP_MS = 15 * 60_000;
/**
 * The only files the console opens are review archives. The largest measured, a million
 * decisions with their audit events, is 594 MB; 1 GiB leaves room for nearly twice that and
 * still bounds what one upload can put on the disk.
 */
export const MAX_UPLOAD_BYTES = 1024 ** 3;
/**
 * Uploads one browser client may hold at once, finished or arriving. One archive is opened at a
 * time, so three leave room to pick again; with the size cap, a client never holds more than
 * 3 GiB of the disk.
 */
export const MAX_UPLOADS_PER_CLIENT = 3;

export const UPLOAD_MESSAGES = {
  tooLarge: `The file is too large to open: a console review archive is at most ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB.`,
  tooMany: `Up to ${MAX_UPLOADS_PER_CLIENT} files can be sent at once. Wait for the others to finish, then choose the file again.`,
} as const;

export type UploadRefusal = 'too-large' | 'too-many';

interface Held {
  path: string;
  fileName: string;
  clientId: string;
  until: number;
  /** Order of arrival (the clock may stand still): the oldest upload goes first. */
  order: number;
}

export interface HostFileTransferLimits {
  maxUploadBytes?: number;
  maxUploadsPerClient?: number;
}

/**
 * The browser host's side of FileTransfer: an export is written to a private folder and
 * offered once as a download to the browser client that asked for it; a file to open arrives
 * as an upload from that client and is named by a random token. Both are bound to the client's
 * cookie, so another browser (or another local user's page) cannot fetch or use them. The host
 * takes uploads only from a signed-in client (main/host/server.ts); here they are capped in size
 * and in number per client.
 */
export class HostFileTransfer implements FileTransfer {
  private readonly downloads = new Map<string, Held>();
  private readonly uploads = new Map<string, Held>();
  /** Uploads still arriving, per client: they count against the quota too. */
  private readonly arriving = new Map<string, number>();
  private readonly maxUploadBytes: number;
  private readonly maxUploadsPerClient: number;
  private sequence = 0;

  constructor(
    readonly folder: string,
    private readonly clock: Clock,
    limits: HostFileTransferLimits = {},
  ) {
    this.maxUploadBytes = limits.maxUploadBytes ?? MAX_UPLOAD_BYTES;
    this.maxUploadsPerClient = limits.maxUploadsPerClient ?? MAX_UPLOADS_PER_CLIENT;
    // Anything left by an earlier run is stale.
    rmSync(folder, { recursive: true, force: true });
    ensurePrivateFolder(folder);
  }

  async save(clientId: string, suggestedName: string): Promise<SaveTarget> {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    const path = join(this.folder, `download-${token}`);
    const fileName = safeFileName(suggestedName);
    // Private before any writer (a stream, SQLite for an archive) opens it; they keep its mode.
    ensurePrivateFile(path);
    return {
      path,
      commit: async () => {
        this.downloads.set(token, { path, fileName, clientId, until: this.clock.now() + KEEP_MS, order: 0 });
        return { kind: 'download', url: `/download/${token}`, fileName };
      },
      abort: async () => rmSync(path, { force: true }),
    };
  }

  async open(clientId: string, request: OpenRequest): Promise<string | null> {
    this.sweep();
    const held = request.uploadToken ? this.uploads.get(request.uploadToken) : undefined;
    return held && held.clientId === clientId ? held.path : null;
  }

  /** GET /download/<token>: the file, once, to the client it was made for. */
  async serveDownload(clientId: string, token: string, res: ServerResponse): Promise<void> {
    this.sweep();
    const held = this.downloads.get(token);
    if (!held || held.clientId !== clientId) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('This download has expired. Export again.');
      return;
    }
    this.downloads.delete(token);
    res.writeHead(200, {
      'Content-Type': contentTypeFor(held.fileName),
      'Content-Length': String(statSync(held.path).size),
      'Content-Disposition': `attachment; filename="${held.fileName}"`,
    });
    try {
      await pipeline(createReadStream(held.path), res);
    } finally {
      rmSync(held.path, { force: true });
    }
  }

  /**
   * POST /api/upload from a signed-in client: streams the body to a private file and answers
   * with its token. A body declared or found larger than the cap is refused, and nothing of it
   * is kept. A client at its quota loses its oldest finished upload; one whose quota is all
   * still arriving is refused.
   */
  async receiveUpload(clientId: string, fileName: string, req: IncomingMessage): Promise<UploadResult | UploadRefusal> {
    this.sweep();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxUploadBytes) return 'too-large';
    const arriving = this.arriving.get(clientId) ?? 0;
    if (arriving >= this.maxUploadsPerClient) return 'too-many';
    const finished = [...this.uploads].filter(([, held]) => held.clientId === clientId).sort(([, a], [, b]) => a.order - b.order);
    for (const [token, held] of finished.slice(0, Math.max(0, finished.length + arriving + 1 - this.maxUploadsPerClient))) {
      this.uploads.delete(token);
      removeQuietly(held.path);
    }

    const token = randomBytes(24).toString('base64url');
    const path = join(this.folder, `upload-${token}`);
    const max = this.maxUploadBytes;
    let size = 0;
    let tooLarge = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > max) {
          tooLarge = true;
          done(new Error('too large'));
          return;
        }
        done(null, chunk);
      },
    });
    this.arriving.set(clientId, arriving + 1);
    try {
      ensurePrivateFile(path);
      await pipeline(req, counter, createWriteStream(path, { flags: 'r+' }));
    } catch (error) {
      removeQuietly(path);
      if (tooLarge) return 'too-large';
      throw error;
    } finally {
      const left = (this.arriving.get(clientId) ?? 1) - 1;
      if (left > 0) this.arriving.set(clientId, left);
      else this.arriving.delete(clientId);
    }
    const safeName = safeFileName(fileName, 'upload');
    this.sequence += 1;
    this.uploads.set(token, { path, fileName: safeName, clientId, until: this.clock.now() + KEEP_MS, order: this.sequence });
    return { token, fileName: safeName, size };
  }

  /** The host stops: every download and upload goes with it. */
  dispose(): void {
    this.downloads.clear();
    this.uploads.clear();
    rmSync(this.folder, { recursive: true, force: true });
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const map of [this.downloads, this.uploads]) {
      for (const [token, held] of map) {
        if (held.until < now) {
          map.delete(token);
          removeQuietly(held.path);
        }
      }
    }
  }
}

/** An archive still open from the file may hold it (Windows refuses to delete it then): it goes at the next sweep or at exit. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Kept until the folder is cleared.
  }
}

function contentTypeFor(fileName: string): string {
  if (fileName.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (fileName.endsWith('.pdf')) return 'application/pdf';
  return 'application/octet-stream';
}

import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../clock.js';
import type { FileTransfer, OpenRequest, SaveTarget } from '../services/files.js';
import { safeFileName } from '../services/files.js';
import type { UploadResult } from '../../shared/ipc/contract.js';

/** A download or an upload is kept this long, then removed. */
const KEEP_MS = 15 * 60_000;
/** An archive of a large organization's history runs to hundreds of megabytes. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

interface Held {
  path: string;
  fileName: string;
  clientId: string;
  until: number;
}

/**
 * The browser host's side of FileTransfer: an export is written to a private folder and
 * offered once as a download to the browser client that asked for it; a file to open arrives
 * as an upload from that client and is named by a random token. Both are bound to the client's
 * cookie, so another browser (or another local user's page) cannot fetch or use them.
 */
export class HostFileTransfer implements FileTransfer {
  private readonly downloads = new Map<string, Held>();
  private readonly uploads = new Map<string, Held>();

  constructor(
    readonly folder: string,
    private readonly clock: Clock,
  ) {
    // Anything left by an earlier run is stale.
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  }

  async save(clientId: string, suggestedName: string): Promise<SaveTarget> {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    const path = join(this.folder, `download-${token}`);
    const fileName = safeFileName(suggestedName);
    return {
      path,
      commit: async () => {
        this.downloads.set(token, { path, fileName, clientId, until: this.clock.now() + KEEP_MS });
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

  /** POST /api/upload: streams the body to a private file; answers with its token. */
  async receiveUpload(clientId: string, fileName: string, req: IncomingMessage): Promise<UploadResult | 'too-large'> {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    const path = join(this.folder, `upload-${token}`);
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES && !tooLarge) {
        tooLarge = true;
        req.destroy();
      }
    });
    try {
      await pipeline(req, createWriteStream(path, { mode: 0o600 }));
    } catch (error) {
      rmSync(path, { force: true });
      if (tooLarge) return 'too-large';
      throw error;
    }
    const safeName = safeFileName(fileName, 'upload');
    this.uploads.set(token, { path, fileName: safeName, clientId, until: this.clock.now() + KEEP_MS });
    return { token, fileName: safeName, size };
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const map of [this.downloads, this.uploads]) {
      for (const [token, held] of map) {
        if (held.until < now) {
          map.delete(token);
          rmSync(held.path, { force: true });
        }
      }
    }
  }
}

function contentTypeFor(fileName: string): string {
  if (fileName.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (fileName.endsWith('.pdf')) return 'application/pdf';
  return 'application/octet-stream';
}

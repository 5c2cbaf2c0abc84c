import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, extname, join, resolve, sep } from 'node:path';
import type { FileDelivery } from '../../shared/ipc/contract.js';
import { ensurePrivateFile, ensurePrivateFolder } from '../store/private-files.js';

/**
 * Files the console writes for the user (CSV exports, reports, archives) and files the user
 * gives it (archives to open). The services write and read plain paths; where a path comes
 * from is the transport's business: a save or open dialog in Electron (main/shell/files.ts), a
 * download or an upload in the browser host (main/host/file-transfer.ts). A service never
 * learns which.
 */
export interface FileTransfer {
  /** Where to write a file the user asked for; null when they cancelled (Electron's dialog). */
  save(clientId: string, suggestedName: string): Promise<SaveTarget | null>;
  /**
   * The file the user chose to open: in Electron an open dialog (the token is ignored), in the
   * browser host the file they uploaded, by the token the upload returned. null: cancelled or
   * no such upload for this client.
   */
  open(clientId: string, request: OpenRequest): Promise<string | null>;
}

export interface OpenRequest {
  uploadToken?: string | undefined;
  /** For the open dialog: e.g. "Console archive" and ["socarchive"]. */
  filterName: string;
  extensions: readonly string[];
}

export interface SaveTarget {
  /** Write the whole file here; nobody else sees it until commit(). */
  path: string;
  /** The file is complete: put it where the user asked and say how they get it. */
  commit(): Promise<FileDelivery>;
  /** Writing failed or was refused: the partial file goes. */
  abort(): Promise<void>;
}

/** A name safe to suggest on every operating system: letters, digits, dot, dash, underscore. */
export function safeFileName(name: string, fallback = 'export'): string {
  const cleaned = basename(name)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, 120);
  return cleaned.length > 0 ? cleaned : fallback;
}

/**
 * Writes beside the final name and renames on commit, so a file the user sees is never half
 * written. The Electron shell uses it for the path its save dialog returned.
 */
export function saveBeside(finalPath: string, deliver: (path: string) => FileDelivery): SaveTarget {
  const partial = `${finalPath}.partial-${randomBytes(4).toString('hex')}`;
  // Made 0600 before any writer opens it: a stream or SQLite writing into it keeps the mode.
  ensurePrivateFile(partial);
  return {
    path: partial,
    commit: async () => {
      chmodSync(partial, 0o600);
      renameSync(partial, finalPath);
      return deliver(finalPath);
    },
    abort: async () => rmSync(partial, { force: true }),
  };
}

/**
 * Files in one folder: exports are saved there under their suggested name (never overwriting),
 * and a file to open is named by its token, a file name inside the folder. The console uses it
 * when no transport supplied one (unit tests, scripts).
 */
export class FolderFileTransfer implements FileTransfer {
  constructor(readonly folder: string) {}

  async save(_clientId: string, suggestedName: string): Promise<SaveTarget> {
    ensurePrivateFolder(this.folder);
    const name = safeFileName(suggestedName);
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    let finalPath = join(this.folder, name);
    for (let n = 2; existsSync(finalPath); n += 1) finalPath = join(this.folder, `${stem} (${n})${ext}`);
    return saveBeside(finalPath, (path) => ({ kind: 'saved', path, fileName: basename(path) }));
  }

  async open(_clientId: string, request: OpenRequest): Promise<string | null> {
    if (!request.uploadToken) return null;
    const path = resolve(this.folder, request.uploadToken);
    if (!path.startsWith(resolve(this.folder) + sep) || !existsSync(path)) return null;
    return path;
  }
}

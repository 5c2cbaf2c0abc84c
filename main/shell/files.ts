import { basename, join } from 'node:path';
import { app, dialog } from 'electron';
import type { BrowserWindow, OpenDialogOptions } from 'electron';
import type { FileTransfer, OpenRequest, SaveTarget } from '../services/files.js';
import { safeFileName, saveBeside } from '../services/files.js';

/**
 * Electron's side of FileTransfer: a save dialog for exports (suggesting the Downloads folder)
 * and an open dialog for files to open, both modal to the console window. The file is written
 * beside the chosen name and renamed at the end, so the user never sees half a file.
 */
export class DialogFileTransfer implements FileTransfer {
  constructor(private readonly getWindow: () => BrowserWindow | null) {}

  async save(_clientId: string, suggestedName: string): Promise<SaveTarget | null> {
    const window = this.getWindow();
    const options = { defaultPath: join(app.getPath('downloads'), safeFileName(suggestedName)) };
    const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return null;
    return saveBeside(result.filePath, (path) => ({ kind: 'saved', path, fileName: basename(path) }));
  }

  async open(_clientId: string, request: OpenRequest): Promise<string | null> {
    const window = this.getWindow();
    const options: OpenDialogOptions = {
      properties: ['openFile'],
      filters: [{ name: request.filterName, extensions: [...request.extensions] }],
    };
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  }
}

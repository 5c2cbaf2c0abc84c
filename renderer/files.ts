import type { FileDelivery, UploadResult } from '../shared/ipc/contract.js';
import { ApiError, UNREACHABLE_MESSAGE } from './api.js';

/**
 * Hands a file the main process wrote to the user: the browser host offers a one-time
 * download (same origin, bound to this browser), Electron has already saved it where the user
 * chose. Returns the sentence to show.
 */
export function deliverFile(delivery: FileDelivery): string {
  if (delivery.kind === 'saved') return `Saved ${delivery.fileName} to ${delivery.path}`;
  const link = document.createElement('a');
  link.href = delivery.url;
  link.download = delivery.fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  return `Downloaded ${delivery.fileName}`;
}

/** Whether this transport takes files from a file input (browser host) rather than a dialog of its own. */
export function canUploadFiles(): boolean {
  return typeof (window as Partial<Window>).api?.upload === 'function';
}

/** Sends a picked file to the browser host; the token names it in a channel's input. */
export async function uploadFile(file: File): Promise<UploadResult> {
  const upload = (window as Partial<Window>).api?.upload;
  if (!upload) throw new ApiError('UNAVAILABLE', UNREACHABLE_MESSAGE);
  const result = await upload(file);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message, result.error.field);
  return result.value;
}

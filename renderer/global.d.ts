import type { ConsoleBridge, UploadResult } from '../shared/ipc/contract.js';
import type { IpcResult } from '../shared/ipc/errors.js';

/**
 * The bridge both transports expose: the Electron preload through contextBridge, the browser
 * host through a script it injects. The renderer codes against this shape only. `upload`
 * exists only in the browser host; Electron's main process shows an open dialog instead.
 */
export type RendererBridge = ConsoleBridge & {
  upload?: (file: File) => Promise<IpcResult<UploadResult>>;
};

declare global {
  interface Window {
    readonly api: RendererBridge;
  }
}

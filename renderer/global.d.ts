import type { ConsoleBridge } from '../shared/ipc/contract.js';

/**
 * The bridge both transports expose: the Electron preload through contextBridge, the browser
 * host through a script it injects. The renderer codes against this shape only.
 */
export type RendererBridge = ConsoleBridge;

declare global {
  interface Window {
    readonly api: RendererBridge;
  }
}

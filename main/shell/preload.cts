/**
 * The console window's preload. It runs sandboxed, so it cannot load other files at run time:
 * scripts/build-main.mjs bundles it into dist/main/preload.cjs and writes the contract's
 * channel names in place of __CONSOLE_CHANNELS__ (read from shared/ipc/contract.ts at build
 * time, so zod stays out of the preload).
 *
 * It exposes exactly one function, `window.api.invoke(channel, input)`, and only forwards
 * channels of the contract; the main process still validates everything (it trusts nothing
 * the renderer sends).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { Channel } from '../../shared/ipc/contract.js';
import type { IpcResult } from '../../shared/ipc/errors.js';
import { INVOKE_CHANNEL } from './policy.js';

declare const __CONSOLE_CHANNELS__: readonly Channel[];

const channels: ReadonlySet<string> = new Set<string>(__CONSOLE_CHANNELS__);

const UNREACHABLE: IpcResult<never> = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'The console could not reach its service. Please restart the console.' },
};

async function invoke(channel: unknown, input: unknown): Promise<IpcResult<unknown>> {
  if (typeof channel !== 'string' || !channels.has(channel)) {
    return { ok: false, error: { code: 'NOT_FOUND', message: 'Unknown channel' } };
  }
  try {
    return (await ipcRenderer.invoke(INVOKE_CHANNEL, channel, input === undefined ? {} : input)) as IpcResult<unknown>;
  } catch {
    return UNREACHABLE;
  }
}

contextBridge.exposeInMainWorld('api', Object.freeze({ invoke }));

import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Dispatch } from '../ipc/router.js';

/** What the Electron transport needs of the console (main/runner.ts): its one dispatch, and ending a window's session. */
export interface IpcTarget {
  dispatch: Dispatch;
  closeSession(clientId: string): void;
}
import type { IpcResult } from '../../shared/ipc/errors.js';
import { INVOKE_CHANNEL, isConsolePage } from './policy.js';

const FORBIDDEN: IpcResult<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This request did not come from the console window.' },
};

/** Sessions are keyed by the window's WebContents: the renderer never names its own client. */
export function clientIdOf(contents: WebContents): string {
  return `window:${contents.id}`;
}

/**
 * The Electron transport of the one router. Electron's security checklist (item 17): validate
 * the sender of every IPC message. Only the main frame of the console window, showing the
 * console page, may call; an iframe, another window, or a page navigated elsewhere gets
 * FORBIDDEN. Input validation, sessions and authorization are the router's (main/ipc/router.ts).
 */
export function registerConsoleIpc(consoleApp: IpcTarget, getWindow: () => BrowserWindow | null): () => void {
  const tracked = new WeakSet<WebContents>();

  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, channel: unknown, input: unknown) => {
    if (!isTrustedSender(event, getWindow())) return FORBIDDEN;
    const contents = event.sender;
    const clientId = clientIdOf(contents);
    if (!tracked.has(contents)) {
      tracked.add(contents);
      // A closed window must not leave a live session behind.
      contents.once('destroyed', () => consoleApp.closeSession(clientId));
    }
    return consoleApp.dispatch({ clientId }, channel, input);
  });

  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | null): boolean {
  if (!window || window.isDestroyed()) return false;
  const expected = window.webContents;
  if (event.sender !== expected) return false;
  const frame = event.senderFrame;
  const main = expected.mainFrame;
  // senderFrame is null once the frame has navigated away or been destroyed.
  if (!frame || frame.parent !== null) return false;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isConsolePage(frame.url);
}

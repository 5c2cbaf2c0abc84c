import { app, session, shell } from 'electron';
import type { Session, WebContents } from 'electron';
import { isExternalLink } from '../../shared/help.js';
import { CONTENT_SECURITY_POLICY, isAllowedRequest, isConsolePage, isPermissionAllowed } from './policy.js';

/**
 * Session-wide defences: no permission is granted (camera, notifications, geolocation,
 * clipboard-read, HID, serial, ...) except clipboard writes from our own page; no request
 * leaves for a scheme other than our own; every response carries the strict CSP.
 */
export function hardenSession(target: Session = session.defaultSession): void {
  target.setPermissionRequestHandler((_webContents, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl)));
  target.setPermissionCheckHandler((_webContents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
  target.setDevicePermissionHandler(() => false);
  target.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  target.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url) });
  });
  target.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
  // Only files the page made itself (a CSV export as a blob: URL) may be saved; Electron asks
  // the user where, with its save dialog.
  target.on('will-download', (event, item) => {
    if (!/^(blob|data):/.test(item.getURL())) event.preventDefault();
  });
}

/**
 * Applied to every WebContents the app ever creates (the window, and anything a compromised
 * page might try to open): no navigation away from the console page, no new windows, no
 * <webview>. Registered before the first window exists.
 */
export function hardenAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}

function hardenWebContents(contents: WebContents): void {
  const refuseUnlessConsole = (event: { preventDefault(): void }, url: string) => {
    if (!isConsolePage(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => {
    refuseUnlessConsole(event, event.url);
    openOutside(event.url);
  });
  contents.on('will-frame-navigate', (event) => refuseUnlessConsole(event, event.url));
  contents.on('will-redirect', (event) => refuseUnlessConsole(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // A help desk's site or email (shared/help.ts) opens in the system browser or mail program, never in a window of ours.
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
}

function openOutside(url: string): void {
  // No browser registered for the link: it simply does not open; the console itself is unaffected.
  if (isExternalLink(url)) void shell.openExternal(url, { activate: true }).catch(() => undefined);
}

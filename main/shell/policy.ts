/**
 * The shell's security constants. Kept free of `electron` so build scripts and tests can read
 * them without an Electron runtime.
 */

/**
 * The renderer is served from this privileged custom scheme, not from file://. The
 * `grantFileProtocolExtraPrivileges` fuse is off (electron-builder.yml), which takes away
 * Electron's asar-aware file:// loader and file:// module scripts, so `loadFile` would show a
 * blank window in the packaged app. A custom scheme is also Electron's own advice (security
 * checklist item 18): the page cannot read arbitrary files, and it has a real origin for CSP.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const START_PATH = '/index.html';
export const START_URL = `${APP_ORIGIN}${START_PATH}`;

/** The one IPC channel the preload uses; the console channel travels as its first argument. */
export const INVOKE_CHANNEL = 'console:invoke';

/**
 * The page's one policy: both transports send it (app:// here, and the browser host in
 * main/host/server.ts), and it is identical to the renderer's meta tag (renderer/index.html);
 * scripts/build-main.mjs checks they agree.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // No 'unsafe-inline': the styles are the built CSS file. React's style props go through
  // the CSSOM, which CSP does not govern; a style attribute or <style> element is refused.
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Schemes the window may request at all; everything else (http, https, ws, file, ftp, ...) is
 * cancelled before it leaves the process: the console shows no remote content. data: carries
 * the enrollment QR code and fonts; blob: URLs can only be minted by our own page (exports).
 */
export const ALLOWED_REQUEST_SCHEMES: ReadonlySet<string> = new Set([`${APP_SCHEME}:`, 'devtools:', 'data:', 'blob:']);

/** Whether a URL is a page of the console itself (ignoring query and fragment). */
export function isConsolePage(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.pathname === START_PATH;
  } catch {
    return false;
  }
}

export function isAllowedRequest(url: string): boolean {
  try {
    return ALLOWED_REQUEST_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * The only permission the page may use: writing to the clipboard, for the "Copy key" button of
 * credential enrollment, and only from our own origin. Reading the clipboard stays refused.
 */
export function isPermissionAllowed(permission: string, requestingUrlOrOrigin: string): boolean {
  // Compared as text: WHATWG URL gives custom schemes an opaque ("null") origin.
  const fromConsole = requestingUrlOrOrigin === APP_ORIGIN || requestingUrlOrOrigin.startsWith(`${APP_ORIGIN}/`);
  return permission === 'clipboard-sanitized-write' && fromConsole;
}

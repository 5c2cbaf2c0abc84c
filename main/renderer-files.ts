import { extname, resolve, sep } from 'node:path';

/**
 * The built renderer's files, as both transports serve them: Electron's app:// protocol
 * (main/shell/app-protocol.ts) and the browser host (main/host/server.ts). Free of `electron`,
 * so that the host, which runs under plain Node, can use it too.
 */

/** Content types of what a Vite build of the renderer contains; anything else is a download. */
const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export function contentTypeOf(file: string): string {
  return MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file inside `root` that a URL's path names (still percent-encoded, as in `URL.pathname`;
 * '/' names `startPath`), or null when it names none there. The check runs on the decoded,
 * resolved path, so `..`, `%2e%2e` and `..%2F` cannot climb out of `root`, and `root` itself
 * is not a file of it. A malformed escape or a NUL byte names nothing.
 */
export function resolveRendererFile(root: string, pathname: string, startPath = '/index.html'): string | null {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname === '/' ? startPath : pathname).replace(/^\/+/, '');
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  const base = resolve(root);
  const file = resolve(base, relative);
  return file.startsWith(base + sep) ? file : null;
}

import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import type { Session } from 'electron';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY, START_PATH } from './policy.js';

const MIME: Readonly<Record<string, string>> = {
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

/** Must run before the app is ready: a standard, secure scheme gets an origin and module scripts. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/**
 * Serves the built renderer, and nothing else, on app://console/. Files are read with the
 * main process's fs (which reads inside app.asar); a path that escapes the renderer folder,
 * another host or another method is refused.
 */
export function serveRenderer(session: Session, rendererDir: string): void {
  const root = resolve(rendererDir);
  session.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    let relative: string;
    try {
      const url = new URL(request.url);
      if (url.host !== APP_HOST) return plain(404, 'Not found');
      relative = decodeURIComponent(url.pathname === '/' ? START_PATH : url.pathname).replace(/^\/+/, '');
    } catch {
      return plain(400, 'Bad request');
    }
    const file = resolve(root, relative);
    if (!file.startsWith(root + sep)) return plain(404, 'Not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return plain(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      },
    });
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { protocol } from 'electron';
import type { Session } from 'electron';
import { contentTypeOf, resolveRendererFile } from '../renderer-files.js';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY, START_PATH } from './policy.js';

/** Must run before the app is ready: a standard, secure scheme gets an origin and module scripts. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
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
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad request');
    }
    if (url.host !== APP_HOST) return plain(404, 'Not found');
    const file = resolveRendererFile(root, url.pathname, START_PATH);
    if (file === null) return plain(404, 'Not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return plain(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(file),
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

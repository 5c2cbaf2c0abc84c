import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Dispatch } from '../ipc/router.js';
import type { HostFileTransfer } from './file-transfer.js';
import { contentTypeOf, resolveRendererFile } from '../renderer-files.js';
// The shell's policy module imports no electron; the page gets one CSP in either transport.
import { CONTENT_SECURITY_POLICY } from '../shell/policy.js';

/**
 * The browser host: the built renderer and the one IPC router over loopback HTTP, for
 * end-to-end tests in Chromium and `npm run start:web`. It differs from Electron only in the
 * transport. Never packaged.
 *
 * Trust: it binds 127.0.0.1 only, on a random port by default, and answers only a browser
 * that opened the launch URL with the per-launch secret (exchanged for an HttpOnly,
 * SameSite=Strict cookie, so page scripts never hold it). Each browser gets its own client
 * cookie, which plays the part of Electron's webContents: sessions are keyed by it.
 */
export interface HostOptions {
  dispatch: Dispatch;
  rendererDir: string;
  port?: number;
  /** Test hook: lets end-to-end tests move the console's clock instead of sleeping. */
  advanceClock?: (ms: number) => void;
  /** Downloads of exports and uploads of files to open (the same object the console was given). */
  files?: HostFileTransfer;
}

export interface RunningHost {
  server: Server;
  url: string;
  origin: string;
  close(): Promise<void>;
}

/** Defines window.api for the renderer, as Electron's preload does, over fetch. */
const BRIDGE_SCRIPT = `'use strict';
(() => {
  const invoke = async (channel, input) => {
    try {
      const response = await fetch('/api/invoke', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1' },
        body: JSON.stringify({ channel, input: input === undefined ? {} : input }),
      });
      return await response.json();
    } catch (error) {
      return { ok: false, error: { code: 'INTERNAL', message: 'The console is not reachable. Is it still running?' } };
    }
  };
  // A file the user picked goes to the host as it is; the answer names it for a channel's input.
  const upload = async (file) => {
    try {
      const response = await fetch('/api/upload', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/octet-stream', 'X-Console-Bridge': '1', 'X-File-Name': encodeURIComponent(file.name || 'upload') },
        body: file,
      });
      return await response.json();
    } catch (error) {
      return { ok: false, error: { code: 'INTERNAL', message: 'The console is not reachable. Is it still running?' } };
    }
  };
  Object.defineProperty(window, 'api', { value: Object.freeze({ invoke, upload }), writable: false, configurable: false });
})();
`;

const MAX_BODY = 1_000_000;

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const secret = randomBytes(32).toString('base64url');
  let origin = '';
  // Cookies are shared by every port of 127.0.0.1: names carrying the port keep hosts apart.
  let hostCookie = '';
  let clientCookie = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const cookies = parseCookies(req.headers.cookie);
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');

    // The launch URL: trade the secret for cookies and drop it from the address bar.
    const offered = url.searchParams.get('k');
    if (offered !== null) {
      if (!sameSecret(offered, secret)) return send(res, 403, 'text/plain', 'Forbidden');
      // Always a new client: a cookie planted by another local server is never adopted.
      const client = randomBytes(18).toString('base64url');
      res.setHeader('Set-Cookie', [
        `${hostCookie}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
        `${clientCookie}=${client}; HttpOnly; SameSite=Strict; Path=/`,
      ]);
      res.writeHead(303, { Location: '/' });
      res.end();
      return;
    }
    const hostCookieValue = cookies[hostCookie];
    const clientCookieValue = cookies[clientCookie];
    if (!hostCookieValue || !sameSecret(hostCookieValue, secret) || !clientCookieValue) {
      return send(res, 403, 'text/plain', 'Open the console with the address it printed at launch.');
    }
    const clientId = `web:${clientCookieValue}`;

    if (url.pathname.startsWith('/api/')) {
      // A cross-site page cannot set this header without a preflight we never grant.
      if (req.method !== 'POST' || req.headers['x-console-bridge'] !== '1' || (req.headers.origin && req.headers.origin !== origin)) {
        return send(res, 403, 'text/plain', 'Forbidden');
      }
      if (url.pathname === '/api/upload' && options.files) {
        let name = 'upload';
        try {
          name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'upload'));
        } catch {
          // An undecodable name is only a name: keep the default.
        }
        const received = await options.files.receiveUpload(clientId, name, req);
        if (received === 'too-large') return json(res, 413, { ok: false, error: { code: 'VALIDATION', message: 'The file is too large to open.' } });
        return json(res, 200, { ok: true, value: received });
      }
      const body = await readBody(req);
      if (body === null) return json(res, 413, { ok: false, error: { code: 'VALIDATION', message: 'The request is too large' } });
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch {
        return json(res, 400, { ok: false, error: { code: 'VALIDATION', message: 'The request is not valid JSON' } });
      }
      if (url.pathname === '/api/invoke') {
        const { channel, input } = (message ?? {}) as { channel?: unknown; input?: unknown };
        return json(res, 200, await options.dispatch({ clientId }, channel, input));
      }
      if (url.pathname === '/api/test/clock' && options.advanceClock) {
        const ms = (message as { advanceMs?: unknown }).advanceMs;
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return json(res, 400, { ok: false });
        options.advanceClock(ms);
        return json(res, 200, { ok: true });
      }
      return json(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'Not found' } });
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'Method not allowed');
    if (url.pathname === '/host-bridge.js') return send(res, 200, contentTypeOf('host-bridge.js'), BRIDGE_SCRIPT);
    const download = /^\/download\/([A-Za-z0-9_-]{16,64})$/.exec(url.pathname);
    if (download?.[1] && options.files) return options.files.serveDownload(clientId, download[1], res);
    return serveStatic(res, options.rendererDir, url.pathname);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  hostCookie = `soc_host_${port}`;
  clientCookie = `soc_client_${port}`;
  return {
    server,
    origin,
    url: `${origin}/?k=${secret}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function serveStatic(res: ServerResponse, root: string, pathname: string): Promise<void> {
  const file = resolveRendererFile(root, pathname);
  if (file === null) return send(res, 404, 'text/plain', 'Not found');
  const isStartPage = file === resolveRendererFile(root, '/');
  try {
    let body: Buffer | string = await readFile(file);
    if (isStartPage) {
      // The bridge must exist before the app's module script runs.
      body = body.toString('utf8').replace('<head>', '<head><script src="/host-bridge.js"></script>');
    }
    send(res, 200, contentTypeOf(file), body);
  } catch {
    send(res, 404, 'text/plain', isStartPage ? 'The renderer is not built: run `npm run build:renderer`.' : 'Not found');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

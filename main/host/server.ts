import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Dispatch } from '../ipc/router.js';
import type { SessionRegistry } from '../services/sessions.js';
import { UPLOAD_MESSAGES } from './file-transfer.js';
import type { HostFileTransfer } from './file-transfer.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import { contentTypeOf, resolveRendererFile } from '../renderer-files.js';
import { failureLogLine } from '../ipc/failures.js';
// The shell's policy module imports no electron; the page gets one CSP in either transport.
import { CONTENT_SECURITY_POLICY } from '../shell/policy.js';

/**
 * The browser host: the built renderer and the one IPC router over loopback HTTP, for
 * end-to-end tests in Chromium and `npm run start:web`. It differs from Electron only in the
 * transport. Never packaged.
 *
 * Trust: it binds 127.0.0.1 only, on a random port by default, under a host name of its own,
 * `<random>.localhost` (which browsers resolve to loopback without asking DNS). Browsers keep
 * cookies apart by host name but not by port: under 127.0.0.1 any other local server, on any
 * port, would get the console's cookies. It answers only requests addressed to that name (a
 * DNS-rebinding page sends its own name) from a browser that opened the launch URL with the
 * per-launch secret. The secret is traded for a fresh random session cookie (HttpOnly,
 * SameSite=Strict), never set as a cookie itself; the launch URL may be opened by several
 * browsers (a second official at the same console), each getting its own cookie, which plays the
 * part of Electron's webContents: sessions are keyed by it. Files are taken only from a
 * signed-in client.
 */
export interface HostOptions {
  dispatch: Dispatch;
  rendererDir: string;
  port?: number;
  /** The registry the dispatch resolves sessions with (the runner's current console's): uploads need a signed-in client. */
  sessions: () => SessionRegistry | null;
  /** Test hook: lets end-to-end tests move the console's clock instead of sleeping. */
  advanceClock?: (ms: number) => void;
  /** Downloads of exports and uploads of files to open (the same object the console was given). */
  files?: HostFileTransfer;
  /** Where a request that failed outside the router is reported (a log line: never the request's body). */
  logError?: (line: string) => void;
}

export interface RunningHost {
  server: Server;
  /** The launch URL, with the per-launch secret. */
  url: string;
  /** http://<hostName>:<port> */
  origin: string;
  /** `<random>.localhost`: the name the browser must use. */
  hostName: string;
  /** The loopback port it listens on (127.0.0.1). */
  port: number;
  /** The client a session cookie's value stands for (null: none), as the dispatch is told it. */
  clientIdOf(sessionCookieValue: string): string | null;
  close(): Promise<void>;
}

/** The browser's cookie: a random session value, never the launch secret. */
export const SESSION_COOKIE = 'soc_session';
/** Launches remembered at once (each browser that opened the URL); the oldest is forgotten first. */
const MAX_BROWSER_SESSIONS = 64;

const MAX_BODY = 1_000_000;
/**
 * A body over MAX_BODY is read to its end (and dropped) up to this size before the 413 goes out:
 * a browser whose upload is cut mid-way reports a network failure, not the answer. Beyond it the
 * connection is cut: no page of the console sends that much.
 */
const MAX_DISCARDED_BODY = 64 * MAX_BODY;

/** What the page shows when a call's input is over the host's limit. */
export const REQUEST_TOO_LARGE = `The request is too large: the console takes at most ${MAX_BODY / 1_000_000} MB at a time. Choose fewer items or shorten the text, and try again.`;

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
      return { ok: false, error: { code: 'UNAVAILABLE', message: 'The console is not reachable. Is it still running?' } };
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
      return { ok: false, error: { code: 'UNAVAILABLE', message: 'The console is not reachable. Is it still running?' } };
    }
  };
  Object.defineProperty(window, 'api', { value: Object.freeze({ invoke, upload }), writable: false, configurable: false });
})();
`;

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const secret = randomBytes(32).toString('base64url');
  const hostName = `soc-${randomBytes(8).toString('hex')}.localhost`;
  let origin = '';
  let allowedHosts: ReadonlySet<string> = new Set();
  // Session cookie values are kept only as SHA-256 digests, so a lookup's timing can tell at
  // most something about the digest of a guess, never about a real value.
  const browsers = new Map<string, { digest: Buffer; clientId: string }>();

  const clientOf = (cookieValue: string | undefined): string | null => {
    if (!cookieValue) return null;
    const digest = createHash('sha256').update(cookieValue).digest();
    const found = browsers.get(digest.toString('hex'));
    return found && timingSafeEqual(found.digest, digest) ? found.clientId : null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    // A page that had its own name resolve to 127.0.0.1 (DNS rebinding) still sends its own name.
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.setHeader('Connection', 'close');
      return send(res, 421, 'text/plain', 'Misdirected request: open the console with the address it printed at launch.');
    }
    const url = new URL(req.url ?? '/', origin);

    // The launch URL: trade the secret for a new session cookie and drop it from the address bar.
    const offered = url.searchParams.get('k');
    if (offered !== null) {
      if (!sameSecret(offered, secret)) return send(res, 403, 'text/plain', 'Forbidden');
      // Always a new client: a cookie planted by another local server is never adopted.
      const value = randomBytes(32).toString('base64url');
      const digest = createHash('sha256').update(value).digest();
      browsers.set(digest.toString('hex'), { digest, clientId: `web:${randomBytes(18).toString('base64url')}` });
      for (const key of browsers.keys()) {
        if (browsers.size <= MAX_BROWSER_SESSIONS) break;
        browsers.delete(key);
      }
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(303, { Location: '/' });
      res.end();
      return;
    }
    const clientId = clientOf(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    if (clientId === null) {
      if (url.pathname === '/api/upload') res.setHeader('Connection', 'close');
      return send(res, 403, 'text/plain', 'Open the console with the address it printed at launch.');
    }

    if (url.pathname.startsWith('/api/')) {
      // A cross-site page cannot set this header without a preflight we never grant.
      if (req.method !== 'POST' || req.headers['x-console-bridge'] !== '1' || (req.headers.origin && req.headers.origin !== origin)) {
        if (url.pathname === '/api/upload') res.setHeader('Connection', 'close');
        return send(res, 403, 'text/plain', 'Forbidden');
      }
      if (url.pathname === '/api/upload' && options.files) return receiveUpload(req, res, clientId, options.files, options.sessions());
      const body = await readBody(req);
      if (body === null) {
        res.setHeader('Connection', 'close');
        return json(res, 413, { ok: false, error: { code: 'VALIDATION', message: REQUEST_TOO_LARGE } });
      }
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
    handle(req, res).catch((error: unknown) => {
      // Not the URL: the launch address carries the secret, a download's path its token.
      options.logError?.(failureLogLine(`host ${req.method ?? 'request'}`, error));
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${hostName}:${port}`;
  // A browser leaves the port out of Host for http's own port.
  allowedHosts = new Set([`${hostName}:${port}`, ...(port === 80 ? [hostName] : [])]);
  return {
    server,
    origin,
    hostName,
    port,
    url: `${origin}/?k=${secret}`,
    clientIdOf: (value) => clientOf(value),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * POST /api/upload: only from a client signed in to the console (the same check the dispatch
 * makes for a channel that needs a session), within the size cap and the client's quota. A
 * refusal is answered before the body is read, and the connection closed: nothing is written.
 */
async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  clientId: string,
  files: HostFileTransfer,
  sessions: SessionRegistry | null,
): Promise<void> {
  const refuse = (status: number, code: string, message: string) => {
    res.setHeader('Connection', 'close');
    json(res, status, { ok: false, error: { code, message } });
  };
  const session = (await sessions?.resolve(clientId)) ?? null;
  if (!session) return refuse(401, 'UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
  if (session.state === 'locked') return refuse(401, 'SESSION_LOCKED', CONSOLE_MESSAGES.sessionLocked);
  if (session.state !== 'active') return refuse(403, 'FORBIDDEN', 'Finish signing in before you open a file.');
  let name = 'upload';
  try {
    name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'upload'));
  } catch {
    // An undecodable name is only a name: keep the default.
  }
  const received = await files.receiveUpload(clientId, name, req);
  if (received === 'too-large') return refuse(413, 'VALIDATION', UPLOAD_MESSAGES.tooLarge);
  if (received === 'too-many') return refuse(429, 'CONFLICT', UPLOAD_MESSAGES.tooMany);
  return json(res, 200, { ok: true, value: received });
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

/** The body as text, or null when it is over MAX_BODY (read to its end and dropped, so the answer reaches the browser). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_DISCARDED_BODY) {
      // Far too large to wait for: answer now; the connection closes after the answer.
      req.pause();
      resolve(null);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DISCARDED_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
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

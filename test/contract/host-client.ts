import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { RunningHost } from '../../main/host/server.js';

/**
 * Node resolves `*.localhost` only where the system resolver does (not on every Linux), unlike
 * Chromium, which maps it to loopback itself. Tests reach the host as a browser would, by its
 * name, with this lookup: every `*.localhost` name is 127.0.0.1.
 */
export const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== 'localhost' && !hostname.endsWith('.localhost')) {
    callback(Object.assign(new Error(`Tests reach only loopback names, not ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
    return;
  }
  if (options.all)
    (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

export interface HostResponse {
  status: number;
  headers: IncomingHttpHeaders;
  setCookies: string[];
  text: string;
  json<T = unknown>(): T;
}

export interface HostRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Sends the body in pieces without a Content-Length (as a stream would). */
  chunked?: boolean;
}

/** One HTTP request to a loopback URL; resolves with the whole answer, or rejects if the connection drops first. */
export function hostRequest(url: string, init: HostRequest = {}): Promise<HostResponse> {
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body) : Buffer.from(init.body);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (body && !init.chunked && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length);
    const req = request(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, lookup: loopbackLookup }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const setCookie = res.headers['set-cookie'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, setCookies: setCookie ?? [], text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    if (body && init.chunked) {
      // Two writes: the body goes out chunked, its size unknown to the server in advance.
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else req.end(body);
  });
}

/** A browser-like client of the host: it keeps the cookie the launch URL sets and sends it back. */
export class HostClient {
  cookies = '';
  constructor(private readonly host: RunningHost) {}

  async open(url = this.host.url): Promise<HostResponse> {
    const response = await hostRequest(url);
    if (response.setCookies.length > 0) this.cookies = response.setCookies.map((c) => c.split(';')[0]).join('; ');
    return response;
  }

  /** The session cookie's value. */
  get session(): string {
    return /soc_session=([^;]+)/.exec(this.cookies)?.[1] ?? '';
  }

  invoke(channel: unknown, input: unknown, headers: Record<string, string> = {}): Promise<HostResponse> {
    return hostRequest(`${this.host.origin}/api/invoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: this.cookies, ...headers },
      body: JSON.stringify({ channel, input }),
    });
  }

  upload(body: Uint8Array, options: { name?: string; headers?: Record<string, string>; chunked?: boolean } = {}): Promise<HostResponse> {
    return hostRequest(`${this.host.origin}/api/upload`, {
      method: 'POST',
      headers: {
        'X-Console-Bridge': '1',
        'X-File-Name': encodeURIComponent(options.name ?? 'history.socarchive'),
        Cookie: this.cookies,
        ...(options.headers ?? {}),
      },
      body,
      ...(options.chunked ? { chunked: true } : {}),
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<HostResponse> {
    return hostRequest(`${this.host.origin}${path}`, { headers: { Cookie: this.cookies, ...headers } });
  }
}

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { ClientRequest, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HostFileTransfer, MAX_UPLOAD_BYTES, MAX_UPLOADS_PER_CLIENT, UPLOAD_MESSAGES } from '../../main/host/file-transfer.js';
import { startHost } from '../../main/host/server.js';
import type { RunningHost } from '../../main/host/server.js';
import { Harness, PASSWORD, PROVIDER_ORG, STEP_MS } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { HostClient, hostRequest, loopbackLookup } from './host-client.js';

/**
 * The browser host's own attack surface, each attack as another local program would make it:
 * a server on another port of loopback that the console's browser visits, a replayed or forged
 * cookie, a request under another host name (DNS rebinding), and uploads to fill the disk.
 */

/** Another local server: it keeps the Host and Cookie headers of every request it gets (pages and favicons). */
async function cookieCatcher(): Promise<{ port: number; seen: Array<{ host: string; cookie: string }>; close: () => Promise<void>; server: Server }> {
  const seen: Array<{ host: string; cookie: string }> = [];
  const server = createServer((req, res) => {
    seen.push({ host: req.headers.host ?? '', cookie: req.headers.cookie ?? '' });
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p>another local server</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function rendererIn(h: Harness): string {
  const rendererDir = join(h.dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>console</title></head><body>console</body></html>');
  return rendererDir;
}

describe('the browser host in a real browser', () => {
  let browser: Browser;
  let h: Harness;
  let host: RunningHost;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    h = await Harness.create();
    host = await startHost({ dispatch: h.app.dispatch, rendererDir: rendererIn(h), sessions: () => h.app.services.sessions });
  });
  afterEach(async () => {
    await host.close();
    await h.dispose();
  });

  it('Chromium reaches the console by its *.localhost name, and a server on another port of loopback gets none of its cookies', async () => {
    const context = await browser.newContext();
    const elsewhere = await cookieCatcher();
    try {
      const page = await context.newPage();
      await page.goto(host.url);
      // The launch secret is gone from the address bar; the page is the console's.
      expect(page.url()).toBe(`${host.origin}/`);
      await expect(page.title()).resolves.toBe('console');
      const held = await context.cookies();
      expect(held.map((c) => [c.name, c.domain, c.httpOnly, c.sameSite])).toEqual([['soc_session', host.hostName, true, 'Strict']]);
      const value = held[0]!.value;
      expect(host.clientIdOf(value)).not.toBeNull();

      // Every other name a local server answers to, on another port: no cookie of the console.
      for (const name of ['127.0.0.1', 'localhost', 'other.localhost']) {
        await page.goto(`http://${name}:${elsewhere.port}/`);
        await expect(page.title()).resolves.toBe('elsewhere');
      }
      expect(new Set(elsewhere.seen.map((s) => s.host.split(':')[0]))).toEqual(new Set(['127.0.0.1', 'localhost', 'other.localhost']));
      expect(elsewhere.seen.filter((s) => s.cookie !== '')).toEqual([]);

      // The control that shows the catcher would see a leak: cookies follow the host name, not
      // the port, so the same server under the console's own (random, unguessable) name gets it.
      await page.goto(`http://${host.hostName}:${elsewhere.port}/`);
      expect(elsewhere.seen.filter((s) => s.cookie !== '').map((s) => s.cookie)).toContain(`soc_session=${value}`);
    } finally {
      await context.close();
      await elsewhere.close();
    }
  }, 60_000);

  it('Chromium gets a 421 for the console under any other name that reaches its port (DNS rebinding)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      for (const name of ['127.0.0.1', 'localhost', 'rebound.localhost']) {
        const response = await page.goto(`http://${name}:${host.port}/${new URL(host.url).search}`);
        expect(response?.status(), name).toBe(421);
      }
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('cookies and host names the host refuses', () => {
  let h: Harness;
  let host: RunningHost;

  beforeEach(async () => {
    h = await Harness.create();
    host = await startHost({ dispatch: h.app.dispatch, rendererDir: rendererIn(h), sessions: () => h.app.services.sessions });
  });
  afterEach(async () => {
    await host.close();
    await h.dispose();
  });

  it('refuses a forged cookie, the launch secret as a cookie, and a cookie of an earlier launch', async () => {
    const client = new HostClient(host);
    await client.open();
    expect((await client.get('/')).status).toBe(200);
    const secret = new URL(host.url).searchParams.get('k')!;
    for (const forged of [secret, 'A'.repeat(43), `${client.session}x`, client.session.slice(0, -1)]) {
      expect((await hostRequest(`${host.origin}/`, { headers: { Cookie: `soc_session=${forged}` } })).status, forged).toBe(403);
    }

    // The console restarts (a new launch): what a browser held before opens nothing.
    const replayed = client.cookies;
    await host.close();
    host = await startHost({ dispatch: h.app.dispatch, rendererDir: join(h.dir, 'renderer'), sessions: () => h.app.services.sessions });
    expect((await hostRequest(`${host.origin}/`, { headers: { Cookie: replayed } })).status).toBe(403);
    const invoke = await hostRequest(`${host.origin}/api/invoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: replayed },
      body: JSON.stringify({ channel: 'app.status', input: {} }),
    });
    expect(invoke.status).toBe(403);
  });

  it('answers only requests addressed to its own name: another Host gets 421, even with a good cookie or the launch secret', async () => {
    const client = new HostClient(host);
    await client.open();
    const direct = `http://127.0.0.1:${host.port}`;
    // Control: the right name with the cookie works, by the same route.
    expect((await hostRequest(`${direct}/`, { headers: { Host: `${host.hostName}:${host.port}`, Cookie: client.cookies } })).status).toBe(200);
    for (const name of [
      `127.0.0.1:${host.port}`,
      `localhost:${host.port}`,
      `attacker.example:${host.port}`,
      `soc-0000000000000000.localhost:${host.port}`,
      host.hostName,
      '',
    ]) {
      const page = await hostRequest(`${direct}/`, { headers: { Host: name, Cookie: client.cookies } });
      expect(page.status, name).toBe(421);
      const launch = await hostRequest(`${direct}${new URL(host.url).search}`, { headers: { Host: name } });
      expect(launch.status, name).toBe(421);
      expect(launch.setCookies).toEqual([]);
      const call = await hostRequest(`${direct}/api/invoke`, {
        method: 'POST',
        headers: { Host: name, 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: client.cookies },
        body: JSON.stringify({ channel: 'app.status', input: {} }),
      });
      expect(call.status, name).toBe(421);
    }
  });
});

describe('uploads', () => {
  let h: Harness;
  let host: RunningHost;
  let files: HostFileTransfer;
  let user: TestUser;

  const start = async (limits: { maxUploadBytes?: number } = {}) => {
    files = new HostFileTransfer(join(h.dir, 'transfers'), h.clock, limits);
    host = await startHost({ dispatch: h.app.dispatch, rendererDir: rendererIn(h), files, sessions: () => h.app.services.sessions });
  };
  const signedIn = async (): Promise<HostClient> => {
    const client = new HostClient(host);
    await client.open();
    // A code is accepted once: each sign-in in a test takes the next step's.
    h.clock.advance(STEP_MS);
    await h.signIn(host.clientIdOf(client.session)!, user);
    return client;
  };
  const written = () => readdirSync(files.folder);

  beforeEach(async () => {
    h = await Harness.create();
    user = (await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] }))['pat']!;
  });
  afterEach(async () => {
    await host.close();
    files.dispose();
    await h.dispose();
  });

  it('takes no file from a client that is not signed in (no session, before the warning page, signed out) and writes nothing', async () => {
    await start();
    const stranger = new HostClient(host);
    await stranger.open();
    const refused = await stranger.upload(new Uint8Array(1000));
    expect(refused.status).toBe(401);
    expect(refused.json()).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Your session has ended. Please log in again.' } });

    await h.call(host.clientIdOf(stranger.session)!, 'auth.signIn', { userId: 'pat', password: PASSWORD, code: h.code(user.secret), agreeToTerms: true });
    const beforeWarning = await stranger.upload(new Uint8Array(1000));
    expect(beforeWarning.status).toBe(403);
    expect(beforeWarning.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const official = await signedIn();
    expect((await official.upload(new Uint8Array(10))).status).toBe(200);
    expect(written()).toHaveLength(1);
    await official.invoke('auth.signOut', {});
    expect((await official.upload(new Uint8Array(10))).status).toBe(401);

    expect((await hostRequest(`${host.origin}/api/upload`, { method: 'POST', headers: { 'X-Console-Bridge': '1' }, body: 'no cookie' })).status).toBe(403);
    expect(written()).toHaveLength(1);
  });

  it(`refuses a file larger than ${MAX_UPLOAD_BYTES} bytes from its declared size, before reading it`, async () => {
    await start();
    const official = await signedIn();
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // Declares one byte over the cap and sends almost nothing: the answer comes at once.
      const req = request(
        `${host.origin}/api/upload`,
        {
          method: 'POST',
          lookup: loopbackLookup,
          headers: { 'X-Console-Bridge': '1', Cookie: official.cookies, 'Content-Length': String(MAX_UPLOAD_BYTES + 1) },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(16));
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: { code: 'VALIDATION', message: UPLOAD_MESSAGES.tooLarge } });
    expect(written()).toEqual([]);
  });

  it('stops a file that grows past the cap while it arrives and keeps nothing of it', async () => {
    await start({ maxUploadBytes: 4096 });
    const official = await signedIn();
    expect((await official.upload(new Uint8Array(4096), { chunked: true })).status).toBe(200);
    expect(written()).toHaveLength(1);
    // Over the cap with no Content-Length: the answer is a 413 or the connection cut, never a token.
    const outcome = await official.upload(new Uint8Array(8192), { chunked: true }).then(
      (r) => r.status,
      () => 'cut',
    );
    expect([413, 'cut']).toContain(outcome);
    expect(written()).toHaveLength(1);
  });

  it(`holds at most ${MAX_UPLOADS_PER_CLIENT} uploads per client: one more while all are arriving is refused; a finished one more replaces the oldest`, async () => {
    await start();
    const official = await signedIn();
    // Three uploads that have started and not finished.
    const arriving: Array<{ req: ClientRequest; answer: Promise<IncomingMessage> }> = [];
    for (let i = 0; i < MAX_UPLOADS_PER_CLIENT; i += 1) {
      const req = request(`${host.origin}/api/upload`, {
        method: 'POST',
        lookup: loopbackLookup,
        headers: { 'X-Console-Bridge': '1', Cookie: official.cookies },
      });
      const answer = new Promise<IncomingMessage>((resolve, reject) => {
        req.on('response', resolve);
        req.on('error', reject);
      });
      req.write(Buffer.alloc(100, i + 1));
      arriving.push({ req, answer });
    }
    await expect.poll(() => written().length).toBe(MAX_UPLOADS_PER_CLIENT);
    const fourth = await official.upload(new Uint8Array(10));
    expect(fourth.status).toBe(429);
    expect(fourth.json()).toEqual({ ok: false, error: { code: 'CONFLICT', message: UPLOAD_MESSAGES.tooMany } });
    // Another signed-in client has its own quota.
    const colleague = await signedIn();
    expect((await colleague.upload(new Uint8Array(10))).status).toBe(200);

    const tokens: string[] = [];
    for (const { req, answer } of arriving) {
      req.end();
      const res = await answer;
      let body = '';
      for await (const chunk of res) body += (chunk as Buffer).toString();
      expect(res.statusCode).toBe(200);
      tokens.push((JSON.parse(body) as { value: { token: string } }).value.token);
    }
    const request4 = (token: string) => ({ uploadToken: token, filterName: 'Archive', extensions: ['socarchive'] });
    const me = host.clientIdOf(official.session)!;
    const oldest = await files.open(me, request4(tokens[0]!));
    expect(oldest).not.toBeNull();

    const latest = (await official.upload(new Uint8Array(10))).json<{ ok: true; value: { token: string } }>();
    expect(latest.ok).toBe(true);
    expect(await files.open(me, request4(tokens[0]!))).toBeNull();
    expect(written()).not.toContain(oldest!.split('/').at(-1));
    for (const token of [...tokens.slice(1), latest.value.token]) expect(await files.open(me, request4(token))).not.toBeNull();
    // Three of this client's and one of the colleague's.
    expect(written()).toHaveLength(MAX_UPLOADS_PER_CLIENT + 1);
  });

  it('clears its folder: what an earlier run left, and everything when the host stops', async () => {
    mkdirSync(join(h.dir, 'transfers'), { recursive: true });
    writeFileSync(join(h.dir, 'transfers', 'upload-left-by-a-crash'), 'stale');
    await start();
    expect(written()).toEqual([]);
    const official = await signedIn();
    expect((await official.upload(new Uint8Array(10))).status).toBe(200);
    expect(written()).toHaveLength(1);
    files.dispose();
    expect(() => readdirSync(files.folder)).toThrow(/ENOENT/);
  });
});

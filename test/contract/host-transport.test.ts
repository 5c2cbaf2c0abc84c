import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_TOO_LARGE, startHost } from '../../main/host/server.js';
import { HostFileTransfer } from '../../main/host/file-transfer.js';
import type { RunningHost } from '../../main/host/server.js';
import { CONTENT_SECURITY_POLICY } from '../../main/shell/policy.js';
import { CHANNELS } from '../../shared/ipc/contract.js';
import { ERROR_CODES } from '../../shared/ipc/errors.js';
import { Harness, PASSWORD, PROVIDER_ORG } from '../support/console-harness.js';
import { HostClient, hostRequest } from './host-client.js';
import { ApiError, UNREACHABLE_MESSAGE, call, messageOf } from '../../renderer/api.js';

describe('the browser host transport', () => {
  let h: Harness;
  let host: RunningHost;

  beforeEach(async () => {
    h = await Harness.create();
    const rendererDir = join(h.dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
    host = await startHost({ dispatch: h.app.dispatch, rendererDir, sessions: () => h.app.services.sessions });
  });
  afterEach(async () => {
    await host.close();
    await h.dispose();
  });

  it('listens on 127.0.0.1 only, on a port it chose, under a random *.localhost name of its own', () => {
    expect(host.server.address()).toMatchObject({ address: '127.0.0.1', port: host.port });
    expect(host.hostName).toMatch(/^soc-[0-9a-f]{16}\.localhost$/);
    expect(host.origin).toBe(`http://${host.hostName}:${host.port}`);
    expect(host.url).toMatch(new RegExp(`^http://${host.hostName}:${host.port}/\\?k=[A-Za-z0-9_-]{40,}$`));
  });

  it('answers nothing without the per-launch secret', async () => {
    const stranger = new HostClient(host);
    expect((await stranger.get('/')).status).toBe(403);
    expect((await stranger.invoke('app.status', {})).status).toBe(403);
    expect((await stranger.open(`${host.origin}/?k=wrong`)).status).toBe(403);
  });

  it('trades the secret for one HttpOnly session cookie (never the secret) and injects the bridge before the app', async () => {
    const client = new HostClient(host);
    const launch = await client.open();
    expect(launch.status).toBe(303);
    expect(launch.setCookies).toHaveLength(1);
    expect(launch.setCookies[0]).toMatch(/^soc_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(client.session).not.toBe(new URL(host.url).searchParams.get('k'));
    const page = await client.get('/');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<head><script src="/host-bridge.js"></script>');
    expect((await client.get('/host-bridge.js')).text).toContain("Object.defineProperty(window, 'api'");
  });

  it('never adopts a session cookie planted by another local server', async () => {
    const user = (await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] }))['pat']!;
    const victim = new HostClient(host);
    await victim.open();
    await victim.invoke('auth.signIn', { userId: 'pat', password: PASSWORD, code: h.code(user.secret), agreeToTerms: true });
    const planted = victim.session;
    expect(planted).not.toBe('');
    const response = await hostRequest(host.url, { headers: { Cookie: `soc_session=${planted}` } });
    const issued = response.setCookies.find((c) => c.startsWith('soc_session='));
    expect(issued).toBeDefined();
    expect(issued).not.toContain(planted);
  });

  it('refuses cross-origin calls and calls without the bridge header', async () => {
    const client = new HostClient(host);
    await client.open();
    expect((await client.invoke('app.status', {}, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await client.invoke('app.status', {}, { 'X-Console-Bridge': '' })).status).toBe(403);
    expect((await client.get('/../../etc/passwd')).status).toBe(404);
  });

  it("serves the renderer folder, with the shell's CSP, and nothing outside it", async () => {
    const rendererDir = join(h.dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(h.dir, 'secret.txt'), 'not for the page');
    const client = new HostClient(host);
    await client.open();
    const page = await client.get('/index.html');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.text).toContain('<head><script src="/host-bridge.js"></script>');
    expect((await client.get('/assets/index-abc.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A URL loses plain dot segments before it is sent; these reach the server as written.
    for (const path of ['/..%2Fsecret.txt', '/assets/..%2F..%2Fsecret.txt', '/%2e%2e%2Fsecret.txt', '/%E0%A4%A', '/index.html%00.js']) {
      const response = await client.get(path);
      expect(response.status, path).toBe(404);
      expect(response.text, path).not.toContain('not for the page');
    }
  });

  it('answers every channel of the contract with a typed result', async () => {
    const client = new HostClient(host);
    await client.open();
    for (const channel of CHANNELS) {
      const result = (await client.invoke(channel, {})).json<{ ok: boolean; error?: { code: string; message: string } }>();
      if (!result.ok) {
        expect(ERROR_CODES).toContain(result.error?.code);
        expect(result.error?.message.length).toBeGreaterThan(0);
      }
    }
    const malformed = await hostRequest(`${host.origin}/api/invoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: client.cookies },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
  });

  it('signs a user in over HTTP, with a session bound to this browser only', async () => {
    const user = (await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] }))['pat']!;
    const browser = new HostClient(host);
    await browser.open();
    const signIn = (await browser.invoke('auth.signIn', { userId: 'pat', password: PASSWORD, code: h.code(user.secret), agreeToTerms: true })).json();
    expect(signIn).toMatchObject({ ok: true, value: { state: 'warning' } });
    expect((await browser.invoke('auth.acceptWarning', {})).json()).toMatchObject({ ok: true, value: { state: 'active' } });
    expect((await browser.invoke('mfa.list', {})).json()).toMatchObject({ ok: true });

    const otherBrowser = new HostClient(host);
    await otherBrowser.open();
    expect((await otherBrowser.invoke('mfa.list', {})).json()).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('offers an export once, as a download, to the browser that asked for it; takes uploads only from it', async () => {
    await host.close();
    const files = new HostFileTransfer(join(h.dir, 'transfers'), h.clock);
    host = await startHost({ dispatch: h.app.dispatch, rendererDir: join(h.dir, 'renderer'), files, sessions: () => h.app.services.sessions });
    const user = (await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'pat', organization: '123' }] }))['pat']!;
    const owner = new HostClient(host);
    await owner.open();
    await owner.invoke('auth.signIn', { userId: 'pat', password: PASSWORD, code: h.code(user.secret), agreeToTerms: true });
    expect((await owner.invoke('auth.acceptWarning', {})).json()).toMatchObject({ ok: true, value: { state: 'active' } });
    const other = new HostClient(host);
    await other.open();
    const clientOf = (c: HostClient) => host.clientIdOf(c.session) ?? '';

    const target = await files.save(clientOf(owner), '../Users 123.csv');
    writeFileSync(target.path, 'First Name,Last Name\nPat,Lee\n');
    const delivery = await target.commit();
    expect(delivery).toMatchObject({ kind: 'download', fileName: 'Users-123.csv' });
    const url = delivery.kind === 'download' ? delivery.url : '';
    expect((await other.get(url)).status).toBe(404);
    const download = await owner.get(url);
    expect(download.headers['content-disposition']).toBe('attachment; filename="Users-123.csv"');
    expect(download.text).toBe('First Name,Last Name\nPat,Lee\n');
    expect((await owner.get(url)).status).toBe(404);

    const upload = await owner.upload(new Uint8Array([1, 2, 3, 4]), { name: 'history.socarchive' });
    const uploaded = upload.json<{ ok: boolean; value: { token: string; size: number } }>();
    expect(uploaded).toMatchObject({ ok: true, value: { fileName: 'history.socarchive', size: 4 } });
    const request = { uploadToken: uploaded.value.token, filterName: 'Archive', extensions: ['socarchive'] };
    expect(await files.open(clientOf(other), request)).toBeNull();
    const path = await files.open(clientOf(owner), request);
    expect([...readFileSync(path!)]).toEqual([1, 2, 3, 4]);
    expect((await owner.upload(new Uint8Array([1]), { headers: { 'X-Console-Bridge': '' } })).status).toBe(403);
  });

  it('has no clock hook unless started for tests', async () => {
    const client = new HostClient(host);
    await client.open();
    const response = await hostRequest(`${host.origin}/api/test/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: client.cookies },
      body: JSON.stringify({ advanceMs: 1000 }),
    });
    expect(response.status).toBe(404);
  });

  it('answers a call over its size limit with a VALIDATION error the page shows, not a cut connection; the host keeps serving', async () => {
    const client = new HostClient(host);
    await client.open();
    const tooLarge = { ok: false, error: { code: 'VALIDATION', message: REQUEST_TOO_LARGE } };
    const huge = 'x'.repeat(2_000_000);
    const declared = await client.invoke('history.page', { search: huge });
    expect(declared.status).toBe(413);
    expect(declared.json()).toEqual(tooLarge);
    // The same without a Content-Length: the size is known only as the body arrives.
    const streamed = await hostRequest(`${host.origin}/api/invoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1', Cookie: client.cookies },
      body: JSON.stringify({ channel: 'history.page', input: { search: huge } }),
      chunked: true,
    });
    expect(streamed.status).toBe(413);
    expect(streamed.json()).toEqual(tooLarge);
    expect(REQUEST_TOO_LARGE).toMatch(/^The request is too large/);
    expect((await client.invoke('app.status', {})).status).toBe(200);

    // The page's api reads it as a refusal with words to show, not as the console being unreachable.
    const page = globalThis as unknown as { api?: unknown };
    page.api = { invoke: async (channel: string, input: unknown) => (await client.invoke(channel, input)).json() };
    try {
      const refused = await call('history.page', { search: huge }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ code: 'VALIDATION' });
      expect(messageOf(refused)).toBe(REQUEST_TOO_LARGE);
      expect(messageOf(refused)).not.toBe(UNREACHABLE_MESSAGE);
    } finally {
      delete page.api;
    }
  });
});

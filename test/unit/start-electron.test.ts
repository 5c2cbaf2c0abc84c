import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binaryPresent, headersCached, missingPieces, preflight, reachable } from '../../scripts/electron-preflight.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const NO_PROXY_ENV = { ...process.env, HTTPS_PROXY: '', https_proxy: '', GLOBAL_AGENT_HTTPS_PROXY: '' };

/** A fake node_modules/electron: its package.json, and the binary when asked. */
function electronDir(dir: string, withBinary: boolean): string {
  const e = join(dir, 'electron');
  mkdirSync(join(e, 'dist'), { recursive: true });
  writeFileSync(join(e, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1' }));
  if (withBinary) {
    writeFileSync(join(e, 'path.txt'), 'electron');
    writeFileSync(join(e, 'dist', 'electron'), '');
  }
  return e;
}

describe('npm start on a machine that cannot download Electron', () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), 'soc-start-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('names what is missing: a piece is missing only when it is neither here nor downloadable', () => {
    const all = { binaryPresent: true, binaryHostReachable: true, headersCached: true, headersHostReachable: true };
    expect(missingPieces(all)).toEqual([]);
    expect(missingPieces({ ...all, binaryPresent: false })).toEqual([]);
    expect(missingPieces({ ...all, binaryPresent: false, binaryHostReachable: false })).toEqual(['binary']);
    expect(missingPieces({ ...all, headersCached: false })).toEqual([]);
    expect(missingPieces({ ...all, headersCached: false, headersHostReachable: false })).toEqual(['headers']);
    expect(missingPieces({ binaryPresent: false, binaryHostReachable: false, headersCached: false, headersHostReachable: false })).toEqual([
      'binary',
      'headers',
    ]);
    // Here already: the network does not matter.
    expect(missingPieces({ binaryPresent: true, binaryHostReachable: false, headersCached: true, headersHostReachable: false })).toEqual([]);
  });

  it('finds the binary and the cached headers where Electron and @electron/rebuild keep them', () => {
    const d = temp();
    expect(binaryPresent(electronDir(join(d, 'a'), false))).toBe(false);
    expect(binaryPresent(electronDir(join(d, 'b'), true))).toBe(true);
    expect(headersCached('45.4.1', d)).toBe(false);
    mkdirSync(join(d, '.electron-gyp', '45.4.1', 'include', 'node'), { recursive: true });
    writeFileSync(join(d, '.electron-gyp', '45.4.1', 'include', 'node', 'node.h'), '');
    expect(headersCached('45.4.1', d)).toBe(true);
  });

  it('says what is missing and points to npm run start:web; says nothing where Electron can be prepared; probes only what is not here', async () => {
    const d = temp();
    const probed: string[] = [];
    const offline = async (url: string) => (probed.push(url), false);
    const none = await preflight({ electronDir: electronDir(join(d, 'none'), false), home: d, env: {}, probe: offline });
    expect(none.missing).toEqual(['binary', 'headers']);
    expect(none.message).toContain('The Electron binary is not installed');
    expect(none.message).toContain("Electron's headers are not cached (~/.electron-gyp/45.4.1)");
    expect(none.message).toContain('github.com cannot be reached');
    expect(none.message).toContain('www.electronjs.org cannot be reached');
    expect(none.message).toContain('npm run start:web');
    expect(probed).toHaveLength(2);

    probed.length = 0;
    const binaryHere = await preflight({
      electronDir: electronDir(join(d, 'bin'), true),
      home: d,
      env: { ELECTRON_REBUILD_DIST_URL: 'https://mirror.example/headers' },
      probe: offline,
    });
    expect(binaryHere.missing).toEqual(['headers']);
    expect(binaryHere.message).toContain('mirror.example cannot be reached');
    expect(probed).toEqual(['https://mirror.example/headers']);

    const online = await preflight({ electronDir: electronDir(join(d, 'on'), false), home: d, env: {}, probe: async () => true });
    expect(online).toMatchObject({ missing: [], message: null });
  });

  it('a probe answers within its time limit: a host that answers is reachable; a refused or silent one is not', async () => {
    const answering = createServer((_req, res) => res.writeHead(404).end());
    const silent = createServer(() => undefined);
    servers.push(answering, silent);
    for (const s of [answering, silent]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    expect(await reachable(url(answering), 2_000, NO_PROXY_ENV)).toBe(true);
    const started = Date.now();
    expect(await reachable(url(silent), 300, NO_PROXY_ENV)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await reachable('http://127.0.0.1:1/', 2_000, NO_PROXY_ENV)).toBe(false);
  });

  it("npm start's check fails at once, before the build, with the message, when the headers cannot be had", () => {
    const home = temp();
    const started = Date.now();
    const run = spawnSync(process.execPath, ['scripts/start-electron.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      // An empty home (no cached headers) and hosts that refuse: the machine this guards.
      env: { ...NO_PROXY_ENV, HOME: home, USERPROFILE: home, ELECTRON_MIRROR: 'http://127.0.0.1:1/', ELECTRON_REBUILD_DIST_URL: 'http://127.0.0.1:1/headers' },
    });
    expect(run.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.stderr).toContain("Electron's headers are not cached");
    expect(run.stderr).toContain('npm run start:web');
  });
});

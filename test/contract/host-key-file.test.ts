import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostKeyProvider, defaultKeyFile, prepareKeyFile, userKeyFolder } from '../../main/host/key-location.js';
import { Harness } from '../support/console-harness.js';
import { hostRequest } from './host-client.js';

const ROOT = resolve(import.meta.dirname, '../..');
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** The browser host's data key lives outside the data folder, in a per-user key folder (never the real one here). */
describe('where the browser host keeps its data key', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  let notices: string[];

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'soc-keys-'));
    env = { XDG_CONFIG_HOME: join(work, 'config') };
    dataDir = join(work, 'data');
    mkdirSync(dataDir);
    notices = [];
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const options = (extra: { keyFile?: string; demo?: boolean } = {}) => ({
    dataDir,
    demo: extra.demo ?? false,
    keyFile: extra.keyFile,
    env,
    notice: (line: string) => notices.push(line),
  });

  it('by default: in $XDG_CONFIG_HOME/security-official-console/keys (or ~/.config), named by a hash of the real path of the data folder', () => {
    const keys = join(work, 'config', 'security-official-console', 'keys');
    expect(userKeyFolder(env)).toBe(keys);
    // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
    expect(userKeyFolder({ XDG_CONFIG_HOME: 'relative' })).toBe(join(homedir(), '.config', 'security-official-console', 'keys'));
    const path = defaultKeyFile(dataDir, false, env);
    expect(path).toMatch(new RegExp(`^${keys}/console-[0-9a-f]{32}\\.key$`));
    expect(defaultKeyFile(dataDir, true, env)).toMatch(/\/demo-[0-9a-f]{32}\.key$/);
    symlinkSync(dataDir, join(work, 'link'));
    expect(defaultKeyFile(join(work, 'link'), false, env)).toBe(path);
    mkdirSync(join(work, 'other'));
    expect(defaultKeyFile(join(work, 'other'), false, env)).not.toBe(path);
  });

  it('a new console gets its key there: a 0600 file in a 0700 folder, nothing in the data folder', () => {
    const provider = new HostKeyProvider(options());
    // The console makes its database before it asks for the key.
    writeFileSync(join(dataDir, 'console.sqlite'), '');
    const key = provider.loadOrCreateKey();
    const path = defaultKeyFile(dataDir, false, env);
    expect(readFileSync(path).equals(key)).toBe(true);
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(userKeyFolder(env))).toBe(0o700);
    expect(existsSync(join(dataDir, 'console.key'))).toBe(false);
    expect(notices).toEqual([]);
  });

  it('moves a key an older version kept beside the database, once, and says so', () => {
    const old = Buffer.alloc(32, 7);
    writeFileSync(join(dataDir, 'console.key'), old, { mode: 0o600 });
    expect(new HostKeyProvider(options()).loadOrCreateKey().equals(old)).toBe(true);
    expect(existsSync(join(dataDir, 'console.key'))).toBe(false);
    expect(readFileSync(defaultKeyFile(dataDir, false, env)).equals(old)).toBe(true);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`Moved the data key out of the data folder, from ${join(dataDir, 'console.key')} to ${defaultKeyFile(dataDir, false, env)}`);
    expect(new HostKeyProvider(options()).loadOrCreateKey().equals(old)).toBe(true);
    expect(notices).toHaveLength(1);
  });

  it('--key-file names the place; a key beside the database moves there, unless that is the place named', () => {
    const named = join(work, 'elsewhere', 'my.key');
    writeFileSync(join(dataDir, 'console.key'), Buffer.alloc(32, 1), { mode: 0o600 });
    expect(prepareKeyFile(options({ keyFile: named }))).toBe(named);
    expect(readFileSync(named).equals(Buffer.alloc(32, 1))).toBe(true);
    expect(existsSync(defaultKeyFile(dataDir, false, env))).toBe(false);

    const beside = join(dataDir, 'demo.key');
    writeFileSync(beside, Buffer.alloc(32, 2), { mode: 0o600 });
    expect(prepareKeyFile(options({ keyFile: beside, demo: true }))).toBe(beside);
    expect(existsSync(beside)).toBe(true);
  });

  it('refuses two different keys for one folder, and a database whose key is missing (a moved folder) rather than make a new key', () => {
    writeFileSync(join(dataDir, 'console.key'), Buffer.alloc(32, 1), { mode: 0o600 });
    mkdirSync(userKeyFolder(env), { recursive: true });
    writeFileSync(defaultKeyFile(dataDir, false, env), Buffer.alloc(32, 2), { mode: 0o600 });
    expect(() => prepareKeyFile(options())).toThrow(/two different data keys/);
    // The same key twice: the copy in the data folder goes.
    writeFileSync(join(dataDir, 'console.key'), Buffer.alloc(32, 2), { mode: 0o600 });
    prepareKeyFile(options());
    expect(existsSync(join(dataDir, 'console.key'))).toBe(false);

    rmSync(defaultKeyFile(dataDir, false, env));
    writeFileSync(join(dataDir, 'console.sqlite'), '');
    expect(() => new HostKeyProvider(options()).loadOrCreateKey()).toThrow(/is not at .*--key-file/);
    expect(existsSync(defaultKeyFile(dataDir, false, env))).toBe(false);
  });

  it('the host CLI moves an old key out of the data folder, says so on stderr, and prints its *.localhost URL', async () => {
    // A console of an older version: its key beside its database.
    const h = await Harness.create({ dir: dataDir });
    const key = readFileSync(join(dataDir, 'console.key'));
    await h.app.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/host/cli.ts', '--data', dataDir, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await expect.poll(() => stdout, { timeout: 20_000 }).toMatch(/Console ready at \S+/);
      const url = /Console ready at (\S+)/.exec(stdout)![1]!;
      expect(url).toMatch(/^http:\/\/soc-[0-9a-f]{16}\.localhost:\d+\/\?k=[A-Za-z0-9_-]{43}$/);
      expect((await hostRequest(url)).status).toBe(303);
      expect(stderr).toContain('Moved the data key out of the data folder');
      expect(existsSync(join(dataDir, 'console.key'))).toBe(false);
      expect(readFileSync(defaultKeyFile(dataDir, false, env)).equals(key)).toBe(true);
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    expect(existsSync(join(dataDir, 'transfers'))).toBe(false);
  }, 30_000);
});

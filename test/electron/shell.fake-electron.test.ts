import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The Electron shell's own logic, run here where the Electron binary is absent: `electron` is
 * replaced by a small fake that records what the shell registers, and each registration is
 * then driven like Electron would. What only a real Electron can show (the window, the
 * sandbox) is in signin.electron.spec.ts, which runs where the binary exists.
 */
type ProtocolHandler = (request: Request) => Promise<Response>;
type InvokeHandler = (event: unknown, channel: unknown, input: unknown) => Promise<unknown>;

const fake = vi.hoisted(() => {
  const state = {
    invokeHandlers: new Map<string, (...args: unknown[]) => unknown>(),
    encryptionAvailable: true,
    backend: 'gnome_libsecret' as string,
    failDecrypt: false,
  };
  // A reversible stand-in for the OS keystore: not secret, but never the plain text.
  const seal = (text: string) => Buffer.from(`sealed:${Buffer.from(text, 'utf8').toString('hex')}`, 'utf8');
  const unseal = (sealed: Buffer) => {
    const body = sealed.toString('utf8');
    if (state.failDecrypt || !body.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(body.slice('sealed:'.length), 'hex').toString('utf8');
  };
  const electron = {
    protocol: { registerSchemesAsPrivileged: () => undefined },
    ipcMain: {
      handle: (channel: string, handler: (...args: unknown[]) => unknown) => state.invokeHandlers.set(channel, handler),
      removeHandler: (channel: string) => state.invokeHandlers.delete(channel),
    },
    safeStorage: {
      isAsyncEncryptionAvailable: async () => state.encryptionAvailable,
      getSelectedStorageBackend: () => state.backend,
      encryptStringAsync: async (text: string) => seal(text),
      decryptStringAsync: async (sealed: Buffer) => ({ result: unseal(sealed), shouldReEncrypt: false }),
    },
  };
  return { state, electron };
});

vi.mock('electron', () => fake.electron);

const { serveRenderer } = await import('../../main/shell/app-protocol.js');
const { registerConsoleIpc } = await import('../../main/shell/ipc.js');
const { parseShellArgs } = await import('../../main/shell/args.js');
const { CONTENT_SECURITY_POLICY, isAllowedRequest, isConsolePage, isPermissionAllowed } = await import('../../main/shell/policy.js');
const { KeyStorageUnavailableError, SafeStorageKeyProvider } = await import('../../main/shell/safe-storage-key.js');

let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'soc-shell-'));
  fake.state.encryptionAvailable = true;
  fake.state.backend = 'gnome_libsecret';
  fake.state.failDecrypt = false;
  fake.state.invokeHandlers.clear();
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

describe('the app:// protocol serves the built renderer and nothing else', () => {
  function serve(): ProtocolHandler {
    const rendererDir = join(workDir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Console</title>');
    writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(workDir, 'secret.txt'), 'not for the page');
    let handler: ProtocolHandler | undefined;
    const session = { protocol: { handle: (_scheme: string, h: ProtocolHandler) => (handler = h) } };
    serveRenderer(session as never, rendererDir);
    if (!handler) throw new Error('serveRenderer registered no handler');
    return handler;
  }

  it('answers the console page with the strict CSP and the module script with a JavaScript type', async () => {
    const handle = serve();
    const page = await handle(new Request('app://console/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>Console</title>');
    const script = await handle(new Request('app://console/assets/index-abc.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses paths that climb out of the renderer folder, other hosts and other methods', async () => {
    const handle = serve();
    const refused = [
      'app://console/../secret.txt',
      'app://console/..%2Fsecret.txt',
      'app://console/%2e%2e/secret.txt',
      'app://console/assets/..%2F..%2Fsecret.txt',
    ];
    // A malformed escape and a NUL byte name no file either.
    for (const url of [...refused, 'app://console/%E0%A4%A', 'app://console/index.html%00.js']) {
      const response = await handle(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('not for the page');
    }
    expect((await handle(new Request('app://elsewhere/index.html'))).status).toBe(404);
    expect((await handle(new Request('app://console/missing.js'))).status).toBe(404);
    expect((await handle(new Request('app://console/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('the IPC transport answers only the console page in the main frame of the console window', () => {
  const consoleUrl = 'app://console/index.html';

  function setUp() {
    const mainFrame = { processId: 4, routingId: 1, parent: null, url: consoleUrl };
    const destroyedListeners: Array<() => void> = [];
    const webContents = { id: 7, mainFrame, once: (event: string, listener: () => void) => event === 'destroyed' && destroyedListeners.push(listener) };
    const window = { isDestroyed: () => false, webContents };
    const dispatch = vi.fn(async () => ({ ok: true, value: 'dispatched' }));
    const close = vi.fn();
    registerConsoleIpc({ dispatch, closeSession: close } as never, () => window as never);
    const handler = fake.state.invokeHandlers.get('console:invoke') as InvokeHandler | undefined;
    if (!handler) throw new Error('no console:invoke handler');
    return { handler, webContents, mainFrame, dispatch, close, destroyedListeners };
  }

  it('dispatches a call from the console page, keyed by its window, and ends that session when the window goes', async () => {
    const { handler, webContents, mainFrame, dispatch, close, destroyedListeners } = setUp();
    const result = await handler({ sender: webContents, senderFrame: { ...mainFrame } }, 'app.status', {});
    expect(result).toEqual({ ok: true, value: 'dispatched' });
    expect(dispatch).toHaveBeenCalledWith({ clientId: 'window:7' }, 'app.status', {});
    await handler({ sender: webContents, senderFrame: { ...mainFrame, url: `${consoleUrl}#/home` } }, 'home.summary', {});
    expect(destroyedListeners).toHaveLength(1);
    destroyedListeners[0]!();
    expect(close).toHaveBeenCalledWith('window:7');
  });

  it('refuses an iframe, another window, a page navigated elsewhere and a vanished frame', async () => {
    const { handler, webContents, mainFrame, dispatch } = setUp();
    const refused = [
      { sender: webContents, senderFrame: { ...mainFrame, routingId: 9, parent: mainFrame } },
      { sender: { ...webContents, id: 8 }, senderFrame: { ...mainFrame } },
      { sender: webContents, senderFrame: { ...mainFrame, url: 'https://example.org/index.html' } },
      { sender: webContents, senderFrame: { ...mainFrame, url: 'file:///tmp/index.html' } },
      { sender: webContents, senderFrame: null },
    ];
    for (const event of refused) {
      expect(await handler(event, 'app.status', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });
});

describe('the data key is sealed by safeStorage', () => {
  it('creates a 0600 file that does not hold the key, and opens the same key again', async () => {
    const path = join(workDir, 'console.key.sealed');
    const first = (await SafeStorageKeyProvider.open(path, { allowPlainTextBackend: false })).loadOrCreateKey();
    expect(first).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    const stored = readFileSync(path, 'utf8');
    expect(stored).not.toContain(first.toString('base64'));
    expect(stored).not.toContain(first.toString('hex'));
    const again = (await SafeStorageKeyProvider.open(path, { allowPlainTextBackend: false })).loadOrCreateKey();
    expect(again.equals(first)).toBe(true);
  });

  it('refuses to start when secure storage is unavailable, or is only a plain-text fallback outside the demo', async () => {
    const path = join(workDir, 'console.key.sealed');
    fake.state.encryptionAvailable = false;
    await expect(SafeStorageKeyProvider.open(path, { allowPlainTextBackend: true })).rejects.toBeInstanceOf(KeyStorageUnavailableError);
    fake.state.encryptionAvailable = true;
    fake.state.backend = 'basic_text';
    if (process.platform === 'linux') {
      await expect(SafeStorageKeyProvider.open(path, { allowPlainTextBackend: false })).rejects.toBeInstanceOf(KeyStorageUnavailableError);
    }
    await expect(SafeStorageKeyProvider.open(path, { allowPlainTextBackend: true })).resolves.toBeInstanceOf(SafeStorageKeyProvider);
  });

  it('refuses a key file other users can read, and one this account cannot unseal', async () => {
    const path = join(workDir, 'console.key.sealed');
    await SafeStorageKeyProvider.open(path, { allowPlainTextBackend: false });
    fake.state.failDecrypt = true;
    await expect(SafeStorageKeyProvider.open(path, { allowPlainTextBackend: false })).rejects.toBeInstanceOf(KeyStorageUnavailableError);
    fake.state.failDecrypt = false;
    if (process.platform !== 'win32') {
      chmodSync(path, 0o644);
      await expect(SafeStorageKeyProvider.open(path, { allowPlainTextBackend: false })).rejects.toThrow(/readable by other users/);
    }
  });
});

describe('command line and policy', () => {
  it('reads --demo and --user-data-dir and leaves Chromium switches alone', () => {
    expect(parseShellArgs(['electron', 'dist/main/electron.js', '--demo', '--user-data-dir=/tmp/x', '--no-sandbox'])).toEqual({
      demo: true,
      userDataDir: '/tmp/x',
    });
    expect(parseShellArgs(['Security Official Console'])).toEqual({ demo: false, userDataDir: null });
  });

  it('knows the console page and allows no remote scheme', () => {
    expect(isConsolePage('app://console/index.html')).toBe(true);
    expect(isConsolePage('app://console/index.html#/home')).toBe(true);
    expect(isConsolePage('app://console/other.html')).toBe(false);
    expect(isConsolePage('app://evil/index.html')).toBe(false);
    expect(isConsolePage('file:///work/main/dist/renderer/index.html')).toBe(false);
    for (const url of ['https://example.org/', 'http://127.0.0.1:8080/', 'ws://example.org/', 'file:///etc/passwd', 'ftp://example.org/']) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
    for (const url of ['app://console/assets/x.js', 'data:image/svg+xml,<svg/>', 'devtools://devtools/bundled/inspector.html']) {
      expect(isAllowedRequest(url), url).toBe(true);
    }
  });

  it('grants no permission but clipboard writes from the console page', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://console/index.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://console')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://consoleevil/index.html')).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.org/')).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'hid']) {
      expect(isPermissionAllowed(permission, 'app://console/index.html'), permission).toBe(false);
    }
  });
});

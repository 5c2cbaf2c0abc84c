import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, test as base, expect } from '@playwright/test';
import type { ElectronApplication, Page } from '@playwright/test';
import { generateSync } from 'otplib';
import { HomePage, SignInPage, WarningPage } from '../e2e/pages/console-pages.js';
import { findElectronBinary } from './electron-binary.js';
import type { DemoAccount } from '../../main/services/demo.js';
import type { ConsoleBridge } from '../../shared/ipc/contract.js';

/**
 * The sign-in of the browser-host specs (test/e2e/sign-in.spec.ts), through the real Electron
 * shell: preload bridge, IPC sender check, app:// protocol, safeStorage-sealed key. Skipped,
 * saying why, where the Electron binary is absent.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const MAIN_BUNDLE = join(ROOT, 'dist/main/electron.js');
const CONSOLE_URL = 'app://console/index.html';
const binary = findElectronBinary();

if (binary.path === null) console.log(`[test:electron] skipped: ${binary.reason}`);

/** The page's globals, as the test reaches them (the root tsconfig has no DOM types). */
interface PageGlobals {
  api: ConsoleBridge;
  open(url: string): unknown;
  location: { href: string };
}

/** One Electron console on its own user-data folder, opened on the demo database. */
class ElectronConsole {
  private constructor(
    readonly app: ElectronApplication,
    readonly window: Page,
    readonly dataDir: string,
  ) {}

  static async launchDemo(executablePath: string): Promise<ElectronConsole> {
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-electron-'));
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const app = await _electron.launch({
      executablePath,
      args: [MAIN_BUNDLE, '--demo', `--user-data-dir=${dataDir}`],
      cwd: ROOT,
      env: env as Record<string, string>,
    });
    const window = await app.firstWindow();
    await window.waitForURL(CONSOLE_URL);
    return new ElectronConsole(app, window, dataDir);
  }

  /** The shell writes demo-accounts.json beside the demo database before it opens the window. */
  demoAccount(userId: string): DemoAccount {
    const accounts = JSON.parse(readFileSync(join(this.dataDir, 'demo-accounts.json'), 'utf8')) as DemoAccount[];
    const account = accounts.find((a) => a.userId === userId);
    if (!account) throw new Error(`No demo account ${userId}`);
    return account;
  }

  async close(): Promise<void> {
    await this.app.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const test = base.extend<{ demoConsole: ElectronConsole }>({
  demoConsole: async ({}, use) => {
    if (binary.path === null) throw new Error(binary.reason);
    const console = await ElectronConsole.launchDemo(binary.path);
    await use(console);
    await console.close();
  },
});

test.skip(binary.path === null, binary.reason ?? '');

test('a provider official signs in with a fresh code, accepts the warning and sees the home page', async ({ demoConsole }) => {
  const account = demoConsole.demoAccount('provider.so1');
  const page = demoConsole.window;
  await new SignInPage(page).signIn(account.userId, account.password, generateSync({ secret: account.totpKey }));
  await new WarningPage(page).accept();
  await new HomePage(page).expectWelcome('Pamela');
});

test('the console window has no Node, one bridge function, and cannot leave the console', async ({ demoConsole }) => {
  const page = demoConsole.window;

  const globals = await page.evaluate(() => ({
    node: ['require', 'process', 'Buffer', 'module'].filter((name) => name in globalThis),
    api: Object.keys((globalThis as unknown as PageGlobals).api),
  }));
  expect(globals).toEqual({ node: [], api: ['invoke'] });

  // A channel the contract does not have never reaches the main process.
  const unknown = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.invoke('store.dropEverything', {}));
  expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

  // No remote content: the CSP and the request filter both refuse it.
  const remote = await page.evaluate(() =>
    fetch('https://example.org/').then(
      () => 'loaded',
      () => 'blocked',
    ),
  );
  expect(remote).toBe('blocked');

  // No new windows, and no navigation away from the console page.
  const opened = await page.evaluate(() => (globalThis as unknown as PageGlobals).open('https://example.org/') === null);
  expect(opened).toBe(true);
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).location.href = 'https://example.org/';
  });
  const status = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.invoke('app.status', {}));
  expect(status).toMatchObject({ ok: true });
  await expect(page).toHaveURL(CONSOLE_URL);
  expect(demoConsole.app.windows()).toHaveLength(1);
});

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, crashReporter, dialog, session } from 'electron';
import log from 'electron-log/main.js';
import type { BrowserWindow } from 'electron';
import { dataKeyFileName } from '../app.js';
import { failureLogLine } from '../ipc/failures.js';
import { ConsoleRunner, watchProcessFailures } from '../runner.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { DialogFileTransfer } from './files.js';
import { parseShellArgs } from './args.js';
import { hardenAllWebContents, hardenSession } from './hardening.js';
import { clientIdOf, registerConsoleIpc } from './ipc.js';
import { installMenu } from './menu.js';
import { KeyStorageUnavailableError, SafeStorageKeyProvider, sealedKeyFileName } from './safe-storage-key.js';
import { SafeStorageMailSettings, SettingsStore } from './settings.js';
import { watchRendererHealth } from './renderer-health.js';
import { createConsoleWindow, showConsolePage } from './window.js';

/**
 * The Electron main process: lifecycle, one hardened window, and the Electron transport of the
 * one router. Everything else (database, sessions, rules) is main/app.ts, shared with the
 * browser host. Bundled by scripts/build-main.mjs into dist/main/electron.js.
 */

// Paths of the build output, relative to this bundle (dist/main/electron.js).
const PRELOAD_PATH = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));

// Everything written under userData (settings, logs, crash dumps) is the user's alone; the
// console's own files also set their modes explicitly.
process.umask(0o077);
// Crash dumps stay on this computer (crashDumps folder): nothing is ever uploaded.
crashReporter.start({ uploadToServer: false, compress: true });
// The console's log file (userData/logs/main.log). Lines name what failed, never inputs or secrets.
log.transports.file.level = 'info';
// Nothing fails unseen. After an uncaught exception the process is in an unknown state: quit,
// which still closes the database cleanly (will-quit below).
watchProcessFailures(
  (line) => log.error(line),
  () => {
    dialog.showErrorBox(
      'Security Official Console stopped',
      'Something went wrong and the console must close. Your decisions already saved are kept. Please open the console again.',
    );
    app.quit();
  },
);

const args = parseShellArgs(process.argv);
// Before the single-instance lock, which is per user-data folder.
if (args.userDataDir) app.setPath('userData', resolve(args.userDataDir));

let consoleWindow: BrowserWindow | null = null;
let consoleApp: ConsoleRunner | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another console already runs on this data: it gets the focus (below) and we leave.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!consoleWindow || consoleWindow.isDestroyed()) return;
    if (consoleWindow.isMinimized()) consoleWindow.restore();
    consoleWindow.show();
    consoleWindow.focus();
  });
  app.enableSandbox();
  registerAppScheme();
  hardenAllWebContents();
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing || !consoleApp) return;
    // Close the database cleanly (WAL checkpoint) before the process ends.
    event.preventDefault();
    closing = true;
    consoleApp
      .close()
      .catch((error: unknown) => logError('shutdown', error))
      .finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => refuseToStart(error));
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  serveRenderer(session.defaultSession, RENDERER_DIR);
  installMenu();

  const dataDir = app.getPath('userData');
  const keyProvider = await SafeStorageKeyProvider.open(join(dataDir, sealedKeyFileName(dataKeyFileName(args.demo))), { allowPlainTextBackend: args.demo });
  const settings = new SettingsStore(dataDir);
  // The SMTP password sealed by safeStorage. The demo keeps its own mail settings (sealed by the
  // demo key, beside the demo database), so made-up data never goes out through the real server.
  const mailSettings = args.demo ? undefined : new SafeStorageMailSettings(settings);
  const files = new DialogFileTransfer(() => consoleWindow);
  // The start-up checks, a staged restore, the recovery screen, and (background) outbox delivery,
  // the 120-day check and daily backups; all stopped by consoleApp.close() on quit.
  // The window opens at once ("Starting the console…"); calls wait until the checks are done.
  const runner = ConsoleRunner.begin({ dataDir, keyProvider, demo: args.demo, logError, mailSettings, files, background: true, log: (line) => log.info(line) });
  consoleApp = runner;
  runner
    .ready()
    .then(() => {
      if (!args.demo) return;
      // For testers and the Electron end-to-end test: how to sign in as each demo account (made-up data only).
      writeFileSync(join(dataDir, 'demo-accounts.json'), `${JSON.stringify(runner.current?.demoAccounts ?? [], null, 2)}\n`, { mode: 0o600 });
    })
    .catch((error: unknown) => refuseToStart(error));
  registerConsoleIpc(runner, () => consoleWindow);

  const window = createConsoleWindow(PRELOAD_PATH, settings);
  consoleWindow = window;
  window.on('closed', () => {
    if (consoleWindow === window) consoleWindow = null;
  });
  const contents = window.webContents;
  watchRendererHealth(window, {
    endSession: () => consoleApp?.closeSession(clientIdOf(contents)),
    reload: () => showConsolePage(window),
    giveUp: () => {
      dialog.showErrorBox(
        'Security Official Console stopped',
        'The console window stopped unexpectedly several times. Your decisions already saved are kept. Please open the console again.',
      );
      app.quit();
    },
    log: (line) => log.warn(line),
  });
  await showConsolePage(window);
}

function refuseToStart(error: unknown): void {
  logError('startup', error);
  const detail =
    error instanceof KeyStorageUnavailableError
      ? error.message
      : `${error instanceof Error ? error.message : String(error)}\n\nNothing was changed. If this continues, contact your help desk.`;
  dialog.showErrorBox('Security Official Console cannot start', detail);
  app.exit(1);
}

/** Never given inputs (which may hold passwords or codes): only where, the reference the user was shown, and what failed. */
function logError(where: string, error: unknown, incident?: string): void {
  log.error(failureLogLine(where, error, incident));
}

#!/usr/bin/env node
/**
 * `npm start`: first `--check` (before the build) whether Electron can be prepared here
 * (electron-preflight.mjs): without its binary or its headers, and no way to download them, it
 * says what is missing and points to `npm run start:web` at once, instead of waiting on a download
 * without a word. Then (after `npm run build`) it rebuilds the native modules (better-sqlite3,
 * argon2) for Electron's ABI, within a time limit, and runs Electron on this folder (package.json
 * "main" is dist/main/electron.js). Arguments after `--` go to the console, e.g. `npm start -- --demo`.
 *
 * Plain Node cannot load the modules afterwards; `npm test` runs scripts/ensure-node-abi.mjs
 * first, which rebuilds them for Node again.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight } from './electron-preflight.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));
/** Compiling better-sqlite3 from source on a slow machine takes minutes; a rebuild stuck on the network never ends. */
const REBUILD_TIMEOUT_MS = Number(process.env.SOC_REBUILD_TIMEOUT_MS) || 10 * 60_000;

const checkOnly = process.argv[2] === '--check';
const consoleArgs = process.argv.slice(2).filter((arg) => arg !== '--check');

// require.resolve finds the package without running its index (which would download the binary).
const electronDir = dirname(require.resolve('electron'));
const { version, message } = await preflight({ electronDir });
if (message) {
  console.error(message);
  process.exit(1);
}
if (checkOnly) process.exit(0);

console.log(`start-electron: rebuilding better-sqlite3 and argon2 for Electron ${version} (a few minutes the first time)...`);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const rebuild = await run(npx, ['electron-builder', 'install-app-deps'], REBUILD_TIMEOUT_MS);
if (rebuild === 'timeout') {
  console.error(
    `start-electron: rebuilding the native modules for Electron did not finish within ${Math.round(REBUILD_TIMEOUT_MS / 60_000)} minutes ` +
      '(it downloads Electron headers, or prebuilt modules, on first use). Check the network, or start the console in your browser instead: npm run start:web',
  );
  process.exit(1);
}
if (rebuild !== 0) {
  console.error('start-electron: `electron-builder install-app-deps` failed (see above). To start the console without Electron: npm run start:web');
  process.exit(typeof rebuild === 'number' ? rebuild : 1);
}

let electronBinary;
try {
  // The electron package's index is the path of its binary; it downloads the binary on first use.
  electronBinary = require('electron');
} catch (error) {
  console.error(
    `start-electron: the Electron binary is not available: ${error instanceof Error ? error.message : error}\nTo start the console without Electron: npm run start:web`,
  );
  process.exit(1);
}

const env = { ...process.env };
// Set by some editors' terminals; it would start Electron as plain Node.
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electronBinary, ['.', ...consoleArgs], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** Runs a command in its own process group, ended whole (node-gyp, make, the compiler) if it outlasts the limit. */
function run(command, args, timeoutMs) {
  return new Promise((resolve) => {
    const detached = process.platform !== 'win32';
    const proc = spawn(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', detached });
    const stop = (signal) => {
      try {
        if (detached && proc.pid) process.kill(-proc.pid, signal);
        else proc.kill(signal);
      } catch {
        // Already gone.
      }
    };
    const onSignal = (signal) => stop(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop('SIGTERM');
      setTimeout(() => stop('SIGKILL'), 5_000).unref();
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(timedOut ? 'timeout' : (code ?? 1));
    });
    proc.on('error', () => {
      clearTimeout(timer);
      resolve(1);
    });
  });
}

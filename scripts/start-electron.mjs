#!/usr/bin/env node
/**
 * `npm start` (after `npm run build`): rebuild the native modules (better-sqlite3, argon2) for
 * Electron's ABI, then run Electron on this folder (package.json "main" is
 * dist/main/electron.js). Arguments after `--` go to the console, e.g. `npm start -- --demo`.
 *
 * Plain Node cannot load the modules afterwards; `npm test` runs scripts/ensure-node-abi.mjs
 * first, which rebuilds them for Node again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const rebuild = spawnSync(npx, ['electron-builder', 'install-app-deps'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (rebuild.status !== 0) {
  console.error('start-electron: `electron-builder install-app-deps` failed (it downloads Electron headers on first use).');
  process.exit(rebuild.status ?? 1);
}

let electronBinary;
try {
  // The electron package's index is the path of its binary; it downloads the binary on first use.
  electronBinary = require('electron');
} catch (error) {
  console.error(`start-electron: the Electron binary is not available: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const env = { ...process.env };
// Set by some editors' terminals; it would start Electron as plain Node.
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electronBinary, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

#!/usr/bin/env node
/**
 * `npm start` rebuilds better-sqlite3 and argon2 for Electron's ABI (scripts/start-electron.mjs);
 * plain Node (vitest, the browser host) then cannot load them ("was compiled against a
 * different Node.js version ... NODE_MODULE_VERSION"). Run before the tests: when that is the
 * case, rebuild them for this Node; otherwise it returns at once.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const NATIVE = ['better-sqlite3', 'argon2'];

/** Loads each native module for real (better-sqlite3 only loads its addon when a database opens). */
function probe() {
  const require = createRequire(new URL('../package.json', import.meta.url));
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    require('argon2');
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

const isAbiMismatch = (error) =>
  /NODE_MODULE_VERSION|compiled against a different Node\.js version|ERR_DLOPEN_FAILED/.test(`${error.code ?? ''} ${error.message}`);

const failure = probe();
if (failure === null) process.exit(0);
if (!isAbiMismatch(failure) || process.env.SOC_ABI_RECHECK === '1') {
  console.error(`ensure-node-abi: a native module does not load in Node ${process.versions.node}:\n${failure.message}`);
  process.exit(1);
}

console.log(`ensure-node-abi: ${NATIVE.join(' and ')} were built for Electron (npm start); rebuilding them for Node ${process.versions.node}...`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const rebuild = spawnSync(npm, ['rebuild', ...NATIVE], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (rebuild.status !== 0) {
  console.error('ensure-node-abi: `npm rebuild` failed; see above.');
  process.exit(rebuild.status ?? 1);
}
// A fresh process: this one may hold the failed load.
const check = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SOC_ABI_RECHECK: '1' },
});
process.exit(check.status ?? 1);

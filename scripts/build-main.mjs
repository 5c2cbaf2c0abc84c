#!/usr/bin/env node
/**
 * Bundles the Electron main process and its preload with esbuild:
 *   main/shell/main.ts    -> dist/main/electron.js  (ESM, Node; every npm package stays external)
 *   main/store/audit-worker.ts -> dist/main/audit-worker.js (the worker thread for chain checks
 *                                                    and archives; found beside electron.js)
 *   main/store/archive-worker.ts -> dist/main/archive-worker.js (an opened review archive's reads)
 *   main/store/database-thread.ts -> dist/main/database-thread.js (the thread that owns the
 *                                                    console's SQLite connection)
 *   main/store/wal-checkpointer.ts -> dist/main/wal-checkpointer.js (copies the write-ahead log
 *                                                    back into the file, beside the database thread)
 *   main/host/cli.ts      -> dist/main/host.js      (the browser host, started by node without tsx)
 *   main/shell/preload.cts -> dist/main/preload.cjs (CJS, one self-contained file: a sandboxed
 *                                                    preload can require nothing but 'electron')
 *
 * npm packages are not bundled into the main process: electron-builder ships the production
 * `dependencies` in app.asar anyway (native better-sqlite3 and argon2 must stay outside a
 * bundle), and keeping them external runs the same module code as the browser host under tsx.
 * The build fails if the main process would need a package that is only a devDependency.
 *
 * The preload's channel allow-list is read from shared/ipc/contract.ts here, at build time,
 * and written into the bundle, so zod (which the contract is built from) stays out of it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'main');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const runtimePackages = new Set(Object.keys(packageJson.dependencies ?? {}));
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function fail(message) {
  console.error(`build-main: ${message}`);
  process.exit(1);
}

/** 'a/b' -> 'a', '@s/a/b' -> '@s/a' */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Externals an output imports at run time, from esbuild's metafile. */
function externalImportsOf(metafile) {
  const imports = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const entry of output.imports) if (entry.external) imports.add(entry.path);
  }
  return [...imports].sort();
}

// The single source of truth for channels and the CSP, read from the TypeScript sources.
const { CHANNELS } = await tsImport('../shared/ipc/contract.ts', import.meta.url);
const { CONTENT_SECURITY_POLICY } = await tsImport('../main/shell/policy.ts', import.meta.url);
if (!Array.isArray(CHANNELS) || CHANNELS.length === 0 || !CHANNELS.every((c) => typeof c === 'string')) {
  fail('shared/ipc/contract.ts exported no CHANNELS');
}

// The Electron response header and the renderer's meta tag must state one policy.
const rendererHtml = join(root, 'renderer', 'index.html');
const metaPolicy = readFileSync(rendererHtml, 'utf8').match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/)?.[1];
if (metaPolicy === undefined) fail(`${relative(root, rendererHtml)} has no Content-Security-Policy meta tag`);
if (metaPolicy.trim() !== CONTENT_SECURITY_POLICY) {
  fail(`the CSP in ${relative(root, rendererHtml)} differs from main/shell/policy.ts:\n  meta:  ${metaPolicy}\n  shell: ${CONTENT_SECURITY_POLICY}`);
}

rmSync(outDir, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

const mainResult = await build({
  ...common,
  entryPoints: ['main/shell/main.ts'],
  outfile: 'dist/main/electron.js',
  format: 'esm',
  packages: 'external',
  external: ['electron'],
});

// The audit worker thread runs its own file (main/store/audit-worker-client.ts looks for it beside electron.js).
const workerResult = await build({
  ...common,
  entryPoints: ['main/store/audit-worker.ts'],
  outfile: 'dist/main/audit-worker.js',
  format: 'esm',
  packages: 'external',
});
if (!existsSync(join(outDir, 'audit-worker.js'))) fail('the audit worker was not built');

// An opened review archive is read in its own worker thread (main/store/archive-worker-client.ts looks for it beside electron.js).
const archiveWorkerResult = await build({
  ...common,
  entryPoints: ['main/store/archive-worker.ts'],
  outfile: 'dist/main/archive-worker.js',
  format: 'esm',
  packages: 'external',
});
if (!existsSync(join(outDir, 'archive-worker.js'))) fail('the archive worker was not built');

// The console's database runs in its own thread (main/store/database-client.ts looks for it beside electron.js).
const databaseThreadResult = await build({
  ...common,
  entryPoints: ['main/store/database-thread.ts'],
  outfile: 'dist/main/database-thread.js',
  format: 'esm',
  packages: 'external',
});
if (!existsSync(join(outDir, 'database-thread.js'))) fail('the database thread was not built');

// The write-ahead log is checkpointed beside it, on a thread of its own (database-client.ts starts it).
const checkpointerResult = await build({
  ...common,
  entryPoints: ['main/store/wal-checkpointer.ts'],
  outfile: 'dist/main/wal-checkpointer.js',
  format: 'esm',
  packages: 'external',
});
if (!existsSync(join(outDir, 'wal-checkpointer.js'))) fail('the checkpointer was not built');

// The browser host as one file beside the workers it starts: node runs it without compiling
// TypeScript first, as the desktop app runs electron.js (npm run bench:start times both ways).
const hostResult = await build({
  ...common,
  entryPoints: ['main/host/cli.ts'],
  outfile: 'dist/main/host.js',
  format: 'esm',
  packages: 'external',
});
if (!existsSync(join(outDir, 'host.js'))) fail('the browser host was not built');

const missing = [
  ...externalImportsOf(mainResult.metafile),
  ...externalImportsOf(workerResult.metafile),
  ...externalImportsOf(archiveWorkerResult.metafile),
  ...externalImportsOf(databaseThreadResult.metafile),
  ...externalImportsOf(checkpointerResult.metafile),
  ...externalImportsOf(hostResult.metafile),
]
  .filter((specifier) => !builtins.has(specifier) && specifier !== 'electron')
  .filter((specifier) => !runtimePackages.has(packageNameOf(specifier)));
if (missing.length > 0) {
  fail(`the main process imports ${missing.join(', ')}, which package.json lists only as devDependencies; the installed app would not have them`);
}

const preloadResult = await build({
  ...common,
  entryPoints: ['main/shell/preload.cts'],
  outfile: 'dist/main/preload.cjs',
  format: 'cjs',
  external: ['electron'],
  define: { __CONSOLE_CHANNELS__: JSON.stringify(CHANNELS) },
});

const preloadImports = externalImportsOf(preloadResult.metafile);
if (preloadImports.some((specifier) => specifier !== 'electron')) {
  fail(`the sandboxed preload may only require 'electron', but requires ${preloadImports.join(', ')}`);
}
const bundledPackages = Object.keys(preloadResult.metafile.inputs).filter((input) => input.includes('node_modules/'));
if (bundledPackages.length > 0) fail(`the preload bundles npm code (${bundledPackages.join(', ')}); keep it to the channel list`);

console.log(
  `build-main: dist/main/electron.js, dist/main/audit-worker.js, dist/main/archive-worker.js, dist/main/database-thread.js, dist/main/wal-checkpointer.js, dist/main/host.js and dist/main/preload.cjs (${CHANNELS.length} channels)`,
);

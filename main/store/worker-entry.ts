import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';

type WorkerName = 'audit-worker' | 'archive-worker' | 'database-thread' | 'wal-checkpointer';

/**
 * Starts one of the console's worker threads (`name` is its file in main/store without the
 * extension). The built app runs the bundled `name.js` beside the main bundle. From the
 * TypeScript sources (tests, the browser host under tsx) the worker runs the same file bundled
 * in memory by esbuild, once per process: Node 20 does not apply --import loaders to worker
 * threads, and loading each module through tsx's require hook cost every new thread about
 * 150 ms more (a test suite starts thousands).
 */
export function startStoreWorker(name: WorkerName, workerData: unknown): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new Worker(sourceBundle(name, here), { eval: true, workerData });
  return new Worker(new URL(`./${name}.js`, here), { workerData });
}

const bundles = new Map<WorkerName, string>();

function sourceBundle(name: WorkerName, here: string): string {
  let code = bundles.get(name);
  if (code === undefined) {
    const entry = fileURLToPath(new URL(`./${name}.ts`, here));
    const require = createRequire(here);
    // A devDependency, reached only when running from the sources (never in the built app).
    const esbuild = require('esbuild') as typeof Esbuild;
    const output = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    }).outputFiles[0];
    if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
    // npm packages are required as from the source file, whatever the working folder.
    code = `(function (require, module, exports) {\n${output.text}\n})(require('node:module').createRequire(${JSON.stringify(entry)}), { exports: {} }, {});`;
    bundles.set(name, code);
  }
  return code;
}

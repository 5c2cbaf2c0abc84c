import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts one of the console's worker threads (`name` is its file in main/store without the
 * extension). The built app runs the bundled `name.js` beside the main bundle. From the
 * TypeScript sources (tests, the browser host under tsx) the worker loads `name.ts` through
 * tsx's require hook: Node 20 does not apply --import loaders to worker threads.
 */
export function startStoreWorker(name: 'audit-worker' | 'archive-worker' | 'database-thread' | 'wal-checkpointer', workerData: unknown): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const require = createRequire(here);
    const entry = fileURLToPath(new URL(`./${name}.ts`, here));
    const boot = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(new URL(`./${name}.js`, here), { workerData });
}

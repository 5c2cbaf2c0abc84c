import type { Worker } from 'node:worker_threads';
import { startStoreWorker } from './worker-entry.js';
import type { AuditTask, AuditTaskResult, ProgressPhase, WorkerMessage } from './audit-worker.js';

export type { AuditTask, AuditTaskResult, ProgressPhase };

/** A worker's failure, carrying the error's name so callers can tell an unreadable file from a bug. */
export class AuditTaskError extends Error {
  constructor(
    message: string,
    readonly originalName: string,
  ) {
    super(message);
    this.name = 'AuditTaskError';
  }
}

/**
 * Runs audit tasks on worker threads, one thread per task. The built app (dist/main) runs the
 * bundled audit-worker.js beside it. From the TypeScript sources (tests, the browser host under
 * tsx), the worker loads the .ts file through tsx's require hook: Node 20 does not apply
 * --import loaders to worker threads.
 */
export class AuditWorkers {
  private readonly running = new Set<Worker>();
  private closed = false;

  /** Stopped with the console: a task cut short then is not a failure worth reporting. */
  get stopped(): boolean {
    return this.closed;
  }

  run(task: AuditTask, onProgress?: (checked: number, total: number, phase?: ProgressPhase) => void): Promise<AuditTaskResult> {
    if (this.closed) return Promise.reject(new AuditTaskError('The console is closing', 'WorkerExit'));
    const worker = startStoreWorker('audit-worker', task);
    this.running.add(worker);
    return new Promise<AuditTaskResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.running.delete(worker);
        fn();
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') onProgress?.(message.checked, message.total, message.phase);
        else if (message.type === 'done') settle(() => resolve(message.result));
        else settle(() => reject(new AuditTaskError(message.message, message.name)));
      });
      worker.on('error', (error) => settle(() => reject(new AuditTaskError(error.message, error.name))));
      worker.on('exit', (code) => settle(() => reject(new AuditTaskError(`The audit worker stopped (exit code ${code})`, 'WorkerExit'))));
    });
  }

  /** Stops every running task (the console is closing). */
  async stop(): Promise<void> {
    this.closed = true;
    const workers = [...this.running];
    this.running.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

import type { Worker } from 'node:worker_threads';
import { startStoreWorker } from './worker-entry.js';
import { ArchiveChangedError, ArchiveFormatError } from './archive-file.js';
import type { ArchiveCheck, ArchiveManifest } from './archive-file.js';
import { ARCHIVE_STORE_METHODS } from './archive-worker-protocol.js';
import type { ArchiveReply, ArchiveRequest, ArchiveStoreName, ArchiveWorkerData } from './archive-worker-protocol.js';
import type { AuditTrailStore } from './audit-trail-store.js';
import type { HistoryStore } from './history-store.js';
import type { OrganizationRow } from './requests-store.js';

/** A read that failed in the archive's worker, with the error's name there. */
export class ArchiveReadError extends Error {
  constructor(
    message: string,
    readonly originalName: string,
  ) {
    super(message);
    this.name = 'ArchiveReadError';
  }
}

export interface ArchiveReaderOptions {
  /** The error a read gets once the archive is closed (the caller's words for it). */
  closedError?: () => Error;
}

/**
 * One opened review archive, read in its own worker thread (archive-worker.ts): the History and
 * Audit stores here have the same methods as the SQLite ones and forward each call to the
 * worker, which answers them in order on its connection. The main thread only posts messages,
 * so a slow read of one archive stalls nobody else's calls. Closing terminates the worker,
 * which ends a read that is still running.
 */
export class ArchiveReader {
  readonly history: HistoryStore;
  readonly audit: AuditTrailStore;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly manifest: ArchiveManifest,
    readonly check: ArchiveCheck,
    readonly organizations: OrganizationRow[],
    private readonly closedError: () => Error,
  ) {
    this.history = this.remote<HistoryStore>('history');
    this.audit = this.remote<AuditTrailStore>('audit');
    worker.on('message', (reply: ArchiveReply) => {
      if (reply.type !== 'result' && reply.type !== 'error') return;
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.type === 'result') call.resolve(reply.value);
      else call.reject(new ArchiveReadError(reply.message, reply.name));
    });
    const stop = () => this.end();
    worker.on('error', stop);
    worker.on('exit', stop);
  }

  /**
   * Starts the archive's worker and waits until it has opened and verified the file. Refused
   * with an ArchiveFormatError (the worker's words) when the file is not an archive as this
   * console writes it.
   */
  static open(archivePath: string, options: ArchiveReaderOptions = {}): Promise<ArchiveReader> {
    const data: ArchiveWorkerData = { archivePath };
    const worker = startStoreWorker('archive-worker', data);
    const closedError = options.closedError ?? (() => new Error('The archive is closed'));
    return new Promise<ArchiveReader>((resolve, reject) => {
      // Only these listeners are removed: the Worker keeps listeners of its own.
      const detach = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (error: Error) => {
        detach();
        worker.once('error', () => undefined);
        void worker.terminate();
        reject(error);
      };
      const onMessage = (reply: ArchiveReply) => {
        if (reply.type === 'opened') {
          detach();
          resolve(new ArchiveReader(worker, reply.manifest, reply.check, reply.organizations, closedError));
        } else if (reply.type === 'refused') {
          fail(refusal(reply.name, reply.message));
        }
      };
      const onError = (error: Error) => fail(new ArchiveReadError(error.message, error.name));
      const onExit = (code: number) => fail(new ArchiveReadError(`The archive worker stopped (exit code ${code})`, 'WorkerExit'));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** False once closed, or when its worker has stopped. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Terminates the worker; reads still waiting get the closed error. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.end();
    await this.worker.terminate();
  }

  private end(): void {
    this.closed = true;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const call of waiting) call.reject(this.closedError());
  }

  private call(store: ArchiveStoreName, method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closedError());
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, store, method, args } satisfies ArchiveRequest);
    });
  }

  /**
   * A store whose every method posts the call to the worker. The worker's stores are the
   * SQLite ones, so each answer has the type the interface declares; the cast says so once here.
   */
  private remote<T>(store: ArchiveStoreName): T {
    const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of Object.keys(ARCHIVE_STORE_METHODS[store])) methods[method] = (...args: unknown[]) => this.call(store, method, args);
    return methods as T;
  }
}

/** The worker's refusal as the error it was there. */
function refusal(name: string, message: string): Error {
  if (name === 'ArchiveChangedError') return new ArchiveChangedError(message);
  if (name === 'ArchiveFormatError') return new ArchiveFormatError(message);
  return new ArchiveReadError(message, name);
}

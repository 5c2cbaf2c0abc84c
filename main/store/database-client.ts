import type { Worker } from 'node:worker_threads';
import { startStoreWorker } from './worker-entry.js';
import type { Clock } from '../clock.js';
import { READ_OPERATIONS, reviveBuffers } from './database-thread-protocol.js';
import type { CrossedError, DatabaseThreadOptions, ThreadCall, ThreadReply } from './database-thread-protocol.js';
import type { Store } from './store.js';
import type { CheckpointerMessage, CheckpointerOptions } from './wal-checkpointer.js';

/** What the console can learn about its database thread (the benchmarks read it). */
export interface DatabaseThreadStats {
  /** Calls answered, and the longest any one of them held the thread (ms). */
  calls: number;
  longestCallMs: number;
  longestCall: string | null;
  /** How long opening (and upgrading) the database took. */
  openedInMs: number;
  /** Calls a reader thread answered (they count in `calls` too), and how many times one was started. */
  readerCalls?: number;
  readerStarts?: number;
  /** Checkpoints of the write-ahead log made off the database thread, and the longest (ms). */
  checkpoints?: number;
  longestCheckpointMs?: number;
}

/**
 * The log is copied back into the file by a thread of its own once it holds 4 MiB, looked at
 * every quarter second; the database thread checkpoints itself only past 32 MiB (8,192 pages),
 * should that thread be behind or gone.
 */
const CHECKPOINT: Omit<CheckpointerOptions, 'path'> = { intervalMs: 250, minLogBytes: 4 * 1024 * 1024 };
const CHECKPOINT_AFTER_PAGES = 8192;

/** The checkpointer beside a database thread: started once the file is open, closed before it. */
function startCheckpointer(path: string, stats: DatabaseThreadStats): { close(): Promise<void> } {
  const worker = startStoreWorker('wal-checkpointer', { path, ...CHECKPOINT } satisfies CheckpointerOptions);
  stats.checkpoints = 0;
  stats.longestCheckpointMs = 0;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  worker.on('message', (message: CheckpointerMessage) => {
    if (message.type !== 'checkpointed') return;
    stats.checkpoints = (stats.checkpoints ?? 0) + 1;
    stats.longestCheckpointMs = Math.max(stats.longestCheckpointMs ?? 0, message.ms);
  });
  // A checkpointer that failed has stopped itself; the database thread's own threshold remains.
  worker.on('error', () => undefined);
  return {
    close: async () => {
      if (!exited) {
        worker.postMessage({ type: 'close' });
        // Its connection closes first, so that the database thread's is the last and removes the log.
        await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      }
      await worker.terminate();
    },
  };
}

/** A console's Store, with what it measured of its own calls (the benchmarks read it). */
export interface ConsoleStore extends Store {
  stats(): DatabaseThreadStats;
}

/** The Store of a console whose database lives in its own thread. */
export type ThreadStore = ConsoleStore;

/** An error thrown on the database thread, as the console sees it: same name, message and code. */
export class DatabaseThreadError extends Error {
  readonly code?: string;
  constructor(crossed: CrossedError, callStack?: string) {
    super(crossed.message);
    this.name = crossed.name;
    if (crossed.code !== undefined) this.code = crossed.code;
    // Both halves: where the thread failed, and which call of the console's asked for it.
    this.stack = `${crossed.stack ?? `${crossed.name}: ${crossed.message}`}\n    --- called from ---\n${callStack ?? ''}`;
  }
}

/**
 * Names that String(), template literals, JSON.stringify and test matchers look up on their own:
 * answered as a plain object would, not sent to the thread (which refuses them) as a call whose
 * rejection nobody awaits.
 */
const COERCIONS = new Set(['toString', 'valueOf', 'toLocaleString', 'toJSON']);
const notAnOperation = (name: string): boolean => COERCIONS.has(name);

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  label: string;
  /** Where the call was made; its stack is only formatted if the call fails (formatting costs more than the capture). */
  origin: Error;
}

/** How many times a console starts a reader (the first time included) before leaving every call to the database thread. */
const READER_STARTS = 4;

/** "part.method" of every read a reader thread may answer. */
const READS = new Set(Object.entries(READ_OPERATIONS).flatMap(([part, methods]) => (methods ?? []).map((method) => `${part}.${method}`)));

/**
 * Starts the database thread on `path` and resolves once the file is open and upgraded (or
 * rejects with the reason it could not be: a newer schema, a review archive, a locked file…).
 * Beside it, once the file is open, a reader thread answers the reads of READ_OPERATIONS from a
 * read-only connection, so that a page never waits behind a long write; if the reader cannot
 * start or stops, its calls go to the database thread, which answers everything.
 */
export function openThreadStore(path: string, clock: Clock): Promise<ThreadStore> {
  const inFile = path !== ':memory:';
  const options: DatabaseThreadOptions = { path, now: clock.now(), ...(inFile ? { checkpointAfterPages: CHECKPOINT_AFTER_PAGES } : {}) };
  const worker = startStoreWorker('database-thread', options);
  const pending = new Map<number, Pending>();
  const stats: DatabaseThreadStats = { calls: 0, longestCallMs: 0, longestCall: null, openedInMs: 0 };
  let checkpointer: { close(): Promise<void> } | null = null;
  let reader: Reader | null = null;
  let nextId = 1;
  let exited: Error | null = null;

  const failAll = (error: Error): void => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };

  /** Settles a call from its thread's answer, and keeps the figures. */
  const settle = (waiting: Pending, reply: Extract<ThreadReply, { type: 'result' | 'error' }>): void => {
    stats.calls++;
    if (reply.ms > stats.longestCallMs) {
      stats.longestCallMs = reply.ms;
      stats.longestCall = waiting.label;
    }
    if (reply.type === 'result') waiting.resolve(reply.binary ? reviveBuffers(reply.value) : reply.value);
    else waiting.reject(new DatabaseThreadError(reply.error, waiting.origin.stack));
  };

  const send = (message: ThreadCall): void => {
    const waiting = pending.get(message.id);
    const label = waiting?.label ?? '';
    if (reader?.ready && READS.has(label)) {
      const r = reader;
      pending.delete(message.id);
      r.pending.set(message.id, { ...waiting!, message });
      try {
        r.worker.postMessage(message);
        return;
      } catch {
        r.pending.delete(message.id);
        pending.set(message.id, waiting!);
      }
    }
    worker.postMessage(message);
  };

  /** Set by close(): from then on calls are not sent. */
  let closing: Promise<void> | null = null;
  const call = (part: string | null, method: string, args: unknown[]): Promise<unknown> => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    const label = `${part ?? 'store'}.${method}`;
    const message: ThreadCall = { id, now: clock.now(), part, method, args };
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, label, origin: new Error() });
      // Once close() is called nothing new is sent, though the threads answer what came before;
      // this call fails with the others when the thread stops.
      if (closing !== null && !(part === null && method === 'close')) return;
      try {
        send(message);
      } catch (error) {
        // An argument that cannot be cloned: the call never left, so nothing will answer it.
        pending.delete(id);
        reject(error as Error);
      }
    });
  };

  /** The reader being closed by close(): if it stops meanwhile, its calls still go to the database thread. */
  let closingReader: Reader | null = null;
  /** A reader that stops on its own is started again, a few times a console's life, a second later. */
  let readerStarts = 0;

  /** The reader stopped: what it had not answered is asked of the database thread instead (reads are safe to ask twice). */
  const dropReader = (r: Reader): void => {
    if (reader !== r && closingReader !== r) return;
    const unexpected = reader === r;
    if (unexpected) reader = null;
    for (const [id, waiting] of r.pending) {
      if (exited) {
        waiting.reject(exited);
        continue;
      }
      pending.set(id, waiting);
      try {
        worker.postMessage(waiting.message);
      } catch (error) {
        pending.delete(id);
        waiting.reject(error as Error);
      }
    }
    r.pending.clear();
    r.ready = false;
    void r.worker.terminate();
    if (unexpected && closing === null && !exited && readerStarts < READER_STARTS) setTimeout(() => startReader(), 1000).unref();
  };

  const startReader = (): void => {
    if (closing !== null || exited || reader !== null) return;
    readerStarts += 1;
    let started: Worker;
    try {
      started = startStoreWorker('database-thread', { path, now: clock.now(), readOnly: true });
    } catch {
      // No reader: the database thread answers everything, as it would for a reader that stopped.
      return;
    }
    const r: Reader = { worker: started, pending: new Map(), ready: false };
    reader = r;
    stats.readerCalls ??= 0;
    stats.readerStarts = readerStarts;
    r.worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'ready') {
        r.ready = true;
        return;
      }
      if (reply.type === 'failed') {
        dropReader(r);
        return;
      }
      const waiting = r.pending.get(reply.id);
      if (!waiting) return;
      r.pending.delete(reply.id);
      stats.readerCalls = (stats.readerCalls ?? 0) + 1;
      settle(waiting, reply);
    });
    r.worker.on('error', () => dropReader(r));
    r.worker.on('exit', () => dropReader(r));
  };

  const closeReader = async (): Promise<void> => {
    const r = reader;
    if (!r) return;
    reader = null;
    closingReader = r;
    // Its calls in flight are answered first (by the database thread, should it stop meanwhile); nothing new is sent to it.
    const answered = [...r.pending.values()].map(
      (waiting) =>
        new Promise<void>((done) => {
          const { resolve, reject } = waiting;
          waiting.resolve = (value) => {
            resolve(value);
            done();
          };
          waiting.reject = (error) => {
            reject(error);
            done();
          };
        }),
    );
    await Promise.race([Promise.all(answered), new Promise((done) => setTimeout(done, 2000).unref())]);
    if (r.ready && closingReader === r) {
      // Its connection closes before the database thread's, whose close is the last and removes the log.
      const stopped = new Promise<void>((done) => r.worker.once('exit', () => done()));
      r.worker.postMessage({ id: 0, now: clock.now(), part: null, method: 'close', args: [] } satisfies ThreadCall);
      await Promise.race([stopped, new Promise((done) => setTimeout(done, 2000).unref())]);
    }
    closingReader = null;
    await r.worker.terminate();
    for (const waiting of r.pending.values()) waiting.reject(new DatabaseThreadError({ name: 'DatabaseClosed', message: 'The database thread stopped' }));
    r.pending.clear();
  };

  const parts = new Map<string, object>();
  const partProxy = (part: string): object => {
    let proxy = parts.get(part);
    if (!proxy) {
      const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
      proxy = new Proxy(
        {},
        {
          get: (target, method) => {
            if (typeof method !== 'string' || method === 'then') return undefined;
            if (notAnOperation(method)) return Reflect.get(target, method);
            let fn = methods.get(method);
            if (!fn) {
              fn = (...args: unknown[]) => call(part, method, args);
              methods.set(method, fn);
            }
            return fn;
          },
        },
      );
      parts.set(part, proxy);
    }
    return proxy;
  };

  const store = new Proxy({} as ThreadStore, {
    get: (target, key) => {
      if (typeof key !== 'string' || key === 'then') return undefined;
      if (notAnOperation(key)) return Reflect.get(target, key);
      if (key === 'stats') return () => ({ ...stats });
      if (key === 'close')
        return () => {
          closing ??= (async () => {
            try {
              await closeReader();
              await checkpointer?.close();
              if (!exited) await call(null, 'close', []);
            } catch (error) {
              // A thread that stopped meanwhile took its connection with it: the file is closed.
              if (!exited) throw error;
            } finally {
              await worker.terminate();
            }
          })();
          return closing;
        };
      if (key === 'signAuditHeadsWith') return (...args: unknown[]) => call(null, key, args);
      return partProxy(key);
    },
  });

  return new Promise<ThreadStore>((resolveOpen, rejectOpen) => {
    let opened = false;
    worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'ready') {
        opened = true;
        stats.openedInMs = reply.openedInMs;
        try {
          if (inFile) checkpointer = startCheckpointer(path, stats);
        } catch {
          // Without it the database thread checkpoints the log itself, past its own threshold.
          checkpointer = null;
        }
        if (inFile) startReader();
        resolveOpen(store);
        return;
      }
      if (reply.type === 'failed') {
        exited = new DatabaseThreadError(reply.error);
        void worker.terminate();
        rejectOpen(exited);
        return;
      }
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      settle(waiting, reply);
    });
    worker.on('error', (error) => {
      exited = new DatabaseThreadError({
        name: error.name,
        message: `The database thread failed: ${error.message}`,
        ...(error.stack ? { stack: error.stack } : {}),
      });
      failAll(exited);
      if (reader) void closeReader();
      if (!opened) rejectOpen(exited);
    });
    worker.on('exit', (code) => {
      exited ??= new DatabaseThreadError({ name: 'DatabaseClosed', message: `The database thread stopped (exit code ${code})` });
      void checkpointer?.close();
      if (reader) void closeReader();
      failAll(exited);
      if (!opened) rejectOpen(exited);
    });
  });
}

/** A reader thread and the calls it has not answered yet. */
interface Reader {
  worker: Worker;
  pending: Map<number, Pending & { message: ThreadCall }>;
  ready: boolean;
}

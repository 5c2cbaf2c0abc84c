import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from './sqlite.js';
import { crossError, hasBytes, reviveBuffers } from './database-thread-protocol.js';
import type { Store } from './store.js';
import type { DatabaseThreadOptions, ThreadCall, ThreadReply } from './database-thread-protocol.js';

/**
 * The embedded engine's own thread: it owns the one SQLite connection, so the process that
 * answers the window (Electron's main process, the browser host) never runs a query. Calls are
 * taken one at a time, in the order they came: a transaction runs whole before the next call.
 */
const port = parentPort;
if (!port) throw new Error('The database thread runs only as a worker thread');
const options = workerData as DatabaseThreadOptions;
let now = options.now;
const clock = { now: () => now };

const reply = (message: ThreadReply): void => port.postMessage(message);

let store: SqliteStore | null = null;
const started = performance.now();
try {
  store = options.readOnly ? SqliteStore.openReadOnly(options.path, clock) : SqliteStore.open(options.path, clock);
  if (options.checkpointAfterPages !== undefined) store.db.pragma(`wal_autocheckpoint = ${Math.floor(options.checkpointAfterPages)}`);
  reply({ type: 'ready', openedInMs: performance.now() - started });
} catch (error) {
  reply({ type: 'failed', error: crossError(error) });
}

/**
 * The parts of the Store a call may name, and nothing else (no prototype, no private helper by
 * another path, not the connection). Typed against the Store, so a part added there and not
 * here (or named here and not there) does not compile.
 */
const PART_NAMES = {
  meta: true,
  users: true,
  credentials: true,
  organizations: true,
  audit: true,
  requests: true,
  outbox: true,
  userAdmin: true,
  proofing: true,
  fsid: true,
  history: true,
  auditTrail: true,
  home: true,
  passwordResets: true,
  demo: true,
} as const satisfies Record<Exclude<keyof Store, 'close' | 'signAuditHeadsWith'>, true>;
const PARTS = new Set<string>(Object.keys(PART_NAMES));
const STORE_METHODS = new Set(['close', 'signAuditHeadsWith']);

let queue: Promise<void> = Promise.resolve();

port.on('message', (call: ThreadCall) => {
  queue = queue.then(() => run(call));
});

async function run(call: ThreadCall): Promise<void> {
  const begun = performance.now();
  try {
    if (!store) throw new Error('The database is not open');
    now = call.now;
    const target = resolve(store, call);
    const method = (target as Record<string, unknown>)[call.method] as (...args: unknown[]) => unknown;
    const value =
      options.readOnly && call.part !== null
        ? await inSnapshot(store, () => method.apply(target, reviveBuffers(call.args) as unknown[]))
        : await method.apply(target, reviveBuffers(call.args) as unknown[]);
    // Walked here, on the database thread, so that the console's thread walks only answers with bytes.
    reply({ type: 'result', id: call.id, value, ms: performance.now() - begun, binary: hasBytes(value) });
    if (call.part === null && call.method === 'close') port?.close();
  } catch (error) {
    reply({ type: 'error', id: call.id, error: crossError(error), ms: performance.now() - begun });
  }
}

/** A reader's call is one read transaction: a page and its count come from the same commit. */
async function inSnapshot(open: SqliteStore, fn: () => unknown): Promise<unknown> {
  open.db.exec('BEGIN');
  try {
    return await fn();
  } finally {
    if (open.db.inTransaction) open.db.exec('COMMIT');
  }
}

function resolve(open: SqliteStore, call: ThreadCall): object {
  const target: unknown =
    call.part === null ? (STORE_METHODS.has(call.method) ? open : null) : PARTS.has(call.part) ? open[call.part as keyof SqliteStore] : null;
  if (
    target === null ||
    typeof target !== 'object' ||
    call.method in Object.prototype ||
    typeof (target as Record<string, unknown>)[call.method] !== 'function'
  )
    throw new Error(`The database has no operation ${call.part ?? 'store'}.${call.method}`);
  return target;
}

import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * Copies the console's write-ahead log back into its database file, on a thread and a connection
 * of its own. SQLite otherwise checkpoints inside whichever commit crosses its threshold: on a
 * million-user file that commit took tens of milliseconds more, on the thread that answers the
 * console's calls. A PASSIVE checkpoint here waits for no one and no one waits for it: writers go
 * on appending to the log, readers keep their snapshots.
 */

export interface CheckpointerOptions {
  path: string;
  /** How often the log's size is looked at. */
  intervalMs: number;
  /** The log is copied back once it holds at least this many bytes. */
  minLogBytes: number;
}

export type CheckpointerMessage = { type: 'checkpointed'; ms: number; frames: number } | { type: 'failed'; name: string; message: string } | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('The checkpointer runs only as a worker thread');
const options = workerData as CheckpointerOptions;
const send = (message: CheckpointerMessage): void => port.postMessage(message);

let db: Database.Database | null = null;
let timer: NodeJS.Timeout | null = null;
/** SQLite's data_version at the last checkpoint: unchanged means no other connection committed since. */
let versionAtCheckpoint: number | null = null;

const logBytes = (): number => {
  try {
    return statSync(`${options.path}-wal`).size;
  } catch {
    // No log at all (the last connection closed it): nothing to copy.
    return 0;
  }
};

const stop = (): void => {
  if (timer) clearTimeout(timer);
  timer = null;
  db?.close();
  db = null;
};

const tick = (): void => {
  timer = null;
  if (!db) return;
  try {
    // The log file keeps its size once copied (it is written over from the start): an idle
    // console's log is not copied again and again.
    const version = db.pragma('data_version', { simple: true }) as number;
    if (version !== versionAtCheckpoint && logBytes() >= options.minLogBytes) {
      versionAtCheckpoint = version;
      const started = performance.now();
      const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      send({ type: 'checkpointed', ms: performance.now() - started, frames: result?.checkpointed ?? 0 });
    }
  } catch (error) {
    // The console's own connection still checkpoints past its (larger) threshold: nothing is lost.
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'failed', name: e.name, message: e.message });
    stop();
    return;
  }
  timer = setTimeout(tick, options.intervalMs);
};

port.on('message', (message: { type: 'close' }) => {
  if (message.type !== 'close') return;
  stop();
  send({ type: 'closed' });
  port.close();
});

try {
  db = new Database(options.path, { fileMustExist: true });
  // A checkpoint syncs as the console's commits do: what it copies must survive a power cut.
  db.pragma('synchronous = FULL');
  // This connection never writes a row: it must not checkpoint on a commit of its own either.
  db.pragma('wal_autocheckpoint = 0');
  timer = setTimeout(tick, options.intervalMs);
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  send({ type: 'failed', name: e.name, message: e.message });
  stop();
}

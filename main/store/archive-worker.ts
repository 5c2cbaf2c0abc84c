import { parentPort, workerData } from 'node:worker_threads';
import { openArchiveFile, verifyArchiveSync } from './archive-file.js';
import type { OpenedArchive } from './archive-file.js';
import { ARCHIVE_STORE_METHODS } from './archive-worker-protocol.js';
import type { ArchiveReply, ArchiveRequest, ArchiveStoreName, ArchiveWorkerData } from './archive-worker-protocol.js';
import { systemClock } from '../clock.js';
import { SqlAuditTrailStore } from './audit-trail-store.js';
import { SqlHistoryStore } from './history-store.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StoreContext } from './store-context.js';

/**
 * The worker thread of one opened review archive: it opens the file (schema, integrity check and
 * manifest, see openArchiveFile), verifies its signature, digests and chain, and then answers
 * the History and Audit views' reads on its own connection until the archive is closed (the main
 * process terminates it). However long a read takes here, the console's main thread keeps
 * answering everyone else. See archive-worker-client.ts.
 */

type Method = (...args: unknown[]) => Promise<unknown>;

const post = (reply: ArchiveReply) => parentPort?.postMessage(reply);

function serve(context: StoreContext): void {
  const stores: Record<ArchiveStoreName, unknown> = { history: new SqlHistoryStore(context), audit: new SqlAuditTrailStore(context) };
  parentPort?.on('message', (request: ArchiveRequest) => {
    void (async () => {
      try {
        const allowed: Record<string, true> = ARCHIVE_STORE_METHODS[request.store];
        if (!Object.hasOwn(allowed, request.method)) throw new Error(`No such archive read: ${request.store}.${request.method}`);
        const method = (stores[request.store] as Record<string, Method>)[request.method] as Method;
        const value = await method.apply(stores[request.store], request.args);
        post({ type: 'result', id: request.id, value });
      } catch (error) {
        post({
          type: 'error',
          id: request.id,
          name: error instanceof Error ? error.name : 'Error',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    })();
  });
}

async function start({ archivePath }: ArchiveWorkerData): Promise<void> {
  let archive: OpenedArchive;
  try {
    archive = openArchiveFile(archivePath);
  } catch (error) {
    post({ type: 'refused', name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  // The archive's connection as the stores read it (they only read: the clock is never asked).
  const context = new StoreContext(new SqliteDatabase(archive.db), systemClock);
  try {
    const check = verifyArchiveSync(archive);
    const organizations = await new SqlHistoryStore(context).organizations();
    post({ type: 'opened', manifest: archive.manifest, check, organizations });
  } catch (error) {
    archive.db.close();
    post({ type: 'refused', name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  serve(context);
}

void start(workerData as ArchiveWorkerData);

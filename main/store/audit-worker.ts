import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { exportArchiveSync, openArchiveFile, verifyArchiveSync, writeManifest } from './archive-file.js';
import type { ArchiveCheck, ExportTask, UnsignedManifest } from './archive-file.js';
import { verifyLiveChain } from './chain-verify.js';
import type { LiveCheck } from './chain-verify.js';

/**
 * The worker thread behind long audit work: verifying the whole chain, exporting and verifying
 * archives. It opens its own connection, so the main process keeps answering (and writing)
 * while it reads; it reports progress and one result. See audit-worker-client.ts.
 */
export type AuditTask =
  | { kind: 'verify-live'; dbPath: string; consoleId: string; publicKeyDer: Uint8Array; afterId: number }
  | { kind: 'verify-archive'; archivePath: string }
  | ({ kind: 'export-archive' } & ExportTask)
  /** The signed manifest goes in last, here too: its write flushes the whole new file to disk. */
  | { kind: 'write-manifest'; archivePath: string; text: string; signature: string }
  /** A backup (or the live database): SQLite's own check, then the whole audit chain. */
  | { kind: 'check-database'; dbPath: string; consoleId: string; publicKeyDer: Uint8Array; thorough: boolean };

export type AuditTaskResult =
  | { kind: 'verify-live'; check: LiveCheck }
  | { kind: 'verify-archive'; check: ArchiveCheck }
  | { kind: 'export-archive'; manifest: UnsignedManifest }
  | { kind: 'write-manifest' }
  | { kind: 'check-database'; integrity: string; userVersion: number; check: LiveCheck | null };

export type WorkerMessage =
  | { type: 'progress'; checked: number; total: number }
  | { type: 'done'; result: AuditTaskResult }
  | { type: 'failed'; message: string; name: string };

function run(task: AuditTask): AuditTaskResult {
  switch (task.kind) {
    case 'verify-live': {
      const db = new Database(task.dbPath, { readonly: true, fileMustExist: true });
      try {
        db.pragma('cache_size = -32768');
        const check = verifyLiveChain(
          db,
          { consoleId: task.consoleId, publicKeyDer: Buffer.from(task.publicKeyDer) },
          { afterId: task.afterId, onProgress: (p) => parentPort?.postMessage({ type: 'progress', checked: p.checked, total: p.total } satisfies WorkerMessage) },
        );
        return { kind: 'verify-live', check };
      } finally {
        db.close();
      }
    }
    case 'verify-archive': {
      const archive = openArchiveFile(task.archivePath);
      try {
        return { kind: 'verify-archive', check: verifyArchiveSync(archive) };
      } finally {
        archive.db.close();
      }
    }
    case 'export-archive':
      return { kind: 'export-archive', manifest: exportArchiveSync(task) };
    case 'write-manifest':
      writeManifest(task.archivePath, task.text, task.signature);
      return { kind: 'write-manifest' };
    case 'check-database': {
      const db = new Database(task.dbPath, { readonly: true, fileMustExist: true });
      try {
        db.pragma('cache_size = -32768');
        // integrity_check reads every page and index; quick_check skips the index contents.
        const rows = db.pragma(task.thorough ? 'integrity_check(20)' : 'quick_check(20)') as Array<Record<string, string>>;
        const integrity = rows.map((r) => Object.values(r)[0]).join('; ');
        const userVersion = db.pragma('user_version', { simple: true }) as number;
        // A file SQLite finds damaged is not walked further: its rows cannot be trusted.
        const check =
          integrity === 'ok'
            ? verifyLiveChain(
                db,
                { consoleId: task.consoleId, publicKeyDer: Buffer.from(task.publicKeyDer) },
                { onProgress: (p) => parentPort?.postMessage({ type: 'progress', checked: p.checked, total: p.total } satisfies WorkerMessage) },
              )
            : null;
        return { kind: 'check-database', integrity, userVersion, check };
      } finally {
        db.close();
      }
    }
  }
}

try {
  parentPort?.postMessage({ type: 'done', result: run(workerData as AuditTask) } satisfies WorkerMessage);
} catch (error) {
  parentPort?.postMessage({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
    name: error instanceof Error ? error.name : 'Error',
  } satisfies WorkerMessage);
}

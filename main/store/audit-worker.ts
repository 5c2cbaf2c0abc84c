import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { exportArchive, openArchiveFile, verifyArchiveSync, writeManifest } from './archive-file.js';
import type { ArchiveCheck, ExportTask, UnsignedManifest } from './archive-file.js';
import { verifyLiveChain, verifyLiveChainSql } from './chain-verify.js';
import { PLAN_EACH_CALL, PgDatabase } from './postgres/pg-database.js';
import type { LiveCheck } from './chain-verify.js';
import type { DatabaseLocation } from './store.js';

/**
 * The worker thread behind long audit work: verifying the whole chain, exporting and verifying
 * archives. It opens its own connection, so the main process keeps answering (and writing)
 * while it reads; it reports progress and one result. See audit-worker-client.ts.
 */
export type AuditTask =
  | { kind: 'verify-live'; database: DatabaseLocation; consoleId: string; publicKeyDer: Uint8Array; afterId: number }
  | { kind: 'verify-archive'; archivePath: string }
  | ({ kind: 'export-archive' } & ExportTask)
  /** The signed manifest goes in last, here too: its write flushes the whole new file to disk. */
  | { kind: 'write-manifest'; archivePath: string; text: string; signature: string }
  /** A backup (or the live database): SQLite's own check, then the whole audit chain. */
  | { kind: 'check-database'; dbPath: string; consoleId: string; publicKeyDer: Uint8Array; thorough: boolean }
  /** The start-up check: SQLite's quick_check, before the console opens the file. */
  | { kind: 'quick-check'; dbPath: string; thorough?: boolean }
  /** A backup made with SQLite's online backup API from this thread's own connection, then checked. */
  | { kind: 'backup-database'; dbPath: string; destPath: string; consoleId: string; publicKeyDer: Uint8Array };

export type AuditTaskResult =
  | { kind: 'verify-live'; check: LiveCheck }
  | { kind: 'verify-archive'; check: ArchiveCheck }
  | { kind: 'export-archive'; manifest: UnsignedManifest }
  | { kind: 'write-manifest' }
  | { kind: 'check-database'; integrity: string; userVersion: number; check: LiveCheck | null }
  | { kind: 'backup-database'; integrity: string; userVersion: number; check: LiveCheck | null; pages: number }
  | { kind: 'quick-check'; integrity: string };

/** What a progress message counts: a backup's pages as it copies, else audit events as they are checked. */
export type ProgressPhase = 'copy' | 'check';

export type WorkerMessage =
  | { type: 'progress'; checked: number; total: number; phase?: ProgressPhase }
  | { type: 'done'; result: AuditTaskResult }
  | { type: 'failed'; message: string; name: string };

/** The whole chain of a PostgreSQL database, on this thread's own connection, in one snapshot. */
async function verifyOnPostgres(url: string, task: Extract<AuditTask, { kind: 'verify-live' }>): Promise<LiveCheck> {
  const db = PgDatabase.open({ connectionString: url, max: 1, application_name: 'security-official-console audit check', options: PLAN_EACH_CALL });
  try {
    return await verifyLiveChainSql(
      db,
      { consoleId: task.consoleId, publicKeyDer: Buffer.from(task.publicKeyDer) },
      {
        afterId: task.afterId,
        onProgress: (p) => parentPort?.postMessage({ type: 'progress', checked: p.checked, total: p.total } satisfies WorkerMessage),
      },
    );
  } finally {
    await db.close();
  }
}

async function run(task: AuditTask): Promise<AuditTaskResult> {
  switch (task.kind) {
    case 'verify-live': {
      if (task.database.engine === 'postgres') return { kind: 'verify-live', check: await verifyOnPostgres(task.database.url, task) };
      // The embedded file: read-only, on this thread's own connection, synchronously (nothing else runs here).
      const db = new Database(task.database.path, { readonly: true, fileMustExist: true });
      try {
        db.pragma('cache_size = -32768');
        const check = verifyLiveChain(
          db,
          { consoleId: task.consoleId, publicKeyDer: Buffer.from(task.publicKeyDer) },
          {
            afterId: task.afterId,
            onProgress: (p) => parentPort?.postMessage({ type: 'progress', checked: p.checked, total: p.total } satisfies WorkerMessage),
          },
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
      return { kind: 'export-archive', manifest: await exportArchive(task) };
    case 'write-manifest':
      writeManifest(task.archivePath, task.text, task.signature);
      return { kind: 'write-manifest' };
    case 'check-database':
      return { kind: 'check-database', ...checkDatabase(task.dbPath, task, task.thorough) };
    case 'quick-check': {
      const db = new Database(task.dbPath, { fileMustExist: true });
      try {
        const rows = db.pragma(task.thorough ? 'integrity_check(5)' : 'quick_check(5)') as Array<Record<string, string>>;
        return { kind: 'quick-check', integrity: rows.map((r) => Object.values(r)[0]).join('; ') };
      } finally {
        db.close();
      }
    }
    case 'backup-database': {
      const source = new Database(task.dbPath, { fileMustExist: true });
      let pages = 0;
      try {
        // A read transaction held across every step: the copy is one snapshot, and the
        // console's writes meanwhile (on its own connection) never make the backup start over.
        source.exec('BEGIN');
        source.prepare('SELECT count(*) FROM console_meta').get();
        const done = await source.backup(task.destPath, {
          progress: ({ totalPages, remainingPages }) => {
            pages = totalPages;
            parentPort?.postMessage({ type: 'progress', checked: totalPages - remainingPages, total: totalPages, phase: 'copy' } satisfies WorkerMessage);
            return backupStep(totalPages);
          },
        });
        source.exec('COMMIT');
        // better-sqlite3 calls back only while pages remain: the last step is reported here.
        pages = done.totalPages;
        parentPort?.postMessage({ type: 'progress', checked: done.totalPages, total: done.totalPages, phase: 'copy' } satisfies WorkerMessage);
      } finally {
        source.close();
      }
      // A backup is one self-contained file: no -wal or -shm beside it.
      const copy = new Database(task.destPath);
      copy.pragma('journal_mode = DELETE');
      copy.close();
      return { kind: 'backup-database', ...checkDatabase(task.destPath, task, false), pages };
    }
  }
}

/**
 * Pages per step of an online backup: about a hundredth of the database, so the progress moves
 * in about a hundred steps whatever its size, and never fewer than 64 pages, so that a small
 * database is not copied a handful of pages per turn of the event loop.
 */
export function backupStep(totalPages: number): number {
  return Math.max(64, Math.ceil(totalPages / 100));
}

/** SQLite's check, then (when it passes) the whole audit chain with the console's key. */
function checkDatabase(
  path: string,
  key: { consoleId: string; publicKeyDer: Uint8Array },
  thorough: boolean,
): { integrity: string; userVersion: number; check: LiveCheck | null } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('cache_size = -32768');
    // integrity_check reads every page and index; quick_check skips the index contents.
    const rows = db.pragma(thorough ? 'integrity_check(20)' : 'quick_check(20)') as Array<Record<string, string>>;
    const integrity = rows.map((r) => Object.values(r)[0]).join('; ');
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    // A file SQLite finds damaged is not walked further: its rows cannot be trusted.
    let check: LiveCheck | null = null;
    if (integrity === 'ok') {
      const report = (checked: number, total: number) => parentPort?.postMessage({ type: 'progress', checked, total, phase: 'check' } satisfies WorkerMessage);
      // The chain's length is its last id (the walk's own total), read from the primary key at once.
      const events = (db.prepare('SELECT max(id) AS id FROM audit_events').get() as { id: number | null }).id ?? 0;
      report(0, events);
      check = verifyLiveChain(
        db,
        { consoleId: key.consoleId, publicKeyDer: Buffer.from(key.publicKeyDer) },
        { onProgress: (p) => report(p.checked, p.total), every: Math.max(1000, Math.ceil(events / 100)) },
      );
      // The walk is over: intact, the whole chain was read (ids may start past 1 after archiving).
      report(check.broken ? check.checked : check.total, check.total);
    }
    return { integrity, userVersion, check };
  } finally {
    db.close();
  }
}

run(workerData as AuditTask).then(
  (result) => parentPort?.postMessage({ type: 'done', result } satisfies WorkerMessage),
  (error: unknown) =>
    parentPort?.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : 'Error',
    } satisfies WorkerMessage),
);

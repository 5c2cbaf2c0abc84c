import { chmodSync, copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { BackupInfo, BackupStatus } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { AuditTaskError } from '../store/audit-worker-client.js';
import type { AuditTaskResult, AuditWorkers, ProgressPhase } from '../store/audit-worker-client.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { ensurePrivateFile, ensurePrivateFolder, makeDatabaseFilesPrivate } from '../store/private-files.js';
import type { DatabaseLocation, Store } from '../store/store.js';
import type { ConsoleIdentity } from './console-identity.js';
import { officialOf } from './officials.js';
import type { Reauthentication } from './reauth.js';
import type { Session } from './sessions.js';

/** Backups kept: two weeks of the daily ones. */
export const BACKUPS_KEPT = 14;
const DAY_MS = 86_400_000;
const RESTORE_MARKER = 'restore-pending.json';

export const BACKUP_MESSAGES = {
  notOfficial: 'Only Security Officials back up and restore the console.',
  restoreCmsOnly: "Only a CMS Security Official restores a backup: a restore undoes every organization's decisions since the backup was made.",
  noSuchBackup: 'There is no such backup.',
  running: 'A backup is already being made.',
  failedCheck: (problem: string) => `This backup cannot be restored: ${problem}`,
  databaseOperator:
    "This console keeps its data in the organization's PostgreSQL database. Its backups and restores are made by the database operator (pg_basebackup and point-in-time recovery), not by the console.",
} as const;

interface Verification {
  verified: 'ok' | 'failed';
  problem: string | null;
  checkedAt: number;
}

/**
 * Backups of the console's database: a consistent copy made with SQLite's online backup
 * API while the console runs (in a worker thread, from one read snapshot), checked by
 * SQLite and by walking the audit chain in a worker thread, daily and on demand, the newest 14
 * kept. A restore is checked the same way first (integrity_check, the whole chain with this
 * console's key), then happens at the console's restart, the current database kept aside.
 */
export class BackupService {
  private current: Promise<BackupInfo> | null = null;
  private progress: BackupStatus['progress'] = null;
  private finished: BackupStatus['finished'] = null;
  private lastError: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  readonly folder: string;

  constructor(
    private readonly store: Store,
    /** The embedded database file (backups copy it page by page in a worker of their own), or PostgreSQL (backed up by its operator). */
    private readonly database: DatabaseLocation,
    private readonly clock: Clock,
    private readonly identity: ConsoleIdentity,
    private readonly workers: AuditWorkers,
    private readonly reauth: Reauthentication,
    private readonly dataDir: string,
    /** "console" or "demo": the demo's backups are never offered to the real console. */
    private readonly base: string,
    /** Called once a restore is staged: the transport restarts the console on the backup. */
    private readonly onRestart: () => void = () => {},
  ) {
    this.folder = backupsFolder(dataDir, base);
  }

  /** Backup (Settings): for Security Officials. */
  async statusFor(session: Session): Promise<BackupStatus> {
    const official = await officialOf(this.store, session, BACKUP_MESSAGES.notOfficial);
    return { ...this.status(), canRestore: official.isCms && this.database.engine === 'sqlite' };
  }

  async backupFor(session: Session): Promise<BackupInfo> {
    await officialOf(this.store, session, BACKUP_MESSAGES.notOfficial);
    this.embeddedOnly();
    return this.backupNow(session.userRowId);
  }

  /** A restore replaces every decision since the backup: the official confirms with a fresh code. */
  async restoreFor(session: Session, input: { name: string; code: string }): Promise<BackupInfo> {
    const official = await officialOf(this.store, session, BACKUP_MESSAGES.notOfficial);
    // The database holds every organization's decisions; rolling them all back is not one organization's call.
    if (!official.isCms) throw new AppError('FORBIDDEN', BACKUP_MESSAGES.restoreCmsOnly);
    this.embeddedOnly();
    this.pathOf(input.name);
    await this.reauth.confirm(session, input.code, 'restore backup');
    return this.restore(input.name, session.userRowId);
  }

  list(): BackupInfo[] {
    return this.database.engine === 'sqlite' ? listBackupFolder(this.folder, this.base) : [];
  }

  /** The embedded file is the console's to copy; a PostgreSQL database is its operator's. */
  private embeddedOnly(): string {
    if (this.database.engine !== 'sqlite') throw new AppError('CONFLICT', BACKUP_MESSAGES.databaseOperator);
    return this.database.path;
  }

  status(): BackupStatus {
    return {
      managedBy: this.database.engine === 'sqlite' ? 'console' : 'database-operator',
      canRestore: false,
      running: this.current !== null,
      progress: this.progress,
      finished: this.finished,
      lastError: this.lastError,
      backups: this.list(),
    };
  }

  /** One backup at a time: a second request while one runs waits for it. */
  backupNow(actorId: number | null): Promise<BackupInfo> {
    this.current ??= this.makeBackup(actorId).finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /**
   * SQLite's checks and the whole audit chain, in a worker. Thorough (integrity_check) before a
   * restore; quick_check right after a backup is made.
   */
  async check(name: string, thorough: boolean): Promise<Verification> {
    const path = this.pathOf(name);
    let result: AuditTaskResult;
    try {
      result = await this.workers.run({
        kind: 'check-database',
        dbPath: path,
        consoleId: this.identity.consoleId,
        publicKeyDer: this.identity.publicKeyDer,
        thorough,
      });
    } catch (error) {
      // SQLite refusing to read the file at all (not a database, malformed) is a failed check.
      if (!(error instanceof AuditTaskError) || error.originalName === 'WorkerExit') throw error;
      result = { kind: 'check-database', integrity: error.message, userVersion: 0, check: null };
    }
    if (result.kind !== 'check-database') throw new Error('Unexpected worker result');
    return this.record(path, result);
  }

  /** What a check found, in words, kept beside the backup for the list and the recovery screen. */
  private record(path: string, result: Extract<AuditTaskResult, { kind: 'check-database' }>): Verification {
    let problem: string | null = null;
    if (result.integrity !== 'ok') problem = `SQLite found damage (${result.integrity.slice(0, 200)})`;
    else if (result.userVersion > MIGRATIONS.length) problem = 'it was made by a newer version of the console';
    else if (!result.check) problem = 'its audit trail could not be read';
    else if (result.check.broken) problem = `its audit trail is broken at event ${result.check.broken.eventId}: ${result.check.broken.reason}`;
    else if (result.check.head.broken) problem = `its audit trail head does not match: ${result.check.head.message}`;
    const verification: Verification = { verified: problem === null ? 'ok' : 'failed', problem, checkedAt: this.clock.now() };
    writeFileSync(`${path}.json`, `${JSON.stringify(verification)}\n`, { mode: 0o600 });
    chmodSync(`${path}.json`, 0o600);
    return verification;
  }

  /** Checks a backup thoroughly, then stages it; the console restarts on it. */
  async restore(name: string, actorId: number | null): Promise<BackupInfo> {
    this.embeddedOnly();
    const verification = await this.check(name, true);
    if (verification.verified !== 'ok') throw new AppError('CONFLICT', BACKUP_MESSAGES.failedCheck(verification.problem ?? 'it failed its check'));
    await this.store.audit.append([{ action: 'backup.restore_staged', actorId, details: { backup: name } }]);
    stageRestore(this.dataDir, name);
    this.onRestart();
    return this.info(name);
  }

  /** Makes a backup at start when the newest is a day old (or there is none), then daily. */
  start(onError: (error: unknown) => void): void {
    if (this.timer || this.database.engine !== 'sqlite') return;
    try {
      this.makePrivate();
    } catch (error) {
      onError(error);
    }
    const due = () => {
      const newest = this.list()[0];
      if (!newest || this.clock.now() - newest.createdAt >= DAY_MS) void this.backupNow(null).catch(onError);
    };
    due();
    this.timer = setInterval(due, 60 * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Only waits for a running backup to end: its failure went to start()'s onError or backupNow's caller, and is kept in lastError.
    await this.current?.catch(() => undefined);
  }

  private async makeBackup(actorId: number | null): Promise<BackupInfo> {
    const databasePath = this.embeddedOnly();
    ensurePrivateFolder(this.folder);
    const name = this.newName();
    const path = join(this.folder, name);
    const partial = `${path}.partial`;
    const started = performance.now();
    this.lastError = null;
    this.progress = { copiedPages: 0, totalPages: 0, startedAt: this.clock.now(), phase: 'starting', checkedEvents: 0, totalEvents: 0 };
    let result: AuditTaskResult;
    try {
      // The worker's online backup writes into this file and keeps its mode: private from the start.
      ensurePrivateFile(partial);
      // The copy, and its check, run in a worker thread on its own connection: the console's
      // main process only hears the progress, so the window never waits on the disk.
      result = await this.workers.run(
        {
          kind: 'backup-database',
          dbPath: databasePath,
          destPath: partial,
          consoleId: this.identity.consoleId,
          publicKeyDer: this.identity.publicKeyDer,
        },
        (done, total, phase) => {
          this.progress = backupProgress(this.progress, done, total, phase);
        },
      );
      makeDatabaseFilesPrivate(partial);
      renameSync(partial, path);
    } catch (error) {
      rmSync(partial, { force: true });
      this.progress = null;
      this.lastError = error instanceof Error ? error.message : 'The backup failed.';
      throw error;
    }
    const ms = performance.now() - started;
    this.finished = this.progress;
    this.progress = null;
    if (result.kind !== 'backup-database') throw new Error('Unexpected worker result');
    const verification = this.record(path, { kind: 'check-database', integrity: result.integrity, userVersion: result.userVersion, check: result.check });
    this.prune();
    const info = this.info(name);
    await this.store.audit.append([
      { action: 'backup.created', actorId, details: { backup: name, bytes: info.bytes, ms: Math.round(ms), verified: verification.verified } },
    ]);
    if (verification.verified !== 'ok') this.lastError = `The backup ${name} failed its check: ${verification.problem ?? ''}`;
    return info;
  }

  /** Backups an older version of the console left readable by others are made private. */
  private makePrivate(): void {
    if (!existsSync(this.folder)) return;
    ensurePrivateFolder(this.folder);
    for (const name of readdirSync(this.folder)) {
      const path = join(this.folder, name);
      if (statSync(path).isFile()) chmodSync(path, 0o600);
    }
  }

  private prune(): void {
    for (const old of this.list().slice(BACKUPS_KEPT)) {
      rmSync(join(this.folder, old.name), { force: true });
      rmSync(join(this.folder, `${old.name}.json`), { force: true });
    }
  }

  private newName(): string {
    const stamp = new Date(this.clock.now()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    let name = `${this.base}-${stamp}.sqlite`;
    for (let n = 2; existsSync(join(this.folder, name)); n += 1) name = `${this.base}-${stamp}-${n}.sqlite`;
    return name;
  }

  private isBackupName(name: string): boolean {
    return isBackupName(name, this.base);
  }

  private pathOf(name: string): string {
    if (basename(name) !== name || !this.isBackupName(name) || !existsSync(join(this.folder, name)))
      throw new AppError('NOT_FOUND', BACKUP_MESSAGES.noSuchBackup);
    return join(this.folder, name);
  }

  private info(name: string): BackupInfo {
    return backupInfoOf(this.folder, name);
  }
}

/**
 * A backup's progress after one report of its worker: pages while it copies, then the copy's
 * audit events while they are checked (the copied pages stay as they ended). Counts never go
 * back, so a late or repeated report cannot make the bar jump backwards.
 */
export function backupProgress(progress: BackupStatus['progress'], done: number, total: number, phase: ProgressPhase | undefined): BackupStatus['progress'] {
  if (!progress) return progress;
  if (phase === 'copy') {
    if (progress.phase === 'checking' || total < progress.totalPages) return progress;
    return {
      ...progress,
      phase: 'copying',
      totalPages: total,
      copiedPages: Math.min(total, Math.max(done, total === progress.totalPages ? progress.copiedPages : 0)),
    };
  }
  if (phase === 'check') {
    if (total < progress.totalEvents) return progress;
    return {
      ...progress,
      phase: 'checking',
      totalEvents: total,
      checkedEvents: Math.min(total, Math.max(done, total === progress.totalEvents ? progress.checkedEvents : 0)),
    };
  }
  return progress;
}

function isBackupName(name: string, base: string): boolean {
  return new RegExp(`^${base}-\\d{8}-\\d{6}(-\\d+)?\\.sqlite$`).test(name);
}

/** The backups in a folder, newest first, with what their last check said. */
export function listBackupFolder(folder: string, base: string): BackupInfo[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => isBackupName(name, base))
    .map((name) => backupInfoOf(folder, name))
    .sort((a, b) => b.createdAt - a.createdAt);
}

function backupInfoOf(folder: string, name: string): BackupInfo {
  const path = join(folder, name);
  const stat = statSync(path);
  let verification: Verification | null = null;
  try {
    verification = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Verification;
  } catch {
    // Not checked yet (or the note is gone): shown as such.
  }
  // The time in the name is the console's clock when the backup was made (UTC).
  const stamp = /-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-\d+)?\.sqlite$/.exec(name);
  const createdAt = stamp ? Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!) : stat.mtimeMs;
  return {
    name,
    createdAt,
    bytes: stat.size,
    verified: verification?.verified ?? 'unchecked',
    problem: verification?.problem ?? null,
  };
}

/** Where a console's backups live: beside the database, the demo's apart. */
export function backupsFolder(dataDir: string, base: string): string {
  return join(dataDir, base === 'demo' ? 'demo-backups' : 'backups');
}

/** The restore a restart will carry out: the console's data folder names the backup to use. */
export function stageRestore(dataDir: string, backupName: string): void {
  writeFileSync(join(dataDir, RESTORE_MARKER), `${JSON.stringify({ backup: backupName })}\n`, { mode: 0o600 });
  chmodSync(join(dataDir, RESTORE_MARKER), 0o600);
}

/**
 * Before the database opens: if a restore was staged, the current database (with its -wal and
 * -shm) is kept aside as `console.sqlite.before-restore-<time>`, and the backup is copied in its
 * place. Nothing is deleted. Returns what happened, to be audited once the console is open.
 */
export function applyStagedRestore(dataDir: string, databasePath: string, backupsFolder: string, now: number): { backup: string; keptAside: string } | null {
  const marker = join(dataDir, RESTORE_MARKER);
  if (!existsSync(marker)) return null;
  const { backup } = JSON.parse(readFileSync(marker, 'utf8')) as { backup: string };
  const source = join(backupsFolder, basename(backup));
  if (!existsSync(source)) {
    rmSync(marker, { force: true });
    return null;
  }
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const aside = `${databasePath}.before-restore-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${databasePath}${suffix}`)) renameSync(`${databasePath}${suffix}`, `${aside}${suffix}`);
  }
  makeDatabaseFilesPrivate(aside);
  // A copy takes the mode of its source (a backup made by an older version may be world-readable).
  makeDatabaseFilesPrivate(source);
  copyFileSync(source, databasePath);
  makeDatabaseFilesPrivate(databasePath);
  rmSync(marker, { force: true });
  return { backup: basename(backup), keptAside: basename(aside) };
}

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { DATABASE_FILE, DEMO_DATABASE_FILE, createConsole } from './app.js';
import type { ConsoleApp, ConsoleOptions } from './app.js';
import { systemClock } from './clock.js';
import type { Dispatch } from './ipc/router.js';
import { BACKUP_MESSAGES, applyStagedRestore, backupsFolder, listBackupFolder, stageRestore } from './services/backups.js';
import type { BackupInfo, RecoveryView } from '../shared/ipc/contract.js';
import type { IpcResult } from '../shared/ipc/errors.js';
import { isChannel } from '../shared/ipc/contract.js';
import { AuditWorkers } from './store/audit-worker-client.js';
import { acquireConsoleLock } from './store/console-lock.js';
import type { ConsoleLock } from './store/console-lock.js';

export interface RunnerOptions extends Omit<ConsoleOptions, 'readOnly' | 'onRestart'> {
  /** Mail delivery, the 120-day check and daily backups (the transports; not tests of the runner). */
  background?: boolean;
  /** How often the outbox is looked at (end-to-end tests get their mail at once). */
  mailIntervalMs?: number;
  log?: (line: string) => void;
}

/** What the start-up check measured, for the log and the figures. */
export interface StartupCheck {
  quickCheckMs: number | null;
  problem: string | null;
}

/**
 * Starts the console the way an official needs it: a staged restore is applied first;
 * then SQLite's quick_check and the audit chain's tail are checked, and a problem opens the
 * recovery screen (restore a good backup, or open read-only) instead of a blank window or a
 * console writing on a damaged file. A restore restarts the console in place. Both transports
 * hold one runner and call its `dispatch`, which stays the same function across restarts.
 */
export class ConsoleRunner {
  private app: ConsoleApp | null = null;
  private recovery: RecoveryView | null = null;
  private switching: Promise<void> | null = null;
  lastCheck: StartupCheck = { quickCheckMs: null, problem: null };

  private readonly workers = new AuditWorkers();
  /** Held from the first open to close: no second console may open, restore into or recover this file meanwhile. */
  private lock: ConsoleLock | null = null;

  private constructor(private readonly options: RunnerOptions) {}

  /**
   * Starts opening the console and returns at once: calls wait until it is open (or on its
   * recovery screen), so a window can show "Starting the console" meanwhile.
   */
  static begin(options: RunnerOptions): ConsoleRunner {
    const runner = new ConsoleRunner(options);
    const opening: Promise<void> = runner.open('normal').finally(() => {
      if (runner.switching === opening) runner.switching = null;
    });
    runner.switching = opening;
    return runner;
  }

  static async start(options: RunnerOptions): Promise<ConsoleRunner> {
    const runner = ConsoleRunner.begin(options);
    await runner.ready();
    return runner;
  }

  /** Resolves once the console is open or on its recovery screen; rejects if it could not start at all. */
  async ready(): Promise<void> {
    await this.switching;
  }

  readonly dispatch: Dispatch = async (caller, channel, input) => {
    await this.switching;
    if (this.app) return this.app.dispatch(caller, channel, input);
    return this.answerRecovery(channel, input);
  };

  get current(): ConsoleApp | null {
    return this.app;
  }

  get inRecovery(): RecoveryView | null {
    return this.recovery;
  }

  /** Ends one client's session (a closed or crashed window). */
  closeSession(clientId: string): void {
    this.app?.services.sessions.close(clientId);
  }

  async close(): Promise<void> {
    await this.switching?.catch(() => undefined);
    await this.app?.close();
    this.app = null;
    await this.workers.stop();
    this.lock?.release();
    this.lock = null;
  }

  /** Closes the console and opens it again: a staged restore is applied on the way. */
  restart(mode: 'normal' | 'readOnly' = 'normal'): Promise<void> {
    const before = this.switching?.catch(() => undefined);
    const switching: Promise<void> = (async () => {
      // One switch at a time; and the call that asked for the restart answers first.
      await before;
      await new Promise((resolve) => setImmediate(resolve));
      await this.app?.close();
      this.app = null;
      await this.open(mode);
    })().finally(() => {
      if (this.switching === switching) this.switching = null;
    });
    this.switching = switching;
    return switching;
  }

  private get databasePath(): string {
    return join(this.options.dataDir, this.options.demo ? DEMO_DATABASE_FILE : DATABASE_FILE);
  }

  private get backupsFolder(): string {
    return backupsFolder(this.options.dataDir, this.options.demo ? 'demo' : 'console');
  }

  private async open(mode: 'normal' | 'readOnly'): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    const clock = this.options.clock ?? systemClock;
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    // Before a staged restore swaps the file: a second console is refused here, whatever this one shows.
    this.lock ??= acquireConsoleLock(`${this.databasePath}.lock`);
    const restored = mode === 'normal' ? applyStagedRestore(this.options.dataDir, this.databasePath, this.backupsFolder, clock.now()) : null;
    if (restored) log(`Restored ${restored.backup}; the previous database is kept as ${restored.keptAside}`);
    // A restored backup gets SQLite's thorough integrity_check (its pages may have changed on disk
    // since it was checked); the whole audit chain is then verified in the background as always.
    this.lastCheck = mode === 'normal' ? await quickCheckInWorker(this.workers, this.databasePath, restored !== null) : this.lastCheck;
    if (this.lastCheck.quickCheckMs !== null) log(`quick_check at start: ${this.lastCheck.quickCheckMs.toFixed(0)} ms`);
    if (this.lastCheck.problem && mode === 'normal') return this.enterRecovery(this.lastCheck.problem);
    let app: ConsoleApp;
    try {
      app = await createConsole({ ...this.options, lockHeld: true, readOnly: mode === 'readOnly', onRestart: () => void this.restart() });
    } catch (error) {
      // A database that cannot even be opened (not a database, damaged header, newer schema...).
      if (error instanceof Error && error.name === 'ConsoleInUseError') throw error;
      return this.enterRecovery(`The console's database could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (mode === 'normal') {
      const status = await app.services.integrity.status();
      if (status.state === 'broken' && status.broken) {
        await app.close();
        return this.enterRecovery(`The audit trail is broken at event ${status.broken.eventId}: ${status.broken.reason}`);
      }
    }
    if (restored)
      await app.store.audit.append([{ action: 'backup.restored', actorId: null, details: { backup: restored.backup, keptAside: restored.keptAside } }]);
    this.app = app;
    this.recovery = null;
    if (this.options.background && mode === 'normal') {
      app.services.notifications.start({ log, ...(this.options.mailIntervalMs !== undefined ? { intervalMs: this.options.mailIntervalMs } : {}) });
      const report = (what: string) => (error: unknown) => log(`[${what}] ${error instanceof Error ? error.message : 'failure'}`);
      app.services.users.start(report('inactivity check'));
      app.services.backups.start(report('backup'));
    }
    if (mode === 'readOnly') log('Opened read-only after a failed start-up check');
  }

  private enterRecovery(problem: string): void {
    this.options.log?.(`Recovery: ${problem}`);
    this.app = null;
    // SQLite's messages end without a full stop; the screen and RECOVERY errors read them as sentences.
    this.recovery = { problem: /[.!?]$/.test(problem) ? problem : `${problem}.`, backups: listBackups(this.backupsFolder, this.options.demo === true) };
  }

  /** The recovery screen's own little protocol: its status, and its two choices. */
  private async answerRecovery(channel: unknown, input: unknown): Promise<IpcResult<unknown>> {
    const recovery = this.recovery;
    if (!recovery) return { ok: false, error: { code: 'INTERNAL', message: 'The console is starting. Try again in a moment.' } };
    if (!isChannel(channel)) return { ok: false, error: { code: 'NOT_FOUND', message: 'Unknown channel' } };
    switch (channel) {
      case 'app.status':
      case 'session.status': {
        const session = { state: 'none' as const, user: null, idleLockAt: null };
        return {
          ok: true,
          value: channel === 'app.status' ? { needsSetup: false, demo: this.options.demo === true, session, recovery, readOnly: false } : session,
        };
      }
      case 'recovery.restore': {
        const name = typeof input === 'object' && input !== null && 'name' in input ? (input as { name: unknown }).name : null;
        const backup = recovery.backups.find((b) => b.name === name);
        if (!backup) return { ok: false, error: { code: 'NOT_FOUND', message: BACKUP_MESSAGES.noSuchBackup, field: 'name' } };
        if (backup.verified === 'failed')
          return { ok: false, error: { code: 'CONFLICT', message: BACKUP_MESSAGES.failedCheck(backup.problem ?? 'it failed its check') } };
        stageRestore(this.options.dataDir, backup.name);
        await this.restart('normal');
        if (this.recovery)
          return { ok: false, error: { code: 'CONFLICT', message: `The console still failed its check after the restore: ${this.recovery.problem}` } };
        return { ok: true, value: backup };
      }
      case 'recovery.openReadOnly':
        await this.restart('readOnly');
        return this.app
          ? { ok: true, value: { readOnly: true } }
          : { ok: false, error: { code: 'CONFLICT', message: 'The database cannot be opened at all. Restore a backup.' } };
      default:
        return {
          ok: false,
          error: { code: 'RECOVERY', message: `The console's start-up check failed: ${recovery.problem} Restore a backup or open the console read-only.` },
        };
    }
  }
}

/** SQLite's quick_check, timed, on its own connection before the console opens the file. */
export function quickCheck(path: string): StartupCheck {
  if (!existsSync(path)) return { quickCheckMs: null, problem: null };
  const t0 = performance.now();
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { fileMustExist: true });
    const rows = db.pragma('quick_check(5)') as Array<Record<string, string>>;
    const result = rows.map((r) => Object.values(r)[0]).join('; ');
    return { quickCheckMs: performance.now() - t0, problem: result === 'ok' ? null : `SQLite's quick_check found damage: ${result.slice(0, 300)}` };
  } catch (error) {
    return {
      quickCheckMs: performance.now() - t0,
      problem: `The console's database could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    db?.close();
  }
}

/** quick_check in a worker thread: on a large database it takes seconds the main process keeps. */
export async function quickCheckInWorker(workers: AuditWorkers, path: string, thorough = false): Promise<StartupCheck> {
  if (!existsSync(path)) return { quickCheckMs: null, problem: null };
  const t0 = performance.now();
  try {
    const result = await workers.run({ kind: 'quick-check', dbPath: path, thorough });
    const integrity = result.kind === 'quick-check' ? result.integrity : 'unexpected result';
    const check = thorough ? 'integrity_check' : 'quick_check';
    return { quickCheckMs: performance.now() - t0, problem: integrity === 'ok' ? null : `SQLite's ${check} found damage: ${integrity.slice(0, 300)}` };
  } catch (error) {
    return {
      quickCheckMs: performance.now() - t0,
      problem: `The console's database could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** The backups on disk, newest first, as the recovery screen lists them (no console is open to ask). */
function listBackups(folder: string, demo: boolean): BackupInfo[] {
  return listBackupFolder(folder, demo ? 'demo' : 'console');
}

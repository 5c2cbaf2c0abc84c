import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createConsole, databaseLocation } from './app.js';
import type { DatabaseLocation } from './store/store.js';
import type { ConsoleApp, ConsoleOptions } from './app.js';
import { systemClock } from './clock.js';
import { createPartialDispatch } from './ipc/router.js';
import type { Dispatch, Handlers } from './ipc/router.js';
import { UNAVAILABLE_MESSAGE, failureLogLine } from './ipc/failures.js';
import { AppError } from '../shared/ipc/errors.js';
import { BACKUP_MESSAGES, applyStagedRestore, backupsFolder, listBackupFolder, stageRestore } from './services/backups.js';
import type { BackupInfo, RecoveryView } from '../shared/ipc/contract.js';
import { AuditWorkers } from './store/audit-worker-client.js';
import { MIGRATIONS } from './store/migrations/index.js';
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
  /** The check ran and found damage (not: it could not run). */
  found?: boolean;
}

/**
 * Starts the console the way an official needs it: a staged restore is applied first (and
 * gets SQLite's thorough integrity_check before the file opens); the audit chain's tail is
 * checked; then the console answers, and SQLite's quick_check reads the whole file in a worker
 * meanwhile. A problem found at either moment opens the recovery screen (restore a good backup,
 * or open read-only) instead of a blank window or a console writing on a damaged file. A
 * restore restarts the console in place. Both transports hold one runner and call its
 * `dispatch`, which stays the same function across restarts.
 */
export class ConsoleRunner {
  private app: ConsoleApp | null = null;
  private recovery: RecoveryView | null = null;
  private switching: Promise<void> | null = null;
  lastCheck: StartupCheck = { quickCheckMs: null, problem: null };
  /** The background file check of the current open, and the work started after it. */
  private fileCheck: Promise<void> = Promise.resolve();
  /** Bumped when a restart or close begins: a background result from before it is stale. */
  private epoch = 0;

  private readonly workers = new AuditWorkers();
  /** Held from the first open to close: no second console may open, restore into or recover this file meanwhile. */
  private lock: ConsoleLock | null = null;

  /**
   * The recovery screen's channels (its status, and its two choices) through the one router, so
   * their input is validated by the contract like every other call; any other channel is
   * refused with RECOVERY.
   */
  private readonly recoveryDispatch: Dispatch;

  private constructor(private readonly options: RunnerOptions) {
    this.recoveryDispatch = createPartialDispatch(
      this.recoveryHandlers(),
      () => ({
        code: 'RECOVERY',
        message: `The console's start-up check failed: ${this.recovery?.problem ?? ''} Restore a backup or open the console read-only.`,
      }),
      { resolve: () => Promise.resolve(null), touch: () => undefined },
      {
        ...(options.validateOutput !== undefined ? { validateOutput: options.validateOutput } : {}),
        ...(options.logError ? { logError: options.logError } : {}),
      },
    );
  }

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
    // A start that failed outright is reported by ready() (the transports stop there); a call
    // that raced it is only told to try again.
    await this.switching?.catch(() => undefined);
    if (this.app) return this.app.dispatch(caller, channel, input);
    if (!this.recovery) return { ok: false, error: { code: 'UNAVAILABLE', message: UNAVAILABLE_MESSAGE } };
    return this.recoveryDispatch(caller, channel, input);
  };

  get current(): ConsoleApp | null {
    return this.app;
  }

  get inRecovery(): RecoveryView | null {
    return this.recovery;
  }

  /**
   * Resolves once the background quick_check of the file the console opened has ended (and,
   * if it found damage, the console is on its recovery screen). Tests and the benchmark wait on it.
   */
  async fileChecked(): Promise<StartupCheck> {
    await this.switching?.catch(() => undefined);
    await this.fileCheck;
    return this.lastCheck;
  }

  /** Ends one client's session (a closed or crashed window). */
  closeSession(clientId: string): void {
    this.app?.services.sessions.close(clientId);
  }

  async close(): Promise<void> {
    // A failed start was reported by ready(); closing goes on regardless.
    this.epoch += 1;
    await this.switching?.catch(() => undefined);
    await this.app?.close();
    this.app = null;
    await this.workers.stop();
    await this.fileCheck;
    this.lock?.release();
    this.lock = null;
  }

  /** Closes the console and opens it again: a staged restore is applied on the way. */
  restart(mode: 'normal' | 'readOnly' = 'normal'): Promise<void> {
    // The previous switch's failure went to its own caller; this one only waits for it to end.
    this.epoch += 1;
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

  private get database(): DatabaseLocation {
    return databaseLocation(this.options);
  }

  private get backupsFolder(): string {
    return backupsFolder(this.options.dataDir, this.options.demo ? 'demo' : 'console');
  }

  private async open(mode: 'normal' | 'readOnly'): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    const clock = this.options.clock ?? systemClock;
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    const database = this.database;
    // The embedded file's own start: one console per file, a staged restore, SQLite's check. A
    // PostgreSQL database is shared by many consoles and kept whole by its server and operator.
    const embedded = database.engine === 'sqlite' ? database.path : null;
    // Before a staged restore swaps the file: a second console is refused here, whatever this one shows.
    if (embedded !== null) this.lock ??= acquireConsoleLock(`${embedded}.lock`);
    const restored = mode === 'normal' && embedded !== null ? applyStagedRestore(this.options.dataDir, embedded, this.backupsFolder, clock.now()) : null;
    if (restored) log(`Restored ${restored.backup}; the previous database is kept as ${restored.keptAside}`);
    const phase = phaseTimer(log);
    // A restored backup gets SQLite's thorough integrity_check before it opens (its pages may have
    // changed on disk since it was checked): rare, and asked for. Every other start opens first
    // and reads the whole file in the background (fileCheckInBackground).
    if (restored) {
      this.lastCheck = await quickCheckInWorker(this.workers, embedded!, true);
      if (this.lastCheck.quickCheckMs !== null) log(`integrity_check of the restored backup: ${this.lastCheck.quickCheckMs.toFixed(0)} ms`);
      if (this.lastCheck.problem) return this.enterRecovery(this.lastCheck.problem);
    }
    // Opening migrates: a file about to be upgraded is checked first, so that no migration
    // rebuilds indexes over damage nobody has found yet. Upgrades are rare; ordinary starts do not wait.
    const upgrading = mode === 'normal' && embedded !== null && !restored && existsSync(embedded) && fileSchemaVersion(embedded) < MIGRATIONS.length;
    if (upgrading) {
      this.lastCheck = await quickCheckInWorker(this.workers, embedded);
      if (this.lastCheck.quickCheckMs !== null) log(`quick_check before the schema upgrade: ${this.lastCheck.quickCheckMs.toFixed(0)} ms`);
      if (this.lastCheck.problem) return this.enterRecovery(this.lastCheck.problem);
    }
    let app: ConsoleApp;
    try {
      // The whole chain is verified after the file check, not beside it: two whole-file reads at once
      // on a cold disk would each take longer and slow the official's first calls.
      app = await createConsole({ ...this.options, auditCheck: 'manual', lockHeld: true, readOnly: mode === 'readOnly', onRestart: () => void this.restart() });
      phase('open (schema version, keys, audit chain tail)');
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
      phase('audit status');
    }
    if (restored)
      await app.store.audit.append([{ action: 'backup.restored', actorId: null, details: { backup: restored.backup, keptAside: restored.keptAside } }]);
    this.app = app;
    this.recovery = null;
    // The file check (embedded, not just checked thoroughly) runs now, in a worker; the rest of the
    // background work waits for it, so none of it competes with the first officials' calls.
    const checking = mode === 'normal' && embedded !== null && !restored && !upgrading ? this.fileCheckInBackground(app, embedded, log) : Promise.resolve();
    this.fileCheck = checking;
    if ((this.options.auditCheck ?? 'background') === 'background') this.verifyChainLater(app, checking);
    if (this.options.background && mode === 'normal') {
      // Mail the officials' decisions queue goes out at once; the weekly reminder to every
      // organization's officials waits for the check, like the inactivity check and the backup.
      app.services.notifications.start({
        log,
        firstStaleCheckAfter: checking,
        ...(this.options.mailIntervalMs !== undefined ? { intervalMs: this.options.mailIntervalMs } : {}),
      });
      const report = (what: string) => (error: unknown) => log(`[${what}] ${error instanceof Error ? error.message : 'failure'}`);
      void checking.then(() => {
        if (this.app !== app) return;
        app.services.users.start(report('inactivity check'));
        app.services.backups.start(report('backup'));
      });
    }
    if (mode === 'readOnly') log('Opened read-only after a failed start-up check');
  }

  /**
   * SQLite's quick_check of the open file, in a worker on its own connection: the console answers
   * meanwhile (WAL readers never block its writer). Damage closes the console and opens the
   * recovery screen: from that moment every new call but the recovery choices is refused and an
   * official mid-session is shown the recovery screen. A call already running ends with the
   * close (a bulk decision's current chunk commits whole or not at all). A check that could not
   * run (its worker failed) is tried once more before it counts as damage.
   */
  private fileCheckInBackground(app: ConsoleApp, path: string, log: (line: string) => void): Promise<void> {
    return (async () => {
      const epoch = this.epoch;
      let check = await quickCheckInWorker(this.workers, path);
      if (check.problem && !check.found && this.app === app && this.epoch === epoch) {
        log(`quick_check (background) could not run: ${check.problem} Trying once more.`);
        check = await quickCheckInWorker(this.workers, path);
      }
      // Closed or restarted meanwhile: this result is about a console that is gone (a worker
      // stopped by close() is not damage).
      if (this.app !== app || this.epoch !== epoch) return;
      this.lastCheck = check;
      if (check.quickCheckMs !== null) log(`quick_check (background): ${check.quickCheckMs.toFixed(0)} ms${check.problem ? '' : ', ok'}`);
      if (!check.problem) return;
      // First: from here calls reach the recovery screen, not the damaged file.
      this.enterRecovery(check.problem);
      const closing: Promise<void> = app.close().finally(() => {
        if (this.switching === closing) this.switching = null;
      });
      this.switching = closing;
      await closing;
    })();
  }

  /** The whole audit chain, in a worker, once the file check has ended (see open()). */
  private verifyChainLater(app: ConsoleApp, after: Promise<void>): void {
    void (async () => {
      await after;
      if (this.app !== app) return;
      await app.services.integrity.verifyAll();
    })().catch((error: unknown) => {
      if (this.app === app) this.options.logError?.('audit.verify', error);
    });
  }

  private enterRecovery(problem: string): void {
    this.options.log?.(`Recovery: ${problem}`);
    this.app = null;
    // SQLite's messages end without a full stop; the screen and RECOVERY errors read them as sentences.
    this.recovery = { problem: /[.!?]$/.test(problem) ? problem : `${problem}.`, backups: listBackups(this.backupsFolder, this.options.demo === true) };
  }

  private recoveryHandlers(): Partial<Handlers> {
    const view = () => {
      if (!this.recovery) throw new AppError('UNAVAILABLE', UNAVAILABLE_MESSAGE);
      return this.recovery;
    };
    const noSession = { state: 'none' as const, user: null, idleLockAt: null };
    return {
      'app.status': () => Promise.resolve({ needsSetup: false, demo: this.options.demo === true, session: noSession, recovery: view(), readOnly: false }),
      'session.status': () => Promise.resolve(noSession),
      'recovery.restore': async ({ name }) => {
        const backup = view().backups.find((b) => b.name === name);
        if (!backup) throw new AppError('NOT_FOUND', BACKUP_MESSAGES.noSuchBackup, 'name');
        if (backup.verified === 'failed') throw new AppError('CONFLICT', BACKUP_MESSAGES.failedCheck(backup.problem ?? 'it failed its check'));
        stageRestore(this.options.dataDir, backup.name);
        await this.restart('normal');
        if (this.recovery) throw new AppError('CONFLICT', `The console still failed its check after the restore: ${this.recovery.problem}`);
        return backup;
      },
      'recovery.openReadOnly': async () => {
        await this.restart('readOnly');
        if (!this.app) throw new AppError('CONFLICT', 'The database cannot be opened at all. Restore a backup.');
        return { readOnly: true };
      },
    };
  }
}

/** Logs how long each step of opening took, from the previous step: start-up's budget is seconds. */
function phaseTimer(log: (line: string) => void): (what: string) => void {
  let last = performance.now();
  return (what) => {
    const now = performance.now();
    log(`Start-up: ${what}: ${(now - last).toFixed(0)} ms`);
    last = now;
  };
}

/** SQLite's quick_check, timed, on its own connection (the benchmarks' figure; the console uses quickCheckInWorker). */
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

/**
 * The schema version in the file's header (SQLite's user_version: 4 bytes, big-endian, at offset
 * 60), read without opening the database. A version committed but still in the WAL reads lower:
 * then the file is checked before it opens, which is only slower.
 */
export function fileSchemaVersion(path: string): number {
  const header = Buffer.alloc(64);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, 64, 0) === 64 ? header.readUInt32BE(60) : 0;
  } finally {
    closeSync(fd);
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
    return {
      quickCheckMs: performance.now() - t0,
      problem: integrity === 'ok' ? null : `SQLite's ${check} found damage: ${integrity.slice(0, 300)}`,
      found: integrity !== 'ok',
    };
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

/**
 * Logs what no caller caught: a rejected promise nobody awaited, or an exception thrown from
 * a callback. Both transports install it at start. Lines carry the stack, never inputs or
 * secrets (failureLogLine). A rejection is logged and the console keeps running (one call's
 * promise failed; the router already answered it or it was background work); an uncaught
 * exception leaves the process in an unknown state, so `fatal` ends it after logging.
 */
export function watchProcessFailures(report: (line: string) => void, fatal: (error: unknown) => void): () => void {
  const onRejection = (reason: unknown) => report(failureLogLine('unhandledRejection', reason));
  const onException = (error: unknown) => {
    report(failureLogLine('uncaughtException', error));
    fatal(error);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}

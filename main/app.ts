import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { createDispatch } from './ipc/router.js';
import type { Dispatch } from './ipc/router.js';
import { createHandlers } from './ipc/handlers.js';
import type { Services } from './ipc/services.js';
import { AuthService } from './services/auth.js';
import { EnrollmentRegistry } from './services/enrollments.js';
import { HomeService } from './services/home.js';
import { MfaService } from './services/mfa.js';
import { PasswordResetService } from './services/password-reset.js';
import { NotificationService } from './services/notifications.js';
import type { NotificationOptions } from './services/notifications.js';
import { FileMailSettingsStore, mailSettingsFileName } from './services/mail-settings-file.js';
import type { MailSettingsStore } from './services/mail-settings.js';
import { RequestService } from './services/requests.js';
import { Reauthentication } from './services/reauth.js';
import { UserService } from './services/users.js';
import { OrganizationService } from './services/organizations.js';
import { BackupService } from './services/backups.js';
import { READ_ONLY_CHANNELS } from './ipc/read-only.js';
import { ProofingService } from './services/proofing.js';
import { FsidService } from './services/fsid.js';
import { SecretBox } from './services/secret-box.js';
import type { DataKeyProvider } from './services/secret-box.js';
import { SessionRegistry } from './services/sessions.js';
import { seedDemo } from './services/demo.js';
import type { DemoAccount } from './services/demo.js';
import { openThreadStore } from './store/database-client.js';
import type { ConsoleStore } from './store/database-client.js';
import type { DatabaseLocation } from './store/store.js';
import { openPostgresStore, postgresUrl } from './store/postgres/pg-store.js';
import { acquireConsoleLock } from './store/console-lock.js';
import { FolderFileTransfer } from './services/files.js';
import type { FileTransfer } from './services/files.js';
import { ConsoleIdentity } from './services/console-identity.js';
import { ReviewScopes } from './services/review.js';
import { HistoryService } from './services/history.js';
import { AuditService } from './services/audit.js';
import { AuditIntegrity } from './services/audit-integrity.js';
import { ArchiveService } from './services/archives.js';
import { ExportService } from './services/exports.js';
import { AuditWorkers } from './store/audit-worker-client.js';

export interface ConsoleOptions {
  dataDir: string;
  /**
   * A PostgreSQL connection URL (postgres://USER@/DB?host=/socket/dir, or with a host and port).
   * Absent: the embedded SQLite file in the data folder, as a standalone console always had.
   */
  database?: string;
  keyProvider: DataKeyProvider;
  clock?: Clock;
  /** Open (and on first use fill) the separate demo database instead of the real one. */
  demo?: boolean;
  validateOutput?: boolean;
  logError?: (channel: string, error: unknown, incident?: string) => void;
  /**
   * Where the SMTP settings and password live. Default: a file beside the database, the password
   * sealed by the data key (browser host, tests); the Electron shell passes electron-store + safeStorage.
   */
  mailSettings?: MailSettingsStore;
  /**
   * Where exports go and files to open come from: Electron's dialogs, the browser host's
   * downloads and uploads. Default: the `exports` folder beside the database (tests, scripts).
   */
  files?: FileTransfer;
  /**
   * Opened read-only after a failed start-up check: the router answers only the
   * channels that review, look up and export.
   */
  readOnly?: boolean;
  /** Called when a restore has been staged: the transport restarts the console (ConsoleRunner). */
  onRestart?: () => void;
  /** The caller (ConsoleRunner) holds the database's lock for as long as it runs, restarts included. */
  lockHeld?: boolean;
  /** Delivery tuning for tests (short timeouts, fixed jitter). */
  mail?: Omit<NotificationOptions, 'mailSettings'>;
  /**
   * The whole audit chain is verified in a worker thread after start (default). 'manual':
   * only the tail at start; tests start the full check themselves (services.integrity.verifyAll).
   */
  auditCheck?: 'background' | 'manual';
}

export interface ConsoleApp {
  dispatch: Dispatch;
  services: Services;
  /** The console's data: the embedded database's own thread, or a PostgreSQL pool. */
  store: ConsoleStore;
  database: DatabaseLocation;
  /** The embedded database's file; asking for it on PostgreSQL is a mistake and throws. */
  readonly databasePath: string;
  /** The demo accounts, when opened with demo: true. */
  demoAccounts: DemoAccount[];
  close(): Promise<void>;
}

/** Demo data lives in its own file, so it can never appear in a real console's database. */
export const DATABASE_FILE = 'console.sqlite';
export const DEMO_DATABASE_FILE = 'demo.sqlite';

/**
 * The data key's file, beside the database. The demo has its own: a demo run where secure
 * storage is only a plain-text fallback must never create the key a real console then uses.
 */
export function dataKeyFileName(demo: boolean): string {
  return demo ? 'demo.key' : 'console.key';
}

/** Composes store, services and router; the Electron shell and the browser host both call this. */
export async function createConsole(options: ConsoleOptions): Promise<ConsoleApp> {
  const clock = options.clock ?? systemClock;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const location = databaseLocation(options);
  // One console per embedded file: a second one is refused here, not with SQLITE_BUSY
  // mid-decision. A PostgreSQL database is shared by design; its transactions keep the rules.
  const lock = options.lockHeld || location.engine === 'postgres' ? { release: () => undefined } : acquireConsoleLock(`${location.path}.lock`);
  let store: ConsoleStore | null = null;
  try {
    store =
      location.engine === 'sqlite'
        ? await openThreadStore(location.path, clock)
        : await openPostgresStore(location.url, clock, (error) => options.logError?.('database', error));
    return await composeConsole(options, clock, store, location, () => lock.release());
  } catch (error) {
    await store?.close();
    lock.release();
    throw error;
  }
}

export class DemoDatabaseError extends Error {
  constructor() {
    super("This PostgreSQL database holds the demo's made-up data; a real console never opens it. Give the console a database of its own.");
    this.name = 'DemoDatabaseError';
  }
}

/** The database a console's options name. */
export function databaseLocation(options: Pick<ConsoleOptions, 'dataDir' | 'database' | 'demo'>): DatabaseLocation {
  if (options.database === undefined) return { engine: 'sqlite', path: join(options.dataDir, options.demo ? DEMO_DATABASE_FILE : DATABASE_FILE) };
  return { engine: 'postgres', url: postgresUrl(options.database) };
}

/**
 * How long one chunk of a bulk decision should hold the database. On the embedded file reads
 * are answered by a reader thread meanwhile, and only another write waits behind a chunk: 100 ms
 * a chunk approves 10,000 requests in about 4.9 s instead of 6.5 s at 40 ms (each commit writes
 * the pages the chunk touched again). PostgreSQL answers other calls on other connections while a
 * chunk commits, and each chunk costs round trips of its own, so there longer chunks lose no one
 * any time.
 */
function bulkChunkTargetMs(location: DatabaseLocation): number {
  return location.engine === 'postgres' ? 250 : 100;
}

async function composeConsole(
  options: ConsoleOptions,
  clock: Clock,
  store: ConsoleStore,
  location: DatabaseLocation,
  releaseLock: () => void,
): Promise<ConsoleApp> {
  const box = new SecretBox(options.keyProvider.loadOrCreateKey());
  // The console's Ed25519 key signs the audit chain head in every appending transaction, from
  // the first (demo seeding included).
  // Made-up data and real decisions never share a database: the embedded engine keeps the demo in
  // a file of its own; on PostgreSQL a demo fills only an empty database (seedDemo), and a real
  // console refuses one the demo filled.
  if (location.engine === 'postgres' && !options.demo && (await store.meta.get('demo')) === '1') throw new DemoDatabaseError();
  const identity = await ConsoleIdentity.loadOrCreate(store.meta, box);
  await store.signAuditHeadsWith(identity.consoleId, identity.signingKey);
  const workers = new AuditWorkers();
  const integrity = new AuditIntegrity(store, identity, clock, workers, location);
  await integrity.checkTail();
  const demoAccounts = options.demo ? await seedDemo(store, box, clock) : [];
  const sessions = new SessionRegistry(clock, store);
  const enrollments = new EnrollmentRegistry(clock);
  const notifications = new NotificationService(store, clock, {
    ...options.mail,
    mailSettings: options.mailSettings ?? new FileMailSettingsStore(join(options.dataDir, mailSettingsFileName(options.demo === true)), box),
  });
  // A decision's emails go out as soon as it commits (when delivery runs).
  const requests = new RequestService(store, clock, () => notifications.mailQueued(), bulkChunkTargetMs(location));
  const files = options.files ?? new FolderFileTransfer(join(options.dataDir, 'exports'));
  const mfa = new MfaService(store, clock, enrollments, box);
  const reauth = new Reauthentication(store, clock, box);
  // Review scopes read opened archives, and archives check scopes: the one is handed the other late.
  let archives: ArchiveService | null = null;
  const scopes = new ReviewScopes(store, { source: (clientId, userRowId, archiveId) => archives?.source(clientId, userRowId, archiveId) ?? null });
  archives = new ArchiveService(store, location, identity, clock, files, workers, scopes);
  const history = new HistoryService(scopes);
  const audit = new AuditService(scopes, integrity, archives);
  const auth = new AuthService(store, clock, sessions, enrollments, box, mfa);
  const services: Services = {
    demo: options.demo === true,
    files,
    sessions,
    auth,
    passwordReset: new PasswordResetService(store, clock, box, auth, sessions, notifications),
    mfa,
    home: new HomeService(store, sessions, requests, clock, () => notifications.mailConfigured()),
    requests,
    notifications,
    users: new UserService(store, clock, sessions, reauth, files, () => notifications.mailQueued()),
    organizations: new OrganizationService(store, archives),
    proofing: new ProofingService(store, clock, files, () => notifications.mailQueued()),
    fsid: new FsidService(store, () => notifications.mailQueued()),
    identity,
    history,
    audit,
    integrity,
    archives,
    exports: new ExportService(store, scopes, history, audit, files, clock),
    backups: new BackupService(store, location, clock, identity, workers, reauth, options.dataDir, options.demo ? 'demo' : 'console', options.onRestart),
    readOnly: options.readOnly === true,
  };
  const dispatch = createDispatch(createHandlers(services), sessions, {
    validateOutput: options.validateOutput ?? false,
    ...(options.logError ? { logError: options.logError } : {}),
    ...(options.readOnly ? { readOnlyChannels: READ_ONLY_CHANNELS } : {}),
  });
  let closing: Promise<void> | null = null;
  // Once: a transport, a restart and a test may each close the console.
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Background mail delivery and reminders stop before the database closes under them.
      await services.notifications.stop();
      await services.users.stop();
      await services.backups.stop();
      await workers.stop();
      await services.archives.closeAll();
      await store.close();
      releaseLock();
    })());
  if ((options.auditCheck ?? 'background') === 'background') {
    // Off the main thread; a failure to run the check (not a broken chain) leaves the status "checking".
    integrity.verifyAll().catch((error: unknown) => {
      if (!workers.stopped) options.logError?.('audit.verify', error);
    });
  }
  return {
    dispatch,
    services,
    store,
    database: location,
    get databasePath(): string {
      if (location.engine !== 'sqlite') throw new Error('This console keeps its data in PostgreSQL, not in a file.');
      return location.path;
    },
    demoAccounts,
    close,
  };
}

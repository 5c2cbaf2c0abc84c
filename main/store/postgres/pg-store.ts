import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Clock } from '../../clock.js';
import type { ConsoleStore } from '../database-client.js';
import { measuredStore } from '../measured-store.js';
import { SqlStore } from '../sql-store.js';
import { StoreContext } from '../store-context.js';
import { migratePostgres } from './migrations/index.js';
import { PgDatabase } from './pg-database.js';

/** Connections one console process keeps to its database server. */
const POOL_SIZE = 10;

/**
 * Checks a PostgreSQL connection URL before anything connects with it, and says what is wrong in
 * words an operator can act on. The URL may hold a password: it is never repeated in a message.
 */
export function postgresUrl(text: string): string {
  parsePostgresUrl(text);
  return text;
}

/** The database a URL names, for a log line: user, host or socket folder, database; never a password. */
export function describePostgresUrl(text: string): string {
  const { url, socketOnly } = parsePostgresUrl(text);
  const host = socketOnly ? (url.searchParams.get('host') ?? 'the default socket') : `${url.hostname}${url.port ? `:${url.port}` : ''}`;
  return `database ${decodeURIComponent(url.pathname.slice(1))} as ${decodeURIComponent(url.username) || 'the current user'} on ${host}`;
}

/** Whether the URL carries a password, which a command line would show to every user of the computer. */
export function postgresUrlHasPassword(text: string): boolean {
  return parsePostgresUrl(text).url.password !== '';
}

function parsePostgresUrl(text: string): { url: URL; socketOnly: boolean } {
  const scheme = /^(postgres|postgresql):\/\//.exec(text);
  if (!scheme)
    throw new Error(
      'The database must be a PostgreSQL URL starting with postgres://, such as postgres://USER@/DB?host=/socket/dir or postgres://USER@HOST:5432/DB.',
    );
  const rest = text.slice(scheme[0].length);
  const authority = rest.slice(0, rest.search(/[/?#]|$/));
  // node-postgres takes an empty host (the socket folder then comes in ?host=); the URL parser does
  // not, so the check parses such a URL with a stand-in host.
  const socketOnly = authority.slice(authority.lastIndexOf('@') + 1) === '';
  let url: URL;
  try {
    url = new URL(socketOnly ? `${scheme[0]}${authority}localhost${rest.slice(authority.length)}` : text);
  } catch {
    throw new Error('The database URL cannot be read; write it as postgres://USER@/DB?host=/socket/dir or postgres://USER@HOST:5432/DB.');
  }
  if (url.pathname.length <= 1) throw new Error('The database URL must name the database after the host, such as postgres://USER@/DB?host=/socket/dir.');
  return { url, socketOnly };
}

/**
 * The advisory lock (two-key form; 0x534f43 is "SOC", 1 is the migrations') a console holds on its
 * PostgreSQL database while it runs. Sessions, sign-in counts and reminders still live in each
 * console's memory, so two consoles on one database would each keep their own: a deactivated
 * official could go on working at the other one. Until sessions live in the database, one console
 * per database, as with the embedded file.
 */
export const CONSOLE_LOCK = [0x534f43, 2] as const;

/** Another console holds the database. Named as the embedded file's lock error, so the runner treats both alike. */
export class DatabaseInUseError extends Error {
  constructor() {
    super('Another Security Official Console is already using this PostgreSQL database. Close that console first, or switch to it.');
    this.name = 'ConsoleInUseError';
  }
}

/** The store of a console on PostgreSQL: closing it also lets go of the console's lock. */
class PgStore extends SqlStore {
  constructor(
    context: StoreContext,
    private readonly lock: pg.Client,
  ) {
    super(context);
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.lock.end().catch(() => undefined);
    }
  }
}

/**
 * Opens an organization's console database on PostgreSQL: the console's lock on it, a pool of
 * connections, the schema brought up to this console's version (under an advisory lock of its
 * own), and the same Store the embedded engine gives, with each call timed.
 */
export async function openPostgresStore(url: string, clock: Clock, onIdleError?: (error: Error) => void): Promise<ConsoleStore> {
  const started = performance.now();
  const lock = new pg.Client({ connectionString: url, application_name: 'security-official-console lock' });
  // Without a listener a dropped connection (the server restarted) would end the process.
  lock.on('error', (error) => onIdleError?.(error));
  await lock.connect();
  try {
    const { rows } = await lock.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [...CONSOLE_LOCK]);
    if (rows[0]?.held !== true) throw new DatabaseInUseError();
  } catch (error) {
    await lock.end().catch(() => undefined);
    throw error;
  }
  const db = PgDatabase.open({ connectionString: url, max: POOL_SIZE, application_name: 'security-official-console' }, onIdleError ? { onIdleError } : {});
  try {
    await migratePostgres(db);
  } catch (error) {
    await db.close();
    await lock.end().catch(() => undefined);
    throw error;
  }
  return measuredStore(new PgStore(new StoreContext(db, clock), lock), performance.now() - started);
}

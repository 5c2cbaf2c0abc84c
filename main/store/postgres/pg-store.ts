import { performance } from 'node:perf_hooks';
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

function parsePostgresUrl(text: string): { url: URL; socketOnly: boolean } {
  const scheme = /^(postgres|postgresql):\/\//.exec(text);
  if (!scheme) throw new Error('The database must be a PostgreSQL URL starting with postgres://, such as postgres://USER@/DB?host=/socket/dir or postgres://USER@HOST:5432/DB.');
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
 * Opens an organization's console database on PostgreSQL: a pool of connections, the schema
 * brought up to this console's version (under an advisory lock, so consoles starting together
 * migrate once), and the same Store the embedded engine gives, with each call timed.
 */
export async function openPostgresStore(url: string, clock: Clock, onIdleError?: (error: Error) => void): Promise<ConsoleStore> {
  const started = performance.now();
  const db = PgDatabase.open({ connectionString: url, max: POOL_SIZE, application_name: 'security-official-console' }, onIdleError ? { onIdleError } : {});
  try {
    await migratePostgres(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return measuredStore(new SqlStore(new StoreContext(db, clock)), performance.now() - started);
}

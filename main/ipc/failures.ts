import { randomBytes } from 'node:crypto';

/**
 * What the router answers for an error no service turned into an AppError: "not now"
 * (UNAVAILABLE: the same call may well succeed in a moment, so the official is told to try
 * again) or a bug (INTERNAL: told a short reference that the log keeps with the stack, so a
 * help desk can find the one failure an official reports).
 */
export type Failure = { code: 'UNAVAILABLE' } | { code: 'INTERNAL'; incident: string };

export const UNAVAILABLE_MESSAGE =
  'The console cannot do this just now: it is starting, or its database is busy or out of reach. Nothing was saved. Try again in a moment.';

export function internalMessage(incident: string): string {
  return `Something went wrong (reference ${incident}). Nothing was saved; please try again. If it happens again, give this reference to your help desk.`;
}

/** Thrown by a store whose worker is being restarted: calls made meanwhile are "not now", not bugs. */
export class WorkerRestartingError extends Error {
  readonly code = 'WORKER_RESTARTING';
  constructor(message = 'The database worker is restarting') {
    super(message);
    this.name = 'WorkerRestartingError';
  }
}

/** SQLite's "another connection holds the lock" (better-sqlite3 names extended codes too, e.g. SQLITE_BUSY_SNAPSHOT). */
const SQLITE_NOT_NOW = /^SQLITE_(BUSY|LOCKED)(_[A-Z]+)?$/;
/**
 * PostgreSQL SQLSTATEs that mean the server is out of reach or going away, not that the
 * statement is wrong: class 08 (connection exception), 57P01 admin_shutdown, 57P03
 * cannot_connect_now (starting up), 53300 too_many_connections.
 */
const SQLSTATE_NOT_NOW = /^(08[0-9A-Z]{3}|57P01|57P03|53300)$/;
/** Node's socket errors when the database server refuses, drops or cannot be reached. */
const SOCKET_NOT_NOW = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** node-postgres reports a dropped connection or a full pool without a code, only in words. */
const PG_NOT_NOW = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Whether an error means "the database (or its worker) cannot answer now": looks through `cause` a few levels deep, as drivers wrap. */
export function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (SQLITE_NOT_NOW.test(code) || SQLSTATE_NOT_NOW.test(code) || SOCKET_NOT_NOW.has(code) || code === 'WORKER_RESTARTING'))
      return true;
    if (typeof message === 'string' && PG_NOT_NOW.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A short random reference (8 hex digits): enough to find one failure in a log, and says nothing about it. */
export function newIncidentId(): string {
  return randomBytes(4).toString('hex');
}

export function classifyFailure(error: unknown): Failure {
  return isUnavailable(error) ? { code: 'UNAVAILABLE' } : { code: 'INTERNAL', incident: newIncidentId() };
}

/**
 * One log entry for an unexpected failure: where it happened, its reference, and the error's
 * stack (its name and message, then the code path). Never the call's input, and nothing of a
 * thrown value that is not an Error (it could be anything, a secret included).
 */
export function failureLogLine(where: string, error: unknown, incident?: string): string {
  const head = `[${where}]${incident ? ` reference ${incident}` : ''}`;
  if (!(error instanceof Error)) return `${head} failure (a thrown ${error === null ? 'null' : typeof error})`;
  return `${head} ${error.stack ?? `${error.name}: ${error.message}`}`;
}

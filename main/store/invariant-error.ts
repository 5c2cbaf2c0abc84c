import { MIGRATIONS } from './migrations/index.js';

/**
 * The sentences the schema's own triggers refuse with (RAISE(ABORT, '...') in the migrations):
 * the rules the database keeps, written for officials. Read from the migrations themselves, so a
 * new rule needs no second list; any other trigger failure (a fault, a test's injected error)
 * stays an unexpected failure.
 */
const RULES = new Set([
  ...MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/RAISE\(ABORT, '((?:[^']|'')+)'\)/g)].map((match) => (match[1] ?? '').replaceAll("''", "'"))),
]);

/**
 * A rule the database itself refused: the services ask the same rules first, so reaching one
 * means a path forgot to ask, or another official changed things meanwhile. The transaction
 * rolled back, so nothing was written; the caller is told the rule's sentence.
 */
export function databaseRefusal(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // better-sqlite3: RAISE(ABORT, ...) in a trigger.
  if (code === 'SQLITE_CONSTRAINT_TRIGGER' && typeof message === 'string' && RULES.has(message)) return message;
  // PostgreSQL: the same sentences, raised by the PL/pgSQL triggers with SQLSTATE 23000 (integrity_constraint_violation).
  if (code === '23000' && typeof message === 'string' && RULES.has(message)) return message;
  return null;
}

/** Said when a transaction kept losing races with other officials' and was given up: nothing was written. */
export const CONTENTION_MESSAGE = 'Other officials are changing the same records right now, so nothing was changed. Try again.';

/**
 * Whether PostgreSQL gave up a transaction that lost every race it ran (serialization failure or
 * deadlock, after every attempt): the transaction rolled back, so asking again is safe.
 */
export function lostRaces(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, dialect } = error as { code?: unknown; dialect?: unknown };
  return dialect === 'postgres' && (code === '40001' || code === '40P01');
}

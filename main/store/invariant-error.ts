/**
 * A rule the database itself refused (a trigger of the trust model, the append-only audit): the
 * services ask the same rules first, so reaching one means a path forgot to ask, or another
 * official changed things meanwhile. The message is the trigger's own sentence, written for
 * officials; the caller gets FORBIDDEN with it and nothing was written (the transaction rolled back).
 */
export function databaseRefusal(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // better-sqlite3: RAISE(ABORT, ...) in a trigger.
  if (code === 'SQLITE_CONSTRAINT_TRIGGER' && typeof message === 'string') return message;
  return null;
}

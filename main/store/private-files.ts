import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * The console's files hold user records, sealed secrets and audit trails: only their owner may
 * read them, whatever umask the process was started with. A mode given at creation is masked by
 * the umask, and a file someone else created (SQLite, a copy, an older version of the console)
 * keeps the mode it had, so the mode is also set explicitly after the fact.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/** Makes the folder (and its missing parents) private; an existing folder is made private too. */
export function ensurePrivateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  chmodSync(path, PRIVATE_FOLDER_MODE);
}

/**
 * Creates an empty 0600 file if there is none, and makes an existing one 0600. SQLite keeps the
 * mode of a file that exists (and gives its -wal, -shm and -journal the same mode), so a database
 * or a backup created here before SQLite opens it is private from its first byte.
 */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Makes a file private if it exists (a -wal or -shm that SQLite may or may not have made). */
export function makePrivateIfPresent(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    // A -journal comes and goes with each transaction: gone is fine.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** A SQLite database and the -wal, -shm and -journal files beside it. */
export function makeDatabaseFilesPrivate(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) makePrivateIfPresent(`${path}${suffix}`);
}

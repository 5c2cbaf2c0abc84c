import { closeSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** Shown when another console has the database open: a sentence an official can act on. */
export class ConsoleInUseError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly lockPath: string,
  ) {
    super(
      holder.host === hostname()
        ? `This console's data is already open in another Security Official Console on this computer (process ${holder.pid}, since ${holder.since}). Close that console first, or switch to it.`
        : `This console's data is open in a Security Official Console on another computer (${holder.host}, since ${holder.since}). Close it there first. If that computer stopped without closing the console, delete ${lockPath} and start again.`,
    );
    this.name = 'ConsoleInUseError';
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface ConsoleLock {
  release(): void;
}

/**
 * One console per database file. SQLite would let a second process in and answer SQLITE_BUSY
 * deep inside some later decision; instead the second console is refused at start, with who
 * holds the data. The lock file is created exclusively (O_EXCL); a lock left by a process of
 * this computer that is no longer running is taken over.
 */
export function acquireConsoleLock(lockPath: string, now: Date = new Date()): ConsoleLock {
  const me: LockHolder = { pid: process.pid, host: hostname(), since: now.toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(lockPath);
      if (holder && (holder.host !== me.host || isRunning(holder.pid))) throw new ConsoleInUseError(holder, lockPath);
      // A console of this computer that crashed: its lock goes.
      rmSync(lockPath, { force: true });
      continue;
    }
    // Exactly 0600 whatever the umask (which can only take bits from the mode given above).
    fchmodSync(fd, 0o600);
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const holder = readHolder(lockPath);
        if (holder && holder.pid === me.pid && holder.host === me.host) rmSync(lockPath, { force: true });
      },
    };
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}

function readHolder(path: string): LockHolder | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') return value as LockHolder;
  } catch {
    // Unreadable or half written: treated as stale below.
  }
  return null;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

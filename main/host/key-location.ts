import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DATABASE_FILE, DEMO_DATABASE_FILE, dataKeyFileName } from '../app.js';
import { KeyFileProvider } from '../services/key-file.js';
import type { DataKeyProvider } from '../services/secret-box.js';
import { ensurePrivateFolder } from '../store/private-files.js';

/**
 * Where the browser host keeps a data folder's key: outside the data folder, so that a copy of
 * it (a backup of the folder, a shared folder, a zip sent to someone) never carries the key that
 * unseals its secrets. By default in the user's own key folder, named by a hash of the data
 * folder's real path; `--key-file` names another place. (The desktop app seals its key with the
 * operating system's secure storage instead: main/shell/safe-storage-key.ts.)
 */
export function userKeyFolder(env: NodeJS.ProcessEnv = process.env): string {
  // XDG: a relative XDG_CONFIG_HOME is to be ignored.
  const config = env['XDG_CONFIG_HOME'] && isAbsolute(env['XDG_CONFIG_HOME']) ? env['XDG_CONFIG_HOME'] : join(homedir(), '.config');
  return join(config, 'security-official-console', 'keys');
}

/** The default key file of a data folder (which must exist: its real path names the key). */
export function defaultKeyFile(dataDir: string, demo: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const digest = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 32);
  return join(userKeyFolder(env), `${dataKeyFileName(demo).replace(/\.key$/, '')}-${digest}.key`);
}

export interface KeyLocationOptions {
  dataDir: string;
  demo: boolean;
  /** --key-file: an explicit place for the key. */
  keyFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Told when a key is moved out of the data folder. */
  notice: (line: string) => void;
  /** Whether the database was there before this console started (default: whether it is there now). */
  databaseExisted?: boolean;
}

const databaseOf = (options: KeyLocationOptions) => join(options.dataDir, options.demo ? DEMO_DATABASE_FILE : DATABASE_FILE);

/**
 * The key file to use for a data folder. A key an older version kept beside the database is
 * moved there, once. Refuses to start rather than make a new key for a database that already
 * has one somewhere else (a moved data folder): a new key could not unseal its secrets.
 */
export function prepareKeyFile(options: KeyLocationOptions): string {
  const target = options.keyFile !== undefined ? resolve(options.keyFile) : defaultKeyFile(options.dataDir, options.demo, options.env);
  if (options.keyFile === undefined) ensurePrivateFolder(dirname(target));
  // Parents made here are private; a folder the user named is left as it is.
  else mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const besideDatabase = join(options.dataDir, dataKeyFileName(options.demo));
  if (resolve(besideDatabase) !== target && existsSync(besideDatabase)) {
    moveKey(besideDatabase, target);
    options.notice(`Moved the data key out of the data folder, from ${besideDatabase} to ${target}: a copy of the data folder no longer carries it.`);
  }
  const database = databaseOf(options);
  if (!existsSync(target) && (options.databaseExisted ?? existsSync(database))) {
    throw new Error(
      `The data key of ${database} is not at ${target}. If the data folder was moved or copied here, start with --key-file and the path of its key.`,
    );
  }
  return target;
}

function moveKey(from: string, to: string): void {
  if (existsSync(to)) {
    if (!readFileSync(to).equals(readFileSync(from))) {
      throw new Error(`There are two different data keys for this data folder, ${from} and ${to}. Keep the one that opens the database and remove the other.`);
    }
    rmSync(from);
    return;
  }
  try {
    renameSync(from, to);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  // Another file system: write a synced copy under a temporary name, rename it, then drop the old one.
  const temporary = `${to}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, readFileSync(from));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, to);
  rmSync(from);
}

/**
 * The browser host's data key provider: finds (or moves) the key only when the console opens,
 * after it holds the data folder's lock, so a second console refused at the lock never touches
 * the key of the one that runs.
 */
export class HostKeyProvider implements DataKeyProvider {
  private path: string | null = null;
  private readonly options: KeyLocationOptions;

  constructor(options: KeyLocationOptions) {
    // The console creates its database before it asks for the key: whether it is new is known only now.
    this.options = { ...options, databaseExisted: options.databaseExisted ?? existsSync(databaseOf(options)) };
  }

  loadOrCreateKey(): Buffer {
    this.path ??= prepareKeyFile(this.options);
    return new KeyFileProvider(this.path).loadOrCreateKey();
  }
}

import { execFile, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A throw-away PostgreSQL cluster for tests: initdb into a fresh private folder, listening only on
 * a Unix socket in that folder (no TCP port, so parallel test files never collide and nothing on
 * the machine can reach it), trust authentication for that socket only. PostgreSQL refuses to
 * run as root, so under root the server runs as the `postgres` system user (Debian's package
 * creates it) and the folder is handed to that user.
 */
export interface PgCluster {
  /** The folder that holds the Unix socket (and the data directory). */
  readonly socketDir: string;
  /** The superuser that tests connect as. */
  readonly user: string;
  /** Creates an empty database and returns its connection string. */
  createDatabase(name?: string): Promise<string>;
  /** Kills the server as a crash would (`pg_ctl stop -m immediate`): the next start runs recovery. */
  stopImmediate(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** One statement as the superuser on a cluster's own `postgres` database (creating or dropping a database). */
export async function onCluster(socketDir: string, sql: string): Promise<void> {
  const client = new pg.Client({ host: socketDir, user: SUPERUSER, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin). */
export function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const major = majors[0];
  if (major === undefined) throw new Error(`No PostgreSQL server under ${root}: install the Debian package "postgresql".`);
  return join(root, major, 'bin');
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The command line that runs a server program as the right user. */
function command(bin: string, program: string, args: string[]): [string, string[]] {
  const path = join(bin, program);
  return asRoot ? ['runuser', ['-u', SUPERUSER, '--', path, ...args]] : [path, args];
}

const live = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that failed, or a worker that exits or is told to stop, still leaves no server behind.
  const stopAll = (): void => {
    for (const stop of [...live]) stop();
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      // Then die of the signal as the process would have without this handler.
      process.kill(process.pid, signal);
    });
  }
}

export async function startCluster(options: { maxConnections?: number } = {}): Promise<PgCluster> {
  const bin = findPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'soc-pg-'));
  // A Unix socket path holds at most 107 bytes; a long TMPDIR would otherwise fail deep inside pg_ctl.
  if (Buffer.byteLength(join(dir, '.s.PGSQL.5432')) > 100) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`The temporary folder ${dir} is too long for a Unix socket path; set TMPDIR to a shorter one (e.g. /tmp).`);
  }
  chmodSync(dir, 0o700);
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`Running as root needs the "${SUPERUSER}" system user to run PostgreSQL.`);
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const exec = async (program: string, args: string[]): Promise<void> => {
    const [file, argv] = command(bin, program, args);
    try {
      await run(file, argv, { encoding: 'utf8' });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${program} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`, { cause: error });
    }
  };

  // C locale: text sorts by bytes, as SQLite's BINARY does; --no-sync: a test cluster need not survive a power cut.
  await exec('initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  // fsync off is safe against a killed server (the OS still holds the writes); only a machine crash would lose them.
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      "listen_addresses = ''",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'full_page_writes = off',
      `max_connections = ${options.maxConnections ?? 40}`,
      'shared_buffers = 32MB',
      '',
    ].join('\n'),
  );
  const ctl = (args: string[]): Promise<void> => exec('pg_ctl', ['-D', data, '-l', log, ...args]);

  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    live.delete(stopNow);
    const [file, argv] = command(bin, 'pg_ctl', ['-D', data, 'stop', '-m', 'immediate', '-w']);
    spawnSync(file, argv, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(stopNow);
  installExitHook();

  const start = (): Promise<void> => ctl(['start', '-w', '-t', '60']);
  try {
    await start();
  } catch (error) {
    stopNow();
    throw error;
  }

  let counter = 0;
  return {
    socketDir: dir,
    user: SUPERUSER,
    async createDatabase(name?: string): Promise<string> {
      counter += 1;
      const db = name ?? `test_${process.pid}_${counter}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`Not a plain database name: ${db}`);
      await onCluster(dir, `CREATE DATABASE ${db}`);
      return `postgres://${SUPERUSER}@/${db}?host=${encodeURIComponent(dir)}`;
    },
    stopImmediate: () => ctl(['stop', '-m', 'immediate', '-w']),
    start,
    async stop(): Promise<void> {
      if (stopped) return;
      try {
        await ctl(['stop', '-m', 'fast', '-w']);
      } catch {
        // already stopped (e.g. after stopImmediate): stopNow below still cleans up
      }
      stopNow();
    },
  };
}

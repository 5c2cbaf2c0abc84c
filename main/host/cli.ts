import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { AdjustableClock } from '../clock.js';
import { failureLogLine } from '../ipc/failures.js';
import { databaseLocation } from '../app.js';
import { ConsoleRunner, watchProcessFailures } from '../runner.js';
import { describePostgresUrl, postgresUrlHasPassword } from '../store/postgres/pg-store.js';
import { ensurePrivateFolder } from '../store/private-files.js';
import { HostFileTransfer } from './file-transfer.js';
import { HostKeyProvider } from './key-location.js';
import { startHost } from './server.js';

const USAGE = 'Usage: npm run start:web -- [--demo] [--data DIR] [--database postgres://USER@/DB?host=/socket/dir] [--key-file PATH] [--port N]';

async function main(): Promise<void> {
  // Whatever a library creates in the data folder is private too; the console's own files also
  // set their modes explicitly, so this is not relied on.
  process.umask(0o077);
  watchProcessFailures(
    (line) => console.error(line),
    () => process.exit(1),
  );
  let args;
  try {
    args = parseArgs({
      options: {
        demo: { type: 'boolean', default: false },
        data: { type: 'string' },
        // The organization's PostgreSQL database; without it, the embedded SQLite file in the data folder.
        database: { type: 'string' },
        'key-file': { type: 'string' },
        port: { type: 'string', default: '0' },
        'test-clock': { type: 'boolean', default: false },
        // Hidden test option: how often the outbox is looked at (end-to-end tests get mail at once).
        'mail-interval-ms': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535\n${USAGE}`);
    process.exit(2);
  }
  const mailIntervalMs = args['mail-interval-ms'] === undefined ? undefined : Number(args['mail-interval-ms']);
  if (mailIntervalMs !== undefined && (!Number.isInteger(mailIntervalMs) || mailIntervalMs < 10 || mailIntervalMs > 3_600_000)) {
    console.error(`--mail-interval-ms must be a whole number from 10 to 3600000\n${USAGE}`);
    process.exit(2);
  }
  if (args.database !== undefined) {
    try {
      databaseLocation({ dataDir: '.', database: args.database, demo: args.demo });
      if (postgresUrlHasPassword(args.database)) {
        throw new Error(
          'leave the password out of the URL: a command line is visible to every user of this computer. node-postgres reads it from PGPASSWORD or ~/.pgpass.',
        );
      }
    } catch (error) {
      console.error(`--database: ${(error as Error).message}\n${USAGE}`);
      process.exit(2);
    }
  }
  // Since the process started: what loading the code costs before the console opens anything.
  console.log(`Start-up: modules loaded: ${performance.now().toFixed(0)} ms`);
  const dataDir = resolve(args.data ?? join(process.cwd(), '.console-data', args.demo ? 'demo' : 'web'));
  ensurePrivateFolder(dataDir);
  const clock = new AdjustableClock();
  const files = new HostFileTransfer(join(dataDir, 'transfers'), clock);
  const runner = await ConsoleRunner.start({
    files,
    dataDir,
    clock,
    demo: args.demo,
    ...(args.database !== undefined ? { database: args.database } : {}),
    // Outside the data folder (a copy of the folder must not carry it), unless --key-file says where.
    keyProvider: new HostKeyProvider({ dataDir, demo: args.demo, keyFile: args['key-file'], notice: (line) => console.error(line) }),
    validateOutput: true,
    logError: (channel, error, incident) => console.error(failureLogLine(channel, error, incident)),
    // Outbox delivery, the 120-day check and daily backups; the start-up check and the recovery screen.
    background: true,
    ...(mailIntervalMs !== undefined ? { mailIntervalMs } : {}),
    log: (line) => console.log(line),
  });
  if (args.demo) {
    // For scripts and testers: how to sign in as each demo account (made-up data only).
    writeFileSync(join(dataDir, 'demo-accounts.json'), `${JSON.stringify(runner.current?.demoAccounts ?? [], null, 2)}\n`, { mode: 0o600 });
    chmodSync(join(dataDir, 'demo-accounts.json'), 0o600);
  }
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/renderer');
  const host = await startHost({
    dispatch: runner.dispatch,
    rendererDir,
    port,
    files,
    sessions: () => runner.current?.services.sessions ?? null,
    logError: (line) => console.error(line),
    ...(args['test-clock'] ? { advanceClock: (ms: number) => clock.advance(ms) } : {}),
  });
  console.log(`Start-up: console and web server, from the process's start: ${performance.now().toFixed(0)} ms`);
  console.log(`Data folder: ${dataDir}${args.demo ? ' (DEMO data)' : ''}`);
  // Where the data is, without the URL's password (if it has one).
  if (args.database !== undefined) console.log(`Database: PostgreSQL ${describePostgresUrl(args.database)}`);
  console.log(`Console ready at ${host.url}`);
  const shutDown = async () => {
    await host.close();
    await runner.close();
    files.dispose();
  };
  // A signal handler's result is ignored: the shutdown's own failure is logged here, and the
  // process ends either way (the database lock goes with it).
  const stop = () =>
    void shutDown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(failureLogLine('shutdown', error));
        process.exit(1);
      },
    );
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(failureLogLine('startup', error));
  process.exit(1);
});

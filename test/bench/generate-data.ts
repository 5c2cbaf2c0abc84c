import { resolve } from 'node:path';
import { fmtInt, parseFlags } from './bench-support.js';
import { generateScaleData } from './scale-data.js';

/**
 * npm run bench:data -- --users 1000000 --pending 100000 --history 200000 --db /tmp/scale/console.sqlite
 * npm run bench:data -- --users 1000000 --pending 100000 --history 10000000 --db /tmp/scale10m/console.sqlite  (about 11 minutes, 8.1 GB)
 *
 * Builds a scale database for the benchmarks (see scale-data.ts for its shape) and, beside it,
 * PATH.accounts.json naming a few Security Officials with a known password and TOTP key, sealed
 * with dirname(PATH)/console.key, so `npx tsx main/host/cli.ts --data dirname(PATH) --key-file
 * dirname(PATH)/console.key` opens it when the file is named console.sqlite.
 */
const USAGE = `Usage: npm run bench:data -- --db PATH [--users N] [--pending N] [--history N] [--seed N] [--force] [--large-share F]
       [--large-users F] [--batch ROWS] [--journal off|wal] [--load-foreign-keys] [--check] [--defer-indexes] [--analyze]
  --db PATH            the database to create (name it console.sqlite for the browser host)
  --users N            users (default 1,000,000)
  --pending N          pending role requests (default 100,000)
  --history N          decided (approved/rejected) role requests (default 200,000)
  --force              replace an existing database at PATH
  --large-share F      share of the pending requests in the large provider's queue (default 0.25;
                       1 gives large.provider.so all of them, e.g. for the 100k-row screenshot)
  --large-users F      share of the users at the large provider (default 0.02; 0.37 gives it over
                       100,000 users in iQIES Prod, for the User Lookup export figure)
  --batch ROWS         rows per transaction (default 50,000)
  --journal off|wal    journal during the load (default off; WAL is restored afterwards)
  --load-foreign-keys  check foreign keys on every insert (default: off during the load)
  --check              PRAGMA foreign_key_check at the end
  --defer-indexes      drop the users table's name indexes during the load, rebuild them after
  --analyze            ANALYZE at the end (the console never does; off by default)`;

const flags = parseFlags(
  process.argv.slice(2),
  {
    db: 'string',
    users: 'number',
    pending: 'number',
    history: 'number',
    seed: 'number',
    force: 'boolean',
    batch: 'number',
    journal: 'string',
    'load-foreign-keys': 'boolean',
    check: 'boolean',
    'defer-indexes': 'boolean',
    'large-share': 'number',
    'large-users': 'number',
    analyze: 'boolean',
  },
  USAGE,
);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const journal = flags.journal ?? 'off';
if (journal !== 'off' && journal !== 'wal') {
  console.error(`--journal is off or wal\n${USAGE}`);
  process.exit(2);
}
const options = {
  db: resolve(flags.db),
  users: Math.floor(flags.users ?? 1_000_000),
  pending: Math.floor(flags.pending ?? 100_000),
  history: Math.floor(flags.history ?? 200_000),
  seed: Math.floor(flags.seed ?? 20_260_301),
  force: flags.force ?? false,
  batch: Math.max(1, Math.floor(flags.batch ?? 50_000)),
  journal: journal as 'off' | 'wal',
  loadForeignKeys: flags['load-foreign-keys'] ?? false,
  check: flags.check ?? false,
  deferIndexes: flags['defer-indexes'] ?? false,
  largeShare: flags['large-share'] ?? 0.25,
  largeUserShare: flags['large-users'] ?? 0.02,
  analyze: flags.analyze ?? false,
  now: Date.now(),
  log: (line: string) => console.log(line),
};

console.log(
  `Generating ${fmtInt(options.users)} users, ${fmtInt(options.pending)} pending and ${fmtInt(options.history)} decided requests into ${options.db}` +
    ` (journal ${options.journal} during the load, ${fmtInt(options.batch)} rows per transaction)`,
);
try {
  const result = await generateScaleData(options);
  const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
  console.log(
    `Done in ${result.seconds.toFixed(1)} s: ${fmtInt(total)} rows, ${fmtInt(total / result.seconds)} rows/s overall, ` +
      `${fmtInt(options.users / result.seconds)} users/s of wall time.`,
  );
  // The queue benchmark's shape; a history of millions takes minutes more by design.
  const target =
    options.users < 1_000_000
      ? 'n/a (fewer than 1,000,000 users)'
      : options.history > 200_000
        ? 'n/a (more than 200,000 decided requests)'
        : result.seconds < 120
          ? 'PASS'
          : 'FAIL';
  console.log(`Target 1,000,000 users in under 2 minutes: ${target}`);
  console.log(`Accounts: ${result.accountsPath}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

import { readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AdjustableClock } from '../../main/clock.js';
import { dataKeyFileName } from '../../main/app.js';
import { ConsoleRunner, quickCheck } from '../../main/runner.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { copyDatabase } from './bench-console.js';
import { fmtInt, fmtMs, parseFlags, printTable, withBlockProbe } from './bench-support.js';

/**
 * npm run bench:backup -- --db PATH
 *
 * The backup figures on a throw-away copy of a scale database (`npm run bench:data`): the start-up
 * quick_check, the console's start through ConsoleRunner, a backup made while the console runs
 * (with the longest main-thread stall, which must stay under 100 ms), its check in the worker, and
 * the thorough check a restore runs first.
 */
const USAGE = 'Usage: npm run bench:backup -- --db PATH [--keep]';
const flags = parseFlags(process.argv.slice(2), { db: 'string', keep: 'boolean' }, USAGE);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const source = resolve(flags.db as string);
  const dataDir = copyDatabase(source);
  const database = join(dataDir, 'console.sqlite');
  console.log(`Backup benchmark on ${source} (copy in ${dataDir}), ${fmtInt(statSync(database).size / 1e6)} MB`);
  console.log(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );
  const rows: string[][] = [['Measure', 'ms', 'longest main-thread stall (ms)', 'target', 'result']];
  const verdicts: string[] = [];
  try {
    const check = quickCheck(database);
    rows.push([
      'quick_check (its own connection; the console runs it in a worker after it opens)',
      fmtMs(check.quickCheckMs ?? Number.NaN),
      '',
      '',
      check.problem ?? 'ok',
    ]);

    const clock = new AdjustableClock();
    const t0 = performance.now();
    const runner = await ConsoleRunner.start({ dataDir, clock, keyProvider: new KeyFileProvider(join(dataDir, dataKeyFileName(false))), auditCheck: 'manual' });
    rows.push([
      'Console start through ConsoleRunner (tail of the audit chain, open)',
      fmtMs(performance.now() - t0),
      '',
      '',
      runner.inRecovery ? 'RECOVERY' : 'ok',
    ]);
    // The background quick_check ends before the backup is measured, so the two do not share the disk.
    const background = await runner.fileChecked();
    rows.push(['quick_check in the background after open (worker)', fmtMs(background.quickCheckMs ?? Number.NaN), '', '', background.problem ?? 'ok']);
    const app = runner.current;
    if (!app) throw new Error(`The console opened in recovery: ${runner.inRecovery?.problem}`);
    try {
      const backup = await withBlockProbe(() => app.services.backups.backupNow(null));
      const stall = backup.longestBlockMs < 100 ? 'PASS' : 'FAIL';
      verdicts.push(stall);
      rows.push([
        `Backup while running (online backup API, then quick_check and the whole chain in the worker; ${fmtInt(backup.value.bytes / 1e6)} MB)`,
        fmtMs(backup.ms),
        fmtMs(backup.longestBlockMs),
        'stall < 100',
        `${stall}, check ${backup.value.verified}`,
      ]);
      const thorough = await withBlockProbe(() => app.services.backups.check(backup.value.name, true));
      rows.push([
        'Restore check (integrity_check and the whole chain, in the worker)',
        fmtMs(thorough.ms),
        fmtMs(thorough.longestBlockMs),
        '',
        thorough.value.verified,
      ]);
      console.log(`Backups folder: ${readdirSync(app.services.backups.folder).join(', ')}`);
    } finally {
      await runner.close();
    }
    console.log('');
    printTable(rows);
    const failed = verdicts.filter((v) => v === 'FAIL').length;
    console.log(`\n${failed === 0 ? 'PASS' : 'FAIL'}: ${verdicts.length - failed} of ${verdicts.length} targets met.`);
  } finally {
    if (!flags.keep) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`Kept ${dataDir}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

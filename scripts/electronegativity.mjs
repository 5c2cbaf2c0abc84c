#!/usr/bin/env node
/**
 * Electronegativity (Doyensec's Electron security linter) over the console's own code:
 * main/ (the shell and everything it loads), the preload, renderer/ (including index.html
 * and its CSP) and shared/, scanned together so that its global checks (navigation limits,
 * permission handler, CSP) see the main process and the page at once.
 *
 * It reads the TypeScript sources directly (its parser for .ts/.tsx is a current Babel), so
 * findings point at real lines. It skips .cts files, so the preload is scanned under a .ts
 * name. Files it cannot parse are a failure here: a file it cannot read is a file it did not
 * check.
 *
 * Exit status: non-zero if any finding is HIGH or MEDIUM, unless it is listed in REVIEWED
 * below with the reason it does not apply. The full report (CSV) goes to a temporary file.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const runElectronegativity = require('@doyensec/electronegativity');

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Findings of MEDIUM or HIGH severity that were reviewed and do not apply, each bound to the
 * one file where it was reviewed (a new occurrence elsewhere fails again).
 */
const REVIEWED = [
  {
    id: 'PRELOAD_JS_CHECK',
    file: 'main/shell/window.ts',
    reason:
      'Flags every preload for manual review. Ours (main/shell/preload.cts) runs sandboxed with context isolation, exposes one ' +
      'function, forwards only channels of the contract, and the main process checks the sender frame and validates every input.',
  },
  {
    id: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'main/shell/hardening.ts',
    reason:
      'Opens only what isExternalLink (shared/help.ts) allows: https to the four job-aid sites (no credentials, default port) and ' +
      'mailto: to the help desks listed there, without parameters; anything else a page asks to open is refused. ' +
      'test/unit/external-links.test.ts covers the refusals.',
  },
];

/** Checks not run at all, and why. Names are Electronegativity's check class names. */
const EXCLUDED_CHECKS = [
  // Downloads Electron's release list to suggest upgrades: needs the internet, which CI here
  // does not have, and makes the result depend on the day. Electron upgrades are tracked as
  // dependency updates instead.
  'AvailableSecurityFixesGlobalCheck',
];

const FAILING = new Set(['HIGH', 'MEDIUM']);

function scanCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'soc-electronegativity-'));
  const skip = (path) => !path.split(sep).includes('node_modules');
  for (const folder of ['main', 'renderer', 'shared']) {
    cpSync(join(root, folder), join(dir, folder), { recursive: true, filter: skip });
  }
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  // Electronegativity lists only .js/.jsx/.ts/.tsx/.html files: give it the preload as .ts.
  copyFileSync(join(root, 'main/shell/preload.cts'), join(dir, 'main/shell/preload.cts.ts'));
  return dir;
}

const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const input = scanCopy();
const report = join(tmpdir(), `electronegativity-report-${process.pid}.csv`);

let result;
try {
  result = await runElectronegativity({
    input,
    output: report,
    isSarif: false,
    isRelative: true,
    isVerbose: false,
    customScan: [],
    excludeFromScan: EXCLUDED_CHECKS.map((name) => name.toLowerCase()),
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  });
} finally {
  rmSync(input, { recursive: true, force: true });
}

const toPosix = (path) => path.split(sep).join('/');
const unparsed = result.errors.filter((error) => !error.tolerable);
const findings = result.issues.map((issue) => ({
  id: issue.id,
  severity: issue.severity.name,
  confidence: issue.confidence.name,
  file: toPosix(issue.file).replace(/\.cts\.ts$/, '.cts'),
  where: `${issue.location.line}:${issue.location.column}`,
  review: issue.manualReview === true,
  description: issue.description,
}));

const reviewedReason = (finding) => REVIEWED.find((r) => r.id === finding.id && r.file === finding.file)?.reason;
const failing = findings.filter((f) => FAILING.has(f.severity) && !reviewedReason(f));

console.log(
  `electronegativity ${require('@doyensec/electronegativity/package.json').version}: ${result.atomicChecks} atomic and ${result.globalChecks} global checks, Electron ${electronVersion}`,
);
for (const f of findings) {
  const reason = reviewedReason(f);
  const mark = FAILING.has(f.severity) ? (reason ? 'reviewed' : 'FAIL') : 'note';
  console.log(`  [${mark}] ${f.id} ${f.severity}/${f.confidence} ${f.file}:${f.where}${f.review ? ' (manual review)' : ''}`);
  if (reason) console.log(`           ${reason}`);
  else if (mark === 'FAIL') console.log(`           ${f.description}`);
}
for (const error of unparsed) console.log(`  [FAIL] could not parse ${toPosix(error.file)}: ${error.message}`);
for (const stale of REVIEWED.filter((r) => !findings.some((f) => f.id === r.id && f.file === r.file))) {
  console.log(`  [note] ${stale.id} no longer fires in ${stale.file}; its REVIEWED entry can go.`);
}
console.log(`Report: ${report}`);

if (failing.length > 0 || unparsed.length > 0) {
  console.error(`electronegativity: ${failing.length} HIGH/MEDIUM finding(s) and ${unparsed.length} unparsed file(s).`);
  process.exit(1);
}
console.log('electronegativity: no HIGH or MEDIUM findings.');

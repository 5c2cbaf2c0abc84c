import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { path: string; reason: null } | { path: null; reason: string };

/**
 * Where the Electron binary is, if it is on this machine. The `electron` package downloads its
 * binary on first use and its index then returns the binary's path; here, requiring it would
 * start that download (which this machine cannot make), so the same lookup is done without it:
 * ELECTRON_OVERRIDE_DIST_PATH, else node_modules/electron/path.txt naming a file in dist/.
 */
export function findElectronBinary(): ElectronBinary {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? join(override, relative ?? 'electron') : relative ? join(packageDir, 'dist', relative) : null;
  if (candidate && existsSync(candidate)) return { path: candidate, reason: null };
  return {
    path: null,
    reason:
      'Electron binary not present (it is downloaded on first start; this machine cannot download it)' +
      (candidate ? `: no file at ${candidate}` : ': node_modules/electron/path.txt is missing'),
  };
}

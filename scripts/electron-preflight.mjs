/**
 * Before `npm start` builds anything: can Electron be prepared here? Two pieces come from the
 * network on first use: Electron's binary (github.com, or ELECTRON_MIRROR) and its headers, with
 * which better-sqlite3 and argon2 are rebuilt for Electron's ABI (electronjs.org, kept in
 * ~/.electron-gyp). A build machine or an offline office has neither, and the rebuild would wait
 * on the download without a word; this says at once what is missing and what to run instead.
 *
 * The decision (missingPieces) is pure and unit-tested; the probes are small and bounded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PROBE_TIMEOUT_MS = 5_000;
export const DEFAULT_BINARY_HOST = 'https://github.com/electron/electron/releases/download/';
export const DEFAULT_HEADERS_HOST = 'https://www.electronjs.org/headers';

/** Whether node_modules/electron holds its binary (it is downloaded on first use, not at install). */
export function binaryPresent(electronDir, env = process.env) {
  try {
    const executable = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    const dist = env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
    return executable !== '' && existsSync(join(dist, executable));
  } catch {
    return false;
  }
}

/** Whether Electron's headers for this version are in @electron/rebuild's cache (~/.electron-gyp). */
export function headersCached(version, home = homedir()) {
  return existsSync(join(home, '.electron-gyp', version, 'include', 'node', 'node.h'));
}

/**
 * Whether a host answers at all within the timeout (any HTTP status counts: a 404 still means
 * the download could be tried). Behind a proxy the probe cannot tell, so it does not judge.
 */
export async function reachable(url, timeoutMs = PROBE_TIMEOUT_MS, env = process.env) {
  if (env.HTTPS_PROXY || env.https_proxy || env.GLOBAL_AGENT_HTTPS_PROXY) return true;
  try {
    await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/**
 * What cannot be had: 'binary' when it is neither here nor downloadable, 'headers' likewise.
 * @param {{ binaryPresent: boolean, binaryHostReachable: boolean, headersCached: boolean, headersHostReachable: boolean }} state
 * @returns {Array<'binary' | 'headers'>}
 */
export function missingPieces(state) {
  const missing = [];
  if (!state.binaryPresent && !state.binaryHostReachable) missing.push('binary');
  if (!state.headersCached && !state.headersHostReachable) missing.push('headers');
  return missing;
}

/** The words for a machine that cannot prepare Electron: what is missing, from where, and what to run instead. */
export function preflightMessage(missing, { version, binaryHost, headersHost }) {
  const lines = [`npm start cannot prepare Electron ${version} on this machine:`];
  if (missing.includes('binary')) {
    lines.push(`  - The Electron binary is not installed (node_modules/electron/dist), and ${hostOf(binaryHost)} cannot be reached to download it.`);
  }
  if (missing.includes('headers')) {
    lines.push(
      `  - Electron's headers are not cached (~/.electron-gyp/${version}), and ${hostOf(headersHost)} cannot be reached to download them;` +
        ' better-sqlite3 and argon2 must be rebuilt with them to run inside Electron.',
    );
  }
  lines.push(
    '',
    'Start the console in your browser instead (the same console, no Electron needed):',
    '  npm run start:web',
    '',
    'Or, on a network that needs them, set ELECTRON_MIRROR (binary), ELECTRON_REBUILD_DIST_URL (headers) or HTTPS_PROXY, and run npm start again.',
  );
  return lines.join('\n');
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Looks (binary, header cache) and probes only what is not here, both hosts at once.
 * @returns {Promise<{ version: string, missing: Array<'binary' | 'headers'>, message: string | null }>}
 */
export async function preflight({ electronDir, env = process.env, home = homedir(), probe = reachable }) {
  const version = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const binaryHost = env.ELECTRON_MIRROR || DEFAULT_BINARY_HOST;
  const headersHost = env.ELECTRON_REBUILD_DIST_URL || DEFAULT_HEADERS_HOST;
  const present = binaryPresent(electronDir, env);
  const cached = headersCached(version, home);
  const [binaryHostReachable, headersHostReachable] = await Promise.all([present ? true : probe(binaryHost), cached ? true : probe(headersHost)]);
  const missing = missingPieces({ binaryPresent: present, binaryHostReachable, headersCached: cached, headersHostReachable });
  return { version, missing, message: missing.length > 0 ? preflightMessage(missing, { version, binaryHost, headersHost }) : null };
}

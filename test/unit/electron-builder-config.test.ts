import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { matchesGlob } from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * electron-builder.yml is checked twice: against electron-builder's own JSON schema (so a
 * misspelt key fails here, not silently at packaging time), and for the hardening the
 * console's design requires (asar, fuses, no browser host in the installer).
 */
const root = new URL('../../', import.meta.url);
const require = createRequire(import.meta.url);

type Config = Record<string, unknown> & {
  electronFuses: Record<string, unknown>;
  files: string[];
};

function loadConfig(): Config {
  return parse(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Config;
}

function builderSchemaValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as Record<string, unknown>;
  // The schema is draft-07 and uses a few keywords Ajv's strict mode does not know.
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

const validate = builderSchemaValidator();
const config = loadConfig();

function errorsOf(candidate: unknown): string[] {
  return validate(candidate) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** The files electron-builder would take from the app folder (its rule: some include matches, no exclude does). */
function isPackaged(path: string): boolean {
  const include = config.files.filter((p) => !p.startsWith('!'));
  const exclude = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return include.some((p) => matchesGlob(path, p)) && !exclude.some((p) => matchesGlob(path, p));
}

describe('electron-builder.yml', () => {
  it('is valid by electron-builder’s own schema', () => {
    expect(errorsOf(config)).toEqual([]);
  });

  it('would be refused by that schema if it named an option electron-builder does not have', () => {
    expect(errorsOf({ ...config, asarr: true })).not.toEqual([]);
    expect(errorsOf({ ...config, electronFuses: { ...config.electronFuses, runAsNodee: false } })).not.toEqual([]);
    expect(errorsOf({ ...config, asar: 'yes' })).not.toEqual([]);
  });

  it('names the console as the product', () => {
    const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { productName: string; main: string };
    expect(config.appId).toBe('gov.cms.securityofficialconsole');
    expect(config.productName).toBe('Security Official Console');
    expect(config.productName).toBe(packageJson.productName);
    expect(config.directories).toEqual({ output: 'release', buildResources: 'assets' });
    // The entry point electron-builder starts must be one it packages.
    expect(isPackaged(packageJson.main)).toBe(true);
  });

  it('packs the app into app.asar, with only native modules unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/*.node']);
    expect(config.npmRebuild).toBe(true);
  });

  it('sets every Electron fuse the hardening requires', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships the build output and never the browser host, sources, tests, scripts or source maps', () => {
    for (const shipped of ['dist/main/electron.js', 'dist/main/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/assets/index-abc.js']) {
      expect(isPackaged(shipped), shipped).toBe(true);
    }
    for (const kept of [
      'main/host/server.ts',
      'main/host/cli.ts',
      'dist/host/cli.js',
      'dist/main/host.js',
      'main/shell/main.ts',
      'test/unit/auth.test.ts',
      'scripts/build-main.mjs',
      'dist/main/electron.js.map',
      'dist/renderer/assets/index-abc.js.map',
      '.console-data/demo/demo.sqlite',
    ]) {
      expect(isPackaged(kept), kept).toBe(false);
    }
    expect(config.files).toContain('!main/host/**');
    expect(config.files).toContain('!dist/host/**');
  });

  it('builds an NSIS installer for Windows that installs for all users where the official chooses', () => {
    expect(config.win).toMatchObject({ target: ['nsis'] });
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true, allowToChangeInstallationDirectory: true, deleteAppDataOnUninstall: false });
  });

  it('builds a hardened-runtime DMG for macOS and an AppImage and a .deb for Linux', () => {
    expect(config.mac).toMatchObject({ target: ['dmg'], category: 'public.app-category.business', hardenedRuntime: true });
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'Office' });
  });
});

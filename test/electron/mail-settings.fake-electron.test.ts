import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The Electron mail settings (electron-store + safeStorage) against a fake `electron`, as in
 * shell.fake-electron.test.ts: the SMTP password reaches settings.json only sealed.
 */
const fake = vi.hoisted(() => {
  const state = { failDecrypt: false };
  // A reversible stand-in for the OS keystore: not secret, but never the plain text.
  const seal = (text: string) => Buffer.from(`sealed:${Buffer.from(text, 'utf8').toString('hex')}`, 'utf8');
  const unseal = (sealed: Buffer) => {
    const body = sealed.toString('utf8');
    if (state.failDecrypt || !body.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(body.slice('sealed:'.length), 'hex').toString('utf8');
  };
  const electron = {
    ipcMain: { on: () => undefined },
    safeStorage: {
      encryptStringAsync: async (text: string) => seal(text),
      decryptStringAsync: async (sealed: Buffer) => ({ result: unseal(sealed), shouldReEncrypt: false }),
    },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ default: fake.electron, ...fake.electron }));
// electron-store loads the real 'electron' outside vitest's module graph; its base class, conf,
// is the same store without Electron (electron-store only adds the default folder and `name`).
vi.mock('electron-store', async () => {
  const { default: Conf } = await import('conf');
  class ElectronStoreWithoutElectron extends Conf {
    constructor(options: { name: string } & Record<string, unknown>) {
      const { name, ...rest } = options;
      super({ ...rest, configName: name, projectName: 'security-official-console-test' });
    }
  }
  return { default: ElectronStoreWithoutElectron };
});

const { SafeStorageMailSettings, SettingsStore, SETTINGS_NAME } = await import('../../main/shell/settings.js');

const PASSWORD = 'S3cret-smtp-pa55word!';
const SERVER = { host: 'smtp.example.org', port: 587, secure: false, user: 'console', from: 'donotreply@console.example' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'soc-mail-settings-'));
  fake.state.failDecrypt = false;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Electron mail settings: electron-store for the server, safeStorage for the password', () => {
  it('starts empty: mail off', async () => {
    expect(await new SafeStorageMailSettings(new SettingsStore(dir)).load()).toEqual({
      host: '',
      port: 587,
      secure: false,
      user: '',
      from: '',
      password: null,
    });
  });

  it('keeps the password only sealed; undefined keeps it, null removes it', async () => {
    const mail = new SafeStorageMailSettings(new SettingsStore(dir));
    await mail.save(SERVER, PASSWORD);
    const file = readFileSync(join(dir, `${SETTINGS_NAME}.json`), 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(JSON.parse(file).smtp).toMatchObject({ ...SERVER, passwordSealed: expect.any(String) });
    expect(await mail.load()).toEqual({ ...SERVER, password: PASSWORD });

    await mail.save({ ...SERVER, host: 'smtp2.example.org' }, undefined);
    expect(await new SafeStorageMailSettings(new SettingsStore(dir)).load()).toEqual({ ...SERVER, host: 'smtp2.example.org', password: PASSWORD });

    await mail.save(SERVER, null);
    expect(await mail.load()).toEqual({ ...SERVER, password: null });
    expect(JSON.parse(readFileSync(join(dir, `${SETTINGS_NAME}.json`), 'utf8')).smtp.passwordSealed).toBeNull();
  });

  it('a password the keystore can no longer unseal reads as none', async () => {
    const mail = new SafeStorageMailSettings(new SettingsStore(dir));
    await mail.save(SERVER, PASSWORD);
    fake.state.failDecrypt = true;
    expect(await mail.load()).toEqual({ ...SERVER, password: null });
  });
});

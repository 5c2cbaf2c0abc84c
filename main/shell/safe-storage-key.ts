import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { safeStorage } from 'electron';
import type { DataKeyProvider } from '../services/secret-box.js';

/** Beside the database, in the user-data folder. */
/** The sealed form of a data key file (see dataKeyFileName in main/app.ts). */
export const sealedKeyFileName = (keyFileName: string): string => `${keyFileName}.sealed`;

const KEY_BYTES = 32;

/** The console cannot keep its data key safe on this machine; it must not start. */
export class KeyStorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStorageUnavailableError';
  }
}

export interface SafeStorageKeyOptions {
  /**
   * On Linux without a keyring (GNOME Keyring, KWallet), Electron falls back to `basic_text`:
   * the key would be "sealed" with a password compiled into Chromium, which protects nothing.
   * Only the demo database (made-up data) may run like that.
   */
  allowPlainTextBackend: boolean;
}

/**
 * The Electron data key (AES-256 for TOTP secrets, main/services/secret-box.ts): 32 random
 * bytes, sealed by the operating system's credential store through safeStorage (Keychain on
 * macOS, DPAPI on Windows, the Secret Service or KWallet on Linux) and kept, base64, in a
 * 0600 file. Copying the file to another account or machine does not reveal the key.
 *
 * safeStorage's synchronous calls are deprecated, so the key is unsealed once with the async
 * API by `open()`; `loadOrCreateKey()` then hands out copies.
 */
export class SafeStorageKeyProvider implements DataKeyProvider {
  private constructor(private readonly key: Buffer) {}

  static async open(path: string, options: SafeStorageKeyOptions): Promise<SafeStorageKeyProvider> {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) {
      throw new KeyStorageUnavailableError(
        'The operating system’s secure storage is not available, so the console cannot protect its data. ' +
          'Sign in to your desktop session (on Linux, start GNOME Keyring or KWallet) and open the console again.',
      );
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text' && !options.allowPlainTextBackend) {
      throw new KeyStorageUnavailableError(
        'No keyring (GNOME Keyring or KWallet) is running, so the console cannot protect its data. ' + 'Start a keyring and open the console again.',
      );
    }
    return new SafeStorageKeyProvider(existsSync(path) ? await unseal(path) : await createSealed(path));
  }

  loadOrCreateKey(): Buffer {
    return Buffer.from(this.key);
  }
}

async function unseal(path: string): Promise<Buffer> {
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(`The key file ${path} is readable by other users (mode ${mode.toString(8)}); refusing to use it`);
  }
  let key: Buffer;
  let shouldReEncrypt: boolean;
  try {
    const decrypted = await safeStorage.decryptStringAsync(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
    key = Buffer.from(decrypted.result, 'base64');
    shouldReEncrypt = decrypted.shouldReEncrypt;
  } catch {
    throw new KeyStorageUnavailableError(
      `The console’s data key (${path}) could not be unsealed by this user account’s secure storage. ` +
        'It was created by another account or machine, or the keyring was reset.',
    );
  }
  if (key.length !== KEY_BYTES) throw new Error(`The key file ${path} is damaged`);
  // The OS rotated its key: seal ours again under the new one, atomically.
  if (shouldReEncrypt) writeSealed(path, await seal(key), true);
  return key;
}

async function createSealed(path: string): Promise<Buffer> {
  const key = randomBytes(KEY_BYTES);
  writeSealed(path, await seal(key), false);
  return key;
}

async function seal(key: Buffer): Promise<string> {
  return (await safeStorage.encryptStringAsync(key.toString('base64'))).toString('base64');
}

function writeSealed(path: string, sealed: string, replace: boolean): void {
  if (!replace) {
    // 'wx': never overwrite a key another instance just wrote; the data would become unreadable.
    writeFileSync(path, `${sealed}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return;
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${sealed}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { DataKeyProvider } from './secret-box.js';

/**
 * A data key in a 0600 file. The browser host keeps it outside the data folder
 * (main/host/key-location.ts); tests and scripts name a file of their own. Electron replaces this
 * with a safeStorage-sealed file (main/shell/safe-storage-key.ts).
 */
export class KeyFileProvider implements DataKeyProvider {
  constructor(private readonly path: string) {}

  loadOrCreateKey(): Buffer {
    if (existsSync(this.path)) {
      const mode = statSync(this.path).mode & 0o777;
      if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
        throw new Error(`The key file ${this.path} is readable by other users (mode ${mode.toString(8)}); refusing to use it`);
      }
      const key = readFileSync(this.path);
      if (key.length !== 32) throw new Error(`The key file ${this.path} is damaged`);
      return key;
    }
    const key = randomBytes(32);
    writeFileSync(this.path, key, { mode: 0o600, flag: 'wx' });
    chmodSync(this.path, 0o600);
    return key;
  }
}

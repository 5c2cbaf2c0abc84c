import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretBox } from './secret-box.js';
import { DEFAULT_MAIL_SETTINGS, mailSettingsFrom } from './mail-settings.js';
import type { MailSettings, MailSettingsStore, MailSettingsWithPassword } from './mail-settings.js';

/** Beside the database. The demo keeps its own, sealed by the demo key, so demo mail never uses real settings. */
export function mailSettingsFileName(demo: boolean): string {
  return demo ? 'demo-mail-settings.json' : 'mail-settings.json';
}

/** Binds the sealed password to its purpose, so no other sealed secret can be swapped in for it. */
export const SMTP_PASSWORD_AAD = 'smtp-password';

interface MailSettingsFile extends MailSettings {
  /** AES-256-GCM under the console's data key, base64; never the password itself. */
  passwordSealed: string | null;
}

/**
 * Mail settings for the browser host and tests: a 0600 JSON file beside the database, the SMTP
 * password sealed by the console's SecretBox. Electron uses electron-store and safeStorage instead.
 */
export class FileMailSettingsStore implements MailSettingsStore {
  constructor(
    private readonly path: string,
    private readonly box: SecretBox,
  ) {}

  async load(): Promise<MailSettingsWithPassword> {
    const stored = this.read();
    if (!stored) return { ...DEFAULT_MAIL_SETTINGS, password: null };
    const { passwordSealed, ...settings } = stored;
    return { ...settings, password: passwordSealed ? this.unseal(passwordSealed) : null };
  }

  async save(settings: MailSettings, password: string | null | undefined): Promise<void> {
    const previous = this.read();
    const passwordSealed =
      password === undefined ? (previous?.passwordSealed ?? null) : password === null ? null : this.box.seal(password, SMTP_PASSWORD_AAD).toString('base64');
    const file: MailSettingsFile = {
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      user: settings.user,
      from: settings.from,
      passwordSealed,
    };
    // Write beside, then rename: a crash leaves the old file or the new one, never half of one.
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }

  private read(): MailSettingsFile | null {
    if (!existsSync(this.path)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      // A damaged settings file must not stop the console: mail waits until settings are saved again.
      return null;
    }
    const sealed = (parsed as { passwordSealed?: unknown } | null)?.passwordSealed;
    return { ...mailSettingsFrom(parsed), passwordSealed: typeof sealed === 'string' && sealed !== '' ? sealed : null };
  }

  /** A password sealed under another key (the key file was replaced) is as good as none. */
  private unseal(sealed: string): string | null {
    try {
      return this.box.open(Buffer.from(sealed, 'base64'), SMTP_PASSWORD_AAD);
    } catch {
      return null;
    }
  }
}

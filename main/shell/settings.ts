import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import Store from 'electron-store';
import type { Schema } from 'electron-store';
import { DEFAULT_MAIL_SETTINGS } from '../services/mail-settings.js';
import type { MailSettings, MailSettingsStore, MailSettingsWithPassword } from '../services/mail-settings.js';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

/**
 * Outgoing mail for the notification outbox. The password is never stored in clear: only as
 * safeStorage ciphertext (base64), so the settings file can be read without revealing it.
 */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is required by the sender. */
  secure: boolean;
  user: string;
  from: string;
  passwordSealed: string | null;
}

export interface ConsoleSettings {
  window: WindowBounds | null;
  smtp: SmtpSettings | null;
}

export const SETTINGS_NAME = 'settings';

const DEFAULTS: ConsoleSettings = { window: null, smtp: null };

const SCHEMA: Schema<ConsoleSettings> = {
  window: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        additionalProperties: false,
        required: ['x', 'y', 'width', 'height', 'maximized'],
        properties: {
          x: { type: 'integer' },
          y: { type: 'integer' },
          width: { type: 'integer', minimum: 200, maximum: 20000 },
          height: { type: 'integer', minimum: 200, maximum: 20000 },
          maximized: { type: 'boolean' },
        },
      },
    ],
  },
  smtp: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        additionalProperties: false,
        required: ['host', 'port', 'secure', 'user', 'from', 'passwordSealed'],
        properties: {
          host: { type: 'string', maxLength: 253 },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          secure: { type: 'boolean' },
          user: { type: 'string', maxLength: 254 },
          from: { type: 'string', maxLength: 254 },
          // safeStorage ciphertext, base64; never the password itself.
          passwordSealed: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 4096 }] },
        },
      },
    ],
  },
};

/** Console settings (not domain data: that lives in SQLite), in settings.json in the user-data folder. */
export class SettingsStore {
  private readonly store: Store<ConsoleSettings>;

  constructor(dataDir: string) {
    this.store = openStore(dataDir);
  }

  windowBounds(): WindowBounds | null {
    return this.store.get('window');
  }

  saveWindowBounds(bounds: WindowBounds): void {
    this.store.set('window', bounds);
  }

  smtp(): SmtpSettings | null {
    return this.store.get('smtp');
  }

  /**
   * Saves the mail settings; a new password is sealed before it is written.
   * password: a string sets it, null removes it, undefined keeps the stored one.
   */
  async saveSmtp(settings: Omit<SmtpSettings, 'passwordSealed'>, password: string | null | undefined): Promise<void> {
    const previous = this.store.get('smtp');
    const passwordSealed =
      password === undefined
        ? (previous?.passwordSealed ?? null)
        : password === null
          ? null
          : (await safeStorage.encryptStringAsync(password)).toString('base64');
    this.store.set('smtp', { ...settings, passwordSealed });
  }

  /** The SMTP password, unsealed only at the moment the mail sender needs it. */
  async smtpPassword(): Promise<string | null> {
    const sealed = this.store.get('smtp')?.passwordSealed;
    if (!sealed) return null;
    return (await safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))).result;
  }
}

/**
 * The console's mail settings in Electron: settings.json (electron-store) for the server, the
 * password sealed by the operating system's credential store through safeStorage.
 */
export class SafeStorageMailSettings implements MailSettingsStore {
  constructor(private readonly settings: SettingsStore) {}

  async load(): Promise<MailSettingsWithPassword> {
    const smtp = this.settings.smtp();
    if (!smtp) return { ...DEFAULT_MAIL_SETTINGS, password: null };
    let password: string | null;
    try {
      password = await this.settings.smtpPassword();
    } catch {
      // Sealed by another account or before a keyring reset: as good as no password; saving a new one fixes it.
      password = null;
    }
    return { host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user, from: smtp.from, password };
  }

  async save(settings: MailSettings, password: string | null | undefined): Promise<void> {
    await this.settings.saveSmtp({ host: settings.host, port: settings.port, secure: settings.secure, user: settings.user, from: settings.from }, password);
  }
}

function openStore(dataDir: string): Store<ConsoleSettings> {
  const options = {
    name: SETTINGS_NAME,
    cwd: dataDir,
    defaults: DEFAULTS,
    schema: SCHEMA,
    // Settings are conveniences; a damaged file must not stop the console from starting.
    clearInvalidConfig: true,
    accessPropertiesByDotNotation: false,
    configFileMode: 0o600,
  } as const;
  try {
    return new Store<ConsoleSettings>(options);
  } catch {
    // Valid JSON that breaks the schema (hand-edited or from a newer version): keep it aside.
    const file = join(dataDir, `${SETTINGS_NAME}.json`);
    if (existsSync(file)) renameSync(file, `${file}.invalid-${Date.now()}`);
    return new Store<ConsoleSettings>(options);
  }
}

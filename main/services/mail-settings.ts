import { isIP } from 'node:net';

/** Outgoing mail (SMTP) for the outbox. An empty host means mail is off: emails wait in the outbox. */
export interface MailSettings {
  host: string;
  port: number;
  /** TLS from the first byte (usually port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** SMTP user; empty: no authentication. */
  user: string;
  from: string;
}

export type MailSettingsWithPassword = MailSettings & { password: string | null };

/**
 * Where the mail settings live. The SMTP password is never stored in plain text: Electron seals
 * it with safeStorage (main/shell/settings.ts); the browser host and tests seal it with the
 * console's data key (mail-settings-file.ts).
 */
export interface MailSettingsStore {
  load(): Promise<MailSettingsWithPassword>;
  /** password: a string sets it, null removes it, undefined keeps the stored one. */
  save(settings: MailSettings, password: string | null | undefined): Promise<void>;
}

export const DEFAULT_MAIL_SETTINGS: MailSettings = { host: '', port: 587, secure: false, user: '', from: '' };

/** Whether mail can be sent at all with these settings. */
export function isMailConfigured(settings: MailSettings): boolean {
  return settings.host !== '' && settings.from !== '';
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS host name or an IPv4/IPv6 address (no port, no scheme, no spaces). */
export function isValidMailHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (isIP(host) !== 0) return true;
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  return labels.every((label) => LABEL.test(label));
}

/** A relay on this machine: the SMTP password does not cross a network to reach it. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Reads a settings object from untrusted JSON, keeping only well-typed fields. */
export function mailSettingsFrom(value: unknown): MailSettings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const str = (x: unknown, fallback: string) => (typeof x === 'string' ? x : fallback);
  const port = typeof v['port'] === 'number' && Number.isInteger(v['port']) && v['port'] >= 1 && v['port'] <= 65535 ? v['port'] : DEFAULT_MAIL_SETTINGS.port;
  return {
    host: str(v['host'], DEFAULT_MAIL_SETTINGS.host),
    port,
    secure: typeof v['secure'] === 'boolean' ? v['secure'] : DEFAULT_MAIL_SETTINGS.secure,
    user: str(v['user'], DEFAULT_MAIL_SETTINGS.user),
    from: str(v['from'], DEFAULT_MAIL_SETTINGS.from),
  };
}

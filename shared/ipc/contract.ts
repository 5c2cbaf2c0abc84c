import type { z } from 'zod';
import { archiveChannels } from './archives.js';
import { auditChannels } from './audit.js';
import { backupChannels } from './backups.js';
import { credentialChannels } from './credentials.js';
import type { IpcResult } from './errors.js';
import { fsidChannels } from './fsid.js';
import { historyChannels } from './history.js';
import { homeChannels } from './home.js';
import { mailChannels } from './mail.js';
import { organizationChannels } from './organizations.js';
import { passwordChannels } from './passwords.js';
import { proofingChannels } from './proofing.js';
import { requestChannels } from './requests.js';
import { sessionChannels } from './session.js';
import { userChannels } from './users.js';

/**
 * The one IPC contract. Every channel names its input schema (validated at runtime in main:
 * the renderer is untrusted), its output schema, and who may call it (Access, in fields.ts).
 * Each domain keeps its channels and their schemas in its own file; this index puts them
 * together in the order a reader looks for them: signing in, then the official's day, then
 * the administration of the console.
 */
export const contract = {
  // ---- Signing in: first run, sign-in, the warning, the idle lock, passwords, credentials ----
  ...sessionChannels,
  ...passwordChannels,
  ...credentialChannels,

  // ---- The official's day: Home, role requests, proofing, users, Federal Surveyor IDs ----
  ...homeChannels,
  ...requestChannels,
  ...proofingChannels,
  ...userChannels,
  ...organizationChannels,
  ...fsidChannels,

  // ---- Administration: Request History, the audit trail, review archives, mail, backups ----
  ...historyChannels,
  ...auditChannels,
  ...archiveChannels,
  ...mailChannels,
  ...backupChannels,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;

export { mailNotice, passwordSchema, securityCode, userIdSchema } from './fields.js';
export type { Access, ChannelSpec, MailNotice } from './fields.js';
export { fileDelivery, uploadTokenSchema } from './files.js';
export type { FileDelivery, UploadResult } from './files.js';
export { sessionView } from './session.js';
export type { EnrollmentView, SessionView } from './session.js';
export { oneTimeCode } from './passwords.js';
export type { PasswordResetStart, ResetContactView } from './passwords.js';
export type { CredentialView } from './credentials.js';
export type { HomeDashboard, HomeSummary } from './home.js';
export { QUEUE_SORTS } from './requests.js';
export type { DecisionOutcome, DecisionPreviewItem, MyRequestView, QueueRow, QueueSort } from './requests.js';
export type { ProofingSubject } from './proofing.js';
export { ACCOUNT_ACTIONS, LOOKUP_SORTS } from './users.js';
export type { AccountAction, LookupDirection, LookupRow, ProfileRole, UserProfile } from './users.js';
export { ORGANIZATION_SEARCH_LIMIT } from './organizations.js';
export { FSID_STATES } from './fsid.js';
export type { FsidRow, FsidState } from './fsid.js';
export type { HistoryRow } from './history.js';
export type { AuditRow, AuditStatus } from './audit.js';
export type { ArchiveSummary } from './archives.js';
export { MAIL_TEST_PROBLEMS } from './mail.js';
export type { MailSettingsView, MailTestResult, OutboxRow } from './mail.js';
export { backupInfo } from './backups.js';
export type { BackupInfo, BackupStatus, RecoveryView } from './backups.js';

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** The bridge both transports expose to the renderer as `window.api`. */
export interface ConsoleBridge {
  invoke(channel: string, input: unknown): Promise<IpcResult<unknown>>;
}

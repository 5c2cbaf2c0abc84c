import type { ArchiveService } from '../services/archives.js';
import type { AuditIntegrity } from '../services/audit-integrity.js';
import type { AuditService } from '../services/audit.js';
import type { AuthService } from '../services/auth.js';
import type { BackupService } from '../services/backups.js';
import type { ConsoleIdentity } from '../services/console-identity.js';
import type { ExportService } from '../services/exports.js';
import type { FileTransfer } from '../services/files.js';
import type { FsidService } from '../services/fsid.js';
import type { HistoryService } from '../services/history.js';
import type { HomeService } from '../services/home.js';
import type { MfaService } from '../services/mfa.js';
import type { NotificationService } from '../services/notifications.js';
import type { OrganizationService } from '../services/organizations.js';
import type { PasswordResetService } from '../services/password-reset.js';
import type { ProofingService } from '../services/proofing.js';
import type { RequestService } from '../services/requests.js';
import type { SessionRegistry } from '../services/sessions.js';
import type { UserService } from '../services/users.js';

/** What the channel handlers call: every service, as main/app.ts composes them. */
export interface Services {
  demo: boolean;
  files: FileTransfer;
  sessions: SessionRegistry;
  auth: AuthService;
  passwordReset: PasswordResetService;
  mfa: MfaService;
  home: HomeService;
  requests: RequestService;
  notifications: NotificationService;
  users: UserService;
  organizations: OrganizationService;
  proofing: ProofingService;
  fsid: FsidService;
  identity: ConsoleIdentity;
  history: HistoryService;
  audit: AuditService;
  integrity: AuditIntegrity;
  archives: ArchiveService;
  exports: ExportService;
  backups: BackupService;
  readOnly: boolean;
}

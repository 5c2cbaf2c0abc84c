import type { Channel } from '../../shared/ipc/contract.js';

/**
 * What a console opened read-only still answers: reviewing, looking
 * up and exporting, and signing in to do so. Every decision and every change is refused, with
 * READ_ONLY. Listed, not derived, so that a new channel is refused until someone decides it reads.
 */
export const READ_ONLY_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'app.status',
  'session.status',
  'session.activity',
  'auth.signIn',
  'auth.acceptWarning',
  'auth.denyWarning',
  'auth.signOut',
  'auth.unlock',
  'home.summary',
  'home.dashboard',
  'mfa.list',
  'access.options',
  'access.mine',
  'queue.page',
  'queue.preview',
  'queue.view',
  'outbox.list',
  'mail.settings',
  'lookup.options',
  'lookup.search',
  'lookup.export',
  'users.profile',
  'organizations.search',
  'proofing.lookup',
  'fsid.search',
  'fsid.mine',
  'history.options',
  'history.page',
  'history.view',
  'history.exportCsv',
  'history.exportPdf',
  'audit.page',
  'audit.status',
  'audit.exportCsv',
  'archive.open',
  'archive.close',
  'backup.status',
  // The way out of read-only: a CMS official restores a good backup (checked first, as always).
  'backup.restore',
]);

export const READ_ONLY_MESSAGE =
  'The console is open read-only because its start-up check failed: nothing can be decided or changed. Restore a good backup to work normally.';

import { create } from 'zustand';
import type { BackupInfo, BackupStatus } from '../../../shared/ipc/contract.js';
import { call, codeOf, fieldOf, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';

export const RESTORED_NOTICE = 'The console was restored from a backup and started again. Please log in again.';

interface BackupsState {
  status: BackupStatus | null;
  error: string | null;
  notice: { key: number; text: string } | null;
  /** The backup the official is asked to confirm restoring. */
  restoring: BackupInfo | null;
  restorePending: boolean;
  restoreError: { message: string; field: string | null } | null;

  load(): Promise<void>;
  backupNow(): Promise<void>;
  askRestore(backup: BackupInfo): void;
  cancelRestore(): void;
  confirmRestore(code: string): Promise<void>;
}

let noticeKey = 0;
const POLL_MS = 500;

/** Backup and restore (Settings): the backups, one made now with its progress, a restore. */
export const useBackups = create<BackupsState>()((set, get) => ({
  status: null,
  error: null,
  notice: null,
  restoring: null,
  restorePending: false,
  restoreError: null,

  async load() {
    try {
      set({ status: await call('backup.status', {}), error: null });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },

  async backupNow() {
    if (get().status?.running) return;
    set({ error: null, notice: null });
    const making = call('backup.now', {});
    // The copy runs a few pages at a time: the progress bar follows it.
    const poll = setInterval(() => void get().load(), POLL_MS);
    void get().load();
    try {
      const backup = await making;
      set({
        notice: {
          key: ++noticeKey,
          text:
            backup.verified === 'ok'
              ? `Backup ${backup.name} made and checked (SQLite and the audit trail).`
              : `Backup ${backup.name} made, but its check failed: ${backup.problem ?? ''}`,
        },
      });
    } catch (error) {
      set({ error: messageOf(error) });
    } finally {
      clearInterval(poll);
      await get().load();
    }
  },

  askRestore(backup) {
    set({ restoring: backup, restoreError: null });
  },

  cancelRestore() {
    set({ restoring: null, restoreError: null });
  },

  async confirmRestore(code) {
    const { restoring, restorePending } = get();
    if (!restoring || restorePending) return;
    set({ restorePending: true, restoreError: null });
    try {
      await call('backup.restore', { name: restoring.name, code });
      set({ restorePending: false, restoring: null });
      // The console restarts on the backup: every session ends.
      useSession.getState().endSession(RESTORED_NOTICE);
    } catch (error) {
      if (codeOf(error) === 'SESSION_LOCKED') return;
      set({ restorePending: false, restoreError: { message: messageOf(error), field: fieldOf(error) ?? null } });
    }
  },
}));

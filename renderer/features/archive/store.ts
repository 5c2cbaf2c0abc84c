import { create } from 'zustand';
import type { ArchiveSummary } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';
import { canUploadFiles, deliverFile, uploadFile } from '../../files.js';
import { useSession } from '../session/store.js';

export interface ExportArchiveInput {
  organizations: string[];
  from: number;
  to: number;
}

interface ArchiveState {
  /** The archive both History and Audit show, read-only, while it is open. */
  open: ArchiveSummary | null;
  opening: boolean;
  openError: string | null;
  exportOpen: boolean;
  exportPending: boolean;
  exportError: { field: string | null; message: string } | null;
  /** What the last export or open said, for the page's status. */
  notice: { text: string; key: number } | null;

  /** Browser host: the file the user picked. Electron: the main process shows its own dialog. */
  openArchive(file?: File): Promise<void>;
  closeArchive(): Promise<void>;
  showExport(): void;
  hideExport(): void;
  exportArchive(input: ExportArchiveInput): Promise<void>;
  dismissNotice(): void;
}

let noticeKey = 0;
const notice = (text: string) => ({ text, key: ++noticeKey });

export const useArchive = create<ArchiveState>()((set, get) => ({
  open: null,
  opening: false,
  openError: null,
  exportOpen: false,
  exportPending: false,
  exportError: null,
  notice: null,

  async openArchive(file) {
    if (get().opening) return;
    set({ opening: true, openError: null, notice: null });
    try {
      let uploadToken: string | undefined;
      if (canUploadFiles()) {
        if (!file) {
          set({ opening: false });
          return;
        }
        uploadToken = (await uploadFile(file)).token;
      }
      const { archive } = await call('archive.open', uploadToken ? { uploadToken } : {});
      const previous = get().open;
      if (archive && previous) void call('archive.close', { archiveId: previous.archiveId }).catch(() => undefined);
      set({ opening: false, ...(archive ? { open: archive } : {}) });
    } catch (error) {
      set({ opening: false, openError: messageOf(error) });
    }
  },

  async closeArchive() {
    const open = get().open;
    set({ open: null, openError: null, notice: null });
    if (open) await call('archive.close', { archiveId: open.archiveId }).catch(() => undefined);
  },

  showExport() {
    set({ exportOpen: true, exportError: null });
  },

  hideExport() {
    if (get().exportPending) return;
    set({ exportOpen: false, exportError: null });
  },

  async exportArchive(input) {
    if (get().exportPending) return;
    set({ exportPending: true, exportError: null });
    try {
      const result = await call('archive.export', input);
      if (!result.delivery) {
        set({ exportPending: false });
        return;
      }
      const saved = deliverFile(result.delivery);
      const what = `${result.rows.toLocaleString()} decision${result.rows === 1 ? '' : 's'} and ${result.audit.toLocaleString()} audit event${result.audit === 1 ? '' : 's'}`;
      set({ exportPending: false, exportOpen: false, notice: notice(`${saved}: ${what}, signed by this console (key ${result.fingerprint}).`) });
    } catch (error) {
      set({ exportPending: false, exportError: { field: fieldOf(error) ?? null, message: messageOf(error) } });
    }
  },

  dismissNotice() {
    set({ notice: null });
  },
}));

/** The open archive's id for a channel's input, or nothing (this console's own data). */
export function archiveInput(): { archiveId?: string } {
  const open = useArchive.getState().open;
  return open ? { archiveId: open.archiveId } : {};
}

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useArchive.setState({ open: null, opening: false, openError: null, exportOpen: false, exportPending: false, exportError: null, notice: null });
  }
});

import { create } from 'zustand';
import type { FsidRow } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';

export interface FsidFilters {
  query: string;
  roles: string[];
  pendingOnly: boolean;
}

/** The pop-ups: "Enter Federal Surveyor ID", and "Are you sure?" before Verify or Remove. */
export type FsidDialog =
  | { kind: 'enter'; row: FsidRow; pending: boolean; error: { message: string; field: string | null } | null }
  | { kind: 'confirm'; action: 'verify' | 'remove'; row: FsidRow; pending: boolean; error: string | null };

interface FsidState {
  filters: FsidFilters;
  searched: FsidFilters | null;
  page: number;
  rows: FsidRow[];
  total: number;
  pageSize: number;
  loading: boolean;
  error: string | null;
  dialog: FsidDialog | null;
  notice: { key: number; text: string } | null;

  setFilters(patch: Partial<FsidFilters>): void;
  search(page?: number): Promise<void>;
  resetFilters(): Promise<void>;
  openEnter(row: FsidRow): void;
  openConfirm(action: 'verify' | 'remove', row: FsidRow): void;
  closeDialog(): void;
  save(fsid: string): Promise<void>;
  confirm(): Promise<void>;
}

const NO_FILTERS: FsidFilters = { query: '', roles: [], pendingOnly: false };
let noticeKey = 0;

/** Federal Surveyor IDs: "Search for Users" and the actions on each row (iQIES job aid, section 6). */
export const useFsid = create<FsidState>()((set, get) => {
  /** The page listed, searched again with the filters it was searched with (one page back if it emptied). */
  async function refresh(): Promise<void> {
    const searched = get().searched;
    if (!searched) return;
    const { page } = get();
    try {
      let result = await call('fsid.search', { ...searched, page });
      let shown = page;
      if (result.rows.length === 0 && page > 1) {
        shown = page - 1;
        result = await call('fsid.search', { ...searched, page: shown });
      }
      set({ page: shown, rows: result.rows, total: result.total, pageSize: result.pageSize });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  }

  function replaceRow(updated: FsidRow) {
    set((state) => ({ rows: state.rows.map((row) => (row.userId === updated.userId ? updated : row)) }));
  }
  return {
    filters: NO_FILTERS,
    searched: null,
    page: 1,
    rows: [],
    total: 0,
    pageSize: 25,
    loading: false,
    error: null,
    dialog: null,
    notice: null,

    setFilters(patch) {
      set((state) => ({ filters: { ...state.filters, ...patch } }));
    },

    async search(page = 1) {
      const filters = page === 1 ? { ...get().filters } : (get().searched ?? get().filters);
      // A new search: an earlier "saved" message no longer describes what is listed.
      set({ loading: true, error: null, ...(page === 1 ? { notice: null } : {}) });
      try {
        const result = await call('fsid.search', { ...filters, page });
        set({ loading: false, searched: filters, page, rows: result.rows, total: result.total, pageSize: result.pageSize });
      } catch (error) {
        set({ loading: false, error: messageOf(error) });
      }
    },

    async resetFilters() {
      set({ filters: NO_FILTERS, notice: null });
      await get().search(1);
    },

    openEnter(row) {
      set({ dialog: { kind: 'enter', row, pending: false, error: null } });
    },

    openConfirm(action, row) {
      set({ dialog: { kind: 'confirm', action, row, pending: false, error: null } });
    },

    closeDialog() {
      set({ dialog: null });
    },

    async save(fsid) {
      const dialog = get().dialog;
      if (dialog?.kind !== 'enter' || dialog.pending) return;
      set({ dialog: { ...dialog, pending: true, error: null } });
      try {
        const updated = await call('fsid.save', { userId: dialog.row.userId, fsid });
        replaceRow(updated);
        set({
          dialog: null,
          notice: {
            key: ++noticeKey,
            text: `Federal Surveyor ID ${updated.fsid ?? ''} saved for ${updated.firstName} ${updated.lastName}; it is pending verification.`,
          },
        });
      } catch (error) {
        set({ dialog: { ...dialog, pending: false, error: { message: messageOf(error), field: fieldOf(error) ?? null } } });
      }
    },

    async confirm() {
      const dialog = get().dialog;
      if (dialog?.kind !== 'confirm' || dialog.pending) return;
      set({ dialog: { ...dialog, pending: true, error: null } });
      try {
        const updated = await call(dialog.action === 'verify' ? 'fsid.verify' : 'fsid.remove', { userId: dialog.row.userId });
        // The job aid: "No further notification appears"; the row itself shows the change, and
        // an earlier "saved ... pending verification" would now say something untrue.
        set({ dialog: null, notice: null });
        const searched = get().searched;
        if (searched?.pendingOnly && updated.fsidState !== 'requested' && updated.fsidState !== 'pending') {
          // No longer pending: it leaves the pending-only list, as a new search would show.
          await refresh();
        } else {
          replaceRow(updated);
        }
      } catch (error) {
        set({ dialog: { ...dialog, pending: false, error: messageOf(error) } });
      }
    },
  };
});

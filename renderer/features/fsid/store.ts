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
  /** The cursor of each page up to the one shown (undefined: the first); the page number is its length. */
  pageCursors: Array<string | undefined>;
  nextCursor: string | null;
  rows: FsidRow[];
  total: number;
  pageSize: number;
  loading: boolean;
  error: string | null;
  dialog: FsidDialog | null;
  notice: { key: number; text: string } | null;

  setFilters(patch: Partial<FsidFilters>): void;
  search(): Promise<void>;
  nextPage(): Promise<void>;
  previousPage(): Promise<void>;
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
  const fetchPage = (filters: FsidFilters, cursor: string | undefined) => call('fsid.search', { ...filters, ...(cursor ? { after: cursor } : {}) });

  /** Shows the last page of `cursors` for these filters. */
  async function show(filters: FsidFilters, cursors: Array<string | undefined>): Promise<void> {
    set({ loading: true, error: null });
    try {
      const result = await fetchPage(filters, cursors[cursors.length - 1]);
      set({
        loading: false,
        searched: filters,
        pageCursors: cursors,
        nextCursor: result.nextCursor,
        rows: result.rows,
        total: result.total,
        pageSize: result.pageSize,
      });
    } catch (error) {
      set({ loading: false, error: messageOf(error) });
    }
  }

  /** The page listed, searched again with the filters it was searched with (one page back if it emptied). */
  async function refresh(): Promise<void> {
    const searched = get().searched;
    if (!searched) return;
    let cursors = get().pageCursors;
    try {
      let result = await fetchPage(searched, cursors[cursors.length - 1]);
      if (result.rows.length === 0 && cursors.length > 1) {
        cursors = cursors.slice(0, -1);
        result = await fetchPage(searched, cursors[cursors.length - 1]);
      }
      set({ pageCursors: cursors, nextCursor: result.nextCursor, rows: result.rows, total: result.total, pageSize: result.pageSize });
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
    pageCursors: [undefined],
    nextCursor: null,
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

    async search() {
      // A new search: an earlier "saved" message no longer describes what is listed.
      set({ notice: null });
      await show({ ...get().filters }, [undefined]);
    },

    async nextPage() {
      const { searched, pageCursors, nextCursor } = get();
      if (!searched || !nextCursor) return;
      await show(searched, [...pageCursors, nextCursor]);
    },

    async previousPage() {
      const { searched, pageCursors } = get();
      if (!searched || pageCursors.length < 2) return;
      await show(searched, pageCursors.slice(0, -1));
    },

    async resetFilters() {
      set({ filters: NO_FILTERS, notice: null });
      await get().search();
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

import { create } from 'zustand';
import type { AuditCategory } from '../../../shared/domain.js';
import type { AuditRow, AuditStatus } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';
import { dayEnd, dayStart } from '../../components/format.js';
import { deliverFile } from '../../files.js';
import { archiveInput, useArchive } from '../archive/store.js';
import { useSession } from '../session/store.js';

export const PAGE_SIZE = 100;

export interface AuditFilters {
  category: '' | AuditCategory;
  from: string;
  to: string;
  organization: string;
  /** A User ID or a Request ID; applied by Search. */
  search: string;
}

interface AuditState {
  filters: AuditFilters;
  draft: string;
  rows: AuditRow[];
  nextCursor: string | null;
  status: AuditStatus | null;
  loaded: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: { field: string | null; message: string } | null;
  exporting: boolean;
  exportNotice: { text: string; key: number } | null;

  load(): Promise<void>;
  loadMore(): Promise<void>;
  refreshStatus(): Promise<void>;
  setDraft(text: string): void;
  search(): void;
  setFilters(filters: Partial<Omit<AuditFilters, 'search'>>): void;
  clear(): void;
  exportCsv(): Promise<void>;
}

const EMPTY: AuditFilters = { category: '', from: '', to: '', organization: '', search: '' };
let generation = 0;
let noticeKey = 0;

function filterInput(filters: AuditFilters) {
  return {
    search: filters.search,
    ...(filters.category ? { category: filters.category } : {}),
    ...(filters.from ? { from: dayStart(filters.from) } : {}),
    ...(filters.to ? { to: dayEnd(filters.to) } : {}),
    ...(filters.organization ? { organization: filters.organization } : {}),
    ...archiveInput(),
  };
}

export const useAuditTrail = create<AuditState>()((set, get) => ({
  filters: EMPTY,
  draft: '',
  rows: [],
  nextCursor: null,
  status: null,
  loaded: false,
  loading: false,
  loadingMore: false,
  error: null,
  exporting: false,
  exportNotice: null,

  async load() {
    generation += 1;
    const mine = generation;
    set({ loading: true, error: null });
    void get().refreshStatus();
    try {
      const page = await call('audit.page', { ...filterInput(get().filters), limit: PAGE_SIZE });
      if (mine !== generation) return;
      set({ rows: page.rows, nextCursor: page.nextCursor, loaded: true, loading: false, loadingMore: false });
    } catch (error) {
      if (mine !== generation) return;
      set({ loading: false, loaded: true, rows: [], nextCursor: null, error: { field: fieldOf(error) ?? null, message: messageOf(error) } });
    }
  },

  async loadMore() {
    const { nextCursor, loading, loadingMore, filters } = get();
    if (!nextCursor || loading || loadingMore) return;
    const mine = generation;
    set({ loadingMore: true });
    try {
      const page = await call('audit.page', { ...filterInput(filters), after: nextCursor, limit: PAGE_SIZE });
      if (mine !== generation) return;
      set((state) => ({ rows: [...state.rows, ...page.rows], nextCursor: page.nextCursor, loadingMore: false }));
    } catch (error) {
      if (mine !== generation) return;
      set({ loadingMore: false, error: { field: null, message: messageOf(error) } });
    }
  },

  async refreshStatus() {
    try {
      set({ status: await call('audit.status', archiveInput()) });
    } catch {
      // The status line keeps its last value; the next refresh will tell.
    }
  },

  setDraft(text) {
    set({ draft: text });
  },

  search() {
    set((state) => ({ filters: { ...state.filters, search: state.draft.trim() }, rows: [], nextCursor: null }));
    void get().load();
  },

  setFilters(filters) {
    set((state) => ({ filters: { ...state.filters, ...filters }, rows: [], nextCursor: null }));
    void get().load();
  },

  clear() {
    set({ filters: EMPTY, draft: '', rows: [], nextCursor: null });
    void get().load();
  },

  async exportCsv() {
    if (get().exporting) return;
    set({ exporting: true, exportNotice: null });
    try {
      const result = await call('audit.exportCsv', filterInput(get().filters));
      if (!result.delivery) {
        set({ exporting: false });
        return;
      }
      const saved = deliverFile(result.delivery);
      set({ exporting: false, exportNotice: { text: `${saved} (${result.rows.toLocaleString()} event${result.rows === 1 ? '' : 's'}).`, key: ++noticeKey } });
    } catch (error) {
      set({ exporting: false, error: { field: fieldOf(error) ?? null, message: messageOf(error) } });
    }
  },
}));

useArchive.subscribe((state, previous) => {
  if (state.open?.archiveId !== previous.open?.archiveId) {
    useAuditTrail.setState({ filters: EMPTY, draft: '', rows: [], nextCursor: null, status: null });
    if (useSession.getState().page === 'audit-trail') void useAuditTrail.getState().load();
  }
});

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    generation += 1;
    useAuditTrail.setState({
      filters: EMPTY,
      draft: '',
      rows: [],
      nextCursor: null,
      status: null,
      loaded: false,
      error: null,
      exportNotice: null,
    });
  }
});

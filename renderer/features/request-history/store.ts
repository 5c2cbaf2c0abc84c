import { create } from 'zustand';
import type { HistoryAction } from '../../../shared/domain.js';
import type { ChannelOutput, HistoryRow } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';
import { dayEnd, dayStart } from '../../components/format.js';
import { deliverFile } from '../../files.js';
import { archiveInput, useArchive } from '../archive/store.js';
import { useSession } from '../session/store.js';

export const PAGE_SIZE = 100;

export type HistoryOptions = ChannelOutput<'history.options'>;
export type HistoryView = ChannelOutput<'history.view'>;

export interface HistoryFilters {
  /** As typed: a Request ID or a name; applied by Search. */
  search: string;
  /** yyyy-mm-dd from the date inputs, '' for none. */
  from: string;
  to: string;
  program: string;
  organization: string;
  action: '' | HistoryAction;
}

export interface HistoryPanel {
  requestId: number;
  data: HistoryView | null;
  loading: boolean;
  error: string | null;
  /** The official's own rejection within its reopening window, as the Role Requests queue's View says. */
  canReopen: boolean;
  reopenPending: boolean;
  /** Set once the request was reopened from the pop-up. */
  reopened: boolean;
  /** Why the reopening was refused, in the main process's words. */
  reopenError: string | null;
}

interface HistoryState {
  filters: HistoryFilters;
  /** The search box's text before Search is pressed. */
  draft: string;
  options: HistoryOptions | null;
  rows: HistoryRow[];
  nextCursor: string | null;
  searchedBy: ChannelOutput<'history.page'>['searchedBy'];
  loaded: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: { field: string | null; message: string } | null;
  panel: HistoryPanel | null;
  exporting: 'csv' | 'pdf' | null;
  exportNotice: { text: string; key: number } | null;

  load(): Promise<void>;
  loadMore(): Promise<void>;
  setDraft(text: string): void;
  search(): void;
  setFilters(filters: Partial<Omit<HistoryFilters, 'search'>>): void;
  clear(): void;
  openPanel(requestId: number): Promise<void>;
  closePanel(): void;
  reopen(): Promise<void>;
  exportCsv(): Promise<void>;
  exportPdf(): Promise<void>;
}

const EMPTY: HistoryFilters = { search: '', from: '', to: '', program: '', organization: '', action: '' };

let generation = 0;
let noticeKey = 0;

/** The channel input of the filters (the same for a page, a CSV and a report). */
export function filterInput(filters: HistoryFilters) {
  return {
    search: filters.search,
    ...(filters.from ? { from: dayStart(filters.from) } : {}),
    ...(filters.to ? { to: dayEnd(filters.to) } : {}),
    ...(filters.program ? { program: filters.program } : {}),
    ...(filters.organization ? { organization: filters.organization } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...archiveInput(),
  };
}

export const useRequestHistory = create<HistoryState>()((set, get) => ({
  filters: EMPTY,
  draft: '',
  options: null,
  rows: [],
  nextCursor: null,
  searchedBy: 'all',
  loaded: false,
  loading: false,
  loadingMore: false,
  error: null,
  panel: null,
  exporting: null,
  exportNotice: null,

  async load() {
    generation += 1;
    const mine = generation;
    set({ loading: true, error: null });
    try {
      // The filter choices (for a CMS official, every organization) are read once per view of a source.
      const known = get().options;
      const [options, page] = await Promise.all([
        known ?? call('history.options', archiveInput()),
        call('history.page', { ...filterInput(get().filters), limit: PAGE_SIZE }),
      ]);
      if (mine !== generation) return;
      set({ options, rows: page.rows, nextCursor: page.nextCursor, searchedBy: page.searchedBy, loaded: true, loading: false, loadingMore: false });
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
      const page = await call('history.page', { ...filterInput(filters), after: nextCursor, limit: PAGE_SIZE });
      if (mine !== generation) return;
      set((state) => ({ rows: [...state.rows, ...page.rows], nextCursor: page.nextCursor, loadingMore: false }));
    } catch (error) {
      if (mine !== generation) return;
      set({ loadingMore: false, error: { field: null, message: messageOf(error) } });
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

  async openPanel(requestId) {
    set({ panel: { requestId, data: null, loading: true, error: null, canReopen: false, reopenPending: false, reopened: false, reopenError: null } });
    try {
      const data = await call('history.view', { requestId, ...archiveInput() });
      if (get().panel?.requestId !== requestId) return;
      set((state) => ({ panel: state.panel && { ...state.panel, data, loading: false } }));
      // Whether it may be reopened is the Role Requests service's call, asked of the live database only.
      if (data.action === 'rejected' && !archiveInput().archiveId) {
        const canReopen = await call('queue.view', { requestId }).then(
          (view) => view.canReopen,
          () => false,
        );
        if (get().panel?.requestId !== requestId) return;
        set((state) => ({ panel: state.panel && { ...state.panel, canReopen } }));
      }
    } catch (error) {
      if (get().panel?.requestId !== requestId) return;
      set((state) => ({ panel: state.panel && { ...state.panel, loading: false, error: messageOf(error) } }));
    }
  },

  closePanel() {
    set({ panel: null });
  },

  /** HARP job aid FAQ ("I accidentally denied a request"): the same reopening as the queue's View. */
  async reopen() {
    const panel = get().panel;
    if (!panel || panel.reopenPending || panel.reopened) return;
    const { requestId } = panel;
    set({ panel: { ...panel, reopenPending: true, reopenError: null } });
    try {
      await call('queue.reopen', { requestId });
      if (get().panel?.requestId === requestId)
        set((state) => ({ panel: state.panel && { ...state.panel, reopenPending: false, reopened: true, canReopen: false } }));
      // Pending again, the request is no longer a decision of the history.
      void get().load();
    } catch (error) {
      if (get().panel?.requestId !== requestId) return;
      set((state) => ({ panel: state.panel && { ...state.panel, reopenPending: false, reopenError: messageOf(error) } }));
    }
  },

  exportCsv() {
    return runExport('csv');
  },

  exportPdf() {
    return runExport('pdf');
  },
}));

async function runExport(kind: 'csv' | 'pdf'): Promise<void> {
  const { exporting, filters } = useRequestHistory.getState();
  if (exporting) return;
  useRequestHistory.setState({ exporting: kind, exportNotice: null });
  try {
    const input = filterInput(filters);
    const result = kind === 'csv' ? await call('history.exportCsv', input) : await call('history.exportPdf', input);
    if (!result.delivery) {
      useRequestHistory.setState({ exporting: null });
      return;
    }
    const saved = deliverFile(result.delivery);
    const what =
      kind === 'csv'
        ? `${result.rows.toLocaleString()} decision${result.rows === 1 ? '' : 's'}`
        : `a report of ${result.rows.toLocaleString()} decision${result.rows === 1 ? '' : 's'}`;
    useRequestHistory.setState({ exporting: null, exportNotice: { text: `${saved} (${what}).`, key: ++noticeKey } });
  } catch (error) {
    useRequestHistory.setState({ exporting: null, error: { field: fieldOf(error) ?? null, message: messageOf(error) } });
  }
}

// Opening or closing an archive changes what the page reads: start again from the first page.
useArchive.subscribe((state, previous) => {
  if (state.open?.archiveId !== previous.open?.archiveId) {
    useRequestHistory.setState({ filters: EMPTY, draft: '', rows: [], nextCursor: null, panel: null, options: null });
    if (useSession.getState().page === 'request-history') void useRequestHistory.getState().load();
  }
});

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    generation += 1;
    useRequestHistory.setState({
      filters: EMPTY,
      draft: '',
      options: null,
      rows: [],
      nextCursor: null,
      loaded: false,
      panel: null,
      error: null,
      exportNotice: null,
    });
  }
});

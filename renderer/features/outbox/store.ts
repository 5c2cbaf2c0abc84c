import { create } from 'zustand';
import type { OutboxRow } from '../../../shared/ipc/contract.js';
import { call, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';

export type OutboxFilter = '' | OutboxRow['status'];

interface OutboxState {
  filter: OutboxFilter;
  rows: OutboxRow[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** The row whose retry is on its way. */
  retrying: number | null;
  notice: { text: string; key: number } | null;

  load(): Promise<void>;
  setFilter(filter: OutboxFilter): void;
  retry(id: number): Promise<void>;
}

const initial = { filter: '' as OutboxFilter, rows: [], loaded: false, loading: false, error: null, retrying: null, notice: null };
let generation = 0;
let noticeKey = 0;

export const retryMessage = (to: string) => `The email to ${to} will be sent again now.`;

export const useOutbox = create<OutboxState>()((set, get) => ({
  ...initial,

  async load() {
    generation += 1;
    const mine = generation;
    const { filter } = get();
    set({ loading: true });
    try {
      const rows = await call('outbox.list', filter ? { status: filter } : {});
      if (mine === generation) set({ rows, loaded: true, loading: false, error: null });
    } catch (error) {
      if (mine === generation) set({ loading: false, error: messageOf(error) });
    }
  },

  setFilter(filter) {
    set({ filter, notice: null });
    void get().load();
  },

  async retry(id) {
    if (get().retrying !== null) return;
    set({ retrying: id, error: null, notice: null });
    try {
      const row = await call('outbox.retry', { id });
      noticeKey += 1;
      set((state) => ({
        retrying: null,
        rows: state.rows.map((r) => (r.id === id ? row : r)),
        notice: { text: retryMessage(row.to), key: noticeKey },
      }));
    } catch (error) {
      set({ retrying: null, error: messageOf(error) });
    }
  },
}));

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    generation += 1;
    useOutbox.setState(initial);
  }
});

import { create } from 'zustand';
import type { HomeDashboard, HomeSummary } from '../../../shared/ipc/contract.js';
import { call, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';

interface HomeState {
  summary: HomeSummary | null;
  error: string | null;
  /** Home's own view: the user's requests and proofing, and an official's figures. */
  dashboard: HomeDashboard | null;
  dashboardError: string | null;
  load(): Promise<void>;
  loadDashboard(): Promise<void>;
}

export const useHome = create<HomeState>()((set) => ({
  summary: null,
  error: null,
  dashboard: null,
  dashboardError: null,

  async load() {
    try {
      set({ summary: await call('home.summary', {}), error: null });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },

  async loadDashboard() {
    try {
      set({ dashboard: await call('home.dashboard', {}), dashboardError: null });
    } catch (error) {
      set({ dashboardError: messageOf(error) });
    }
  },
}));

// One user's summary must never show, even for a moment, to the next one who signs in.
useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useHome.setState({ summary: null, error: null, dashboard: null, dashboardError: null });
  }
});

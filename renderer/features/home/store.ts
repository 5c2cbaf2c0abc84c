import { create } from 'zustand';
import type { HomeSummary } from '../../../shared/ipc/contract.js';
import { call, messageOf } from '../../api.js';
import { useSession } from '../session/store.js';

interface HomeState {
  summary: HomeSummary | null;
  error: string | null;
  load(): Promise<void>;
}

export const useHome = create<HomeState>()((set) => ({
  summary: null,
  error: null,

  async load() {
    try {
      set({ summary: await call('home.summary', {}), error: null });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },
}));

// One user's summary must never show, even for a moment, to the next one who signs in.
useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useHome.setState({ summary: null, error: null });
  }
});
